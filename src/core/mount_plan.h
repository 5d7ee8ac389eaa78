// SPDX-License-Identifier: MIT
// The sandbox's filesystem described as data: an ordered list of primitive mount
// operations, executed by run/mount_exec.cc in exactly this order. [pure]
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/config.h"

namespace cocoon {

enum class MountKind : std::uint8_t {
    Bind,       // recursive bind of a host path (resolved in the caller's view)
    RemountRo,  // make the mount at target read-only, not recursively
    Tmpfs,      // fresh tmpfs, nosuid,nodev
    Procfs,     // fresh procfs of the sandbox's pid namespace, nosuid,nodev,noexec
    Devpts,     // fresh devpts instance (newinstance, ptmxmode=0666, mode=620)
    ProtectRo,  // bind target onto itself read-only, skipped if missing (/proc/sys...)
    Dir,        // mkdir -p
    Symlink,    // symlink target -> source; an identical existing link is fine
    Chmod,      // chmod target to mode
    File,       // a new file with mode, filled from fd
    BindData,   // a hidden file with mode, filled from fd, bound on target (read_only)
    BindFd,     // bind exactly what fd refers to (read_only)
    Mqueue,     // fresh mqueue filesystem
    Overlay,    // overlayfs of `layers`; upper: `source` + `work`, a hidden tmpfs (tmp_upper), or none
                // (read_only)
    Pin,        // bind target onto itself: a mount point cannot be renamed or removed (--protect)
    Protect,    // bind target onto itself read-only; `source`: the mount it lies in (--protect)
    Mask,       // an unreadable empty file or directory on target; `source` as Protect (--mask)
};

struct MountOp {
    MountKind kind = MountKind::Tmpfs;
    std::string source;      // host path for Bind, link text for Symlink
    std::string target;      // absolute, normalised, inside the sandbox; empty with dest_error
    std::string dest_error;  // a -try bind's unusable destination, an error only if the source exists
    bool read_only = false;
    bool allow_devices = false;
    bool allow_missing = false;
    bool create_source = false;        // Bind: the launcher makes the source directory first
    std::uint32_t mode = 0755;         // Dir, Tmpfs, File, BindData, Chmod
    std::uint32_t parent_mode = 0755;  // for missing parents of target
    std::uint64_t size = 0;            // Tmpfs: bytes, 0 for the kernel's default
    int fd = -1;                       // File, BindData, BindFd
    std::vector<std::string> layers;   // Overlay: absolute host paths, bottom first
    std::string work;                  // Overlay: absolute host path of the work directory
    bool tmp_upper = false;            // Overlay: writes go to a hidden tmpfs
    std::size_t request = 0;           // index into Config::fs: which option this op serves
    bool socket = false;               // Mask: a privileged socket a bind made visible
    bool placeholder_dir = false;      // Protect, Mask: DEST ended in '/': a missing one is made a directory
    friend bool operator==(const MountOp&, const MountOp&) = default;
};

struct MountPlan {
    std::vector<MountOp> ops;
    bool needs_devpts = false;  // a --dev is present: decides the uid map dance in plan.cc
};

struct MountContext {
    bool new_pid_ns = false;               // --proc mounts a fresh procfs only with a pid namespace
    std::optional<std::string> cwd = "/";  // relative sources are relative to the caller's cwd; none if gone
    std::optional<std::string> stdout_tty;
    // Privileged sockets on the host (HostFacts::privileged_sockets): each one
    // a bind of a directory above it makes visible is masked, unless named
    // here (--allow-socket, a host or sandbox path) or bound by itself.
    std::vector<std::string> sockets;
    std::vector<std::string> allowed_sockets;
};

// --protect and --mask apply to the finished tree, after every other op,
// whatever their place on the command line: Pin ops for the directories
// between the mount each lies in and its DEST (shared between rules), then
// the Protect and Mask ops grouped by the directory they lie in.
Result<MountPlan> plan_mounts(const std::vector<FsRequest>& requests, const MountContext& ctx);

// One line per op, as --dry-run, error messages and golden tests show it:
// "bind-ro /usr -> /usr", "tmpfs /tmp", "symlink /bin -> usr/bin".
std::string describe(const MountOp& op);

}  // namespace cocoon
