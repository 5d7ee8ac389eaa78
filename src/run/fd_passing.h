// SPDX-License-Identifier: MIT
// Handing fds from the sandbox's processes to cocoon outside over a unix
// socket (SCM_RIGHTS, unix(7)): --net-allow's listeners, --report-fd's
// seccomp listener. One message each: a byte and the fds. [child-safe]
#pragma once
#include <sys/types.h>

#include <cstddef>

namespace cocoon {

inline constexpr int kMaxPassedFds = 67;  // DNS, 64 ports (kMaxNetPorts), the proxy, DNS over TCP

// Sends `byte` with fds[0..n) (n <= kMaxPassedFds); false with errno set.
bool send_fds(int sock, const int* fds, int n, char byte) noexcept;

// Receives one message: its byte into `byte`, its fds (close-on-exec) into
// fds[0..max); the number of fds, or -1 at EOF or an error.
int receive_fds(int sock, int* fds, int max, char* byte) noexcept;

// The same for a message of `size` bytes (the placeholders' notes): true if
// all of it went.
bool send_message(int sock, const void* data, std::size_t size, const int* fds, int n) noexcept;
// Receives one message into data[0..size) and its fds into fds[0..max)
// (`n_fds` of them; more are closed): its size, 0 at EOF, -1 on an error.
ssize_t receive_message(int sock, void* data, std::size_t size, int* fds, int max, int& n_fds) noexcept;

}  // namespace cocoon
