// SPDX-License-Identifier: MIT
// Compiling --seccomp-profile arguments in the parent, before clone. [parent]
#include "run/seccomp_profiles.h"

#include <fmt/format.h>

#include "core/seccomp_profile.h"
#include "os/fd.h"
#include "os/seccomp_compile.h"
#include "run/builtin_bpf.h"

namespace cocoon {

Result<std::vector<std::string>> compile_profiles(const std::vector<std::string>& profiles,
                                                  std::uint64_t caps) {
    std::vector<std::string> programs;
    if (profiles.empty())
        return programs;
    const seccomp::ProfileContext context{caps, native_arch_name(),
                                          seccomp::parse_kernel_version(kernel_release())};
    for (const std::string& profile : profiles) {
        if (const seccomp::Builtin* builtin = seccomp::builtin_named(profile)) {
            if (const std::string_view program = builtin_bpf(builtin->name); !program.empty())
                programs.emplace_back(program);
            continue;  // compiled at build time, or `none`
        }
        Result<std::string> text = read_file(profile);
        if (!text)
            return fail(
                Error{text.error().errnum, fmt::format("--seccomp-profile: {}", text.error().context)});
        const std::optional<seccomp::Policy> policy =
            TRY(seccomp::parse_profile(profile, *text, syscall_known, context));
        if (!policy)
            continue;
        const seccomp::LoweredPolicy lowered = TRY(seccomp::lower(*policy));
        Result<std::string> program = compile_seccomp(lowered);
        if (!program)
            return fail(Error{program.error().errnum,
                              fmt::format("--seccomp-profile: {}: {}", profile, program.error().context)});
        programs.push_back(std::move(*program));
    }
    return programs;
}

}  // namespace cocoon
