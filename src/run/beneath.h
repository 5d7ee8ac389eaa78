// SPDX-License-Identifier: MIT
// Resolving, creating and attaching beneath the new root, for run/mount_exec.cc
// and run/mount_overlay.cc: every lookup goes through openat2(RESOLVE_IN_ROOT),
// so ".." and symlinks stop at the new root (HACKING.md, security rule 1). [child]
#pragma once
#include <linux/openat2.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>

#include "run/freeze.h"

namespace cocoon::child {

// Beneath the new root: ".." and symlinks stop there, magic links are refused.
inline constexpr unsigned kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

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

// What applying one mount op came to; build_root turns it into a Report.
// Warned: a -try rule (--protect-try, --mask-try) could not be placed; setup goes on.
enum class Outcome { Done, Skipped, Warned, SourceMissing, Failed, NotLink, Mismatch, Raced, BadDest };

// openat2(2) beneath `root` with `resolve` (RESOLVE_IN_ROOT, and
// RESOLVE_NO_MAGICLINKS), or the same walk by hand where the kernel lacks
// openat2 (set_kernel, KernelInterfaces::openat2).
int open_beneath(int root, const char* path, std::uint64_t flags, std::uint64_t resolve) noexcept;

// The plan's kernel interfaces (Plan::kernel), recorded first thing in the
// child: which fallbacks this file and run/mount_tree.cc take.
void set_kernel(const KernelInterfaces& kernel) noexcept;
const KernelInterfaces& kernel() noexcept;

// The host's procfs, opened first thing (child.cc): fallbacks reach an fd's
// file through "self/fd/N" in it.
void set_proc(int proc) noexcept;
int proc_fd() noexcept;
const char* fd_name(int fd, char (&buf)[32]) noexcept;

// Copies the directory part of absolute `path` into `dir` and returns the last
// component (inside `path`). "/a/b" -> dir "/a", "b"; "/a" -> dir "/", "a".
const char* split_path(const char* path, char (&dir)[PATH_MAX]) noexcept;

// mkdir -p beneath the new root: every missing directory of `path` (including
// `path` itself) is created with 0755, each resolved again from the root so a
// symlink planted on the way is followed as the sandbox sees it.
bool make_dirs(int root, const char* path, mode_t mode, mode_t parent_mode = 0755) noexcept;

// The parent directory of `path` beneath the root (created if missing), and the
// last component in `name`.
int open_parent(int root, const char* path, const char** name, mode_t parent_mode = 0755) noexcept;

}  // namespace cocoon::child
