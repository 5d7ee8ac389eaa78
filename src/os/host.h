// SPDX-License-Identifier: MIT
// Gathering HostFacts: the only impure input of planning. [parent]
#pragma once
#include "base/result.h"
#include "core/host_facts.h"

namespace cocoon {

Result<HostFacts> gather_host_facts();

}  // namespace cocoon
