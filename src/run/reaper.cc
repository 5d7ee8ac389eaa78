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

#include <dirent.h>

#include <cerrno>
#include <cstdlib>

namespace cocoon::child {
namespace {

constexpr int kMaxHeld = 80;  // exit and life pipes, --sync-fd, the placeholder socket, kMaxLockFiles locks
static_assert(kMaxHeld >= static_cast<int>(kMaxLockFiles) + 4, "the reaper holds every lock file");
using OnExit = Config::OnExit;

bool kept(const int* keep, int n, int fd) noexcept {
    for (int i = 0; i < n; ++i)
        if (keep[i] == fd)
            return true;
    return false;
}

// Without close_range(2): every fd /proc/self/fd lists from 3 up, but `keep`
// and the directory itself, read in batches (closing changes the listing).
void close_listed(const int* keep, int n, int dir) noexcept {
    for (;;) {
        alignas(8) char buf[4096];
        int found[256];
        int n_found = 0;
        ::lseek(dir, 0, SEEK_SET);
        long len;
        while (n_found < 256 && (len = ::getdents64(dir, buf, sizeof buf)) > 0) {
            for (long off = 0; off < len && n_found < 256;) {
                const auto* d = reinterpret_cast<const dirent64*>(buf + off);
                off += d->d_reclen;
                int fd = 0;
                bool number = d->d_name[0] != '\0';
                for (const char* c = d->d_name; *c != '\0'; ++c) {
                    number = number && *c >= '0' && *c <= '9';
                    fd = fd * 10 + (*c - '0');
                }
                if (number && fd > 2 && fd != dir && !kept(keep, n, fd))
                    found[n_found++] = fd;
            }
        }
        if (n_found == 0)
            break;
        for (int i = 0; i < n_found; ++i) ::close(found[i]);
    }
    ::close(dir);
}

// Closes every fd from 3 up except those in `keep` (sorted here, in place).
void close_all_but(int* keep, int n, int fd_dir) noexcept {
    if (fd_dir >= 0) {
        close_listed(keep, n, fd_dir);
        return;
    }
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
    // Closed to the command since before it started (child.cc).
    // Keep only stdio, the exit and life pipes, --sync-fd and the locks: the
    // sandbox's files are not ours to hold open.
    int held[kMaxHeld];
    int n = 0;
    held[n++] = state.exit_fd;
    held[n++] = state.life_fd;
    if (state.sync_fd >= 0)
        held[n++] = state.sync_fd;
    if (state.placeholder_fd >= 0)
        held[n++] = state.placeholder_fd;
    for (int i = 0; i < state.n_keep && n < kMaxHeld; ++i) held[n++] = state.keep[i];
    close_all_but(held, n, state.fd_dir);

    sigset_t waits;
    sigemptyset(&waits);
    for (const int sig : kForwardedSignals) sigaddset(&waits, sig);
    sigaddset(&waits, SIGCHLD);
    pid_t command = state.command;
    int exit_fd = state.exit_fd;
    int status = 0;
    // The command's status goes to the parent when the command exits (detach:
    // once what had ended with it is reaped, saying whether anything is left),
    // or once nothing else is left (kill: after SIGKILL to all; wait).
    auto report = [&](bool alone) {
        const ExitNote note{status, alone ? 1 : 0};
        while (::write(exit_fd, &note, sizeof note) < 0 && errno == EINTR) {
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
                }
                continue;
            }
            if (pid < 0 && errno == EINTR)
                continue;
            if (pid < 0 && errno == ECHILD) {
                if (exit_fd >= 0 && command < 0)
                    report(true);
                outlive_parent(state.life_fd);
                _exit(exit_code(status));
            }
            break;
        }
        // Detach: the command has ended, others live on.
        if (exit_fd >= 0 && command < 0 && state.on_exit == OnExit::Detach)
            report(false);
        siginfo_t info{};
        const int sig = ::sigwaitinfo(&waits, &info);
        // The terminal signals its foreground process group, ours and the
        // command's alike: the command has its own copy already.
        if (sig > 0 && sig != SIGCHLD && command > 0 &&
            (info.si_code != SI_KERNEL || state.forward_kernel_signals))
            ::kill(command, sig);
    }
}

void send_go(int go_fd) noexcept {
    const char go = 1;
    while (::write(go_fd, &go, 1) < 0 && errno == EINTR) {
    }
    ::close(go_fd);
}

}  // namespace cocoon::child
