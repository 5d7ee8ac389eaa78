// SPDX-License-Identifier: MIT
// Process creation and reaping. [parent]
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "os/unique_fd.h"

namespace cocoon {

struct Cloned {
    pid_t pid = 0;  // 0 in the child
    UniqueFd pidfd;
};

// clone3 with CLONE_PIDFD and CLONE_CLEAR_SIGHAND, no new stack (fork-like: the
// child gets a copy-on-write copy of the address space), or clone(2) without
// clone3 or CLONE_CLEAR_SIGHAND (KernelInterfaces::clone3). `namespace_flags`
// are CLONE_NEW* bits. The error keeps the call's errno for the caller to explain.
Result<Cloned> clone_with_pidfd(std::uint64_t namespace_flags, bool has_clone3);

// clone(2) with CLONE_VM | CLONE_VFORK and CLONE_PIDFD, as posix_spawn(3) does:
// `fn(arg)` runs on `stack` (its top end is used) in our own memory while we
// sleep, until it calls execve(2) or exits. For a child that execs right after
// its setup, nothing is copied: no address space, no page tables, no
// copy-on-write faults, and no copy for execve to tear down again. `fn` must not
// return, and must only make syscalls (it shares our errno and heap).
Result<Cloned> vfork_with_pidfd(std::uint64_t namespace_flags, int (*fn)(void*), void* arg, char* stack,
                                std::size_t stack_size);

// Runs `path` with `args` (argv[0] is the basename) and waits for it. Its stdout
// and stderr are captured: a non-zero exit becomes an error that quotes them.
Status run_helper(const std::string& path, const std::vector<std::string>& args);

// Threads of this process (1 when it cannot be told).
int thread_count();

// A child process that is killed and reaped if it is still unwaited when this
// object goes away, so an error path never leaves a half-built sandbox running.
class ChildProcess {
public:
    ChildProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
    ChildProcess(ChildProcess&&) = default;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_.get(); }
    // Blocks until the child exits; returns its wait status.
    Result<int> wait();
    // The child is left alone from now on (it may outlive us on purpose).
    void release() { waited_ = true; }
    Status send_signal(int sig) const;

private:
    pid_t pid_;
    UniqueFd pidfd_;
    bool waited_ = false;
};

}  // namespace cocoon
