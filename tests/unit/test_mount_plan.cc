// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "core/mount_plan.h"

namespace cocoon {
namespace {

std::vector<std::string> describe_all(const MountPlan& plan) {
    std::vector<std::string> out;
    for (const MountOp& op : plan.ops) out.push_back(describe(op));
    return out;
}

FsRequest req(std::string flag, FsKind kind, std::string source, std::string dest) {
    FsRequest r{.flag = flag, .kind = kind, .source = std::move(source), .dest = std::move(dest)};
    r.read_only = flag.starts_with("--ro-");
    r.allow_devices = flag.starts_with("--dev-");
    r.allow_missing = flag.ends_with("-try");
    return r;
}

TEST_CASE("the plan keeps flag order and normalises destinations") {
    auto plan = plan_mounts(
        {req("--ro-bind", FsKind::Bind, "/usr", "/usr"), req("--tmpfs", FsKind::Tmpfs, "", "//tmp/./"),
         req("--symlink", FsKind::Symlink, "usr/bin", "/bin"), req("--bind-try", FsKind::Bind, "/x", "/y/")},
        {});
    REQUIRE(plan);
    CHECK(describe_all(*plan) == std::vector<std::string>{"bind-ro /usr -> /usr", "tmpfs /tmp",
                                                          "symlink /bin -> usr/bin", "bind-try /x -> /y"});
    CHECK_FALSE(plan->needs_devpts);
    CHECK(plan->ops[1].request == 1);
}

TEST_CASE("--protect and --mask go last, after pins of the directories between their mount and them") {
    auto plan = plan_mounts(
        {req("--protect", FsKind::Protect, "", "/w/.git/hooks"), req("--ro-bind", FsKind::Bind, "/", "/"),
         req("--bind", FsKind::Bind, "/home/u/w", "/w"), req("--mask-try", FsKind::Mask, "", "/w/.env"),
         req("--protect", FsKind::Protect, "", "/w/.git/config"),
         req("--protect-try", FsKind::Protect, "", "/w"), req("--mask", FsKind::Mask, "", "/etc/shadow")},
        {});
    REQUIRE(plan);
    // Pins first; then the rules grouped by the directory they lie in.
    CHECK(describe_all(*plan) == std::vector<std::string>{"bind-ro / -> /", "bind /home/u/w -> /w",
                                                          "pin /w/.git", "protect-try /w", "mask /etc/shadow",
                                                          "mask-try /w/.env", "protect /w/.git/hooks",
                                                          "protect /w/.git/config"});
    // Each rule knows the mount it lies in; its pins and it serve its option.
    CHECK(plan->ops[2].source == "/w");
    CHECK(plan->ops[2].request == 0);
    CHECK(plan->ops[3].source == "/w");
    CHECK(plan->ops[4].source == "/");
    CHECK(plan->ops[6].source == "/w");
    CHECK(plan->ops[6].request == 0);
    CHECK(plan->ops[5].allow_missing);
    // ".." could lead a rule anywhere: refused (tests/fuzz/regressions/cli-mask-dotdot).
    CHECK(plan_mounts({req("--mask-try", FsKind::Mask, "", "/x/../y")}, {}).error().context ==
          "--mask-try /x/../y: a path with '..' is not taken; give the path it means");
    // In a read-only mount nothing can be renamed: no pins. Under no mount of
    // the plan's: pinned from the sandbox's root.
    auto bare = plan_mounts({req("--protect", FsKind::Protect, "", "/a/b/c")}, {});
    REQUIRE(bare);
    CHECK(describe_all(*bare) == std::vector<std::string>{"pin /a", "pin /a/b", "protect /a/b/c"});
    // DEST ending in '/': a missing path's placeholder is a directory.
    auto dirs = plan_mounts(
        {req("--protect", FsKind::Protect, "", "/a/hooks/"), req("--mask", FsKind::Mask, "", "/a/k")}, {});
    REQUIRE(dirs);
    CHECK(describe_all(*dirs) == std::vector<std::string>{"pin /a", "protect /a/hooks/", "mask /a/k"});
    CHECK(dirs->ops[1].placeholder_dir);
    CHECK_FALSE(dirs->ops[2].placeholder_dir);
}

TEST_CASE(
    "a privileged socket a bind of a directory above it shows is masked, unless allowed or bound itself") {
    const MountContext ctx{.sockets = {"/run/docker.sock", "/run/user/1000/bus"}};
    const auto masks = [](const Result<MountPlan>& plan) {
        std::vector<std::string> out;
        for (const MountOp& op : plan->ops)
            if (op.socket)
                out.push_back(op.target);
        return out;
    };
    const FsRequest root = req("--ro-bind", FsKind::Bind, "/", "/");
    CHECK(masks(plan_mounts({root}, ctx)) ==
          std::vector<std::string>{"/run/docker.sock", "/run/user/1000/bus"});
    // Hidden by a later mount: nothing to mask.
    CHECK(masks(plan_mounts({root, req("--tmpfs", FsKind::Tmpfs, "", "/run")}, ctx)).empty());
    // Bound by itself: asked for. Elsewhere: masked where it shows.
    CHECK(masks(plan_mounts({req("--bind", FsKind::Bind, "/run/docker.sock", "/d.sock")}, ctx)).empty());
    CHECK(masks(plan_mounts({req("--ro-bind", FsKind::Bind, "/run", "/hostrun")}, ctx)) ==
          std::vector<std::string>{"/hostrun/docker.sock", "/hostrun/user/1000/bus"});
    // --allow-socket by the host's path or the sandbox's.
    MountContext allowing = ctx;
    allowing.allowed_sockets = {"/run/docker.sock", "/hostrun/user/1000/bus"};
    CHECK(masks(plan_mounts({root}, allowing)) == std::vector<std::string>{"/run/user/1000/bus"});
    CHECK(masks(plan_mounts({req("--ro-bind", FsKind::Bind, "/run", "/hostrun")}, allowing)).empty());
    // Not shown at all: nothing.
    CHECK(masks(plan_mounts({req("--ro-bind", FsKind::Bind, "/usr", "/usr")}, ctx)).empty());
    CHECK(describe(plan_mounts({root}, ctx)->ops.back()) ==
          "mask-socket /run/user/1000/bus (--allow-socket lets it through)");
    // A destination with '..' is resolved only in the new root: a mask there
    // could miss, so it is refused, naming the fix (found by tests/fuzz).
    const auto dotdot = plan_mounts({req("--ro-bind", FsKind::Bind, "/", "a/../y")}, ctx);
    REQUIRE_FALSE(dotdot);
    CHECK(dotdot.error().context ==
          "--ro-bind / a/../y: a destination with '..' would show the privileged socket /run/docker.sock "
          "unmasked; give the path it means, or let it through with --allow-socket /run/docker.sock");
    MountContext all_allowed = ctx;
    all_allowed.allowed_sockets = {"/run/docker.sock", "/run/user/1000/bus"};
    CHECK(plan_mounts({req("--ro-bind", FsKind::Bind, "/", "a/../y")}, all_allowed));
    CHECK(plan_mounts({req("--ro-bind", FsKind::Bind, "/usr", "a/../usr")}, ctx));
}

TEST_CASE("relative bind sources are made absolute from the caller's directory") {
    auto plan = plan_mounts({req("--bind", FsKind::Bind, "src", "/src")}, {.cwd = "/home/u"});
    REQUIRE(plan);
    CHECK(plan->ops[0].source == "/home/u/src");
}

TEST_CASE("a bad destination is a usage error naming the flag") {
    auto plan = plan_mounts({req("--tmpfs", FsKind::Tmpfs, "", "")}, {});
    REQUIRE_FALSE(plan);
    CHECK(plan.error().context == "--tmpfs: destination is empty");
}

TEST_CASE("--proc mounts a fresh procfs with a pid namespace and protects the kernel knobs") {
    auto plan = plan_mounts({req("--proc", FsKind::Proc, "", "/proc")}, {.new_pid_ns = true});
    REQUIRE(plan);
    CHECK(describe_all(*plan) == std::vector<std::string>{"proc /proc", "protect-ro /proc/sys",
                                                          "protect-ro /proc/sysrq-trigger",
                                                          "protect-ro /proc/irq", "protect-ro /proc/bus"});
}

TEST_CASE("--proc without a pid namespace binds the host's /proc") {
    auto plan = plan_mounts({req("--proc", FsKind::Proc, "", "/p")}, {.new_pid_ns = false});
    REQUIRE(plan);
    CHECK(describe(plan->ops[0]) == "bind /proc -> /p");
}

TEST_CASE("--dev builds a minimal /dev and asks for devpts") {
    auto plan = plan_mounts({req("--dev", FsKind::Dev, "", "/dev")}, {});
    REQUIRE(plan);
    CHECK(plan->needs_devpts);
    CHECK(describe_all(*plan) == std::vector<std::string>{
                                     "tmpfs /dev",
                                     "bind-dev /dev/null -> /dev/null",
                                     "bind-dev /dev/zero -> /dev/zero",
                                     "bind-dev /dev/full -> /dev/full",
                                     "bind-dev /dev/random -> /dev/random",
                                     "bind-dev /dev/urandom -> /dev/urandom",
                                     "bind-dev /dev/tty -> /dev/tty",
                                     "symlink /dev/stdin -> /proc/self/fd/0",
                                     "symlink /dev/stdout -> /proc/self/fd/1",
                                     "symlink /dev/stderr -> /proc/self/fd/2",
                                     "symlink /dev/fd -> /proc/self/fd",
                                     "symlink /dev/core -> /proc/kcore",
                                     "dir /dev/shm",
                                     "devpts /dev/pts",
                                     "symlink /dev/ptmx -> pts/ptmx",
                                 });
}

TEST_CASE("--dev binds the caller's terminal as /dev/console when stdout is one") {
    auto plan = plan_mounts({req("--dev", FsKind::Dev, "", "/d")}, {.stdout_tty = "/dev/pts/3"});
    REQUIRE(plan);
    CHECK(describe(plan->ops.back()) == "bind-dev /dev/pts/3 -> /d/console");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("created objects get bwrap's default modes, or --perms, and parents follow --perms") {
    FsRequest dir{.flag = "--dir", .kind = FsKind::Dir, .dest = "/a/b"};
    FsRequest file{.flag = "--file", .kind = FsKind::File, .dest = "/f", .fd = 5};
    FsRequest data{.flag = "--bind-data", .kind = FsKind::BindData, .dest = "/g", .fd = 6};
    FsRequest tmp{.flag = "--tmpfs", .kind = FsKind::Tmpfs, .dest = "/t"};
    auto plan = plan_mounts({dir, file, data, tmp}, {});
    REQUIRE(plan);
    CHECK(plan->ops[0].mode == 0755);
    CHECK(plan->ops[1].mode == 0666);
    CHECK(plan->ops[2].mode == 0600);
    CHECK(plan->ops[3].mode == 0755);
    dir.perms = 0700;
    tmp.perms = 0750;
    tmp.size = 1 << 20;
    auto with = plan_mounts({dir, tmp}, {});
    REQUIRE(with);
    CHECK(with->ops[0].mode == 0700);
    CHECK(with->ops[0].parent_mode == 0700);
    CHECK(with->ops[1].parent_mode == 0750);
    CHECK(describe(with->ops[1]) == "tmpfs /t mode 0750 size 1048576");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("describe() says what each kind of op does, for --dry-run and messages") {
    const std::vector<std::pair<MountOp, std::string>> cases = {
        {{.kind = MountKind::Bind, .source = "/a", .target = "/b"}, "bind /a -> /b"},
        {{.kind = MountKind::Bind, .source = "/a", .target = "/b", .read_only = true, .allow_missing = true},
         "bind-ro-try /a -> /b"},
        {{.kind = MountKind::Bind, .source = "/dev/null", .target = "/n", .allow_devices = true},
         "bind-dev /dev/null -> /n"},
        {{.kind = MountKind::RemountRo, .target = "/b"}, "remount-ro /b"},
        {{.kind = MountKind::Tmpfs, .target = "/t"}, "tmpfs /t"},
        {{.kind = MountKind::Tmpfs, .target = "/t", .mode = 0700, .size = 4096},
         "tmpfs /t mode 0700 size 4096"},
        {{.kind = MountKind::Procfs, .target = "/proc"}, "proc /proc"},
        {{.kind = MountKind::Devpts, .target = "/dev/pts"}, "devpts /dev/pts"},
        {{.kind = MountKind::ProtectRo, .target = "/proc/sys"}, "protect-ro /proc/sys"},
        {{.kind = MountKind::Dir, .target = "/d", .mode = 0750}, "dir /d mode 0750"},
        {{.kind = MountKind::Symlink, .source = "usr/bin", .target = "/bin"}, "symlink /bin -> usr/bin"},
        {{.kind = MountKind::Chmod, .target = "/f", .mode = 0600}, "chmod 0600 /f"},
        {{.kind = MountKind::File, .target = "/f", .mode = 0666, .fd = 5}, "file /f mode 0666 from fd 5"},
        {{.kind = MountKind::BindData, .target = "/f", .read_only = true, .mode = 0600, .fd = 6},
         "bind-data-ro /f mode 0600 from fd 6"},
        {{.kind = MountKind::BindFd, .target = "/f", .fd = 7}, "bind-fd 7 -> /f"},
        {{.kind = MountKind::Mqueue, .target = "/mq"}, "mqueue /mq"},
        {{.kind = MountKind::Overlay, .target = "/o", .read_only = true, .layers = {"/l1", "/l2"}},
         "overlay-ro /l1:/l2 -> /o"},
        {{.kind = MountKind::Overlay, .source = "/up", .target = "/o", .layers = {"/l1"}, .work = "/wd"},
         "overlay /l1 -> /o upper /up work /wd"},
        {{.kind = MountKind::Overlay, .target = "/o", .layers = {"/l1"}, .tmp_upper = true},
         "overlay-tmp /l1 -> /o"},
    };
    for (const auto& [op, text] : cases) CHECK(describe(op) == text);
}

}  // namespace
}  // namespace cocoon
