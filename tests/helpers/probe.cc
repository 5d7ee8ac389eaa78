// SPDX-License-Identifier: MIT
// Runs inside the sandbox and reports what a test cannot see with coreutils alone.
//   probe caps            the five capability sets and NoNewPrivs, one per line
//   probe ptrace PID      the errno name of PTRACE_ATTACH to PID ("OK" if it worked)
//   probe fds             the open fds above 2, space-separated ("none" if there are none)
//   probe deny NR ERRNO [I=V]  writes a classic BPF program that fails syscall NR
//                         with ERRNO (only when its argument I is V, if given)
//   probe container [ERRNO]  writes a program that refuses new user namespaces as a
//                         container's default seccomp profile does (EPERM), or
//                         with ERRNO (ENOSPC: as with max_user_namespaces = 0)
//   probe deny-set ERRNO NR...  writes a program that fails each syscall NR with ERRNO
//   probe under FILE CMD...  runs CMD under the program in FILE: a host that lacks a syscall
//   probe kernel VERSION  writes a program that makes this kernel look like an
//                         older one (5.10, 5.4, 4.18): every syscall added since
//                         fails with ENOSYS; on 5.4 clone3 too (5.4 has it but
//                         refuses CLONE_CLEAR_SIGHAND with EINVAL, which a filter
//                         cannot tell apart from glibc's own clone3 calls: "probe
//                         kernel clone3-einval" has that case alone)
//   probe try NAME        calls uname or getppid and prints "OK" or the error
//   probe sys NAME ARG... makes syscall NAME with numeric ARGs (0x.. or decimal) and
//                         prints "OK" or the errno name (EPERM)
//   probe x32 NR ARG...   syscall NR with the x32 bit set (ENOSYS on kernels without x32)
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int caps() {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr)
        return 1;
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr)
        if (std::strncmp(line, "Cap", 3) == 0 || std::strncmp(line, "NoNewPrivs", 10) == 0)
            std::fputs(line, stdout);
    std::fclose(f);
    return 0;
}

int ptrace_attach(pid_t pid) {
    if (::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) == 0) {
        ::waitpid(pid, nullptr, __WALL);
        ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
        std::puts("OK");
        return 0;
    }
    std::puts(strerrordesc_np(errno));
    return 0;
}

int fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr)
        return 1;
    const int own = ::dirfd(d);
    std::string out;
    while (dirent* e = ::readdir(d)) {
        const int fd = std::atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == own)
            continue;
        out += (out.empty() ? "" : " ") + std::to_string(fd);
    }
    ::closedir(d);
    std::puts(out.empty() ? "none" : out.c_str());
    return 0;
}

// With `arg` ("I=V"), only calls whose argument I (0-5) is V: prctl's option,
// fsconfig's command.
int deny(long nr, unsigned errnum, const char* arg) {
    const unsigned skip_to_allow = arg != nullptr ? 3 : 1;
    std::vector<sock_filter> program = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),  // seccomp_data.nr
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0,
                 static_cast<unsigned char>(skip_to_allow)),
    };
    if (arg != nullptr) {
        const unsigned index = static_cast<unsigned>(arg[0] - '0');
        if (index > 5 || arg[1] != '=')
            return 2;
        const unsigned offset = 16 + 8 * index;  // seccomp_data.args[index], low half
        program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
        program.push_back(
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(std::atol(arg + 2)), 0, 1));
    }
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (errnum & SECCOMP_RET_DATA)));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return std::fwrite(program.data(), sizeof(sock_filter), program.size(), stdout) == program.size() ? 0 : 1;
}

// x86_64 numbers: 5.10's last syscall is process_madvise (440), 5.4's clone3
// (435), 4.18's rseq (334; 335 to 423 are unused on x86_64). 4.18 also lacks
// the pidfd flag and id type of syscalls it has, and seccomp's user notifications.
int kernel(const std::string& version) {
    unsigned first_missing = ~0U;
    bool clone3_einval = false;
    bool clone3_enosys = false;
    if (version == "5.10") {
        first_missing = 441;
    } else if (version == "5.4") {
        first_missing = 436;
        clone3_enosys = true;
    } else if (version == "clone3-einval") {
        clone3_einval = true;
    } else if (version == "4.18") {
        first_missing = 424;
    } else {
        return 2;
    }
    std::vector<sock_filter> program = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};  // seccomp_data.nr
    if (version == "4.18") {
        // No pidfds at all: clone(2) with CLONE_PIDFD (which 4.18 would ignore,
        // leaving no fd) and waitid's P_PIDFD (an unknown id type) are EINVAL.
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4));
        program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16));  // args[0], low half: the flags
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_PIDFD, 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_waitid, 0, 4));
        program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16));  // args[0]: the id type
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, P_PIDFD, 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        // No SECCOMP_RET_USER_NOTIF (5.0): seccomp(2) does not offer it, and
        // refuses the flag that asks for a listener.
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 7));
        program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16));  // args[0]: the operation
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_GET_ACTION_AVAIL, 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EOPNOTSUPP));
        program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 24));  // args[1]: the flags
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    }
    if (clone3_einval || clone3_enosys) {
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (clone3_einval ? EINVAL : ENOSYS)));
    }
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, first_missing, 0, 1));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return std::fwrite(program.data(), sizeof(sock_filter), program.size(), stdout) == program.size() ? 0 : 1;
}

// A container's default seccomp profile, as Docker's and podman's behave for a
// process without CAP_SYS_ADMIN: clone3 fails with ENOSYS (so that libc falls
// back to clone), and clone and unshare with CLONE_NEWUSER with EPERM.
int container(unsigned errnum) {
    const std::vector<sock_filter> program = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),  // seccomp_data.nr
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),  // args[0], low half: the flags
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | errnum),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return std::fwrite(program.data(), sizeof(sock_filter), program.size(), stdout) == program.size() ? 0 : 1;
}

// Every syscall in `nrs` fails with `errnum`.
int deny_set(unsigned errnum, char** nrs, int n) {
    std::vector<sock_filter> program = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
    for (int i = 0; i < n; ++i) {
        program.push_back(
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(std::atol(nrs[i])), 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (errnum & SECCOMP_RET_DATA)));
    }
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return std::fwrite(program.data(), sizeof(sock_filter), program.size(), stdout) == program.size() ? 0 : 1;
}

// A host that lacks something, for one process tree: the filter in `file`
// (written by deny) on this process, then COMMAND.
int under(const char* file, char** command) {
    FILE* f = std::fopen(file, "rb");
    if (f == nullptr)
        return 2;
    sock_filter insns[64];
    const std::size_t n = std::fread(insns, sizeof(sock_filter), 64, f);
    std::fclose(f);
    const sock_fprog prog{static_cast<unsigned short>(n), insns};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
        std::perror("probe under");
        return 2;
    }
    ::execvp(command[0], command);
    std::perror(command[0]);
    return 127;
}

int try_call(const std::string& name) {
    long r = -1;
    if (name == "uname") {
        utsname u{};
        r = ::uname(&u);
    } else if (name == "getppid") {
        r = ::syscall(SYS_getppid);
    } else {
        return 2;
    }
    std::puts(r >= 0 ? "OK" : strerrordesc_np(errno));
    return 0;
}

struct Call {
    const char* name;
    long nr;
};
constexpr Call kCalls[] = {
    {"acct", SYS_acct},
    {"add_key", SYS_add_key},
    {"bpf", SYS_bpf},
    {"chroot", SYS_chroot},
    {"clock_settime", SYS_clock_settime},
    {"clone", SYS_clone},
    {"clone3", SYS_clone3},
    {"fsopen", SYS_fsopen},
    {"getppid", SYS_getppid},
    {"init_module", SYS_init_module},
    {"io_uring_setup", SYS_io_uring_setup},
    {"ioctl", SYS_ioctl},
    {"kcmp", SYS_kcmp},
    {"kexec_load", SYS_kexec_load},
    {"keyctl", SYS_keyctl},
    {"mkdir", SYS_mkdir},
    {"mkdirat", SYS_mkdirat},
    {"mount", SYS_mount},
    {"open_tree", SYS_open_tree},
    {"perf_event_open", SYS_perf_event_open},
    {"personality", SYS_personality},
    {"pidfd_getfd", SYS_pidfd_getfd},
    {"pivot_root", SYS_pivot_root},
    {"process_vm_readv", SYS_process_vm_readv},
    {"ptrace", SYS_ptrace},
    {"reboot", SYS_reboot},
    {"request_key", SYS_request_key},
    {"setns", SYS_setns},
    {"socket", SYS_socket},
    {"swapon", SYS_swapon},
    {"syslog", SYS_syslog},
    {"umount2", SYS_umount2},
    {"unshare", SYS_unshare},
    {"userfaultfd", SYS_userfaultfd},
    {"vmsplice", SYS_vmsplice},
};

long number(const char* text) {
    return static_cast<long>(std::strtoull(text, nullptr, 0));
}

void print_result(long r) {
    std::puts(r >= 0 ? "OK" : strerrorname_np(errno));
}

int sys(int argc, char** argv, const std::string& how) {
    long nr = -1;
    if (how == "sys") {
        for (const Call& c : kCalls)
            if (std::strcmp(c.name, argv[2]) == 0)
                nr = c.nr;
    } else {
        nr = number(argv[2]);
    }
    if (nr < 0)
        return 2;
    long a[6] = {};
    for (int i = 3; i < argc && i < 9; ++i) a[i - 3] = number(argv[i]);
    if (how == "x32")  // same registers, the number tells the kernel which ABI
        nr |= 0x40000000L;
    print_result(::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "caps")
        return caps();
    if (cmd == "ptrace" && argc > 2)
        return ptrace_attach(static_cast<pid_t>(std::atoi(argv[2])));
    if (cmd == "fds")
        return fds();
    if (cmd == "deny" && argc > 3)
        return deny(std::atol(argv[2]), static_cast<unsigned>(std::atoi(argv[3])),
                    argc > 4 ? argv[4] : nullptr);
    if (cmd == "container")
        return container(argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : EPERM);
    if (cmd == "deny-set" && argc > 3)
        return deny_set(static_cast<unsigned>(std::atoi(argv[2])), argv + 3, argc - 3);
    if (cmd == "kernel" && argc > 2)
        return kernel(argv[2]);
    if (cmd == "under" && argc > 3)
        return under(argv[2], argv + 3);
    if (cmd == "try" && argc > 2)
        return try_call(argv[2]);
    if ((cmd == "sys" || cmd == "x32") && argc > 2)
        return sys(argc, argv, cmd);
    std::fprintf(stderr,
                 "usage: probe caps|ptrace PID|fds|deny NR ERRNO [I=V]|kernel VERSION|under FILE CMD...|try "
                 "NAME|sys NAME "
                 "ARG...|x32 NR "
                 "ARG...\n");
    return 2;
}
