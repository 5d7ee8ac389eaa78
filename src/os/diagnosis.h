// SPDX-License-Identifier: MIT
// Gathering DiagnosisFacts: sysctls, /proc/self/status and mountinfo, the
// helpers and ranges of --map-auto (core/diagnose.h). [parent]
#pragma once
#include <cstdint>

#include "core/diagnose.h"

namespace cocoon {

DiagnosisFacts gather_diagnosis();

}  // namespace cocoon
