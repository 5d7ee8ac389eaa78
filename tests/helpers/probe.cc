// SPDX-License-Identifier: MIT
// Runs inside the sandbox and reports what a test cannot see with coreutils alone.
//   probe caps            the five capability sets and NoNewPrivs, one per line
//   probe ptrace PID      the errno name of PTRACE_ATTACH to PID ("OK" if it worked)
//   probe fds             the open fds above 2, space-separated ("none" if there are none)
//   probe deny NR ERRNO   writes a classic BPF program that fails syscall NR with ERRNO
//   probe try NAME        calls uname or getppid and prints "OK" or the error
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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

int deny(long nr, unsigned errnum) {
    const sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),  // seccomp_data.nr
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (errnum & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return std::fwrite(program, sizeof program, 1, stdout) == 1 ? 0 : 1;
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
        return deny(std::atol(argv[2]), static_cast<unsigned>(std::atoi(argv[3])));
    if (cmd == "try" && argc > 2)
        return try_call(argv[2]);
    std::fprintf(stderr, "usage: probe caps|ptrace PID|fds|deny NR ERRNO|try NAME\n");
    return 2;
}
