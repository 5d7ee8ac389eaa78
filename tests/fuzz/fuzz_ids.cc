// SPDX-License-Identifier: MIT
// libFuzzer target: /etc/subuid text (core/id_map.h) and --map-auto planned
// from it. Checks meaning: every range kept belongs to the caller, has a
// count, fits in 32 bits and leaves out the caller's own id; a planned map
// maps the sandbox id to the caller, never an id twice inside or outside, and
// only ids the ranges hold besides the caller's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/id_map.h"

namespace {

void check(bool ok) {
    if (!ok)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cocoon;
    if (size < 1)
        return 0;
    const std::uint32_t sandbox = data[0] % 3 == 0 ? 0 : 1001;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const SubIds ids = parse_subids(text, "/etc/subuid", "u", 1001, 1001);
    for (const SubIdRange& r : ids.ranges) {
        check(r.count > 0);
        check(std::uint64_t{r.start} + r.count <= 0x100000000ULL);
        check(!(r.start <= 1001 && 1001 - r.start < r.count));
    }
    const IdMapInput in{.kind = "uid",
                        .file = "/etc/subuid",
                        .caller = 1001,
                        .sandbox = sandbox,
                        .map_auto = true,
                        .subids = &ids,
                        .helper_found = true,
                        .helper = "newuidmap"};
    Result<IdMapPlan> plan = plan_id_map(in);
    if (!plan)
        return 0;
    const std::vector<MapEntry>& e = plan->map.entries;
    check(inside_id(e, 1001) == sandbox);
    for (std::size_t i = 0; i < e.size(); ++i) {
        check(e[i].count > 0);
        check(std::uint64_t{e[i].inside} + e[i].count <= 0x100000000ULL);
        check(std::uint64_t{e[i].outside} + e[i].count <= 0x100000000ULL);
        for (std::size_t j = i + 1; j < e.size(); ++j) {
            check(e[i].inside + std::uint64_t{e[i].count} <= e[j].inside ||
                  e[j].inside + std::uint64_t{e[j].count} <= e[i].inside);
            check(e[i].outside + std::uint64_t{e[i].count} <= e[j].outside ||
                  e[j].outside + std::uint64_t{e[j].count} <= e[i].outside);
        }
        if (e[i].outside == 1001 && e[i].count == 1)
            continue;
        bool held = false;
        for (const SubIdRange& r : ids.ranges)
            held = held || (e[i].outside >= r.start &&
                            std::uint64_t{e[i].outside} + e[i].count <= std::uint64_t{r.start} + r.count);
        check(held);
    }
    check(!render_map(e).empty());
    return 0;
}
