// SPDX-License-Identifier: MIT
// The built-in seccomp profiles, compiled at build time (src/gen_builtin_bpf.cc).
#pragma once
#include <string_view>

namespace cocoon {

// The struct sock_filter array of built-in profile `name`; empty if it has no
// filter (`none`) or there is no such profile.
std::string_view builtin_bpf(std::string_view name);

}  // namespace cocoon
