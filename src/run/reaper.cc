// SPDX-License-Identifier: MIT
// PID 1 of the sandbox's pid namespace. [child]
#include "run/reaper.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace cocoon::child {
namespace {

int exit_code(int status) noexcept {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace

void reap(const Frozen& plan, pid_t command) noexcept {
    // Nothing in the sandbox may ptrace us or read our memory: an attacher could
    // freeze the whole sandbox (security.md, PID 1 reaper).
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Keep only stdio and the exit pipe: the sandbox's files are not ours to hold open.
    if (plan.exit_fd > 3)
        ::close_range(3, static_cast<unsigned>(plan.exit_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(plan.exit_fd) + 1, ~0U, 0);

    int exit_fd = plan.exit_fd;
    int status = 0;
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
                    while (::write(exit_fd, &st, sizeof st) < 0 && errno == EINTR) {
                    }
                    ::close(exit_fd);
                    exit_fd = -1;
                }
                continue;
            }
            if (pid < 0 && errno == EINTR)
                continue;
            if (pid < 0 && errno == ECHILD)
                _exit(exit_code(status));
            break;
        }
        siginfo_t info{};
        const int sig = ::sigwaitinfo(&plan.reaper_waits, &info);
        if (sig > 0 && sig != SIGCHLD && command > 0)
            ::kill(command, sig);
    }
}

}  // namespace cocoon::child
