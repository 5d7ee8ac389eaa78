// SPDX-License-Identifier: MIT
// fd-creating wrappers and EINTR-safe I/O. [parent]
#include "os/fd.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <fmt/format.h>

namespace cocoon {

Result<FdPair> make_socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return fail(Error::from_errno("socketpair"));
    return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<FdPair> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return fail(Error::from_errno("cannot create a pipe"));
    return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<std::string> read_all(int fd) {
    // Read into the string itself, growing it geometrically: a large buffer on
    // the stack would cost a page fault per 4 KiB touched, and most files read
    // here (procfs, /etc/subuid) are a few bytes.
    std::string out(512, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == out.size())
            out.resize(out.size() * 2);
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(Error::from_errno("cannot read"));
        if (n == 0) {
            out.resize(used);
            return out;
        }
        used += static_cast<std::size_t>(n);
    }
}

Status write_all(int fd, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(Error::from_errno("cannot write"));
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

bool fd_is_open(int fd) {
    return ::fcntl(fd, F_GETFD) >= 0;
}

Result<UniqueFd> make_signalfd(const sigset_t& signals) {
    UniqueFd fd(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!fd)
        return fail(Error::from_errno("signalfd"));
    return fd;
}

Result<UniqueFd> make_timer() {
    UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    if (!fd)
        return fail(Error::from_errno("timerfd_create"));
    return fd;
}

Result<UniqueFd> make_eventfd() {
    UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd)
        return fail(Error::from_errno("eventfd"));
    return fd;
}

void arm_timer(int timer, std::uint64_t ns) {
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(ns / 1000000000ULL);
    spec.it_value.tv_nsec = static_cast<long>(ns % 1000000000ULL);
    ::timerfd_settime(timer, 0, &spec, nullptr);
}

Result<UniqueFd> open_parent_pidfd(pid_t ppid) {
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, ppid, 0)));  // pidfds are always CLOEXEC
    if (!fd && errno == ENOSYS)                                         // before Linux 5.3
        return fail(Error::from_errno("pidfd_open"));
    // Checked after the open: a parent that died since could have had its pid
    // reused, but we would have been adopted by another process meanwhile.
    if (!fd || ::getppid() != ppid)
        return fail(Error{ESRCH, "the parent process is gone"});
    return fd;
}

Result<std::string> read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd)
        return fail(Error::from_errno(fmt::format("Can't open {}", path)));
    Result<std::string> data = read_all(fd.get());
    if (!data)
        return fail(Error{data.error().errnum, fmt::format("Can't read {}", path)});
    return data;
}

Status write_file(const std::string& path, std::string_view data) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644));
    if (!fd)
        return fail(Error::from_errno(fmt::format("Can't create {}", path)));
    if (Status st = write_all(fd.get(), data.data(), data.size()); !st)
        return fail(Error{st.error().errnum, fmt::format("Can't write {}", path)});
    return {};
}

Result<std::vector<std::string>> make_host_dirs(const std::string& path) {
    std::vector<std::string> made;
    for (std::size_t at = 1; at <= path.size(); ++at) {
        if (at != path.size() && path[at] != '/')
            continue;
        const std::string prefix = path.substr(0, at);
        const bool last = at == path.size() || path.find_first_not_of('/', at) == std::string::npos;
        if (::mkdir(prefix.c_str(), last ? 0700 : 0755) == 0) {
            made.push_back(prefix);
        } else if (errno != EEXIST) {
            const int saved = errno;
            remove_made_dirs(made);
            return fail(Error{saved, fmt::format("Can't create directory {}", prefix)});
        }
        if (last)
            break;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) {
        remove_made_dirs(made);
        return fail(Error{ENOTDIR, fmt::format("{} is not a directory", path)});
    }
    return made;
}

void remove_made_dirs(const std::vector<std::string>& made) {
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
}

}  // namespace cocoon
