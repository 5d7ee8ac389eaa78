// SPDX-License-Identifier: MIT
// Compiling planned --seccomp-profile arguments in the parent, before clone. [parent]
#include "run/seccomp_profiles.h"

#include <fmt/format.h>

#include "os/seccomp_compile.h"
#include "run/builtin_bpf.h"

namespace cocoon {

Result<std::vector<std::string>> compile_profiles(const std::vector<seccomp::PlannedProfile>& profiles) {
    std::vector<std::string> programs;
    for (const seccomp::PlannedProfile& profile : profiles) {
        if (profile.builtin != nullptr) {
            if (const std::string_view program = builtin_bpf(profile.builtin->name); !program.empty())
                programs.emplace_back(program);
            continue;  // compiled at build time, or `none`
        }
        if (!profile.lowered)
            continue;
        Result<std::string> program = compile_seccomp(*profile.lowered);
        if (!program)
            return fail(Error{program.error().errnum, fmt::format("--seccomp-profile: {}: {}", profile.name,
                                                                  program.error().context)});
        programs.push_back(std::move(*program));
    }
    return programs;
}

}  // namespace cocoon
