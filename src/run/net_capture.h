// SPDX-License-Identifier: MIT
// --net-allow, inside: every address routed to the loopback, listeners on the
// rules' ports and on DNS's, handed to cocoon outside (HACKING.md, "Network
// egress"). [child]
#pragma once
#include "run/freeze.h"

namespace cocoon::child {

// In the sandbox's network namespace, with CAP_NET_ADMIN in its user
// namespace: false with errno set if any part fails (the sandbox must not run
// with a network that is open or silently dead).
bool capture_network(const Frozen& plan) noexcept;

}  // namespace cocoon::child
