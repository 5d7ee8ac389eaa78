// SPDX-License-Identifier: MIT
// PID 1 of the sandbox's pid namespace. [child]
#pragma once
#include <sys/types.h>

#include "run/freeze.h"

namespace cocoon::child {

// Forwards signals to `command`, reaps every process that ends up as our child,
// sends the command's wait status to the parent over plan.exit_fd, and exits
// with the command's status once nothing is left to reap.
[[noreturn]] void reap(const Frozen& plan, pid_t command) noexcept;

}  // namespace cocoon::child
