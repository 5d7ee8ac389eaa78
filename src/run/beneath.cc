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

bool g_openat2 = true;        // KernelInterfaces::openat2, set first thing (set_kernel)
bool g_mount_setattr = true;  // KernelInterfaces::mount_setattr
int g_proc = -1;              // the host's procfs (child.cc open_proc), for "self/fd/N"

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
        const int fd = ::openat(dir(), at, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) < 0) {
            Fd closing(fd);
            break;
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
        if (!last || slash) {  // a directory, to walk into (or named with a trailing slash)
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
    g_openat2 = kernel.openat2;
    g_mount_setattr = kernel.mount_setattr;
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
    if (!g_openat2)
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

bool attach(int tree, int root, const char* target) noexcept {
    Fd dest(open_beneath(root, target, O_PATH, kInRoot));
    if (dest.fd < 0)
        return false;
    return ::move_mount(tree, "", dest.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0;
}

int new_fs(const char* type, const char* const* options, unsigned attrs) noexcept {
    Fd fs(::fsopen(type, FSOPEN_CLOEXEC));
    // The source name is what mountinfo shows ("tmpfs tmpfs", as with mount(8)).
    if (fs.fd < 0 || ::fsconfig(fs.fd, FSCONFIG_SET_STRING, "source", type, 0) < 0)
        return -1;
    for (const char* const* o = options; *o != nullptr; o += 2) {
        const bool flag = o[1] == nullptr;
        if (::fsconfig(fs.fd, flag ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, o[0], o[1], 0) < 0)
            return -1;
        if (flag)
            break;
    }
    if (::fsconfig(fs.fd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
        return -1;
    return ::fsmount(fs.fd, FSMOUNT_CLOEXEC, attrs);
}

int new_tmpfs(const char* mode_str, const char* size_str, const char* context) noexcept {
    const char* options[8] = {"mode", mode_str};
    int n = 2;
    if (size_str != nullptr) {
        options[n++] = "size";
        options[n++] = size_str;
    }
    if (context != nullptr) {  // --file-label (SELinux)
        options[n++] = "context";
        options[n++] = context;
    }
    options[n] = options[n + 1] = nullptr;
    return new_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
}

bool mount_fresh(int fs, int root, const char* target, mode_t parent_mode) noexcept {
    Fd tree(fs);
    if (tree.fd < 0 || !make_dirs(root, target, 0755, parent_mode))
        return false;
    return attach(tree.fd, root, target);
}

namespace {

// Without mount_setattr (before 5.12). The mount table as it was when the first
// bind needed it, read once for the whole setup (bwrap reads it again for every
// bind: quadratic in binds times mounts). Host mounts do not change under us
// during setup, and the new root's own are not below any bind source.
char* g_mountinfo = nullptr;
std::size_t g_mountinfo_len = 0;
constexpr std::size_t kMountinfoMax = 16 << 20;

bool read_mountinfo() noexcept {
    if (g_mountinfo != nullptr)
        return true;
    void* map = ::mmap(nullptr, kMountinfoMax, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return false;
    Fd info(::openat(g_proc, "self/mountinfo", O_RDONLY | O_CLOEXEC));
    if (info.fd < 0)
        return false;
    auto* buf = static_cast<char*>(map);
    std::size_t len = 0;
    for (;;) {
        const ssize_t n = ::read(info.fd, buf + len, kMountinfoMax - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        len += static_cast<std::size_t>(n);
        if (len == kMountinfoMax - 1) {
            errno = E2BIG;
            return false;
        }
    }
    buf[len] = '\0';
    g_mountinfo = buf;
    g_mountinfo_len = len;
    return true;
}

// Field 5 of a mountinfo line (the mount point), with the kernel's octal
// escapes (\040 for a space) undone, into `out`; false past the end of the line.
bool mount_point(const char* line, char (&out)[PATH_MAX]) noexcept {
    const char* p = line;
    for (int field = 0; field < 4; ++field) {
        while (*p != ' ' && *p != '\n' && *p != '\0') ++p;
        if (*p != ' ')
            return false;
        ++p;
    }
    std::size_t n = 0;
    while (*p != ' ' && *p != '\n' && *p != '\0' && n + 1 < sizeof out) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
            p[3] <= '7') {
            out[n++] = static_cast<char>((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 4;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return true;
}

}  // namespace

bool remount(int fd, unsigned long flags) noexcept {
    struct statvfs st {};
    if (::fstatvfs(fd, &st) < 0)
        return false;
    const std::pair<unsigned long, unsigned long> kept[] = {
        {ST_RDONLY, MS_RDONLY}, {ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV}, {ST_NOEXEC, MS_NOEXEC}};
    for (const auto& [st_flag, ms_flag] : kept)
        if ((st.f_flag & st_flag) != 0)
            flags |= ms_flag;
    char name[32];
    // mount(2) has no *at form: the fd is named through procfs, from there.
    if (::fchdir(g_proc) < 0)
        return false;
    const bool ok = ::mount(nullptr, fd_name(fd, name), nullptr, MS_REMOUNT | MS_BIND | flags, nullptr) == 0;
    const int saved = errno;
    ::chdir("/");
    errno = saved;
    return ok;
}

namespace {

// The cloned tree is attached at a scratch directory of the staging root,
// where mount(2) can change it: its top and every mount below the source (the
// mount table read once) are remounted, and a read-only tree turns private.
// What is returned is an O_PATH fd of the attached tree: move_mount(2) on it
// moves the tree on to its destination, as it attaches a detached one (an
// unmount and a second clone would cost an RCU grace period per bind).
int restrict_by_remounts(int tree, int dirfd, const char* path, bool read_only, bool allow_devices) noexcept {
    Fd owned(tree);
    char name[32];
    char source[PATH_MAX];
    const ssize_t len = ::readlinkat(g_proc, fd_name(dirfd, name), source, sizeof source - 1);
    if (len <= 0 || !read_mountinfo())
        return -1;
    std::size_t source_len = static_cast<std::size_t>(len);
    source[source_len] = '\0';
    if (path[0] != '\0') {  // a name in the directory dirfd
        const std::size_t path_len = std::strlen(path);
        if (source_len + 1 + path_len >= sizeof source) {
            errno = ENAMETOOLONG;
            return -1;
        }
        source[source_len++] = '/';
        std::memcpy(source + source_len, path, path_len + 1);
        source_len += path_len;
    }
    // A directory or a file to attach to, as the tree's top is one or the other.
    struct stat st {};
    if (::fstat(owned.fd, &st) < 0)
        return -1;
    const bool directory = S_ISDIR(st.st_mode);
    const char* const kScratch = directory ? "/.tree" : "/.tree-file";
    if (directory ? ::mkdir(kScratch, 0700) < 0 && errno != EEXIST
                  : Fd(::open(kScratch, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)).fd < 0)
        return -1;
    if (::move_mount(owned.fd, "", AT_FDCWD, kScratch, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return -1;
    const unsigned long flags = MS_NOSUID | (allow_devices ? 0 : MS_NODEV) | (read_only ? MS_RDONLY : 0);
    bool ok = true;
    Fd top(::open(kScratch, O_PATH | O_CLOEXEC));
    ok = top.fd >= 0 && remount(top.fd, flags);
    for (const char* line = g_mountinfo; ok && line < g_mountinfo + g_mountinfo_len;) {
        const char* end =
            static_cast<const char*>(std::memchr(line, '\n', g_mountinfo + g_mountinfo_len - line));
        char point[PATH_MAX];
        if (mount_point(line, point) && std::strncmp(point, source, source_len) == 0 &&
            point[source_len] == '/' && point[source_len + 1] != '\0') {
            // A submount at the same place in the clone; one hidden under
            // another resolves to the one on top, as in the sandbox.
            Fd sub(open_beneath(top.fd, point + source_len, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
            ok = (sub.fd < 0 && errno == ENOENT) || (sub.fd >= 0 && remount(sub.fd, flags));
        }
        line = end == nullptr ? g_mountinfo + g_mountinfo_len : end + 1;
    }
    if (ok && read_only)
        ok = ::mount(nullptr, kScratch, nullptr, MS_PRIVATE | MS_REC, nullptr) == 0;
    if (ok)  // the caller's move_mount moves it on from here, with no unmount
        return std::exchange(top.fd, -1);
    const int saved = errno;
    ::umount2(kScratch, MNT_DETACH);
    errno = saved;
    return -1;
}

}  // namespace

// Clones `source` (an fd or path relative to `dirfd`) with all its submounts and
// restricts every one of them: the detached tree, to be attached.
int clone_tree(int dirfd, const char* path, bool read_only, bool allow_devices) noexcept {
    Fd tree(::open_tree(dirfd, path, AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (tree.fd < 0)
        return -1;
    if (!g_mount_setattr)
        return restrict_by_remounts(tree.fd, dirfd, path, read_only, allow_devices);
    mount_attr attr{};
    attr.attr_set =
        MOUNT_ATTR_NOSUID | (allow_devices ? 0 : MOUNT_ATTR_NODEV) | (read_only ? MOUNT_ATTR_RDONLY : 0);
    // A read-only tree receives no later mounts from the host: they would
    // arrive writable, whatever this tree's flags (mount_namespaces(7): a
    // propagated mount takes the flags of its source). Private, it stays the
    // read-only snapshot the man page promises.
    if (read_only)
        attr.propagation = MS_PRIVATE;
    if (::mount_setattr(tree.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        return -1;
    return std::exchange(tree.fd, -1);
}

bool bind_tree(int dirfd, const char* path, int root, const char* target, bool read_only,
               bool allow_devices) noexcept {
    Fd tree(clone_tree(dirfd, path, read_only, allow_devices));
    return tree.fd >= 0 && attach(tree.fd, root, target);
}

// Makes the mount point for a bind and attaches `tree` there: a directory for a
// directory, else an empty 0444 file (bwrap's choice), unless something is there
// already. One we have just created is attached by name from its parent: nothing else can reach
// the new root yet, so it is still our empty directory or file. One that was
// there already is resolved again beneath the root, where a symlink is followed
// as the sandbox sees it.
bool place(int tree, int root, const char* target, bool directory, LastDir& last) noexcept {
    if (target[1] == '\0') {  // the root itself
        last.drop();
        return attach(tree, root, target);
    }
    char dir[PATH_MAX];
    const char* name = split_path(target, dir);
    if (last.fd < 0 || std::strcmp(last.path, dir) != 0) {
        last.drop();
        const char* ignored = nullptr;
        last.fd = open_parent(root, target, &ignored);
        if (last.fd < 0)
            return false;
        std::memcpy(last.path, dir, std::strlen(dir) + 1);
    }
    const bool made =
        directory
            ? ::mkdirat(last.fd, name, 0755) == 0
            : Fd(::openat(last.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444)).fd >= 0;
    if (made)
        return ::move_mount(tree, "", last.fd, name, MOVE_MOUNT_F_EMPTY_PATH) == 0;
    last.drop();
    return errno == EEXIST && attach(tree, root, target);
}

}  // namespace cocoon::child
