// SPDX-License-Identifier: MIT
// Building the new root with the new mount API. [child] Everything here is
// async-signal-safe: no allocation, no stdio, no exceptions; failures fill a Report.
#pragma once
#include "run/freeze.h"
#include "run/report.h"

namespace cocoon::child {

// Turns the current mount namespace into the sandbox's: stages a tmpfs, applies
// every op of `plan` beneath a new root, detaches the host's root and pivots into
// the new one. On failure returns false with `report` filled.
bool build_root(const Frozen& plan, Report& report) noexcept;

}  // namespace cocoon::child
