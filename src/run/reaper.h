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
[[noreturn]] void reap(const Frozen& plan, pid_t command, const int* keep, int n_keep) noexcept;

}  // namespace cocoon::child
