// SPDX-License-Identifier: MIT
// Process creation and reaping. [parent]
#include "os/process.h"
#include "os/stack_switch.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "os/fd.h"

namespace cocoon {

Status run_helper(const std::string& path, const std::vector<std::string>& args) {
    Result<FdPair> out = make_pipe();
    if (!out)
        return fail(std::move(out).error());
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out->write.get(), STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions, out->write.get(), STDERR_FILENO);
    const std::string name = path.substr(path.rfind('/') + 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(name.c_str()));
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    char* empty_env[] = {nullptr};
    pid_t pid = 0;
    // posix_spawn uses CLONE_VFORK: no fork of our own address space.
    const int err = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), empty_env);
    ::posix_spawn_file_actions_destroy(&actions);
    out->write.reset();
    if (err != 0)
        return fail(Error{err, fmt::format("cannot run {}", path)});
    Result<std::string> text = read_all(out->read.get());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return {};
    std::string said = text ? *text : "";
    while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    std::string command = name;
    for (const std::string& arg : args) command += " " + arg;
    return fail(Error::usage(fmt::format("{} failed{}{}", command, said.empty() ? "" : ": ", said)));
}

int thread_count() {
    // /proc/self/task has one directory per thread: its link count is 2 + threads.
    UniqueFd fd(::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) < 0)
        return 1;
    return static_cast<int>(st.st_nlink) - 2;
}

Result<Cloned> clone_child(std::uint64_t namespace_flags, const KernelInterfaces& kernel) {
    int pidfd = -1;
    long pid = -1;
    // Without pidfds (before 5.4) there is no CLONE_PIDFD to ask for: 4.18
    // ignores the bit, and the child is followed by its pid (ChildProcess).
    const std::uint64_t want_pidfd = kernel.pidfd ? CLONE_PIDFD : 0;
    if (kernel.clone3) {
        clone_args args{};
        args.flags = namespace_flags | want_pidfd | CLONE_CLEAR_SIGHAND;
        args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
        args.exit_signal = SIGCHLD;
        pid = ::syscall(SYS_clone3, &args, sizeof args);
    }
    // clone(2) without clone3 (before 5.3, or refused by a container's filter),
    // or when clone3 refuses CLONE_CLEAR_SIGHAND (before 5.5): we install no
    // signal handler, so the child has none to clear. x86_64's argument order:
    // flags, stack (none: fork-like), parent_tid (where CLONE_PIDFD puts the fd).
    if (!kernel.clone3 || (pid < 0 && errno == EINVAL)) {
        const std::uint64_t flags = namespace_flags | want_pidfd | SIGCHLD;
        pid = ::syscall(SYS_clone, flags, nullptr, &pidfd, nullptr, 0);
        if (pid < 0)
            return fail(Error::from_errno("clone"));
    }
    if (pid < 0)
        return fail(Error::from_errno("clone3"));
    if (pid == 0)
        return Cloned{};
    return Cloned{static_cast<pid_t>(pid), UniqueFd(pidfd)};
}

Result<Cloned> vfork_child(std::uint64_t namespace_flags, bool want_pidfd, int (*fn)(void*), void* arg,
                           char* stack, std::size_t stack_size) {
    int pidfd = -1;
    // clone(2)'s flags are an int: every namespace flag fits below bit 31.
    const int flags =
        static_cast<int>(namespace_flags | CLONE_VM | CLONE_VFORK | (want_pidfd ? CLONE_PIDFD : 0)) | SIGCHLD;
    const int pid = ::clone(fn, stack + stack_size, flags, arg, &pidfd);
    stack_switch::back_in_parent();
    if (pid < 0)
        return fail(Error::from_errno("clone"));
    return Cloned{static_cast<pid_t>(pid), UniqueFd(pidfd)};
}

// Without a pidfd the pid is as good: an unwaited child's pid is not reused.
int ChildProcess::wait_for(siginfo_t& info, int options) const {
    return pidfd_ ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, options)
                  : ::waitid(P_PID, static_cast<id_t>(pid_), &info, options);
}

ChildProcess::~ChildProcess() {
    if (waited_ || pid_ <= 0)
        return;
    send_signal(SIGKILL).has_value();
    siginfo_t info{};
    while (wait_for(info, WEXITED) < 0 && errno == EINTR) {
    }
}

Result<int> ChildProcess::wait() {
    siginfo_t info{};
    while (wait_for(info, WEXITED) < 0) {
        if (errno != EINTR)
            return fail(Error::from_errno("waitid"));
    }
    waited_ = true;
    // Re-encode as a wait(2) status so that callers can use WIFEXITED and friends.
    if (info.si_code == CLD_EXITED)
        return (info.si_status & 0xff) << 8;
    return (info.si_status & 0x7f) | (info.si_code == CLD_DUMPED ? 0x80 : 0);
}

bool ChildProcess::exited() const {
    siginfo_t info{};
    return wait_for(info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
}

Status ChildProcess::send_signal(int sig) const {
    if (!pidfd_) {
        if (::kill(pid_, sig) < 0)
            return fail(Error::from_errno("kill"));
        return {};
    }
    if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0) < 0)
        return fail(Error::from_errno("pidfd_send_signal"));
    return {};
}

Status die_with_parent_signal(pid_t ppid, int sig) {
    if (::prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) < 0)
        return fail(Error::from_errno("prctl(PR_SET_PDEATHSIG)"));
    // Checked after arming: a parent that died before would not signal us.
    if (::getppid() != ppid)
        return fail(Error{ESRCH, "the parent process is gone"});
    return {};
}

}  // namespace cocoon
