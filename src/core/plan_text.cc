// SPDX-License-Identifier: MIT
// The plan as text, for --dry-run. [pure]
#include "core/plan_text.h"

#include <fmt/format.h>

#include "core/caps.h"
#include "core/limits.h"
#include "core/path.h"

namespace cocoon {
namespace {

std::string map_text(const IdMap& map) {
    std::string out;
    for (const MapEntry& e : map.entries)
        out += fmt::format("{}{} {} {}", out.empty() ? "" : ", ", e.inside, e.outside, e.count);
    return out + (map.via_helper ? " (newuidmap/newgidmap)" : " (written by the sandbox)");
}

std::string caps_text(std::uint64_t caps) {
    if (caps == 0)
        return "none";
    std::string out;
    for (int cap = 0; cap < 64; ++cap) {
        if ((caps & (1ULL << cap)) == 0)
            continue;
        const std::string_view name = cap_name(cap);
        out += out.empty() ? "" : " ";
        out += name.empty() ? fmt::format("{}", cap) : std::string(name);
    }
    return out;
}

std::string quoted(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += fmt::format("{}\"{}\"", out.empty() ? "" : " ", w);
    return out;
}

std::string seconds(std::uint64_t ns) {
    return fmt::format("{:g}s", static_cast<double>(ns) / 1e9);
}

// Whether op `later` mounts over `earlier`'s destination or a directory above
// it, hiding it (the ordering mistake of --tmpfs ~ after --bind ~/proj ~/proj).
// Lexical: a path through ".." or a symlink is not judged.
bool covers(const MountOp& later, const MountOp& earlier) {
    switch (later.kind) {
        case MountKind::Bind:
        case MountKind::Tmpfs:
        case MountKind::Procfs:
        case MountKind::Devpts:
        case MountKind::Mqueue:
        case MountKind::Overlay:
        case MountKind::BindFd:
        case MountKind::BindData:
            break;
        default:
            return false;
    }
    const std::string& over = later.target;
    const std::string& under = earlier.target;
    if (over.empty() || under.empty() || has_dotdot(over) || has_dotdot(under))
        return false;
    return over == "/" || under == over || (under.starts_with(over) && under[over.size()] == '/');
}

std::string limit_text(std::uint64_t v) {
    return v == ~0ULL ? "unlimited" : fmt::format("{}", v);
}

}  // namespace

std::string render_plan(const Plan& plan) {
    std::string out = "# cocoon --dry-run: the plan; nothing was created\n";
    auto line = [&out](std::string_view key, std::string_view value) {
        out += fmt::format("{}: {}\n", key, value);
    };
    std::string ns = "mount";
    for (const auto& [on, name] : {std::pair{plan.ns.user, "user"},
                                   {plan.ns.pid, "pid"},
                                   {plan.ns.net, "net"},
                                   {plan.ns.ipc, "ipc"},
                                   {plan.ns.uts, "uts"},
                                   {plan.ns.cgroup, "cgroup"}})
        if (on)
            ns += fmt::format(" {}", name);
    line("namespaces", ns);
    if (plan.userns_fd)
        line("user namespace", fmt::format("joined from fd {}", *plan.userns_fd));
    if (plan.pidns_fd)
        line("pid namespace", fmt::format("joined from fd {}{}", *plan.pidns_fd,
                                          plan.intermediate ? ", a new one made under it" : ""));
    if (plan.maps) {
        line("uid map", map_text(plan.maps->uid));
        line("gid map", map_text(plan.maps->gid));
        line("setgroups", plan.maps->deny_setgroups() ? "deny" : "allow");
    }
    if (plan.nested_maps) {
        line("nested uid map", map_text(plan.nested_maps->uid));
        line("nested gid map", map_text(plan.nested_maps->gid));
    }
    if (plan.switch_uid || plan.switch_gid)
        line("switch ids",
             fmt::format("uid {} gid {} {}", plan.switch_uid.value_or(0), plan.switch_gid.value_or(0),
                         plan.switch_early ? "before setup" : "after setup"));
    out += fmt::format("mounts: {}\n", plan.mounts.ops.size());
    const std::vector<MountOp>& ops = plan.mounts.ops;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        std::string note;
        for (std::size_t j = i + 1; j < ops.size() && note.empty(); ++j)
            if (ops[j].request != ops[i].request && covers(ops[j], ops[i]))
                note = fmt::format("  (hidden by {})", j + 1);
        out += fmt::format("  {}. {}{}\n", i + 1, describe(ops[i]), note);
    }
    if (plan.hostname)
        line("hostname", *plan.hostname);
    line("command", fmt::format("{} (argv {})", plan.exec.file, quoted(plan.exec.argv)));
    line("chdir", fmt::format("{}{}", quoted(plan.exec.chdir),
                              plan.exec.chdir_strict ? " (--chdir: must work)" : " (first that works)"));
    out += fmt::format("environment: {}\n", plan.exec.env.size());
    for (const std::string& var : plan.exec.env) out += fmt::format("  {}\n", var);
    line("capabilities", caps_text(plan.caps));
    if (plan.seccomp_filters.empty()) {
        line("seccomp", "none");
    } else {
        std::string from;
        if (plan.fd_filters > 0)
            from = fmt::format("{} from --seccomp/--add-seccomp-fd", plan.fd_filters);
        for (const seccomp::PlannedProfile& profile : plan.seccomp_profiles)
            from += fmt::format("{}--seccomp-profile {}", from.empty() ? "" : ", ", profile.name);
        line("seccomp", fmt::format("{} filters ({}), installed {}", plan.seccomp_filters.size(), from,
                                    plan.filters_before_command ? "by PID 1 before the command"
                                                                : "by the command just before execve"));
        // Where each program comes from: the fds first, then every profile that
        // has a filter (`none` has none), in order (main.cc, add_filters).
        std::vector<std::string> sources(plan.fd_filters, "--seccomp/--add-seccomp-fd");
        for (const seccomp::PlannedProfile& profile : plan.seccomp_profiles) {
            if (profile.builtin != nullptr && !profile.builtin->text.empty())
                sources.push_back(fmt::format("--seccomp-profile {}, built-in", profile.name));
            else if (profile.lowered)
                sources.push_back(fmt::format("--seccomp-profile {}, {} rules, {} after lowering",
                                              profile.name, profile.rules, profile.lowered->rules.size()));
        }
        for (std::size_t i = 0; i < plan.seccomp_filters.size(); ++i)
            out += fmt::format("  {}. {} instructions{}\n", i + 1, plan.seccomp_filters[i].size() / 8,
                               i < sources.size() ? fmt::format(" ({})", sources[i]) : "");
    }
    line("pid 1", plan.reaper
                      ? (plan.pid1_keeps != 0
                             ? "cocoon's reaper (enterable by its owner, keeps cap_sys_ptrace permitted)"
                             : "cocoon's reaper")
                      : (plan.ns.pid ? "the command" : "none (no pid namespace)"));
    constexpr const char* kOnExit[] = {"detach", "kill", "wait"};
    std::string life = fmt::format("on-exit {}", kOnExit[static_cast<int>(plan.on_exit)]);
    if (plan.die_with_parent)
        life += ", die with parent";
    if (plan.new_session)
        life += ", new session";
    if (plan.timeout_ns)
        life += fmt::format(", timeout {} (SIGKILL {} later)", seconds(*plan.timeout_ns),
                            seconds(plan.kill_after_ns));
    line("lifecycle", life);
    for (const Plan::Limit& limit : plan.rlimits)
        line("rlimit", fmt::format("{} {}:{}", rlimit_name(limit.resource), limit_text(limit.value.soft),
                                   limit_text(limit.value.hard)));
    if (!plan.consumed_fds.empty()) {
        std::string fds;
        for (const int fd : plan.consumed_fds) fds += fmt::format("{}{}", fds.empty() ? "" : " ", fd);
        line("closed before the command", fmt::format("fds {}", fds));
    }
    for (const std::string& file : plan.lock_files) line("lock file", file);
    if (plan.sync_fd)
        line("sync fd", fmt::format("{}", *plan.sync_fd));
    if (plan.block_fd)
        line("block fd", fmt::format("{}", *plan.block_fd));
    if (plan.info_fd)
        line("info fd", fmt::format("{}", *plan.info_fd));
    if (plan.json_status_fd)
        line("json status fd", fmt::format("{}", *plan.json_status_fd));
    return out;
}

}  // namespace cocoon
