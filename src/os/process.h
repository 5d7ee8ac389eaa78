// SPDX-License-Identifier: MIT
// Process creation and reaping. [parent]
#pragma once
#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/host_facts.h"
#include "os/unique_fd.h"

namespace cocoon {

struct Cloned {
    pid_t pid = 0;  // 0 in the child
    UniqueFd pidfd;
};

// clone3 with CLONE_PIDFD and CLONE_CLEAR_SIGHAND, no new stack (fork-like: the
// child gets a copy-on-write copy of the address space), or clone(2) without
// clone3 or CLONE_CLEAR_SIGHAND (KernelInterfaces::clone3), and without
// CLONE_PIDFD before pidfds (KernelInterfaces::pidfd: Cloned::pidfd stays
// empty). `namespace_flags` are CLONE_NEW* bits. The error keeps the call's
// errno for the caller to explain.
Result<Cloned> clone_child(std::uint64_t namespace_flags, const KernelInterfaces& kernel);

// clone(2) with CLONE_VM | CLONE_VFORK (and CLONE_PIDFD if `want_pidfd`), as
// posix_spawn(3) does: `fn(arg)` runs on `stack` (its top end is used) in our
// own memory while we sleep, until it calls execve(2) or exits. For a child
// that execs right after its setup, nothing is copied: no address space, no
// page tables, no copy-on-write faults, and no copy for execve to tear down
// again. `fn` must not return, and must only make syscalls (it shares our
// errno and heap).
Result<Cloned> vfork_child(std::uint64_t namespace_flags, bool want_pidfd, int (*fn)(void*), void* arg,
                           char* stack, std::size_t stack_size);

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
    int pidfd() const { return pidfd_.get(); }  // -1 without pidfds
    // Whether it has exited (it stays unwaited): without a pidfd to poll,
    // what a SIGCHLD is checked with.
    bool exited() const;
    // Blocks until the child exits; returns its wait status.
    Result<int> wait();
    // The child is left alone from now on (it may outlive us on purpose).
    void release() { waited_ = true; }
    Status send_signal(int sig) const;

private:
    int wait_for(siginfo_t& info, int options) const;
    pid_t pid_;
    UniqueFd pidfd_;
    bool waited_ = false;
};

// --die-with-parent without pidfds: `sig` whenever the parent *thread* that
// started us exits (PR_SET_PDEATHSIG; the caller checks getppid() then: the
// parent process may live on in another thread), checked to be `ppid` once
// armed.
Status die_with_parent_signal(pid_t ppid, int sig);

}  // namespace cocoon
