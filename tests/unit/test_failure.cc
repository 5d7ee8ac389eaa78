// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>

#include "run/failure.h"

namespace cocoon {
namespace {

using child::Report;
using child::Step;

Plan failing_plan() {
    Plan plan;
    plan.mounts.ops = {
        {.kind = MountKind::Bind, .source = "/src", .target = "/dst"},
        {.kind = MountKind::Symlink, .source = "text", .target = "/link"},
        {.kind = MountKind::Bind, .source = "/src", .dest_error = "--bind-try: destination is empty"},
    };
    plan.exec.file = "prog";
    plan.exec.chdir = {"/work"};
    plan.coord.lock_files = {"/lock"};
    plan.hostname = "box";
    plan.rlimits = {{.resource = 7, .value = {64, 64}}};
    return plan;
}

LaunchFailure fail_at(Step step, std::int32_t index = 0, int errnum = EACCES, const char* detail = "") {
    Report r;
    r.step = step;
    r.index = index;
    r.errnum = errnum;
    std::strncpy(r.detail, detail, sizeof r.detail - 1);
    return to_failure(r, failing_plan());
}

TEST_CASE("every step the sandbox can report has a message of its own") {
    for (int s = 0; s <= static_cast<int>(Step::Exec); ++s) {
        const auto step = static_cast<Step>(s);
        const LaunchFailure f = fail_at(step, step == Step::Destination ? 2 : 0);
        CHECK_MESSAGE(!f.error.context.empty(), s);
        CHECK_MESSAGE(f.error.context != "sandbox setup failed", s);
    }
}

TEST_CASE("a step's message names what it was doing, in bwrap's words where bwrap has them") {
    CHECK(fail_at(Step::BindSource, 0, ENOENT).error.context == "Can't find source path /src");
    CHECK(fail_at(Step::Mount, 0).error.context == "Can't bind mount /src on /dst");
    CHECK(fail_at(Step::SymlinkMismatch, 1, 0, "other").error.context ==
          "Can't make symlink at /link: existing destination is other");
    CHECK(fail_at(Step::SymlinkNotLink, 1, 0).error.context ==
          "Can't make symlink at /link: destination exists and is not a symlink");
    CHECK(fail_at(Step::Destination, 2, 0).error.context == "--bind-try: destination is empty");
    CHECK(fail_at(Step::Chdir, 0).error.context == "Can't chdir to /work");
    CHECK(fail_at(Step::LockFileOpen, 0).error.context == "Unable to open lock file /lock");
    CHECK(fail_at(Step::Hostname, 0).error.context == "Can't set hostname box");
    CHECK(fail_at(Step::Rlimit, 0).error.context == "--rlimit NOFILE: setrlimit");
    CHECK(fail_at(Step::Seccomp, 0, EINVAL).error.context.find("CONFIG_SECCOMP_FILTER") != std::string::npos);
    CHECK(fail_at(Step::Exec, 0, ENOENT).kind == FailureKind::ExecNotFound);
    CHECK(fail_at(Step::Exec, 0, EACCES).kind == FailureKind::ExecFailed);
    CHECK(fail_at(Step::Exec, 0, ENOENT).error.context == "execvp prog");
    CHECK(fail_at(Step::Mount, 0).kind == FailureKind::Setup);
}

TEST_CASE("clone failures give bwrap's hints") {
    CHECK(clone_error(EPERM, true).context.find("kernel.unprivileged_userns_clone") != std::string::npos);
    CHECK(clone_error(ENOSPC, true).context.find("max_*_namespaces") != std::string::npos);
    CHECK(clone_error(EINVAL, false).context == "Creating new namespace failed");
}

}  // namespace
}  // namespace cocoon
