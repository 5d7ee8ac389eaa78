// SPDX-License-Identifier: MIT
// Planned --seccomp-profile arguments to BPF programs. [parent]
#pragma once
#include <string>
#include <vector>

#include "base/result.h"
#include "core/seccomp_profile.h"

namespace cocoon {

// One struct sock_filter array per profile that has a filter, in command-line
// order (Plan::seccomp_profiles): a built-in's, compiled at build time, or a
// file's lowered policy, compiled by libseccomp.
Result<std::vector<std::string>> compile_profiles(const std::vector<seccomp::PlannedProfile>& profiles);

}  // namespace cocoon
