// SPDX-License-Identifier: MIT
// /etc/subuid and /etc/subgid parsing, and the user namespace's id maps. [pure]
#include "core/id_map.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {
namespace {

constexpr std::uint64_t kIdSpace = 1ULL << 32;

std::uint64_t end_of(std::uint64_t start, std::uint64_t count) {
    return start + count;
}

bool overlaps(std::uint64_t a, std::uint64_t a_count, std::uint64_t b, std::uint64_t b_count) {
    return a < end_of(b, b_count) && b < end_of(a, a_count);
}

std::string describe_ranges(const IdMapInput& in) {
    if (in.subids == nullptr || in.subids->ranges.empty())
        return fmt::format("{} has no range for this user", in.file);
    std::string out;
    for (const SubIdRange& r : in.subids->ranges)
        out += fmt::format("{}{}:{} has {}-{}", out.empty() ? "" : ", ", in.file, r.line, r.start,
                           end_of(r.start, r.count) - 1);
    return out;
}

// Every explicit entry must be the caller's own id or lie inside one range, and no
// two entries may overlap inside or outside (user_namespaces(7) refuses overlaps,
// and we say which flag is wrong before anything exists).
Status check_explicit(const IdMapInput& in) {
    const std::string flag = fmt::format("--map-{}", in.kind);
    bool own_seen = false;
    for (std::size_t i = 0; i < in.explicit_maps.size(); ++i) {
        const MapEntry& e = in.explicit_maps[i];
        const std::string what = fmt::format("{} {} {} {}", flag, e.inside, e.outside, e.count);
        if (e.count == 0)
            return fail(Error::usage(fmt::format("{}: the count must be at least 1", what)));
        if (end_of(e.inside, e.count) > kIdSpace || end_of(e.outside, e.count) > kIdSpace)
            return fail(Error::usage(fmt::format("{}: the range goes past {} 4294967295", what, in.kind)));
        if (overlaps(e.outside, e.count, 0, 1) && in.caller != 0)
            return fail(Error::usage(fmt::format("{}: host {} 0 may not be mapped", what, in.kind)));
        const bool own = e.outside == in.caller && e.count == 1;
        if (own) {
            if (own_seen)
                return fail(Error::usage(
                    fmt::format("{}: your own {} {} is mapped twice", what, in.kind, in.caller)));
            own_seen = true;
        } else {
            const bool allowed =
                in.subids != nullptr &&
                std::any_of(in.subids->ranges.begin(), in.subids->ranges.end(), [&](const SubIdRange& r) {
                    return e.outside >= r.start && end_of(e.outside, e.count) <= end_of(r.start, r.count);
                });
            if (!allowed)
                return fail(Error::usage(fmt::format(
                    "{}: host {}s {}-{} are neither yours ({}) nor inside a range of yours ({})", what,
                    in.kind, e.outside, end_of(e.outside, e.count) - 1, in.caller, describe_ranges(in))));
        }
        for (std::size_t j = 0; j < i; ++j) {
            const MapEntry& o = in.explicit_maps[j];
            if (overlaps(e.inside, e.count, o.inside, o.count))
                return fail(Error::usage(fmt::format("{}: inside ids overlap {} {} {} {}", what, flag,
                                                     o.inside, o.outside, o.count)));
            if (overlaps(e.outside, e.count, o.outside, o.count))
                return fail(Error::usage(fmt::format("{}: host ids overlap {} {} {} {}", what, flag, o.inside,
                                                     o.outside, o.count)));
        }
    }
    return {};
}

// The caller's id at `sandbox`, the ranges filling every other id from 0 up.
std::vector<MapEntry> auto_map(const IdMapInput& in) {
    std::vector<MapEntry> out{{in.sandbox, in.caller, 1}};
    std::uint64_t next = 0;  // next free inside id
    for (const SubIdRange& r : in.subids->ranges) {
        std::uint64_t outside = r.start;
        std::uint64_t left = r.count;
        while (left > 0 && next < kIdSpace) {
            if (next == in.sandbox) {
                ++next;
                continue;
            }
            // Up to the sandbox id (exclusive) or the end of the range.
            std::uint64_t take = left;
            if (next < in.sandbox)
                take = std::min<std::uint64_t>(take, in.sandbox - next);
            take = std::min(take, kIdSpace - next);
            out.push_back({static_cast<std::uint32_t>(next), static_cast<std::uint32_t>(outside),
                           static_cast<std::uint32_t>(take)});
            next += take;
            outside += take;
            left -= take;
        }
    }
    return out;
}

bool contains_host_root(const SubIdRange& r) {
    return r.start == 0;
}

}  // namespace

SubIds parse_subids(std::string_view text, std::string_view file, std::string_view user, std::uint32_t id,
                    std::uint32_t own_id) {
    SubIds out;
    const std::string id_text = std::to_string(id);
    int line_no = 0;
    for (std::string_view line : split(text, '\n')) {
        ++line_no;
        if (line.empty() || line.front() == '#')
            continue;
        const std::vector<std::string_view> fields = split(line, ':');
        if (fields.size() != 3 || fields[0].empty()) {
            out.warnings.push_back(fmt::format("{}:{}: ignoring a malformed line", file, line_no));
            continue;
        }
        const std::optional<std::uint64_t> start_field = parse_decimal(fields[1], UINT32_MAX);
        const std::optional<std::uint64_t> count_field = parse_decimal(fields[2], UINT32_MAX);
        if (!start_field || !count_field) {
            out.warnings.push_back(fmt::format("{}:{}: ignoring a malformed line", file, line_no));
            continue;
        }
        const std::uint64_t start = *start_field;
        const std::uint64_t count = *count_field;
        if (fields[0] != user && fields[0] != id_text)
            continue;
        if (count == 0) {
            out.warnings.push_back(fmt::format("{}:{}: ignoring a range of 0 ids", file, line_no));
            continue;
        }
        if (start + count > kIdSpace) {
            out.warnings.push_back(fmt::format("{}:{}: ignoring a range past id 4294967295", file, line_no));
            continue;
        }
        // newuidmap(1) refuses a map whose ranges overlap, or that maps the
        // caller's own id a second time: one such line would make every
        // --map-auto fail inside the helper.
        if (own_id >= start && own_id - start < count) {
            out.warnings.push_back(
                fmt::format("{}:{}: ignoring a range that contains your own id {}", file, line_no, own_id));
            continue;
        }
        const auto overlapping = std::find_if(out.ranges.begin(), out.ranges.end(), [&](const SubIdRange& r) {
            return start < std::uint64_t{r.start} + r.count && std::uint64_t{r.start} < start + count;
        });
        if (overlapping != out.ranges.end()) {
            out.warnings.push_back(fmt::format("{}:{}: ignoring a range that overlaps line {}", file, line_no,
                                               overlapping->line));
            continue;
        }
        out.ranges.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(count), line_no});
    }
    return out;
}

std::string user_name_in_passwd(std::string_view passwd, std::uint32_t uid) {
    for (std::string_view line : split(passwd, '\n')) {
        const std::vector<std::string_view> fields = split(line, ':');
        if (fields.size() >= 3 && parse_decimal(fields[2], UINT32_MAX) == uid)
            return std::string(fields[0]);
    }
    return "";
}

Result<IdMapPlan> plan_id_map(const IdMapInput& in) {
    IdMapPlan plan;
    if (!in.explicit_maps.empty()) {
        TRY(check_explicit(in));
        const bool only_own = in.explicit_maps.size() == 1 && in.explicit_maps[0].outside == in.caller &&
                              in.explicit_maps[0].count == 1;
        if (!only_own && !in.helper_found)
            return fail(
                Error::usage(fmt::format("--map-{}: {} not found in /usr/bin, /bin, /usr/sbin or /sbin "
                                         "(install the uidmap package)",
                                         in.kind, in.helper)));
        plan.map = IdMap{in.explicit_maps, !only_own};
        return plan;
    }
    const MapEntry single{in.sandbox, in.caller, 1};
    if (!in.map_auto) {
        plan.map = IdMap{{single}, false};
        return plan;
    }
    if (in.subids != nullptr) {
        for (const SubIdRange& r : in.subids->ranges)
            if (contains_host_root(r) && in.caller != 0)
                return fail(
                    Error::usage(fmt::format("--map-auto: {}:{} contains host {} 0, which is never mapped",
                                             in.file, r.line, in.kind)));
    }
    if (in.subids == nullptr || in.subids->ranges.empty()) {
        plan.warnings.push_back(fmt::format("--map-auto: no range for this user in {}; mapping only {} {}",
                                            in.file, in.kind, in.caller));
        plan.map = IdMap{{single}, false};
        return plan;
    }
    if (!in.helper_failure.empty()) {
        plan.warnings.push_back(
            fmt::format("--map-auto: {}; mapping only {} {}", in.helper_failure, in.kind, in.caller));
        plan.map = IdMap{{single}, false};
        return plan;
    }
    if (!in.helper_found) {
        plan.warnings.push_back(
            fmt::format("--map-auto: {} not found (install the uidmap package); mapping only {} {}",
                        in.helper, in.kind, in.caller));
        plan.map = IdMap{{single}, false};
        return plan;
    }
    plan.map = IdMap{auto_map(in), true};
    return plan;
}

std::string render_map(const std::vector<MapEntry>& entries) {
    std::string out;
    for (const MapEntry& e : entries) out += fmt::format("{} {} {}\n", e.inside, e.outside, e.count);
    return out;
}

std::optional<std::uint32_t> inside_id(const std::vector<MapEntry>& entries, std::uint32_t outside) {
    for (const MapEntry& e : entries)
        if (outside >= e.outside && outside - e.outside < e.count)
            return e.inside + (outside - e.outside);
    return std::nullopt;
}

}  // namespace cocoon
