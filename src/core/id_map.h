// SPDX-License-Identifier: MIT
// /etc/subuid and /etc/subgid parsing, and the user namespace's id maps as data. [pure]
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cocoon {

// One "name:start:count" line of /etc/subuid or /etc/subgid that belongs to the caller.
struct SubIdRange {
    std::uint32_t start = 0;
    std::uint32_t count = 0;
    int line = 0;  // 1-based, for messages
    friend bool operator==(const SubIdRange&, const SubIdRange&) = default;
};

struct SubIds {
    std::vector<SubIdRange> ranges;     // in file order
    std::vector<std::string> warnings;  // malformed lines, ignored
};

// The caller's ranges: every line whose first field is `user` or the decimal `id`
// (subuid(5)). Comments, blank lines and malformed lines are skipped; malformed
// ones, zero counts and ranges that overflow 32 bits get a warning naming the line,
// and so do ranges newuidmap(1) would refuse: one containing `own_id` (the
// caller's uid for /etc/subuid, gid for /etc/subgid) or overlapping an
// earlier line's.
SubIds parse_subids(std::string_view text, std::string_view file, std::string_view user, std::uint32_t id,
                    std::uint32_t own_id);

// The name of `uid` in the text of /etc/passwd, "" if absent. Read directly, not
// through NSS: cocoon is linked statically, and static glibc cannot load NSS
// modules reliably. Users from other NSS sources are matched by numeric uid in
// /etc/subuid, which subuid(5) allows.
std::string user_name_in_passwd(std::string_view passwd, std::uint32_t uid);

// One line of /proc/PID/uid_map: `count` ids from `inside` map onto `outside`.
struct MapEntry {
    std::uint32_t inside = 0;
    std::uint32_t outside = 0;
    std::uint32_t count = 0;
    friend bool operator==(const MapEntry&, const MapEntry&) = default;
};

// The map of one kind of id (uid or gid) and how it gets written.
struct IdMap {
    std::vector<MapEntry> entries;
    bool via_helper = false;  // newuidmap/newgidmap; otherwise the sandbox writes its one line
    friend bool operator==(const IdMap&, const IdMap&) = default;
};

// What planning one kind of id needs. `kind` is "uid" or "gid".
struct IdMapInput {
    std::string_view kind;
    std::string_view file;  // "/etc/subuid"
    std::uint32_t caller = 0;
    std::uint32_t sandbox = 0;  // --uid/--gid, or the caller's own id
    bool map_auto = false;
    std::vector<MapEntry> explicit_maps;  // --map-uid/--map-gid, in order
    const SubIds* subids = nullptr;
    bool helper_found = false;
    std::string_view helper;  // "newuidmap"
    // The helpers ran and failed (HostFacts::id_helper_failure): --map-auto
    // then maps one id, as when they are missing; explicit maps still fail.
    std::string_view helper_failure;
};

struct IdMapPlan {
    IdMap map;
    std::vector<std::string> warnings;  // fallbacks of --map-auto
};

// --map-auto: the sandbox id is the caller's, every other id from 0 upwards comes
// from the caller's ranges in file order. Explicit maps are checked against the
// ranges. Without either, the single line bwrap writes.
Result<IdMapPlan> plan_id_map(const IdMapInput& in);

// "0 1001 1\n1 100000 65536\n"
std::string render_map(const std::vector<MapEntry>& entries);

// The map's inside id for `outside`, if mapped.
std::optional<std::uint32_t> inside_id(const std::vector<MapEntry>& entries, std::uint32_t outside);

}  // namespace cocoon
