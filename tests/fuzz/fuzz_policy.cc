// SPDX-License-Identifier: MIT
// libFuzzer target: a seccomp policy file (text, or Docker/OCI JSON when it
// starts with '{') through everything cocoon does with one before a sandbox
// starts: parse, lower, compile. Crashes, sanitizer reports, timeouts and a
// compiled filter that decides a call otherwise than libseccomp's dispatch
// with the same checks (tests/unit/libseccomp_reference.cc) are findings; an
// error for bad input is not. tests/fuzz/run.sh builds and runs it.
#include <linux/audit.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bpf_eval.h"
#include "core/seccomp_policy.h"
#include "core/seccomp_profile.h"
#include "os/seccomp_compile.h"
#include "unit/libseccomp_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cocoon;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const seccomp::ProfileContext context{0, "amd64", {6, 1}};
    Result<std::optional<seccomp::Policy>> policy =
        seccomp::parse_profile("fuzz", text, syscall_known, context);
    if (!policy || !*policy)
        return 0;
    Result<seccomp::LoweredPolicy> lowered = seccomp::lower(**policy);
    if (!lowered)
        return 0;
    Result<std::string> program = compile_seccomp(*lowered);
    if (!program)
        return 0;
    Result<std::string> reference = testing::libseccomp_compile(*lowered);
    if (!reference)  // libseccomp's dispatch is longer: it may pass the kernel's limit first
        return 0;
    // Whatever compiled must be a program the kernel runs to completion, and
    // decide as the reference on every ABI, also on the values the cubes name.
    std::vector<std::array<std::uint64_t, 6>> argsets{{std::uint64_t(size), 1, 2, 3, 4, 5}};
    for (const seccomp::LoweredRule& rule : lowered->rules)
        if (argsets.size() < 16 && rule.cube != seccomp::Cube{})
            argsets.push_back(rule.cube.value);
    for (std::uint32_t arch : {std::uint32_t{AUDIT_ARCH_X86_64}, std::uint32_t{AUDIT_ARCH_I386}})
        for (int nr = 0; nr < 460; ++nr)
            for (int x32 : {0, 0x40000000})
                for (const auto& args : argsets) {
                    const SeccompData call{nr | x32, arch, 0, args};
                    const auto got = run_bpf(*program, call);
                    if (!got || got != run_bpf(*reference, call))
                        __builtin_trap();
                }
    return 0;
}
