// SPDX-License-Identifier: MIT
// libseccomp glue: the only place that knows syscall numbers. [parent]
#include "os/seccomp_compile.h"

#include <seccomp.h>
#include <sys/utsname.h>

#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdlib>
#include <map>
#include <vector>

#include "core/seccomp_bpf.h"

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

}  // namespace

bool syscall_known(std::string_view name) {
    // Only a plain name: libseccomp reads a C string, so "socket\0x" would be
    // taken for socket by it and for another syscall by every map of ours.
    if (name.empty() ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string_view::npos)
        return false;
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

std::string syscall_name(std::uint32_t arch, int nr) {
    // x32 calls come as x86_64's with the x32 bit set in the number.
    constexpr int kX32Bit = 0x40000000;
    const std::uint32_t token = arch == SCMP_ARCH_X86_64 && (nr & kX32Bit) != 0 ? SCMP_ARCH_X32 : arch;
    char* name = seccomp_syscall_resolve_num_arch(token, nr);
    if (name == nullptr)
        return fmt::format("syscall {}", nr);
    std::string out(name);
    std::free(name);
    return out;
}

std::string kernel_release() {
    struct utsname u {};
    return ::uname(&u) == 0 ? std::string(u.release) : std::string();
}

namespace {

// i386 reaches the socket and SysV IPC calls also through socketcall(2) and
// ipc(2), whose first argument names the call: libseccomp numbers these
// calls -100 - call and -200 - call there (its "multiplexed" numbers).
constexpr int kSocketcallBase = -100, kIpcBase = -200;

bool multiplexed(int nr) {
    return (nr <= kSocketcallBase && nr > kSocketcallBase - 21) || (nr <= kIpcBase && nr > kIpcBase - 25);
}

// Syscall number of the direct entry point of each multiplexed call (i386's
// socket is 359 since Linux 4.3), found through libseccomp's table.
std::map<int, std::uint32_t> direct_numbers(std::uint32_t arch) {
    std::map<int, std::uint32_t> out;
    for (int nr = 0; nr < 1024; ++nr) {
        char* name = seccomp_syscall_resolve_num_arch(arch, nr);
        if (name == nullptr)
            continue;
        const int named = seccomp_syscall_resolve_name_arch(arch, name);
        std::free(name);
        if (multiplexed(named))
            out.emplace(named, static_cast<std::uint32_t>(nr));
    }
    return out;
}

bool is_32bit(std::uint32_t arch) {
    return arch == SCMP_ARCH_X86 || arch == SCMP_ARCH_ARM;
}

// Blocks shared by every architecture: one per return value, one per syscall
// with argument checks and width.
class Verdicts {
public:
    std::size_t ret(const seccomp::Action& action) {
        const std::uint32_t value = seccomp::ret_value(action);
        auto [it, fresh] = ret_.try_emplace(value, blocks.size());
        if (fresh)
            blocks.push_back(seccomp::ret_block(action));
        return it->second;
    }
    std::size_t add(seccomp::Block block) {
        blocks.push_back(std::move(block));
        return blocks.size() - 1;
    }
    // A syscall's checks at one argument width: x86_64 and x32 share them.
    std::size_t checks(const std::string& name, const std::vector<const seccomp::LoweredRule*>& rules,
                       bool narrow, const seccomp::Action& default_action) {
        auto [it, fresh] = checks_.try_emplace({name, narrow}, blocks.size());
        if (fresh)
            blocks.push_back(seccomp::check_block(rules, narrow, default_action));
        return it->second;
    }
    std::vector<seccomp::Block> blocks;

private:
    std::map<std::uint32_t, std::size_t> ret_;
    std::map<std::pair<std::string, bool>, std::size_t> checks_;
};

// One architecture's verdicts: a syscall without conditions returns its
// action; one with conditions runs its checks. Where this architecture reaches
// a syscall only through a multiplexer, its arguments sit in memory out of a
// filter's reach: the call then gets the most restrictive of its actions,
// unconditionally, at its direct number and as the multiplexer's first
// argument (socketcall(SYS_SOCKET, ...)).
seccomp::ArchDispatch dispatch_for(
    std::uint32_t arch, const seccomp::LoweredPolicy& policy,
    const std::map<std::string, std::vector<const seccomp::LoweredRule*>>& checked, Verdicts& verdicts) {
    seccomp::ArchDispatch out;
    out.otherwise = verdicts.ret(policy.default_action);
    std::map<int, seccomp::Action> muxed;
    for (const seccomp::LoweredRule& rule : policy.rules) {
        const int nr = seccomp_syscall_resolve_name_arch(arch, rule.syscall.c_str());
        if (multiplexed(nr)) {
            auto [it, fresh] = muxed.try_emplace(nr, rule.action);
            if (!fresh && rule.action.kind > it->second.kind)
                it->second = rule.action;
        } else if (nr >= 0 && !checked.contains(rule.syscall)) {
            out.verdict_of[static_cast<std::uint32_t>(nr)] = verdicts.ret(rule.action);
        }
    }
    for (const auto& [name, rules] : checked) {
        const int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
        if (nr >= 0)
            out.verdict_of[static_cast<std::uint32_t>(nr)] =
                verdicts.checks(name, rules, is_32bit(arch), policy.default_action);
    }
    if (muxed.empty())
        return out;
    const std::map<int, std::uint32_t> direct = direct_numbers(arch);
    // Per multiplexer, its calls that differ from the default, tested on the
    // first argument before the multiplexer's own verdict.
    std::map<std::uint32_t, seccomp::Block> tests;
    for (const auto& [nr, action] : muxed) {
        if (action == policy.default_action)
            continue;
        if (auto it = direct.find(nr); it != direct.end())
            out.verdict_of[it->second] = verdicts.ret(action);
        const bool socket = nr <= kSocketcallBase && nr > kIpcBase;
        const int mux = seccomp_syscall_resolve_name_arch(arch, socket ? "socketcall" : "ipc");
        if (mux < 0)
            continue;
        const auto call = static_cast<std::uint32_t>((socket ? kSocketcallBase : kIpcBase) - nr);
        seccomp::Block& block = tests[static_cast<std::uint32_t>(mux)];
        if (block.empty())
            block.push_back(
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<std::uint32_t>(offsetof(seccomp_data, args))));
        block.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, call, 0, 1));
        block.push_back(BPF_STMT(BPF_RET | BPF_K, seccomp::ret_value(action)));
    }
    // A rule of the policy's own for the multiplexer decides all its calls
    // (as libseccomp let a syscall's unconditional rule win over later rules
    // with argument checks).
    for (auto& [mux, block] : tests) {
        if (out.verdict_of.contains(mux))
            continue;
        const seccomp::Block& rest = verdicts.blocks[out.otherwise];
        block.insert(block.end(), rest.begin(), rest.end());
        out.verdict_of[mux] = verdicts.add(std::move(block));
    }
    return out;
}

}  // namespace

Result<std::string> compile_seccomp(const seccomp::LoweredPolicy& policy) {
    constexpr std::uint32_t kX32Bit = 0x40000000;
    std::map<std::string, std::vector<const seccomp::LoweredRule*>> checked;
    for (const seccomp::LoweredRule& rule : policy.rules)
        if (rule.cube != seccomp::Cube{})
            checked[rule.syscall];
    for (const seccomp::LoweredRule& rule : policy.rules)
        if (auto it = checked.find(rule.syscall); it != checked.end())
            it->second.push_back(&rule);
    Verdicts verdicts;
    std::vector<seccomp::ArchDispatch> arches;
    for (std::uint32_t arch : filter_arches()) {
        seccomp::ArchDispatch d = dispatch_for(arch, policy, checked, verdicts);
        // x32 calls come as x86_64's, with the x32 bit in the number.
        if (arch == SCMP_ARCH_X32 && !arches.empty() && arches.front().audit_arch == SCMP_ARCH_X86_64) {
            arches.front().verdict_of.merge(d.verdict_of);
            arches.front().mirror = kX32Bit;
            continue;
        }
        d.audit_arch = arch;
        arches.push_back(std::move(d));
    }
    return seccomp::assemble(arches, verdicts.blocks, SECCOMP_RET_KILL_PROCESS);
}

}  // namespace cocoon
