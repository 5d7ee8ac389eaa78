// SPDX-License-Identifier: MIT
// Config: what the user asked for on the command line, as plain values. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/id_map.h"
#include "core/limits.h"
#include "core/net_policy.h"

namespace cocoon {

// One filesystem option, kept in command-line order (they are applied in that order).
enum class FsKind {
    Bind,
    BindFd,
    RemountRo,
    Tmpfs,
    Proc,
    Dev,
    Dir,
    Symlink,
    Chmod,
    File,
    BindData,
    Mqueue,
    Overlay,
    TmpOverlay,
    RoOverlay,
    Protect,  // --protect, --protect-try (allow_missing)
    Mask,     // --mask, --mask-try
};

struct FsRequest {
    std::string flag;  // "--ro-bind": named in every error about this request
    FsKind kind = FsKind::Tmpfs;
    std::string source;  // host path (Bind) or link text (Symlink)
    std::string dest;    // as given; normalised by the planner
    bool read_only = false;
    bool allow_devices = false;
    bool allow_missing = false;          // the -try variants
    bool create_source = false;          // --bind-create: SRC made on the host first if missing
    int fd = -1;                         // --file, --bind-data, --bind-fd: the caller's fd
    std::optional<std::uint32_t> perms;  // --perms before a creating option; --chmod's mode
    std::optional<std::uint64_t> size;   // --size before --tmpfs
    std::vector<std::string> layers;     // overlays: the --overlay-src layers, bottom first
    std::string work;                    // --overlay: WORKDIR (`source` is RWSRC)
    friend bool operator==(const FsRequest&, const FsRequest&) = default;
};

// Namespaces of running processes to join (--userns, --userns2, --pidns): fds
// validated open while parsing. They pass to the plan unchanged.
struct NamespaceJoins {
    std::optional<int> userns_fd;   // --userns: joined before clone, instead of a new one
    std::optional<int> userns2_fd;  // --userns2: joined after setup
    std::optional<int> pidns_fd;    // --pidns: the pid namespace of our children
    friend bool operator==(const NamespaceJoins&, const NamespaceJoins&) = default;
};

// Coordination with the caller (bwrap's fds and lock files): fds validated
// open while parsing. They pass to the plan unchanged.
struct Coordination {
    std::optional<int> sync_fd;
    std::optional<int> block_fd;
    std::optional<int> userns_block_fd;  // another process writes the id maps meanwhile
    std::optional<int> info_fd;
    std::optional<int> json_status_fd;
    std::optional<int> report_fd;         // --report-fd
    bool report_stderr = false;           // --report-stderr
    std::vector<std::string> lock_files;  // paths inside the sandbox
    friend bool operator==(const Coordination&, const Coordination&) = default;
};

// SELinux labels (--exec-label, --file-label), passed to the plan unchanged.
struct Labels {
    std::optional<std::string> exec;
    std::optional<std::string> file;
    friend bool operator==(const Labels&, const Labels&) = default;
};

struct Config {
    bool help = false;
    bool version = false;

    bool unshare_user = false;
    bool unshare_user_try = false;
    bool unshare_ipc = false;
    bool unshare_pid = false;
    bool unshare_net = false;
    bool unshare_uts = false;
    bool unshare_cgroup = false;
    bool unshare_cgroup_try = false;

    NamespaceJoins join;
    bool disable_userns = false;
    bool assert_userns_disabled = false;

    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    std::optional<std::string> hostname;
    bool map_auto = false;
    std::vector<MapEntry> map_uid;  // --map-uid, in order
    std::vector<MapEntry> map_gid;
    std::optional<std::string> chdir;
    std::optional<std::string> argv0;

    // The environment the command gets: the caller's, edited by --setenv,
    // --unsetenv and --clearenv at parse time, in argv order (as bwrap does).
    std::vector<std::string> env;
    // --env-keep: the command's environment keeps only the basics
    // (plan.cc kKeptAlways), what --setenv set, and the names matching these
    // globs (fnmatch(3)).
    std::vector<std::string> env_keep;
    std::vector<std::string> allow_sockets;  // --allow-socket: host or sandbox paths
    std::vector<std::string> env_set;        // names --setenv set, kept whatever the globs

    std::vector<FsRequest> fs;

    // --cap-add and --cap-drop in order; `all_caps` stands for ALL.
    struct CapOp {
        bool add = true;
        bool all_caps = false;
        int cap = 0;
        friend bool operator==(const CapOp&, const CapOp&) = default;
    };
    std::vector<CapOp> cap_ops;

    // Classic BPF programs (struct sock_filter arrays) to install in order:
    // --add-seccomp-fd data is read while parsing; --seccomp's fd afterwards.
    std::vector<std::string> seccomp_filters;
    std::optional<int> seccomp_fd;
    // --seccomp-profile arguments in order (built-in names or files), installed
    // after the programs above; --seccomp-export writes their filter instead.
    std::vector<std::string> seccomp_profiles;
    std::optional<std::string> seccomp_export;
    bool dry_run = false;               // print the plan, run nothing
    bool json = false;                  // --dry-run and --check print JSON
    bool list_profiles = false;         // --profile list
    std::vector<std::string> profiles;  // each --profile, expanded: "NAME: WORDS" (--dry-run shows them)
    bool check = false;                 // --check: diagnose this machine, no COMMAND
    bool bwrap = false;  // invoked as `bwrap`: bwrap's exact status lines (main sets it from argv[0])

    // Subordinate ranges were asked for: /etc/subuid and newuidmap matter.
    bool wants_id_maps() const { return map_auto || !map_uid.empty() || !map_gid.empty(); }

    Coordination coord;
    bool level_prefix = false;
    Labels labels;

    bool new_session = false;
    bool pty = false;
    bool share_net = false;   // --share-net was given (it undoes --unshare-all's network)
    bool net_egress = false;  // --net-allow or --net-resolve: a relayed network namespace
    NetPolicy net;            // --pty: a new pseudo-terminal and session for the command
    bool die_with_parent = false;
    bool as_pid_1 = false;

    enum class OnExit { Detach, Kill, Wait };
    OnExit on_exit = OnExit::Detach;
    std::optional<std::uint64_t> timeout_ns;     // --timeout
    std::optional<std::uint64_t> kill_after_ns;  // --kill-after; the plan's default otherwise
    struct Rlimit {
        int resource = 0;
        RlimitValue value;
        std::string text;  // "NOFILE 64", named in errors
        friend bool operator==(const Rlimit&, const Rlimit&) = default;
    };
    std::vector<Rlimit> rlimits;  // in order; a later one for the same NAME wins

    std::vector<std::string> command;   // COMMAND ARGS...
    std::vector<std::string> warnings;  // "Only the last --chdir option will take effect"
};

}  // namespace cocoon
