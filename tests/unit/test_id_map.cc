// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "core/id_map.h"
#include "core/plan.h"

namespace cocoon {
namespace {

constexpr std::string_view kSubuid =
    "# comment\n"
    "\n"
    "alice:100000:65536\n"
    "bob:165536:65536\n"
    "1001:300000:10\n"
    "alice:400000:5\n"
    "garbage line\n"
    "alice:x:5\n"
    "alice:500000:0\n"
    "alice:4294967290:10\n"
    "alice:600000:3:extra\n";

TEST_CASE("subuid: every line of the user, by name or number, in file order") {
    const SubIds ids = parse_subids(kSubuid, "/etc/subuid", "alice", 1001, 1001);
    CHECK(ids.ranges == std::vector<SubIdRange>{{100000, 65536, 3}, {300000, 10, 5}, {400000, 5, 6}});
}

TEST_CASE("subuid: malformed, empty and overflowing lines are ignored with a warning naming the line") {
    const SubIds ids = parse_subids(kSubuid, "/etc/subuid", "alice", 1001, 1001);
    CHECK(ids.warnings == std::vector<std::string>{"/etc/subuid:7: ignoring a malformed line",
                                                   "/etc/subuid:8: ignoring a malformed line",
                                                   "/etc/subuid:9: ignoring a range of 0 ids",
                                                   "/etc/subuid:10: ignoring a range past id 4294967295",
                                                   "/etc/subuid:11: ignoring a malformed line"});
}

TEST_CASE("subuid: a user without ranges, an empty file and a file without newline") {
    CHECK(parse_subids(kSubuid, "/etc/subuid", "carol", 2000, 2000).ranges.empty());
    CHECK(parse_subids("", "/etc/subuid", "alice", 1001, 1001).ranges.empty());
    CHECK(parse_subids("alice:1:2", "/etc/subuid", "alice", 1, 1000).ranges ==
          std::vector<SubIdRange>{{1, 2, 1}});
}

TEST_CASE("subuid: ranges newuidmap would refuse are skipped with a warning, the rest is used") {
    const SubIds ids = parse_subids(
        "alice:100000:65536\n"
        "alice:100000:65536\n"  // the same line twice
        "alice:1000:10\n"       // contains alice's own id
        "alice:165000:100\n"    // overlaps the first
        "alice:300000:10\n",
        "/etc/subuid", "alice", 1005, 1005);
    CHECK(ids.ranges == std::vector<SubIdRange>{{100000, 65536, 1}, {300000, 10, 5}});
    CHECK(ids.warnings ==
          std::vector<std::string>{"/etc/subuid:2: ignoring a range that overlaps line 1",
                                   "/etc/subuid:3: ignoring a range that contains your own id 1005",
                                   "/etc/subuid:4: ignoring a range that overlaps line 1"});
    // For /etc/subgid the caller's own id is its gid, whatever the uid.
    CHECK(parse_subids("alice:1000:10\n", "/etc/subgid", "alice", 1005, 2000).ranges.size() == 1);
}

IdMapInput input(const SubIds& ids, std::uint32_t sandbox) {
    return IdMapInput{.kind = "uid",
                      .file = "/etc/subuid",
                      .caller = 1001,
                      .sandbox = sandbox,
                      .map_auto = true,
                      .subids = &ids,
                      .helper_found = true,
                      .helper = "newuidmap"};
}

TEST_CASE("--map-auto with --uid 0: the caller is 0, the ranges fill from 1") {
    const SubIds ids = parse_subids("alice:100000:65536\n", "/etc/subuid", "alice", 1001, 1001);
    auto plan = plan_id_map(input(ids, 0));
    REQUIRE(plan);
    CHECK(plan->map.via_helper);
    CHECK(render_map(plan->map.entries) == "0 1001 1\n1 100000 65536\n");
}

TEST_CASE("--map-auto keeping the caller's id: ranges are split around it, across several ranges") {
    const SubIds ids =
        parse_subids("alice:100000:1000\nalice:300000:10\n", "/etc/subuid", "alice", 1001, 1001);
    auto plan = plan_id_map(input(ids, 1001));
    REQUIRE(plan);
    CHECK(render_map(plan->map.entries) == "1001 1001 1\n0 100000 1000\n1000 300000 1\n1002 300001 9\n");
}

TEST_CASE("--map-auto falls back to the single map with a warning") {
    const SubIds none;
    auto plan = plan_id_map(input(none, 1001));
    REQUIRE(plan);
    CHECK_FALSE(plan->map.via_helper);
    CHECK(render_map(plan->map.entries) == "1001 1001 1\n");
    CHECK(plan->warnings == std::vector<std::string>{
                                "--map-auto: no range for this user in /etc/subuid; mapping only uid 1001"});
    const SubIds ids = parse_subids("alice:100000:10\n", "/etc/subuid", "alice", 1001, 1001);
    IdMapInput no_helper = input(ids, 1001);
    no_helper.helper_found = false;
    auto fallback = plan_id_map(no_helper);
    REQUIRE(fallback);
    CHECK_FALSE(fallback->map.via_helper);
    CHECK(fallback->warnings ==
          std::vector<std::string>{
              "--map-auto: newuidmap not found (install the uidmap package); mapping only uid 1001"});
}

TEST_CASE("a range containing host id 0 is refused") {
    const SubIds ids = parse_subids("alice:0:100\n", "/etc/subuid", "alice", 1001, 1001);
    auto plan = plan_id_map(input(ids, 0));
    REQUIRE_FALSE(plan);
    CHECK(plan.error().context == "--map-auto: /etc/subuid:1 contains host uid 0, which is never mapped");
}

IdMapInput explicit_input(const SubIds& ids, std::vector<MapEntry> maps) {
    IdMapInput in = input(ids, 0);
    in.map_auto = false;
    in.explicit_maps = std::move(maps);
    return in;
}

TEST_CASE("explicit maps inside the caller's ranges are written by the helper as given") {
    const SubIds ids = parse_subids("alice:100000:65536\n", "/etc/subuid", "alice", 1001, 1001);
    auto plan = plan_id_map(explicit_input(ids, {{0, 1001, 1}, {1, 100000, 1000}}));
    REQUIRE(plan);
    CHECK(plan->map.via_helper);
    CHECK(render_map(plan->map.entries) == "0 1001 1\n1 100000 1000\n");
}

TEST_CASE(
    "explicit maps outside the caller's ranges are refused naming the flag, the range and the file line") {
    const SubIds ids = parse_subids("alice:100000:65536\n", "/etc/subuid", "alice", 1001, 1001);
    auto plan = plan_id_map(explicit_input(ids, {{0, 200000, 10}}));
    REQUIRE_FALSE(plan);
    CHECK(
        plan.error().context ==
        "--map-uid 0 200000 10: host uids 200000-200009 are neither yours (1001) nor inside a range of yours "
        "(/etc/subuid:1 has 100000-165535)");
    auto none = plan_id_map(explicit_input(SubIds{}, {{0, 200000, 10}}));
    REQUIRE_FALSE(none);
    CHECK(
        none.error().context ==
        "--map-uid 0 200000 10: host uids 200000-200009 are neither yours (1001) nor inside a range of yours "
        "(/etc/subuid has no range for this user)");
}

TEST_CASE("explicit maps may not overlap, map the caller twice, map nothing or map host root") {
    const SubIds ids = parse_subids("alice:100000:65536\n", "/etc/subuid", "alice", 1001, 1001);
    CHECK(plan_id_map(explicit_input(ids, {{0, 100000, 10}, {5, 100100, 10}})).error().context ==
          "--map-uid 5 100100 10: inside ids overlap --map-uid 0 100000 10");
    CHECK(plan_id_map(explicit_input(ids, {{0, 100000, 10}, {100, 100005, 10}})).error().context ==
          "--map-uid 100 100005 10: host ids overlap --map-uid 0 100000 10");
    CHECK(plan_id_map(explicit_input(ids, {{0, 1001, 1}, {7, 1001, 1}})).error().context ==
          "--map-uid 7 1001 1: your own uid 1001 is mapped twice");
    CHECK(plan_id_map(explicit_input(ids, {{0, 100000, 0}})).error().context ==
          "--map-uid 0 100000 0: the count must be at least 1");
    CHECK(plan_id_map(explicit_input(ids, {{0, 0, 1}})).error().context ==
          "--map-uid 0 0 1: host uid 0 may not be mapped");
    CHECK(plan_id_map(explicit_input(ids, {{4294967295U, 100000, 2}})).error().context ==
          "--map-uid 4294967295 100000 2: the range goes past uid 4294967295");
}

TEST_CASE("explicit maps never fall back: without the helper they fail") {
    const SubIds ids = parse_subids("alice:100000:65536\n", "/etc/subuid", "alice", 1001, 1001);
    IdMapInput in = explicit_input(ids, {{0, 100000, 10}});
    in.helper_found = false;
    CHECK(
        plan_id_map(in).error().context ==
        "--map-uid: newuidmap not found in /usr/bin, /bin, /usr/sbin or /sbin (install the uidmap package)");
}

TEST_CASE("the user name comes from /etc/passwd by uid") {
    constexpr std::string_view passwd =
        "root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\nbad line\n";
    CHECK(user_name_in_passwd(passwd, 1001) == "alice");
    CHECK(user_name_in_passwd(passwd, 0) == "root");
    CHECK(user_name_in_passwd(passwd, 5) == "");
}

HostFacts alice() {
    HostFacts f;
    f.uid = 1001;
    f.gid = 1001;
    f.user_name = "alice";
    f.subuid_text = "alice:100000:65536\n";
    f.subgid_text = "alice:100000:65536\n";
    f.newuidmap = "/usr/bin/newuidmap";
    f.newgidmap = "/usr/bin/newgidmap";
    return f;
}

TEST_CASE("plan: --map-auto --uid 0 --gid 0 maps 65537 ids through the helpers, setgroups allowed") {
    Config c;
    c.command = {"true"};
    c.map_auto = true;
    c.uid = 0;
    c.gid = 0;
    auto plan = make_plan(c, alice());
    REQUIRE(plan);
    REQUIRE(plan->maps);
    CHECK(plan->maps->via_helper());
    CHECK_FALSE(plan->maps->deny_setgroups());
    CHECK(render_map(plan->maps->uid.entries) == "0 1001 1\n1 100000 65536\n");
    CHECK_FALSE(plan->nested_maps);
    CHECK_FALSE(plan->switch_uid);
    CHECK(plan->caps == kRootlessRootCaps);
}

TEST_CASE("plan: --map-auto alone may degrade when the helpers fail; explicit maps may not") {
    Config c;
    c.command = {"true"};
    c.map_auto = true;
    c.uid = 0;
    c.gid = 0;
    HostFacts f = alice();
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK(plan->maps_may_degrade);
    f.id_helper_failure = "newuidmap 7 0 1001 1 failed: write to uid_map failed";
    auto degraded = make_plan(c, f);
    REQUIRE(degraded);
    CHECK_FALSE(degraded->maps->via_helper());
    CHECK(degraded->maps->deny_setgroups());
    CHECK(render_map(degraded->maps->uid.entries) == "0 1001 1\n");
    CHECK(degraded->warnings.back() ==
          "--map-auto: newuidmap 7 0 1001 1 failed: write to uid_map failed; mapping only gid 1001");
    Config explicit_maps;
    explicit_maps.command = {"true"};
    explicit_maps.map_uid = {{0, 1001, 1}, {1, 100000, 10}};
    explicit_maps.map_gid = {{0, 1001, 1}, {1, 100000, 10}};
    auto strict = make_plan(explicit_maps, alice());
    REQUIRE(strict);
    CHECK(strict->maps->via_helper());
    CHECK_FALSE(strict->maps_may_degrade);
}

TEST_CASE("plan: with --map-auto any uid but 0 keeps no capabilities, as without maps") {
    Config c;
    c.command = {"true"};
    c.map_auto = true;
    c.uid = 1000;
    auto plan = make_plan(c, alice());
    REQUIRE(plan);
    CHECK(plan->caps == 0);
    Config single;
    single.command = {"true"};
    single.uid = 0;
    CHECK(make_plan(single, alice())->caps == 0);
}

TEST_CASE("plan: explicit maps without the caller need --uid, and then switch to it") {
    Config c;
    c.command = {"true"};
    c.map_uid = {{0, 100000, 100}};
    c.map_gid = {{0, 100000, 100}};
    CHECK(make_plan(c, alice()).error().context ==
          "--map-uid: your uid 1001 is not mapped; map it or choose --uid");
    c.uid = 0;
    c.gid = 0;
    auto plan = make_plan(c, alice());
    REQUIRE(plan);
    CHECK(plan->switch_uid == 0u);
    CHECK(plan->switch_gid == 0u);
    CHECK(plan->switch_early);  // an unmapped fsuid could not create the mount points
    c.uid = 500;
    CHECK(make_plan(c, alice()).error().context == "--uid 500 is not mapped by --map-uid");
}

TEST_CASE("plan: --map-uid alone keeps the single gid map and denies setgroups") {
    Config c;
    c.command = {"true"};
    c.map_uid = {{0, 1001, 1}, {1, 100000, 10}};
    auto plan = make_plan(c, alice());
    REQUIRE(plan);
    CHECK(plan->maps->uid.via_helper);
    CHECK_FALSE(plan->maps->gid.via_helper);
    CHECK(plan->maps->deny_setgroups());
    CHECK(render_map(plan->maps->gid.entries) == "1001 1001 1\n");
}

TEST_CASE("plan: the ranges' bad lines surface as warnings") {
    Config c;
    c.command = {"true"};
    c.map_auto = true;
    HostFacts f = alice();
    f.subuid_text += "junk\n";
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK(plan->warnings == std::vector<std::string>{"/etc/subuid:2: ignoring a malformed line"});
}

}  // namespace
}  // namespace cocoon
