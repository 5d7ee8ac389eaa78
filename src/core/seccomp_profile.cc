// SPDX-License-Identifier: MIT
// --seccomp-profile: built-in names, text policies, JSON profiles. [pure]
#include "core/seccomp_profile.h"

#include <algorithm>

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

Result<std::vector<PlannedProfile>> plan_profiles(const std::vector<std::string>& profiles,
                                                  const SeccompFacts& facts, std::uint64_t caps) {
    std::vector<PlannedProfile> planned;
    const ProfileContext context{caps, facts.arch, facts.kernel};
    for (const std::string& profile : profiles) {
        PlannedProfile p{.name = profile, .builtin = builtin_named(profile)};
        if (p.builtin == nullptr) {
            const auto file = std::find_if(facts.files.begin(), facts.files.end(),
                                           [&](const auto& f) { return f.first == profile; });
            if (file == facts.files.end())
                return fail(Error::usage(fmt::format("--seccomp-profile: {}: not read", profile)));
            const std::optional<Policy> policy =
                TRY(parse_profile(profile, file->second, facts.known, context));
            if (policy) {
                p.rules = policy->rules.size();
                p.lowered = TRY(lower(*policy));
            }
        }
        planned.push_back(std::move(p));
    }
    return planned;
}

}  // namespace cocoon::seccomp
