// SPDX-License-Identifier: MIT
// The HostFacts most planning tests start from.
#pragma once
#include "core/host_facts.h"

namespace cocoon::testing {

// An unprivileged caller (uid 1001, gid 1002) in /home/u, without subordinate
// ranges, helpers or resource limits.
inline HostFacts user_facts() {
    HostFacts f;
    f.uid = 1001;
    f.gid = 1002;
    f.cwd = "/home/u";
    f.rlimit_hard.fill(~0ULL);
    return f;
}

}  // namespace cocoon::testing
