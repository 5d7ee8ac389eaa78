// SPDX-License-Identifier: MIT
// What a --seccomp-profile argument names, and reading it into a Policy. [pure]
#pragma once
#include <optional>
#include <string_view>

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

}  // namespace cocoon::seccomp
