// SPDX-License-Identifier: MIT
// Lowering a policy to non-overlapping masked-equality rules. [pure]
//
// libseccomp keeps only the broadest rule when an unconditional and a
// conditional rule name the same syscall, and orders overlapping conditional
// rules by its own criteria. Both would make "allow ioctl, except TIOCSTI"
// unsayable or order-dependent. Every condition here becomes a union of
// disjoint "cubes" (argument bits fixed under a mask); set difference of cubes
// is again a union of disjoint cubes, so each rule gets exactly the calls no
// earlier rule took, and libseccomp only ever sees SCMP_CMP_MASKED_EQ.
#include "core/seccomp_policy.h"

#include <fmt/format.h>
#include <algorithm>
#include <map>

namespace cocoon::seccomp {
namespace {

using Cubes = std::vector<Cube>;

bool disjoint(const Cube& a, const Cube& b) {
    for (std::size_t i = 0; i < 6; ++i)
        if (((a.value[i] ^ b.value[i]) & a.mask[i] & b.mask[i]) != 0)
            return true;
    return false;
}

Cube intersect(const Cube& a, const Cube& b) {
    Cube c;
    for (std::size_t i = 0; i < 6; ++i) {
        c.mask[i] = a.mask[i] | b.mask[i];
        c.value[i] = a.value[i] | b.value[i];
    }
    return c;
}

// a \ b as disjoint cubes: peel off, bit by bit, the part of `a` that differs
// from `b` in a bit only `b` fixes; what is left lies inside `b`.
void subtract(const Cube& a, const Cube& b, Cubes& out) {
    if (disjoint(a, b)) {
        out.push_back(a);
        return;
    }
    Cube rest = a;
    for (std::size_t i = 0; i < 6; ++i) {
        const std::uint64_t free = b.mask[i] & ~rest.mask[i];
        for (int n = 63; n >= 0; --n) {
            const std::uint64_t bit = 1ULL << n;
            if ((free & bit) == 0)
                continue;
            Cube piece = rest;
            piece.mask[i] |= bit;
            piece.value[i] |= ~b.value[i] & bit;
            out.push_back(piece);
            rest.mask[i] |= bit;
            rest.value[i] |= b.value[i] & bit;
        }
    }
}

Cube on_arg(unsigned arg, std::uint64_t mask, std::uint64_t value) {
    Cube c;
    c.mask[arg] = mask;
    c.value[arg] = value & mask;
    return c;
}

// The values of one argument, `width` bits wide, that satisfy `c`.
Cubes cubes_of(const Condition& c, std::uint64_t width) {
    const unsigned a = c.arg;
    const std::uint64_t v = c.value & width;
    const std::uint64_t m = c.mask & width;
    Cubes out;
    auto above = [&](std::uint64_t bit) { return width & ~(bit | (bit - 1)); };
    switch (c.op) {
        case Op::Eq:
            out.push_back(on_arg(a, width, v));
            break;
        case Op::MaskedEq:
            if ((v & ~m) == 0)  // bits outside the mask can never compare equal
                out.push_back(on_arg(a, m, v));
            break;
        case Op::Ne:
            subtract(Cube{}, on_arg(a, width, v), out);
            break;
        case Op::MaskedNe:
            if ((v & ~m) != 0)
                out.push_back(Cube{});
            else
                subtract(Cube{}, on_arg(a, m, v), out);
            break;
        case Op::Gt:
        case Op::Ge:
        case Op::Lt:
        case Op::Le: {
            // x > v: x agrees with v above some bit that is 0 in v and 1 in x.
            const bool greater = c.op == Op::Gt || c.op == Op::Ge;
            for (int n = 63; n >= 0; --n) {
                const std::uint64_t bit = 1ULL << n;
                if ((width & bit) == 0 || ((v & bit) != 0) == greater)
                    continue;
                out.push_back(on_arg(a, above(bit) | bit, (v & above(bit)) | (greater ? bit : 0)));
            }
            if (c.op == Op::Ge || c.op == Op::Le)
                out.push_back(on_arg(a, width, v));
            break;
        }
    }
    return out;
}

struct SyscallRules {
    std::vector<const Rule*> conditional;
    const Rule* unconditional = nullptr;
};

}  // namespace

bool contains(const Cube& cube, const std::array<std::uint64_t, 6>& args) {
    for (std::size_t i = 0; i < 6; ++i)
        if (((args[i] ^ cube.value[i]) & cube.mask[i]) != 0)
            return false;
    return true;
}

std::string_view action_name(ActionKind kind) {
    switch (kind) {
        case ActionKind::Allow:
            return "allow";
        case ActionKind::Log:
            return "log";
        case ActionKind::Trace:
            return "trace";
        case ActionKind::Errno:
            return "errno";
        case ActionKind::Trap:
            return "trap";
        case ActionKind::KillThread:
            return "kill-thread";
        case ActionKind::KillProcess:
            return "kill";
    }
    return "?";
}

Result<LoweredPolicy> lower(const Policy& policy) {
    LoweredPolicy out{policy.default_action, {}};
    std::size_t steps = 0;
    std::size_t conditional = 0;
    // Group by syscall, keeping the order in which syscalls first appear.
    std::vector<std::string> order;
    std::map<std::string, SyscallRules, std::less<>> by_name;
    for (const Rule& rule : policy.rules) {
        auto [it, fresh] = by_name.try_emplace(rule.syscall);
        if (fresh)
            order.push_back(rule.syscall);
        if (rule.conditions.empty())
            it->second.unconditional = &rule;
        else
            it->second.conditional.push_back(&rule);
    }
    for (const std::string& name : order) {
        SyscallRules& rules = by_name.find(name)->second;
        const Action fallback = rules.unconditional ? rules.unconditional->action : policy.default_action;
        // Trailing conditional rules that decide what the fallback decides anyway
        // change nothing.
        while (!rules.conditional.empty() && rules.conditional.back()->action == fallback)
            rules.conditional.pop_back();
        const unsigned ints = int_arguments(name);
        const bool has_fallback = rules.unconditional && fallback != policy.default_action;
        Cubes covered;
        auto too_complex = [&](const Rule& rule) {
            return fail(Error::usage(
                fmt::format("{}: the conditions on '{}' need more than {} filter rules; simplify them",
                            rule.origin, name, kMaxCubes)));
        };
        // Every cube made counts against the budget, and no intermediate set
        // may outgrow kMaxCubes: each subtraction can split a cube in up to 384
        // pieces, which unchecked grows exponentially with the rules.
        auto spend = [&](const Rule& rule, std::size_t cubes) -> Status {
            steps += cubes;
            if (steps > kMaxLoweringSteps)
                return fail(Error::usage(fmt::format(
                    "{}: the policy's argument conditions are too complex to compile (more than {} "
                    "steps splitting them); simplify the conditions on '{}'",
                    rule.origin, kMaxLoweringSteps, name)));
            return {};
        };
        auto add = [&](const Rule& rule, Cubes region, bool fallback_rule) -> Status {
            for (const Cube& taken : covered) {
                Cubes rest;
                for (const Cube& piece : region) {
                    subtract(piece, taken, rest);
                    if (rest.size() > kMaxCubes)
                        return too_complex(rule);
                }
                TRY(spend(rule, region.size() + rest.size()));
                region = std::move(rest);
            }
            if (covered.size() + region.size() > kMaxCubes)
                return too_complex(rule);
            // With an unconditional rule that decides otherwise than the
            // default, a conditional rule that decides as the default must stay:
            // its calls are not in the fallback's cubes (LoweredRule::fallback).
            if (rule.action != policy.default_action || has_fallback) {
                for (const Cube& piece : region) {
                    out.rules.push_back({name, rule.action, piece, fallback_rule});
                    if (piece != Cube{} && ++conditional > kMaxConditionalRules)
                        return fail(Error::usage(fmt::format(
                            "{}: the policy needs more than {} filter rules with argument checks in "
                            "all; simplify its argument conditions",
                            rule.origin, kMaxConditionalRules)));
                }
            }
            covered.insert(covered.end(), region.begin(), region.end());
            return {};
        };
        for (const Rule* rule : rules.conditional) {
            Cubes region{Cube{}};
            for (const Condition& c : rule->conditions) {
                const std::uint64_t width = (ints >> c.arg) & 1 ? 0xffffffffULL : ~0ULL;
                const Cubes alternatives = cubes_of(c, width);
                Cubes next;
                for (const Cube& r : region) {
                    for (const Cube& k : alternatives)
                        if (!disjoint(r, k))
                            next.push_back(intersect(r, k));
                    if (next.size() > kMaxCubes)
                        return too_complex(*rule);
                }
                TRY(spend(*rule, region.size() * alternatives.size()));
                region = std::move(next);
            }
            TRY(add(*rule, std::move(region), false));
        }
        if (has_fallback)
            TRY(add(*rules.unconditional, Cubes{Cube{}}, true));
    }
    return out;
}

namespace {

// Arguments the kernel declares 32 bits wide (SYSCALL_DEFINE in the kernel
// sources): a filter comparing all 64 bits of them is bypassed by setting the
// high bits, which the kernel drops. clone's flags are an unsigned long, but
// kernel/fork.c keeps only lower_32_bits() of them, so they count as 32.
struct IntArgs {
    std::string_view name;
    unsigned bits;
};
constexpr unsigned A(std::initializer_list<unsigned> args) {
    unsigned bits = 0;
    for (unsigned a : args) bits |= 1U << a;
    return bits;
}
constexpr IntArgs kIntArgs[] = {
    {"accept4", A({0, 3})},
    {"bind", A({0, 2})},
    {"bpf", A({0, 2})},
    {"chmod", A({1})},
    {"chown", A({1, 2})},
    {"clone", A({0})},
    {"close", A({0})},
    {"close_range", A({0, 1, 2})},
    {"connect", A({0, 2})},
    {"creat", A({1})},
    {"dup", A({0})},
    {"dup2", A({0, 1})},
    {"dup3", A({0, 1, 2})},
    {"epoll_create1", A({0})},
    {"epoll_ctl", A({0, 1, 2})},
    {"eventfd2", A({0, 1})},
    {"faccessat", A({0, 2})},
    {"faccessat2", A({0, 2, 3})},
    {"fanotify_init", A({0, 1})},
    {"fchmod", A({0, 1})},
    {"fchmodat", A({0, 2})},
    {"fchown", A({0, 1, 2})},
    {"fchownat", A({0, 2, 3, 4})},
    {"fcntl", A({0, 1})},
    {"flock", A({0, 1})},
    {"fsconfig", A({0, 1, 4})},
    {"fsmount", A({0, 1, 2})},
    {"fsopen", A({1})},
    {"fspick", A({0, 2})},
    {"getpriority", A({0, 1})},
    {"getrandom", A({2})},
    {"getsockopt", A({0, 1, 2})},
    {"inotify_init1", A({0})},
    {"io_uring_enter", A({0, 1, 2, 3})},
    {"io_uring_setup", A({0})},
    {"ioctl", A({0, 1})},
    {"ioprio_set", A({0, 1, 2})},
    {"kcmp", A({0, 1, 2})},
    {"keyctl", A({0})},
    {"kill", A({0, 1})},
    {"linkat", A({0, 2, 4})},
    {"listen", A({0, 1})},
    {"madvise", A({2})},
    {"membarrier", A({0, 1, 2})},
    {"memfd_create", A({1})},
    {"mkdir", A({1})},
    {"mkdirat", A({0, 2})},
    {"mknod", A({1, 2})},
    {"mknodat", A({0, 2, 3})},
    {"mlock2", A({2})},
    {"mount_setattr", A({0, 2})},
    {"move_mount", A({0, 2, 4})},
    {"open", A({1, 2})},
    {"open_tree", A({0, 2})},
    {"openat", A({0, 2, 3})},
    {"perf_event_open", A({1, 2, 3})},
    {"personality", A({0})},
    {"pidfd_getfd", A({0, 1, 2})},
    {"pidfd_open", A({0, 1})},
    {"pidfd_send_signal", A({0, 1, 3})},
    {"prctl", A({0})},
    {"process_vm_readv", A({0})},
    {"process_vm_writev", A({0})},
    {"quotactl", A({0})},
    {"reboot", A({0, 1, 2})},
    {"recvfrom", A({0, 3})},
    {"recvmsg", A({0, 2})},
    {"renameat2", A({0, 2, 4})},
    {"rt_sigaction", A({0})},
    {"rt_sigprocmask", A({0})},
    {"sched_setscheduler", A({0, 1})},
    {"seccomp", A({0, 1})},
    {"sendmsg", A({0, 2})},
    {"sendto", A({0, 3})},
    {"setfsgid", A({0})},
    {"setfsuid", A({0})},
    {"setgid", A({0})},
    {"setns", A({0, 1})},
    {"setpriority", A({0, 1, 2})},
    {"setregid", A({0, 1})},
    {"setresgid", A({0, 1, 2})},
    {"setresuid", A({0, 1, 2})},
    {"setreuid", A({0, 1})},
    {"setsockopt", A({0, 1, 2})},
    {"setuid", A({0})},
    {"shutdown", A({0, 1})},
    {"signalfd4", A({0, 3})},
    {"socket", A({0, 1, 2})},
    {"socketpair", A({0, 1, 2})},
    {"statx", A({0, 2, 3})},
    {"symlinkat", A({1})},
    {"syslog", A({0, 2})},
    {"tgkill", A({0, 1, 2})},
    {"timerfd_create", A({0, 1})},
    {"tkill", A({0, 1})},
    {"umount2", A({1})},
    {"unlinkat", A({0, 2})},
    {"userfaultfd", A({0})},
    {"utimensat", A({0, 3})},
};

}  // namespace

unsigned int_arguments(std::string_view syscall) {
    for (const IntArgs& row : kIntArgs)
        if (row.name == syscall)
            return row.bits;
    return 0;
}

}  // namespace cocoon::seccomp
