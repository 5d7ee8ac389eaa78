// SPDX-License-Identifier: MIT
// make_plan(Config, HostFacts) -> Plan. [pure]
#include "core/plan.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/seccomp_notify.h"

namespace cocoon {
namespace {

Result<Namespaces> plan_namespaces(const Config& c, const HostFacts& facts) {
    Namespaces ns;
    // An unprivileged caller can only get the other namespaces inside a user
    // namespace of its own, so one is implied (bwrap does the same).
    if (c.join.userns_fd && (c.unshare_user || c.unshare_user_try))
        return fail(Error::usage("--userns not compatible --unshare-user"));
    if (c.disable_userns && !c.unshare_user)
        return fail(Error::usage("--disable-userns requires --unshare-user"));
    if (c.disable_userns && c.coord.userns_block_fd)
        return fail(Error::usage("--disable-userns is not compatible with  --userns-block-fd"));
    ns.user =
        !c.join.userns_fd && (c.unshare_user || (c.unshare_user_try && facts.has_user_ns) || facts.uid != 0);
    ns.pid = c.unshare_pid;
    if (c.share_net && c.net_egress)
        return fail(Error::usage(
            "--share-net keeps the host's network, and --net-allow makes one of its own: drop one of them"));
    ns.net = c.unshare_net || c.net_egress;
    ns.ipc = c.unshare_ipc;
    ns.uts = c.unshare_uts;
    if (c.unshare_cgroup && !facts.has_cgroup_ns)
        return fail(Error::usage("--unshare-cgroup: this kernel has no cgroup namespaces"));
    ns.cgroup = c.unshare_cgroup || (c.unshare_cgroup_try && facts.has_cgroup_ns);

    if (c.uid && !ns.user && !c.join.userns_fd)
        return fail(Error::usage("Specifying --uid requires --unshare-user or --userns"));
    if (c.gid && !ns.user && !c.join.userns_fd)
        return fail(Error::usage("Specifying --gid requires --unshare-user or --userns"));
    if (c.hostname && !ns.uts)
        return fail(Error::usage("Specifying --hostname requires --unshare-uts"));
    if (c.as_pid_1 && !ns.pid)
        return fail(Error::usage("Specifying --as-pid-1 requires --unshare-pid"));
    // bwrap checks these before implying the user namespace: it must be asked for.
    if (c.coord.userns_block_fd && !c.unshare_user)
        return fail(Error::usage("--userns-block-fd requires --unshare-user"));
    if (c.coord.userns_block_fd && !c.coord.info_fd)
        return fail(Error::usage("--userns-block-fd requires --info-fd"));
    if (c.as_pid_1 && !c.coord.lock_files.empty())
        return fail(Error::usage("Specifying --as-pid-1 and --lock-file is not permitted"));
    if ((c.labels.exec || c.labels.file) && !facts.selinux)
        return fail(Error::usage("labeling not supported on this system"));
    if (c.coord.lock_files.size() > kMaxLockFiles)
        return fail(Error::usage(fmt::format("--lock-file: at most {} lock files", kMaxLockFiles)));
    return ns;
}

// The id inside the sandbox: --uid, else whatever the caller's own id maps to,
// else (explicit maps that leave the caller out) an error.
Result<std::uint32_t> sandbox_id(std::optional<std::uint32_t> requested, std::uint32_t caller,
                                 const std::vector<MapEntry>& explicit_maps, std::string_view kind) {
    if (explicit_maps.empty())
        return requested.value_or(caller);
    const std::optional<std::uint32_t> own = inside_id(explicit_maps, caller);
    if (requested) {
        if (!inside_id(explicit_maps, 0) && !own &&
            std::none_of(explicit_maps.begin(), explicit_maps.end(), [&](const MapEntry& e) {
                return *requested >= e.inside && *requested - e.inside < e.count;
            }))
            return fail(
                Error::usage(fmt::format("--{} {} is not mapped by --map-{}", kind, *requested, kind)));
        return *requested;
    }
    if (!own)
        return fail(Error::usage(fmt::format("--map-{}: your {} {} is not mapped; map it or choose --{}",
                                             kind, kind, caller, kind)));
    return *own;
}

Status plan_user_ns(const Config& c, const HostFacts& facts, Plan& plan) {
    // Explicit maps do not depend on the sandbox id: they are checked first, so
    // that a range outside /etc/subuid is the error the user sees.
    std::uint32_t uid = c.uid.value_or(facts.uid);
    std::uint32_t gid = c.gid.value_or(facts.gid);
    const bool any_maps = c.wants_id_maps();
    SubIds subuids, subgids;
    if (any_maps) {
        subuids = parse_subids(facts.subuid_text, "/etc/subuid", facts.user_name, facts.uid, facts.uid);
        subgids = parse_subids(facts.subgid_text, "/etc/subgid", facts.user_name, facts.uid, facts.gid);
        plan.warnings.insert(plan.warnings.end(), subuids.warnings.begin(), subuids.warnings.end());
        plan.warnings.insert(plan.warnings.end(), subgids.warnings.begin(), subgids.warnings.end());
    }
    IdMapPlan uids = TRY(plan_id_map({.kind = "uid",
                                      .file = "/etc/subuid",
                                      .caller = facts.uid,
                                      .sandbox = uid,
                                      .map_auto = c.map_auto,
                                      .explicit_maps = c.map_uid,
                                      .subids = &subuids,
                                      .helper_found = !facts.newuidmap.empty(),
                                      .helper = "newuidmap",
                                      .helper_failure = facts.id_helper_failure}));
    IdMapPlan gids = TRY(plan_id_map({.kind = "gid",
                                      .file = "/etc/subgid",
                                      .caller = facts.gid,
                                      .sandbox = gid,
                                      .map_auto = c.map_auto,
                                      .explicit_maps = c.map_gid,
                                      .subids = &subgids,
                                      .helper_found = !facts.newgidmap.empty(),
                                      .helper = "newgidmap",
                                      .helper_failure = facts.id_helper_failure}));
    uid = TRY(sandbox_id(c.uid, facts.uid, c.map_uid, "uid"));
    gid = TRY(sandbox_id(c.gid, facts.gid, c.map_gid, "gid"));
    plan.warnings.insert(plan.warnings.end(), uids.warnings.begin(), uids.warnings.end());
    plan.warnings.insert(plan.warnings.end(), gids.warnings.begin(), gids.warnings.end());
    IdMaps maps{std::move(uids.map), std::move(gids.map)};
    // --map-auto alone: a helper that fails at run time (in a container, nested,
    // installed without its privileges) means one id, planned again.
    plan.maps_may_degrade = maps.via_helper() && c.map_auto && c.map_uid.empty() && c.map_gid.empty();
    if (maps.via_helper()) {
        // The caller's own id becomes --uid/--gid only by switching after setup.
        if (inside_id(maps.uid.entries, facts.uid) != uid)
            plan.switch_uid = uid;
        if (inside_id(maps.gid.entries, facts.gid) != gid)
            plan.switch_gid = gid;
        plan.switch_early =
            !inside_id(maps.uid.entries, facts.uid) || !inside_id(maps.gid.entries, facts.gid);
        // With real ids to hand out, root inside is only useful with the
        // capabilities that chown, tar -x or a package manager need; within this
        // user namespace they reach no id the caller does not own (podman's
        // rootless default set, without the network and device ones).
        if (uid == 0)
            plan.caps = kRootlessRootCaps;
        plan.maps = std::move(maps);
        return {};
    }
    // devpts can only be mounted where root is mapped (its ptmx node belongs to
    // the namespace's root), so with --dev and single-id maps the first namespace
    // maps 0 and a nested one, entered after setup, maps the requested ids onto it.
    // This is what bwrap does: inside, uid_map then reads "<uid> 0 1".
    // --disable-userns needs the nested namespace too: its limit of one nested
    // namespace is used up by it (bwrap does the same).
    const bool devpts = plan.mounts.needs_devpts && (uid != 0 || gid != 0);
    if (devpts || c.disable_userns) {
        const std::uint32_t ns_uid = devpts ? 0 : uid;
        const std::uint32_t ns_gid = devpts ? 0 : gid;
        plan.maps = IdMaps{IdMap{{{ns_uid, facts.uid, 1}}, false}, IdMap{{{ns_gid, facts.gid, 1}}, false}};
        plan.nested_maps = IdMaps{IdMap{{{uid, ns_uid, 1}}, false}, IdMap{{{gid, ns_gid, 1}}, false}};
    } else {
        plan.maps = std::move(maps);
    }
    return {};
}

// With --env-keep, these always stay (PWD is set to wherever chdir lands).
constexpr std::string_view kKeptAlways[] = {"PATH", "HOME", "TERM", "LANG", "LC_*", "TZ", "USER", "LOGNAME"};

bool kept(const Config& c, std::string_view entry) {
    const std::string name(entry.substr(0, entry.find('=')));
    if (std::find(c.env_set.begin(), c.env_set.end(), name) != c.env_set.end())
        return true;
    for (const std::string_view pattern : kKeptAlways)
        if (::fnmatch(std::string(pattern).c_str(), name.c_str(), 0) == 0)
            return true;
    for (const std::string& pattern : c.env_keep)
        if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
            return true;
    return false;
}

ExecSpec plan_exec(const Config& c, const HostFacts& facts) {
    ExecSpec exec;
    exec.file = c.command.front();
    exec.argv = c.command;
    if (c.argv0)
        exec.argv.front() = *c.argv0;
    for (const std::string& entry : c.env)
        if (!entry.starts_with("PWD=") && (c.env_keep.empty() || kept(c, entry)))
            exec.env.push_back(entry);
    if (!c.env_keep.empty()) {
        // What is true inside: a PATH to search, and root's name for uid 0
        // (the caller's own name would be wrong there).
        auto has = [&](std::string_view name) {
            return std::any_of(exec.env.begin(), exec.env.end(), [&](const std::string& e) {
                return e.size() > name.size() && e.starts_with(name) && e[name.size()] == '=';
            });
        };
        if (!has("PATH"))
            exec.env.emplace_back("PATH=/usr/local/bin:/usr/bin:/bin");
        if (c.uid.value_or(facts.uid) == 0 && facts.uid != 0)
            for (std::string& e : exec.env)
                if (e.starts_with("USER=") || e.starts_with("LOGNAME="))
                    e = e.substr(0, e.find('=') + 1) + "root";
    }
    // --net-allow: tools that prefer a proxy get cocoon's (unless told otherwise).
    if (c.net_egress && c.net.offers_proxy())
        for (const std::string_view name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"}) {
            if (std::find(c.env_set.begin(), c.env_set.end(), name) != c.env_set.end())
                continue;
            std::erase_if(exec.env,
                          [&](const std::string& e) { return e.starts_with(std::string(name) + "="); });
            exec.env.push_back(fmt::format("{}=http://127.0.0.1:{}", name, kProxyPort));
        }
    if (c.chdir) {
        exec.chdir = {*c.chdir};
        exec.chdir_strict = true;
    } else {
        // bwrap: stay in the caller's directory if the sandbox has it, else $HOME
        // as the edited environment says, else the root.
        if (facts.cwd)
            exec.chdir.push_back(*facts.cwd);
        for (const std::string& entry : c.env)
            if (entry.starts_with("HOME=") && entry.size() > 5)
                exec.chdir.push_back(entry.substr(5));
        exec.chdir.emplace_back("/");
    }
    return exec;
}

// --cap-add and --cap-drop in order, from an empty set for an unprivileged caller
// (or the rootless root set) and from every capability for real root (bwrap's rules).
// --on-exit, --timeout and --rlimit. Killing "everything in the sandbox" needs
// a pid namespace: outside one, nothing tells the sandbox's processes from the
// caller's. Waiting for them does not: the reaper becomes their child
// subreaper (PR_SET_CHILD_SUBREAPER), so orphans come to it.
constexpr std::uint64_t kDefaultKillAfterNs = 5000000000ULL;  // 5 s, timeout(1)'s usual grace

Status plan_lifecycle(const Config& config, const HostFacts& facts, Plan& plan) {
    using OnExit = Config::OnExit;
    plan.on_exit = config.on_exit;
    if (config.on_exit == OnExit::Kill && !plan.ns.pid)
        return fail(
            Error::usage("--on-exit kill needs a pid namespace (--unshare-pid) to find every process of "
                         "the sandbox"));
    if (config.on_exit == OnExit::Wait) {
        if (config.as_pid_1)
            return fail(Error::usage("--on-exit wait needs cocoon's reaper: drop --as-pid-1"));
        plan.reaper = true;
    }
    if (config.kill_after_ns && !config.timeout_ns)
        return fail(Error::usage("--kill-after needs --timeout"));
    if (config.timeout_ns && !plan.ns.pid)
        return fail(
            Error::usage("--timeout needs a pid namespace (--unshare-pid) so that SIGKILL reaches every "
                         "process of the sandbox"));
    plan.timeout_ns = config.timeout_ns;
    plan.kill_after_ns = config.kill_after_ns.value_or(kDefaultKillAfterNs);
    for (const Config::Rlimit& r : config.rlimits) {
        const std::uint64_t hard = facts.rlimit_hard[static_cast<std::size_t>(r.resource)];
        if (r.value.hard != kRlimInfinity ? (hard != kRlimInfinity && r.value.hard > hard)
                                          : hard != kRlimInfinity)
            return fail(Error::usage(
                fmt::format("--rlimit {}: above the hard limit {} that cocoon may raise to (raising it needs "
                            "CAP_SYS_RESOURCE on the host)",
                            r.text, hard)));
        auto same = std::find_if(plan.rlimits.begin(), plan.rlimits.end(),
                                 [&](const Plan::Limit& l) { return l.resource == r.resource; });
        if (same != plan.rlimits.end())
            same->value = r.value;
        else
            plan.rlimits.push_back({r.resource, r.value});
    }
    return {};
}

void plan_caps(const Config& c, const HostFacts& facts, Plan& plan) {
    const std::uint64_t all = facts.last_cap >= 63 ? ~0ULL : (1ULL << (facts.last_cap + 1)) - 1;
    const bool real_root = facts.uid == 0;
    const std::uint64_t caps =
        apply_cap_ops(real_root ? all & facts.permitted_caps : plan.caps, all, c.cap_ops);
    plan.caps = caps;
    plan.bounding = real_root ? all & facts.permitted_caps : caps;
}

// The fds the parent reads and closes itself (--args, --seccomp,
// --add-seccomp-fd) are gone before the sandbox starts; --info-fd,
// --json-status-fd and --userns-block-fd are the parent's and closed in the
// sandbox first thing (run/launcher.cc). The rest stay open through setup.
void plan_consumed_fds(const Config& c, Plan& plan) {
    std::vector<int>& fds = plan.consumed_fds;
    for (const FsRequest& op : c.fs)
        if (op.fd >= 0)
            fds.push_back(op.fd);
    for (const std::optional<int>& fd : {c.coord.sync_fd, c.coord.block_fd, c.coord.report_fd,
                                         c.join.userns_fd, c.join.userns2_fd, c.join.pidns_fd})
        if (fd)
            fds.push_back(*fd);
    std::sort(fds.begin(), fds.end());
    fds.erase(std::unique(fds.begin(), fds.end()), fds.end());
}

}  // namespace

std::uint64_t apply_cap_ops(std::uint64_t caps, std::uint64_t all, const std::vector<Config::CapOp>& ops) {
    for (const Config::CapOp& op : ops) {
        const std::uint64_t bits = op.all_caps ? all : 1ULL << op.cap;
        caps = op.add ? caps | bits : caps & ~bits;
    }
    return caps;
}

Result<Plan> make_plan(const Config& config, const HostFacts& facts) {
    Plan plan;
    plan.ns = TRY(plan_namespaces(config, facts));
    plan.mounts =
        TRY(plan_mounts(config.fs, MountContext{.new_pid_ns = plan.ns.pid || config.join.pidns_fd.has_value(),
                                                .cwd = facts.cwd,
                                                .stdout_tty = facts.stdout_tty,
                                                // As bwrap, cocoon keeps bwrap's tree exactly.
                                                .sockets = config.bwrap ? std::vector<std::string>{}
                                                                        : facts.privileged_sockets,
                                                .allowed_sockets = config.allow_sockets}));
    plan.placeholders = std::any_of(plan.mounts.ops.begin(), plan.mounts.ops.end(), [](const MountOp& op) {
        return (op.kind == MountKind::Protect || op.kind == MountKind::Mask) && !op.allow_missing;
    });
    if (plan.ns.user && !config.coord.userns_block_fd)
        TRY(plan_user_ns(config, facts, plan));
    else if (config.wants_id_maps())
        return fail(Error::usage("--map-auto, --map-uid and --map-gid require --unshare-user"));
    plan.hostname = config.hostname;
    plan.exec = plan_exec(config, facts);
    // bwrap keeps a PID 1 for a pid namespace, and also to hold --sync-fd and the
    // --lock-file locks for as long as the sandbox lives.
    plan.reaper =
        !config.as_pid_1 && (plan.ns.pid || config.coord.sync_fd || !config.coord.lock_files.empty());
    plan.join = config.join;
    plan.intermediate = config.join.pidns_fd && plan.ns.pid;
    plan.disable_userns = config.disable_userns;
    plan.assert_userns_disabled = config.assert_userns_disabled;
    if (config.join.userns_fd) {  // ids inside a joined namespace: switch to them after setup
        plan.switch_uid = config.uid;
        plan.switch_gid = config.gid;
    }
    plan.kernel = facts.kernel;
    plan.coord = config.coord;
    plan.labels = config.labels;
    plan.profiles = config.profiles;
    plan_caps(config, facts, plan);
    plan.seccomp_filters = config.seccomp_filters;
    plan.fd_filters = config.seccomp_filters.size();
    plan.seccomp_profiles = TRY(seccomp::plan_profiles(config.seccomp_profiles, facts.seccomp, plan.caps));
    plan.new_session = config.new_session || config.pty;
    plan.pty = config.pty;
    if (config.net_egress) {
        plan.net = config.net;
        if (plan.net->ports().size() + plan.net->udp_ports().size() > 64)
            return fail(Error::usage("--net-allow: the rules name more than 64 ports"));
        if (plan.net->upstream && !plan.net->udp_ports().empty())
            return fail(Error::usage(
                "--net-upstream carries TCP only: a UDP rule would go around it; drop one of them"));
    }
    // A terminal's signals reach the command directly, unless --new-session
    // moved it away from the caller's terminal; with --pty its own terminal
    // sends them to it, and the caller's sends none (it is in raw mode).
    plan.forward_kernel_signals = config.new_session && !config.pty;
    plan.die_with_parent = config.die_with_parent;
    plan.initial_parent = facts.parent_pid;
    TRY(plan_lifecycle(config, facts, plan));
    plan_consumed_fds(config, plan);
    plan.bwrap_status_line = config.bwrap;
    // The first process waits for our go-ahead while helpers write its id maps,
    // another process does (--userns-block-fd), or we read its namespaces for
    // --info-fd/--json-status-fd (an id switch
    // during setup leaves the process non-dumpable for a while, which hides them).
    plan.child_waits = (plan.maps && plan.maps->via_helper()) || plan.coord.userns_block_fd.has_value() ||
                       plan.coord.info_fd.has_value() || plan.coord.json_status_fd.has_value();
    // A first process that ends in execve (no reaper or relay to stay behind)
    // and needs nothing from us meanwhile runs in our memory while we sleep
    // (vfork): not when its setup may wait indefinitely (--block-fd) or when we
    // must watch our own parent meanwhile (--die-with-parent): asleep, we could
    // not kill it; or relay its terminal (--pty) or its network (--net-allow).
    // Nor when setup may send warnings (--protect-try, --mask-try): the status
    // pipe would fill while we sleep; or need a placeholder cleaner, which
    // we fork when setup first asks for it (run/placeholders.h).
    const bool may_warn = std::any_of(plan.mounts.ops.begin(), plan.mounts.ops.end(), [](const MountOp& op) {
        return (op.kind == MountKind::Protect || op.kind == MountKind::Mask) && op.allow_missing;
    });
    plan.share_memory = !plan.reaper && !plan.intermediate && !plan.child_waits && !plan.coord.block_fd &&
                        !plan.die_with_parent && !plan.pty && !plan.net && !may_warn && !plan.placeholders;
    if (plan.reaper)
        plan.pid1_keeps = 1ULL << kCapSysPtrace;
    return plan;
}

namespace {

// --report-fd: the last --seccomp-profile whose program denies with an errno
// reports its denials (a process can have one listener); the others, and
// the programs of --seccomp and --add-seccomp-fd, deny silently.
void plan_syscall_report(Plan& plan, ListenerCheck allows_listener) {
    if ((!plan.coord.report_fd && !plan.coord.report_stderr) ||
        plan.seccomp_filters.size() == plan.fd_filters)
        return;
    if (!plan.kernel.user_notif) {
        plan.syscall_report_off = "the kernel lacks seccomp user notification (Linux 5.0)";
        return;
    }
    for (std::size_t i = plan.seccomp_filters.size(); i-- > plan.fd_filters;) {
        std::optional<std::string> notified = seccomp::notify_program(plan.seccomp_filters[i]);
        if (!notified)
            continue;
        std::vector<std::string> programs = plan.seccomp_filters;
        programs[i] = *notified;
        if (allows_listener == nullptr || !allows_listener(programs)) {
            plan.syscall_report_off =
                "a filter denies what handing its listener out needs (seccomp, sendmsg, close, execve)";
            return;
        }
        plan.syscall_report = Plan::SyscallReport{i, std::move(plan.seccomp_filters[i])};
        plan.seccomp_filters[i] = std::move(*notified);
        // Asleep in vfork, we could not answer a call the command makes
        // before its execve.
        plan.share_memory = false;
        return;
    }
    plan.syscall_report_off = "no --seccomp-profile denies a call with an errno other than ENOSYS";
}

}  // namespace

void add_filters(Plan& plan, std::vector<std::string> programs, EarlyInstallCheck allows_early,
                 ListenerCheck allows_listener) {
    for (std::string& program : programs) plan.seccomp_filters.push_back(std::move(program));
    plan_syscall_report(plan, allows_listener);
    // PID 1 always sets its own capabilities once the command is started
    // (down to pid1_keeps) and turns dumpable again.
    const AfterFilters after{.capset = true,
                             .death_signal = plan.die_with_parent,
                             .exec_label = plan.labels.exec.has_value(),
                             .rlimits = !plan.rlimits.empty(),
                             .pid1_dumpable = true};
    plan.filters_before_command =
        plan.reaper && !plan.seccomp_filters.empty() && allows_early(plan.seccomp_filters, after);
}

}  // namespace cocoon
