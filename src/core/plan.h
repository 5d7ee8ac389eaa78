// SPDX-License-Identifier: MIT
// make_plan(Config, HostFacts) -> Plan: every decision about the sandbox, as data. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/config.h"
#include "core/filter_order.h"
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

// The maps of a user namespace. A single line mapping the caller's own id is
// written by the sandbox itself into /proc/self/{uid,gid}_map: user_namespaces(7)
// allows an unprivileged process exactly that, and only with setgroups denied.
// Anything more goes through the setuid helpers newuidmap/newgidmap, run by the
// parent while the sandbox waits; setgroups stays allowed for a helper-written
// gid map (the helper decides, newgidmap(1)).
struct IdMaps {
    IdMap uid;
    IdMap gid;
    bool deny_setgroups() const { return !gid.via_helper; }
    bool via_helper() const { return uid.via_helper || gid.via_helper; }
    friend bool operator==(const IdMaps&, const IdMaps&) = default;
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
    std::optional<IdMaps> nested_maps;  // second, after setup (the --dev dance in plan.cc)
    // The helpers' maps come from --map-auto alone: should newuidmap/newgidmap
    // fail, main.cc plans again with one id (HostFacts::id_helper_failure).
    bool maps_may_degrade = false;
    KernelInterfaces kernel;  // HostFacts::kernel: which fallbacks run/ takes
    // Ids to switch to after setup, when the caller's own id is not mapped onto
    // the requested --uid/--gid (explicit --map-uid/--map-gid).
    std::optional<std::uint32_t> switch_uid;
    std::optional<std::uint32_t> switch_gid;
    // Switch before setup rather than after: the caller's own id is not mapped, and
    // an unmapped fsuid cannot create files (EOVERFLOW). From an unmapped id the
    // switch keeps the capabilities setup needs; from root inside it would not.
    bool switch_early = false;
    std::vector<std::string> warnings;  // --map-auto fallbacks, bad /etc/subuid lines
    MountPlan mounts;
    // A strict --protect/--mask whose path is missing gets a placeholder made in
    // its place; a process outside removes them once the sandbox has ended
    // (run/placeholders.cc; HACKING.md, "Protected and masked paths").
    bool placeholders = false;
    std::optional<std::string> hostname;
    ExecSpec exec;
    bool reaper = false;  // a PID 1 that forwards signals and reaps (pid namespace, no --as-pid-1)
    // The command's permitted, effective, inheritable and ambient capabilities
    // (the reaper keeps only pid1_keeps), and its bounding set: for an unprivileged caller
    // exactly `caps`; real root keeps the bounding set it had, as with bwrap.
    std::uint64_t caps = 0;
    std::uint64_t bounding = 0;
    std::vector<std::string> seccomp_filters;  // sock_filter arrays, installed in order
    std::size_t fd_filters = 0;                // the first ones: from --seccomp/--add-seccomp-fd
    std::vector<seccomp::PlannedProfile>
        seccomp_profiles;  // --seccomp-profile, compiled by main, then add_filters
    // PID 1 installs the filters before it starts the command, which inherits
    // them (core/filter_order.h); otherwise each installs its own.
    bool filters_before_command = false;
    // --report-fd with a --seccomp-profile that denies with an errno: that
    // filter's denials go to cocoon outside, which reports and answers them
    // (core/seccomp_notify.h). Whoever installs the filters hands the
    // listener out; PID 1, installing its own after the command's, takes the
    // original program.
    struct SyscallReport {
        std::size_t filter = 0;  // in seccomp_filters: the program with its denials notified
        std::string original;    // as compiled: what each notified call is answered
    };
    std::optional<SyscallReport> syscall_report;
    std::string syscall_report_off;  // with --report-fd: why denied calls go unreported
    // Once the command runs, PID 1 keeps these capabilities permitted, never
    // effective: CAP_SYS_PTRACE, which the command lacks unless it is given
    // it. PID 1 stays dumpable, so its owner outside can open
    // /proc/<pid>/{ns/*,root,cwd,environ} (flatpak enter, nsenter), while the
    // kernel refuses the command, whose permitted set does not include PID 1's
    // (ptrace(2), "Ptrace access mode checking"; HACKING.md, "PID 1").
    std::uint64_t pid1_keeps = 0;
    // How the first process starts (run/launcher.cc): whether it waits for the
    // parent's go-ahead after clone, and whether it runs in the parent's memory
    // until its execve (vfork), both decided in make_plan.
    bool child_waits = false;
    bool share_memory = false;
    // As Config has them: userns_fd and pidns_fd are joined by the parent
    // before clone, userns2_fd by the sandbox after setup.
    NamespaceJoins join;
    // --pidns with --unshare-pid: CLONE_NEWPID fails once setns(2) has chosen
    // another pid namespace for our children (EINVAL), so the first process,
    // in the joined namespace, makes the new one under it and relays (bwrap forks
    // an intermediate process too).
    bool intermediate = false;
    bool disable_userns = false;  // max_user_namespaces = 1, used up by the nested namespace
    bool assert_userns_disabled = false;

    Coordination coord;  // as Config has it
    // Every caller's fd an option names that is still open when the sandbox
    // starts (--bind-fd, --file, --bind-data, --sync-fd, --block-fd, --userns,
    // --userns2, --pidns): closed before the command runs, as bwrap closes them
    // once used. --sync-fd stays with PID 1: the reaper, or without one the
    // command itself (bwrap's --as-pid-1).
    std::vector<int> consumed_fds;
    Labels labels;                      // as Config has it
    std::vector<std::string> profiles;  // Config::profiles: what each --profile expanded to
    bool new_session = false;           // setsid (also with --pty)
    // --pty: cocoon opens a pseudo-terminal; the command's session takes its
    // other end as controlling terminal and stdio, and cocoon relays.
    bool pty = false;
    // --net-allow: the sandbox's TCP to the rules' ports and its DNS land on
    // listeners that cocoon relays outside (HACKING.md, "Network egress").
    std::optional<NetPolicy> net;
    // Signals the kernel sends (si_code SI_KERNEL: the terminal's Ctrl-C, Ctrl-\,
    // window changes) reach the command's process group directly, unless
    // --new-session took it out of the terminal's session: they are forwarded
    // only then, so that the command gets each signal once.
    bool forward_kernel_signals = false;
    bool die_with_parent = false;
    std::int64_t initial_parent = 0;  // the process --die-with-parent follows (HostFacts::parent_pid)
    Config::OnExit on_exit = Config::OnExit::Detach;
    // As `bwrap`, the --json-status-fd exit line is bwrap's exactly; as `cocoon`
    // it also says how the sandbox ended.
    bool bwrap_status_line = false;
    std::optional<std::uint64_t> timeout_ns;  // SIGTERM to the command, then SIGKILL after kill_after_ns
    std::uint64_t kill_after_ns = 0;
    struct Limit {
        int resource = 0;
        RlimitValue value;
        friend bool operator==(const Limit&, const Limit&) = default;
    };
    std::vector<Limit> rlimits;  // one per resource, set on the command just before execve
};

// CAP_CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
// NET_BIND_SERVICE, SYS_CHROOT, SETFCAP (capability numbers of capabilities(7)).
inline constexpr int kCapSysPtrace = 19;  // capabilities(7)
inline constexpr std::uint64_t kRootlessRootCaps = (1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) |
                                                   (1ULL << 5) | (1ULL << 6) | (1ULL << 7) | (1ULL << 8) |
                                                   (1ULL << 10) | (1ULL << 18) | (1ULL << 31);

// The reaper holds its lock files in a fixed array (no allocation after clone).
inline constexpr std::size_t kMaxLockFiles = 64;

// --cap-add/--cap-drop applied in order to `caps`; ALL stands for `all`.
std::uint64_t apply_cap_ops(std::uint64_t caps, std::uint64_t all, const std::vector<Config::CapOp>& ops);

Result<Plan> make_plan(const Config& config, const HostFacts& facts);

// Adds the compiled --seccomp-profile programs after those of --seccomp and
// --add-seccomp-fd, and decides where they are installed (`allows_early`:
// filters_allow_early_install, or a stand-in in tests) and, with --report-fd,
// which one reports its denials (`allows_listener`:
// filters_allow_listener_handoff; without it, none).
void add_filters(Plan& plan, std::vector<std::string> programs, EarlyInstallCheck allows_early,
                 ListenerCheck allows_listener = nullptr);

}  // namespace cocoon
