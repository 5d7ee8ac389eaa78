// SPDX-License-Identifier: MIT
// Resolving, creating and attaching beneath the new root, for run/mount_exec.cc
// and run/mount_overlay.cc: every lookup goes through openat2(RESOLVE_IN_ROOT),
// so ".." and symlinks stop at the new root (HACKING.md, security rule 1). [child]
#include "run/beneath.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include <cstring>
#include <utility>

namespace cocoon::child {

namespace {

KernelInterfaces g_kernel;  // set first thing (set_kernel)
int g_proc = -1;            // the host's procfs (child.cc open_proc), for "self/fd/N"

constexpr int kMaxLinks = 40;  // path_resolution(7): ELOOP after 40 symlinks
constexpr int kMaxDepth = 256;

// A symlink whose target is an object rather than a path (/proc/PID/fd/N,
// /proc/PID/ns/*, exe, cwd, root): one on a procfs, outside its top directory,
// where only "self", "thread-self", "mounts" and "net" are plain links.
bool magic_link(int dir) noexcept {
    struct statfs fs {};
    struct stat st {};
    return ::fstatfs(dir, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC && ::fstat(dir, &st) == 0 &&
           st.st_ino != 1;  // procfs's root directory
}

// openat2(RESOLVE_IN_ROOT) by hand, before Linux 5.6: one component at a time
// with O_PATH | O_NOFOLLOW from `root`; a symlink is read and its target spliced
// in front of the rest (an absolute one restarts at `root`); ".." goes back to
// the directory the walk came from, and stays at `root` there. The directories
// walked are held open, so a rename elsewhere cannot move the walk outside
// `root`. Magic links fail as openat2 fails them: ELOOP with
// RESOLVE_NO_MAGICLINKS, else EXDEV.
int walk_beneath(int root, const char* path, std::uint64_t flags, std::uint64_t resolve) noexcept {
    char rest[PATH_MAX];
    const std::size_t len = std::strlen(path);
    if (len == 0) {  // as openat2: an empty path names nothing
        errno = ENOENT;
        return -1;
    }
    if (len >= sizeof rest) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(rest, path, len + 1);
    int held[kMaxDepth];
    int depth = 0;
    int links = 0;
    int result = -1;
    auto dir = [&] { return depth == 0 ? root : held[depth - 1]; };
    const int open_flags = static_cast<int>(flags);
    char* at = rest;
    for (;;) {
        while (*at == '/') ++at;
        if (*at == '\0') {  // the walk ends on a directory: "/", "a/..", "a/"
            result = ::openat(dir(), ".", open_flags | O_CLOEXEC);
            break;
        }
        char* end = at;
        while (*end != '\0' && *end != '/') ++end;
        const bool slash = *end == '/';
        *end = '\0';
        char* next = slash ? end + 1 : end;
        while (*next == '/') ++next;
        const bool last = *next == '\0';
        if (std::strcmp(at, ".") == 0 || std::strcmp(at, "..") == 0) {
            if (at[1] == '.' && depth > 0)
                ::close(held[--depth]);
            at = next;
            if (last) {
                result = ::openat(dir(), ".", open_flags | O_CLOEXEC);
                break;
            }
            continue;
        }
        // A component to walk into is nearly always a plain directory: O_DIRECTORY
        // with O_NOFOLLOW opens only that (a symlink fails with ENOTDIR, as a
        // file does; open(2)), which spares the fstat. The rest is looked at.
        const bool into = !last || slash;
        int fd = into ? ::openat(dir(), at, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC) : -1;
        if (into && fd < 0 && errno != ENOTDIR)
            break;
        struct stat st {};
        st.st_mode = S_IFDIR;
        if (fd < 0) {
            fd = ::openat(dir(), at, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 || ::fstat(fd, &st) < 0) {
                Fd closing(fd);
                break;
            }
        }
        if (S_ISLNK(st.st_mode)) {
            Fd link(fd);
            if (magic_link(dir())) {
                errno = (resolve & RESOLVE_NO_MAGICLINKS) != 0 ? ELOOP : EXDEV;
                break;
            }
            char target[PATH_MAX];
            const ssize_t n = ::readlinkat(link.fd, "", target, sizeof target);
            if (n < 0)
                break;
            if (static_cast<std::size_t>(n) >= sizeof target) {
                errno = ENAMETOOLONG;
                break;
            }
            if (++links > kMaxLinks) {
                errno = ELOOP;
                break;
            }
            // The target, then what was left of the path (a trailing slash too).
            const std::size_t tail = std::strlen(next);
            const std::size_t total = static_cast<std::size_t>(n) + (slash ? 1 + tail : 0);
            if (total >= sizeof rest) {
                errno = ENAMETOOLONG;
                break;
            }
            char joined[PATH_MAX];
            std::memcpy(joined, target, static_cast<std::size_t>(n));
            if (slash) {
                joined[n] = '/';
                std::memcpy(joined + n + 1, next, tail);
            }
            joined[total] = '\0';
            std::memcpy(rest, joined, total + 1);
            at = rest;
            if (rest[0] == '/')
                while (depth > 0) ::close(held[--depth]);
            continue;
        }
        if (into) {  // a directory, to walk into (or named with a trailing slash)
            if (!S_ISDIR(st.st_mode)) {
                ::close(fd);
                errno = ENOTDIR;
                break;
            }
            if (last) {
                result = ::openat(fd, ".", open_flags | O_CLOEXEC);
                ::close(fd);
                break;
            }
            if (depth == kMaxDepth) {
                ::close(fd);
                errno = ENAMETOOLONG;
                break;
            }
            held[depth++] = fd;
            at = next;
            continue;
        }
        // The last component, not a symlink: as asked, and still the same file
        // (it cannot have turned into a symlink: O_NOFOLLOW).
        if ((flags & O_DIRECTORY) != 0 && !S_ISDIR(st.st_mode)) {
            ::close(fd);
            errno = ENOTDIR;
            break;
        }
        if ((flags & O_PATH) != 0) {
            result = fd;
            break;
        }
        result = ::openat(dir(), at, open_flags | O_NOFOLLOW | O_CLOEXEC);
        struct stat again {};
        if (result >= 0 &&
            (::fstat(result, &again) < 0 || again.st_ino != st.st_ino || again.st_dev != st.st_dev)) {
            ::close(result);
            result = -1;
            errno = EAGAIN;  // replaced while we looked
        }
        ::close(fd);
        break;
    }
    const int saved = errno;
    while (depth > 0) ::close(held[--depth]);
    errno = saved;
    return result;
}

}  // namespace

void set_kernel(const KernelInterfaces& kernel) noexcept {
    g_kernel = kernel;
}

const KernelInterfaces& kernel() noexcept {
    return g_kernel;
}

void set_proc(int proc) noexcept {
    g_proc = proc;
}

const char* fd_name(int fd, char (&buf)[32]) noexcept {
    char digits[12];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + fd % 10);
        fd /= 10;
    } while (fd > 0 && n < 11);
    std::memcpy(buf, "self/fd/", 8);
    int at = 8;
    while (n > 0) buf[at++] = digits[--n];
    buf[at] = '\0';
    return buf;
}

int proc_fd() noexcept {
    return g_proc;
}

int open_beneath(int root, const char* path, std::uint64_t flags, std::uint64_t resolve) noexcept {
    if (!g_kernel.openat2)
        return walk_beneath(root, path, flags, resolve);
    open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.resolve = resolve;
    return static_cast<int>(::syscall(SYS_openat2, root, path, &how, sizeof how));
}

// Copies the directory part of absolute `path` into `dir` and returns the last
// component (inside `path`). "/a/b" -> dir "/a", "b"; "/a" -> dir "/", "a".
const char* split_path(const char* path, char (&dir)[PATH_MAX]) noexcept {
    const char* slash = std::strrchr(path, '/');
    std::size_t len = static_cast<std::size_t>(slash - path);
    if (len == 0)
        len = 1;
    if (len >= PATH_MAX)
        len = PATH_MAX - 1;
    std::memcpy(dir, path, len);
    dir[len] = '\0';
    return slash + 1;
}

// mkdir -p beneath the new root: every missing directory of `path` (including
// `path` itself) is created with 0755, each resolved again from the root so a
// symlink planted on the way is followed as the sandbox sees it.
bool make_dirs(int root, const char* path, mode_t mode, mode_t parent_mode) noexcept {
    // Fast path, the common case of many binds side by side: the parent exists,
    // so one lookup and one mkdirat do (the walk below costs one per component).
    if (path[1] != '\0') {
        char dir[PATH_MAX];
        const char* name = split_path(path, dir);
        Fd parent(open_beneath(root, dir, O_PATH | O_DIRECTORY, kInRoot));
        if (parent.fd >= 0) {
            if (::mkdirat(parent.fd, name, mode) == 0)
                return true;
            if (errno != EEXIST)
                return false;
            Fd existing(open_beneath(root, path, O_PATH | O_DIRECTORY, kInRoot));
            return existing.fd >= 0;
        }
        if (errno != ENOENT)
            return false;
    }
    char buf[PATH_MAX];
    const std::size_t len = std::strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(buf, path, len + 1);
    for (std::size_t i = 1; i <= len; ++i) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        const char saved = buf[i];
        buf[i] = '\0';
        Fd probe(open_beneath(root, buf, O_PATH | O_DIRECTORY, kInRoot));
        if (probe.fd < 0) {
            if (errno != ENOENT)
                return false;
            char dir[PATH_MAX];
            const char* name = split_path(buf, dir);
            Fd parent(open_beneath(root, dir, O_PATH | O_DIRECTORY, kInRoot));
            if (parent.fd < 0)
                return false;
            if (::mkdirat(parent.fd, name, saved == '\0' ? mode : parent_mode) < 0 && errno != EEXIST)
                return false;
        }
        buf[i] = saved;
    }
    return true;
}

// The parent directory of `path` beneath the root (created if missing), and the
// last component in `name`.
int open_parent(int root, const char* path, const char** name, mode_t parent_mode) noexcept {
    char dir[PATH_MAX];
    *name = split_path(path, dir);
    // Usually the parent is there already (the nodes of --dev, files side by
    // side): one lookup instead of the three or more of make_dirs.
    const int fd = open_beneath(root, dir, O_PATH | O_DIRECTORY, kInRoot);
    if (fd >= 0 || errno != ENOENT)
        return fd;
    if (!make_dirs(root, dir, parent_mode, parent_mode))
        return -1;
    return open_beneath(root, dir, O_PATH | O_DIRECTORY, kInRoot);
}

}  // namespace cocoon::child
