// SPDX-License-Identifier: MIT
// PID 1 of the sandbox's pid namespace. [child]
#include "run/reaper.h"

#include "run/report.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace cocoon::child {
namespace {

constexpr int kMaxHeld = 80;  // exit and life pipes, --sync-fd and up to kMaxLockFiles locks
static_assert(kMaxHeld >= static_cast<int>(kMaxLockFiles) + 3, "the reaper holds every lock file");
using OnExit = Config::OnExit;

// Closes every fd from 3 up except those in `keep` (sorted here, in place).
void close_all_but(int* keep, int n) noexcept {
    for (int i = 1; i < n; ++i)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
            const int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned from = 3;
    for (int i = 0; i < n; ++i) {
        if (keep[i] < static_cast<int>(from))
            continue;
        if (static_cast<unsigned>(keep[i]) > from)
            ::close_range(from, static_cast<unsigned>(keep[i]) - 1, 0);
        from = static_cast<unsigned>(keep[i]) + 1;
    }
    ::close_range(from, ~0U, 0);
}

// Our exit tears the sandbox's namespaces down, which takes a few hundred
// microseconds of CPU (mounts, the network namespace, an RCU grace period).
// Done while the parent waits for the CPU to read our report (a VM may run both
// on one vCPU), it would delay cocoon's own exit by as much: so we leave only
// once the parent is gone (its end of the life pipe closes with it).
void outlive_parent(int life_fd) noexcept {
    pollfd life{life_fd, POLLIN, 0};
    while (::poll(&life, 1, -1) < 0 && errno == EINTR) {
    }
}

// The terminal signals its foreground process group, ours and the command's
// alike: the command has its own copy already (Plan::forward_kernel_signals).
bool forwarded(const Frozen& plan, const siginfo_t& info) noexcept {
    return info.si_code != SI_KERNEL || plan.forward_kernel_signals;
}

}  // namespace

void relay(const Frozen& plan, pid_t child) noexcept {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Only the sandbox may report on the pipes: EOF on them must mean what it says.
    ::close(plan.status_fd);
    ::close(plan.exit_fd);
    if (plan.wait_fd >= 0)
        ::close(plan.wait_fd);
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(child, &status, WNOHANG);
        if (pid == child)
            _exit(exit_code(status));
        if (pid < 0 && errno != EINTR)
            _exit(255);
        siginfo_t info{};
        const int sig = ::sigwaitinfo(&plan.reaper_waits, &info);
        if (sig > 0 && sig != SIGCHLD && forwarded(plan, info))
            ::kill(child, sig);
    }
}

void reap(const ReaperState& state) noexcept {
    // Not dumpable since before the command started (child.cc).
    // Keep only stdio, the exit and life pipes, --sync-fd and the locks: the
    // sandbox's files are not ours to hold open.
    int held[kMaxHeld];
    int n = 0;
    held[n++] = state.exit_fd;
    held[n++] = state.life_fd;
    if (state.sync_fd >= 0)
        held[n++] = state.sync_fd;
    for (int i = 0; i < state.n_keep && n < kMaxHeld; ++i) held[n++] = state.keep[i];
    close_all_but(held, n);

    sigset_t waits;
    sigemptyset(&waits);
    for (const int sig : kForwardedSignals) sigaddset(&waits, sig);
    sigaddset(&waits, SIGCHLD);
    pid_t command = state.command;
    int exit_fd = state.exit_fd;
    int status = 0;
    // The command's status goes to the parent when the command exits (detach),
    // or once nothing else is left (kill: after SIGKILL to all; wait).
    auto report = [&] {
        while (::write(exit_fd, &status, sizeof status) < 0 && errno == EINTR) {
        }
        ::close(exit_fd);
        exit_fd = -1;
    };
    for (;;) {
        // Reap everything that is ready. Signals stay blocked (kill(2) to PID 1 from
        // inside is dropped for unhandled signals, but blocked ones are queued).
        for (;;) {
            int st = 0;
            const pid_t pid = ::waitpid(-1, &st, WNOHANG);
            if (pid > 0) {
                if (pid == command) {
                    status = st;
                    command = -1;
                    if (state.on_exit == OnExit::Kill)
                        ::kill(-1, SIGKILL);  // every process of our pid namespace but us
                    else if (state.on_exit == OnExit::Detach)
                        report();
                }
                continue;
            }
            if (pid < 0 && errno == EINTR)
                continue;
            if (pid < 0 && errno == ECHILD) {
                if (exit_fd >= 0 && command < 0)
                    report();
                outlive_parent(state.life_fd);
                _exit(exit_code(status));
            }
            break;
        }
        siginfo_t info{};
        const int sig = ::sigwaitinfo(&waits, &info);
        // The terminal signals its foreground process group, ours and the
        // command's alike: the command has its own copy already.
        if (sig > 0 && sig != SIGCHLD && command > 0 &&
            (info.si_code != SI_KERNEL || state.forward_kernel_signals))
            ::kill(command, sig);
    }
}

namespace {

// Decimal digits of `value` at `out`, NUL-terminated; returns the end + 1.
char* put_number(char* out, long value) noexcept {
    char digits[24];
    int n = 0;
    const bool negative = value < 0;
    unsigned long v = negative ? 0UL - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0);
    if (negative)
        *out++ = '-';
    while (n > 0) *out++ = digits[--n];
    *out++ = '\0';
    return out;
}

bool keep_across_exec(int fd) noexcept {
    return fd < 0 || ::fcntl(fd, F_SETFD, 0) == 0;
}

// argv: kPid1Argv0, the name to take, the fields of ReaperState and the go-ahead
// fd in this order, then the locks.
constexpr int kFixedFields = 7;

}  // namespace

void reexec_pid1(const Frozen& plan, int self_fd, const ReaperState& state, int go_fd) noexcept {
    static char numbers[(kFixedFields + kMaxHeld) * 24];
    static char* argv[2 + kFixedFields + kMaxHeld + 1];
    const long fixed[kFixedFields] = {state.command,
                                      go_fd,
                                      state.exit_fd,
                                      state.life_fd,
                                      state.sync_fd,
                                      static_cast<long>(state.on_exit),
                                      state.forward_kernel_signals ? 1 : 0};
    int n = 0;
    argv[n++] = const_cast<char*>(kPid1Argv0);
    // Our name (comm) as it is now, "bwrap" or "cocoon": the new image takes it
    // back, so that /proc/1/comm says what it said before.
    static char name[17];
    ::prctl(PR_GET_NAME, name, 0, 0, 0);
    argv[n++] = name;
    char* at = numbers;
    bool kept = keep_across_exec(go_fd) && keep_across_exec(state.exit_fd) &&
                keep_across_exec(state.life_fd) && keep_across_exec(state.sync_fd);
    for (const long field : fixed) {
        argv[n++] = at;
        at = put_number(at, field);
    }
    for (int i = 0; i < state.n_keep && i < kMaxHeld - 3; ++i) {
        kept = kept && keep_across_exec(state.keep[i]);
        argv[n++] = at;
        at = put_number(at, state.keep[i]);
    }
    argv[n] = nullptr;
    // The sandbox's environment, which /proc/1/environ then shows as bwrap's PID 1
    // does (flatpak enter copies it into the processes it starts).
    if (kept)
        ::syscall(SYS_execveat, self_fd, "", argv, plan.envp, AT_EMPTY_PATH);
    // Not re-executed: go on as we are, closed to the owner outside as well.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    send_go(go_fd);
    reap(state);
}

void send_go(int go_fd) noexcept {
    const char go = 1;
    while (::write(go_fd, &go, 1) < 0 && errno == EINTR) {
    }
    ::close(go_fd);
}

void pid1_main(int argc, char** argv) noexcept {
    // The command waits for us: closed to the sandbox first (HACKING.md, "PID 1").
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc < 2 + kFixedFields)
        _exit(255);
    ::prctl(PR_SET_NAME, argv[1], 0, 0, 0);
    long field[kFixedFields];
    for (int i = 0; i < kFixedFields; ++i) field[i] = std::strtol(argv[2 + i], nullptr, 10);
    static int locks[kMaxHeld];
    int n_locks = 0;
    for (int i = 2 + kFixedFields; i < argc && n_locks < kMaxHeld; ++i)
        locks[n_locks++] = static_cast<int>(std::strtol(argv[i], nullptr, 10));
    ReaperState state{.command = static_cast<pid_t>(field[0]),
                      .exit_fd = static_cast<int>(field[2]),
                      .life_fd = static_cast<int>(field[3]),
                      .sync_fd = static_cast<int>(field[4]),
                      .on_exit = static_cast<OnExit>(field[5]),
                      .forward_kernel_signals = field[6] != 0,
                      .keep = locks,
                      .n_keep = n_locks};
    // Preserved across execve, but said again: orphans must keep coming to us.
    if (state.on_exit == OnExit::Wait)
        ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    send_go(static_cast<int>(field[1]));
    reap(state);
}

}  // namespace cocoon::child
