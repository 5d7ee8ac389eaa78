// SPDX-License-Identifier: MIT
// Making mount trees and attaching them beneath the new root, with the new
// mount API or, on kernels without it, mount(2) (run/mount_tree.cc). [child]
#pragma once
#include <sys/types.h>

#include "run/beneath.h"

namespace cocoon::child {

// MS_REMOUNT | MS_BIND of the mount at `fd` with `flags` (mount(2), for kernels
// without mount_setattr), keeping the flags it has: a user namespace may not
// clear the ones its owner locked; atime flags are kept by the kernel when
// none is given.
bool remount(int fd, unsigned long flags) noexcept;

// Moves `tree` (from clone_tree or new_fs) onto `name` in directory `dirfd`,
// or onto `dirfd` itself when `name` is empty.
bool move_tree(int tree, int dirfd, const char* name) noexcept;

bool attach(int tree, int root, const char* target) noexcept;

// A new filesystem of `type`: `options` are key/value pairs, ended by nullptr
// or by one flag (a key with a nullptr value); `attrs` are MOUNT_ATTR_* bits.
int new_fs(const char* type, const char* const* options, unsigned attrs) noexcept;

// The same, mounted directly at `name` in `dirfd` (AT_FDCWD: an absolute name).
bool mount_new_at(const char* type, const char* const* options, unsigned attrs, int dirfd,
                  const char* name) noexcept;

int new_tmpfs(const char* mode_str, const char* size_str = nullptr, const char* context = nullptr) noexcept;

bool mount_fresh(int fs, int root, const char* target, mode_t parent_mode = 0755) noexcept;

// Clones `source` (an fd or path relative to `dirfd`) with all its submounts and
// restricts every one of them: the detached tree, to be attached.
int clone_tree(int dirfd, const char* path, bool read_only, bool allow_devices) noexcept;

bool bind_tree(int dirfd, const char* path, int root, const char* target, bool read_only,
               bool allow_devices) noexcept;

// Makes the mount point for a bind and attaches `tree` there: a directory for a
// directory, else an empty 0444 file (bwrap's choice), unless something is there
// already. One we have just created is attached by name from its parent: nothing else can reach
// the new root yet, so it is still our empty directory or file. One that was
// there already is resolved again beneath the root, where a symlink is followed
// as the sandbox sees it.
bool place(int tree, int root, const char* target, bool directory, LastDir& last) noexcept;

// --overlay, --tmp-overlay, --ro-overlay (run/mount_overlay.cc).
Outcome apply_overlay(const FrozenMount& m, int host, int root) noexcept;

}  // namespace cocoon::child
