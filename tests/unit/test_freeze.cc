// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "run/freeze.h"

namespace cocoon::child {
namespace {

// Every kind of op, with strings long enough not to fit in a std::string's
// inline buffer, so that a pointer into moved storage would show (under ASan).
std::vector<MountOp> one_of_each(std::size_t i) {
    const std::string tail = std::to_string(i) + std::string(40, 'x');
    std::vector<MountOp> ops;
    for (const MountKind kind :
         {MountKind::Bind, MountKind::RemountRo, MountKind::Tmpfs, MountKind::Procfs, MountKind::Devpts,
          MountKind::ProtectRo, MountKind::Dir, MountKind::Symlink, MountKind::Chmod, MountKind::File,
          MountKind::BindData, MountKind::BindFd, MountKind::Mqueue, MountKind::Overlay}) {
        MountOp op{
            .kind = kind, .source = "/src/" + tail, .target = "/dst/" + tail, .mode = 0700, .size = 4096};
        if (kind == MountKind::Overlay) {
            op.layers = {"/low1/" + tail, "/low2/" + tail};
            op.work = "/work/" + tail;
        }
        ops.push_back(std::move(op));
    }
    return ops;
}

TEST_CASE("freeze: every op kind, 10,000 ops and huge argv and env stay intact") {
    Plan plan;
    while (plan.mounts.ops.size() < 10'000) {
        auto more = one_of_each(plan.mounts.ops.size());
        plan.mounts.ops.insert(plan.mounts.ops.end(), more.begin(), more.end());
    }
    plan.exec.file = "prog";
    for (int i = 0; i < 100'000; ++i)
        plan.exec.argv.push_back("arg-" + std::to_string(i) + std::string(20, 'a'));
    for (int i = 0; i < 20'000; ++i)
        plan.exec.env.push_back("V" + std::to_string(i) + "=" + std::string(30, 'v'));
    plan.exec.env.push_back("PATH=/usr/bin");
    plan.exec.chdir = {"/home/u", "/"};
    plan.coord.lock_files = {"/lock/a", "/lock/b"};
    plan.seccomp_filters = {std::string(8 * 3, '\1')};
    plan.maps = IdMaps{IdMap{{{1001, 1001, 1}}, false}, IdMap{{{1002, 1002, 1}}, false}};

    std::unique_ptr<FrozenPlan> owner = freeze(plan);
    // The Plan may go: the frozen plan holds copies of everything it points to.
    const Plan copy = plan;
    plan = Plan{};
    const Frozen& f = owner->frozen();

    REQUIRE(f.n_mounts == static_cast<std::int32_t>(copy.mounts.ops.size()));
    for (std::int32_t i = 0; i < f.n_mounts; ++i) {
        const MountOp& op = copy.mounts.ops[static_cast<std::size_t>(i)];
        const FrozenMount& m = f.mounts[i];
        REQUIRE(m.kind == op.kind);
        REQUIRE(std::strcmp(m.source, op.source.c_str()) == 0);
        REQUIRE(std::strcmp(m.target, op.target.c_str()) == 0);
        REQUIRE(std::strcmp(m.mode_str, "0700") == 0);
        REQUIRE(std::strcmp(m.size_str, "4096") == 0);
        REQUIRE(m.n_layers == static_cast<std::int32_t>(op.layers.size()));
        for (std::int32_t l = 0; l < m.n_layers; ++l)
            REQUIRE(std::strcmp(m.layers[l], op.layers[static_cast<std::size_t>(l)].c_str()) == 0);
        if (op.kind == MountKind::Overlay)
            REQUIRE(std::strcmp(m.work, op.work.c_str()) == 0);
    }
    REQUIRE(std::strcmp(f.file, "prog") == 0);
    for (std::size_t i = 0; i < copy.exec.argv.size(); ++i)
        REQUIRE(std::strcmp(f.argv[i], copy.exec.argv[i].c_str()) == 0);
    CHECK(f.argv[copy.exec.argv.size()] == nullptr);
    // The shell fallback (ENOEXEC): "/bin/sh", the script, then argv[1]...
    CHECK(std::strcmp(f.sh_argv[0], "/bin/sh") == 0);
    CHECK(std::strcmp(f.sh_argv[2], copy.exec.argv[1].c_str()) == 0);
    for (std::size_t i = 0; i < copy.exec.env.size(); ++i)
        REQUIRE(std::strcmp(f.envp[i], copy.exec.env[i].c_str()) == 0);
    CHECK(std::strcmp(f.envp[f.pwd_slot], "PWD=/home/u") == 0);
    CHECK(f.envp[f.pwd_slot + 1] == nullptr);
    CHECK(std::strcmp(f.path_env, "/usr/bin") == 0);
    CHECK(std::strcmp(f.chdir[1], "/") == 0);
    CHECK(std::strcmp(f.lock_files[1], "/lock/b") == 0);
    REQUIRE(f.n_filters == 1);
    CHECK(f.filters[0].len == 3);
    CHECK(reinterpret_cast<const char*>(f.filters[0].filter)[0] == '\1');
    CHECK(std::strcmp(f.uid_map, "1001 1001 1\n") == 0);
}

TEST_CASE("freeze: a plan without maps, filters or locks leaves them empty") {
    Plan plan;
    plan.exec.file = "true";
    plan.exec.argv = {"true"};
    const std::unique_ptr<FrozenPlan> owner = freeze(plan);
    const Frozen& f = owner->frozen();
    CHECK(f.n_mounts == 0);
    CHECK(f.uid_map == nullptr);
    CHECK(f.n_filters == 0);
    CHECK(f.n_lock_files == 0);
    CHECK(f.path_env == nullptr);
    CHECK(f.envp[f.pwd_slot] == nullptr);
}

}  // namespace
}  // namespace cocoon::child
