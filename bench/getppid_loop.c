// SPDX-License-Identifier: MIT
// getppid in a loop: the cost of a syscall, and of a seccomp filter on it.
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char** argv) {
    long n = argc > 1 ? atol(argv[1]) : 5000000;
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
    return 0;
}
