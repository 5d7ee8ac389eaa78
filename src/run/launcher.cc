// SPDX-License-Identifier: MIT
// The parent side of a run. [parent]
#include "run/launcher.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "os/fd.h"
#include "os/process.h"
#include "os/pty.h"
#include "os/stack_switch.h"
#include "run/child.h"
#include "run/failure.h"
#include "run/freeze.h"
#include "run/net_relay.h"
#include "run/placeholders.h"
#include "run/reaper.h"
#include "run/report.h"
#include "run/report_sink.h"
#include "run/syscall_report.h"

namespace cocoon {
namespace {

using child::Report;
using child::Step;

Unexpected<LaunchFailure> setup_failure(Error error) {
    return {LaunchFailure{std::move(error)}};
}

Unexpected<LaunchFailure> interrupted_by(int sig) {
    return {LaunchFailure{Error{0, "interrupted"}, FailureKind::Interrupted, sig}};
}

std::uint64_t clone_flags(const Namespaces& ns) {
    std::uint64_t flags = CLONE_NEWNS;
    if (ns.user)
        flags |= CLONE_NEWUSER;
    if (ns.pid)
        flags |= CLONE_NEWPID;
    if (ns.net)
        flags |= CLONE_NEWNET;
    if (ns.ipc)
        flags |= CLONE_NEWIPC;
    if (ns.uts)
        flags |= CLONE_NEWUTS;
    if (ns.cgroup)
        flags |= CLONE_NEWCGROUP;
    return flags;
}

// The parent's ends of our pipes, and the caller's fds that only the parent uses.
std::vector<int> child_closes(const Plan& plan, std::vector<int> fds) {
    for (const std::optional<int>& fd :
         {plan.coord.info_fd, plan.coord.json_status_fd, plan.coord.userns_block_fd})
        if (fd)
            fds.push_back(*fd);
    return fds;
}

std::vector<std::string> helper_args(pid_t pid, const IdMap& map) {
    std::vector<std::string> args{std::to_string(pid)};
    for (const MapEntry& e : map.entries) {
        args.push_back(std::to_string(e.inside));
        args.push_back(std::to_string(e.outside));
        args.push_back(std::to_string(e.count));
    }
    return args;
}

// newuidmap/newgidmap write the maps of the waiting child (newuidmap(1)); the
// child cannot be reaped or replaced meanwhile: it blocks on its go-ahead and
// we hold it.
Status write_helper_maps(const std::optional<IdMaps>& maps, const HelperPaths& helpers, pid_t pid) {
    if (maps && maps->uid.via_helper)
        TRY(run_helper(helpers.uid, helper_args(pid, maps->uid)));
    if (maps && maps->gid.via_helper)
        TRY(run_helper(helpers.gid, helper_args(pid, maps->gid)));
    return {};
}

// bwrap's JSON: the child's pid and the inode of every namespace it created
// (mnt always, never user), in this key order.
std::string namespace_fields(pid_t pid, const Namespaces& ns, std::string_view separator) {
    std::string out = fmt::format("\"child-pid\": {}", pid);
    const std::pair<const char*, bool> all[] = {{"cgroup", ns.cgroup}, {"ipc", ns.ipc}, {"mnt", true},
                                                {"net", ns.net},       {"pid", ns.pid}, {"uts", ns.uts}};
    for (const auto& [name, created] : all) {
        struct stat st {};
        if (created && ::stat(fmt::format("/proc/{}/ns/{}", pid, name).c_str(), &st) == 0)
            out += fmt::format("{}\"{}-namespace\": {}", separator, name, st.st_ino);
    }
    return out;
}

bool is_terminating(int sig) {
    const auto& terminating = child::kTerminatingSignals;
    return std::find(std::begin(terminating), std::end(terminating), sig) != std::end(terminating);
}

struct Received {
    int signal = 0;
    bool from_kernel = false;  // SI_KERNEL: the terminal's Ctrl-C, Ctrl-\, a window change
};

Received read_signal(int signal_fd) {
    signalfd_siginfo info{};
    if (::read(signal_fd, &info, sizeof info) != sizeof info)
        return {};
    return {static_cast<int>(info.ssi_signo), info.ssi_code == SI_KERNEL};
}

// Where the sandbox's status goes; -1 once its reader has gone away (EPIPE):
// nobody listens any more, which is no reason to stop the sandbox.
struct StatusFds {
    int info = -1;
    int json_status = -1;
};

Status write_status(int& fd, const std::string& text) {
    Status written = write_all(fd, text.data(), text.size());
    if (!written && written.error().errnum == EPIPE) {
        fd = -1;
        return {};
    }
    return written;
}

// --info-fd (then closed), the first --json-status-fd line, and --userns-block-fd:
// the caller learns the pid and may write the id maps before setup goes on.
// Returns the terminating signal that ended the wait, or 0.
Result<int> announce(const Plan& plan, pid_t pid, int signal_fd, StatusFds& out) {
    if (out.info >= 0) {
        const std::string text = fmt::format("{{\n    {}\n}}\n", namespace_fields(pid, plan.ns, ",\n    "));
        const int fd = out.info;
        Status written = write_status(out.info, text);
        ::close(fd);
        out.info = -1;
        TRY(std::move(written));
    }
    if (out.json_status >= 0) {
        const std::string line = fmt::format("{{ {} }}\n", namespace_fields(pid, plan.ns, ", "));
        TRY(write_status(out.json_status, line));
    }
    if (plan.coord.userns_block_fd) {
        // The caller writes the maps meanwhile; a terminating signal ends the wait.
        for (;;) {
            pollfd fds[2] = {{*plan.coord.userns_block_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                return fail(Error::from_errno("poll"));
            }
            if (fds[1].revents != 0) {
                if (const int sig = read_signal(signal_fd).signal; is_terminating(sig))
                    return sig;
                continue;
            }
            char byte = 0;
            if (::read(*plan.coord.userns_block_fd, &byte, 1) >= 0 || errno != EINTR)
                break;
        }
    }
    return 0;
}

// --userns and --pidns: the parent joins them, so that the sandbox is created
// inside (setns(2): a pid namespace applies to the children made afterwards).
Status join_namespaces(const Plan& plan) {
    if (plan.join.userns_fd && ::setns(*plan.join.userns_fd, CLONE_NEWUSER) < 0) {
        if (errno == EINVAL)
            return fail(
                Error::usage("Joining the specified user namespace failed, it might not be a descendant of "
                             "the current user namespace."));
        return fail(Error::from_errno("Joining specified user namespace failed"));
    }
    if (plan.join.pidns_fd && ::setns(*plan.join.pidns_fd, CLONE_NEWPID) < 0)
        return fail(Error::from_errno("Setting pidns failed"));
    return {};
}

constexpr int kTimedOut = 124;  // timeout(1)'s status

// The first process's stack when it shares our memory: setup nests a few
// PATH_MAX buffers; 256 KiB leaves ample room. In bss, so that only the pages it
// touches are ever mapped (a frame this size would be probed page by page).
alignas(64) char vfork_stack[256 * 1024];

int start_child(void* frozen) {
    stack_switch::entered(vfork_stack, sizeof vfork_stack);
    child::run(*static_cast<const child::Frozen*>(frozen));
}

// Single-threaded, always (HACKING.md, "The child contract"): the child of a raw clone3 from a
// multi-threaded process could inherit a lock held by another thread.
Status check_single_threaded() {
    if (thread_count() > 1)
        return fail(Error::usage("internal error: cocoon must be single-threaded"));
    return {};
}

// How the sandbox ended, for the exit code and the last --json-status-fd line.
struct Ending {
    int wstatus = 0;  // of the command (from the reaper) or of our child
    bool timed_out = false;
    // Nothing of the sandbox is left once our child ends: false while the
    // reaper lives on with what the command left running (--on-exit detach).
    bool sandbox_over = true;
};

// --pty: what the caller types goes to the command's terminal, what it shows
// comes back to the caller's stdout (HACKING.md, "A terminal of its own").
struct PtyRelay {
    int master = -1;          // -1: no --pty, or the terminal is gone (EIO)
    bool input_open = false;  // our stdin, until EOF
    std::string pending;      // typed, not yet taken by the terminal
    bool last_input_ended_line = true;

    // Shows everything the terminal has for us now.
    void drain() {
        char buf[16384];
        while (master >= 0) {
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n > 0) {
                write_all(STDOUT_FILENO, buf, static_cast<std::size_t>(n)).has_value();
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                if (n == 0 || errno != EAGAIN)  // EIO: no process holds the other end
                    master = -1;
                return;
            }
        }
    }
    void take_input() {
        char buf[4096];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
            pending.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            input_open = false;
            // The end of input that is not a terminal (a pipe, a file): the
            // terminal's EOF character, which ends a read there (twice after
            // a partial line, as at a keyboard).
            termios mode{};
            if (n == 0 && master >= 0 && ::isatty(STDIN_FILENO) == 0 && ::tcgetattr(master, &mode) == 0)
                pending.append(last_input_ended_line ? 1 : 2, static_cast<char>(mode.c_cc[VEOF]));
        }
        if (n > 0)
            last_input_ended_line = buf[n - 1] == '\n';
        give_input();
    }
    void give_input() {
        if (master < 0) {
            pending.clear();
            return;
        }
        const ssize_t n = ::write(master, pending.data(), pending.size());
        if (n > 0)
            pending.erase(0, static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            pending.clear();
    }
};

struct Watch {
    int signal_fd = -1;
    int parent_fd = -1;  // --die-with-parent: a pidfd of the process that started us
    UniqueFd timer;      // --timeout, then --kill-after
    PtyRelay relay;      // --pty
    ReportSink* report = nullptr;
    NetRelay* net = nullptr;                     // --net-allow
    SyscallReporter* syscalls = nullptr;         // --report-fd with a --seccomp-profile
    PlaceholderCleaner* placeholders = nullptr;  // Plan::placeholders
};

// A --protect-try or --mask-try path that setup could not place: one warning
// line on stderr, and a report line.
void warn_skipped(const Plan& plan, const Report& report, ReportSink* sink) {
    if (report.index < 0 || static_cast<std::size_t>(report.index) >= plan.mounts.ops.size())
        return;
    const MountOp& op = plan.mounts.ops[static_cast<std::size_t>(report.index)];
    const std::string option = op.socket                    ? "the mask of privileged socket"
                               : op.kind == MountKind::Mask ? "--mask-try"
                                                            : "--protect-try";
    const std::string cause = rule_cause(report.errnum);
    // A path that is not there is skipped quietly, as a -try bind's missing
    // source is: a policy for many trees names what most of them lack.
    const std::string line = fmt::format("cocoon: warning: {} {}: {}; not {}\n", option, op.target, cause,
                                         op.kind == MountKind::Mask ? "masked" : "protected");
    if (report.errnum != ENOENT && sink != nullptr)
        sink->say(line);
    if (sink != nullptr)
        sink->event("rule-skipped", {{"option", option}, {"path", op.target}, {"cause", cause}});
}

// --die-with-parent without pidfds: PR_SET_PDEATHSIG sends this when the
// parent *thread* exits; the parent process is gone only if we were adopted.
const int kParentThreadDied = SIGRTMAX;

bool parent_gone(const Plan& plan) {
    return plan.die_with_parent && !plan.kernel.pidfd &&
           ::getppid() != static_cast<pid_t>(plan.initial_parent);
}

// Waits for the outcome. Setup reports arrive on `status`; EOF there means the
// command was executed. The reaper then sends the command's wait status on
// `exit`; without a reaper the child is the command. Signals are forwarded; a
// dead parent (--die-with-parent) or an expired --timeout ends the sandbox.
Result<Ending, LaunchFailure> supervise(const Plan& plan, ChildProcess& child, UniqueFd status,
                                        UniqueFd exit_pipe, Watch& watch) {
    std::optional<LaunchFailure> failure;
    bool status_open = true;
    Ending ending;
    bool killed = false;
    // Without a pidfd, a SIGCHLD (which announce() may have read already) says
    // the child may have ended; exited() tells.
    bool child_ended = child.pidfd() < 0 && child.exited();
    if (parent_gone(plan))  // its signal may have been read by announce()
        child.send_signal(SIGKILL).has_value();
    for (;;) {
        PtyRelay& relay = watch.relay;
        std::vector<pollfd> fds = {
            {status.get(), POLLIN, 0},
            {exit_pipe.get(), POLLIN, 0},
            {child.pidfd(), POLLIN, 0},
            {watch.signal_fd, POLLIN, 0},
            {watch.timer.get(), POLLIN, 0},
            {watch.parent_fd, POLLIN, 0},
            {relay.master, static_cast<short>(POLLIN | (relay.pending.empty() ? 0 : POLLOUT)), 0},
            {relay.input_open && relay.pending.empty() ? STDIN_FILENO : -1, POLLIN, 0},
            {watch.placeholders != nullptr ? watch.placeholders->wake_fd() : -1, POLLIN, 0}};
        constexpr std::size_t kFixed = 9;
        if (watch.syscalls != nullptr)
            watch.syscalls->add_polls(fds);
        const std::size_t net_first = fds.size();
        if (watch.net != nullptr)
            watch.net->add_polls(fds);
        if (!status_open)
            fds[0].fd = -1;
        if (!exit_pipe)
            fds[1].fd = -1;
        if (::poll(fds.data(), fds.size(), child_ended && !status_open ? 0 : -1) < 0) {
            if (errno == EINTR)
                continue;
            return setup_failure(Error::from_errno("poll"));
        }
        if (watch.syscalls != nullptr)
            watch.syscalls->handle(fds, kFixed);
        if (watch.net != nullptr)
            watch.net->handle(fds, net_first);
        if (fds[6].revents != 0) {
            if ((fds[6].revents & POLLOUT) != 0)
                relay.give_input();
            relay.drain();  // POLLHUP too: the last output, then EIO
        }
        if (fds[7].revents != 0)
            relay.take_input();
        if (fds[8].revents != 0)  // setup's first placeholder: the cleaner must answer
            if (Status started = watch.placeholders->start_now(); !started)
                return setup_failure(std::move(started).error());
        // Setup's outcome: a report, or EOF once the command was executed.
        auto read_status = [&]() -> std::optional<LaunchFailure> {
            Report report;
            const ssize_t n = ::read(status.get(), &report, sizeof report);
            if (n == sizeof report && report.step == Step::RuleSkipped) {
                warn_skipped(plan, report, watch.report);  // setup goes on: more may come
                return std::nullopt;
            }
            if (n == sizeof report)
                failure = to_failure(report, plan);
            status_open = false;
            status.reset();
            if (failure) {
                // The process that failed has _exited or is about to; a reaper
                // would outlive us waiting for our end (outlive_parent): it goes.
                child.send_signal(SIGKILL).has_value();
                child.wait().has_value();
            }
            return failure;
        };
        if (fds[0].revents != 0) {
            if (std::optional<LaunchFailure> failed = read_status())
                return Unexpected{std::move(*failed)};
            continue;
        }
        if (fds[1].revents != 0) {
            child::ExitNote note;
            if (::read(exit_pipe.get(), &note, sizeof note) == sizeof note) {
                // Detach: as with bwrap, we return as soon as the command exits;
                // the reaper lives on with whatever the command left running.
                // Kill and wait: the reaper reports once the rest is gone.
                child.release();
                ending.wstatus = note.wstatus;
                ending.sandbox_over = note.alone != 0;
                relay.drain();
                return ending;
            }
            exit_pipe.reset();
            continue;
        }
        if (fds[3].revents != 0) {
            const auto [sig, from_kernel] = read_signal(watch.signal_fd);
            if (sig == SIGCHLD && child.pidfd() < 0) {
                child_ended = child_ended || child.exited();
                continue;
            }
            if (sig == SIGWINCH && relay.master >= 0) {  // the command's terminal follows ours
                copy_window_size(relay.master);
                continue;
            }
            if (sig == kParentThreadDied && plan.die_with_parent && !plan.kernel.pidfd) {
                if (parent_gone(plan))
                    child.send_signal(SIGKILL).has_value();
                continue;  // else only a thread of the parent ended
            }
            // The command may have been executed since poll returned: its EOF,
            // already in the pipe, says the signal is the command's to get.
            if (status_open && is_terminating(sig)) {
                pollfd now{status.get(), POLLIN, 0};
                if (::poll(&now, 1, 0) > 0)
                    if (std::optional<LaunchFailure> failed = read_status())
                        return Unexpected{std::move(*failed)};
            }
            if (status_open && is_terminating(sig)) {
                // Setup is not done (it may be blocked on a FIFO, a lock, a
                // caller's fd): the sandbox ends here, before any command ran.
                child.send_signal(SIGKILL).has_value();
                child.wait().has_value();
                return interrupted_by(sig);
            }
            // The terminal sent it to its whole foreground process group, the
            // command's too: forwarding it would deliver it twice.
            if (sig != 0 && (!from_kernel || plan.forward_kernel_signals))
                child.send_signal(sig).has_value();
            continue;
        }
        if (fds[4].revents != 0) {
            std::uint64_t expirations = 0;
            if (::read(watch.timer.get(), &expirations, sizeof expirations) < 0)
                continue;
            if (!ending.timed_out) {
                // timeout(1): SIGTERM first (the reaper passes it to the command),
                // SIGKILL after the grace; PID 1's death takes the namespace along.
                ending.timed_out = true;
                child.send_signal(SIGTERM).has_value();
                arm_timer(watch.timer.get(), plan.kill_after_ns);
            } else if (!killed) {
                killed = true;
                child.send_signal(SIGKILL).has_value();
            }
            continue;
        }
        if (fds[5].revents != 0) {
            // The process that started us is gone: so goes the sandbox (PID 1
            // first, so nothing of it outlives us).
            child.send_signal(SIGKILL).has_value();
            watch.parent_fd = -1;
            continue;
        }
        if (fds[2].revents != 0 || child_ended) {
            if (status_open)
                continue;  // a report may still be in the pipe; read it first
            Result<int> waited = child.wait();
            if (!waited)
                return setup_failure(std::move(waited).error());
            ending.wstatus = *waited;
            relay.drain();
            if (exit_pipe) {
                child::ExitNote sent;
                if (::read(exit_pipe.get(), &sent, sizeof sent) == sizeof sent)
                    ending.wstatus = sent.wstatus;
            }
            return ending;
        }
    }
}

// --json-status-fd's last line: bwrap's "exit-code", and how the sandbox ended.
std::string exit_line(const Ending& ending, int code, bool bwrap) {
    if (bwrap)
        return fmt::format("{{ \"exit-code\": {} }}\n", code);
    if (ending.timed_out)
        return fmt::format("{{ \"exit-code\": {}, \"ended\": \"timeout\" }}\n", code);
    if (WIFSIGNALED(ending.wstatus))
        return fmt::format("{{ \"exit-code\": {}, \"ended\": \"signal\", \"signal\": {} }}\n", code,
                           WTERMSIG(ending.wstatus));
    return fmt::format("{{ \"exit-code\": {}, \"ended\": \"exited\" }}\n", code);
}

}  // namespace

Result<Finished, LaunchFailure> launch(const Plan& plan, const HelperPaths& helpers) {
    if (Status s = check_single_threaded(); !s)
        return setup_failure(std::move(s).error());
    // --bind-create: the sources are made first, as the caller; should the
    // sandbox not start, those still empty go again.
    struct MadeDirs {
        std::vector<std::string> dirs;
        bool keep = false;
        ~MadeDirs() {
            if (!keep)
                remove_made_dirs(dirs);
        }
    } made;
    for (const MountOp& op : plan.mounts.ops) {
        if (!op.create_source)
            continue;
        Result<std::vector<std::string>> dirs = make_host_dirs(op.source);
        if (!dirs)
            return setup_failure(Error{dirs.error().errnum, "--bind-create: " + dirs.error().context});
        made.dirs.insert(made.dirs.end(), dirs->begin(), dirs->end());
    }
    // --die-with-parent follows the process that started us, not the thread
    // (PR_SET_PDEATHSIG fires when the parent *thread* exits): a pidfd of it,
    // checked to be the parent main() saw first thing (it may have died while we
    // parsed and planned, and we were adopted by another process since).
    // (Without pidfds, see kParentThreadDied below.)
    UniqueFd parent;
    if (plan.die_with_parent && plan.kernel.pidfd) {
        Result<UniqueFd> fd = open_parent_pidfd(static_cast<pid_t>(plan.initial_parent));
        if (!fd)
            return setup_failure(Error{fd.error().errnum, "--die-with-parent: " + fd.error().context});
        parent = std::move(*fd);
    }
    auto frozen = child::freeze(plan);
    auto pipes = [] { return make_pipe(); };
    const bool child_waits = plan.child_waits;
    Result<FdPair> status = pipes(), life = pipes(), exit_pipe = pipes();
    Result<FdPair> go = child_waits ? pipes() : Result<FdPair>(FdPair{});
    for (auto* p : {&status, &life, &exit_pipe, &go})
        if (!*p)
            return setup_failure(std::move(*p).error());
    // --net-allow: the listeners come back over this, made inside the sandbox.
    UniqueFd net_ours, net_theirs;
    if (plan.net) {
        Result<FdPair> pair = make_socket_pair();
        if (!pair)
            return setup_failure(std::move(pair).error());
        net_ours = std::move(pair->read);
        net_theirs = std::move(pair->write);
        child::set_net_fd(*frozen, net_theirs.get());
    }
    // --report-fd: the seccomp listener comes back over this (Plan::syscall_report).
    UniqueFd notify_ours, notify_theirs;
    if (plan.syscall_report) {
        Result<FdPair> pair = make_socket_pair();
        if (!pair)
            return setup_failure(std::move(pair).error());
        notify_ours = std::move(pair->read);
        notify_theirs = std::move(pair->write);
        child::set_notify_fd(*frozen, notify_theirs.get());
    }
    // Strict --protect/--mask: missing paths get placeholders, which a process
    // of ours removes once the sandbox has ended, however we end.
    std::optional<PlaceholderCleaner> placeholders;
    if (plan.placeholders) {
        Result<PlaceholderCleaner> started = PlaceholderCleaner::create();
        if (!started)
            return setup_failure(std::move(started).error());
        placeholders.emplace(std::move(*started));
        placeholders->close_first(life->write);
        child::set_placeholder_fd(*frozen, placeholders->sandbox_end());
    }
    PtyPair pty;
    if (plan.pty) {
        Result<PtyPair> opened = open_pty();
        if (!opened)
            return setup_failure(std::move(opened).error());
        pty = std::move(*opened);
    }
    child::set_fds(
        *frozen, status->write.get(), life->read.get(), exit_pipe->write.get(),
        child_waits ? go->read.get() : -1, pty.peer ? pty.peer.get() : -1,
        child_closes(plan, {status->read.get(), life->write.get(), exit_pipe->read.get(), go->write.get(),
                            pty.master ? pty.master.get() : -1, net_ours ? net_ours.get() : -1,
                            notify_ours ? notify_ours.get() : -1}));
    // The forwarded signals are read from a signalfd, made before clone so that
    // none is lost and setup can always be interrupted (a terminating one then
    // ends the sandbox instead of being forwarded).
    sigset_t forwarded;
    sigemptyset(&forwarded);
    for (const int sig : child::kForwardedSignals) sigaddset(&forwarded, sig);
    if (!plan.kernel.pidfd) {
        sigaddset(&forwarded, SIGCHLD);  // no pidfd to poll: the child's end comes as a signal
        sigaddset(&forwarded, kParentThreadDied);
    }
    Result<UniqueFd> signal_fd = make_signalfd(forwarded);
    if (!signal_fd)
        return setup_failure(std::move(signal_fd).error());

    // Block everything around clone: the child must not run a handler of ours, and
    // the parent reads the forwarded signals from the signalfd.
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &old);
    frozen->frozen().exec_mask = old;
    if (plan.die_with_parent && !plan.kernel.pidfd) {
        // Without pidfds: a signal whenever the parent thread exits, read
        // from the signalfd, where getppid() tells whether the process went.
        if (Status armed = die_with_parent_signal(static_cast<pid_t>(plan.initial_parent), kParentThreadDied);
            !armed) {
            ::sigprocmask(SIG_SETMASK, &old, nullptr);
            return setup_failure(Error{armed.error().errnum, "--die-with-parent: " + armed.error().context});
        }
    }
    if (Status joined = join_namespaces(plan); !joined) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        return setup_failure(std::move(joined).error());
    }
    std::uint64_t flags = clone_flags(plan.ns);
    if (plan.intermediate)
        flags &= ~static_cast<std::uint64_t>(CLONE_NEWPID);  // made by the first process, see Plan
    const bool share_memory = plan.share_memory;             // vfork_child
    Result<Cloned> cloned = Cloned{};
    if (share_memory) {
        // Asleep until the child's execve, we cannot read the signalfd. The
        // signals stay blocked here, so none ends us after the command's execve
        // (it would run on, unwatched): sent to us alone they wait in the
        // signalfd and are forwarded once the command runs. The child takes
        // the terminating ones itself during setup (Frozen::setup_unblock), so
        // that a setup that blocks (a hung FUSE source) still ends at Ctrl-C,
        // which the terminal sends to the whole process group, or at a group
        // kill (timeout(1), systemd); the death of the child wakes us.
        sigset_t& unblock = frozen->frozen().setup_unblock;
        sigemptyset(&unblock);
        for (const int sig : child::kTerminatingSignals)
            if (sigismember(&old, sig) == 0)
                sigaddset(&unblock, sig);
        cloned = vfork_child(flags, plan.kernel.pidfd, start_child, &frozen->frozen(), vfork_stack,
                             sizeof vfork_stack);
    } else {
        cloned = clone_child(flags, plan.kernel);
    }
    if (cloned && cloned->pid == 0)
        child::run(frozen->frozen());
    if (!cloned) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        return Unexpected{LaunchFailure{.error = clone_error(cloned.error().errnum, plan.ns.user),
                                        .at = plan.ns.user ? FailedAt::Clone : FailedAt::Other,
                                        .errnum = cloned.error().errnum}};
    }
    ChildProcess child(cloned->pid, std::move(cloned->pidfd));
    // From here on, with a forked child (which may live on as the reaper), every
    // heap page we write is copied first, a fault that costs 10-20 us in a VM:
    // the frozen plan is left for exit to reclaim instead of being freed.
    static_cast<void>(frozen.release());
    status->write.reset();
    exit_pipe->write.reset();
    pty.peer.reset();
    net_theirs.reset();
    notify_theirs.reset();
    life->read.reset();
    go->read.reset();
    // Only the forwarded signals stay blocked (they are read from the signalfd),
    // and SIGPIPE: a status reader that went away is not a reason to die.
    sigset_t keep = old;
    for (const int sig : child::kForwardedSignals) sigaddset(&keep, sig);
    sigaddset(&keep, SIGPIPE);
    if (!plan.kernel.pidfd) {
        sigaddset(&keep, SIGCHLD);
        sigaddset(&keep, kParentThreadDied);
    }
    ::sigprocmask(SIG_SETMASK, &keep, nullptr);

    // The helpers first, while the child waits: should they fail, nothing has
    // been announced yet, and --map-auto can be planned again (main.cc).
    if (child_waits) {
        if (Status s = write_helper_maps(plan.maps, helpers, child.pid()); !s) {
            Error e = std::move(s).error();
            if (plan.maps_may_degrade)
                return Unexpected{LaunchFailure{std::move(e), FailureKind::HelperFailed}};
            e.context = "setting up uid map: " + e.context;
            return setup_failure(std::move(e));
        }
    }
    StatusFds outputs{plan.coord.info_fd.value_or(-1), plan.coord.json_status_fd.value_or(-1)};
    Result<int> interrupted = announce(plan, child.pid(), signal_fd->get(), outputs);
    if (!interrupted) {
        Error e = std::move(interrupted).error();
        e.context = "writing the sandbox's status: " + e.context;
        return setup_failure(std::move(e));
    }
    if (*interrupted != 0)
        return interrupted_by(*interrupted);  // ~ChildProcess kills and reaps the child
    if (child_waits) {                        // the go-ahead: maps written, namespaces announced
        const char byte = 1;
        if (Status s = write_all(go->write.get(), &byte, 1); !s)
            return setup_failure(std::move(s).error());
        go->write.reset();
    }

    Watch watch;
    watch.signal_fd = signal_fd->get();
    ReportSink report(plan.coord.report_fd.value_or(-1), plan.coord.report_stderr);
    watch.report = &report;
    std::optional<NetRelay> net;
    if (plan.net) {
        net.emplace(*plan.net, std::move(net_ours), report);
        watch.net = &*net;
    }
    if (placeholders)
        watch.placeholders = &*placeholders;
    std::optional<SyscallReporter> syscalls;
    if (plan.syscall_report) {
        syscalls.emplace(std::move(notify_ours), plan.syscall_report->original, report);
        watch.syscalls = &*syscalls;
    }
    // --pty: the caller's terminal turns raw until launch returns, however it
    // returns (the command killed, a timeout, a setup failure).
    std::optional<RawTerminal> raw;
    if (pty.master) {
        watch.relay.master = pty.master.get();
        watch.relay.input_open = true;
        raw.emplace();
        report.set_raw_terminal(::isatty(STDERR_FILENO) == 1);
    }
    watch.parent_fd = parent.get();
    if (plan.timeout_ns) {
        Result<UniqueFd> timer = make_timer();
        if (!timer)
            return setup_failure(Error{timer.error().errnum, "--timeout: " + timer.error().context});
        watch.timer = std::move(*timer);
        arm_timer(watch.timer.get(), *plan.timeout_ns);
    }
    Result<Ending, LaunchFailure> ending = supervise(
        plan, child, std::move(status->read), plan.reaper ? std::move(exit_pipe->read) : UniqueFd(), watch);
    if (!ending)
        return Unexpected{std::move(ending).error()};
    made.keep = true;
    // Before we say how it ended: whoever reads that may look at the tree next.
    if (placeholders)
        placeholders->finish(ending->sandbox_over);
    const int code = ending->timed_out ? kTimedOut : child::exit_code(ending->wstatus);
    // The exit code goes out only for a command that really ran (bwrap's rule).
    if (outputs.json_status >= 0)
        write_status(outputs.json_status, exit_line(*ending, code, plan.bwrap_status_line)).has_value();
    const bool died = !ending->timed_out && WIFSIGNALED(ending->wstatus);
    if (syscalls && syscalls->unreported() > 0)
        report.event("report-incomplete",
                     {{"what", "denied system calls"},
                      {"cause", fmt::format("{} more processes and calls denied after the first {} lines",
                                            syscalls->unreported(), SyscallReporter::kMaxLines)}});
    ReportFields ended = {{"exit-code", std::to_string(code)}};
    ended.emplace_back("ended", ending->timed_out ? "timeout" : died ? "signal" : "exited");
    if (died)
        ended.emplace_back("signal", std::to_string(WTERMSIG(ending->wstatus)));
    report.event("exit", ended);
    return Finished{.code = code, .signal = died ? WTERMSIG(ending->wstatus) : 0};
}

}  // namespace cocoon
