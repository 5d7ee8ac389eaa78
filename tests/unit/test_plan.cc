// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cerrno>

#include "core/plan.h"
#include "facts.h"

namespace cocoon {
namespace {

using testing::user_facts;

Config with_command(Config c) {
    c.command = {"sh", "-c", "true"};
    return c;
}

TEST_CASE("an unprivileged caller always gets a user namespace mapping its own ids") {
    auto plan = make_plan(with_command({}), user_facts());
    REQUIRE(plan);
    CHECK(plan->ns.user);
    REQUIRE(plan->maps);
    CHECK(render_map(plan->maps->uid.entries) == "1001 1001 1\n");
    CHECK(render_map(plan->maps->gid.entries) == "1002 1002 1\n");
    CHECK(plan->maps->deny_setgroups());
    CHECK_FALSE(plan->nested_maps);
    CHECK(plan->caps == 0);
    CHECK(plan->bounding == plan->caps);
}

TEST_CASE("--uid and --gid choose the ids inside") {
    Config c = with_command({});
    c.uid = 0;
    c.gid = 5;
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(render_map(plan->maps->uid.entries) == "0 1001 1\n");
    CHECK(render_map(plan->maps->gid.entries) == "5 1002 1\n");
}

TEST_CASE("with --dev the first namespace maps root and a nested one maps the requested ids") {
    Config c = with_command({});
    c.fs.push_back({.flag = "--dev", .kind = FsKind::Dev, .dest = "/dev"});
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(render_map(plan->maps->uid.entries) == "0 1001 1\n");
    REQUIRE(plan->nested_maps);
    CHECK(render_map(plan->nested_maps->uid.entries) == "1001 0 1\n");
    CHECK(render_map(plan->nested_maps->gid.entries) == "1002 0 1\n");
}

TEST_CASE("real root with --unshare-user maps root and denies setgroups like everyone else") {
    HostFacts root;
    Config c = with_command({});
    c.unshare_user = true;
    c.fs.push_back({.flag = "--dev", .kind = FsKind::Dev, .dest = "/dev"});
    auto plan = make_plan(c, root);
    REQUIRE(plan);
    CHECK(render_map(plan->maps->uid.entries) == "0 0 1\n");
    CHECK(plan->maps->deny_setgroups());
    CHECK_FALSE(plan->nested_maps);
    CHECK(plan->caps == (1ULL << 41) - 1);  // real root keeps everything, as with bwrap
    CHECK(plan->bounding == (1ULL << 41) - 1);
}

TEST_CASE("real root without --unshare-user keeps the host ids and its capabilities") {
    HostFacts root;
    auto plan = make_plan(with_command({}), root);
    REQUIRE(plan);
    CHECK_FALSE(plan->ns.user);
    CHECK_FALSE(plan->maps);
    CHECK(plan->caps == (1ULL << 41) - 1);
    CHECK(plan->bounding == (1ULL << 41) - 1);
}

TEST_CASE("cross-checks give bwrap's messages") {
    HostFacts root;
    Config uid = with_command({});
    uid.uid = 3;
    CHECK(make_plan(uid, root).error().context == "Specifying --uid requires --unshare-user or --userns");
    Config host = with_command({});
    host.hostname = "box";
    CHECK(make_plan(host, user_facts()).error().context == "Specifying --hostname requires --unshare-uts");
    host.unshare_uts = true;
    CHECK(make_plan(host, user_facts()));
    Config pid1 = with_command({});
    pid1.as_pid_1 = true;
    CHECK(make_plan(pid1, user_facts()).error().context == "Specifying --as-pid-1 requires --unshare-pid");
}

TEST_CASE("a pid namespace gets a reaper unless --as-pid-1") {
    Config c = with_command({});
    c.unshare_pid = true;
    CHECK(make_plan(c, user_facts())->reaper);
    c.as_pid_1 = true;
    CHECK_FALSE(make_plan(c, user_facts())->reaper);
}

TEST_CASE("the terminal's signals are forwarded only to a command in a session of its own") {
    Config c = with_command({});
    CHECK_FALSE(make_plan(c, user_facts())->forward_kernel_signals);
    c.new_session = true;
    CHECK(make_plan(c, user_facts())->forward_kernel_signals);
}

TEST_CASE("--net-allow: a network namespace of its own, relayed; not with --share-net") {
    Config c = with_command({});
    c.net_egress = true;
    c.net.rules = {*parse_net_rule("example.com")};
    const Result<Plan> plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->ns.net);
    CHECK(plan->net == c.net);
    CHECK_FALSE(plan->share_memory);  // we relay while it runs
    for (const char* var : {"HTTPS_PROXY=http://127.0.0.1:3128", "https_proxy=http://127.0.0.1:3128",
                            "HTTP_PROXY=http://127.0.0.1:3128", "http_proxy=http://127.0.0.1:3128"})
        CHECK_MESSAGE(std::find(plan->exec.env.begin(), plan->exec.env.end(), var) != plan->exec.env.end(),
                      var);
    c.share_net = true;
    CHECK(make_plan(c, user_facts()).error().context ==
          "--share-net keeps the host's network, and --net-allow makes one of its own: drop one of them");
}

TEST_CASE("cgroup namespaces: -try follows the kernel, the plain flag insists") {
    HostFacts f = user_facts();
    f.has_cgroup_ns = false;
    Config c = with_command({});
    c.unshare_cgroup_try = true;
    CHECK_FALSE(make_plan(c, f)->ns.cgroup);
    c.unshare_cgroup = true;
    CHECK_FALSE(make_plan(c, f));
}

TEST_CASE("the working directory falls back from the caller's to $HOME to /") {
    Config c = with_command({});
    c.env = {"HOME=/home/u2", "PWD=/old", "PATH=/bin"};
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->exec.chdir == std::vector<std::string>{"/home/u", "/home/u2", "/"});
    CHECK_FALSE(plan->exec.chdir_strict);
    CHECK(plan->exec.env == std::vector<std::string>{"HOME=/home/u2", "PATH=/bin"});
    c.chdir = "/work";
    auto strict = make_plan(c, user_facts());
    CHECK(strict->exec.chdir == std::vector<std::string>{"/work"});
    CHECK(strict->exec.chdir_strict);
}

TEST_CASE("--argv0 replaces argv[0] but not the file executed") {
    Config c = with_command({});
    c.argv0 = "login-shell";
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->exec.file == "sh");
    CHECK(plan->exec.argv.front() == "login-shell");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--cap-add and --cap-drop apply in order, ALL meaning every capability of the kernel") {
    const HostFacts f = user_facts();
    Config c;
    c.command = {"true"};
    c.cap_ops = {{.add = true, .all_caps = true}, {.add = false, .cap = 0}};
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK(plan->caps == ((1ULL << 41) - 1) - 1);
    CHECK(plan->bounding == plan->caps);
    c.cap_ops = {{.add = true, .cap = 12}, {.add = true, .cap = 21}, {.add = false, .cap = 21}};
    CHECK(make_plan(c, f)->caps == (1ULL << 12));
    HostFacts root;
    c.cap_ops = {{.add = false, .all_caps = true}, {.add = true, .cap = 0}};
    CHECK(make_plan(c, root)->caps == 1);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("coordination cross-checks give bwrap's messages") {
    const HostFacts f = user_facts();
    Config c;
    c.command = {"true"};
    c.coord.userns_block_fd = 5;
    CHECK(make_plan(c, f).error().context == "--userns-block-fd requires --unshare-user");
    c.unshare_user = true;
    CHECK(make_plan(c, f).error().context == "--userns-block-fd requires --info-fd");
    c.coord.info_fd = 6;
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK_FALSE(plan->maps);  // the caller writes them
    Config lock;
    lock.command = {"true"};
    lock.unshare_pid = true;
    lock.as_pid_1 = true;
    lock.coord.lock_files = {"/x"};
    CHECK(make_plan(lock, f).error().context == "Specifying --as-pid-1 and --lock-file is not permitted");
    Config label;
    label.command = {"true"};
    label.labels.exec = "system_u:object_r:x";
    CHECK(make_plan(label, f).error().context == "labeling not supported on this system");
}

TEST_CASE("--sync-fd and --lock-file keep a reaper even without a pid namespace") {
    const HostFacts f = user_facts();
    Config c;
    c.command = {"true"};
    CHECK_FALSE(make_plan(c, f)->reaper);
    c.coord.sync_fd = 5;
    CHECK(make_plan(c, f)->reaper);
    c.coord.sync_fd.reset();
    c.coord.lock_files = {"/x"};
    CHECK(make_plan(c, f)->reaper);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("namespaces by fd: cross-checks with bwrap's messages") {
    const HostFacts f = user_facts();
    Config c;
    c.command = {"true"};
    c.join.userns_fd = 5;
    auto joined = make_plan(c, f);
    REQUIRE(joined);
    CHECK_FALSE(joined->ns.user);  // joined, not created
    CHECK_FALSE(joined->maps);
    c.unshare_user = true;
    CHECK(make_plan(c, f).error().context == "--userns not compatible --unshare-user");
    Config d;
    d.command = {"true"};
    d.disable_userns = true;
    CHECK(make_plan(d, f).error().context == "--disable-userns requires --unshare-user");
    d.unshare_user = true;
    auto disabled = make_plan(d, f);
    REQUIRE(disabled);
    REQUIRE(disabled->nested_maps);  // the nested namespace uses up the limit of one
    CHECK(render_map(disabled->maps->uid.entries) == "1001 1001 1\n");
    CHECK(render_map(disabled->nested_maps->uid.entries) == "1001 1001 1\n");
    d.coord.userns_block_fd = 5;
    d.coord.info_fd = 6;
    CHECK(make_plan(d, f).error().context == "--disable-userns is not compatible with  --userns-block-fd");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--pidns with --unshare-pid makes the new pid namespace from an intermediate process") {
    const HostFacts f = user_facts();
    Config c;
    c.command = {"true"};
    c.join.pidns_fd = 5;
    CHECK_FALSE(make_plan(c, f)->intermediate);
    c.unshare_pid = true;
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK(plan->intermediate);
    CHECK(plan->reaper);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("the option fds the sandbox consumes are planned once each, and --sync-fd among them") {
    Config c = with_command({});
    c.fs.push_back(FsRequest{.flag = "--bind-fd", .kind = FsKind::BindFd, .dest = "/a", .fd = 5});
    c.fs.push_back(FsRequest{.flag = "--file", .kind = FsKind::File, .dest = "/f", .fd = 5});
    c.fs.push_back(FsRequest{.flag = "--bind-data", .kind = FsKind::BindData, .dest = "/d", .fd = 9});
    c.coord.sync_fd = 7;
    c.coord.block_fd = 3;
    c.coord.info_fd = 8;  // the parent's: closed in the sandbox first thing, not listed
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->consumed_fds == std::vector<int>{3, 5, 7, 9});
}

TEST_CASE("filters go on PID 1 before the command only with a reaper, and only if they allow what follows") {
    static AfterFilters seen;
    auto allow = [](const std::vector<std::string>&, const AfterFilters& after) {
        seen = after;
        return true;
    };
    auto refuse = [](const std::vector<std::string>&, const AfterFilters&) { return false; };
    Config c = with_command({});
    c.unshare_pid = true;
    c.die_with_parent = true;
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    REQUIRE(plan->reaper);
    add_filters(*plan, {}, allow);
    CHECK_FALSE(plan->filters_before_command);  // no filter at all
    add_filters(*plan, {std::string(8, '\0')}, allow);
    CHECK(plan->filters_before_command);
    CHECK(seen.death_signal);
    CHECK(seen.capset);  // PID 1 sets its own, whatever the command keeps
    CHECK(seen.pid1_dumpable);
    auto fresh = [&] { return *make_plan(c, user_facts()); };
    Plan unfiltered = fresh();
    add_filters(unfiltered, {}, refuse);
    CHECK_FALSE(unfiltered.filters_before_command);
    Plan refused = fresh();
    add_filters(refused, {std::string(8, '\0')}, refuse);
    CHECK_FALSE(refused.filters_before_command);
    auto no_reaper = make_plan(with_command({}), user_facts());
    REQUIRE(no_reaper);
    add_filters(*no_reaper, {std::string(8, '\0')}, allow);
    CHECK_FALSE(no_reaper->filters_before_command);  // the command itself is PID 1, or there is none
}

TEST_CASE("--report-fd: the last --seccomp-profile that denies with an errno reports its denials") {
    auto allow = [](const std::vector<std::string>&, const AfterFilters&) { return true; };
    auto handoff = [](const std::vector<std::string>&) { return true; };
    auto no_handoff = [](const std::vector<std::string>&) { return false; };
    const auto ret = [](std::uint32_t k) {
        const sock_filter insn = BPF_STMT(BPF_RET | BPF_K, k);
        return std::string(reinterpret_cast<const char*>(&insn), sizeof insn);
    };
    const std::string eperm = ret(SECCOMP_RET_ERRNO | EPERM), enosys = ret(SECCOMP_RET_ERRNO | ENOSYS),
                      allowed = ret(SECCOMP_RET_ALLOW);
    Config c = with_command({});
    c.coord.report_fd = 3;
    auto fresh = [&](const HostFacts& facts) { return *make_plan(c, facts); };
    Plan plan = fresh(user_facts());
    add_filters(plan, {eperm, eperm, enosys, allowed}, allow, handoff);
    REQUIRE(plan.syscall_report);
    CHECK(plan.syscall_report->filter == 1);
    CHECK(plan.syscall_report->original == eperm);
    CHECK(plan.seccomp_filters[1] == ret(SECCOMP_RET_USER_NOTIF));
    CHECK(plan.seccomp_filters[0] == eperm);
    CHECK_FALSE(plan.share_memory);
    CHECK(plan.syscall_report_off.empty());
    // --seccomp/--add-seccomp-fd programs are the caller's: never rewritten.
    Plan fd_only = fresh(user_facts());
    fd_only.seccomp_filters = {eperm};
    fd_only.fd_filters = 1;
    add_filters(fd_only, {}, allow, handoff);
    CHECK_FALSE(fd_only.syscall_report);
    CHECK(fd_only.syscall_report_off.empty());
    Plan nothing = fresh(user_facts());
    add_filters(nothing, {enosys, allowed}, allow, handoff);
    CHECK_FALSE(nothing.syscall_report);
    CHECK(nothing.syscall_report_off.find("ENOSYS") != std::string::npos);
    Plan refused = fresh(user_facts());
    add_filters(refused, {eperm}, allow, no_handoff);
    CHECK_FALSE(refused.syscall_report);
    CHECK(refused.seccomp_filters[0] == eperm);
    CHECK(refused.syscall_report_off.find("handing its listener out") != std::string::npos);
    HostFacts old = user_facts();
    old.kernel.user_notif = false;
    Plan old_kernel = fresh(old);
    add_filters(old_kernel, {eperm}, allow, handoff);
    CHECK_FALSE(old_kernel.syscall_report);
    CHECK(old_kernel.syscall_report_off.find("Linux 5.0") != std::string::npos);
    c.coord.report_fd.reset();
    Plan unasked = fresh(user_facts());
    add_filters(unasked, {eperm}, allow, handoff);
    CHECK_FALSE(unasked.syscall_report);
    CHECK(unasked.syscall_report_off.empty());
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

HostFacts limited_facts() {
    HostFacts f = testing::user_facts();
    f.rlimit_hard[7] = 4096;  // RLIMIT_NOFILE
    return f;
}

Config lifecycle_config() {
    Config c;
    c.command = {"true"};
    return c;
}

TEST_CASE("lifecycle: --on-exit and --timeout need what they act on, with one-line reasons") {
    Config c = lifecycle_config();
    c.on_exit = Config::OnExit::Kill;
    auto refused = make_plan(c, limited_facts());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().context.starts_with("--on-exit kill needs a pid namespace"));
    c.unshare_pid = true;
    CHECK(make_plan(c, limited_facts())->on_exit == Config::OnExit::Kill);

    Config wait = lifecycle_config();
    wait.on_exit = Config::OnExit::Wait;
    auto planned = make_plan(wait, limited_facts());
    REQUIRE(planned);
    CHECK(planned->reaper);  // orphans come to a subreaper even without a pid namespace
    wait.unshare_pid = true;
    wait.as_pid_1 = true;
    CHECK(make_plan(wait, limited_facts()).error().context ==
          "--on-exit wait needs cocoon's reaper: drop --as-pid-1");

    Config t = lifecycle_config();
    t.kill_after_ns = 1;
    CHECK(make_plan(t, limited_facts()).error().context == "--kill-after needs --timeout");
    t.timeout_ns = 2'000'000'000;
    CHECK(make_plan(t, limited_facts()).error().context.starts_with("--timeout needs a pid namespace"));
    t.unshare_pid = true;
    auto timed = make_plan(t, limited_facts());
    REQUIRE(timed);
    CHECK(*timed->timeout_ns == 2'000'000'000);
    CHECK(timed->kill_after_ns == 1);
    t.kill_after_ns.reset();
    CHECK(make_plan(t, limited_facts())->kill_after_ns ==
          5'000'000'000ULL);  // timeout(1)'s habit, documented
}

TEST_CASE("lifecycle: --rlimit stays under the hard limit we may raise to, a later one for a resource wins") {
    Config c = lifecycle_config();
    c.rlimits = {{7, {64, 128}, "NOFILE 64:128"}, {6, {10, 10}, "NPROC 10"}, {7, {32, 32}, "NOFILE 32"}};
    auto plan = make_plan(c, limited_facts());
    REQUIRE(plan);
    REQUIRE(plan->rlimits.size() == 2);
    CHECK(plan->rlimits[0].resource == 7);
    CHECK(plan->rlimits[0].value.soft == 32);
    CHECK(plan->rlimits[1].resource == 6);
    c.rlimits = {{7, {64, 8192}, "NOFILE 64:8192"}};
    CHECK(make_plan(c, limited_facts())
              .error()
              .context.starts_with("--rlimit NOFILE 64:8192: above the hard limit 4096"));
    c.rlimits = {{7, {64, ~0ULL}, "NOFILE 64:unlimited"}};
    CHECK_FALSE(make_plan(c, limited_facts()));
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("the process model is planned: who waits for the parent, who shares its memory") {
    Config c;
    c.command = {"true"};
    HostFacts f = testing::user_facts();
    auto plain = make_plan(c, f);
    REQUIRE(plain);
    CHECK_FALSE(plain->child_waits);
    CHECK(plain->share_memory);  // no reaper, nothing to wait for: vfork until execve
    Config info = c;
    info.coord.info_fd = 1;
    CHECK(make_plan(info, f)->child_waits);
    CHECK_FALSE(make_plan(info, f)->share_memory);
    Config pid = c;
    pid.unshare_pid = true;
    CHECK_FALSE(make_plan(pid, f)->share_memory);  // the reaper stays behind
    Config dwp = c;
    dwp.die_with_parent = true;
    CHECK_FALSE(make_plan(dwp, f)->share_memory);  // asleep, we could not follow our parent
    Config block = c;
    block.coord.block_fd = 0;
    CHECK_FALSE(make_plan(block, f)->share_memory);
    Config bw = c;
    bw.bwrap = true;
    CHECK(make_plan(bw, f)->bwrap_status_line);
    CHECK_FALSE(plain->bwrap_status_line);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("PID 1 keeps CAP_SYS_PTRACE permitted, and the command does not get it") {
    Config c;
    c.command = {"true"};
    c.unshare_pid = true;
    HostFacts f = testing::user_facts();
    auto plan = make_plan(c, f);
    REQUIRE(plan);
    CHECK(plan->pid1_keeps == 1ULL << 19);
    CHECK(plan->caps == 0);
    CHECK((plan->bounding & plan->pid1_keeps) == 0);  // the command cannot regain it at execve
    c.unshare_pid = false;                            // no PID 1 of ours
    CHECK(make_plan(c, f)->pid1_keeps == 0);
    c.unshare_pid = true;
    c.as_pid_1 = true;
    CHECK(make_plan(c, f)->pid1_keeps == 0);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--seccomp-profile files are parsed and lowered while planning, built-ins are not") {
    Config c = with_command({});
    c.seccomp_profiles = {"default", "./p.txt", "none", "./p.json"};
    c.cap_ops = {{.add = true, .cap = 21}};  // CAP_SYS_ADMIN: the JSON profile's includes see it
    HostFacts f = user_facts();
    f.seccomp.known = [](std::string_view name) { return name != "no_such_call"; };
    f.seccomp.files = {{"./p.txt", "default allow\ndeny EPERM mount\ndeny EACCES personality arg0 != 0\n"},
                       {"./p.json", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                           {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                           {"names": ["mount"], "action": "SCMP_ACT_ALLOW",
                            "includes": {"caps": ["CAP_SYS_ADMIN"]}}]})"}};
    Result<Plan> plan = make_plan(c, f);
    REQUIRE(plan);
    REQUIRE(plan->seccomp_profiles.size() == 4);
    CHECK(plan->seccomp_profiles[0].builtin != nullptr);
    CHECK_FALSE(plan->seccomp_profiles[0].lowered);  // compiled at build time
    REQUIRE(plan->seccomp_profiles[1].lowered);
    CHECK(plan->seccomp_profiles[1].rules == 2);
    CHECK(plan->seccomp_profiles[2].builtin != nullptr);
    CHECK_FALSE(plan->seccomp_profiles[2].lowered);  // `none`
    REQUIRE(plan->seccomp_profiles[3].lowered);
    CHECK(plan->seccomp_profiles[3].rules == 3);  // mount included: the command has CAP_SYS_ADMIN
    c.cap_ops.clear();
    CHECK(make_plan(c, f)->seccomp_profiles[3].rules == 2);

    // Errors name the file and line, and nothing is planned.
    f.seccomp.files[0].second = "default allow\ndeny EPERM no_such_call\n";
    Result<Plan> bad = make_plan(c, f);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().context.find("./p.txt:2") != std::string::npos);
    // A file the facts do not hold was never read: planning says so.
    c.seccomp_profiles = {"./other"};
    CHECK_FALSE(make_plan(c, f));
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--env-keep: the basics, what --setenv set and the names matching a glob") {
    Config c = with_command({});
    c.env = {"PATH=/usr/bin",
             "HOME=/home/u",
             "TERM=xterm",
             "LC_ALL=C.UTF-8",
             "USER=u",
             "GITHUB_TOKEN=secret",
             "SSH_AUTH_SOCK=/run/agent",
             "GIT_AUTHOR_NAME=me",
             "FOO=bar",
             "PWD=/x"};
    c.env_keep = {"GIT_*"};
    c.env_set = {"FOO"};
    auto plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->exec.env == std::vector<std::string>{"PATH=/usr/bin", "HOME=/home/u", "TERM=xterm",
                                                     "LC_ALL=C.UTF-8", "USER=u", "GIT_AUTHOR_NAME=me",
                                                     "FOO=bar"});
    // No PATH to keep: one to search; uid 0 inside is root by name too.
    c.env = {"USER=u", "LOGNAME=u"};
    c.uid = 0;
    plan = make_plan(c, user_facts());
    REQUIRE(plan);
    CHECK(plan->exec.env ==
          std::vector<std::string>{"USER=root", "LOGNAME=root", "PATH=/usr/local/bin:/usr/bin:/bin"});
    // Without --env-keep everything passes, as with bwrap.
    c.env_keep.clear();
    c.env = {"GITHUB_TOKEN=secret"};
    CHECK(make_plan(c, user_facts())->exec.env == std::vector<std::string>{"GITHUB_TOKEN=secret"});
}

TEST_CASE(
    "a strict --protect or --mask needs the placeholder cleaner; the -try forms and socket masks do not") {
    const auto placeholders = [](std::vector<FsRequest> fs) {
        Config c = with_command({});
        c.fs = std::move(fs);
        auto plan = make_plan(c, user_facts());
        REQUIRE(plan);
        return plan->placeholders;
    };
    CHECK(placeholders({{.flag = "--protect", .kind = FsKind::Protect, .dest = "/w/.env"}}));
    CHECK(placeholders({{.flag = "--mask", .kind = FsKind::Mask, .dest = "/w/.aws/"}}));
    CHECK_FALSE(placeholders(
        {{.flag = "--protect-try", .kind = FsKind::Protect, .dest = "/w/.env", .allow_missing = true}}));
    CHECK_FALSE(placeholders({}));
}

}  // namespace
}  // namespace cocoon
