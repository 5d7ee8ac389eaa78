// SPDX-License-Identifier: MIT
// The sandbox's first process, from clone to execve. [child]
#pragma once
#include "run/freeze.h"

namespace cocoon::child {

// Never returns: execs the command, becomes the reaper, or reports and _exits.
[[noreturn]] void run(const Frozen& plan) noexcept;

}  // namespace cocoon::child
