// SPDX-License-Identifier: MIT
// What the sandbox's processes tell the parent when setup or exec fails: a fixed-size
// POD written in one write(2) (smaller than PIPE_BUF, so it arrives whole) over the
// CLOEXEC status pipe. EOF without a report means execve succeeded. [child-safe]
#pragma once
#include <sys/wait.h>

#include <cstdint>
#include <type_traits>

namespace cocoon::child {

enum class Step : std::int32_t {
    ParentDied,       // the parent was gone before we could arm PR_SET_PDEATHSIG
    OpenProc,         // no procfs at /proc to write the id maps through
    IdMaps,           // writing /proc/self/{uid_map,setgroups,gid_map}
    MountNamespace,   // making / a slave, the staging tmpfs, the first pivot_root
    BindSource,       // op `index`: its source cannot be opened
    Mount,            // op `index` failed
    SymlinkNotLink,   // op `index`: the destination exists and is not a symlink
    NetCapture,       // --net-allow: the route, a listener, or handing them out
    SymlinkMismatch,  // op `index`: the destination is a symlink to `detail`
    BindFdRace,       // op `index`: what got bound is not what the fd refers to
    Destination,      // op `index`: a -try bind's source exists, its destination is unusable
    OldRoot,          // detaching the host's root
    PivotRoot,        // entering the new root
    Hostname,
    Loopback,
    NestedUserNs,
    SwitchIds,  // setgroups/setresgid/setresuid to --uid/--gid after helper-written maps
    Chdir,      // index = which candidate (only reported when --chdir was given)
    Capabilities,
    NoNewPrivs,
    NewSession,
    Seccomp,       // index = which filter
    LockFileOpen,  // index = which --lock-file
    LockFileLock,
    ExecLabel,
    DisableUserns,  // writing max_user_namespaces
    JoinUserns2,
    UsernsNotDisabled,  // --disable-userns/--assert-userns-disabled: a user namespace could be made
    Fork,
    Rlimit,  // index = which of the plan's limits
    Exec,
    // Not a failure: op `index` (--protect-try, --mask-try) could not be
    // placed, errnum says why; setup goes on, more reports may follow.
    RuleSkipped,
};

// A wait status as a shell reports it: the exit code, or 128+N for signal N.
inline int exit_code(int wstatus) noexcept {
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 255;
}

struct Report {
    Step step = Step::Exec;
    std::int32_t index = -1;
    std::int32_t errnum = 0;
    char detail[244] = {};  // NUL-terminated; a symlink's existing text
};
static_assert(std::is_trivially_copyable_v<Report>);
static_assert(sizeof(Report) <= 512, "must stay far below PIPE_BUF to be written atomically");

// The exit status of a process that failed setup; the parent never shows it.
inline constexpr int kExitSetupFailed = 125;

}  // namespace cocoon::child
