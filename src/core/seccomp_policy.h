// SPDX-License-Identifier: MIT
// Seccomp policies by syscall name, and their lowering to masked-equality rules
// that libseccomp turns into BPF without ever having to order overlapping rules.
// [pure]
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace cocoon::seccomp {

// seccomp(2)'s return actions, from most to least permissive.
enum class ActionKind : std::uint8_t { Allow, Log, Trace, Errno, Trap, KillThread, KillProcess };

struct Action {
    ActionKind kind = ActionKind::Allow;
    std::uint16_t data = 0;  // the errno of Errno, the message of Trace
    friend bool operator==(const Action&, const Action&) = default;
};

enum class Op : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq, MaskedNe };

// `argN OP value`, or `argN & mask OP value` for the masked forms.
struct Condition {
    unsigned arg = 0;  // 0..5
    Op op = Op::Eq;
    std::uint64_t value = 0;
    std::uint64_t mask = ~0ULL;
    friend bool operator==(const Condition&, const Condition&) = default;
};

struct Rule {
    std::string syscall;
    Action action;
    std::vector<Condition> conditions;  // all must hold; none: every call
    std::string origin;                 // "FILE:LINE", named in errors
    friend bool operator==(const Rule&, const Rule&) = default;
};

// What a policy means: for one syscall, its conditional rules are tried in
// order and the first that matches decides; then its unconditional rule (the
// last one given wins); then the default action. Unknown syscall numbers, and
// syscalls no rule names, get the default action.
struct Policy {
    Action default_action{ActionKind::KillProcess, 0};
    std::vector<Rule> rules;
};

// A set of argument values: the arguments whose bits under `mask` equal
// `value` (one SCMP_CMP_MASKED_EQ per argument with a non-zero mask).
struct Cube {
    std::array<std::uint64_t, 6> mask{};
    std::array<std::uint64_t, 6> value{};
    friend bool operator==(const Cube&, const Cube&) = default;
};

struct LoweredRule {
    std::string syscall;
    Action action;
    Cube cube;  // all masks zero: every call
    // Part of the syscall's unconditional rule: these cubes fill whatever its
    // conditional rules leave, so a compiler may test only the others and
    // return this action when none matches.
    bool fallback = false;
};

// The policy as rules whose argument sets never overlap for one syscall, so
// the order libseccomp gives them cannot change a verdict. Comparisons on an
// `int` argument (int_arguments()) see only its low 32 bits, as the kernel
// does: socket(0x100000028, ...) is AF_VSOCK to the kernel and to the filter.
struct LoweredPolicy {
    Action default_action;
    std::vector<LoweredRule> rules;
};

// Lowering is bounded, whatever the policy: it fails, naming the rule, when
// one syscall's conditions need more than kMaxCubes rules, when the whole
// policy needs more than kMaxConditionalRules rules with argument checks, or
// when splitting argument sets takes more than kMaxLoweringSteps cube
// operations (milliseconds). Memory stays below kMaxCubes cubes per step. The
// compile is linear in what lowering produces (os/seccomp_compile.cc), and the
// kernel's limit of 4096 instructions is checked there. Real profiles are far
// below these limits (the built-in `default` and containers-common's profile
// lower and compile in under a millisecond and 20 ms).
constexpr std::size_t kMaxCubes = 512;
constexpr std::size_t kMaxConditionalRules = 1024;
constexpr std::size_t kMaxLoweringSteps = std::size_t{1} << 22;
Result<LoweredPolicy> lower(const Policy& policy);

// Bit i set: argument i of `syscall` is 32 bits wide in the kernel (int,
// unsigned int, pid_t, ...). Unknown syscalls and arguments count as 64 bits.
unsigned int_arguments(std::string_view syscall);

// Does `cube` contain these argument values? (for tests and the evaluator)
bool contains(const Cube& cube, const std::array<std::uint64_t, 6>& args);

std::string_view action_name(ActionKind kind);

}  // namespace cocoon::seccomp
