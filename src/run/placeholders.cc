// SPDX-License-Identifier: MIT
#include "run/placeholders.h"

#include "run/fd_passing.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cocoon {
namespace {

struct Entry {
    int dir = -1;
    int held = -1;  // the placeholder, share-locked by setup
    char name[256] = {};
    bool is_dir = false;
    bool own = false;   // we made it; else another sandbox did (Adopt)
    bool made = false;  // its identity came: only that very file or directory goes
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    timespec announced{};
    DirTimes times;  // (the mark of an adopted one says them)
};

// Removes what we made, and what another sandbox made and left to the last
// of its users, and only that: an empty directory, or an empty file, with the
// identity setup sent. A placeholder whose identity never came (setup was
// killed between making it and saying so) was missing when it was announced,
// so it goes if it is new and still empty. The host's own files (put there
// since, under the same name) stay. `locked`: an exclusive flock of it.
void remove_in_turn(const Entry& e, int locked) noexcept;

void remove(const Entry& e, int locked) noexcept {
    const int turn = lock_directory(e.dir);
    remove_in_turn(e, locked);
    if (turn >= 0)
        ::close(turn);
}

void remove_in_turn(const Entry& e, int locked) noexcept {
    struct stat st {
    }, held{};
    if (::fstatat(e.dir, e.name, &st, AT_SYMLINK_NOFOLLOW) < 0 || ::fstat(locked, &held) < 0 ||
        st.st_dev != held.st_dev || st.st_ino != held.st_ino)
        return;
    if (e.is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode) || st.st_size != 0)
        return;
    if (e.made ? st.st_dev != e.dev || st.st_ino != e.ino : st.st_ctim.tv_sec + 1 < e.announced.tv_sec)
        return;
    DirTimes times = e.times;
    if (!e.own && ::fgetxattr(locked, kPlaceholderMark, &times, sizeof times) != sizeof times) {
        if (!placeholder_file(st))
            return;          // not one after all
        times = DirTimes{};  // (without user xattrs: its directory's mtime is not known)
    }
    // Its identity never came: the directory changed last when it was made
    // if its mtime is the placeholder's (one timestamp for both, which the
    // mark, changing only the placeholder's ctime, leaves).
    if (!e.made) {
        times.after_sec = st.st_mtim.tv_sec;
        times.after_nsec = st.st_mtim.tv_nsec;
    }
    struct stat dir {};
    const bool untouched = times.before_sec != 0 && times.after_sec != 0 && ::fstat(e.dir, &dir) == 0 &&
                           dir.st_mtim.tv_sec == times.after_sec && dir.st_mtim.tv_nsec == times.after_nsec;
    if (::unlinkat(e.dir, e.name, e.is_dir ? AT_REMOVEDIR : 0) < 0)
        return;  // a directory the sandbox filled stays
    // The directory's mtime as it was, if nothing but our placeholder changed
    // it (its ctime cannot be set).
    if (untouched) {
        const timespec set[2] = {
            {0, UTIME_OMIT}, {static_cast<time_t>(times.before_sec), static_cast<long>(times.before_nsec)}};
        const int opened = ::openat(e.dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // e.dir is O_PATH
        if (opened >= 0) {
            ::futimens(opened, set);
            ::close(opened);
        }
    }
}

// Only with an exclusive lock: another sandbox that uses the placeholder
// holds a shared one until it ends. If ours cannot become exclusive, we let
// go and try once more (the other may be doing just the same); failing
// again, we leave it to the other.
void release(Entry& e) noexcept {
    int fd = e.held;
    e.held = -1;
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (fd >= 0)
            ::close(fd);
        const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (e.is_dir ? O_DIRECTORY : 0);
        fd = ::openat(e.dir, e.name, flags | O_CLOEXEC);
        if (fd < 0)
            return;
        if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
            ::close(fd);
            return;
        }
    }
    remove(e, fd);
    ::close(fd);
}

[[noreturn]] void clean(int sock, int made) noexcept {
    static Entry entries[kMaxPlaceholders];
    int n = 0;
    int pidfd = -1;
    bool said = false;
    const auto say = [&] {
        const char byte = 1;
        said = said || ::write(made, &byte, 1) == 1;
    };
    for (;;) {
        PlaceholderNote note;
        int fds[3];
        int n_fds = 0;
        const ssize_t got = receive_message(sock, &note, sizeof note, fds, 3, n_fds);
        if (got < 0 && errno == ECONNRESET)
            continue;  // setup died with our last answer unread; what it sent is still here
        if (got <= 0)
            break;  // EOF: neither we nor setup (nor PID 1) hold the other end any more
        const int expected = note.kind == PlaceholderNote::Adopt ? 2 : 1;
        if (got != sizeof note || n_fds < expected || n_fds > expected + 1 ||
            (note.kind != PlaceholderNote::Intent && note.kind != PlaceholderNote::Made &&
             note.kind != PlaceholderNote::Adopt)) {
            for (int i = 0; i < n_fds; ++i) ::close(fds[i]);
            continue;
        }
        if (n_fds == expected + 1) {
            if (pidfd >= 0)
                ::close(pidfd);
            pidfd = fds[expected];
        }
        note.name[sizeof note.name - 1] = '\0';
        if (note.kind == PlaceholderNote::Made) {
            Entry* e = n > 0 && entries[n - 1].own && !entries[n - 1].made ? &entries[n - 1] : nullptr;
            if (e == nullptr) {
                ::close(fds[0]);
                continue;
            }
            e->made = true;
            e->held = fds[0];
            e->dev = note.dev;
            e->ino = note.ino;
            e->times = note.times;
            continue;
        }
        if (note.kind == PlaceholderNote::Adopt) {
            struct stat st {};
            bool known = ::fstat(fds[1], &st) < 0 || n == kMaxPlaceholders;
            for (int i = 0; i < n && !known; ++i)
                known = entries[i].made && entries[i].dev == st.st_dev && entries[i].ino == st.st_ino;
            const char answer =
                known && n == kMaxPlaceholders ? PlaceholderNote::kFull : PlaceholderNote::kAgreed;
            while (::send(sock, &answer, 1, MSG_NOSIGNAL) < 0 && errno == EINTR) {
            }
            if (known) {  // (held already: the lock was ours)
                ::close(fds[0]);
                ::close(fds[1]);
                continue;
            }
            Entry& e = entries[n++];
            e.dir = fds[0];
            e.held = fds[1];
            std::memcpy(e.name, note.name, sizeof e.name);
            e.is_dir = note.is_dir != 0;
            e.made = true;
            e.dev = st.st_dev;
            e.ino = st.st_ino;
            say();
            continue;
        }
        struct stat st {};
        const bool missing = ::fstatat(fds[0], note.name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
        char answer = PlaceholderNote::kAgreed;
        if (n < kMaxPlaceholders && missing) {
            Entry& e = entries[n++];
            e.dir = fds[0];
            std::memcpy(e.name, note.name, sizeof e.name);
            e.is_dir = note.is_dir != 0;
            e.own = true;
            ::clock_gettime(CLOCK_REALTIME, &e.announced);
            struct stat dir {};
            if (::fstat(fds[0], &dir) == 0) {
                e.times.before_sec = dir.st_mtim.tv_sec;
                e.times.before_nsec = dir.st_mtim.tv_nsec;
            }
            say();
        } else {
            ::close(fds[0]);
            answer = missing ? PlaceholderNote::kFull : PlaceholderNote::kThere;
        }
        while (::send(sock, &answer, 1, MSG_NOSIGNAL) < 0 && errno == EINTR) {
        }
    }
    // The sandbox may live on without us and setup's end (a command under
    // PID 1 after cocoon was killed): it ends when the process that made the
    // placeholders does.
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
    }
    for (int i = n; i-- > 0;) release(entries[i]);
    _exit(0);
}

}  // namespace

Result<PlaceholderCleaner> PlaceholderCleaner::create() {
    Result<FdPair> pair = make_socket_pair();
    if (!pair)
        return fail(std::move(pair).error());
    Result<FdPair> made = make_pipe();
    if (!made)
        return fail(std::move(made).error());
    if (::fcntl(made->read.get(), F_SETFL, O_NONBLOCK) < 0)
        return fail(Error::from_errno("fcntl"));
    PlaceholderCleaner cleaner;
    cleaner.ours_ = std::move(pair->write);
    cleaner.theirs_ = std::move(pair->read);
    cleaner.made_ = std::move(made->read);
    cleaner.made_write_ = std::move(made->write);
    return cleaner;
}

Status PlaceholderCleaner::start_now() {
    if (!theirs_)
        return {};
    // (We may have threads by now, --net-allow's resolver: the cleaner calls
    // only async-signal-safe functions.)
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Out of the caller's session and process group (a terminal's Ctrl-C
        // or a group kill ends cocoon and the sandbox, not the cleanup), deaf
        // to the terminating signals, holding none of the caller's files (a
        // pipe it held open would keep the caller's reader waiting).
        ::setsid();
        for (const int sig :
             {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2})
            ::signal(sig, SIG_IGN);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::prctl(PR_SET_NAME, "cocoon-cleanup", 0, 0, 0);
        const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3; ++fd)
            if (null < 0 || ::dup2(null, fd) < 0)
                ::close(fd);
        if (::dup2(theirs_.get(), 3) < 0 || ::dup2(made_write_.get(), 4) < 0)
            _exit(1);
        if (::syscall(SYS_close_range, 5U, ~0U, 0U) < 0)
            for (int fd = 5; fd < 65536; ++fd) ::close(fd);
        clean(3, 4);
    }
    theirs_.reset();
    made_write_.reset();
    if (pid < 0)
        return fail(Error::from_errno("cannot start the placeholder cleaner: fork"));
    pid_ = pid;
    return {};
}

void PlaceholderCleaner::finish(bool wait) {
    if (close_first_ != nullptr && pid_ >= 0 && wait)
        close_first_->reset();
    close_first_ = nullptr;
    ours_.reset();
    theirs_.reset();
    made_write_.reset();
    char byte = 0;
    if (pid_ >= 0 && wait && ::read(made_.get(), &byte, 1) == 1)
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    made_.reset();
    pid_ = -1;
}

}  // namespace cocoon
