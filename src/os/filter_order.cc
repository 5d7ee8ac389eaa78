// SPDX-License-Identifier: MIT
// When PID 1 can install the filters before starting the command: the BPF
// evaluator asked about this machine's own syscalls. [parent]
#include "core/filter_order.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "core/bpf_eval.h"

namespace cocoon {
namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kNativeArch = 0;  // unknown: never install early
#endif

struct Call {
    long nr;
    std::array<std::uint64_t, 6> args;
};

bool allowed(const std::string& program, const Call& call) {
    const std::optional<std::uint32_t> verdict =
        run_bpf(program, SeccompData{static_cast<int>(call.nr), kNativeArch, 0, call.args});
    return verdict && (*verdict & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
}

}  // namespace

bool filters_allow_early_install(const std::vector<std::string>& programs, const AfterFilters& after) {
    if (kNativeArch == 0)
        return false;
    std::vector<Call> calls = {
        // PID 1: forks the command, which waits on a pipe for its go-ahead,
        // closes what it does not hold, then reaps, forwards and reports.
        {SYS_pipe2, {0, O_CLOEXEC}},
        {SYS_clone, {SIGCHLD}},
        {SYS_read, {3, 0, 1}},
        {SYS_close, {3}},
        {SYS_close_range, {3, ~0U, 0}},
        {SYS_wait4, {static_cast<std::uint64_t>(-1), 0, WNOHANG}},
        {SYS_rt_sigtimedwait, {0, 0, 0, 8}},
        {SYS_kill, {2, SIGTERM}},
        {SYS_kill, {static_cast<std::uint64_t>(-1), SIGKILL}},
        {SYS_write, {3, 0, 4}},
        {SYS_exit_group, {0}},
#ifdef SYS_poll
        {SYS_poll, {0, 1, static_cast<std::uint64_t>(-1)}},
#endif
        {SYS_ppoll, {0, 1, 0, 0, 8}},
        // The command, until execve: the caller's signal mask back, then the
        // search along $PATH; a failure is reported on the status pipe.
        {SYS_rt_sigprocmask, {SIG_SETMASK, 0, 0, 8}},
        {SYS_execve, {0, 0, 0}},
        {SYS_exit, {0}},
    };
    if (after.capset)
        calls.push_back({SYS_capset, {0, 0}});
    // The command arms the death signal (--die-with-parent), or PID 1 disarms
    // its own once the command runs.
    calls.push_back({SYS_prctl, {PR_SET_PDEATHSIG, after.death_signal ? SIGKILL : 0U}});
    if (after.exec_label) {
        calls.push_back({SYS_openat, {0, 0, O_WRONLY | O_CLOEXEC}});
        calls.push_back({SYS_close, {3}});
    }
    if (after.rlimits) {
        calls.push_back({SYS_prlimit64, {0, 0, 0, 0}});
        calls.push_back({SYS_setrlimit, {0, 0}});
    }
    if (after.pid1_dumpable)
        calls.push_back({SYS_prctl, {PR_SET_DUMPABLE, 1}});
    for (const std::string& program : programs) {
        for (const Call& call : calls)
            if (!allowed(program, call))
                return false;
    }
    return true;
}

bool filters_allow_listener_handoff(const std::vector<std::string>& programs) {
    if (kNativeArch == 0)
        return false;
    const std::vector<Call> calls = {
        {SYS_seccomp, {SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0}},
        {SYS_sendmsg, {3, 0, MSG_NOSIGNAL}},
        {SYS_close, {3}},
        {SYS_prctl, {PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0}},
        {SYS_rt_sigprocmask, {SIG_SETMASK, 0, 0, 8}},
        {SYS_execve, {0, 0, 0}},
        {SYS_write, {3, 0, 4}},
        {SYS_exit_group, {0}},
    };
    for (const std::string& program : programs)
        for (const Call& call : calls)
            if (!allowed(program, call))
                return false;
    return true;
}

}  // namespace cocoon
