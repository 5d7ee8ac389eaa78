// SPDX-License-Identifier: MIT
// --check's last finding: whether a typical sandbox starts here. [parent]
#pragma once
#include "core/config.h"
#include "core/diagnose.h"

namespace cocoon {

// Plans and runs `trial` (a typical sandbox running `true`), quietly: ok, or
// fail with the error and its cause and fix from `facts`.
Finding try_sandbox(const Config& trial, const DiagnosisFacts& facts);

}  // namespace cocoon
