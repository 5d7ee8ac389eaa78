// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "core/plan.h"
#include "core/plan_text.h"
#include "facts.h"

#include <nlohmann/json.hpp>

namespace cocoon {
namespace {

using testing::user_facts;

Plan plan_of(Config c) {
    c.command = {"sh", "-c", "true"};
    Result<Plan> plan = make_plan(c, user_facts());
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().context));
    return *plan;
}

FsRequest req(FsKind kind, std::string flag, std::string source, std::string dest) {
    FsRequest r;
    r.kind = kind;
    r.flag = std::move(flag);
    r.source = std::move(source);
    r.dest = std::move(dest);
    return r;
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

TEST_CASE("--dry-run: every decision on a line of its own, mounts in order") {
    Config c;
    c.unshare_pid = true;
    c.unshare_net = true;
    c.die_with_parent = true;
    c.hostname = "box";
    c.unshare_uts = true;
    FsRequest ro = req(FsKind::Bind, "--ro-bind", "/usr", "/usr");
    ro.read_only = true;
    c.fs = {ro, req(FsKind::Tmpfs, "--tmpfs", "", "/tmp"),
            req(FsKind::Symlink, "--symlink", "usr/bin", "/bin"), req(FsKind::Dir, "--dir", "", "/a/../b"),
            req(FsKind::Proc, "--proc", "", "/proc")};
    const std::string text = render_plan(plan_of(c));
    CHECK(text.starts_with("# cocoon --dry-run"));
    CHECK(has_line(text, "namespaces: mount user pid net uts"));
    CHECK(has_line(text, "uid map: 1001 1001 1 (written by the sandbox)"));
    CHECK(has_line(text, "setgroups: deny"));
    CHECK(has_line(text, "mounts: 9"));
    CHECK(has_line(text, "  1. bind-ro /usr -> /usr"));
    CHECK(has_line(text, "  2. tmpfs /tmp"));
    CHECK(has_line(text, "  3. symlink /bin -> usr/bin"));
    CHECK(has_line(text, "  4. dir /a/../b"));
    CHECK(has_line(text, "  5. proc /proc"));
    CHECK(has_line(text, "  6. protect-ro /proc/sys"));
    CHECK(has_line(text, "hostname: box"));
    CHECK(has_line(text, "command: sh (argv \"sh\" \"-c\" \"true\")"));
    CHECK(has_line(text, "capabilities: none"));
    CHECK(has_line(text, "seccomp: none"));
    CHECK(has_line(text, "pid 1: cocoon's reaper (enterable by its owner, keeps cap_sys_ptrace permitted)"));
    CHECK(has_line(text, "lifecycle: on-exit detach, die with parent"));
    CHECK(text.find("placeholders:") == std::string::npos);
    c.fs.push_back(req(FsKind::Protect, "--protect", "", "/w/.git/hooks/"));
    const std::string with_rule = render_plan(plan_of(c));
    CHECK(with_rule.find(". protect /w/.git/hooks/\n") != std::string::npos);
    CHECK(has_line(with_rule,
                   "placeholders: for missing --protect/--mask paths, removed by a process outside when the "
                   "sandbox ends"));
}

TEST_CASE("--dry-run marks a mount that a later one hides, the ordering mistake users make") {
    Config c;
    c.fs = {req(FsKind::Bind, "--bind", "/src/proj", "/home/u/proj"),
            req(FsKind::Tmpfs, "--tmpfs", "", "/home/u"), req(FsKind::Dir, "--dir", "", "/home/u/new"),
            req(FsKind::Tmpfs, "--tmpfs", "", "/home/user2")};
    const std::string text = render_plan(plan_of(c));
    CHECK(has_line(text, "  1. bind /src/proj -> /home/u/proj  (hidden by 2)"));
    CHECK(has_line(text, "  2. tmpfs /home/u"));
    CHECK(has_line(text, "  3. dir /home/u/new"));  // made after: on the tmpfs
    CHECK(has_line(text, "  4. tmpfs /home/user2"));
}

TEST_CASE("--dry-run describes filters, limits, capabilities and coordination fds") {
    Config c;
    c.unshare_pid = true;
    c.timeout_ns = 2'500'000'000;
    c.on_exit = Config::OnExit::Kill;
    c.coord.sync_fd = 5;
    c.cap_ops = {{.add = true, .cap = 12}};  // CAP_NET_ADMIN
    c.uid = 0;
    c.rlimits = {{7, {64, 128}, "NOFILE 64:128"}};
    c.seccomp_profiles = {"default"};
    Plan plan = plan_of(c);
    add_filters(plan, {std::string(8 * 12, '\0')},
                [](const std::vector<std::string>&, const AfterFilters&) { return true; });
    const std::string text = render_plan(plan);
    CHECK(has_line(text,
                   "seccomp: 1 filters (--seccomp-profile default), installed by PID 1 before the command"));
    CHECK(has_line(text, "  1. 12 instructions (--seccomp-profile default, built-in)"));
    CHECK(has_line(text, "capabilities: cap_net_admin"));
    CHECK(has_line(text, "rlimit: NOFILE 64:128"));
    CHECK(has_line(text, "lifecycle: on-exit kill, timeout 2.5s (SIGKILL 5s later)"));
    CHECK(has_line(text, "sync fd: 5"));
    CHECK(has_line(text, "closed before the command: fds 5"));
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--dry-run --json: the same decisions as one JSON object") {
    Config c;
    c.unshare_pid = true;
    c.fs = {req(FsKind::Bind, "--ro-bind", "/usr", "/usr"), req(FsKind::Tmpfs, "--tmpfs", "", "/usr")};
    c.timeout_ns = 1'500'000'000;
    c.rlimits = {{7, {64, ~0ULL}, "NOFILE 64"}};
    c.coord.sync_fd = 5;
    Plan plan = plan_of(c);
    const nlohmann::json j = nlohmann::json::parse(render_plan_json(plan));
    CHECK(j["namespaces"] == nlohmann::json({"mount", "user", "pid"}));
    CHECK(j["id_maps"]["uid"]["entries"][0]["inside"] == 1001);
    CHECK(j["id_maps"]["uid"]["written_by"] == "sandbox");
    CHECK(j["mounts"].size() == plan.mounts.ops.size());
    CHECK(j["mounts"][0]["hidden_by"] == 2);
    CHECK_FALSE(j["mounts"][1].contains("hidden_by"));
    CHECK(j["command"]["argv"] == nlohmann::json({"sh", "-c", "true"}));
    CHECK(j["capabilities"].empty());
    CHECK(j["pid1"]["keeps_permitted"] == nlohmann::json({"cap_sys_ptrace"}));
    CHECK(j["lifecycle"]["timeout_s"] == 1.5);
    CHECK(j["rlimits"][0]["hard"] == "unlimited");
    CHECK(j["sync_fd"] == 5);
    CHECK(j["info_fd"].is_null());
    CHECK(j["hostname"].is_null());
}

}  // namespace
}  // namespace cocoon
