// SPDX-License-Identifier: MIT
// What a --seccomp-profile argument names, and reading it into a Policy. [pure]
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/seccomp_names.h"
#include "core/seccomp_oci.h"
#include "core/seccomp_policy.h"
#include "core/seccomp_text.h"

namespace cocoon::seccomp {

// A built-in profile unless PROFILE contains a '/': a file called `default`
// in the current directory is `./default`.
const Builtin* builtin_named(std::string_view profile);

// The policy in `text` (a built-in's text or a file's contents): a Docker/OCI
// JSON profile when it starts with '{', the text format otherwise. nullopt
// for `none`. Errors start "--seccomp-profile: PROFILE".
Result<std::optional<Policy>> parse_profile(std::string_view profile, std::string_view text,
                                            const KnownSyscall& known, const ProfileContext& context);

// What planning needs to know of the machine for --seccomp-profile, gathered
// by os/host.cc (HostFacts::seccomp).
struct SeccompFacts {
    KnownSyscall known;                    // libseccomp's syscall table
    std::string arch = "amd64";            // ProfileContext::arch
    std::array<unsigned, 2> kernel{0, 0};  // ProfileContext::kernel
    // Every profile that is a file, with its contents, in command-line order.
    std::vector<std::pair<std::string, std::string>> files;
};

// One --seccomp-profile as planned: a built-in, compiled to BPF at build time
// (run/builtin_bpf.h), or a file's policy, parsed and lowered.
struct PlannedProfile {
    std::string name;
    const Builtin* builtin = nullptr;      // nullptr: a file
    std::optional<LoweredPolicy> lowered;  // a file's policy; nullopt: built-in, or no filter (`none`)
    std::size_t rules = 0;                 // the policy's rules as written
};

// Parses and lowers each profile; `caps` is the command's capability set,
// which the includes/excludes of a JSON profile are evaluated against.
Result<std::vector<PlannedProfile>> plan_profiles(const std::vector<std::string>& profiles,
                                                  const SeccompFacts& facts, std::uint64_t caps);

}  // namespace cocoon::seccomp
