// SPDX-License-Identifier: MIT
// --net-allow, inside the sandbox's network namespace (run/net_capture.h). [child]
//
// A "local" route for 0.0.0.0/0 on lo (ip route add local 0.0.0.0/0 dev lo)
// makes every IPv4 address this host's own: a TCP connection to any address
// lands on a socket listening on its port, whose getsockname() is the address
// the program asked for, and a DNS query to any server lands on the UDP socket
// on port 53. The sockets belong to this namespace for life, so cocoon outside
// can accept and answer on them from the host's network (SCM_RIGHTS). IPv6
// gets no route at all: it fails to connect, closed.
#include "run/net_capture.h"

#include "core/net_policy.h"
#include "run/fd_passing.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cocoon::child {
namespace {

constexpr int kLoopbackIndex = 1;  // lo is the first interface of every namespace

// RTM_NEWROUTE: a local route for 0.0.0.0/0 through lo, and the kernel's answer.
bool add_local_route() noexcept {
    const int sock = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (sock < 0)
        return false;
    struct {
        nlmsghdr header;
        rtmsg route;
        rtattr oif_attr;
        int oif;
    } request{};
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = RTM_NEWROUTE;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    request.header.nlmsg_seq = 1;
    request.route.rtm_family = AF_INET;
    request.route.rtm_dst_len = 0;
    request.route.rtm_table = RT_TABLE_MAIN;
    request.route.rtm_protocol = RTPROT_BOOT;
    request.route.rtm_scope = RT_SCOPE_HOST;
    request.route.rtm_type = RTN_LOCAL;
    request.oif_attr.rta_len = RTA_LENGTH(sizeof(int));
    request.oif_attr.rta_type = RTA_OIF;
    request.oif = kLoopbackIndex;
    bool ok = ::send(sock, &request, sizeof request, 0) == static_cast<ssize_t>(sizeof request);
    if (ok) {
        struct {
            nlmsghdr header;
            nlmsgerr error;
        } answer{};
        const ssize_t n = ::recv(sock, &answer, sizeof answer, 0);
        ok = n >= static_cast<ssize_t>(sizeof answer) && answer.header.nlmsg_type == NLMSG_ERROR &&
             answer.error.error == 0;
        if (!ok)
            errno = n >= static_cast<ssize_t>(sizeof answer) ? -answer.error.error : EPROTO;
    }
    const int saved = errno;
    ::close(sock);
    errno = saved;
    return ok;
}

int listener(int type, std::uint16_t port, std::uint32_t host = INADDR_ANY) noexcept {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(host);
    // DNS answers go out from the address each query went to (IP_PKTINFO).
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (type == SOCK_DGRAM && ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0 ||
        (type == SOCK_STREAM && ::listen(fd, SOMAXCONN) < 0)) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

}  // namespace

bool capture_network(const Frozen& plan) noexcept {
    if (!add_local_route())
        return false;
    // The DNS socket first, then one listener per port in the plan's order.
    static_assert(3 + kMaxNetPorts <= kMaxPassedFds);
    int fds[3 + kMaxNetPorts];
    int n = 0;
    bool ok = (fds[n] = listener(SOCK_DGRAM, 53)) >= 0;
    if (ok)
        ++n;
    for (std::int32_t i = 0; ok && i < plan.n_net_ports; ++i) {
        ok = (fds[n] = listener(SOCK_STREAM, plan.net_ports[i])) >= 0;
        if (ok)
            ++n;
    }
    if (ok && plan.net_proxy) {  // the CONNECT proxy, on 127.0.0.1 only
        ok = (fds[n] = listener(SOCK_STREAM, kProxyPort, INADDR_LOOPBACK)) >= 0;
        if (ok)
            ++n;
    }
    if (ok && plan.net_dns_tcp) {  // DNS over TCP, for answers too large for UDP
        ok = (fds[n] = listener(SOCK_STREAM, 53)) >= 0;
        if (ok)
            ++n;
    }
    for (std::int32_t i = 0; ok && i < plan.n_net_udp_ports; ++i) {  // last: the UDP rules' ports
        ok = (fds[n] = listener(SOCK_DGRAM, plan.net_udp_ports[i])) >= 0;
        if (ok)
            ++n;
    }
    if (ok)
        ok = send_fds(plan.net_fd, fds, n, 'n');
    const int saved = errno;
    for (int i = 0; i < n; ++i) ::close(fds[i]);
    ::close(plan.net_fd);
    errno = saved;
    return ok;
}

}  // namespace cocoon::child
