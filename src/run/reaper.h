// SPDX-License-Identifier: MIT
// PID 1 of the sandbox's pid namespace. [child]
#pragma once
#include <sys/types.h>

#include "run/freeze.h"

namespace cocoon::child {

// Forwards signals to `command`, reaps every process that ends up as our child,
// sends the command's wait status to the parent over plan.exit_fd, and exits
// with the command's status once nothing is left to reap.
// `keep` are the fds it holds on to (the lock files); stdio, the exit pipe and
// --sync-fd stay open too, everything else is closed.
// The intermediate process of --pidns with --unshare-pid: forwards signals to
// `child` (PID 1 of the new pid namespace) and exits with its status.
[[noreturn]] void relay(const Frozen& plan, pid_t child) noexcept;

[[noreturn]] void reap(const Frozen& plan, pid_t command, const int* keep, int n_keep) noexcept;

}  // namespace cocoon::child
