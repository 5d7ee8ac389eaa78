// SPDX-License-Identifier: MIT
// Building the new root with the new mount API. [child]
//
// Layout while building (all inside our own mount namespace):
//   /          a staging tmpfs (first pivot_root), never visible to the command
//   /oldroot   the host's root: sources are resolved here, in the caller's view
//   /newroot   the sandbox's root tmpfs: destinations are resolved here with
//              openat2(RESOLVE_IN_ROOT), so ".." and symlinks stop at the new root
//              and setup can never write into the host's tree (HACKING.md, security rule 1)
// Each op costs a fixed number of syscalls whatever came before: open_tree clones
// the source, mount_setattr(AT_RECURSIVE) makes every submount read-only at once,
// move_mount attaches it onto an O_PATH fd. Nothing re-reads /proc/self/mountinfo.
#include "run/mount_exec.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

namespace cocoon::child {
namespace {

constexpr unsigned kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

// Closes on scope exit; errno is kept for the report.
struct Fd {
    int fd = -1;
    explicit Fd(int f) noexcept : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
        }
    }
};

int open_beneath(int root, const char* path, std::uint64_t flags, std::uint64_t resolve) noexcept {
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
bool make_dirs(int root, const char* path, mode_t mode, mode_t parent_mode = 0755) noexcept {
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
int open_parent(int root, const char* path, const char** name, mode_t parent_mode = 0755) noexcept {
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

int new_tmpfs(const char* mode_str, const char* size_str = nullptr, const char* context = nullptr) noexcept {
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

bool mount_fresh(int fs, int root, const char* target, mode_t parent_mode = 0755) noexcept {
    Fd tree(fs);
    if (tree.fd < 0 || !make_dirs(root, target, 0755, parent_mode))
        return false;
    return attach(tree.fd, root, target);
}

// Clones `source` (an fd or path relative to `dirfd`) with all its submounts and
// restricts every one of them: the detached tree, to be attached.
int clone_tree(int dirfd, const char* path, bool read_only, bool allow_devices) noexcept {
    Fd tree(::open_tree(dirfd, path, AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (tree.fd < 0)
        return -1;
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

// The directory the last bind's mount point was made in, kept open for the next
// bind into the same directory: thousands of binds side by side save a lookup
// and a close each. A mount point created fresh in it takes its mount *below*
// the directory, which leaves the directory as it was; anything else (another
// kind of op, a mount point that was there already and may be a symlink to
// anywhere) drops it, and the next bind looks its directory up again.
struct LastDir {
    int fd = -1;
    char path[PATH_MAX] = {};
    LastDir() = default;
    LastDir(const LastDir&) = delete;
    LastDir& operator=(const LastDir&) = delete;
    ~LastDir() { drop(); }
    void drop() noexcept {
        if (fd >= 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            fd = -1;
        }
    }
};

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

enum class Outcome { Done, Skipped, SourceMissing, Failed, NotLink, Mismatch, Raced, BadDest };

// Copies `from` to `to` until EOF, through a buffer on the stack.
bool copy_data(int from, int to) noexcept {
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(from, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(to, buf + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return false;
            done += w;
        }
    }
}

Outcome apply_file(const FrozenMount& m, int root) noexcept {
    const char* name = nullptr;
    Fd parent(open_parent(root, m.target, &name, m.parent_mode));
    if (parent.fd < 0)
        return Outcome::Failed;
    Fd file(::openat(parent.fd, name, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, m.mode));
    return file.fd >= 0 && copy_data(m.fd, file.fd) ? Outcome::Done : Outcome::Failed;
}

// The data goes to a file on the staging tmpfs, which the command can never
// reach; it is unlinked once bound, so a bind of it is all that remains. (An
// O_TMPFILE file would be simpler, but open_tree(2) refuses an unlinked dentry.)
Outcome apply_bind_data(const FrozenMount& m, int root, LastDir& last) noexcept {
    constexpr const char* kName = "/bind-data";
    Fd data(::open(kName, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, m.mode));
    if (data.fd < 0)
        return Outcome::Failed;
    bool ok = copy_data(m.fd, data.fd);
    if (ok) {
        Fd tree(clone_tree(data.fd, "", m.read_only, false));
        ok = tree.fd >= 0 && place(tree.fd, root, m.target, false, last);
    }
    const int saved = errno;
    ::unlink(kName);
    errno = saved;
    return ok ? Outcome::Done : Outcome::Failed;
}

// Binds exactly the object the caller's fd refers to. Its mount belongs to the
// caller's mount namespace, which open_tree(2) may refuse (EINVAL); then the
// fd's path is bound from the caller's root and must turn out to be the same
// inode (bwrap checks the same way).
Outcome apply_bind_fd(const FrozenMount& m, int host, int root, LastDir& last) noexcept {
    struct stat want {};
    if (::fstat(m.fd, &want) < 0)
        return Outcome::Failed;
    const bool directory = S_ISDIR(want.st_mode);
    Fd tree(clone_tree(m.fd, "", m.read_only, false));
    if (tree.fd >= 0)
        return place(tree.fd, root, m.target, directory, last) ? Outcome::Done : Outcome::Failed;
    if (errno != EINVAL)
        return Outcome::Failed;
    char link[32] = "proc/self/fd/";
    int n = m.fd, digits = 1;
    for (int t = n; t >= 10; t /= 10) ++digits;
    for (int i = digits - 1; i >= 0; --i, n /= 10) link[13 + i] = static_cast<char>('0' + n % 10);
    char path[PATH_MAX];
    const ssize_t len = ::readlinkat(host, link, path, sizeof path - 1);
    if (len <= 0)
        return Outcome::Failed;
    path[len] = '\0';
    Fd src(open_beneath(host, path, O_PATH, RESOLVE_IN_ROOT));
    if (src.fd < 0)
        return Outcome::Failed;
    tree.fd = clone_tree(src.fd, "", m.read_only, false);
    if (tree.fd < 0 || !place(tree.fd, root, m.target, directory, last))
        return Outcome::Failed;
    Fd bound(open_beneath(root, m.target, O_PATH, kInRoot));
    struct stat got {};
    if (bound.fd < 0 || ::fstat(bound.fd, &got) < 0)
        return Outcome::Failed;
    return got.st_dev == want.st_dev && got.st_ino == want.st_ino ? Outcome::Done : Outcome::Raced;
}

// Overlay directories (layers, upper, work) are opened here, in the caller's
// view exactly as bind sources are (RESOLVE_IN_ROOT from the caller's root), and
// handed to the kernel as fds: no path is glued or escaped, whatever characters
// it holds (':', ',', '\\', spaces) and wherever its symlinks lead.
constexpr std::int32_t kMaxLayers = 500;  // overlayfs' own limit on lower layers

// The fds of one overlay mount: all stay open until the superblock is created,
// since kernels before 6.5 parse the options only then.
struct OverlayDirs {
    int fds[kMaxLayers + 2];
    int n = 0;
    OverlayDirs() = default;
    OverlayDirs(const OverlayDirs&) = delete;
    OverlayDirs& operator=(const OverlayDirs&) = delete;
    ~OverlayDirs() {
        const int saved = errno;
        for (int i = 0; i < n; ++i) ::close(fds[i]);
        errno = saved;
    }
    int open(int dirfd, const char* path, std::uint64_t resolve) noexcept {
        const int fd = open_beneath(dirfd, path, O_RDONLY | O_DIRECTORY, resolve);
        if (fd >= 0)
            fds[n++] = fd;
        return fd;
    }
};

// "/oldroot/proc/self/fd/N", which overlayfs follows to the fd's directory:
// how kernels without FSCONFIG_SET_FD for overlay (before 6.13) are given one.
// Nothing in it needs escaping.
void fd_path(int fd, char (&out)[48]) noexcept {
    constexpr char kPrefix[] = "/oldroot/proc/self/fd/";
    std::memcpy(out, kPrefix, sizeof kPrefix);
    char digits[12];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + fd % 10);
        fd /= 10;
    } while (fd > 0);
    char* p = out + sizeof kPrefix - 1;
    while (n > 0) *p++ = digits[--n];
    *p = '\0';
}

bool set_dir(int fs, const char* key, int fd) noexcept {
    if (::fsconfig(fs, FSCONFIG_SET_FD, key, nullptr, fd) == 0)
        return true;
    if (errno != EINVAL)
        return false;
    char path[48];
    fd_path(fd, path);
    return ::fsconfig(fs, FSCONFIG_SET_STRING, key, path, 0) == 0;
}

// Lower layers, top first as the kernel wants them: one "lowerdir+" each
// (Linux 6.8), else one "lowerdir" list of fd paths, which need no escaping.
bool add_layers(int fs, const int* layers, std::int32_t n) noexcept {
    bool each = true;
    for (std::int32_t i = n - 1; i >= 0 && each; --i)
        if (!set_dir(fs, "lowerdir+", layers[i])) {
            if (errno != EINVAL || i != n - 1)
                return false;
            each = false;
        }
    if (each)
        return true;
    static char joined[kMaxLayers * 48];  // child memory: our own copy after clone
    std::size_t used = 0;
    for (std::int32_t i = n - 1; i >= 0; --i) {
        char path[48];
        fd_path(layers[i], path);
        if (i != n - 1)
            joined[used++] = ':';
        const std::size_t len = std::strlen(path);
        std::memcpy(joined + used, path, len);
        used += len;
    }
    joined[used] = '\0';
    return ::fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", joined, 0) == 0;
}

// --overlay, --tmp-overlay, --ro-overlay: overlayfs with "userxattr", which a
// user namespace needs (overlayfs(5)); a --tmp-overlay's upper layer lives on a
// tmpfs that only the overlay holds on to once mounted (overlayfs takes private
// clones of mounts in our namespace, so it is attached while the overlay is made).
Outcome apply_overlay(const FrozenMount& m, int host, int root) noexcept {
    constexpr const char* kTmp = "/overlay-upper";
    if (m.n_layers > kMaxLayers) {
        errno = E2BIG;
        return Outcome::Failed;
    }
    OverlayDirs dirs;
    for (std::int32_t i = 0; i < m.n_layers; ++i)
        if (dirs.open(host, m.layers[i], RESOLVE_IN_ROOT) < 0)
            return Outcome::Failed;
    Fd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (fs.fd < 0 || ::fsconfig(fs.fd, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0 ||
        !add_layers(fs.fd, dirs.fds, m.n_layers))
        return Outcome::Failed;
    bool tmp_mounted = false;
    int upper = -1;
    int work = -1;
    if (m.tmp_upper) {
        Fd tmp(new_tmpfs("0755"));
        if (tmp.fd < 0 || ::mkdirat(tmp.fd, "upper", 0755) < 0 || ::mkdirat(tmp.fd, "work", 0755) < 0 ||
            ::mkdir(kTmp, 0700) < 0 || ::move_mount(tmp.fd, "", AT_FDCWD, kTmp, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return Outcome::Failed;
        tmp_mounted = true;
        upper = dirs.open(AT_FDCWD, "/overlay-upper/upper", 0);
        work = dirs.open(AT_FDCWD, "/overlay-upper/work", 0);
    } else if (m.source[0] != '\0') {
        upper = dirs.open(host, m.source, RESOLVE_IN_ROOT);
        work = upper < 0 ? -1 : dirs.open(host, m.work, RESOLVE_IN_ROOT);
    }
    const bool writable = m.tmp_upper || m.source[0] != '\0';
    bool ok = (!writable || (upper >= 0 && work >= 0 && set_dir(fs.fd, "upperdir", upper) &&
                             set_dir(fs.fd, "workdir", work))) &&
              ::fsconfig(fs.fd, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) == 0 &&
              ::fsconfig(fs.fd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0;
    if (ok) {
        const unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY);
        ok = mount_fresh(::fsmount(fs.fd, FSMOUNT_CLOEXEC, attrs), root, m.target, m.parent_mode);
    }
    const int saved = errno;
    if (tmp_mounted) {
        ::umount2(kTmp, MNT_DETACH);
        ::rmdir(kTmp);
    }
    errno = saved;
    return ok ? Outcome::Done : Outcome::Failed;
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  // Linux 6.6, the same number on every architecture
#endif

Outcome apply_chmod(const FrozenMount& m, int root) noexcept {
    Fd target(open_beneath(root, m.target, O_PATH, kInRoot));
    if (target.fd < 0)
        return Outcome::Failed;
    return ::syscall(SYS_fchmodat2, target.fd, "", m.mode, AT_EMPTY_PATH) == 0 ? Outcome::Done
                                                                               : Outcome::Failed;
}

Outcome apply_bind(const FrozenMount& m, int host, int root, LastDir& last) noexcept {
    // The source is resolved in the caller's view: /oldroot is the caller's root,
    // so RESOLVE_IN_ROOT makes absolute symlinks in it land where the caller's would.
    const char* source = m.source[0] == '/' && m.source[1] == '\0' ? "." : m.source;
    Fd src(open_beneath(host, source, O_PATH, RESOLVE_IN_ROOT));
    // RESOLVE_IN_ROOT refuses magic links (EXDEV), which callers use on purpose:
    // /proc/self/fd/N for a file they pass (N is theirs, inherited by this
    // process), /proc/self/ns/user for the sandbox's namespace (Flatpak).
    if (src.fd < 0 && errno == EXDEV) {
        const char* relative = source[0] == '/' ? source + 1 : source;
        char target[PATH_MAX];
        const ssize_t n = ::readlinkat(host, relative, target, sizeof target - 1);
        if (n > 0 && target[0] == '/') {
            // A link to a path: that path, in the caller's view. (The mount
            // behind the fd belongs to the caller's namespace, which open_tree
            // would refuse.)
            target[n] = '\0';
            src.fd = open_beneath(host, target, O_PATH, RESOLVE_IN_ROOT);
        } else if (n > 0) {
            // A link to an object with no path (a namespace: "user:[4026531837]"):
            // the directories are resolved as before, and only the final magic
            // link is followed, by open_tree itself.
            char dir[PATH_MAX];
            const char* name = split_path(m.source, dir);  // absolute: planned so
            Fd parent(open_beneath(host, dir, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT));
            if (parent.fd < 0)
                return m.allow_missing && errno == ENOENT ? Outcome::Skipped : Outcome::SourceMissing;
            Fd tree(clone_tree(parent.fd, name, m.read_only, m.allow_devices));
            struct stat st {};
            if (tree.fd < 0)
                return m.allow_missing && errno == ENOENT ? Outcome::Skipped : Outcome::Failed;
            if (::fstat(tree.fd, &st) < 0)
                return Outcome::Failed;
            if (m.target[0] == '\0')
                return Outcome::BadDest;
            return place(tree.fd, root, m.target, S_ISDIR(st.st_mode), last) ? Outcome::Done
                                                                             : Outcome::Failed;
        } else {
            errno = EXDEV;
        }
    }
    if (src.fd < 0)
        return m.allow_missing && errno == ENOENT ? Outcome::Skipped : Outcome::SourceMissing;
    struct stat st {};
    if (::fstat(src.fd, &st) < 0)
        return Outcome::Failed;
    if (m.target[0] == '\0')  // a -try's destination, refused in planning (dest_error)
        return Outcome::BadDest;
    Fd tree(clone_tree(src.fd, "", m.read_only, m.allow_devices));
    return tree.fd >= 0 && place(tree.fd, root, m.target, S_ISDIR(st.st_mode), last) ? Outcome::Done
                                                                                     : Outcome::Failed;
}

Outcome apply_symlink(const FrozenMount& m, int root) noexcept {
    const char* name = nullptr;
    Fd parent(open_parent(root, m.target, &name));
    if (parent.fd < 0)
        return Outcome::Failed;
    if (::symlinkat(m.source, parent.fd, name) == 0)
        return Outcome::Done;
    if (errno != EEXIST)
        return Outcome::Failed;
    char existing[PATH_MAX];
    const ssize_t n = ::readlinkat(parent.fd, name, existing, sizeof existing - 1);
    if (n < 0)
        return errno == EINVAL ? Outcome::NotLink : Outcome::Failed;
    existing[n] = '\0';
    return std::strcmp(existing, m.source) == 0 ? Outcome::Done : Outcome::Mismatch;
}

Outcome apply(const FrozenMount& m, int host, int root, const char* file_label, LastDir& last) noexcept {
    if (m.kind != MountKind::Bind && m.kind != MountKind::BindData && m.kind != MountKind::BindFd)
        last.drop();
    switch (m.kind) {
        case MountKind::Bind:
            return apply_bind(m, host, root, last);
        case MountKind::RemountRo: {
            Fd dest(open_beneath(root, m.target, O_PATH, kInRoot));
            mount_attr attr{};
            attr.attr_set = MOUNT_ATTR_RDONLY;
            return dest.fd >= 0 && ::mount_setattr(dest.fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0
                       ? Outcome::Done
                       : Outcome::Failed;
        }
        case MountKind::Tmpfs:
            return mount_fresh(new_tmpfs(m.mode_str, m.size_str, file_label), root, m.target, m.parent_mode)
                       ? Outcome::Done
                       : Outcome::Failed;
        case MountKind::Procfs: {
            const char* none[] = {nullptr, nullptr};
            const int fs = new_fs("proc", none, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
            return mount_fresh(fs, root, m.target) ? Outcome::Done : Outcome::Failed;
        }
        case MountKind::Devpts: {
            const char* options[] = {"ptmxmode", "0666", "mode", "620", "newinstance", nullptr};
            const int fs = new_fs("devpts", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
            return mount_fresh(fs, root, m.target) ? Outcome::Done : Outcome::Failed;
        }
        case MountKind::ProtectRo: {
            Fd dest(open_beneath(root, m.target, O_PATH, kInRoot));
            if (dest.fd < 0)
                return errno == ENOENT ? Outcome::Skipped : Outcome::Failed;
            // Only what we could write needs protecting (bwrap's rule too): in a user
            // namespace the host's /proc/sys belongs to an unmapped root already.
            if (::syscall(SYS_faccessat2, dest.fd, "", W_OK, AT_EMPTY_PATH) < 0)
                return Outcome::Skipped;
            return bind_tree(dest.fd, "", root, m.target, true, false) ? Outcome::Done : Outcome::Failed;
        }
        case MountKind::Dir:
            return make_dirs(root, m.target, m.mode, m.parent_mode) ? Outcome::Done : Outcome::Failed;
        case MountKind::Symlink:
            return apply_symlink(m, root);
        case MountKind::Chmod:
            return apply_chmod(m, root);
        case MountKind::File:
            return apply_file(m, root);
        case MountKind::BindData:
            return apply_bind_data(m, root, last);
        case MountKind::BindFd:
            return apply_bind_fd(m, host, root, last);
        case MountKind::Overlay:
            return apply_overlay(m, host, root);
        case MountKind::Mqueue: {
            const char* none[] = {nullptr, nullptr};
            const int fs = new_fs("mqueue", none, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
            return mount_fresh(fs, root, m.target) ? Outcome::Done : Outcome::Failed;
        }
    }
    errno = EINVAL;
    return Outcome::Failed;
}

bool fill(Report& report, Step step, std::int32_t index = -1) noexcept {
    report.step = step;
    report.index = index;
    report.errnum = errno;
    return false;
}

// Mounts the staging tmpfs over /tmp (only in our namespace: the host is not
// touched) and pivots into it,
// with the host root at /oldroot and an empty /newroot.
bool stage(const Frozen& plan, Report& report) noexcept {
    // Slave, not private: host mounts made later still propagate in, as with bwrap.
    // A mount namespace owned by another user namespace than its parent's (we
    // made one with it, or joined one) has its shared mounts made slaves by the
    // kernel already (mount_namespaces(7), "less privileged" namespaces), and the
    // remount costs ~0.2 ms.
    if (!plan.mounts_already_slave && ::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
        return fill(report, Step::MountNamespace);
    // Any directory will do as the staging mount point (pivot_root moves the
    // tmpfs away from it again); /tmp may be missing, in a nested sandbox say.
    Fd base(new_tmpfs("0755"));
    if (base.fd < 0)
        return fill(report, Step::MountNamespace);
    int attached = -1;
    for (const char* where : {"/tmp", "/proc", "/dev", "/run", "/mnt"}) {
        attached = ::move_mount(base.fd, "", AT_FDCWD, where, MOVE_MOUNT_F_EMPTY_PATH);
        if (attached == 0 || (errno != ENOENT && errno != ENOTDIR))
            break;
    }
    if (attached < 0)
        return fill(report, Step::MountNamespace);
    if (::mkdirat(base.fd, "oldroot", 0755) < 0 || ::mkdirat(base.fd, "newroot", 0755) < 0)
        return fill(report, Step::MountNamespace);
    Fd root(new_tmpfs("0755"));
    if (root.fd < 0 || ::move_mount(root.fd, "", base.fd, "newroot", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return fill(report, Step::MountNamespace);
    if (::fchdir(base.fd) < 0 || ::syscall(SYS_pivot_root, ".", "oldroot") < 0 || ::chdir("/") < 0)
        return fill(report, Step::MountNamespace);
    return true;
}

}  // namespace

bool build_root(const Frozen& plan, Report& report) noexcept {
    if (!stage(plan, report))
        return false;
    Fd host(::open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
    Fd root(::open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (host.fd < 0 || root.fd < 0)
        return fill(report, Step::MountNamespace);
    LastDir last;
    for (std::int32_t i = 0; i < plan.n_mounts; ++i) {
        const FrozenMount& m = plan.mounts[i];
        switch (apply(m, host.fd, root.fd, plan.file_label, last)) {
            case Outcome::Done:
            case Outcome::Skipped:
                break;
            case Outcome::SourceMissing:
                return fill(report, Step::BindSource, i);
            case Outcome::Failed:
                return fill(report, Step::Mount, i);
            case Outcome::NotLink:
                return fill(report, Step::SymlinkNotLink, i);
            case Outcome::Raced:
                errno = 0;
                return fill(report, Step::BindFdRace, i);
            case Outcome::BadDest:
                errno = 0;
                return fill(report, Step::Destination, i);
            case Outcome::Mismatch: {
                char dir[PATH_MAX];
                const char* name = split_path(m.target, dir);
                Fd parent(open_beneath(root.fd, dir, O_PATH | O_DIRECTORY, kInRoot));
                const ssize_t n = ::readlinkat(parent.fd, name, report.detail, sizeof report.detail - 1);
                report.detail[n > 0 ? n : 0] = '\0';
                errno = 0;
                return fill(report, Step::SymlinkMismatch, i);
            }
        }
        // A mount onto "/" stacks on top of the root fd we hold; lookups from that
        // fd would not see it, so take the new top. A ".." may have led there too.
        if (m.target[1] == '\0' || m.dotdot) {
            Fd top(::open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (top.fd < 0)
                return fill(report, Step::Mount, i);
            std::swap(root.fd, top.fd);
        }
    }
    last.drop();
    // The host's root goes private first, so that its unmount cannot propagate
    // back to the host.
    if (::mount(nullptr, "/oldroot", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
        return fill(report, Step::OldRoot);
    // pivot_root(".", ".") stacks the staging root on top of the new one;
    // unmounting "." then detaches it together with the host's root mounted
    // inside it (pivot_root(2) NOTES), before the command can see anything. One
    // lazy unmount, not two: each one waits for an RCU grace period (~150 us).
    if (::fchdir(root.fd) < 0 || ::syscall(SYS_pivot_root, ".", ".") < 0 || ::umount2(".", MNT_DETACH) < 0 ||
        ::chdir("/") < 0)
        return fill(report, Step::PivotRoot);
    return true;
}

}  // namespace cocoon::child
