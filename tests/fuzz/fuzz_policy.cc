// SPDX-License-Identifier: MIT
// libFuzzer target: a seccomp policy file (text, or Docker/OCI JSON when it
// starts with '{') through everything cocoon does with one before a sandbox
// starts: parse, lower, compile. Crashes, sanitizer reports and timeouts are
// findings; an error for bad input is not. tests/fuzz/run.sh builds and runs it.
#include <linux/audit.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bpf_eval.h"
#include "core/seccomp_policy.h"
#include "core/seccomp_profile.h"
#include "os/seccomp_compile.h"

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
    // Whatever compiled must be a program the kernel runs to completion.
    for (int nr = 0; nr < 460; nr += 7)
        if (!run_bpf(*program, SeccompData{nr, AUDIT_ARCH_X86_64, 0, {std::uint64_t(size), 1, 2, 3, 4, 5}}))
            __builtin_trap();
    return 0;
}
