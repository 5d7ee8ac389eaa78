// SPDX-License-Identifier: MIT
// Setup's side of the placeholders (run/placeholders.h; HACKING.md, "Protected
// and masked paths"). [child]
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "run/beneath.h"
#include "run/fd_passing.h"
#include "run/mount_tree.h"
#include "run/placeholders.h"

namespace cocoon {

int lock_directory(int dir) noexcept {
    const int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DirTimes mark;
    if (::fgetxattr(fd, kPlaceholderMark, &mark, sizeof mark) < 0)
        for (int i = 0; i < 100; ++i) {
            if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
                return fd;
            if (errno != EWOULDBLOCK && errno != EINTR)
                break;
            const timespec ms{0, 1000000};
            ::nanosleep(&ms, nullptr);
        }
    ::close(fd);
    return -1;
}

namespace child {
namespace {

// Sends `note` with fds[0..n) and, the first time, our pidfd after them: the
// cleaner waits for us to end (PID 1, whose end takes the pid namespace
// along; or the command itself, without one).
bool send_note(const PlaceholderNote& note, const int* fds, int n, PlaceholderState& state) noexcept {
    int all[3] = {-1, -1, -1};
    for (int i = 0; i < n && i < 2; ++i) all[i] = fds[i];
    int pidfd = -1;
    if (!state.sent_pidfd) {
        pidfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0U));
        if (pidfd >= 0)
            all[n++] = pidfd;
    }
    const bool ok = send_message(state.sock, &note, sizeof note, all, n);
    if (pidfd >= 0) {
        ::close(pidfd);
        state.sent_pidfd = ok;
    }
    return ok;
}

PlaceholderNote note_of(PlaceholderNote::Kind kind, const char* name, bool is_dir) noexcept {
    PlaceholderNote note;
    note.kind = kind;
    note.is_dir = is_dir ? 1 : 0;
    std::memcpy(note.name, name, std::strlen(name) + 1);  // callers keep it within NAME_MAX
    return note;
}

// The cleaner's answer to an Intent or an Adopt: false with errno if it
// refused (EEXIST: it is there after all; ENOSPC: too many) or is gone, or
// never came to be (EPIPE).
bool answered(PlaceholderState& state) noexcept {
    char answer = 0;
    ssize_t got;
    do {
        got = ::recv(state.sock, &answer, 1, 0);
    } while (got < 0 && errno == EINTR);
    if (got == 1 && answer == PlaceholderNote::kAgreed)
        return true;
    errno = got != 1 ? EPIPE : answer == PlaceholderNote::kThere ? EEXIST : ENOSPC;
    return false;
}

// Tells the cleaner that `name` in `dir` is about to be made, and waits for
// its answer.
bool announce(int dir, const char* name, bool is_dir, PlaceholderState& state) noexcept {
    return send_note(note_of(PlaceholderNote::Intent, name, is_dir), &dir, 1, state) && answered(state);
}

// `readable` (an O_RDONLY fd of `name` in `dir`) share-locked, checked to be
// what `name` is now (a cleaner removes only what it can lock exclusively,
// and may have removed it just before we locked it: EAGAIN, look again).
bool lock_shared(int readable, int dir, const char* name) noexcept {
    while (::flock(readable, LOCK_SH) < 0)
        if (errno != EINTR)
            return false;
    struct stat held {
    }, now{};
    if (::fstat(readable, &held) < 0 || ::fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
        held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
        errno = EAGAIN;
        return false;
    }
    return true;
}

bool marked(int readable) noexcept {
    DirTimes value;
    return ::fgetxattr(readable, kPlaceholderMark, &value, sizeof value) >= 0;
}

// Another sandbox's placeholder (a directory marked, a file with the
// placeholder's mtime): share-locked and handed to our cleaner, which holds
// it while we run, so that its maker's cleaner leaves it be; whichever of
// them ends last removes it.
bool hold_existing(int dir, const char* name, bool leaf, const struct stat& st,
                   PlaceholderState& state) noexcept {
    const bool is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !(leaf && placeholder_file(st)))
        return true;
    const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (is_dir ? O_DIRECTORY : 0);
    Fd readable(::openat(dir, name, flags | O_CLOEXEC));
    if (readable.fd < 0)
        return errno == EACCES;  // not ours to read: not ours to have made either
    if (is_dir && !marked(readable.fd))
        return true;
    if (!lock_shared(readable.fd, dir, name))
        return false;
    // Answered once the cleaner holds it (it is forked only now, maybe).
    const int fds[2] = {dir, readable.fd};
    return send_note(note_of(PlaceholderNote::Adopt, name, is_dir), fds, 2, state) && answered(state);
}

// Makes `name` in `dir` (announced first), marks it, share-locks it and sends
// it with its identity: an O_PATH fd of it, or -1 with errno.
int make_one(int dir, const char* name, bool is_dir, PlaceholderState& state) noexcept {
    Fd turn(lock_directory(dir));  // before the cleaner reads the directory's mtime
    if (!announce(dir, name, is_dir, state))
        return -1;
    struct stat st {
    }, in{};
    DirTimes times;
    if (::fstat(dir, &in) == 0) {
        times.before_sec = in.st_mtim.tv_sec;
        times.before_nsec = in.st_mtim.tv_nsec;
    }
    Fd readable(-1);
    if (is_dir) {
        if (::mkdirat(dir, name, 0755) < 0)
            return -1;
        readable.fd = ::openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else {
        readable.fd = ::openat(dir, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    }
    if (readable.fd < 0 || ::fstat(readable.fd, &st) < 0)
        return -1;
    if (::fstat(dir, &in) == 0) {
        times.after_sec = in.st_mtim.tv_sec;
        times.after_nsec = in.st_mtim.tv_nsec;
    }
    ::fsetxattr(readable.fd, kPlaceholderMark, &times, sizeof times, 0);  // without user xattrs: ours alone
    if (!lock_shared(readable.fd, dir, name))
        return -1;
    PlaceholderNote note = note_of(PlaceholderNote::Made, name, is_dir);
    note.dev = st.st_dev;
    note.ino = st.st_ino;
    note.times = times;
    if (!send_note(note, &readable.fd, 1, state))
        return -1;
    if (!is_dir) {  // (after Made: until then the cleaner may need its mtime, placeholders.cc)
        const timespec times[2] = {{0, UTIME_OMIT}, {0, kPlaceholderFileNsec}};
        ::futimens(readable.fd, times);
    }
    return ::openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

// A directory bound onto itself (a mount point cannot be renamed or
// removed), then opened again through that mount: what is made under it must
// be seen through it.
int pin_and_reopen(int dir, const char* name, int at) noexcept {
    Fd tree(clone_tree(at, "", false, true));
    if (tree.fd < 0 || !move_tree(tree.fd, at, ""))
        return -1;
    return ::openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int walk(const FrozenMount& m, int root, PlaceholderState& state, bool followed) noexcept;

// DEST is a symlink to a path that is missing: a write would make that path,
// so the placeholder goes there. Its text is taken plainly (no "." or "..",
// no symlink on the way: ELOOP), and must name a place inside the rule's
// mount (EXDEV), as a symlink to a path that is there must.
int follow_dangling(const FrozenMount& m, int root, int link, PlaceholderState& state) noexcept {
    char text[PATH_MAX], path[PATH_MAX];
    const ssize_t n = ::readlinkat(link, "", text, sizeof text - 1);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    std::size_t len = 0;
    if (text[0] != '/') {
        len = static_cast<std::size_t>(std::strrchr(m.target, '/') - m.target);
        std::memcpy(path, m.target, len);
    }
    if (len + 1 + static_cast<std::size_t>(n) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    path[len++] = '/';
    std::memcpy(path + len, text[0] == '/' ? text + 1 : text, static_cast<std::size_t>(n) + 1);
    for (const char* part = path + 1; *part != '\0';) {
        const char* end = std::strchr(part, '/');
        const std::size_t part_len =
            end != nullptr ? static_cast<std::size_t>(end - part) : std::strlen(part);
        if (part_len == 0 || (part[0] == '.' && (part_len == 1 || (part_len == 2 && part[1] == '.')))) {
            errno = ELOOP;
            return -1;
        }
        part = end != nullptr ? end + 1 : part + part_len;
    }
    const std::size_t base = std::strlen(m.source);
    if (base > 1 && (std::strncmp(path, m.source, base) != 0 || path[base] != '/')) {
        errno = EXDEV;
        return -1;
    }
    FrozenMount there = m;
    there.target = path;
    return walk(there, root, state, true);
}

// From the rule's mount to DEST: what is missing is made (directories on the
// way, pinned as the rule's existing ones are; DEST a directory if it ended
// in '/', else an empty file); what other sandboxes made is held.
int walk(const FrozenMount& m, int root, PlaceholderState& state, bool followed) noexcept {
    const std::size_t base = std::strlen(m.source);
    const char* at = m.target + (base == 1 ? 1 : base + 1);
    Fd dir(open_beneath(root, m.source, O_PATH | O_DIRECTORY, kInRoot));
    if (dir.fd < 0)
        return -1;
    for (;;) {
        const char* end = std::strchr(at, '/');
        const std::size_t len = end != nullptr ? static_cast<std::size_t>(end - at) : std::strlen(at);
        char name[NAME_MAX + 1];
        if (len == 0 || len > NAME_MAX) {
            errno = len == 0 ? ENOENT : ENAMETOOLONG;
            return -1;
        }
        std::memcpy(name, at, len);
        name[len] = '\0';
        const bool last = end == nullptr;
        Fd next(::openat(dir.fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (next.fd >= 0) {
            struct stat st {};
            if (::fstat(next.fd, &st) < 0)
                return -1;
            if (last && S_ISLNK(st.st_mode) && !followed)
                return follow_dangling(m, root, next.fd, state);
            if (S_ISLNK(st.st_mode) || (!last && !S_ISDIR(st.st_mode))) {
                errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;  // on the way, or a link to a link
                return -1;
            }
            if (!hold_existing(dir.fd, name, last, st, state))
                return -1;
        } else {
            if (errno != ENOENT)
                return -1;
            next.fd = make_one(dir.fd, name, !last || m.placeholder_dir, state);
            if (next.fd < 0)
                return -1;
            if (!last) {
                Fd pinned(pin_and_reopen(dir.fd, name, next.fd));
                if (pinned.fd < 0)
                    return -1;
                std::swap(next.fd, pinned.fd);
            }
        }
        if (last)
            return std::exchange(next.fd, -1);
        std::swap(dir.fd, next.fd);
        at = end + 1;
    }
}

}  // namespace

int placeholder_target(const FrozenMount& m, int root, int found, PlaceholderState& state) noexcept {
    Fd there(found);
    if (there.fd >= 0) {
        // There: only what may be another sandbox's placeholder needs a walk.
        struct stat st {};
        // Not a placeholder, it is nobody's (nor are the directories on its
        // way ours to keep: it would keep them). A file says so by its mtime,
        // a directory by its mark (procfs opens it readable).
        if (::fstat(there.fd, &st) < 0 || !(S_ISDIR(st.st_mode) || placeholder_file(st)))
            return std::exchange(there.fd, -1);
        if (S_ISDIR(st.st_mode)) {
            char link[32];
            Fd readable(::openat(proc_fd(), fd_name(there.fd, link), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (readable.fd >= 0 && !marked(readable.fd))
                return std::exchange(there.fd, -1);
        }
        const int walked = walk(m, root, state, false);
        if (walked >= 0)
            return walked;
        if (errno != ENOENT && errno != EAGAIN)
            return std::exchange(there.fd, -1);  // (a symlink open_rule_target followed, a plain walk not)
    } else if (errno != ENOENT) {
        return -1;
    }
    // Missing, gone while we looked (another sandbox's cleaner took it, or
    // the directory it was to go in) or made meanwhile (by another sandbox):
    // look again, a few times.
    for (int attempt = 0;; ++attempt) {
        const int fd = walk(m, root, state, false);
        if (fd >= 0 || (errno != ENOENT && errno != EAGAIN && errno != EEXIST) || attempt == 3)
            return fd;
    }
}

}  // namespace child
}  // namespace cocoon
