// SPDX-License-Identifier: MIT
// Runs inside the sandbox and reports what a test cannot see with coreutils alone.
//   probe caps            the five capability sets and NoNewPrivs, one per line
//   probe ptrace PID      the errno name of PTRACE_ATTACH to PID ("OK" if it worked)
//   probe fds             the open fds above 2, space-separated ("none" if there are none)
#include <dirent.h>
#include <sys/ptrace.h>
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

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "caps")
        return caps();
    if (cmd == "ptrace" && argc > 2)
        return ptrace_attach(static_cast<pid_t>(std::atoi(argv[2])));
    if (cmd == "fds")
        return fds();
    std::fprintf(stderr, "usage: probe caps|ptrace PID|fds\n");
    return 2;
}
