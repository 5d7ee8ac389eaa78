// SPDX-License-Identifier: MIT
// A failure the sandbox reported, as the message and exit code main gives it. [parent]
#include "run/failure.h"
#include "run/placeholders.h"

#include "core/options.h"

#include <cstring>

#include <fmt/format.h>

#include "core/limits.h"

namespace cocoon {

using child::Report;
using child::Step;

// bwrap's wording for the two failures users hit most.
Error clone_error(int errnum, bool user_ns) {
    if (errnum == EPERM && user_ns)
        return Error::usage(
            "No permissions to create a new namespace, likely because the kernel does not allow "
            "non-privileged user namespaces. On e.g. debian this can be enabled with "
            "'sysctl kernel.unprivileged_userns_clone=1'.");
    if (errnum == ENOSPC || errnum == EUSERS)
        return Error::usage(
            "Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded "
            "(ENOSPC)");
    return Error{errnum, "Creating new namespace failed"};
}

namespace {

std::string mount_failure(const MountOp& op) {
    switch (op.kind) {
        case MountKind::Bind:
            return fmt::format("Can't bind mount {} on {}", op.source, op.target);
        case MountKind::RemountRo:
            return fmt::format("Can't remount readonly on {}", op.target);
        case MountKind::Tmpfs:
            return fmt::format("Can't mount tmpfs on {}", op.target);
        case MountKind::Procfs:
            return fmt::format("Can't mount proc on {}", op.target);
        case MountKind::Devpts:
            return fmt::format("Can't mount devpts on {}", op.target);
        case MountKind::ProtectRo:
            return fmt::format("Can't make {} read-only", op.target);
        case MountKind::Dir:
            return fmt::format("Can't mkdir {}", op.target);
        case MountKind::Symlink:
            return fmt::format("Can't make symlink at {}", op.target);
        case MountKind::Chmod:
            return fmt::format("Can't chmod {:#o} {}", op.mode, op.target);
        case MountKind::File:
            return fmt::format("Can't create file {}", op.target);
        case MountKind::BindData:
            return fmt::format("Can't bind data on {}", op.target);
        case MountKind::BindFd:
            return fmt::format("Can't bind fd {} on {}", op.fd, op.target);
        case MountKind::Mqueue:
            return fmt::format("Can't mount mqueue on {}", op.target);
        case MountKind::Overlay:
            return fmt::format("Can't mount overlay on {}", op.target);
    }
    return "Can't set up the sandbox's filesystem";
}

}  // namespace

namespace {

LaunchFailure failure_message(const Report& r, const Plan& plan);

FailedAt failed_at(const Report& r, const Plan& plan) {
    const Step step = r.step;
    if (step == Step::IdMaps)
        return FailedAt::IdMaps;
    if (step == Step::MountNamespace)
        return FailedAt::NewRoot;
    if (step == Step::OldRoot || step == Step::PivotRoot)
        return FailedAt::PivotRoot;
    if (step == Step::Seccomp)
        return FailedAt::Seccomp;
    const auto i = static_cast<std::size_t>(r.index);
    if (step == Step::Mount && r.index >= 0 && i < plan.mounts.ops.size() &&
        plan.mounts.ops[i].kind == MountKind::Procfs)
        return FailedAt::ProcMount;
    return FailedAt::Other;
}

}  // namespace

LaunchFailure to_failure(const Report& r, const Plan& plan) {
    LaunchFailure failure = failure_message(r, plan);
    failure.at = failed_at(r, plan);
    failure.errnum = r.errnum;
    return failure;
}

namespace {

// Why COMMAND may be missing: a new root with none of the host's programs
// (cocoon starts from an empty one), a path it leads to that is not bound in
// (`missing`, found by the child: a symlink's end, an interpreter), or
// cocoon's options written after COMMAND, where they are COMMAND's arguments.
std::string not_found_hint(const Plan& plan, const char* missing) {
    bool programs = false;
    for (const MountOp& op : plan.mounts.ops)
        programs = programs || op.target == "/" || op.target == "/usr" || op.target == "/bin";
    if (!programs)
        return "the new root holds only what the options put there; --profile host-ro gives it the host's "
               "programs (or add --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib "
               "--symlink usr/lib64 /lib64)";
    if (missing[0] != '\0')
        return fmt::format(
            "{} is there, but {}, which it needs, is missing inside the sandbox; bind it in, or "
            "use --profile host-ro, which binds what the host's programs need",
            plan.exec.file, missing);
    for (std::size_t i = 1; i < plan.exec.argv.size(); ++i)
        if (find_option(plan.exec.argv[i]) != nullptr)
            return fmt::format(
                "{} comes after COMMAND, so it is an argument of COMMAND: cocoon's options go "
                "before it",
                plan.exec.argv[i]);
    return "";
}

}  // namespace

std::string rule_cause(int errnum) {
    switch (errnum) {
        case ENOENT:
            return "no such file or directory in the sandbox";
        case ELOOP:
            return "a symlink on the way to it: give the path it leads to";
        case EXDEV:
            return "a symlink that leads out of the tree it lies in";
        case ENOTDIR:
            return "a file where a directory should be";
        case ENOSPC:
            return fmt::format("no room for its placeholder (a full disk, or more than {} paths not there)",
                               kMaxPlaceholders);
        case EPIPE:
            return "the process that removes placeholders is gone";
        default:
            return std::strerror(errnum);
    }
}

namespace {

LaunchFailure failure_message(const Report& r, const Plan& plan) {
    auto op = [&]() -> const MountOp& { return plan.mounts.ops.at(static_cast<std::size_t>(r.index)); };
    const int e = r.errnum;
    switch (r.step) {
        case Step::ParentDied:
            return {Error{e, "parent died during setup"}};
        case Step::OpenProc:
            return {Error{e, "Can't open /proc, which the user namespace's id maps are written through"}};
        case Step::IdMaps:
            return {Error{e, "setting up uid map"}};
        case Step::MountNamespace:
            return {Error{e, e == ENOSYS
                                 ? "Can't set up the new root (the new mount API needs Linux 5.2 or later)"
                                 : "Can't set up the new root"}};
        case Step::BindSource:
            return {Error{e, fmt::format("Can't find source path {}", op().source)}};
        case Step::Mount:
            if (op().kind == MountKind::Protect || op().kind == MountKind::Mask) {
                const bool protect = op().kind == MountKind::Protect;
                Error error = Error::usage(
                    fmt::format("{} {}: {}", protect ? "--protect" : "--mask", op().target, rule_cause(e)));
                error.hint = fmt::format("{} skips what cannot be placed, with a warning",
                                         protect ? "--protect-try" : "--mask-try");
                return {std::move(error)};
            }
            return {Error{e, mount_failure(op())}};
        case Step::SymlinkNotLink:
            return {Error::usage(fmt::format(
                "Can't make symlink at {}: destination exists and is not a symlink", op().target))};
        case Step::SymlinkMismatch:
            return {
                Error::usage(fmt::format("Can't make symlink at {}: existing destination is {}", op().target,
                                         std::string(r.detail, strnlen(r.detail, sizeof r.detail))))};
        case Step::Destination:
            return {Error::usage(op().dest_error)};
        case Step::BindFdRace:
            return {Error::usage("Race condition binding dirfd")};
        case Step::OldRoot:
            return {Error{e, "Can't detach the host's root"}};
        case Step::PivotRoot:
            return {Error{e, "Can't pivot into the new root"}};
        case Step::Hostname:
            return {Error{e, fmt::format("Can't set hostname {}", plan.hostname.value_or(""))}};
        case Step::Loopback:
            return {Error{e, "Can't bring up the loopback interface"}};
        case Step::NetCapture:
            return {Error{e,
                          "--net-allow: Can't route the sandbox's network to cocoon (a local route on lo, "
                          "listeners on the rules' ports and on 53)"}};
        case Step::NestedUserNs:
            return {Error{e, "setting up the nested user namespace"}};
        case Step::SwitchIds:
            return {Error{e, fmt::format("Can't switch to uid {} gid {}", plan.switch_uid.value_or(0),
                                         plan.switch_gid.value_or(0))}};
        case Step::Chdir:
            return {Error{
                e, fmt::format("Can't chdir to {}", plan.exec.chdir.at(static_cast<std::size_t>(r.index)))}};
        case Step::Capabilities:
            return {Error{e, "Can't drop capabilities"}};
        case Step::NoNewPrivs:
            return {Error{e, "prctl(PR_SET_NO_NEW_PRIVS)"}};
        case Step::Seccomp:
            if (e == EINVAL)
                return {
                    Error::usage("Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) "
                                 "reported EINVAL. "
                                 "(Hint: this requires a kernel configured with CONFIG_SECCOMP and "
                                 "CONFIG_SECCOMP_FILTER.)")};
            return {Error{e, "prctl(PR_SET_SECCOMP)"}};
        case Step::LockFileOpen:
            return {Error{e, fmt::format("Unable to open lock file {}",
                                         plan.coord.lock_files.at(static_cast<std::size_t>(r.index)))}};
        case Step::LockFileLock:
            return {Error{e, fmt::format("Unable to lock file {}",
                                         plan.coord.lock_files.at(static_cast<std::size_t>(r.index)))}};
        case Step::DisableUserns:
            return {
                Error{e, "Failed to disable user namespaces: writing /proc/sys/user/max_user_namespaces"}};
        case Step::JoinUserns2:
            return {Error{e, "Joining specified user namespace failed"}};
        case Step::UsernsNotDisabled:
            return {Error::usage("creation of new user namespaces was not disabled as requested")};
        case Step::ExecLabel:
            return {Error{e, fmt::format("Can't set the exec label {}", plan.labels.exec.value_or(""))}};
        case Step::NewSession:
            return {Error{e, "setsid"}};
        case Step::Fork:
            return {Error{e, "Can't fork"}};
        case Step::Rlimit: {
            const auto i = static_cast<std::size_t>(r.index);
            return {Error{e, i < plan.rlimits.size() ? fmt::format("--rlimit {}: setrlimit",
                                                                   rlimit_name(plan.rlimits[i].resource))
                                                     : std::string("setrlimit")}};
        }
        case Step::Exec:
            return {Error{e, fmt::format("execvp {}", plan.exec.file),
                          e == ENOENT ? not_found_hint(plan, r.detail) : ""},
                    e == ENOENT ? FailureKind::ExecNotFound : FailureKind::ExecFailed};
    }
    return {Error{e, "sandbox setup failed"}};
}

}  // namespace

}  // namespace cocoon
