// SPDX-License-Identifier: MIT
// --seccomp-profile: built-in names, text policies, JSON profiles. [pure]
#include "core/seccomp_profile.h"

#include <fmt/format.h>

namespace cocoon::seccomp {

const Builtin* builtin_named(std::string_view profile) {
    return profile.find('/') == std::string_view::npos ? find_builtin(profile) : nullptr;
}

Result<std::optional<Policy>> parse_profile(std::string_view profile, std::string_view text,
                                            const KnownSyscall& known, const ProfileContext& context) {
    const Builtin* builtin = builtin_named(profile);
    if (builtin != nullptr && builtin->text.empty())
        return std::optional<Policy>();
    const std::string origin = fmt::format("--seccomp-profile: {}", profile);
    Result<Policy> policy = looks_like_json(text)
                                ? parse_policy_oci(text, origin, known, context)
                                : parse_policy_text(text, origin, known, builtin != nullptr);
    if (!policy)
        return fail(policy.error());
    return std::optional<Policy>(std::move(*policy));
}

}  // namespace cocoon::seccomp
