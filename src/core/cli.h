// SPDX-License-Identifier: MIT
// argv -> Config. Errors name the flag and the value, in bwrap's words where bwrap
// has a message. [pure]
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/cli_values.h"
#include "core/config.h"
#include "core/profile.h"

namespace cocoon {

// The two things parsing needs from the outside world, injected so that this
// code stays pure: reading an --args fd to EOF (the fd is closed afterwards).
struct CliIo {
    std::function<Result<std::string>(int fd)> read_fd;
    std::function<bool(int fd)> fd_is_open;  // fd arguments are checked before any side effect
    // Warnings go out as they arise, before a later error (bwrap's order); without
    // this they are collected in Config::warnings.
    std::function<void(const std::string&)> warn;
    // bwrap refuses more than 9000 words in all; as `cocoon` the limit is far
    // higher, so that thousands of binds fit in an --args file.
    std::size_t max_args = 9000;
    // --profile: finding profiles, the host's file types, and the variables
    // cocoon adds to the caller's environment (UID, GID, CWD); ProfileHost.
    ProfileHost profiles;
};

// `args` excludes argv[0]; `env` is the caller's environment ("K=V" strings).
// With no arguments at all, or options without a COMMAND, the result is an
// error whose context is empty: main prints the usage to stderr (bwrap does).
Result<Config> parse_cli(const std::vector<std::string>& args, std::vector<std::string> env, const CliIo& io);

// The `cocoon` personality's limit on words, counting --args contents.
inline constexpr std::size_t kMaxArgsCocoon = 1 << 20;

}  // namespace cocoon
