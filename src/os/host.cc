// SPDX-License-Identifier: MIT
// Gathering HostFacts. [parent]
#include "os/host.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "core/id_map.h"
#include "os/fd.h"
#include "os/seccomp_compile.h"

namespace cocoon {

std::string read_text(const char* path) {
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd)
        return "";
    Result<std::string> text = read_all(fd.get());
    return text ? *text : "";
}

namespace {

bool max_user_namespaces_is_zero() {
    return read_text("/proc/sys/user/max_user_namespaces").starts_with("0");
}

}  // namespace

// The helpers are setuid root: find them in the system directories only, never
// through $PATH, which the caller controls.
std::string find_helper(const char* name) {
    for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
        std::string path = std::string(dir) + "/" + name;
        if (::access(path.c_str(), X_OK) == 0)
            return path;
    }
    return "";
}

bool started_with_privileges() {
    if (::getuid() != ::geteuid() || ::getgid() != ::getegid())
        return true;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::getuid() == 0 || ::syscall(SYS_capget, &header, data) < 0)
        return false;
    return (data[0].permitted | data[1].permitted) != 0;
}

namespace {

// ENOSYS for invalid arguments: the kernel (or a seccomp filter) lacks the call.
bool missing(long ret) {
    return ret < 0 && errno == ENOSYS;
}

}  // namespace

std::vector<std::string> privileged_sockets(std::uint32_t uid) {
    const std::string user_run = fmt::format("/run/user/{}", uid);
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    const std::string rt = runtime != nullptr && runtime[0] == '/' ? runtime : user_run;
    std::vector<std::string> candidates = {
        "/run/docker.sock",
        "/run/podman/podman.sock",
        "/run/containerd/containerd.sock",
        "/run/crio/crio.sock",
        "/run/buildkit/buildkitd.sock",
        "/run/libvirt/libvirt-sock",
        "/run/libvirt/libvirt-sock-ro",
        "/run/dbus/system_bus_socket",
        "/run/snapd.socket",
        rt + "/bus",
        rt + "/docker.sock",
        rt + "/podman/podman.sock",
        rt + "/libvirt/libvirt-sock",
        rt + "/gnupg/S.gpg-agent.ssh",
        rt + "/keyring/ssh",
        rt + "/gcr/ssh",
        rt + "/ssh-agent.socket",
    };
    if (const char* agent = std::getenv("SSH_AUTH_SOCK"); agent != nullptr && agent[0] == '/')
        candidates.emplace_back(agent);
    std::vector<std::string> found;
    for (const std::string& path : candidates) {
        // stat first: most are missing, and one stat says so where realpath
        // would readlink every component on the way.
        char real[PATH_MAX];
        struct stat st {};
        if (::stat(path.c_str(), &st) < 0 || !S_ISSOCK(st.st_mode) ||
            ::realpath(path.c_str(), real) == nullptr)
            continue;
        if (std::find(found.begin(), found.end(), real) == found.end())
            found.emplace_back(real);
    }
    return found;
}

KernelInterfaces probe_kernel() {
    KernelInterfaces k;
    k.clone3 = !missing(::syscall(SYS_clone3, nullptr, 0));  // size 0: EINVAL where it exists
    k.new_mount_api = !missing(::syscall(SYS_open_tree, -1, "", 0)) && !missing(::syscall(SYS_fsopen, "", 0));
    // waitid(2) learnt P_PIDFD last (5.4): before that, an unknown id type is
    // EINVAL; since, an fd that is not open is EBADF.
    siginfo_t info{};
    k.pidfd =
        !missing(::syscall(SYS_pidfd_open, 0, ~0U)) &&
        !(::waitid(static_cast<idtype_t>(P_PIDFD), INT_MAX, &info, WEXITED | WNOHANG) < 0 && errno == EINVAL);
    k.mount_setattr = !missing(::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0));
    k.openat2 = !missing(::syscall(SYS_openat2, -1, "", nullptr, 0));
    k.close_range = !missing(::syscall(SYS_close_range, 1, 0, 0));  // first > last: EINVAL
    std::uint32_t notify = SECCOMP_RET_USER_NOTIF;                  // EOPNOTSUPP before 5.0
    k.user_notif = ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &notify) == 0;
    return k;
}

Result<HostFacts> gather_host_facts(FactsWanted wanted) {
    HostFacts facts;
    facts.kernel = probe_kernel();
    facts.uid = ::getuid();
    facts.gid = ::getgid();
    // A deleted or unreachable cwd: relative sources are errors, and the command
    // starts in $HOME or / (bwrap does the same).
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) != nullptr && cwd[0] == '/')
        facts.cwd = cwd;
    else
        facts.cwd.reset();
    facts.has_user_ns = ::access("/proc/self/ns/user", F_OK) == 0 && !max_user_namespaces_is_zero();
    facts.has_cgroup_ns = ::access("/proc/self/ns/cgroup", F_OK) == 0;
    facts.selinux = ::access("/sys/fs/selinux/enforce", F_OK) == 0;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (facts.uid == 0 && ::syscall(SYS_capget, &header, data) == 0)
        facts.permitted_caps = data[0].permitted | (static_cast<std::uint64_t>(data[1].permitted) << 32);
    if (const std::string last = read_text("/proc/sys/kernel/cap_last_cap"); !last.empty())
        facts.last_cap = std::min(63, std::atoi(last.c_str()));
    for (int r = 0; wanted.rlimits && r < static_cast<int>(facts.rlimit_hard.size()); ++r) {
        rlimit limit{};
        facts.rlimit_hard[static_cast<std::size_t>(r)] =
            ::getrlimit(static_cast<__rlimit_resource>(r), &limit) == 0 ? limit.rlim_max : RLIM_INFINITY;
    }
    char tty[PATH_MAX];
    if (::isatty(STDOUT_FILENO) && ::ttyname_r(STDOUT_FILENO, tty, sizeof tty) == 0)
        facts.stdout_tty = tty;
    facts.privileged_sockets = privileged_sockets(facts.uid);
    if (wanted.id_maps) {
        facts.user_name = user_name_in_passwd(read_text("/etc/passwd"), facts.uid);
        facts.subuid_text = read_text("/etc/subuid");
        facts.subgid_text = read_text("/etc/subgid");
        facts.newuidmap = find_helper("newuidmap");
        facts.newgidmap = find_helper("newgidmap");
    }
    if (!wanted.seccomp_profiles.empty()) {
        facts.seccomp.known = syscall_known;
        facts.seccomp.arch = native_arch_name();
        facts.seccomp.kernel = seccomp::parse_kernel_version(kernel_release());
        for (const std::string& profile : wanted.seccomp_profiles) {
            if (seccomp::builtin_named(profile) != nullptr)
                continue;
            Result<std::string> text = read_file(profile);
            if (!text)
                return fail(
                    Error{text.error().errnum, fmt::format("--seccomp-profile: {}", text.error().context)});
            facts.seccomp.files.emplace_back(profile, std::move(*text));
        }
    }
    return facts;
}

}  // namespace cocoon
