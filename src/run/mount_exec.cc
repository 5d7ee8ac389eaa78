// SPDX-License-Identifier: MIT
// Building the new root, one op after another (run/mount_tree.cc makes and
// attaches the trees). [child]
//
// Layout while building (all inside our own mount namespace):
//   /          a staging tmpfs (first pivot_root), never visible to the command
//   /oldroot   the host's root: sources are resolved here, in the caller's view
//   /newroot   the sandbox's root tmpfs: destinations are resolved here with
//              openat2(RESOLVE_IN_ROOT), so ".." and symlinks stop at the new root
//              and setup can never write into the host's tree (HACKING.md, security rule 1)
// Each op costs a fixed number of syscalls whatever came before: open_tree clones
// the source, mount_setattr(AT_RECURSIVE) makes every submount read-only at once,
// move_mount attaches it onto an O_PATH fd. Nothing re-reads /proc/self/mountinfo
// (older kernels read it once: HACKING.md, "Older kernels").
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

#include "run/mount_tree.h"
#include "run/placeholders.h"

namespace cocoon::child {
namespace {

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

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  // Linux 6.6, the same number on every architecture
#endif

// W_OK for the caller's real ids, on an O_PATH fd: faccessat2 (5.8), or
// faccessat through procfs's link to the fd.
bool writable(int fd) noexcept {
    if (::syscall(SYS_faccessat2, fd, "", W_OK, AT_EMPTY_PATH) == 0)
        return true;
    if (errno != ENOSYS && errno != EPERM)
        return false;
    char name[32];
    return ::faccessat(proc_fd(), fd_name(fd, name), W_OK, 0) == 0;
}

Outcome apply_chmod(const FrozenMount& m, int root) noexcept {
    Fd target(open_beneath(root, m.target, O_PATH, kInRoot));
    if (target.fd < 0)
        return Outcome::Failed;
    if (::syscall(SYS_fchmodat2, target.fd, "", m.mode, AT_EMPTY_PATH) == 0)
        return Outcome::Done;
    if (errno != ENOSYS && errno != EPERM)  // before 6.6, or a filter that predates it
        return Outcome::Failed;
    char name[32];  // the same file, through procfs's link to the fd
    return ::fchmodat(proc_fd(), fd_name(target.fd, name), m.mode, 0) == 0 ? Outcome::Done : Outcome::Failed;
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

// --protect/--mask: the path as a write would resolve it in the sandbox, from
// the mount it lies in (m.source, planned): directory by directory with no
// symlink among them (they are pinned already, and a symlink there would lead
// the rule somewhere else than the path named); a symlink as the last part is
// followed beneath the root and must end inside that mount. An O_PATH fd, or
// -1 with errno (ELOOP, EXDEV, ENOENT, ENOTDIR). `dir` is where the walk of
// `at` starts; the directory the last part lies in is kept in `parent` for the
// next rule (`keep`), and a symlink followed drops what is kept (it may have
// led above it).
int walk_rule(const FrozenMount& m, int root, Fd& dir, const char* at, LastDir& parent, bool keep) noexcept {
    const std::size_t base = std::strlen(m.source);
    for (;;) {
        const char* end = std::strchr(at, '/');
        char name[NAME_MAX + 1];
        const std::size_t len = end != nullptr ? static_cast<std::size_t>(end - at) : std::strlen(at);
        if (len == 0 || len > NAME_MAX) {
            errno = len == 0 ? ENOENT : ENAMETOOLONG;
            return -1;
        }
        std::memcpy(name, at, len);
        name[len] = '\0';
        Fd next(::openat(dir.fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
        struct stat st {};
        if (next.fd < 0 || ::fstat(next.fd, &st) < 0)
            return -1;
        if (S_ISLNK(st.st_mode)) {
            if (end != nullptr) {
                errno = ELOOP;
                return -1;
            }
            parent.drop();
            Fd followed(open_beneath(root, m.target, O_PATH, kInRoot));
            if (followed.fd < 0)
                return -1;
            // Where it ended, as procfs names it from our root (the staging
            // tmpfs): "/newroot" and the sandbox's path.
            char link[32], where[PATH_MAX];
            const ssize_t n = ::readlinkat(proc_fd(), fd_name(followed.fd, link), where, sizeof where - 1);
            if (n < 0)
                return -1;
            where[n] = '\0';
            constexpr std::size_t kPrefix = sizeof "/newroot" - 1;
            const bool inside =
                std::strncmp(where, "/newroot", kPrefix) == 0 &&
                (base == 1 || (std::strncmp(where + kPrefix, m.source, base) == 0 &&
                               (where[kPrefix + base] == '/' || where[kPrefix + base] == '\0')));
            if (!inside) {
                errno = EXDEV;
                return -1;
            }
            return std::exchange(followed.fd, -1);
        }
        if (end == nullptr) {
            const std::size_t dir_len = static_cast<std::size_t>(std::strrchr(m.target, '/') - m.target);
            if (keep && dir_len < sizeof parent.path) {
                parent.drop();
                std::memcpy(parent.path, m.target, dir_len);
                parent.path[dir_len] = '\0';
                parent.fd = std::exchange(dir.fd, -1);
            }
            return std::exchange(next.fd, -1);
        }
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        std::swap(dir.fd, next.fd);
        at = end + 1;
    }
}

int open_rule_target(const FrozenMount& m, int root, LastDir& parent) noexcept {
    const std::size_t base = std::strlen(m.source);
    const char* rest = m.target + (base == 1 ? 1 : base + (m.target[base] == '/' ? 1 : 0));
    if (*rest == '\0')  // the mount itself
        return open_beneath(root, m.source, O_PATH | O_DIRECTORY, kInRoot);
    // Rules in one directory walk to it once (build_root drops what is kept
    // whenever a mount lands on that directory or above it).
    const char* last = std::strrchr(m.target, '/');
    const std::size_t dir_len = static_cast<std::size_t>(last - m.target);
    if (parent.fd >= 0 && std::strlen(parent.path) == dir_len &&
        std::strncmp(parent.path, m.target, dir_len) == 0) {
        Fd dir(::dup(parent.fd));
        if (dir.fd >= 0)
            return walk_rule(m, root, dir, last + 1, parent, false);
    }
    Fd dir(open_beneath(root, m.source, O_PATH | O_DIRECTORY, kInRoot));
    if (dir.fd < 0)
        return -1;
    return walk_rule(m, root, dir, rest, parent, true);
}

// Whether a mount at `at` lands on `path` or above it.
bool lands_above(const char* at, const char* path) noexcept {
    const std::size_t n = std::strlen(at);
    return (n == 1 && at[0] == '/') ||
           (std::strncmp(at, path, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

// An empty, unreadable file or directory over `target` (--mask): mode 0000,
// read-only so that its owner cannot chmod it back. Without capabilities over
// it, opening or listing it is EACCES; a socket under it cannot be connected to.
bool mask(int target) noexcept {
    struct stat st {};
    if (::fstat(target, &st) < 0)
        return false;
    constexpr unsigned kAttrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY;
    if (S_ISDIR(st.st_mode)) {
        const char* options[] = {"mode", "0000", nullptr, nullptr};
        Fd fs(new_fs("tmpfs", options, kAttrs));
        return fs.fd >= 0 && move_tree(fs.fd, target, "");
    }
    // One file on the staging tmpfs, which the command never reaches, serves every mask.
    constexpr const char* kName = "/mask-file";
    Fd made(::open(kName, O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0));
    if (made.fd < 0)
        return false;
    Fd tree(clone_tree(made.fd, "", true, false));
    return tree.fd >= 0 && move_tree(tree.fd, target, "");
}

Outcome apply_rule(const FrozenMount& m, int root, LastDir& parent, PlaceholderState& placeholders) noexcept {
    Fd target(open_rule_target(m, root, parent));
    if (!m.allow_missing && placeholders.sock >= 0) {
        // A strict rule holds whether or not its path is there (Plan::placeholders).
        if (target.fd < 0)
            parent.drop();
        target.fd = placeholder_target(m, root, std::exchange(target.fd, -1), placeholders);
        if (target.fd < 0 && (errno == EROFS || errno == EACCES))
            return Outcome::Done;  // what cannot be made here needs no protection
    }
    if (target.fd < 0)
        return m.allow_missing ? Outcome::Warned : Outcome::Failed;
    bool ok;
    if (m.kind == MountKind::Mask) {
        ok = mask(target.fd);
    } else {
        Fd tree(clone_tree(target.fd, "", true, true));
        ok = tree.fd >= 0 && move_tree(tree.fd, target.fd, "");
    }
    if (ok)
        return Outcome::Done;
    return m.allow_missing ? Outcome::Warned : Outcome::Failed;
}

// A directory between a rule's mount and its path, bound onto itself: a mount
// point cannot be renamed or removed (EBUSY), so `mv .git x && mkdir .git`
// cannot move a protected path aside. Not there, or a symlink: the rule says so.
Outcome apply_pin(const FrozenMount& m, int root) noexcept {
    Fd dir(open_beneath(root, m.target, O_PATH | O_DIRECTORY | O_NOFOLLOW, kInRoot));
    if (dir.fd < 0)
        return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? Outcome::Skipped : Outcome::Failed;
    Fd tree(clone_tree(dir.fd, "", false, true));
    return tree.fd >= 0 && move_tree(tree.fd, dir.fd, "") ? Outcome::Done : Outcome::Failed;
}

Outcome apply(const Frozen& plan, const FrozenMount& m, int host, int root, LastDir& last, LastDir& rule_dir,
              PlaceholderState& placeholders) noexcept {
    const char* file_label = plan.file_label;
    if (m.kind != MountKind::Bind && m.kind != MountKind::BindData && m.kind != MountKind::BindFd)
        last.drop();
    switch (m.kind) {
        case MountKind::Bind:
            return apply_bind(m, host, root, last);
        case MountKind::RemountRo: {
            Fd dest(open_beneath(root, m.target, O_PATH, kInRoot));
            mount_attr attr{};
            attr.attr_set = MOUNT_ATTR_RDONLY;
            if (dest.fd >= 0 && ::mount_setattr(dest.fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
                return Outcome::Done;
            return dest.fd >= 0 && errno == ENOSYS && remount(dest.fd, MS_RDONLY) ? Outcome::Done
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
            if (!writable(dest.fd))
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
        case MountKind::Pin:
            return apply_pin(m, root);
        case MountKind::Protect:
        case MountKind::Mask:
            return apply_rule(m, root, rule_dir, placeholders);
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
    const char* mode[] = {"mode", "0755", nullptr, nullptr};
    constexpr unsigned kAttrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    const char* staged = nullptr;
    for (const char* where : {"/tmp", "/proc", "/dev", "/run", "/mnt"}) {
        if (mount_new_at("tmpfs", mode, kAttrs, AT_FDCWD, where)) {
            staged = where;
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR)
            break;
    }
    if (staged == nullptr)
        return fill(report, Step::MountNamespace);
    Fd base(::open(staged, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (base.fd < 0 || ::mkdirat(base.fd, "oldroot", 0755) < 0 || ::mkdirat(base.fd, "newroot", 0755) < 0)
        return fill(report, Step::MountNamespace);
    if (!mount_new_at("tmpfs", mode, kAttrs, base.fd, "newroot"))
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
    LastDir last, rule_dir;  // rule_dir: the directory the last --protect/--mask path lies in
    PlaceholderState placeholders{.sock = plan.placeholder_fd};
    for (std::int32_t i = 0; i < plan.n_mounts; ++i) {
        const FrozenMount& m = plan.mounts[i];
        if (rule_dir.fd >= 0 && (m.kind != MountKind::Protect && m.kind != MountKind::Mask
                                     ? true
                                     : lands_above(m.target, rule_dir.path)))
            rule_dir.drop();
        switch (apply(plan, m, host.fd, root.fd, last, rule_dir, placeholders)) {
            case Outcome::Done:
            case Outcome::Skipped:
                break;
            case Outcome::Warned: {
                if (errno == ENOENT && !plan.report_missing_rules)
                    break;  // the launcher would say nothing of it
                Report warning;
                fill(warning, Step::RuleSkipped, i);
                while (::write(plan.status_fd, &warning, sizeof warning) < 0 && errno == EINTR) {
                }
                break;
            }
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
