// SPDX-License-Identifier: MIT
// Gathering HostFacts. [parent]
#include "os/host.h"

#include <fcntl.h>
#include <unistd.h>

#include <climits>

#include "os/fd.h"

namespace cocoon {
namespace {

bool max_user_namespaces_is_zero() {
    UniqueFd fd(::open("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC));
    if (!fd)
        return false;
    Result<std::string> text = read_all(fd.get());
    return text && text->starts_with("0");
}

}  // namespace

Result<HostFacts> gather_host_facts() {
    HostFacts facts;
    facts.uid = ::getuid();
    facts.gid = ::getgid();
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) != nullptr)
        facts.cwd = cwd;  // a deleted or unreachable cwd falls back to "/" like bwrap
    facts.has_user_ns = ::access("/proc/self/ns/user", F_OK) == 0 && !max_user_namespaces_is_zero();
    facts.has_cgroup_ns = ::access("/proc/self/ns/cgroup", F_OK) == 0;
    char tty[PATH_MAX];
    if (::isatty(STDOUT_FILENO) && ::ttyname_r(STDOUT_FILENO, tty, sizeof tty) == 0)
        facts.stdout_tty = tty;
    return facts;
}

}  // namespace cocoon
