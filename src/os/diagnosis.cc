// SPDX-License-Identifier: MIT
// What --check and the cause lines of a failed setup look at. [parent]
#include "os/diagnosis.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/strings.h"
#include "core/id_map.h"
#include "os/host.h"

namespace cocoon {
namespace {

std::optional<long> number_in(const char* path) {
    const std::string text = read_text(path);
    if (text.empty())
        return std::nullopt;
    return std::strtol(text.c_str(), nullptr, 10);
}

// "Name:\tvalue" of /proc/self/status.
std::optional<int> status_field(const std::string& status, std::string_view name) {
    for (const std::string_view line : split(status, '\n'))
        if (line.starts_with(name) && line.size() > name.size() && line[name.size()] == ':')
            return std::atoi(std::string(line.substr(name.size() + 1)).c_str());
    return std::nullopt;
}

bool privileged_helper(const std::string& path) {
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) < 0)
        return false;
    if ((st.st_mode & S_ISUID) != 0 && st.st_uid == 0)
        return true;
    return ::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
}

std::uint64_t ids_in(const std::string& file, const std::string& user, std::uint32_t id) {
    std::uint64_t n = 0;
    for (const SubIdRange& r : parse_subids(read_text(file.c_str()), file, user, id, id).ranges) n += r.count;
    return n;
}

}  // namespace

DiagnosisFacts gather_diagnosis() {
    DiagnosisFacts f;
    utsname u{};
    if (::uname(&u) == 0)
        f.kernel_release = u.release;
    f.kernel = probe_kernel();
    f.max_user_namespaces = number_in("/proc/sys/user/max_user_namespaces");
    f.unprivileged_userns_clone = number_in("/proc/sys/kernel/unprivileged_userns_clone");
    f.apparmor_restrict_userns = number_in("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    f.apparmor_profile = ::access("/etc/apparmor.d/cocoon", F_OK) == 0;
    const std::string status = read_text("/proc/self/status");
    f.seccomp_mode = status_field(status, "Seccomp");
    f.seccomp_filters = status_field(status, "Seccomp_filters").value_or(0);
    // The initial namespace maps all 4294967295 ids onto themselves.
    f.in_user_namespace = read_text("/proc/self/uid_map").find("4294967295") == std::string::npos;
    // Kept in a variable: a range-for keeps split()'s vector alive, not the
    // text its views point into (until C++23).
    const std::string mountinfo = read_text("/proc/self/mountinfo");
    for (const std::string_view line : split(mountinfo, '\n')) {
        const std::vector<std::string_view> fields = split(line, ' ');
        if (fields.size() < 6)
            continue;
        const std::string_view point = fields[4];
        if (point.starts_with("/proc/"))
            f.proc_overmounts.emplace_back(point);
        if (point == "/proc/sys" && (fields[5] == "ro" || fields[5].starts_with("ro,")))
            f.proc_sys_read_only = true;
        const std::size_t dash = line.find(" - ");
        if (dash != std::string_view::npos) {
            const std::string_view type = split(line.substr(dash + 3), ' ').front();
            if (point == "/")
                f.root_fs_type = std::string(type);
            if (type == "cgroup2")
                f.cgroup2 = true;
        }
    }
    // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
    if (const long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U); abi > 0)
        f.landlock_abi = static_cast<int>(abi);
    // This process's cgroup v2 ("0::/path" in /proc/self/cgroup), if mounted at /sys/fs/cgroup.
    const std::string cgroups = read_text("/proc/self/cgroup");
    for (const std::string_view line : split(cgroups, '\n'))
        if (line.starts_with("0::")) {
            for (const std::string base : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
                const std::string dir = base + std::string(line.substr(3));
                if (::access((dir + "/cgroup.procs").c_str(), F_OK) != 0)
                    continue;
                std::string controllers = read_text((dir + "/cgroup.controllers").c_str());
                while (!controllers.empty() && controllers.back() == '\n') controllers.pop_back();
                f.cgroup2_controllers = controllers;
                f.cgroup2_delegated = ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
                break;
            }
        }
    f.newuidmap = find_helper("newuidmap");
    f.newgidmap = find_helper("newgidmap");
    f.newuidmap_privileged = privileged_helper(f.newuidmap);
    f.newgidmap_privileged = privileged_helper(f.newgidmap);
    f.uid = ::getuid();
    f.user_name = user_name_in_passwd(read_text("/etc/passwd"), f.uid);
    f.subuid_count = ids_in("/etc/subuid", f.user_name, f.uid);
    f.subgid_count = ids_in("/etc/subgid", f.user_name, ::getgid());
    return f;
}

}  // namespace cocoon
