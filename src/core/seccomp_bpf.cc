// SPDX-License-Identifier: MIT
// [pure]
#include "core/seccomp_bpf.h"

#include <linux/seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace cocoon::seccomp {

std::uint32_t ret_value(const Action& action) {
    switch (action.kind) {
        case ActionKind::Allow:
            return SECCOMP_RET_ALLOW;
        case ActionKind::Log:
            return SECCOMP_RET_LOG;
        case ActionKind::Trace:
            return SECCOMP_RET_TRACE | action.data;
        case ActionKind::Errno:  // MAX_ERRNO
            return SECCOMP_RET_ERRNO | std::min<std::uint32_t>(action.data, 4095);
        case ActionKind::Trap:
            return SECCOMP_RET_TRAP;
        case ActionKind::KillThread:
            return SECCOMP_RET_KILL_THREAD;
        case ActionKind::KillProcess:
            return SECCOMP_RET_KILL_PROCESS;
    }
    return SECCOMP_RET_KILL_PROCESS;
}

Block ret_block(const Action& action) {
    return {BPF_STMT(BPF_RET | BPF_K, ret_value(action))};
}

namespace {

// Offsets of the two 32-bit halves of seccomp_data.args[i] (seccomp(2)).
constexpr std::uint32_t arg_low(unsigned i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * i +
                                      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4));
}
constexpr std::uint32_t arg_high(unsigned i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + 8 * i +
                                      (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : 0));
}

constexpr int kNone = -1;

// A program under construction whose jumps name labels; finish() places them.
// A conditional jump reaches at most 255 instructions ahead: a farther target
// gets a JA (32-bit offset) right after the jump, which the jump then takes.
class Assembler {
public:
    int label() {
        at_.push_back(kUnplaced);
        return static_cast<int>(at_.size() - 1);
    }
    void place(int label) { at_[static_cast<std::size_t>(label)] = code_.size(); }
    void stmt(sock_filter f) { code_.push_back(Insn{f, kNone, kNone, kNone}); }
    void jump(std::uint16_t op, std::uint32_t k, int jt, int jf) {
        code_.push_back(Insn{BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0), jt, jf, kNone});
    }
    void ja(int target) { code_.push_back(Insn{BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), kNone, kNone, target}); }
    // Relative jumps inside a block stay right: nothing is ever inserted into one.
    void block(const Block& b) {
        for (const sock_filter& f : b) stmt(f);
    }

    std::vector<sock_filter> finish() {
        for (bool changed = true; changed;) {
            changed = false;
            for (std::size_t pc = 0; pc < code_.size(); ++pc) {
                for (int Insn::*side : {&Insn::jt, &Insn::jf}) {
                    const int target = code_[pc].*side;
                    if (target == kNone || offset(pc, target) <= 255)
                        continue;
                    const int hop = label();
                    for (std::size_t& a : at_)
                        if (a != kUnplaced && a > pc)
                            ++a;
                    code_.insert(code_.begin() + static_cast<std::ptrdiff_t>(pc) + 1,
                                 Insn{BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), kNone, kNone, target});
                    at_[static_cast<std::size_t>(hop)] = pc + 1;
                    code_[pc].*side = hop;
                    changed = true;
                }
            }
        }
        std::vector<sock_filter> out;
        out.reserve(code_.size());
        for (std::size_t pc = 0; pc < code_.size(); ++pc) {
            sock_filter f = code_[pc].f;
            if (code_[pc].jt != kNone)
                f.jt = static_cast<std::uint8_t>(offset(pc, code_[pc].jt));
            if (code_[pc].jf != kNone)
                f.jf = static_cast<std::uint8_t>(offset(pc, code_[pc].jf));
            if (code_[pc].ja != kNone)
                f.k = static_cast<std::uint32_t>(offset(pc, code_[pc].ja));
            out.push_back(f);
        }
        return out;
    }

private:
    static constexpr std::size_t kUnplaced = ~std::size_t{0};
    struct Insn {
        sock_filter f;
        int jt, jf, ja;
    };
    // Every label is placed ahead of its jumps: the program only runs forward.
    std::size_t offset(std::size_t pc, int target) const {
        return at_[static_cast<std::size_t>(target)] - pc - 1;
    }

    std::vector<Insn> code_;
    std::vector<std::size_t> at_;
};

// One comparison of a cube: the argument word at `offset`, under `mask`.
struct WordTest {
    std::uint32_t offset, mask, value;
};

struct CubeTest {
    std::vector<WordTest> words;
    std::uint32_t ret;
};

// Cubes that together are "word & m != 0" (lowering splits it by its lowest
// set bit: m1 == b1; m1|m2 == b2 with b1 clear; ...): one JSET tests them all.
// Returns m, or 0 when `cubes` are not exactly that.
std::uint32_t any_bit_of(std::vector<const CubeTest*> cubes) {
    if (cubes.size() < 2)
        return 0;
    std::sort(cubes.begin(), cubes.end(), [](const CubeTest* x, const CubeTest* y) {
        return __builtin_popcount(x->words[0].mask) < __builtin_popcount(y->words[0].mask);
    });
    std::uint32_t seen = 0;
    for (const CubeTest* c : cubes) {
        const WordTest& w = c->words[0];
        if (__builtin_popcount(w.value) != 1 || (w.value & seen) != 0 || w.mask != (seen | w.value))
            return 0;
        seen = w.mask;
    }
    return seen;
}

}  // namespace

Block check_block(const std::vector<const LoweredRule*>& rules, bool narrow, const Action& default_action) {
    // The fallback's cubes fill what the others leave: they need no test.
    Action otherwise = default_action;
    for (const LoweredRule* rule : rules)
        if (rule->fallback)
            otherwise = rule->action;
    std::vector<CubeTest> cubes;
    for (const LoweredRule* rule : rules) {
        if (rule->fallback || rule->action == otherwise)
            continue;
        CubeTest cube{{}, ret_value(rule->action)};
        bool possible = true;
        for (unsigned i = 0; i < 6; ++i) {
            const std::uint64_t mask = rule->cube.mask[i];
            const std::uint64_t value = rule->cube.value[i] & mask;
            if (narrow && (value >> 32) != 0)
                possible = false;
            if (static_cast<std::uint32_t>(mask) != 0)
                cube.words.push_back(
                    {arg_low(i), static_cast<std::uint32_t>(mask), static_cast<std::uint32_t>(value)});
            if (!narrow && (mask >> 32) != 0)
                cube.words.push_back({arg_high(i), static_cast<std::uint32_t>(mask >> 32),
                                      static_cast<std::uint32_t>(value >> 32)});
        }
        if (possible)
            cubes.push_back(std::move(cube));
    }
    // The cubes are disjoint, so their order is free: those that test one
    // word share its load, per word; a set of them that means "some bit of m"
    // is one JSET; the others compare word by word. Each verdict is returned
    // from one place.
    Assembler as;
    std::map<std::uint32_t, int> ret_at;
    const auto ret = [&](std::uint32_t value) {
        auto [it, fresh] = ret_at.try_emplace(value, kNone);
        if (fresh)
            it->second = as.label();
        return it->second;
    };
    std::map<std::uint32_t, std::vector<const CubeTest*>> by_word;  // single-word cubes by offset
    std::vector<const CubeTest*> general;
    for (const CubeTest& c : cubes)
        (c.words.size() == 1 ? by_word[c.words[0].offset] : general).push_back(&c);
    for (const auto& [offset, tests] : by_word) {
        as.stmt(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
        std::map<std::uint32_t, std::vector<const CubeTest*>> by_ret;
        for (const CubeTest* c : tests) by_ret[c->ret].push_back(c);
        std::vector<const CubeTest*> masked;
        for (const auto& [value, group] : by_ret) {
            if (const std::uint32_t m = any_bit_of(group)) {
                const int next = as.label();
                as.jump(BPF_JSET, m, ret(value), next);
                as.place(next);
                continue;
            }
            for (const CubeTest* c : group) {
                if (c->words[0].mask != 0xffffffffU) {
                    masked.push_back(c);
                    continue;
                }
                const int next = as.label();
                as.jump(BPF_JEQ, c->words[0].value, ret(value), next);
                as.place(next);
            }
        }
        general.insert(general.end(), masked.begin(), masked.end());
    }
    for (const CubeTest* c : general) {
        if (c->words.empty()) {  // on a 32-bit ABI, a cube that fixes only high bits to 0
            as.ja(ret(c->ret));
            break;
        }
        const int next = as.label();
        for (std::size_t i = 0; i < c->words.size(); ++i) {
            const WordTest& w = c->words[i];
            as.stmt(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, w.offset));
            if (w.mask != 0xffffffffU)
                as.stmt(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, w.mask));
            const int then = i + 1 == c->words.size() ? ret(c->ret) : as.label();
            as.jump(BPF_JEQ, w.value, then, next);
            if (i + 1 != c->words.size())
                as.place(then);
        }
        as.place(next);
    }
    as.stmt(BPF_STMT(BPF_RET | BPF_K, ret_value(otherwise)));
    for (const auto& [value, label] : ret_at) {
        as.place(label);
        as.stmt(BPF_STMT(BPF_RET | BPF_K, value));
    }
    return as.finish();
}

namespace {

// [start, next start) of the number line shares one verdict.
struct Range {
    std::uint64_t start;
    std::size_t verdict;
};

// The ranges of verdicts over [from, 2^32), `otherwise` where none is given.
std::vector<Range> ranges_of(const std::map<std::uint32_t, std::size_t>& verdict_of, std::size_t otherwise,
                             std::uint64_t from = 0) {
    std::vector<Range> out;
    auto add = [&](std::uint64_t start, std::size_t verdict) {
        if (out.empty() || out.back().verdict != verdict)
            out.push_back(Range{start, verdict});
    };
    std::uint64_t next = from;
    for (const auto& [nr, verdict] : verdict_of) {
        if (nr < from)
            continue;
        if (nr > next)
            add(next, otherwise);
        add(nr, verdict);
        next = std::uint64_t{nr} + 1;
    }
    if (next <= 0xffffffffULL)
        add(next, otherwise);
    return out;
}

// A balanced search: each node asks "nr >= the middle range's start?"; a side
// holding one range jumps straight to its verdict.
void search(Assembler& as, const std::vector<Range>& ranges, std::size_t lo, std::size_t hi,
            const std::vector<int>& verdict_label) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const auto side = [&](std::size_t a, std::size_t b) {
        return b - a == 1 ? verdict_label[ranges[a].verdict] : as.label();
    };
    const int left = side(lo, mid), right = side(mid, hi);
    as.jump(BPF_JGE, static_cast<std::uint32_t>(ranges[mid].start), right, left);
    if (mid - lo > 1) {
        as.place(left);
        search(as, ranges, lo, mid, verdict_label);
    }
    if (hi - mid > 1) {
        as.place(right);
        search(as, ranges, mid, hi, verdict_label);
    }
}

}  // namespace

Result<std::string> assemble(const std::vector<ArchDispatch>& arches, const std::vector<Block>& blocks,
                             std::uint32_t bad_arch) {
    Assembler as;
    std::vector<int> section;
    as.stmt(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    for (const ArchDispatch& arch : arches) {
        section.push_back(as.label());
        const int next = as.label();
        as.jump(BPF_JEQ, arch.audit_arch, section.back(), next);
        as.place(next);
    }
    as.stmt(BPF_STMT(BPF_RET | BPF_K, bad_arch));
    for (std::size_t a = 0; a < arches.size(); ++a) {
        as.place(section[a]);
        const ArchDispatch& arch = arches[a];
        // Below the mirror (or everywhere): the numbers as given. Above it:
        // where a number decides as its mirror image does, the verdict
        // `blocks.size()`, which means "subtract and search below".
        const std::size_t mirrored = blocks.size();
        std::map<std::uint32_t, std::size_t> low, high;
        for (const auto& [nr, verdict] : arch.verdict_of)
            if (arch.mirror == 0 || nr < arch.mirror)
                low.emplace(nr, verdict);
        if (arch.mirror != 0) {
            const auto below = [&](std::uint64_t nr) {
                const auto it = low.find(static_cast<std::uint32_t>(nr));
                return nr < arch.mirror && it != low.end() ? it->second : arch.otherwise;
            };
            const auto at_or_otherwise = [&](std::uint32_t nr) {
                const auto it = arch.verdict_of.find(nr);
                return it != arch.verdict_of.end() ? it->second : arch.otherwise;
            };
            std::set<std::uint32_t> candidates;
            for (const auto& [nr, verdict] : arch.verdict_of)
                if (nr >= arch.mirror)
                    candidates.insert(nr);
            for (const auto& [nr, verdict] : low)
                if (std::uint64_t{nr} + arch.mirror <= 0xffffffffULL)
                    candidates.insert(nr + arch.mirror);
            for (std::uint32_t nr : candidates) {
                const std::size_t v = at_or_otherwise(nr);
                high.emplace(nr, v == below(std::uint64_t{nr} - arch.mirror) ? mirrored : v);
            }
        }
        const std::vector<Range> low_ranges = ranges_of(low, arch.otherwise);
        const std::vector<Range> high_ranges =
            arch.mirror != 0 ? ranges_of(high, mirrored, arch.mirror) : std::vector<Range>{};
        // Each verdict this architecture uses, once, after its search: returns
        // first (one instruction each, so most leaves reach theirs directly).
        std::vector<std::size_t> used;
        for (const std::vector<Range>* ranges : {&low_ranges, &high_ranges})
            for (const Range& r : *ranges)
                if (r.verdict != mirrored && std::find(used.begin(), used.end(), r.verdict) == used.end())
                    used.push_back(r.verdict);
        std::stable_sort(used.begin(), used.end(),
                         [&](std::size_t x, std::size_t y) { return blocks[x].size() < blocks[y].size(); });
        std::vector<int> at(blocks.size() + 1, kNone);
        for (std::size_t v : used) at[v] = as.label();
        at[mirrored] = as.label();
        const int low_search = low_ranges.size() == 1 ? at[low_ranges[0].verdict] : as.label();
        as.stmt(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
        if (arch.mirror != 0) {
            const int high_search = high_ranges.size() == 1 ? at[high_ranges[0].verdict] : as.label();
            as.jump(BPF_JGE, arch.mirror, high_search, low_search);
            if (high_ranges.size() > 1) {
                as.place(high_search);
                search(as, high_ranges, 0, high_ranges.size(), at);
            }
            as.place(at[mirrored]);
            as.stmt(BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, arch.mirror));
        }
        if (low_ranges.size() > 1) {
            as.place(low_search);
            search(as, low_ranges, 0, low_ranges.size(), at);
        } else {
            as.ja(low_search);
        }
        for (std::size_t v : used) {
            as.place(at[v]);
            as.block(blocks[v]);
        }
    }
    const std::vector<sock_filter> program = as.finish();
    if (program.size() > BPF_MAXINSNS)
        return fail(Error{E2BIG, fmt::format("seccomp: the filter needs {} instructions, more than the "
                                             "kernel's {}; simplify the policy's argument conditions",
                                             program.size(), BPF_MAXINSNS)});
    return std::string(reinterpret_cast<const char*>(program.data()), program.size() * sizeof(sock_filter));
}

}  // namespace cocoon::seccomp
