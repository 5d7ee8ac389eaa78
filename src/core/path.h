// SPDX-License-Identifier: MIT
// Sandbox path normalisation. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace cocoon {

// A destination inside the sandbox, as bwrap takes it: relative to the new
// root whether or not it starts with "/"; "//" and "/./" collapsed, no trailing
// slash ("/" stays "/"), ".." kept for the sandbox to resolve physically (after
// symlinks) beneath the new root, where it cannot climb out (HACKING.md,
// security rule 1); leading ".." dropped, since at the root it is the root.
// An empty destination is a usage error naming `flag`: bwrap would mount over
// the whole root (HACKING.md, security rule 6).
Result<std::string> normalise_dest(std::string_view flag, std::string_view dest);

// Whether a normalised destination has a ".." component: where it lands is
// known only once the sandbox resolves it (maybe the root itself).
bool has_dotdot(std::string_view path);

// Every path cocoon handles fits the kernel's PATH_MAX with its NUL.
inline constexpr std::size_t kPathMax = 4096;

// A source on the host, as the caller names it: relative paths are taken from
// the caller's working directory (an error if it is gone: deleted or
// unreachable), and so is /proc/self/cwd; /proc/self/root is the caller's
// root. The rest of /proc/self is looked up by the sandbox's first process,
// which holds the caller's fds (/proc/self/fd/N) and is in the sandbox's
// namespaces (/proc/self/ns/user names the sandbox's own, as with bwrap).
Result<std::string> host_path(const std::optional<std::string>& cwd, std::string_view flag,
                              std::string_view path);

}  // namespace cocoon
