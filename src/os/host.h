// SPDX-License-Identifier: MIT
// Gathering HostFacts: the only impure input of planning. [parent]
#pragma once
#include "base/result.h"
#include "core/host_facts.h"

namespace cocoon {

// `id_maps`: also read /etc/subuid, /etc/subgid, the user name and where the
// newuidmap/newgidmap helpers are (only --map-* needs them; the launch path
// stays short without).
Result<HostFacts> gather_host_facts(bool id_maps);

// Whether this process got capabilities from its executable's file capabilities
// (or a setuid bit): a non-root process with a non-empty permitted set.
bool started_with_privileges();

}  // namespace cocoon
