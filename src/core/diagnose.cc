// SPDX-License-Identifier: MIT
// The findings of --check and the cause and fix of a setup failure. [pure]
#include "core/diagnose.h"

#include <cerrno>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cocoon {
namespace {

constexpr const char* kAppArmorFix =
    "sudo apparmor_parser -r /etc/apparmor.d/cocoon (the profile meson install puts there), or "
    "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
constexpr const char* kContainerSeccompFix =
    "start the container with --security-opt seccomp=unconfined, or a seccomp profile that allows clone "
    "and unshare with namespace flags; nested in cocoon, the outer --seccomp-profile must allow them";

bool apparmor_restricts(const DiagnosisFacts& f) {
    return f.apparmor_restrict_userns.value_or(0) != 0;
}

std::string filters_text(int n) {
    return fmt::format(
        "a seccomp filter on this process ({} installed: a container's, or an outer sandbox's)", n);
}

std::vector<std::string> lines(const std::string& cause, const std::string& fix) {
    std::vector<std::string> out{"cause: " + cause};
    if (!fix.empty())
        out.push_back("fix: " + fix);
    return out;
}

std::vector<std::string> explain_clone(int errnum, const DiagnosisFacts& f) {
    if (errnum == ENOSYS)
        return lines(f.seccomp_filters > 0 ? fmt::format("clone(2) answers ENOSYS: {} refuses it",
                                                         filters_text(f.seccomp_filters))
                                           : "clone(2) answers ENOSYS",
                     kContainerSeccompFix);
    if (errnum == EPERM) {
        if (f.seccomp_filters > 0)
            return lines(fmt::format("{} refuses new namespaces", filters_text(f.seccomp_filters)),
                         kContainerSeccompFix);
        if (f.unprivileged_userns_clone.value_or(1) == 0)
            return lines(
                "kernel.unprivileged_userns_clone = 0: this kernel allows user namespaces to root only",
                "sudo sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d to keep it)");
        if (apparmor_restricts(f))
            return lines(
                "Ubuntu's AppArmor restricts unprivileged user namespaces "
                "(kernel.apparmor_restrict_unprivileged_userns = 1)",
                kAppArmorFix);
        return lines("the kernel refuses this user a new user namespace (EPERM)",
                     "cocoon --check lists what this machine allows");
    }
    if (errnum == ENOSPC || errnum == EUSERS) {
        if (f.max_user_namespaces.value_or(1) == 0)
            return lines("user.max_user_namespaces = 0: user namespaces are disabled",
                         "sudo sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d to keep it)");
        if (f.in_user_namespace)
            return lines(
                "this process is in a user namespace already, and the nesting limit (32) or this "
                "namespace's max_user_namespaces is reached",
                "run cocoon from an outer namespace, or raise user.max_user_namespaces in this one");
        return lines(fmt::format("user.max_user_namespaces ({}) user namespaces exist already",
                                 f.max_user_namespaces.value_or(0)),
                     "sudo sysctl -w user.max_user_namespaces=15000");
    }
    return {};
}

std::vector<std::string> explain_proc(int errnum, const DiagnosisFacts& f) {
    if (errnum != EPERM && errnum != EACCES)
        return {};
    if (f.proc_overmounts.empty() && !f.proc_sys_read_only)
        return {};
    std::string what;
    if (!f.proc_overmounts.empty())
        what = fmt::format("{} path{} of this /proc masked ({}{})", f.proc_overmounts.size(),
                           f.proc_overmounts.size() == 1 ? "" : "s", f.proc_overmounts.front(),
                           f.proc_overmounts.size() > 1 ? ", ..." : "");
    if (f.proc_sys_read_only)
        what += fmt::format("{}/proc/sys read-only", what.empty() ? "" : " and ");
    return lines(what +
                     ", as in a container: the kernel mounts a new procfs only where the one it "
                     "has is fully visible",
                 "replace --proc /proc with --bind /proc /proc: the sandbox then shows this /proc, the "
                 "same processes without --unshare-pid, but with it processes outside the sandbox's pid "
                 "namespace; or unmask the container's /proc (podman --security-opt unmask=ALL, docker "
                 "--security-opt systempaths=unconfined)");
}

std::vector<std::string> explain_new_root(int errnum, const DiagnosisFacts& f) {
    if ((errnum == EPERM || errnum == EACCES) && apparmor_restricts(f))
        return lines(
            "Ubuntu's AppArmor gives unprivileged user namespaces no capabilities "
            "(kernel.apparmor_restrict_unprivileged_userns = 1)",
            kAppArmorFix);
    if ((errnum == EPERM || errnum == ENOSYS) && f.seccomp_filters > 0)
        return lines(fmt::format("{} refuses the mount calls", filters_text(f.seccomp_filters)),
                     kContainerSeccompFix);
    if (errnum == EINVAL && f.root_fs_type == "rootfs")
        return lines("/ is the initramfs (rootfs), which pivot_root(2) cannot move",
                     "run from a real root filesystem (switch_root), or from a tmpfs mounted over it; "
                     "cocoon does not fall back to MS_MOVE and chroot, which would leave the host's root "
                     "reachable from inside");
    return {};
}

}  // namespace

std::string_view level_name(Level level) {
    switch (level) {
        case Level::Ok:
            return "ok";
        case Level::Warn:
            return "warn";
        case Level::Fail:
            return "fail";
    }
    return "?";
}

std::string render_findings(const std::vector<Finding>& findings, bool json) {
    if (json) {
        auto checks = nlohmann::ordered_json::array();
        for (const Finding& f : findings)
            checks.push_back(
                {{"topic", f.topic}, {"level", level_name(f.level)}, {"what", f.what}, {"fix", f.fix}});
        return nlohmann::ordered_json{{"checks", checks}}.dump(
                   2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
               "\n";
    }
    std::string out;
    for (const Finding& f : findings) {
        out += fmt::format("{:<5} {}: {}\n", level_name(f.level), f.topic, f.what);
        if (!f.fix.empty() && f.level != Level::Ok)
            out += fmt::format("      fix: {}\n", f.fix);
    }
    return out;
}

std::vector<std::string> explain_failure(FailedAt at, int errnum, const DiagnosisFacts& f) {
    switch (at) {
        case FailedAt::Clone:
            return explain_clone(errnum, f);
        case FailedAt::IdMaps:
            if ((errnum == EPERM || errnum == EACCES) && apparmor_restricts(f))
                return lines(
                    "Ubuntu's AppArmor restricts unprivileged user namespaces "
                    "(kernel.apparmor_restrict_unprivileged_userns = 1)",
                    kAppArmorFix);
            return {};
        case FailedAt::NewRoot:
        case FailedAt::PivotRoot:
            return explain_new_root(errnum, f);
        case FailedAt::ProcMount:
            return explain_proc(errnum, f);
        case FailedAt::Seccomp:
            if (!f.seccomp_mode)
                return lines("this kernel has no seccomp (CONFIG_SECCOMP, CONFIG_SECCOMP_FILTER)",
                             "drop --seccomp, --add-seccomp-fd and --seccomp-profile, or use a kernel "
                             "built with them");
            return {};
        case FailedAt::Other:
            return {};
    }
    return {};
}

std::vector<Finding> check_host(const DiagnosisFacts& f) {
    std::vector<Finding> out;
    auto add = [&out](std::string topic, Level level, std::string what, std::string fix = {}) {
        out.push_back({std::move(topic), level, std::move(what), std::move(fix)});
    };
    // The kernel and its interfaces.
    add("kernel", Level::Ok, fmt::format("Linux {}", f.kernel_release));
    for (const KernelInterface& i : kKernelInterfaces) {
        const bool present = f.kernel.*i.present;
        add(i.name, present ? Level::Ok : Level::Warn,
            present ? "present" : fmt::format("missing (Linux {}): {} instead", i.since, i.instead));
    }
    // User namespaces.
    if (f.max_user_namespaces.value_or(1) == 0)
        add("user namespaces", Level::Fail, "user.max_user_namespaces = 0",
            "sudo sysctl -w user.max_user_namespaces=15000");
    else if (f.unprivileged_userns_clone.value_or(1) == 0)
        add("user namespaces", Level::Fail, "kernel.unprivileged_userns_clone = 0",
            "sudo sysctl -w kernel.unprivileged_userns_clone=1");
    else
        add("user namespaces", Level::Ok,
            f.max_user_namespaces ? fmt::format("user.max_user_namespaces = {}", *f.max_user_namespaces)
                                  : std::string("allowed"));
    if (apparmor_restricts(f))
        add("apparmor", f.apparmor_profile ? Level::Ok : Level::Fail,
            f.apparmor_profile
                ? "restricts unprivileged user namespaces; /etc/apparmor.d/cocoon allows cocoon's"
                : "restricts unprivileged user namespaces, and no profile for cocoon is installed",
            f.apparmor_profile ? "" : kAppArmorFix);
    else
        add("apparmor", Level::Ok,
            f.apparmor_restrict_userns ? "does not restrict user namespaces"
                                       : "no user namespace restriction");
    if (f.in_user_namespace)
        add("nesting", Level::Warn, "this process is in a user namespace already (a container or a sandbox)",
            "sandboxes nest up to 32 user namespaces deep; --map-auto maps one id here");
    else
        add("nesting", Level::Ok, "the initial user namespace");
    // Seccomp and Landlock.
    if (!f.seccomp_mode)
        add("seccomp", Level::Warn, "not in this kernel (CONFIG_SECCOMP)",
            "--seccomp and --seccomp-profile cannot work here");
    else if (f.seccomp_filters > 0)
        add("seccomp", Level::Warn, filters_text(f.seccomp_filters),
            "if sandboxes fail to start: " + std::string(kContainerSeccompFix));
    else
        add("seccomp", Level::Ok, "available, this process unfiltered");
    add("landlock", f.landlock_abi ? Level::Ok : Level::Warn,
        f.landlock_abi ? fmt::format("ABI {}", *f.landlock_abi) : std::string("not available"),
        f.landlock_abi ? "" : "nothing of cocoon needs it yet");
    // The filesystem.
    if (!f.proc_overmounts.empty() || f.proc_sys_read_only)
        add("/proc", Level::Warn, explain_proc(EPERM, f).front().substr(7),
            "use --bind /proc /proc instead of --proc /proc");
    else
        add("/proc", Level::Ok, "fully visible: --proc can mount a new one");
    if (f.root_fs_type == "rootfs")
        add("root filesystem", Level::Fail, "/ is the initramfs: pivot_root(2) cannot move it",
            "run from a real root filesystem (switch_root)");
    else
        add("root filesystem", Level::Ok, f.root_fs_type.empty() ? "/" : f.root_fs_type);
    // cgroups: nothing of cocoon needs them yet; resource limits will.
    if (!f.cgroup2)
        add("cgroup v2", Level::Warn, "not mounted (cgroup v1 only)", "nothing of cocoon needs it yet");
    else
        add("cgroup v2", f.cgroup2_controllers.empty() ? Level::Warn : Level::Ok,
            fmt::format("controllers: {}; {}",
                        f.cgroup2_controllers.empty() ? std::string("none") : f.cgroup2_controllers,
                        f.cgroup2_delegated ? "delegated to this user" : "not delegated to this user"),
            f.cgroup2_controllers.empty() ? "nothing of cocoon needs them yet" : "");
    // Subordinate ids, for --map-auto.
    for (const auto& [name, path, privileged] : {std::tuple{"newuidmap", f.newuidmap, f.newuidmap_privileged},
                                                 {"newgidmap", f.newgidmap, f.newgidmap_privileged}}) {
        if (path.empty())
            add(name, Level::Warn, "not installed: --map-auto maps one id",
                "install the uidmap package (apt-get install uidmap)");
        else if (!privileged && f.in_user_namespace)
            add(name, Level::Warn, fmt::format("{} cannot work in a nested user namespace", path),
                "--map-auto maps one id here; map ranges in the outer sandbox or container instead");
        else if (!privileged)
            add(name, Level::Warn, fmt::format("{} has no setuid bit or file capabilities", path),
                fmt::format("sudo chmod u+s {} (or setcap cap_setuid+ep), as the uidmap package installs it",
                            path));
        else
            add(name, Level::Ok, path);
    }
    for (const auto& [file, count] :
         {std::pair{"/etc/subuid", f.subuid_count}, {"/etc/subgid", f.subgid_count}}) {
        if (count == 0)
            add(file, Level::Warn,
                fmt::format("no range for {}: --map-auto maps one id",
                            f.user_name.empty() ? fmt::format("uid {}", f.uid) : f.user_name),
                fmt::format("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {}",
                            f.user_name.empty() ? std::string("USER") : f.user_name));
        else
            add(file, Level::Ok, fmt::format("{} ids for {}", count, f.user_name));
    }
    return out;
}

}  // namespace cocoon
