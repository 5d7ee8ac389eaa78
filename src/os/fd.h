// SPDX-License-Identifier: MIT
// fd-creating wrappers (all O_CLOEXEC: callers cannot forget it because they cannot
// pass it) and EINTR-safe whole reads and writes. [parent]
#pragma once
#include <signal.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "os/unique_fd.h"

namespace cocoon {

struct FdPair {
    UniqueFd read;
    UniqueFd write;
};

Result<FdPair> make_pipe();
// A connected pair of AF_UNIX SOCK_SEQPACKET sockets (CLOEXEC), for passing fds.
Result<FdPair> make_socket_pair();

// Reads `fd` to EOF. Does not close it.
Result<std::string> read_all(int fd);

// Writes all of `data`, retrying on EINTR and short writes.
Status write_all(int fd, const void* data, std::size_t size);

bool fd_is_open(int fd);

// A signalfd for `signals` (which the caller keeps blocked).
Result<UniqueFd> make_signalfd(const sigset_t& signals);

// A CLOCK_MONOTONIC timerfd, and (re)arming it to expire once in `ns`.
Result<UniqueFd> make_timer();
// A non-blocking eventfd(2), counting from 0.
Result<UniqueFd> make_eventfd();
void arm_timer(int timer, std::uint64_t ns);

// A pidfd of process `ppid`, checked to still be our parent once open (it may
// have died since we learnt its pid): ESRCH if it is gone.
Result<UniqueFd> open_parent_pidfd(pid_t ppid);

// Reads a whole file; pipes are fine (`<(generate)`), a directory fails in read(2).
Result<std::string> read_file(const std::string& path);

// Creates or truncates `path` (mode 0644) and writes `data` to it.
Status write_file(const std::string& path, std::string_view data);

// mkdir -p `path` (absolute) as the caller: the last directory with mode
// 0700, missing parents with 0755 (less the umask). Returns the directories
// it made, outermost first, for remove_made_dirs to take back.
Result<std::vector<std::string>> make_host_dirs(const std::string& path);

// rmdir of each, innermost first; a directory that is no longer empty stays.
void remove_made_dirs(const std::vector<std::string>& made);

}  // namespace cocoon
