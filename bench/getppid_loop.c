// SPDX-License-Identifier: MIT
// getppid in a loop: the cost of a syscall, and of a seccomp filter on it.
// Prints the nanoseconds per call, timed around the loop only, so that the
// sandbox's start-up does not dilute the difference.
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char** argv) {
    long n = argc > 1 ? atol(argv[1]) : 5000000;
    double start = now_ns();
    for (long i = 0; i < n; ++i) syscall(SYS_getppid);
    printf("%.2f\n", (now_ns() - start) / (double)n);
    return 0;
}
