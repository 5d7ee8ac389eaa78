// SPDX-License-Identifier: MIT
// Gathering HostFacts: the only impure input of planning. [parent]
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/host_facts.h"

namespace cocoon {

// What only some command lines need; the launch path stays short without.
struct FactsWanted {
    bool id_maps = false;  // /etc/subuid, /etc/subgid, the user name, newuidmap/newgidmap (--map-*)
    bool rlimits = false;  // the hard limits (--rlimit)
    // --seccomp-profile: the files among them are read, and the syscall table,
    // architecture and kernel version are looked up.
    std::vector<std::string> seccomp_profiles;
};

Result<HostFacts> gather_host_facts(FactsWanted wanted);

// Which newer kernel interfaces exist (HostFacts::kernel).
KernelInterfaces probe_kernel();

// The well-known privileged sockets that exist here (HostFacts::privileged_sockets):
// the system's, those under $XDG_RUNTIME_DIR (or /run/user/UID), $SSH_AUTH_SOCK.
std::vector<std::string> privileged_sockets(std::uint32_t uid);

// A small file's text, "" if it cannot be read.
std::string read_text(const char* path);

// newuidmap/newgidmap in the system directories (never through $PATH), "" if missing.
std::string find_helper(const char* name);

// Whether this process got capabilities from its executable's file capabilities
// (or a setuid bit): a non-root process with a non-empty permitted set.
bool started_with_privileges();

}  // namespace cocoon
