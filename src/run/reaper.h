// SPDX-License-Identifier: MIT
// PID 1 of the sandbox's pid namespace. [child]
#pragma once
#include <sys/types.h>

#include "run/freeze.h"

namespace cocoon::child {

// What PID 1 needs once the command runs.
// What the reaper sends over the exit pipe.
struct ExitNote {
    int wstatus = 0;  // the command's
    int alone = 0;    // nothing else was left in the sandbox: it ends with PID 1
};

struct ReaperState {
    pid_t command = -1;
    int exit_fd = -1;  // the command's wait status goes to the parent here
    int life_fd = -1;  // EOF once the parent is gone
    int sync_fd = -1;  // --sync-fd, held for as long as PID 1 lives
    Config::OnExit on_exit = Config::OnExit::Detach;
    bool forward_kernel_signals = false;  // Plan::forward_kernel_signals
    const int* keep = nullptr;            // the lock files' fds
    int n_keep = 0;
    int fd_dir = -1;          // /proc/self/fd, open without close_range(2) (KernelInterfaces)
    int placeholder_fd = -1;  // held while PID 1 lives: the cleaner waits for it (run/placeholders.h)
};

// The intermediate process of --pidns with --unshare-pid: forwards signals to
// `child` (PID 1 of the new pid namespace) and exits with its status.
[[noreturn]] void relay(const Frozen& plan, pid_t child) noexcept;

// Forwards signals to the command, reaps every process that ends up as our
// child, sends the command's wait status to the parent over exit_fd, and exits
// with the command's status once nothing is left to reap. Holds stdio, the
// exit and life pipes, --sync-fd and `keep`; everything else is closed.
[[noreturn]] void reap(const ReaperState& state) noexcept;

// One byte on `go_fd`, then closed: the command, waiting in run/child.cc, may run.
void send_go(int go_fd) noexcept;

}  // namespace cocoon::child
