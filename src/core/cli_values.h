// SPDX-License-Identifier: MIT
// One option's value, checked: ids, maps, modes, sizes, fds, variable names,
// with bwrap's messages where bwrap has one. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/id_map.h"

namespace cocoon {

// Sets (or with nullptr removes) NAME in a "K=V" environment.
void set_env(std::vector<std::string>& env, const std::string& name, const std::string* value);
// A variable name for --setenv/--unsetenv: not empty, no '='.
Result<std::string> checked_env_name(const std::string& flag, const std::string& name);

// A uid or gid: decimal, below (uid_t)-1, which means "no change" to the kernel.
Result<std::uint32_t> parse_id(const std::string& text, std::string_view what);
// --map-uid/--map-gid INSIDE OUTSIDE COUNT.
Result<MapEntry> parse_map(std::string_view flag, const std::vector<std::string>& v);
// --perms, --chmod: octal up to 07777.
Result<std::uint32_t> parse_mode(std::string_view flag, const std::string& text);
// --size: strtoull(3) with base 0, as bwrap reads it: decimal, 0x hex or 0 octal.
Result<std::uint64_t> parse_size(const std::string& text);
// N of "/proc/self/fd/N[/...]" (or thread-self).
std::optional<int> self_fd(std::string_view path);

// Checks data read from a --seccomp or --add-seccomp-fd fd (bwrap's messages).
Result<std::string> checked_seccomp_data(Result<std::string> data);

// bwrap parses fds with strtol into an int; we accept only plain decimals that fit.
Result<int> parse_fd_arg(const std::string& text);

}  // namespace cocoon
