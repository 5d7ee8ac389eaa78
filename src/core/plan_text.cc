// SPDX-License-Identifier: MIT
// The plan as text or JSON, for --dry-run. [pure]
#include "core/plan_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

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
        case MountKind::Mask:
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

std::vector<std::string> namespace_names(const Plan& plan) {
    std::vector<std::string> names = {"mount"};
    for (const auto& [on, name] : {std::pair{plan.ns.user, "user"},
                                   {plan.ns.pid, "pid"},
                                   {plan.ns.net, "net"},
                                   {plan.ns.ipc, "ipc"},
                                   {plan.ns.uts, "uts"},
                                   {plan.ns.cgroup, "cgroup"}})
        if (on)
            names.emplace_back(name);
    return names;
}

// For each op, the 1-based number of the first later op that hides it, or 0.
std::vector<std::size_t> hidden_by(const std::vector<MountOp>& ops) {
    std::vector<std::size_t> by(ops.size(), 0);
    for (std::size_t i = 0; i < ops.size(); ++i)
        for (std::size_t j = i + 1; j < ops.size() && by[i] == 0; ++j)
            if (ops[j].request != ops[i].request && covers(ops[j], ops[i]))
                by[i] = j + 1;
    return by;
}

// Where each seccomp program comes from: the fds first, then every profile
// that has a filter (`none` has none), in order (main.cc, add_filters).
std::vector<std::string> filter_sources(const Plan& plan) {
    std::vector<std::string> sources(plan.fd_filters, "--seccomp/--add-seccomp-fd");
    for (const seccomp::PlannedProfile& profile : plan.seccomp_profiles) {
        if (profile.builtin != nullptr && !profile.builtin->text.empty())
            sources.push_back(fmt::format("--seccomp-profile {}, built-in", profile.name));
        else if (profile.lowered)
            sources.push_back(fmt::format("--seccomp-profile {}, {} rules, {} after lowering", profile.name,
                                          profile.rules, profile.lowered->rules.size()));
    }
    sources.resize(plan.seccomp_filters.size());
    return sources;
}

std::string_view pid1_text(const Plan& plan) {
    if (plan.reaper)
        return plan.pid1_keeps != 0
                   ? "cocoon's reaper (enterable by its owner, keeps cap_sys_ptrace permitted)"
                   : "cocoon's reaper";
    return plan.ns.pid ? "the command" : "none (no pid namespace)";
}

constexpr const char* kOnExit[] = {"detach", "kill", "wait"};

// --net-allow: what cocoon relays, and on which ports the sandbox has listeners.
std::string net_text(const NetPolicy& net) {
    std::vector<std::string> rules, resolve, ports;
    for (const NetRule& r : net.rules) rules.push_back(r.text);
    for (const NetResolve& r : net.resolve) resolve.push_back(r.name + "=" + ip_text(r.address));
    for (const std::uint16_t p : net.ports()) ports.push_back(std::to_string(p));
    return fmt::format("relayed by cocoon: TCP to {} on ports {}, DNS answered for those names{}",
                       rules.empty() ? "nothing" : fmt::format("{}", fmt::join(rules, ", ")),
                       ports.empty() ? "none" : fmt::format("{}", fmt::join(ports, " ")),
                       resolve.empty() ? "" : fmt::format("; resolving {}", fmt::join(resolve, ", ")));
}

// The interfaces this kernel lacks, each with what is used instead.
std::vector<std::string> kernel_fallback_list(const KernelInterfaces& k) {
    std::vector<std::string> out;
    for (const KernelInterface& i : kKernelInterfaces)
        if (!(k.*i.present))
            out.push_back(fmt::format("{} for {}", i.instead, i.name));
    return out;
}

std::string kernel_fallbacks(const KernelInterfaces& k) {
    return fmt::format("{}", fmt::join(kernel_fallback_list(k), ", "));
}

}  // namespace

std::string render_plan(const Plan& plan) {
    std::string out = "# cocoon --dry-run: the plan; nothing was created\n";
    auto line = [&out](std::string_view key, std::string_view value) {
        out += fmt::format("{}: {}\n", key, value);
    };
    for (const std::string& profile : plan.profiles) line("profile", profile);
    line("namespaces", fmt::format("{}", fmt::join(namespace_names(plan), " ")));
    if (plan.join.userns_fd)
        line("user namespace", fmt::format("joined from fd {}", *plan.join.userns_fd));
    if (plan.join.pidns_fd)
        line("pid namespace", fmt::format("joined from fd {}{}", *plan.join.pidns_fd,
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
    const std::vector<std::size_t> hidden = hidden_by(ops);
    for (std::size_t i = 0; i < ops.size(); ++i)
        out += fmt::format("  {}. {}{}\n", i + 1, describe(ops[i]),
                           hidden[i] != 0 ? fmt::format("  (hidden by {})", hidden[i]) : "");
    if (plan.placeholders)
        line("placeholders",
             "for missing --protect/--mask paths, removed by a process outside when the sandbox ends");
    if (plan.hostname)
        line("hostname", *plan.hostname);
    if (plan.net)
        line("network", net_text(*plan.net));
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
        const std::vector<std::string> sources = filter_sources(plan);
        for (std::size_t i = 0; i < plan.seccomp_filters.size(); ++i)
            out += fmt::format(
                "  {}. {} instructions{}{}\n", i + 1, plan.seccomp_filters[i].size() / 8,
                sources[i].empty() ? "" : fmt::format(" ({})", sources[i]),
                plan.syscall_report && plan.syscall_report->filter == i ? ", its denials reported" : "");
        if (!plan.syscall_report_off.empty())
            out += fmt::format("  denied calls are not reported: {}\n", plan.syscall_report_off);
    }
    line("pid 1", pid1_text(plan));
    if (const std::string fallbacks = kernel_fallbacks(plan.kernel); !fallbacks.empty())
        line("kernel fallbacks", fallbacks);
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
    for (const std::string& file : plan.coord.lock_files) line("lock file", file);
    if (plan.coord.sync_fd)
        line("sync fd", fmt::format("{}", *plan.coord.sync_fd));
    if (plan.coord.block_fd)
        line("block fd", fmt::format("{}", *plan.coord.block_fd));
    if (plan.coord.info_fd)
        line("info fd", fmt::format("{}", *plan.coord.info_fd));
    if (plan.coord.json_status_fd)
        line("json status fd", fmt::format("{}", *plan.coord.json_status_fd));
    return out;
}

std::string render_plan_json(const Plan& plan) {
    using json = nlohmann::ordered_json;
    auto map_json = [](const IdMap& map) {
        json entries = json::array();
        for (const MapEntry& e : map.entries)
            entries.push_back({{"inside", e.inside}, {"outside", e.outside}, {"count", e.count}});
        return json{{"entries", entries}, {"written_by", map.via_helper ? "helpers" : "sandbox"}};
    };
    auto caps_json = [](std::uint64_t caps) {
        json names = json::array();
        for (int cap = 0; cap < 64; ++cap)
            if ((caps & (1ULL << cap)) != 0)
                names.push_back(cap_name(cap).empty() ? fmt::format("{}", cap) : std::string(cap_name(cap)));
        return names;
    };
    auto fd = [](const std::optional<int>& value) { return value ? json(*value) : json(nullptr); };
    json out;
    out["profiles"] = plan.profiles;
    out["namespaces"] = namespace_names(plan);
    out["user_namespace_fd"] = fd(plan.join.userns_fd);
    out["pid_namespace_fd"] = fd(plan.join.pidns_fd);
    if (plan.maps)
        out["id_maps"] = {{"uid", map_json(plan.maps->uid)},
                          {"gid", map_json(plan.maps->gid)},
                          {"setgroups", plan.maps->deny_setgroups() ? "deny" : "allow"}};
    if (plan.nested_maps)
        out["nested_id_maps"] = {{"uid", map_json(plan.nested_maps->uid)},
                                 {"gid", map_json(plan.nested_maps->gid)}};
    if (plan.switch_uid || plan.switch_gid)
        out["switch_ids"] = {{"uid", plan.switch_uid.value_or(0)},
                             {"gid", plan.switch_gid.value_or(0)},
                             {"when", plan.switch_early ? "before setup" : "after setup"}};
    json mounts = json::array();
    const std::vector<std::size_t> hidden = hidden_by(plan.mounts.ops);
    for (std::size_t i = 0; i < plan.mounts.ops.size(); ++i) {
        json op = {{"op", describe(plan.mounts.ops[i])}, {"destination", plan.mounts.ops[i].target}};
        if (hidden[i] != 0)
            op["hidden_by"] = hidden[i];
        mounts.push_back(std::move(op));
    }
    out["mounts"] = std::move(mounts);
    out["placeholders"] = plan.placeholders;
    out["hostname"] = plan.hostname ? json(*plan.hostname) : json(nullptr);
    out["command"] = {{"file", plan.exec.file}, {"argv", plan.exec.argv}};
    out["chdir"] = {{"candidates", plan.exec.chdir}, {"must_work", plan.exec.chdir_strict}};
    out["environment"] = plan.exec.env;
    out["capabilities"] = caps_json(plan.caps);
    json filters = json::array();
    const std::vector<std::string> sources = filter_sources(plan);
    for (std::size_t i = 0; i < plan.seccomp_filters.size(); ++i)
        filters.push_back({{"instructions", plan.seccomp_filters[i].size() / 8},
                           {"source", sources[i]},
                           {"reports_denials", plan.syscall_report && plan.syscall_report->filter == i}});
    out["seccomp"] = {
        {"filters", filters},
        {"installed_by", plan.filters_before_command ? "pid 1 before the command" : "the command"}};
    if (!plan.syscall_report_off.empty())
        out["seccomp"]["denials_unreported"] = plan.syscall_report_off;
    out["kernel_fallbacks"] = kernel_fallback_list(plan.kernel);
    if (plan.net) {
        json rules = json::array(), resolve = json::array();
        for (const NetRule& r : plan.net->rules) rules.push_back(r.text);
        for (const NetResolve& r : plan.net->resolve) resolve.push_back(r.name + "=" + ip_text(r.address));
        out["network"] = {{"allow", rules}, {"resolve", resolve}, {"ports", plan.net->ports()}};
    } else {
        out["network"] = nullptr;
    }
    out["pid1"] = {{"is", pid1_text(plan)}, {"keeps_permitted", caps_json(plan.pid1_keeps)}};
    out["lifecycle"] = {
        {"on_exit", kOnExit[static_cast<int>(plan.on_exit)]},
        {"die_with_parent", plan.die_with_parent},
        {"new_session", plan.new_session},
        {"timeout_s", plan.timeout_ns ? json(static_cast<double>(*plan.timeout_ns) / 1e9) : json(nullptr)},
        {"kill_after_s",
         plan.timeout_ns ? json(static_cast<double>(plan.kill_after_ns) / 1e9) : json(nullptr)}};
    json rlimits = json::array();
    auto limit_json = [](std::uint64_t v) { return v == ~0ULL ? json("unlimited") : json(v); };
    for (const Plan::Limit& limit : plan.rlimits)
        rlimits.push_back({{"resource", rlimit_name(limit.resource)},
                           {"soft", limit_json(limit.value.soft)},
                           {"hard", limit_json(limit.value.hard)}});
    out["rlimits"] = std::move(rlimits);
    out["closed_before_command"] = plan.consumed_fds;
    out["lock_files"] = plan.coord.lock_files;
    out["sync_fd"] = fd(plan.coord.sync_fd);
    out["block_fd"] = fd(plan.coord.block_fd);
    out["info_fd"] = fd(plan.coord.info_fd);
    out["json_status_fd"] = fd(plan.coord.json_status_fd);
    // Invalid UTF-8 (a path is bytes) is replaced rather than refused.
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace cocoon
