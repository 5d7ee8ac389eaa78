// SPDX-License-Identifier: MIT
// A userspace interpreter for classic seccomp BPF: a compiled filter's verdict
// on any syscall, architecture and arguments without installing it. Planning
// asks it whether a filter lets PID 1 start the command (core/filter_order.h);
// the unit tests check every compiled policy with it. [pure]
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace cocoon {

struct SeccompData {
    int nr = 0;
    std::uint32_t arch = 0;
    std::uint64_t ip = 0;
    std::array<std::uint64_t, 6> args{};
};

// The filter's return value, or nullopt for a program the kernel would refuse
// to run to completion (bad load, jump past the end, no return).
inline std::optional<std::uint32_t> run_bpf(const std::string& program, const SeccompData& d) {
    const auto* insns = reinterpret_cast<const sock_filter*>(program.data());
    const std::size_t n = program.size() / sizeof(sock_filter);
    seccomp_data data{};
    data.nr = d.nr;
    data.arch = d.arch;
    data.instruction_pointer = d.ip;
    for (std::size_t i = 0; i < 6; ++i) data.args[i] = d.args[i];
    std::uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
    for (std::size_t pc = 0; pc < n; ++pc) {
        const sock_filter& f = insns[pc];
        const std::uint32_t src = BPF_SRC(f.code) == BPF_X ? x : f.k;
        switch (BPF_CLASS(f.code)) {
            case BPF_LD:
                if (f.code == (BPF_LD | BPF_W | BPF_ABS)) {
                    if (f.k % 4 != 0 || f.k + 4 > sizeof data)
                        return std::nullopt;
                    std::memcpy(&a, reinterpret_cast<const char*>(&data) + f.k, 4);
                } else if (f.code == (BPF_LD | BPF_IMM)) {
                    a = f.k;
                } else if (f.code == (BPF_LD | BPF_MEM) && f.k < BPF_MEMWORDS) {
                    a = mem[f.k];
                } else {
                    return std::nullopt;
                }
                break;
            case BPF_LDX:
                if (f.code == (BPF_LDX | BPF_IMM))
                    x = f.k;
                else if (f.code == (BPF_LDX | BPF_MEM) && f.k < BPF_MEMWORDS)
                    x = mem[f.k];
                else
                    return std::nullopt;
                break;
            case BPF_ST:
                if (f.k >= BPF_MEMWORDS)
                    return std::nullopt;
                mem[f.k] = a;
                break;
            case BPF_STX:
                if (f.k >= BPF_MEMWORDS)
                    return std::nullopt;
                mem[f.k] = x;
                break;
            case BPF_ALU:
                switch (BPF_OP(f.code)) {
                    case BPF_ADD:
                        a += src;
                        break;
                    case BPF_SUB:
                        a -= src;
                        break;
                    case BPF_MUL:
                        a *= src;
                        break;
                    case BPF_AND:
                        a &= src;
                        break;
                    case BPF_OR:
                        a |= src;
                        break;
                    case BPF_XOR:
                        a ^= src;
                        break;
                    case BPF_LSH:
                        a = src < 32 ? a << src : 0;
                        break;
                    case BPF_RSH:
                        a = src < 32 ? a >> src : 0;
                        break;
                    case BPF_NEG:
                        a = -a;
                        break;
                    default:
                        return std::nullopt;
                }
                break;
            case BPF_JMP: {
                std::size_t next;
                if (BPF_OP(f.code) == BPF_JA) {
                    next = pc + f.k;
                } else {
                    bool taken;
                    switch (BPF_OP(f.code)) {
                        case BPF_JEQ:
                            taken = a == src;
                            break;
                        case BPF_JGT:
                            taken = a > src;
                            break;
                        case BPF_JGE:
                            taken = a >= src;
                            break;
                        case BPF_JSET:
                            taken = (a & src) != 0;
                            break;
                        default:
                            return std::nullopt;
                    }
                    next = pc + (taken ? f.jt : f.jf);
                }
                if (next + 1 >= n)
                    return std::nullopt;
                pc = next;
                break;
            }
            case BPF_RET:
                return BPF_RVAL(f.code) == BPF_A ? a : f.k;
            case BPF_MISC:
                if (BPF_MISCOP(f.code) == BPF_TAX)
                    x = a;
                else
                    a = x;
                break;
            default:
                return std::nullopt;
        }
    }
    return std::nullopt;
}

// Whether the kernel's seccomp action cache (Linux 5.11, kernel/seccomp.c)
// marks syscall `nr` of `arch` as always allowed, so that the filter is not
// even run for it: the kernel emulates the program with only the number and
// the architecture known, and gives up at any instruction that would need
// more (an argument load, an ALU op other than AND, an X register). This is
// that emulation, written from the documented behaviour.
inline bool kernel_caches_allow(const std::string& program, int nr, std::uint32_t arch) {
    const auto* insns = reinterpret_cast<const sock_filter*>(program.data());
    const std::size_t n = program.size() / sizeof(sock_filter);
    std::uint32_t a = 0;
    for (std::size_t pc = 0; pc < n; ++pc) {
        const sock_filter& f = insns[pc];
        switch (f.code) {
            case BPF_LD | BPF_W | BPF_ABS:
                if (f.k == offsetof(seccomp_data, nr))
                    a = static_cast<std::uint32_t>(nr);
                else if (f.k == offsetof(seccomp_data, arch))
                    a = arch;
                else
                    return false;
                break;
            case BPF_RET | BPF_K:
                return f.k == SECCOMP_RET_ALLOW;
            case BPF_JMP | BPF_JA:
                pc += f.k;
                break;
            case BPF_JMP | BPF_JEQ | BPF_K:
            case BPF_JMP | BPF_JGE | BPF_K:
            case BPF_JMP | BPF_JGT | BPF_K:
            case BPF_JMP | BPF_JSET | BPF_K: {
                const bool taken = BPF_OP(f.code) == BPF_JEQ   ? a == f.k
                                   : BPF_OP(f.code) == BPF_JGE ? a >= f.k
                                   : BPF_OP(f.code) == BPF_JGT ? a > f.k
                                                               : (a & f.k) != 0;
                pc += taken ? f.jt : f.jf;
                break;
            }
            case BPF_ALU | BPF_AND | BPF_K:
                a &= f.k;
                break;
            default:
                return false;
        }
    }
    return false;
}

}  // namespace cocoon
