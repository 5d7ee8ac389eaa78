// SPDX-License-Identifier: MIT
// --seccomp-profile arguments to BPF programs: read, parse, lower, compile. [parent]
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace cocoon {

// One struct sock_filter array per --seccomp-profile that has a filter, in
// command-line order (Plan::seccomp_profiles). `caps` is the command's
// capability set, which the includes/excludes of a JSON profile are evaluated
// against.
Result<std::vector<std::string>> compile_profiles(const std::vector<std::string>& profiles,
                                                  std::uint64_t caps);

}  // namespace cocoon
