// SPDX-License-Identifier: MIT
// Why a sandbox cannot start here, and what to do about it: the findings of
// --check and the cause and fix lines after a setup failure (HACKING.md, "When
// it does not start"). [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/host_facts.h"

namespace cocoon {

// What the diagnosis looks at, gathered by os/diagnosis.cc (only on failure,
// or for --check).
struct DiagnosisFacts {
    std::string kernel_release;  // uname -r
    KernelInterfaces kernel;
    std::optional<long> max_user_namespaces;        // /proc/sys/user/max_user_namespaces
    std::optional<long> unprivileged_userns_clone;  // Debian's /proc/sys/kernel/unprivileged_userns_clone
    std::optional<long> apparmor_restrict_userns;   // Ubuntu's kernel.apparmor_restrict_unprivileged_userns
    bool apparmor_profile = false;                  // /etc/apparmor.d/cocoon exists
    std::optional<int> seccomp_mode;           // "Seccomp:" of /proc/self/status; nullopt: no CONFIG_SECCOMP
    int seccomp_filters = 0;                   // "Seccomp_filters:"
    bool in_user_namespace = false;            // /proc/self/uid_map is not the identity of all ids
    std::vector<std::string> proc_overmounts;  // mounts on paths under /proc (a container's masks)
    bool proc_sys_read_only = false;           // /proc/sys mounted read-only
    std::string root_fs_type;                  // the filesystem type of "/" ("rootfs": an initramfs)
    std::optional<int> landlock_abi;           // landlock_create_ruleset(VERSION); nullopt: none
    bool cgroup2 = false;                      // /sys/fs/cgroup is cgroup2, or cgroup v2 is mounted
    std::string cgroup2_controllers;           // of this process's cgroup
    bool cgroup2_delegated = false;            // this process's cgroup is writable by the caller
    std::string newuidmap, newgidmap;          // paths, "" if not installed
    bool newuidmap_privileged = false;         // setuid root or file capabilities
    bool newgidmap_privileged = false;
    std::string user_name;
    std::uint32_t uid = 0;
    std::uint64_t subuid_count = 0, subgid_count = 0;  // ids in this user's ranges
};

// Where setup failed, for the cause and fix lines.
enum class FailedAt { Other, Clone, IdMaps, NewRoot, ProcMount, PivotRoot, Seccomp };

enum class Level { Ok, Warn, Fail };

struct Finding {
    std::string topic;  // "user namespaces"
    Level level = Level::Ok;
    std::string what;  // what was found
    std::string fix;   // what to do, for warn and fail; may be empty
};

// One finding per fact --check reports, in a stable order.
std::vector<Finding> check_host(const DiagnosisFacts& facts);

// The cause and the fix of a setup failure with `errnum` at `at`, as "cause:
// ..." and "fix: ..." lines; none when nothing more can be said.
std::vector<std::string> explain_failure(FailedAt at, int errnum, const DiagnosisFacts& facts);

std::string_view level_name(Level level);

// --check's output: one line per finding ("ok    topic: what"), its fix on the
// next line; or, with `json`, {"checks": [{"topic", "level", "what", "fix"}...]}.
std::string render_findings(const std::vector<Finding>& findings, bool json);

}  // namespace cocoon
