// SPDX-License-Identifier: MIT
// Resolving, creating and attaching beneath the new root, for run/mount_exec.cc
// and run/mount_overlay.cc: every lookup goes through openat2(RESOLVE_IN_ROOT),
// so ".." and symlinks stop at the new root (HACKING.md, security rule 1). [child]
#include "run/beneath.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cstring>

namespace cocoon::child {

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
