// SPDX-License-Identifier: MIT
// make_plan(Config, HostFacts) -> Plan. [pure]
#include "core/plan.h"

#include <fmt/format.h>

namespace cocoon {
namespace {

Result<Namespaces> plan_namespaces(const Config& c, const HostFacts& facts) {
    Namespaces ns;
    // An unprivileged caller can only get the other namespaces inside a user
    // namespace of its own, so one is implied (bwrap does the same).
    ns.user = c.unshare_user || (c.unshare_user_try && facts.has_user_ns) || facts.uid != 0;
    ns.pid = c.unshare_pid;
    ns.net = c.unshare_net;
    ns.ipc = c.unshare_ipc;
    ns.uts = c.unshare_uts;
    if (c.unshare_cgroup && !facts.has_cgroup_ns)
        return fail(Error::usage("--unshare-cgroup: this kernel has no cgroup namespaces"));
    ns.cgroup = c.unshare_cgroup || (c.unshare_cgroup_try && facts.has_cgroup_ns);

    if (c.uid && !ns.user)
        return fail(Error::usage("Specifying --uid requires --unshare-user or --userns"));
    if (c.gid && !ns.user)
        return fail(Error::usage("Specifying --gid requires --unshare-user or --userns"));
    if (c.hostname && !ns.uts)
        return fail(Error::usage("Specifying --hostname requires --unshare-uts"));
    if (c.as_pid_1 && !ns.pid)
        return fail(Error::usage("Specifying --as-pid-1 requires --unshare-pid"));
    return ns;
}

std::string map_line(std::uint32_t inside, std::uint32_t outside) {
    return fmt::format("{} {} 1\n", inside, outside);
}

ExecSpec plan_exec(const Config& c, const HostFacts& facts) {
    ExecSpec exec;
    exec.file = c.command.front();
    exec.argv = c.command;
    if (c.argv0)
        exec.argv.front() = *c.argv0;
    for (const std::string& entry : c.env)
        if (!entry.starts_with("PWD="))
            exec.env.push_back(entry);
    if (c.chdir) {
        exec.chdir = {*c.chdir};
        exec.chdir_strict = true;
    } else {
        // bwrap: stay in the caller's directory if the sandbox has it, else $HOME
        // as the edited environment says, else the root.
        exec.chdir.push_back(facts.cwd);
        for (const std::string& entry : c.env)
            if (entry.starts_with("HOME=") && entry.size() > 5)
                exec.chdir.push_back(entry.substr(5));
        exec.chdir.emplace_back("/");
    }
    return exec;
}

}  // namespace

Result<Plan> make_plan(const Config& config, const HostFacts& facts) {
    Plan plan;
    plan.ns = TRY(plan_namespaces(config, facts));
    plan.mounts = TRY(plan_mounts(
        config.fs,
        MountContext{.new_pid_ns = plan.ns.pid, .cwd = facts.cwd, .stdout_tty = facts.stdout_tty}));
    if (plan.ns.user) {
        const std::uint32_t uid = config.uid.value_or(facts.uid);
        const std::uint32_t gid = config.gid.value_or(facts.gid);
        // devpts can only be mounted where root is mapped (its ptmx node belongs to
        // the namespace's root), so with --dev the first namespace maps 0 and a
        // nested one, entered after setup, maps the requested ids onto it. This is
        // what bwrap does: inside, uid_map then reads "<uid> 0 1".
        const std::uint32_t ns_uid = plan.mounts.needs_devpts ? 0 : uid;
        const std::uint32_t ns_gid = plan.mounts.needs_devpts ? 0 : gid;
        plan.maps = IdMaps{map_line(ns_uid, facts.uid), map_line(ns_gid, facts.gid), true};
        if (ns_uid != uid || ns_gid != gid)
            plan.nested_maps = IdMaps{map_line(uid, ns_uid), map_line(gid, ns_gid), true};
    }
    plan.hostname = config.hostname;
    plan.exec = plan_exec(config, facts);
    plan.reaper = plan.ns.pid && !config.as_pid_1;
    plan.drop_caps = plan.ns.user || facts.uid != 0;
    plan.new_session = config.new_session;
    plan.die_with_parent = config.die_with_parent;
    return plan;
}

}  // namespace cocoon
