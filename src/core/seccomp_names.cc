// SPDX-License-Identifier: MIT
// Errno names, argument constants, syscall groups and the built-in profiles. [pure]
#include "core/seccomp_names.h"

namespace cocoon::seccomp {
namespace {

struct Named {
    std::string_view name;
    std::uint64_t value;
};

constexpr Named kErrnos[] = {
    {"EPERM", 1},         {"ENOENT", 2},         {"ESRCH", 3},          {"EINTR", 4},
    {"EIO", 5},           {"ENXIO", 6},          {"E2BIG", 7},          {"ENOEXEC", 8},
    {"EBADF", 9},         {"ECHILD", 10},        {"EAGAIN", 11},        {"ENOMEM", 12},
    {"EACCES", 13},       {"EFAULT", 14},        {"EBUSY", 16},         {"EEXIST", 17},
    {"EXDEV", 18},        {"ENODEV", 19},        {"ENOTDIR", 20},       {"EISDIR", 21},
    {"EINVAL", 22},       {"ENFILE", 23},        {"EMFILE", 24},        {"ENOTTY", 25},
    {"ETXTBSY", 26},      {"EFBIG", 27},         {"ENOSPC", 28},        {"ESPIPE", 29},
    {"EROFS", 30},        {"EMLINK", 31},        {"EPIPE", 32},         {"EDOM", 33},
    {"ERANGE", 34},       {"EDEADLK", 35},       {"ENAMETOOLONG", 36},  {"ENOLCK", 37},
    {"ENOSYS", 38},       {"ENOTEMPTY", 39},     {"ELOOP", 40},         {"ENOMSG", 42},
    {"ENODATA", 61},      {"EOVERFLOW", 75},     {"ENOTSOCK", 88},      {"EPROTONOSUPPORT", 93},
    {"EOPNOTSUPP", 95},   {"ENOTSUP", 95},       {"EAFNOSUPPORT", 97},  {"EADDRINUSE", 98},
    {"ENETUNREACH", 101}, {"ECONNREFUSED", 111}, {"EHOSTUNREACH", 113}, {"EKEYREVOKED", 128},
};

constexpr Named kConstants[] = {
    // ioctl requests that reach another process through a terminal
    {"TIOCSTI", 0x5412},
    {"TIOCLINUX", 0x541c},
    {"TIOCSCTTY", 0x540e},
    {"TIOCSETD", 0x5423},
    // socket(2) families and types
    {"AF_UNIX", 1},
    {"AF_LOCAL", 1},
    {"AF_INET", 2},
    {"AF_INET6", 10},
    {"AF_KEY", 15},
    {"AF_NETLINK", 16},
    {"AF_PACKET", 17},
    {"AF_BLUETOOTH", 31},
    {"AF_ALG", 38},
    {"AF_VSOCK", 40},
    {"AF_XDP", 44},
    {"SOCK_STREAM", 1},
    {"SOCK_DGRAM", 2},
    {"SOCK_RAW", 3},
    {"SOCK_SEQPACKET", 5},
    {"NETLINK_AUDIT", 9},
    // clone(2) and unshare(2) flags
    {"CLONE_NEWTIME", 0x80},
    {"CLONE_VM", 0x100},
    {"CLONE_THREAD", 0x10000},
    {"CLONE_NEWNS", 0x20000},
    {"CLONE_NEWCGROUP", 0x2000000},
    {"CLONE_NEWUTS", 0x4000000},
    {"CLONE_NEWIPC", 0x8000000},
    {"CLONE_NEWUSER", 0x10000000},
    {"CLONE_NEWPID", 0x20000000},
    {"CLONE_NEWNET", 0x40000000},
    // personality(2)
    {"PER_LINUX", 0},
    {"PER_LINUX32", 0x8},
    {"UNAME26", 0x20000},
    {"ADDR_NO_RANDOMIZE", 0x40000},
    {"READ_IMPLIES_EXEC", 0x400000},
    {"PER_QUERY", 0xffffffff},
};

constexpr Group kGroups[] = {
    {"@keyring", "add_key keyctl request_key", "the kernel keyring"},
    {"@io-uring", "io_uring_setup io_uring_enter io_uring_register", "io_uring"},
    {"@mount",
     "mount umount umount2 pivot_root chroot fsopen fsconfig fsmount fspick move_mount open_tree "
     "mount_setattr",
     "mounting, old and new mount API, changing root"},
    {"@namespaces", "unshare setns", "creating and joining namespaces (see clone in the default profile)"},
    {"@debug",
     "ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd process_madvise perf_event_open "
     "lookup_dcookie",
     "reaching into other processes, performance counters"},
    {"@module", "init_module finit_module delete_module create_module query_module get_kernel_syms",
     "kernel modules"},
    {"@reboot", "reboot kexec_load kexec_file_load", "rebooting, loading a new kernel"},
    {"@swap", "swapon swapoff", "swap devices"},
    {"@clock", "settimeofday stime clock_settime clock_settime64 clock_adjtime clock_adjtime64 adjtimex",
     "setting the system clock"},
    {"@privileged",
     "acct bpf fanotify_init ioperm iopl nfsservctl open_by_handle_at quotactl quotactl_fd "
     "setdomainname sethostname syslog userfaultfd vhangup",
     "other system administration calls"},
    {"@file-system",
     "access chdir chmod chown chown32 close close_range creat dup dup2 dup3 faccessat faccessat2 "
     "fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 "
     "fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fremovexattr fsetxattr fstat fstat64 "
     "fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futimesat getcwd getdents getdents64 "
     "getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch lchown lchown32 lgetxattr "
     "link linkat listxattr llistxattr lremovexattr lseek _llseek lsetxattr lstat lstat64 mkdir mkdirat "
     "mknod mknodat name_to_handle_at newfstatat open openat openat2 readahead readdir readlink "
     "readlinkat removexattr rename renameat renameat2 rmdir setxattr stat stat64 statfs statfs64 statx "
     "symlink symlinkat sync sync_file_range syncfs truncate truncate64 umask unlink unlinkat utime "
     "utimensat utimensat_time64 utimes cachestat",
     "files, directories and their metadata"},
    {"@io",
     "read readv write writev pread64 preadv preadv2 pwrite64 pwritev pwritev2 sendfile sendfile64 "
     "splice tee vmsplice copy_file_range select _newselect pselect6 pselect6_time64 poll ppoll "
     "ppoll_time64 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 "
     "epoll_wait epoll_wait_old eventfd eventfd2 pipe pipe2 io_setup io_destroy io_submit io_cancel "
     "io_getevents io_pgetevents io_pgetevents_time64",
     "reading, writing, polling, pipes, POSIX AIO"},
    {"@process",
     "arch_prctl brk capget capset execve execveat exit exit_group fork vfork getpid getppid gettid "
     "getpgid getpgrp getsid setpgid setsid getuid getuid32 geteuid geteuid32 getgid getgid32 getegid "
     "getegid32 getresuid getresuid32 getresgid getresgid32 getgroups getgroups32 setuid setuid32 "
     "setgid setgid32 setreuid setreuid32 setregid setregid32 setresuid setresuid32 setresgid "
     "setresgid32 setfsuid setfsuid32 setfsgid setfsgid32 setgroups setgroups32 prctl get_thread_area "
     "set_thread_area set_tid_address set_robust_list get_robust_list rseq wait4 waitid waitpid "
     "getrlimit ugetrlimit setrlimit prlimit64 getrusage times getpriority setpriority nice "
     "sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam sched_setparam "
     "sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min "
     "sched_rr_get_interval sched_rr_get_interval_time64 sched_yield ioprio_get ioprio_set getcpu "
     "pidfd_open pidfd_send_signal process_mrelease seccomp landlock_create_ruleset landlock_add_rule "
     "landlock_restrict_self restart_syscall modify_ldt uname sysinfo getrandom",
     "processes, threads, credentials, limits, scheduling"},
    {"@signal",
     "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
     "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaction sigaltstack signal signalfd "
     "signalfd4 sigpending sigprocmask sigreturn sigsuspend kill tkill tgkill pause alarm getitimer "
     "setitimer",
     "signals and timers that signal"},
    {"@memory",
     "mmap mmap2 munmap mprotect mremap msync madvise mincore mlock mlock2 mlockall munlock munlockall "
     "memfd_create memfd_secret membarrier remap_file_pages pkey_alloc pkey_free pkey_mprotect "
     "get_mempolicy set_mempolicy set_mempolicy_home_node mbind map_shadow_stack",
     "memory mappings"},
    {"@time",
     "clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep "
     "clock_nanosleep_time64 gettimeofday nanosleep time timer_create timer_delete timer_getoverrun "
     "timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime "
     "timerfd_gettime64 timerfd_settime timerfd_settime64",
     "reading clocks, sleeping, timers"},
    {"@sync", "futex futex_time64 futex_waitv futex_wait futex_wake futex_requeue", "futexes"},
    {"@network",
     "accept accept4 bind connect getpeername getsockname getsockopt listen recvfrom recvmmsg "
     "recvmmsg_time64 recvmsg sendmmsg sendmsg sendto setsockopt shutdown socketpair",
     "sockets, except socket(2) itself"},
    {"@ipc",
     "mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend "
     "mq_timedsend_time64 mq_unlink msgctl msgget msgrcv msgsnd semctl semget semop semtimedop "
     "semtimedop_time64 shmat shmctl shmdt shmget ipc",
     "System V and POSIX message queues, semaphores, shared memory"},
};

// The built-in `default`: an allow list in the manner of Docker's default
// profile (what is not named gets ENOSYS, so a future syscall is unknown and
// refused), the calls it denies an unprivileged process, and what Flatpak
// denies on top. clone3 gets ENOSYS: its flags live in memory a filter cannot
// read, and libc falls back to clone, whose flags it can.
constexpr std::string_view kDefault = R"(# cocoon's built-in "default" seccomp profile
default deny ENOSYS

allow @file-system @io @process @signal @memory @time @sync @network @ipc

# Terminal injection: push input into the controlling terminal, or into the console.
allow ioctl
deny ioctl arg1 == TIOCSTI
deny ioctl arg1 == TIOCLINUX

# Socket families that reach the kernel's crypto, hypervisor sockets, raw packets, key management.
allow socket
deny socket arg0 == AF_ALG
deny socket arg0 == AF_VSOCK
deny socket arg0 == AF_PACKET
deny socket arg0 == AF_KEY

# No new namespaces: clone with namespace flags, unshare, setns.
allow clone
deny clone arg0 & CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWTIME != 0
deny ENOSYS clone3

# Execution domains: only Linux, its 32-bit flavour, the 2.6 uname, and the query.
deny personality
allow personality arg0 == PER_LINUX
allow personality arg0 == PER_LINUX32
allow personality arg0 == UNAME26
allow personality arg0 == UNAME26|PER_LINUX32
allow personality arg0 == PER_QUERY

deny @keyring @io-uring @mount @namespaces @debug @module @reboot @swap @clock @privileged
)";

constexpr Builtin kBuiltins[] = {
    {"default", kDefault, "Docker's protection for unprivileged processes, and Flatpak's additions"},
    {"none", "", "no filter"},
};

template <std::size_t N>
std::optional<std::uint64_t> lookup(const Named (&table)[N], std::string_view name) {
    for (const Named& row : table)
        if (row.name == name)
            return row.value;
    return std::nullopt;
}

}  // namespace

std::optional<int> errno_value(std::string_view name) {
    const auto v = lookup(kErrnos, name);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::string_view errno_name(int value) {
    for (const Named& row : kErrnos)
        if (row.value == static_cast<std::uint64_t>(value))
            return row.name;
    return {};
}

std::optional<std::uint64_t> constant_value(std::string_view name) {
    return lookup(kConstants, name);
}

std::span<const Group> groups() {
    return kGroups;
}

const Group* find_group(std::string_view name) {
    for (const Group& g : kGroups)
        if (g.name == name)
            return &g;
    return nullptr;
}

std::span<const Builtin> builtin_profiles() {
    return kBuiltins;
}

const Builtin* find_builtin(std::string_view name) {
    for (const Builtin& b : kBuiltins)
        if (b.name == name)
            return &b;
    return nullptr;
}

}  // namespace cocoon::seccomp
