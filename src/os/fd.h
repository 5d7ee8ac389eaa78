// SPDX-License-Identifier: MIT
// fd-creating wrappers (all O_CLOEXEC: callers cannot forget it because they cannot
// pass it) and EINTR-safe whole reads and writes. [parent]
#pragma once
#include <string>

#include "base/result.h"
#include "os/unique_fd.h"

namespace cocoon {

struct FdPair {
    UniqueFd read;
    UniqueFd write;
};

Result<FdPair> make_pipe();

// Reads `fd` to EOF. Does not close it.
Result<std::string> read_all(int fd);

// Writes all of `data`, retrying on EINTR and short writes.
Status write_all(int fd, const void* data, std::size_t size);

bool fd_is_open(int fd);

}  // namespace cocoon
