// SPDX-License-Identifier: MIT
// A lowered seccomp policy as a compact classic BPF program: one architecture
// dispatch, then per architecture a balanced search over ranges of syscall
// numbers that share a verdict, whose leaves jump to one shared copy of each
// verdict (a return, or a syscall's argument checks). HACKING.md, "Seccomp".
// [pure]
#pragma once
#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/seccomp_policy.h"

namespace cocoon::seccomp {

// A piece of program that ends every path in a return and jumps only inside
// itself, so it can be placed anywhere (a verdict).
using Block = std::vector<sock_filter>;

// seccomp(2)'s return value for an action (errno capped at MAX_ERRNO, as the
// kernel would cap it anyway).
std::uint32_t ret_value(const Action& action);

// `return action`.
Block ret_block(const Action& action);

// One syscall's argument checks: each rule's cube compares the argument words
// it fixes and returns its action when all match; the cubes are disjoint, so
// their order is free. What no cube matches gets the syscall's fallback
// action, else `default_action`. On a 32-bit ABI (`narrow`) the arguments are
// zero-extended: a cube needing a high bit set cannot match there, and the
// high words need no test.
Block check_block(const std::vector<const LoweredRule*>& rules, bool narrow, const Action& default_action);

// One audit architecture: the verdict (an index into the blocks) of each
// syscall number named, and of every number not named. Numbers are compared
// as the kernel hands them over, unsigned 32 bits: x86_64's section also holds
// x32's numbers, which carry the x32 bit (0x40000000).
struct ArchDispatch {
    std::uint32_t audit_arch = 0;
    std::map<std::uint32_t, std::size_t> verdict_of;
    std::size_t otherwise = 0;
    // Non-zero: numbers from here up mostly decide as the number this much
    // lower (x32's calls are x86_64's plus 0x40000000): only those that
    // differ are searched, the rest subtract it and take the lower search.
    std::uint32_t mirror = 0;
};

// The whole program: `bad_arch` for an architecture no section names. Only
// loads of nr and arch, JEQ/JGE with constants, JA and returns reach a
// verdict that is a plain return, so the kernel's action cache (Linux 5.11)
// still proves every unconditionally allowed syscall. Fails with E2BIG past
// the kernel's BPF_MAXINSNS.
Result<std::string> assemble(const std::vector<ArchDispatch>& arches, const std::vector<Block>& blocks,
                             std::uint32_t bad_arch);

}  // namespace cocoon::seccomp
