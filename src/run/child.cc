// SPDX-License-Identifier: MIT
// The sandbox's first process, from clone to execve. [child]
// Rules for everything here (HACKING.md, "The child contract"): noexcept; no allocation, locks,
// stdio, fmt or exceptions; only syscalls and signal-safety(7) functions; read the
// Frozen plan, never build strings; on failure write a Report and _exit().
#include "run/child.h"

#include <elf.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "os/stack_switch.h"
#include "run/beneath.h"
#include "run/fd_passing.h"
#include "run/mount_exec.h"
#include "run/net_capture.h"
#include "run/reaper.h"
#include "run/report.h"

namespace cocoon::child {
namespace {

[[noreturn]] void die(const Frozen& plan, const Report& report) noexcept {
    while (::write(plan.status_fd, &report, sizeof report) < 0 && errno == EINTR) {
    }
    // _exit, never return: the frames below us belong to the parent's copy of main.
    _exit(kExitSetupFailed);
}

[[noreturn]] void fail(const Frozen& plan, Step step, std::int32_t index = -1) noexcept {
    Report report;
    report.step = step;
    report.index = index;
    report.errnum = errno;
    die(plan, report);
}

bool write_at(int dirfd, const char* path, const char* text) noexcept {
    const int fd = ::openat(dirfd, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const std::size_t len = std::strlen(text);
    const bool ok = ::write(fd, text, len) == static_cast<ssize_t>(len);
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

// user_namespaces(7): an unprivileged process may map only its own id, with one
// line, and only after denying setgroups(2) for the gid map.
// Either map may have been written by newuidmap/newgidmap already (nullptr here).
bool write_maps(int proc, const char* uid_map, const char* gid_map, bool deny_setgroups) noexcept {
    if (uid_map != nullptr && !write_at(proc, "self/uid_map", uid_map))
        return false;
    if (deny_setgroups && !write_at(proc, "self/setgroups", "deny") && errno != ENOENT)
        return false;
    return gid_map == nullptr || write_at(proc, "self/gid_map", gid_map);
}

// With helper-written maps the caller's own id need not be --uid/--gid: switch.
// Supplementary groups are dropped where setgroups(2) is allowed; they would
// only show up as the overflow gid. Changing ids clears PR_SET_PDEATHSIG
// (prctl(2)), so it is armed again.
bool switch_ids(const Frozen& plan) noexcept {
    if (plan.drop_groups && ::setgroups(0, nullptr) < 0)
        return false;
    if (plan.switch_gid >= 0) {
        const auto gid = static_cast<gid_t>(plan.switch_gid);
        if (::setresgid(gid, gid, gid) < 0)
            return false;
    }
    // Leaving uid 0 would clear the permitted set (capabilities(7)); the command's
    // capabilities are set from it afterwards.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return false;
    if (plan.switch_uid >= 0) {
        const auto uid = static_cast<uid_t>(plan.switch_uid);
        if (::setresuid(uid, uid, uid) < 0)
            return false;
    }
    return ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0;
}

// The host's procfs, opened before anything of the user's is mounted, and checked
// to be a procfs (HACKING.md, security rule 2): later writes go through it, not through a
// path the sandbox's own mounts could redirect.
int open_proc() noexcept {
    const int fd = ::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct statfs st {};
    if (fd >= 0 && (::fstatfs(fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)) {
        ::close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

// In a fresh network namespace only lo exists, and it is down; bringing it up
// gives it 127.0.0.1/8 and ::1 (the kernel adds those to a loopback device).
bool loopback_up() noexcept {
    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return false;
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, "lo", 3);
    bool ok = ::ioctl(sock, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
        ok = ::ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
    }
    const int saved = errno;
    ::close(sock);
    errno = saved;
    return ok;
}

// The bounding set loses every capability the command is not given: nothing it
// could regain to undo the sandbox, even as uid 0 inside (bwrap does the same).
// It goes first: dropping from it needs CAP_SETPCAP, which a switch of ids may
// take away.
bool limit_bounding_set(std::uint64_t keep) noexcept {
    for (int cap = 0; cap <= 63; ++cap) {
        if ((keep & (1ULL << cap)) != 0)
            continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)  // past the kernel's last capability
                break;
            return false;
        }
    }
    return true;
}

// Permitted, effective and inheritable become `caps` (as far as we hold them),
// and so does the ambient set, so that they survive execve for any uid
// (capabilities(7)); no_new_privs caps what execve can add at what we hold.
// `also_permitted` stays permitted only: PID 1's (Plan::pid1_keeps), which
// the command loses at execve, being neither inheritable, ambient nor in the
// bounding set.
bool set_capabilities(std::uint64_t caps, std::uint64_t also_permitted = 0) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &header, data) < 0)
        return false;
    const std::uint64_t held = data[0].permitted | (static_cast<std::uint64_t>(data[1].permitted) << 32);
    caps &= held;
    also_permitted &= held;
    for (int i = 0; i < 2; ++i) {
        const auto part = static_cast<std::uint32_t>(caps >> (32 * i));
        data[i].effective = data[i].inheritable = part;
        data[i].permitted = part | static_cast<std::uint32_t>(also_permitted >> (32 * i));
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return false;
    if (::syscall(SYS_capset, &header, data) < 0)
        return false;
    for (int cap = 0; cap <= 63; ++cap)
        if ((caps & (1ULL << cap)) != 0 && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return false;
    return true;
}

std::uint64_t permitted_capabilities() noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &header, data) < 0)
        return 0;
    return data[0].permitted | (static_cast<std::uint64_t>(data[1].permitted) << 32);
}

// PID 1 once the command is started: `keeps` permitted, nothing effective,
// inheritable or ambient (lowering the permitted and inheritable sets lowers
// the ambient one, capabilities(7)). The kernel lets a process of the same uid
// and user namespace ptrace PID 1, or open its /proc/1/{mem,environ,fd/N,exe,
// root,cwd}, only if PID 1's permitted set is a subset of its own, or with
// CAP_SYS_PTRACE (ptrace(2), "Ptrace access mode checking"): the command, which
// lacks `keeps`, cannot, though PID 1 is dumpable. Its owner outside holds
// CAP_SYS_PTRACE over the namespace and can. No_new_privs: execve gives
// nothing back, not even to root.
bool keep_only_permitted(std::uint64_t keeps) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    for (int i = 0; i < 2; ++i) data[i].permitted = static_cast<std::uint32_t>(keeps >> (32 * i));
    return ::syscall(SYS_capset, &header, data) == 0;
}

// The directory is looked up without magic links: /proc/self/fd/N would name
// one of our own fds (the host's /proc, a bind source), which the command must
// never be left in.
bool enter_dir(const char* path) noexcept {
    const int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);  // the sandbox's, after pivot_root
    const int fd = root < 0 ? -1 : open_beneath(root, path, O_PATH | O_DIRECTORY, RESOLVE_NO_MAGICLINKS);
    if (root >= 0) {
        const int saved = errno;
        ::close(root);
        errno = saved;
    }
    if (fd < 0)
        return false;
    const bool ok = ::fchdir(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

void change_dir(const Frozen& plan) noexcept {
    for (std::int32_t i = 0; i < plan.n_chdir; ++i) {
        if (enter_dir(plan.chdir[i])) {
            plan.envp[plan.pwd_slot] = plan.pwd_values[i];
            return;
        }
        if (plan.chdir_strict)
            fail(plan, Step::Chdir, i);
    }
}

// The filters go on last, in order (the kernel runs the last one first), so that
// none of them has to allow the setup; no_new_privs is already set. prctl, not
// seccomp(2), which offers nothing more without flags: bwrap's contract for
// --add-seccomp-fd is that every filter but the last allows prctl
// (PR_SET_SECCOMP), and Flatpak's allowlists permit prctl, not seccomp.
//
// --report-fd: the filter whose denials are reported (Frozen::notify_filter)
// goes on with seccomp(2) and a listener, sent to us outside at once (the
// plan checked that the filters allow all of this: core/filter_order.h).
// Without a listener (a kernel or an earlier filter refusing one) it goes on
// as compiled and denies unreported; the byte sent says why. PID 1 installing
// after the command (`listener` false) takes it as compiled too.
void install_filters(const Frozen& plan, bool listener) noexcept {
    for (std::int32_t i = 0; i < plan.n_filters; ++i) {
        const sock_fprog* program = &plan.filters[i];
        if (i == plan.notify_filter) {
            if (listener) {
                const long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                          SECCOMP_FILTER_FLAG_NEW_LISTENER, program);
                if (fd >= 0) {
                    const int handed = static_cast<int>(fd);
                    send_fds(plan.notify_fd, &handed, 1, 0);
                    ::close(handed);
                    ::close(plan.notify_fd);
                    continue;
                }
                send_fds(plan.notify_fd, nullptr, 0, static_cast<char>(errno));
                ::close(plan.notify_fd);
            }
            program = &plan.notify_original;
        }
        if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, program, 0, 0) < 0)
            fail(plan, Step::Seccomp, i);
    }
}

// Whether a process here can still make a user namespace: a child tries, and
// exits at once if it managed.
bool user_namespaces_allowed() noexcept {
    const long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, nullptr, nullptr, 0);
    if (pid == 0)
        _exit(0);
    if (pid < 0)
        return false;
    int status = 0;
    while (::waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {
    }
    return true;
}

// execve, and for a file the kernel cannot execute (ENOEXEC: a script without
// "#!"), the shell with the file as its script, as execvp(3) does:
// argv becomes "/bin/sh", path, argv[1]...
void try_exec(const Frozen& plan, const char* path) noexcept {
    ::execve(path, plan.argv, plan.envp);
    if (errno != ENOEXEC)
        return;
    plan.sh_argv[1] = const_cast<char*>(path);
    ::execve(plan.sh_argv[0], plan.sh_argv, plan.envp);
    errno = ENOEXEC;
}

// The path `out` that made execve of the existing `path` fail with ENOENT: the
// end of a dangling symlink chain, or the interpreter a script's "#!" or an
// ELF file's PT_INTERP names (Debian's /usr/bin/cc -> /etc/alternatives/cc,
// a dynamic loader not bound in). False if nothing is found missing.
bool missing_part(const char* path, char (&out)[sizeof Report::detail]) noexcept {
    char cur[PATH_MAX];
    std::size_t len = std::strlen(path);
    if (len >= sizeof cur)
        return false;
    std::memcpy(cur, path, len + 1);
    auto report = [&out](const char* what) noexcept {
        const std::size_t n = std::min(std::strlen(what), sizeof out - 1);
        std::memcpy(out, what, n);
        out[n] = '\0';
        return true;
    };
    struct stat st {};
    for (int links = 0;; ++links) {
        if (::lstat(cur, &st) < 0)
            return links > 0 && report(cur);
        if (!S_ISLNK(st.st_mode) || links >= 40)
            break;
        char target[PATH_MAX];
        const ssize_t n = ::readlink(cur, target, sizeof target - 1);
        if (n <= 0)
            return false;
        target[n] = '\0';
        if (target[0] == '/') {
            std::memcpy(cur, target, static_cast<std::size_t>(n) + 1);
        } else {  // relative to the link's directory
            const char* slash = std::strrchr(cur, '/');
            const std::size_t dir = slash == nullptr ? 0 : static_cast<std::size_t>(slash - cur) + 1;
            if (dir + static_cast<std::size_t>(n) + 1 > sizeof cur)
                return false;
            std::memcpy(cur + dir, target, static_cast<std::size_t>(n) + 1);
        }
    }
    const int fd = ::open(cur, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char head[256] = {};
    const ssize_t got = ::pread(fd, head, sizeof head - 1, 0);
    char interp[PATH_MAX] = {};
    if (got > 2 && head[0] == '#' && head[1] == '!') {
        std::size_t at = 2, n = 0;
        while (at < static_cast<std::size_t>(got) && (head[at] == ' ' || head[at] == '\t')) ++at;
        while (at < static_cast<std::size_t>(got) && head[at] != ' ' && head[at] != '\t' &&
               head[at] != '\n' && n + 1 < sizeof interp)
            interp[n++] = head[at++];
    } else if (got >= static_cast<ssize_t>(sizeof(Elf64_Ehdr)) && std::memcmp(head, ELFMAG, SELFMAG) == 0 &&
               head[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        std::memcpy(&eh, head, sizeof eh);
        for (unsigned i = 0; i < eh.e_phnum && i < 64 && eh.e_phentsize == sizeof(Elf64_Phdr); ++i) {
            Elf64_Phdr ph;
            if (::pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph)) !=
                static_cast<ssize_t>(sizeof ph))
                break;
            if (ph.p_type == PT_INTERP && ph.p_filesz > 0 && ph.p_filesz < sizeof interp) {
                if (::pread(fd, interp, ph.p_filesz, static_cast<off_t>(ph.p_offset)) < 0)
                    interp[0] = '\0';
                interp[ph.p_filesz - 1] = '\0';
                break;
            }
        }
    }
    ::close(fd);
    return interp[0] == '/' && ::stat(interp, &st) < 0 && report(interp);
}

// ENOENT from execve: what was missing goes into the report's detail.
[[noreturn]] void fail_exec(const Frozen& plan, const char* found) noexcept {
    Report report;
    report.step = Step::Exec;
    report.errnum = errno;
    if (report.errnum == ENOENT && found != nullptr)
        missing_part(found, report.detail);
    die(plan, report);
}

// execvp(3) without its allocation: the command is searched in the sandbox's
// $PATH (or the default one), and the most telling error is reported.
[[noreturn]] void exec_command(const Frozen& plan, int proc, bool install) noexcept {
    // The SELinux exec label, as libselinux's setexeccon() writes it.
    if (plan.exec_label != nullptr && !write_at(proc, "thread-self/attr/exec", plan.exec_label))
        fail(plan, Step::ExecLabel);
    // The command's own limits (the reaper keeps the caller's), before the filter
    // that might refuse setrlimit.
    for (std::int32_t i = 0; i < plan.n_rlimits; ++i)
        if (::setrlimit(static_cast<__rlimit_resource>(plan.rlimits[i].resource), &plan.rlimits[i].value) < 0)
            fail(plan, Step::Rlimit, i);
    if (install)
        install_filters(plan, true);
    ::sigprocmask(SIG_SETMASK, &plan.exec_mask, nullptr);
    if (std::strchr(plan.file, '/') != nullptr) {
        try_exec(plan, plan.file);
        fail_exec(plan, plan.file);
    }
    const char* path = plan.path_env != nullptr ? plan.path_env : "/bin:/usr/bin";
    const std::size_t file_len = std::strlen(plan.file);
    int error = ENOENT;
    bool saw_eacces = false;
    char found[PATH_MAX] = {};  // the first candidate that is there, yet ENOENT
    for (const char* dir = path;; ++dir) {
        const char* end = std::strchr(dir, ':');
        const std::size_t dir_len = end != nullptr ? static_cast<std::size_t>(end - dir) : std::strlen(dir);
        char buf[PATH_MAX];
        if (dir_len + file_len + 2 <= sizeof buf) {
            std::size_t n = 0;
            if (dir_len == 0) {
                buf[n++] = '.';  // an empty $PATH entry means the current directory
            } else {
                std::memcpy(buf, dir, dir_len);
                n = dir_len;
            }
            buf[n++] = '/';
            std::memcpy(buf + n, plan.file, file_len + 1);
            try_exec(plan, buf);
            struct stat st {};
            if (errno == ENOENT && found[0] == '\0' && ::lstat(buf, &st) == 0)
                std::memcpy(found, buf, std::strlen(buf) + 1);
            if (errno == EACCES)
                saw_eacces = true;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV &&
                     errno != ETIMEDOUT)
                error = errno;
        }
        if (end == nullptr)
            break;
        dir = end;
    }
    errno = saw_eacces && error == ENOENT ? EACCES : error;
    fail_exec(plan, found[0] != '\0' ? found : nullptr);
}

// The caller's fds that options named are the sandbox's setup input, never the
// command's (bwrap closes each once used): through a directory fd the command
// could reach the host's whole tree. --sync-fd stays with whoever is PID 1 (a
// command started by the reaper closes it itself, command_main).
void close_consumed(const Frozen& plan) noexcept {
    for (std::int32_t i = 0; i < plan.n_consumed_fds; ++i)
        if (plan.consumed_fds[i] != plan.sync_fd)
            ::close(plan.consumed_fds[i]);
}

struct CommandStart {
    const Frozen* plan;
    int proc;
    int go = -1;        // read end: PID 1's go-ahead once it is closed to us
    int go_write = -1;  // PID 1's end, closed here so that PID 1's death is EOF
};

// The command's stack until its execve: exec_command needs a PATH_MAX buffer and
// a few frames. Untouched until then, so it costs no memory in the reaper.
alignas(64) char command_stack[64 * 1024];

int command_main(void* arg) noexcept {
    const auto* start = static_cast<const CommandStart*>(arg);
    stack_switch::entered(command_stack, sizeof command_stack);
    if (start->go >= 0) {
        ::close(start->go_write);
        char byte = 0;
        ssize_t n;
        while ((n = ::read(start->go, &byte, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1) {  // PID 1 is gone, and the sandbox with it
            errno = ESRCH;
            fail(*start->plan, Step::Fork);
        }
        ::close(start->go);
    }
    if (start->plan->die_with_parent)
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (start->plan->sync_fd >= 0)  // PID 1's; the rest were closed before we started
        ::close(start->plan->sync_fd);
    exec_command(*start->plan, start->proc, !start->plan->filters_before_command);
}

// PID 1 starts the command as posix_spawn(3) does: clone(2) with CLONE_VM and
// CLONE_VFORK shares our memory until the command's execve (or _exit), and we
// sleep meanwhile, having nothing to do before it. fork(2) would copy our page
// tables, then every page either side writes would be copied again, one fault
// each (10-20 us apiece in a VM). The command only makes syscalls here, and
// signal masks, rlimits, seccomp filters and the death signal are per task.
//
// Under a reaper the command is a fork instead, which waits on `go` (a pipe)
// until PID 1 is closed to it: PID 1 has work to do after the fork (drop
// capabilities, install filters), which a command sharing
// our memory and running meanwhile could watch.
pid_t spawn_command(const Frozen& plan, int proc, int go, int go_write) noexcept {
    CommandStart start{&plan, proc, go, go_write};
    const int flags = go >= 0 ? SIGCHLD : CLONE_VM | CLONE_VFORK | SIGCHLD;
    const pid_t pid = ::clone(command_main, command_stack + sizeof command_stack, flags, &start);
    if (go < 0)
        stack_switch::back_in_parent();
    return pid;
}

}  // namespace

void run(const Frozen& plan) noexcept {
    ::sigprocmask(SIG_UNBLOCK, &plan.setup_unblock, nullptr);
    set_kernel(plan.kernel);
    for (std::int32_t i = 0; i < plan.n_close_fds; ++i) ::close(plan.close_fds[i]);
    // A child of a failed or killed parent must not live on (HACKING.md, security rule 6): arm the
    // death signal, then check that the parent did not die before it was armed
    // (its end of the life pipe closes with it). getppid() cannot tell: in a new
    // pid namespace it is 0.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        fail(plan, Step::ParentDied);
    pollfd life{plan.life_fd, POLLIN, 0};
    if (::poll(&life, 1, 0) != 0) {  // readable or hung up: the write end is gone
        errno = ESRCH;
        fail(plan, Step::ParentDied);
    }
    if (plan.intermediate) {
        const long child = ::syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, nullptr, nullptr, 0);
        if (child < 0)
            fail(plan, Step::Fork);
        if (child > 0)
            relay(plan, static_cast<pid_t>(child));
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  // cleared by clone; our parent is the relay
    }
    ::umask(0);               // setup creates exactly the modes it asks for
    if (plan.wait_fd >= 0) {  // the parent runs newuidmap/newgidmap meanwhile
        ssize_t n;
        char go = 0;
        while ((n = ::read(plan.wait_fd, &go, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1) {
            errno = ESRCH;
            fail(plan, Step::ParentDied);
        }
        ::close(plan.wait_fd);
    }

    const int proc = open_proc();
    if (proc < 0)
        fail(plan, Step::OpenProc);
    set_proc(proc);
    if (!write_maps(proc, plan.uid_map, plan.gid_map, plan.deny_setgroups))
        fail(plan, Step::IdMaps);
    const bool switching = plan.switch_uid >= 0 || plan.switch_gid >= 0 || plan.drop_groups;
    if (switching && plan.switch_early && !switch_ids(plan))
        fail(plan, Step::SwitchIds);

    Report report;
    if (!build_root(plan, report)) {
        report.errnum = report.errnum != 0 ? report.errnum : errno;
        die(plan, report);
    }
    if (plan.hostname != nullptr && ::sethostname(plan.hostname, std::strlen(plan.hostname)) < 0)
        fail(plan, Step::Hostname);
    if (plan.loopback && !loopback_up())
        fail(plan, Step::Loopback);
    if (plan.net_fd >= 0 && !capture_network(plan))
        fail(plan, Step::NetCapture);
    // One nested user namespace may be made under ours, and the next line makes it.
    if (plan.disable_userns && !write_at(proc, "sys/user/max_user_namespaces", "1"))
        fail(plan, Step::DisableUserns);
    if (plan.nested_uid_map != nullptr &&
        (::unshare(CLONE_NEWUSER) < 0 || !write_maps(proc, plan.nested_uid_map, plan.nested_gid_map, true)))
        fail(plan, Step::NestedUserNs);
    if (plan.userns2_fd >= 0 && ::setns(plan.userns2_fd, CLONE_NEWUSER) < 0)
        fail(plan, Step::JoinUserns2);
    if (plan.check_userns_disabled && user_namespaces_allowed())
        fail(plan, Step::UsernsNotDisabled);
    if (!limit_bounding_set(plan.bounding))
        fail(plan, Step::Capabilities);
    if (switching && !plan.switch_early && !switch_ids(plan))
        fail(plan, Step::SwitchIds);
    if (!set_capabilities(plan.caps, plan.pid1_keeps))
        fail(plan, Step::Capabilities);
    change_dir(plan);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail(plan, Step::NoNewPrivs);
    if (plan.new_session && ::setsid() < 0)
        fail(plan, Step::NewSession);
    // --pty: the session leader (PID 1 or the command) takes the terminal.
    if (plan.pty_fd >= 0 && (::ioctl(plan.pty_fd, TIOCSCTTY, 0) < 0 || ::dup2(plan.pty_fd, 0) < 0 ||
                             ::dup2(plan.pty_fd, 1) < 0 || ::dup2(plan.pty_fd, 2) < 0))
        fail(plan, Step::NewSession);
    ::umask(plan.umask);

    if (plan.block_fd >= 0) {  // the caller's go-ahead, after setup and before seccomp
        char byte = 0;
        while (::read(plan.block_fd, &byte, 1) < 0 && errno == EINTR) {
        }
    }
    // The locks belong to PID 1, which holds them until the sandbox ends (bwrap's
    // --lock-file); opened here, where a failure can still be reported.
    int locks[kMaxLockFiles];
    for (std::int32_t i = 0; i < plan.n_lock_files; ++i) {
        locks[i] = ::open(plan.lock_files[i], O_RDONLY | O_CLOEXEC);
        if (locks[i] < 0)
            fail(plan, Step::LockFileOpen, i);
        struct flock lock {};
        lock.l_type = F_RDLCK;
        lock.l_whence = SEEK_SET;
        if (::fcntl(locks[i], F_SETLK, &lock) < 0)
            fail(plan, Step::LockFileLock, i);
    }
    // The death signal stays armed through everything that can wait (--block-fd,
    // a --lock-file that is a FIFO): a parent killed meanwhile takes the
    // half-built sandbox with it. Without --die-with-parent the command, once
    // started, outlives cocoon as with bwrap.
    if (!plan.reaper) {
        close_consumed(plan);
        if (!plan.die_with_parent)
            ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        exec_command(plan, proc, true);
    }
    // PID 1 is closed to the sandbox before the command runs, open to its owner
    // outside (HACKING.md, "PID 1"). Holding none of what it would keep (real
    // root without CAP_SYS_PTRACE), it turns non-dumpable instead: closed to all.
    const std::uint64_t keeps = plan.pid1_keeps & permitted_capabilities();
    if (keeps == 0)
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // --on-exit wait outside a pid namespace: orphans of the sandbox come to us
    // rather than to the host's init, from the command's first instruction.
    if (plan.on_exit == Config::OnExit::Wait)
        ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    close_consumed(plan);
    // The reaper runs under the same filters as the command (bwrap does too), so
    // no unfiltered process is left inside: from before the command exists when
    // the filters allow what comes after (the command inherits them then).
    if (plan.filters_before_command)
        install_filters(plan, true);
    // The command waits for PID 1's go-ahead: nothing of it runs before PID 1
    // holds no effective capability, is filtered and closed to it.
    int go[2] = {-1, -1};
    if (::pipe2(go, O_CLOEXEC) < 0)
        fail(plan, Step::Fork);
    const pid_t command = spawn_command(plan, proc, go[0], go[1]);
    if (command < 0)
        fail(plan, Step::Fork);
    if (!plan.die_with_parent)
        ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (!keep_only_permitted(keeps))
        fail(plan, Step::Capabilities);
    if (keeps != 0)
        ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (!plan.filters_before_command) {
        if (plan.notify_filter >= 0)
            ::close(plan.notify_fd);  // the command's to send: ours would hide its EOF
        install_filters(plan, false);
    }
    // Only the command may hold the status pipe now: its EOF means execve worked.
    ::close(plan.status_fd);
    // Without close_range(2), the reaper closes what the host's procfs lists.
    const int fd_dir =
        plan.kernel.close_range ? -1 : ::openat(proc, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(proc);
    const ReaperState state{.command = command,
                            .exit_fd = plan.exit_fd,
                            .life_fd = plan.life_fd,
                            .sync_fd = plan.sync_fd,
                            .on_exit = plan.on_exit,
                            .forward_kernel_signals = plan.forward_kernel_signals,
                            .keep = locks,
                            .n_keep = plan.n_lock_files,
                            .fd_dir = fd_dir,
                            .placeholder_fd = plan.placeholder_fd};
    ::close(go[0]);
    send_go(go[1]);
    reap(state);
}

}  // namespace cocoon::child
