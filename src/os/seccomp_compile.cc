// SPDX-License-Identifier: MIT
// libseccomp glue: the only place that knows syscall numbers. [parent]
#include "os/seccomp_compile.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <map>
#include <memory>
#include <vector>

#include "os/fd.h"
#include "os/unique_fd.h"

namespace cocoon {
namespace {

// Every architecture the running kernel accepts system calls for.
std::vector<std::uint32_t> filter_arches() {
    const std::uint32_t native = seccomp_arch_native();
    if (native == SCMP_ARCH_X86_64)
        return {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
    if (native == SCMP_ARCH_AARCH64)
        return {SCMP_ARCH_AARCH64, SCMP_ARCH_ARM};
    return {native};
}

std::uint32_t scmp_action(const seccomp::Action& action) {
    using seccomp::ActionKind;
    switch (action.kind) {
        case ActionKind::Allow:
            return SCMP_ACT_ALLOW;
        case ActionKind::Log:
            return SCMP_ACT_LOG;
        case ActionKind::Trace:
            return SCMP_ACT_TRACE(action.data);
        case ActionKind::Errno:
            return SCMP_ACT_ERRNO(action.data);
        case ActionKind::Trap:
            return SCMP_ACT_TRAP;
        case ActionKind::KillThread:
            return SCMP_ACT_KILL_THREAD;
        case ActionKind::KillProcess:
            return SCMP_ACT_KILL_PROCESS;
    }
    return SCMP_ACT_KILL_PROCESS;
}

struct CtxRelease {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

Error lib_error(int rc, std::string what) {
    return Error{-rc, std::move(what)};
}

}  // namespace

bool syscall_known(std::string_view name) {
    const std::string n(name);
    for (std::uint32_t arch : filter_arches())
        if (seccomp_syscall_resolve_name_arch(arch, n.c_str()) != __NR_SCMP_ERROR)
            return true;
    return false;
}

std::string native_arch_name() {
    switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64:
            return "amd64";
        case SCMP_ARCH_X86:
            return "x86";
        case SCMP_ARCH_AARCH64:
            return "arm64";
        case SCMP_ARCH_ARM:
            return "arm";
        case SCMP_ARCH_PPC64LE:
            return "ppc64le";
        case SCMP_ARCH_S390X:
            return "s390x";
        case SCMP_ARCH_RISCV64:
            return "riscv64";
        default:
            return "unknown";
    }
}

std::string kernel_release() {
    struct utsname u {};
    return ::uname(&u) == 0 ? std::string(u.release) : std::string();
}

namespace {

Result<Ctx> new_context(const seccomp::LoweredPolicy& policy, std::uint32_t arch) {
    Ctx ctx(seccomp_init(scmp_action(policy.default_action)));
    if (!ctx)
        return fail(Error{ENOMEM, "seccomp_init"});
    int rc;
    // A call from an architecture the filter does not know is killed; the
    // binary tree keeps a long allow list cheap per call (libseccomp >= 2.5).
    if ((rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
        (rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
        (rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_API_SYSRAWRC, 1)) < 0)
        return fail(lib_error(rc, "seccomp: setting filter attributes"));
    if (arch != seccomp_arch_native()) {
        if ((rc = seccomp_arch_add(ctx.get(), arch)) < 0 ||
            (rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE)) < 0)
            return fail(lib_error(rc, "seccomp: adding an architecture"));
    }
    return ctx;
}

bool is_32bit(std::uint32_t arch) {
    return arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_ARM;
}

// One architecture's rules, exactly as lowered. Where this architecture
// reaches a syscall only through a multiplexer (socket(2) through i386's
// socketcall(2), whose arguments sit in memory out of a filter's reach),
// conditions cannot be checked: the syscall then gets the most restrictive of
// its actions, unconditionally.
Status add_rules(void* ctx, std::uint32_t arch, const seccomp::LoweredPolicy& policy) {
    std::map<std::string, seccomp::Action> multiplexed;
    for (const seccomp::LoweredRule& rule : policy.rules) {
        const int arch_nr = seccomp_syscall_resolve_name_arch(arch, rule.syscall.c_str());
        if (arch_nr == __NR_SCMP_ERROR)
            continue;
        if (arch_nr < 0) {
            auto [it, fresh] = multiplexed.try_emplace(rule.syscall, rule.action);
            if (!fresh && rule.action.kind > it->second.kind)
                it->second = rule.action;
            continue;
        }
        std::vector<scmp_arg_cmp> cmps;
        bool possible = true;
        for (unsigned i = 0; i < 6; ++i) {
            std::uint64_t mask = rule.cube.mask[i];
            const std::uint64_t value = rule.cube.value[i];
            if (is_32bit(arch)) {  // the kernel zero-extends 32-bit arguments
                possible = possible && (value >> 32) == 0;
                mask &= 0xffffffffULL;
            }
            if (mask != 0)
                cmps.push_back(scmp_arg_cmp{i, SCMP_CMP_MASKED_EQ, mask, value & mask});
        }
        if (!possible)
            continue;
        // libseccomp numbers rules in the native numbering and translates by name.
        const int nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
        const int rc = seccomp_rule_add_exact_array(ctx, scmp_action(rule.action), nr,
                                                    static_cast<unsigned>(cmps.size()), cmps.data());
        if (rc == -EDOM)  // not on this architecture
            continue;
        if (rc < 0)
            return fail(lib_error(rc, fmt::format("seccomp: adding a rule for '{}'", rule.syscall)));
    }
    for (const auto& [name, action] : multiplexed) {
        if (action == policy.default_action)
            continue;
        const int rc =
            seccomp_rule_add(ctx, scmp_action(action), seccomp_syscall_resolve_name(name.c_str()), 0);
        if (rc < 0 && rc != -EDOM)
            return fail(lib_error(rc, fmt::format("seccomp: adding a rule for '{}'", name)));
    }
    return {};
}

}  // namespace

Result<std::string> compile_seccomp(const seccomp::LoweredPolicy& policy) {
    Ctx all;
    for (std::uint32_t arch : filter_arches()) {
        Ctx ctx = TRY(new_context(policy, arch));
        TRY(add_rules(ctx.get(), arch, policy));
        if (!all) {
            all = std::move(ctx);
        } else if (const int rc = seccomp_merge(all.get(), ctx.get()); rc < 0) {
            return fail(lib_error(rc, "seccomp: merging the architectures"));
        } else {
            (void)ctx.release();  // seccomp_merge() took it
        }
    }
    UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "cocoon-seccomp", MFD_CLOEXEC)));
    if (!mem)
        return fail(Error::from_errno("seccomp: memfd_create"));
    if (const int rc = seccomp_export_bpf(all.get(), mem.get()); rc < 0)
        return fail(lib_error(rc, "seccomp: exporting the filter"));
    if (::lseek(mem.get(), 0, SEEK_SET) < 0)
        return fail(Error::from_errno("seccomp: reading the filter back"));
    return read_all(mem.get());
}

}  // namespace cocoon
