// SPDX-License-Identifier: MIT
// Overlay mounts, their directories given to the kernel as fds. [child]
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "run/mount_tree.h"

namespace cocoon::child {
namespace {

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

// Lower layers, top first as the kernel wants them, as one "lowerdir" list of
// `path` of each fd, which need no escaping.
template <typename PathOf>
const char* lower_list(const int* layers, std::int32_t n, PathOf path_of) noexcept {
    static char joined[kMaxLayers * 48];  // child memory: our own copy after clone
    std::size_t used = 0;
    for (std::int32_t i = n - 1; i >= 0; --i) {
        char path[48];
        path_of(layers[i], path);
        if (i != n - 1)
            joined[used++] = ':';
        const std::size_t len = std::strlen(path);
        std::memcpy(joined + used, path, len);
        used += len;
    }
    joined[used] = '\0';
    return joined;
}

// One "lowerdir+" each (Linux 6.8), else one "lowerdir" list of fd paths.
bool add_layers(int fs, const int* layers, std::int32_t n) noexcept {
    bool each = true;
    for (std::int32_t i = n - 1; i >= 0 && each; --i)
        if (!set_dir(fs, "lowerdir+", layers[i])) {
            if (errno != EINVAL || i != n - 1)
                return false;
            each = false;
        }
    return each || ::fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower_list(layers, n, fd_path), 0) == 0;
}

// "self/fd/N", relative to the host's procfs.
void proc_fd_path(int fd, char (&out)[48]) noexcept {
    char name[32];
    const char* path = fd_name(fd, name);
    std::memcpy(out, path, std::strlen(path) + 1);
}

// Without the new mount API: mount(2)'s options (one page at most) name the
// directories as "self/fd/N" relative to the host's procfs, where
// run/mount_tree.cc mounts from; overlayfs follows them as it follows any path.
int legacy_overlay(const int* layers, std::int32_t n, int upper, int work, unsigned attrs) noexcept {
    char upper_name[32];
    char work_name[32];
    const char* options[9];
    int k = 0;
    options[k++] = "lowerdir";
    options[k++] = lower_list(layers, n, proc_fd_path);
    if (upper >= 0) {
        options[k++] = "upperdir";
        options[k++] = fd_name(upper, upper_name);
        options[k++] = "workdir";
        options[k++] = fd_name(work, work_name);
    }
    options[k++] = "userxattr";
    options[k++] = nullptr;
    options[k] = nullptr;
    return new_fs("overlay", options, attrs);
}

}  // namespace

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
    bool tmp_mounted = false;
    int upper = -1;
    int work = -1;
    if (m.tmp_upper) {
        const char* mode[] = {"mode", "0755", nullptr, nullptr};
        if (::mkdir(kTmp, 0700) < 0 ||
            !mount_new_at("tmpfs", mode, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, AT_FDCWD, kTmp))
            return Outcome::Failed;
        tmp_mounted = true;
        if (::mkdir("/overlay-upper/upper", 0755) == 0 && ::mkdir("/overlay-upper/work", 0755) == 0) {
            upper = dirs.open(AT_FDCWD, "/overlay-upper/upper", 0);
            work = dirs.open(AT_FDCWD, "/overlay-upper/work", 0);
        }
    } else if (m.source[0] != '\0') {
        upper = dirs.open(host, m.source, RESOLVE_IN_ROOT);
        work = upper < 0 ? -1 : dirs.open(host, m.work, RESOLVE_IN_ROOT);
    }
    const bool writable = m.tmp_upper || m.source[0] != '\0';
    const unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY);
    bool ok = !writable || (upper >= 0 && work >= 0);
    if (ok && !kernel().new_mount_api) {
        ok = mount_fresh(legacy_overlay(dirs.fds, m.n_layers, upper, work, attrs), root, m.target,
                         m.parent_mode);
    } else if (ok) {
        Fd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
        ok = fs.fd >= 0 && ::fsconfig(fs.fd, FSCONFIG_SET_STRING, "source", "overlay", 0) == 0 &&
             add_layers(fs.fd, dirs.fds, m.n_layers) &&
             (!writable || (set_dir(fs.fd, "upperdir", upper) && set_dir(fs.fd, "workdir", work))) &&
             ::fsconfig(fs.fd, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) == 0 &&
             ::fsconfig(fs.fd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0 &&
             mount_fresh(::fsmount(fs.fd, FSMOUNT_CLOEXEC, attrs), root, m.target, m.parent_mode);
    }
    const int saved = errno;
    if (tmp_mounted) {
        ::umount2(kTmp, MNT_DETACH);
        ::rmdir(kTmp);
    }
    errno = saved;
    return ok ? Outcome::Done : Outcome::Failed;
}

}  // namespace cocoon::child
