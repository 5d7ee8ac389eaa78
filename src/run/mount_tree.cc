// SPDX-License-Identifier: MIT
// Making mount trees and attaching them beneath the new root: with the new
// mount API (Linux 5.2: fsopen, open_tree, move_mount) where the kernel has it,
// else with mount(2) (HACKING.md, "Older kernels"). [child]
//
// The new API hands out detached trees as fds. mount(2) has no detached trees
// and no *at form: a tree is made at a scratch place of the staging root
// instead (which the command never sees), handed out as an O_PATH fd of its
// top, and moved on with MS_MOVE; paths are given to mount(2) as "self/fd/N"
// relative to the host's procfs, which names exactly the object behind fd N.
#include "run/mount_tree.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace cocoon::child {
namespace {

// mount(2) with its paths relative to the host's procfs, where "self/fd/N"
// names what fd N refers to; the working directory goes back to "/", which
// walk_beneath (run/beneath.cc) starts from for an absolute path at AT_FDCWD.
bool mount_from_proc(const char* source, const char* target, const char* type, unsigned long flags,
                     const void* data) noexcept {
    if (::fchdir(proc_fd()) < 0)
        return false;
    const bool ok = ::mount(source, target, type, flags, data) == 0;
    const int saved = errno;
    [[maybe_unused]] const int back = ::chdir("/");  // "/" is always there
    errno = saved;
    return ok;
}

// "self/fd/N/name" (or "self/fd/N" for an empty name) for mount_from_proc;
// `name` itself where `dirfd` is AT_FDCWD (an absolute path, then).
bool at_path(int dirfd, const char* name, char (&out)[PATH_MAX]) noexcept {
    std::size_t used = 0;
    if (dirfd != AT_FDCWD) {
        char fd[32];
        used = std::strlen(fd_name(dirfd, fd));
        std::memcpy(out, fd, used);
        if (name[0] != '\0')
            out[used++] = '/';
    }
    const std::size_t len = std::strlen(name);
    if (used + len >= sizeof out) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(out + used, name, len + 1);
    return true;
}

// The mount(2) flags of fsmount(2)'s MOUNT_ATTR_* attributes.
unsigned long ms_flags(unsigned attrs) noexcept {
    return ((attrs & MOUNT_ATTR_RDONLY) != 0 ? MS_RDONLY : 0) |
           ((attrs & MOUNT_ATTR_NOSUID) != 0 ? MS_NOSUID : 0) |
           ((attrs & MOUNT_ATTR_NODEV) != 0 ? MS_NODEV : 0) |
           ((attrs & MOUNT_ATTR_NOEXEC) != 0 ? MS_NOEXEC : 0);
}

// mount(2)'s data string for new_fs's options: "key=value,...,flag". A value
// with a comma (an SELinux context's category set) is quoted, as the LSMs
// parse it.
bool join_options(const char* const* options, char (&out)[4096]) noexcept {
    std::size_t used = 0;
    auto put = [&](const char* text, std::size_t len) noexcept {
        if (used + len >= sizeof out)
            return false;
        std::memcpy(out + used, text, len);
        used += len;
        return true;
    };
    for (const char* const* o = options; *o != nullptr; o += 2) {
        if (used != 0 && !put(",", 1))
            break;
        if (!put(o[0], std::strlen(o[0])))
            break;
        if (o[1] == nullptr) {  // a flag, always the last option
            out[used] = '\0';
            return true;
        }
        const bool quote = std::strchr(o[1], ',') != nullptr;
        if (!put("=", 1) || (quote && !put("\"", 1)) || !put(o[1], std::strlen(o[1])) ||
            (quote && !put("\"", 1)))
            break;
        if (o[2] == nullptr) {
            out[used] = '\0';
            return true;
        }
    }
    if (used == 0 && *options == nullptr) {
        out[0] = '\0';
        return true;
    }
    errno = E2BIG;
    return false;
}

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
    Fd info(::openat(proc_fd(), "self/mountinfo", O_RDONLY | O_CLOEXEC));
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

bool move_tree(int tree, int dirfd, const char* name) noexcept {
    if (kernel().new_mount_api) {
        const unsigned to_empty = name[0] == '\0' ? MOVE_MOUNT_T_EMPTY_PATH : 0;
        return ::move_mount(tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH | to_empty) == 0;
    }
    char from[32];
    char to[PATH_MAX];
    return at_path(dirfd, name, to) && mount_from_proc(fd_name(tree, from), to, nullptr, MS_MOVE, nullptr);
}

bool attach(int tree, int root, const char* target) noexcept {
    Fd dest(open_beneath(root, target, O_PATH, kInRoot));
    return dest.fd >= 0 && move_tree(tree, dest.fd, "");
}

bool mount_new_at(const char* type, const char* const* options, unsigned attrs, int dirfd,
                  const char* name) noexcept {
    if (kernel().new_mount_api) {
        Fd fs(new_fs(type, options, attrs));
        return fs.fd >= 0 && move_tree(fs.fd, dirfd, name);
    }
    char data[4096];  // mount(2) copies one page of options
    char to[PATH_MAX];
    // The source name is what mountinfo shows ("tmpfs tmpfs", as with mount(8)).
    return join_options(options, data) && at_path(dirfd, name, to) &&
           mount_from_proc(type, to, type, ms_flags(attrs), data);
}

int new_fs(const char* type, const char* const* options, unsigned attrs) noexcept {
    if (!kernel().new_mount_api) {
        // At the scratch place, until attach() moves it on.
        constexpr const char* kScratch = "/.fs";
        if ((::mkdir(kScratch, 0700) < 0 && errno != EEXIST) ||
            !mount_new_at(type, options, attrs, AT_FDCWD, kScratch))
            return -1;
        return ::open(kScratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    Fd fs(::fsopen(type, FSOPEN_CLOEXEC));
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
    return mount_from_proc(nullptr, fd_name(fd, name), nullptr, MS_REMOUNT | MS_BIND | flags, nullptr);
}

namespace {

// Without mount_setattr (before 5.12) or without open_tree (before 5.2): the
// tree is attached at a scratch place of the staging root, where mount(2) can
// change it: a clone from open_tree is moved there, else the source is bound
// there recursively (MS_BIND | MS_REC: the same tree open_tree would clone).
// Its top and every mount below the source (the mount table read once) are
// remounted, and a read-only tree turns private (see clone_tree). What is
// returned is an O_PATH fd of the attached tree, which move_tree moves on to
// its destination as it would attach a detached one (an unmount and a second
// clone would cost an RCU grace period per bind).
int restrict_at_scratch(int tree, int dirfd, const char* path, bool read_only, bool allow_devices) noexcept {
    Fd owned(tree);
    char name[32];
    char source[PATH_MAX];
    const ssize_t len = ::readlinkat(proc_fd(), fd_name(dirfd, name), source, sizeof source - 1);
    if (len <= 0 || (!kernel().mount_setattr && !read_mountinfo()))
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
    if (owned.fd >= 0 ? ::fstat(owned.fd, &st) < 0 : ::fstatat(dirfd, path, &st, AT_EMPTY_PATH) < 0)
        return -1;
    const bool directory = S_ISDIR(st.st_mode);
    const char* const kScratch = directory ? "/.tree" : "/.tree-file";
    // Made once per staging root (which only setup writes to), not once per bind.
    static bool made[2];
    if (!made[directory] && (directory ? ::mkdir(kScratch, 0700) < 0 && errno != EEXIST
                                       : Fd(::open(kScratch, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)).fd < 0))
        return -1;
    made[directory] = true;
    char from[PATH_MAX];
    if (owned.fd >= 0 ? !move_tree(owned.fd, AT_FDCWD, kScratch)
                      : !at_path(dirfd, path, from) ||
                            !mount_from_proc(from, kScratch, nullptr, MS_BIND | MS_REC, nullptr))
        return -1;
    Fd top(::open(kScratch, O_PATH | O_CLOEXEC));
    bool ok = top.fd >= 0;
    if (ok && kernel().mount_setattr) {  // a container's filter may refuse open_tree alone
        mount_attr attr{};
        attr.attr_set =
            MOUNT_ATTR_NOSUID | (allow_devices ? 0 : MOUNT_ATTR_NODEV) | (read_only ? MOUNT_ATTR_RDONLY : 0);
        attr.propagation = read_only ? MS_PRIVATE : 0;
        ok = ::mount_setattr(top.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0;
    } else if (ok) {
        const unsigned long flags = MS_NOSUID | (allow_devices ? 0 : MS_NODEV) | (read_only ? MS_RDONLY : 0);
        ok = remount(top.fd, flags);
        for (const char* line = g_mountinfo; ok && line < g_mountinfo + g_mountinfo_len;) {
            const char* end =
                static_cast<const char*>(std::memchr(line, '\n', g_mountinfo + g_mountinfo_len - line));
            char point[PATH_MAX];
            if (mount_point(line, point) && std::strncmp(point, source, source_len) == 0 &&
                point[source_len] == '/' && point[source_len + 1] != '\0') {
                // A submount at the same place in the clone; one hidden under
                // another resolves to the one on top, as in the sandbox.
                Fd sub(open_beneath(top.fd, point + source_len, O_PATH,
                                    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
                ok = (sub.fd < 0 && errno == ENOENT) || (sub.fd >= 0 && remount(sub.fd, flags));
            }
            line = end == nullptr ? g_mountinfo + g_mountinfo_len : end + 1;
        }
        if (ok && read_only)
            ok = ::mount(nullptr, kScratch, nullptr, MS_PRIVATE | MS_REC, nullptr) == 0;
    }
    if (ok)
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
    if (!kernel().new_mount_api)
        return restrict_at_scratch(-1, dirfd, path, read_only, allow_devices);
    Fd tree(::open_tree(dirfd, path, AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (tree.fd < 0)
        return -1;
    if (!kernel().mount_setattr)
        return restrict_at_scratch(std::exchange(tree.fd, -1), dirfd, path, read_only, allow_devices);
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
        return move_tree(tree, last.fd, name);
    last.drop();
    return errno == EEXIST && attach(tree, root, target);
}

}  // namespace cocoon::child
