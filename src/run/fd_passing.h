// SPDX-License-Identifier: MIT
// Handing fds from the sandbox's processes to cocoon outside over a unix
// socket (SCM_RIGHTS, unix(7)): --net-allow's listeners, --report-fd's
// seccomp listener. One message each: a byte and the fds. [child-safe]
#pragma once

namespace cocoon {

inline constexpr int kMaxPassedFds = 67;  // DNS, 64 ports (kMaxNetPorts), the proxy, DNS over TCP

// Sends `byte` with fds[0..n) (n <= kMaxPassedFds); false with errno set.
bool send_fds(int sock, const int* fds, int n, char byte) noexcept;

// Receives one message: its byte into `byte`, its fds (close-on-exec) into
// fds[0..max); the number of fds, or -1 at EOF or an error.
int receive_fds(int sock, int* fds, int max, char* byte) noexcept;

}  // namespace cocoon
