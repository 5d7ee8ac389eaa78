// SPDX-License-Identifier: MIT
// Seccomp policies to classic BPF through libseccomp, and reading profile
// files. [parent]
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "core/seccomp_policy.h"

namespace cocoon {

// Does libseccomp know `name` on any architecture the filter covers?
bool syscall_known(std::string_view name);

// The native architecture as Go names it ("amd64"), for profile `arches`.
std::string native_arch_name();

// The name of syscall `nr` of audit architecture `arch` (seccomp_data's), or
// "syscall NR" when libseccomp does not know it.
std::string syscall_name(std::uint32_t arch, int nr);

// The running kernel's release string (uname -r).
std::string kernel_release();

// A struct sock_filter array for every architecture the kernel can run: on
// x86_64 also i386 and x32, whose entry points would otherwise bypass a
// filter that only knows native numbers (HACKING.md, security rule 5).
Result<std::string> compile_seccomp(const seccomp::LoweredPolicy& policy);

}  // namespace cocoon
