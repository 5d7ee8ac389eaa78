// SPDX-License-Identifier: MIT
// Attacks PID 1 of its pid namespace as its very first instructions: no libc,
// no dynamic loader, nothing between execve and the attack. Prints one line:
//   mem=E environ=E fd=E root=E ptrace=E seccomp=N
// where E is 0 for success or the errno, and N the "Seccomp:" field of
// /proc/1/status (2: filtered, 0: not; '?' if unreadable).
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

static long sys(long n, long a, long b, long c, long d) {
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

static char out[128];
static int n;

static void put(const char* s) {
    while (*s) out[n++] = *s++;
}

static void put_num(long v) {
    char digits[24];
    int k = 0;
    if (v < 0)
        v = -v;
    do digits[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (k > 0) out[n++] = digits[--k];
}

// 0 if the open worked (the fd is closed again), else the errno.
static long try_open(const char* path, long flags) {
    long fd = sys(SYS_open, (long)path, flags, 0, 0);
    if (fd < 0)
        return -fd;
    sys(SYS_close, fd, 0, 0, 0);
    return 0;
}

__attribute__((force_align_arg_pointer)) void _start(void) {
    long mem = try_open("/proc/1/mem", O_RDWR);
    long environ = try_open("/proc/1/environ", O_RDONLY);
    // The numbers in /proc/1/fd are listable, as for any process of our uid;
    // what they point to is not.
    long fd = try_open("/proc/1/fd/0", O_RDONLY);
    long root = try_open("/proc/1/root", O_RDONLY | O_DIRECTORY);
    long pt = sys(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0);
    if (pt == 0)
        sys(SYS_ptrace, PTRACE_DETACH, 1, 0, 0);
    char status[4096];
    char seccomp = '?';
    long sfd = sys(SYS_open, (long)"/proc/1/status", O_RDONLY, 0, 0);
    if (sfd >= 0) {
        long len = sys(SYS_read, sfd, (long)status, sizeof status - 1, 0);
        for (long i = 0; len > 0 && i + 9 < len; ++i)
            if (status[i] == '\n' && status[i + 1] == 'S' && status[i + 2] == 'e' && status[i + 3] == 'c' &&
                status[i + 4] == 'c' && status[i + 5] == 'o' && status[i + 6] == 'm' &&
                status[i + 7] == 'p' && status[i + 8] == ':') {
                long j = i + 9;
                while (j < len && (status[j] == ' ' || status[j] == '\t')) ++j;
                if (j < len)
                    seccomp = status[j];
                break;
            }
    }
    put("mem=");
    put_num(mem);
    put(" environ=");
    put_num(environ);
    put(" fd=");
    put_num(fd);
    put(" root=");
    put_num(root);
    put(" ptrace=");
    put_num(pt < 0 ? -pt : 0);
    put(" seccomp=");
    out[n++] = seccomp;
    out[n++] = '\n';
    sys(SYS_write, 1, (long)out, n, 0);
    sys(SYS_exit_group, 0, 0, 0, 0);
    for (;;) {
    }
}
