// SPDX-License-Identifier: MIT
// Docker/OCI JSON seccomp profiles (the runtime-spec's LinuxSeccomp object, with
// Docker's names/includes/excludes/archMap extensions). [pure]
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "core/seccomp_policy.h"
#include "core/seccomp_text.h"

namespace cocoon::seccomp {

// What a profile's includes/excludes are evaluated against.
struct ProfileContext {
    std::uint64_t caps = 0;                // the sandbox's capability set
    std::string arch = "amd64";            // the native architecture, as Go names it
    std::array<unsigned, 2> kernel{0, 0};  // major, minor of the running kernel
};

// Does `text` look like JSON (first non-blank character '{')?
bool looks_like_json(std::string_view text);

// "6.18.44-fc" -> {6, 18}
std::array<unsigned, 2> parse_kernel_version(std::string_view release);

// Syscall names this libseccomp does not know are skipped, as runc and crun do:
// profiles list syscalls of every architecture and kernel.
Result<Policy> parse_policy_oci(std::string_view text, std::string_view origin, const KnownSyscall& known,
                                const ProfileContext& context);

}  // namespace cocoon::seccomp
