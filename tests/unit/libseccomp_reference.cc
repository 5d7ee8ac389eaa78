// SPDX-License-Identifier: MIT
// The seccomp compiler cocoon used up to 0.x: libseccomp's syscall dispatch
// (a binary tree per architecture, merged), with the argument checks spliced
// in where a marker returns. Kept as the tests' reference: the compact
// compiler (core/seccomp_bpf.cc) must decide every call as this does.
#include "libseccomp_reference.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "os/fd.h"
#include "os/seccomp_compile.h"
#include "os/unique_fd.h"

namespace cocoon::testing {
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

constexpr std::uint16_t kMaxErrno = 4095;

// Markers: syscalls with argument conditions are given to libseccomp as one
// unconditional rule whose action is a marker: a SECCOMP_RET_TRACE value that
// no rule of the policy returns (libseccomp accepts any 16 bits there). Each
// marker stands for one syscall's checks and one argument width (32-bit
// architectures pass zero-extended arguments). libseccomp's rule database
// grows worse than quadratically with argument rules (a four-line policy took
// 10 s), while the syscall dispatch it builds is what we want; the checks are
// written here (append_checks), and each marker's return becomes a jump to them.
std::uint32_t scmp_action(const seccomp::Action& action) {
    using seccomp::ActionKind;
    switch (action.kind) {
        case ActionKind::Allow:
            return SCMP_ACT_ALLOW;
        case ActionKind::Log:
            return SCMP_ACT_LOG;
        case ActionKind::Trace:
            return SCMP_ACT_TRACE(action.data);
        case ActionKind::Errno:  // the kernel caps the errno at MAX_ERRNO (4095) itself
            return SCMP_ACT_ERRNO(std::min<std::uint16_t>(action.data, kMaxErrno));
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

// One syscall with argument conditions: its lowered rules, and the two
// markers (see "Markers" above) that stand for its checks on 64-bit and on 32-bit
// architectures.
struct Group {
    std::string name;
    std::vector<const seccomp::LoweredRule*> rules;
    std::uint32_t marker[2] = {};  // [narrow]
};

Result<std::vector<Group>> group_conditional(const seccomp::LoweredPolicy& policy) {
    std::vector<Group> groups;
    std::map<std::string_view, std::size_t> index;
    for (const seccomp::LoweredRule& rule : policy.rules)
        if (rule.cube != seccomp::Cube{} && index.try_emplace(rule.syscall, groups.size()).second)
            groups.push_back(Group{rule.syscall, {}, {}});
    for (const seccomp::LoweredRule& rule : policy.rules)
        if (auto it = index.find(rule.syscall); it != index.end())
            groups[it->second].rules.push_back(&rule);
    // Markers are trace values no rule of the policy returns.
    std::vector<bool> taken(0x10000);
    auto note = [&](const seccomp::Action& a) {
        if (a.kind == seccomp::ActionKind::Trace)
            taken[a.data] = true;
    };
    note(policy.default_action);
    for (const seccomp::LoweredRule& rule : policy.rules) note(rule.action);
    std::uint32_t data = 0x10000;
    for (Group& group : groups) {
        for (std::uint32_t& marker : group.marker) {
            do {
                if (--data == 0)
                    return fail(Error{E2BIG, "seccomp: argument conditions on too many syscalls"});
            } while (taken[data]);
            marker = SCMP_ACT_TRACE(data);
        }
    }
    return groups;
}

// One architecture's rules. A syscall without conditions is one libseccomp
// rule; one with conditions is a marker (see "Markers" above). Where this
// architecture reaches a syscall only through a multiplexer (socket(2) through
// i386's socketcall(2), whose arguments sit in memory out of a filter's
// reach), conditions cannot be checked: the syscall then gets the most
// restrictive of its actions, unconditionally.
Status add_rules(void* ctx, std::uint32_t arch, const seccomp::LoweredPolicy& policy,
                 const std::vector<Group>& groups) {
    std::map<std::string, seccomp::Action> multiplexed;
    auto add = [&](std::uint32_t action, const std::string& name) -> Status {
        // libseccomp numbers rules in the native numbering and translates by name.
        const int rc = seccomp_rule_add(ctx, action, seccomp_syscall_resolve_name(name.c_str()), 0);
        if (rc < 0 && rc != -EDOM)  // EDOM: not on this architecture
            return fail(lib_error(rc, fmt::format("seccomp: adding a rule for '{}'", name)));
        return {};
    };
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
        if (rule.cube == seccomp::Cube{})
            TRY(add(scmp_action(rule.action), rule.syscall));
    }
    for (const Group& group : groups) {
        const int arch_nr = seccomp_syscall_resolve_name_arch(arch, group.name.c_str());
        if (arch_nr == __NR_SCMP_ERROR || arch_nr < 0)
            continue;
        TRY(add(group.marker[is_32bit(arch) ? 1 : 0], group.name));
    }
    for (const auto& [name, action] : multiplexed)
        if (action != policy.default_action)
            TRY(add(scmp_action(action), name));
    return {};
}

// Offsets of the two 32-bit halves of seccomp_data.args[i] (seccomp(2)).
constexpr std::uint32_t arg_low(unsigned i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * i +
                                      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4));
}
constexpr std::uint32_t arg_high(unsigned i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * i +
                                      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : 0));
}

// The checks of one group: each cube, in turn, compares the argument words it
// fixes and returns its action if all match; the cubes are disjoint, so their
// order is free. 32-bit architectures pass zero-extended arguments: there a
// cube fixing a high bit to 1 cannot match, and the high words need no check.
void append_checks(std::vector<sock_filter>& out, const std::vector<const seccomp::LoweredRule*>& rules,
                   bool narrow, const seccomp::Action& default_action) {
    // What no tested cube matches gets: the syscall's unconditional action when
    // it has one (its cubes fill the rest and need no test), else the default.
    seccomp::Action otherwise = default_action;
    for (const seccomp::LoweredRule* rule : rules)
        if (rule->fallback)
            otherwise = rule->action;
    for (const seccomp::LoweredRule* rule : rules) {
        if (rule->fallback || rule->action == otherwise)
            continue;
        std::vector<sock_filter> cube;
        bool possible = true;
        for (unsigned i = 0; i < 6; ++i) {
            const std::uint64_t mask = rule->cube.mask[i];
            const std::uint64_t value = rule->cube.value[i] & mask;
            if (narrow && (value >> 32) != 0)
                possible = false;
            const std::pair<std::uint32_t, std::uint32_t> words[2] = {
                {arg_low(i), static_cast<std::uint32_t>(mask)},
                {arg_high(i), narrow ? 0U : static_cast<std::uint32_t>(mask >> 32)}};
            for (unsigned w = 0; w < 2; ++w) {
                const auto [offset, word_mask] = words[w];
                if (word_mask == 0)
                    continue;
                const auto word_value = static_cast<std::uint32_t>(w == 0 ? value : value >> 32);
                cube.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
                if (word_mask != 0xffffffffU)
                    cube.push_back(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, word_mask));
                cube.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, word_value, 0, 0));  // jf set below
            }
        }
        if (!possible)
            continue;
        cube.push_back(BPF_STMT(BPF_RET | BPF_K, scmp_action(rule->action)));
        // A failed comparison skips to the instruction after this cube's return
        // (at most 6 x 2 x 3 + 1 instructions: well within a jump's 8 bits).
        for (std::size_t pc = 0; pc < cube.size(); ++pc)
            if (cube[pc].code == (BPF_JMP | BPF_JEQ | BPF_K))
                cube[pc].jf = static_cast<std::uint8_t>(cube.size() - pc - 1);
        out.insert(out.end(), cube.begin(), cube.end());
    }
    out.push_back(BPF_STMT(BPF_RET | BPF_K, scmp_action(otherwise)));
}

// Replaces every marker's return in libseccomp's program by a jump to the
// group's checks, appended after it.
Result<std::string> splice_checks(const std::string& program, const seccomp::LoweredPolicy& policy,
                                  const std::vector<Group>& groups) {
    std::vector<sock_filter> insns(program.size() / sizeof(sock_filter));
    std::memcpy(insns.data(), program.data(), insns.size() * sizeof(sock_filter));
    std::map<std::uint32_t, std::size_t> block_of;  // marker -> first instruction of its checks
    const std::size_t body = insns.size();
    for (std::size_t pc = 0; pc < body; ++pc) {
        if (insns[pc].code != (BPF_RET | BPF_K))
            continue;
        const std::uint32_t k = insns[pc].k;
        const auto group = std::find_if(groups.begin(), groups.end(),
                                        [k](const Group& g) { return g.marker[0] == k || g.marker[1] == k; });
        if (group == groups.end())
            continue;
        auto [it, fresh] = block_of.try_emplace(k, insns.size());
        if (fresh)
            append_checks(insns, group->rules, group->marker[1] == k, policy.default_action);
        insns[pc] = BPF_STMT(BPF_JMP | BPF_JA, static_cast<std::uint32_t>(it->second - pc - 1));
    }
    if (insns.size() > BPF_MAXINSNS)
        return fail(Error{E2BIG, fmt::format("seccomp: the filter needs {} instructions, more than the "
                                             "kernel's {}; simplify the policy's argument conditions",
                                             insns.size(), BPF_MAXINSNS)});
    return std::string(reinterpret_cast<const char*>(insns.data()), insns.size() * sizeof(sock_filter));
}

}  // namespace

Result<std::string> libseccomp_compile(const seccomp::LoweredPolicy& policy) {
    const std::vector<Group> groups = TRY(group_conditional(policy));
    Ctx all;
    for (std::uint32_t arch : filter_arches()) {
        Ctx ctx = TRY(new_context(policy, arch));
        TRY(add_rules(ctx.get(), arch, policy, groups));
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
    const std::string program = TRY(read_all(mem.get()));
    return splice_checks(program, policy, groups);
}

}  // namespace cocoon::testing
