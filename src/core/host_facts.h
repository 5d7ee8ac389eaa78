// SPDX-License-Identifier: MIT
// HostFacts: everything planning needs to know about the machine and the caller,
// gathered once by os/host.cc so that make_plan() stays pure. [pure]
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/seccomp_profile.h"

namespace cocoon {

// Which kernel interfaces this machine has (probed once by os/host.cc: a call
// with invalid arguments fails with ENOSYS only where the kernel, or a
// container's seccomp filter, lacks it). Each missing one has a fallback
// (HACKING.md, "Older kernels").
struct KernelInterfaces {
    bool clone3 = true;         // 5.3; else clone(2)
    bool new_mount_api = true;  // 5.2 (open_tree, move_mount, fsopen); else mount(2) at scratch places
    bool pidfd = true;          // 5.4 (CLONE_PIDFD, pidfd_open, waitid P_PIDFD); else SIGCHLD and pids
    bool mount_setattr = true;  // 5.12; else mount(2) remounts, submounts from one mountinfo read
    bool openat2 = true;        // 5.6; else a component-by-component walk beneath the root
    bool close_range = true;    // 5.9; else closing what /proc/self/fd lists
    bool user_notif = true;     // 5.0 (SECCOMP_RET_USER_NOTIF); else denied syscalls go unreported
    friend bool operator==(const KernelInterfaces&, const KernelInterfaces&) = default;
};

// One row per interface, for --dry-run's "kernel fallbacks" and --check.
struct KernelInterface {
    bool KernelInterfaces::*present;
    const char* name;     // "clone3"
    const char* since;    // the first Linux release that has it
    const char* instead;  // what run/ does without it
};
inline constexpr KernelInterface kKernelInterfaces[] = {
    {&KernelInterfaces::clone3, "clone3", "5.3", "clone(2)"},
    {&KernelInterfaces::new_mount_api, "the new mount API", "5.2", "mount(2) at scratch places and MS_MOVE"},
    {&KernelInterfaces::pidfd, "pidfds", "5.4", "SIGCHLD and process ids"},
    {&KernelInterfaces::mount_setattr, "mount_setattr", "5.12", "mount(2) remounts"},
    {&KernelInterfaces::openat2, "openat2", "5.6", "a walk beneath the root"},
    {&KernelInterfaces::close_range, "close_range", "5.9", "closing /proc/self/fd"},
    {&KernelInterfaces::user_notif, "SECCOMP_RET_USER_NOTIF", "5.0", "unreported seccomp denials"},
};

struct HostFacts {
    std::uint32_t uid = 0;  // real ids of the caller
    std::uint32_t gid = 0;
    std::optional<std::string> cwd = "/";   // none: deleted or unreachable (getcwd(2) fails)
    std::int64_t parent_pid = 0;            // getppid() first thing in main: --die-with-parent follows it
    bool has_user_ns = true;                // /proc/self/ns/user exists and max_user_namespaces != 0
    bool has_cgroup_ns = true;              // /proc/self/ns/cgroup exists
    std::optional<std::string> stdout_tty;  // ttyname(1), bound as /dev/console by --dev
    // The well-known sockets that hand out power over the host (Docker,
    // podman, containerd, libvirt, the system and session buses, ssh agents)
    // that exist here: canonical paths (os/host.cc, privileged_sockets).
    std::vector<std::string> privileged_sockets;
    bool selinux = false;  // /sys/fs/selinux/enforce exists: --exec-label and --file-label can work
    int last_cap = 40;     // /proc/sys/kernel/cap_last_cap: what ALL means
    std::uint64_t permitted_caps = ~0ULL;  // the caller\'s own permitted set: where real root starts
    std::string user_name;                 // getpwuid(uid)->pw_name, "" if unknown
    std::string subuid_text;               // /etc/subuid, "" if missing
    std::string subgid_text;
    std::string newuidmap;  // absolute path of the setuid helper, "" if not installed
    std::string newgidmap;
    // getrlimit(2) hard limits: without CAP_SYS_RESOURCE in the initial user
    // namespace, no --rlimit can go above them (rlimits are not namespaced).
    std::array<std::uint64_t, 16> rlimit_hard{};
    // newuidmap/newgidmap ran and failed, with their message: set by main.cc,
    // which plans again (Plan::maps_may_degrade).
    std::string id_helper_failure;
    seccomp::SeccompFacts seccomp;  // for --seccomp-profile
    KernelInterfaces kernel;
};

}  // namespace cocoon
