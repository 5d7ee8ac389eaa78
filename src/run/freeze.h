// SPDX-License-Identifier: MIT
// Plan -> Frozen: the last allocations before clone. The child only indexes into
// what is laid out here (HACKING.md, "The child contract"). [parent builds, child reads]
#pragma once
#include <linux/filter.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/mount_plan.h"
#include "core/plan.h"

namespace cocoon::child {

// --net-allow's distinct ports (Plan refuses more).
inline constexpr std::int32_t kMaxNetPorts = 64;

struct FrozenMount {
    MountKind kind;
    bool read_only;
    bool allow_devices;
    bool allow_missing;
    const char* source;    // Bind, Overlay (upper): absolute host path; Symlink: link text
    const char* target;    // absolute sandbox path; "" for a Bind whose destination was refused
    bool dotdot;           // target has a ".." component: it may land on the root
    const char* mode_str;  // "0755": octal, for fsconfig
    const char* size_str;  // "1048576" for fsconfig, nullptr for the default
    mode_t mode;
    mode_t parent_mode;
    int fd;
    const char* const* layers;  // Overlay: host paths, bottom first
    std::int32_t n_layers;
    const char* work;  // Overlay: host path, or nullptr
    bool tmp_upper;
    bool placeholder_dir;  // Protect, Mask: a missing path is made a directory, not a file
};

struct Frozen {
    int status_fd = -1;              // write end: Report on failure, EOF on exec
    int life_fd = -1;                // read end: EOF once the parent is gone
    int exit_fd = -1;                // write end: the reaper sends the command's wait status
    const int* close_fds = nullptr;  // the parent's ends, closed first thing
    int n_close_fds = 0;

    int wait_fd = -1;               // read end: one byte once the parent is done (id map helpers, --info-fd)
    const char* uid_map = nullptr;  // a single line we write ourselves; nullptr: none to write
    const char* gid_map = nullptr;
    bool deny_setgroups = false;
    std::int64_t switch_uid = -1;  // setresuid/setresgid after setup, -1: stay
    std::int64_t switch_gid = -1;
    bool switch_early = false;  // right after the maps instead of after setup
    bool drop_groups = false;   // setgroups(0): the gid map came from newgidmap
    const char* nested_uid_map = nullptr;
    const char* nested_gid_map = nullptr;

    bool mounts_already_slave = false;  // the mount namespace's owner differs from its parent's
    const FrozenMount* mounts = nullptr;
    std::int32_t n_mounts = 0;

    const char* hostname = nullptr;
    bool loopback = false;

    const char* const* chdir = nullptr;
    std::int32_t n_chdir = 0;
    bool chdir_strict = false;

    const char* file = nullptr;  // COMMAND
    char* const* argv = nullptr;
    char** sh_argv = nullptr;  // "/bin/sh", (the script's path, set by the child), argv[1]...: ENOEXEC
    char** envp = nullptr;     // envp[pwd_slot] is filled in by the child
    std::int32_t pwd_slot = 0;
    char* const* pwd_values = nullptr;  // "PWD=<chdir[i]>"
    const char* path_env = nullptr;     // $PATH for the execvp-like search

    std::uint64_t caps = 0;        // the command's capabilities
    std::uint64_t pid1_keeps = 0;  // Plan::pid1_keeps
    KernelInterfaces kernel;       // Plan::kernel
    std::uint64_t bounding = 0;
    bool reaper = false;
    bool intermediate = false;    // make the pid namespace from a first process (--pidns + --unshare-pid)
    int userns2_fd = -1;          // setns after setup
    bool disable_userns = false;  // max_user_namespaces=1 before the nested namespace
    bool check_userns_disabled = false;
    int sync_fd = -1;                   // the reaper keeps it open for as long as it lives
    const int* consumed_fds = nullptr;  // the caller's option fds, closed before the command runs
    std::int32_t n_consumed_fds = 0;
    int block_fd = -1;                        // one byte is read from it after setup
    const char* const* lock_files = nullptr;  // opened and read-locked by the reaper
    std::int32_t n_lock_files = 0;
    const char* exec_label = nullptr;     // written to /proc/thread-self/attr/exec before execve
    const char* file_label = nullptr;     // the "context" of the sandbox's tmpfs mounts
    const sock_fprog* filters = nullptr;  // installed last, in order, on the command and the reaper
    std::int32_t n_filters = 0;
    bool filters_before_command = false;  // PID 1 installs them before it starts the command
    // --report-fd (Plan::syscall_report): filter `notify_filter` goes on with
    // a listener, which is sent to us over notify_fd; PID 1, installing its
    // own after the command's, takes notify_original instead.
    // --protect-try/--mask-try: a path not there is reported (a rule-skipped
    // line) only when something reads reports; else it is skipped quietly here.
    bool report_missing_rules = false;
    std::int32_t notify_filter = -1;
    sock_fprog notify_original{};
    int notify_fd = -1;
    bool new_session = false;
    int pty_fd = -1;  // --pty: the terminal's other end, the session's controlling terminal and stdio
    // --net-allow: the listeners' ports, and where they go once made (to us).
    std::uint16_t net_ports[kMaxNetPorts] = {};
    std::int32_t n_net_ports = 0;
    std::uint16_t net_udp_ports[kMaxNetPorts] = {};  // and, after them all, UDP sockets on these
    std::int32_t n_net_udp_ports = 0;
    int net_fd = -1;
    // Strict --protect/--mask (Plan::placeholders): the cleaner outside is told
    // of each placeholder over this before it is made (run/placeholders.h).
    int placeholder_fd = -1;
    bool net_proxy = false;    // and the CONNECT proxy's listener on 127.0.0.1 (NetPolicy::offers_proxy)
    bool net_dns_tcp = false;  // and, last, TCP port 53 (NetPolicy::offers_dns_tcp)
    bool forward_kernel_signals = false;  // Plan::forward_kernel_signals
    bool die_with_parent = false;
    Config::OnExit on_exit = Config::OnExit::Detach;
    struct Limit {
        int resource;
        rlimit value;
    };
    Limit rlimits[kRlimits] = {};  // set on the command just before execve
    std::int32_t n_rlimits = 0;
    mode_t umask = 022;
    sigset_t exec_mask{};  // the caller's signal mask, restored just before execve
    // Unblocked by the first process for its setup: the terminating signals the
    // caller left unblocked, when we sleep in vfork meanwhile (Plan::share_memory).
    sigset_t setup_unblock{};
    sigset_t reaper_waits{};  // what the reaper sigwaits for: forwarded signals + SIGCHLD
};

// Owns every string and array a Frozen points into; must outlive the child's start.
class FrozenPlan {
public:
    const Frozen& frozen() const { return frozen_; }
    Frozen& frozen() { return frozen_; }

private:
    friend std::unique_ptr<FrozenPlan> freeze(const Plan& plan);
    Frozen frozen_;
    std::deque<std::string> strings_;  // a deque never moves what it holds: pointers into it stay valid
    std::vector<FrozenMount> mounts_;
    std::vector<const char*> chdir_;
    std::vector<char*> argv_;
    std::vector<char*> sh_argv_;
    std::vector<char*> envp_;
    std::vector<char*> pwd_;
    std::vector<int> close_fds_;
    std::vector<int> consumed_fds_;
    std::vector<sock_fprog> filters_;
    std::vector<const char*> lock_files_;
    std::vector<const char*> layers_;  // reserved up front: FrozenMount points into it
    friend void set_fds(FrozenPlan&, int, int, int, int, int, std::vector<int>);
};

std::unique_ptr<FrozenPlan> freeze(const Plan& plan);

// The fds are created after freezing but before clone.
void set_fds(FrozenPlan& plan, int status_fd, int life_fd, int exit_fd, int wait_fd, int pty_fd,
             std::vector<int> close_in_child);
inline void set_net_fd(FrozenPlan& plan, int net_fd) {
    plan.frozen().net_fd = net_fd;
}
inline void set_placeholder_fd(FrozenPlan& plan, int fd) {
    plan.frozen().placeholder_fd = fd;
}
inline void set_notify_fd(FrozenPlan& plan, int notify_fd) {
    plan.frozen().notify_fd = notify_fd;
}

// The signals that end cocoon (and the sandbox with it) while setup runs: once
// the command runs they are forwarded to it instead (HACKING.md, "Signals and setup").
inline constexpr int kTerminatingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The signals cocoon forwards to the command (HACKING.md, "Signals and setup").
inline constexpr int kForwardedSignals[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
                                            SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

}  // namespace cocoon::child
