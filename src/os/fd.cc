// SPDX-License-Identifier: MIT
// fd-creating wrappers and EINTR-safe I/O. [parent]
#include "os/fd.h"

#include <fcntl.h>
#include <unistd.h>

namespace cocoon {

Result<FdPair> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return fail(Error::from_errno("cannot create a pipe"));
    return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<std::string> read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(Error::from_errno("cannot read"));
        if (n == 0)
            return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

Status write_all(int fd, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(Error::from_errno("cannot write"));
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

bool fd_is_open(int fd) {
    return ::fcntl(fd, F_GETFD) >= 0;
}

}  // namespace cocoon
