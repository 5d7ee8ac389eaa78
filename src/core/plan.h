// SPDX-License-Identifier: MIT
// make_plan(Config, HostFacts) -> Plan: every decision about the sandbox, as data. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/config.h"
#include "core/host_facts.h"
#include "core/mount_plan.h"

namespace cocoon {

struct Namespaces {
    bool user = false;
    bool pid = false;
    bool net = false;
    bool ipc = false;
    bool uts = false;
    bool cgroup = false;  // the mount namespace is always new
    friend bool operator==(const Namespaces&, const Namespaces&) = default;
};

// The single-id maps written by the sandbox's first process into its own
// /proc/self/{uid_map,gid_map}: user_namespaces(7) allows an unprivileged
// process exactly one line mapping its own id, and only with setgroups denied.
struct IdMaps {
    std::string uid_map;  // "1001 1001 1\n"
    std::string gid_map;
    // The child writes its own maps, so it is an unprivileged writer even for a
    // root caller (it has no capabilities in the parent namespace): deny, always.
    bool deny_setgroups = true;
};

struct ExecSpec {
    std::string file;                // COMMAND, searched in the sandbox's $PATH like execvp
    std::vector<std::string> argv;   // argv[0] replaced by --argv0
    std::vector<std::string> env;    // without PWD: that is set to wherever chdir lands
    std::vector<std::string> chdir;  // candidates, first that works wins
    bool chdir_strict = false;       // --chdir: failing is an error, not a fallback
};

struct Plan {
    Namespaces ns;
    std::optional<IdMaps> maps;         // first user namespace
    std::optional<IdMaps> nested_maps;  // second, after setup (the --dev dance below)
    MountPlan mounts;
    std::optional<std::string> hostname;
    ExecSpec exec;
    bool reaper = false;     // a PID 1 that forwards signals and reaps (pid namespace, no --as-pid-1)
    bool drop_caps = false;  // true unless the caller is real root without a user namespace
    bool new_session = false;
    bool die_with_parent = false;
};

Result<Plan> make_plan(const Config& config, const HostFacts& facts);

}  // namespace cocoon
