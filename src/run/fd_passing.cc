// SPDX-License-Identifier: MIT
#include "run/fd_passing.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace cocoon {

bool send_message(int sock, const void* data, std::size_t size, const int* fds, int n) noexcept {
    if (n < 0 || n > kMaxPassedFds) {
        errno = EINVAL;
        return false;
    }
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)] = {};
    iovec iov{const_cast<void*>(data), size};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    if (n > 0) {
        const std::size_t bytes = sizeof(int) * static_cast<std::size_t>(n);
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(bytes);
        cmsghdr* c = CMSG_FIRSTHDR(&message);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(bytes);
        std::memcpy(CMSG_DATA(c), fds, bytes);
    }
    ssize_t sent;
    do {
        sent = ::sendmsg(sock, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent == static_cast<ssize_t>(size);
}

ssize_t receive_message(int sock, void* data, std::size_t size, int* fds, int max, int& n_fds) noexcept {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)] = {};
    iovec iov{data, size};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t got;
    do {
        got = ::recvmsg(sock, &message, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    n_fds = 0;
    for (cmsghdr* c = got >= 0 ? CMSG_FIRSTHDR(&message) : nullptr; c != nullptr;
         c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (n_fds < max)
                fds[n_fds++] = fd;
            else
                ::close(fd);  // more than asked for: not ours to keep
        }
    }
    return got;
}

bool send_fds(int sock, const int* fds, int n, char byte) noexcept {
    return send_message(sock, &byte, 1, fds, n);
}

int receive_fds(int sock, int* fds, int max, char* byte) noexcept {
    int n = 0;
    return receive_message(sock, byte, 1, fds, max, n) == 1 ? n : -1;
}

}  // namespace cocoon
