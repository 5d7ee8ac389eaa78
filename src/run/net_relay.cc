// SPDX-License-Identifier: MIT
// --net-allow, outside (run/net_relay.h). One poll loop, cocoon's: every
// socket is non-blocking, each direction of a connection has a buffer of its
// own, and a side is read only while its buffer has room, so a slow reader
// slows its writer down (back-pressure) and no byte is dropped. An end of
// stream is passed on as a half-close once its buffer is written, a reset as
// a reset.
#include "run/net_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "base/strings.h"
#include "core/net_sniff.h"
#include "os/fd.h"
#include "run/fd_passing.h"

namespace cocoon {
namespace {

// Each direction's buffer is a pipe: splice(2) moves the bytes from socket to
// pipe to socket inside the kernel, and they are never in our memory.
constexpr int kPipeSize = 256 * 1024;
constexpr std::size_t kRequestMax = 8192;  // a CONNECT request and its headers

IpAddress from_sockaddr(const sockaddr_storage& s, std::uint16_t* port) {
    IpAddress ip;
    if (s.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(s);
        ip.v6 = true;
        std::memcpy(ip.bytes.data(), &a.sin6_addr, 16);
        *port = ntohs(a.sin6_port);
    } else {
        const auto& a = reinterpret_cast<const sockaddr_in&>(s);
        std::memcpy(ip.bytes.data(), &a.sin_addr, 4);
        *port = ntohs(a.sin_port);
    }
    return ip;
}

socklen_t to_sockaddr(const IpAddress& ip, std::uint16_t port, sockaddr_storage& s) {
    std::memset(&s, 0, sizeof s);
    if (ip.v6) {
        auto& a = reinterpret_cast<sockaddr_in6&>(s);
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        std::memcpy(&a.sin6_addr, ip.bytes.data(), 16);
        return sizeof a;
    }
    auto& a = reinterpret_cast<sockaddr_in&>(s);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    std::memcpy(&a.sin_addr, ip.bytes.data(), 4);
    return sizeof a;
}

// HOST as the host connects to it: an address as written, else the host's
// resolver's first answer (the poll loop waits meanwhile).
std::optional<IpAddress> resolve(const std::string& host) {
    if (const std::optional<IpAddress> literal = parse_ip(host))
        return literal;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
        return std::nullopt;
    sockaddr_storage s{};
    std::memcpy(&s, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    std::uint16_t ignored = 0;
    return from_sockaddr(s, &ignored);
}

// Closes with a reset (RST) rather than an orderly end.
void reset(int fd) {
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

std::string type_name(std::uint16_t type) {
    return type == kDnsTypeA ? "A" : type == kDnsTypeAaaa ? "AAAA" : std::to_string(type);
}

// One datagram by recvmsg(2), with the address it was sent to (IP_PKTINFO,
// ip(7)) in `to`; `from_len` is in: the size of `from`, out: the sender's.
template <typename Address>
ssize_t receive_datagram(int fd, char* buf, std::size_t size, Address& from, socklen_t& from_len,
                         in_pktinfo& to, int flags) {
    iovec iov{buf, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr m{};
    m.msg_name = &from;
    m.msg_namelen = from_len;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &m, flags);
    if (n < 0)
        return n;
    from_len = m.msg_namelen;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            std::memcpy(&to, CMSG_DATA(c), sizeof to);
    return n;
}

}  // namespace

// One direction of a connection: a pipe holding what was read and is not
// written yet.
struct Half {
    UniqueFd read_end, write_end;
    std::size_t held = 0;  // bytes in the pipe
    std::size_t size = 65536;
    bool eof = false;  // the reader side ended: shut the writer once empty
    bool shut = false;
    bool open() {
        int fds[2];
        if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
            return false;
        read_end = UniqueFd(fds[0]);
        write_end = UniqueFd(fds[1]);
        const int got = ::fcntl(fds[1], F_SETPIPE_SZ, kPipeSize);  // the default if refused
        if (got > 0)
            size = static_cast<std::size_t>(got);
        return true;
    }
    bool empty() const { return held == 0; }
    bool room() const { return !eof && held < size; }
    // Bytes of ours, put in front of what comes (a proxy's answer, early data).
    bool put(std::string_view bytes) {
        const ssize_t n = ::write(write_end.get(), bytes.data(), bytes.size());
        if (n != static_cast<ssize_t>(bytes.size()))
            return false;
        held += bytes.size();
        return true;
    }
};

struct NetRelay::Conn {
    UniqueFd inside;   // accepted from the sandbox
    UniqueFd outside;  // to the destination, -1 until connected
    bool connecting = false;
    bool proxy = false;     // a CONNECT request comes first (into `request`)
    bool upstream = false;  // --net-upstream: its answer to our CONNECT comes first
    std::string request;    // the CONNECT request read, or the upstream's answer
    std::string target;     // HOST:PORT for the upstream
    Half up;                // inside -> outside
    Half down;              // outside -> inside
    std::string name;       // the name or address the sandbox asked for, for reports
    std::string port;
    // A connection to a name: its first bytes are held until they are known
    // not to ask the server for another name (core/net_sniff.h).
    bool sniffing = false;
    std::string first;
    std::uint64_t waiting = 0;  // the resolver's ticket, while it looks the name up
    std::uint16_t dial_port = 0;
    bool via_proxy = false;   // answer the CONNECT once the name is resolved
    bool plain_http = false;  // through the proxy, but no CONNECT to answer: the request goes on
    bool dead = false;
};

// A DNS-over-TCP connection: queries and answers each preceded by their
// length (RFC 1035 4.2.2), answered in order.
struct NetRelay::DnsStream {
    UniqueFd fd;
    std::string in, out;
    bool ended = false;
    bool dead = false;
};
constexpr std::size_t kMaxDnsStreams = 64;

// UDP: one flow per (rule's socket, the sandbox's address and port, the
// destination it sent to), a socket of ours connected to where it goes;
// answers go back from the destination's address (IP_PKTINFO). Flows idle
// for a minute end; at most kMaxFlows, the oldest going first.
struct NetRelay::UdpFlow {
    int socket = -1;  // ours of the rule's port, inside
    std::uint16_t port = 0;
    sockaddr_in from{};  // the sandbox's
    IpAddress to;        // where it sent
    std::string name;
    UniqueFd out;
    std::uint64_t ticket = 0;          // resolving the name
    std::vector<std::string> pending;  // datagrams that came meanwhile (at most 16)
    std::chrono::steady_clock::time_point used;
    bool dead = false;
};
constexpr std::size_t kMaxFlows = 256;
constexpr auto kFlowIdle = std::chrono::seconds(60);

NetRelay::NetRelay(NetPolicy policy, UniqueFd control, ReportSink& report)
    : policy_(std::move(policy)), control_(std::move(control)), report_(&report) {
    // Six fds a connection (two sockets, two pipes): as many as we may have.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
}

NetRelay::~NetRelay() = default;

void NetRelay::report(std::string_view event, const ReportFields& fields) const {
    report_->event(event, fields);
}

void NetRelay::add_polls(std::vector<pollfd>& fds) const {
    fds.push_back({control_ ? control_.get() : -1, POLLIN, 0});
    fds.push_back({dns_ ? dns_.get() : -1, POLLIN, 0});
    fds.push_back({resolver_.fd(), POLLIN, 0});
    fds.push_back({dns_tcp_ && dns_streams_.size() < kMaxDnsStreams ? dns_tcp_.get() : -1, POLLIN, 0});
    for (const auto& d : dns_streams_)
        fds.push_back({d->fd.get(),
                       static_cast<short>((d->ended || d->in.size() > 65537 ? 0 : POLLIN) |
                                          (d->out.empty() ? 0 : POLLOUT)),
                       0});
    for (const auto& [fd, port] : udp_) fds.push_back({fd.get(), POLLIN, 0});
    for (const auto& f : flows_) fds.push_back({f->out ? f->out.get() : -1, POLLIN, 0});
    for (const UniqueFd& l : listeners_) fds.push_back({l.get(), POLLIN, 0});
    for (const auto& c : conns_) {
        if (c->waiting != 0) {  // for the resolver
            fds.push_back({-1, 0, 0});
            fds.push_back({-1, 0, 0});
            continue;
        }
        if (c->upstream && !c->connecting) {  // the upstream's answer first
            fds.push_back({-1, 0, 0});
            fds.push_back({c->outside.get(), POLLIN, 0});
            continue;
        }
        const short in =
            static_cast<short>(((c->up.room() || c->sniffing) && !c->connecting ? POLLIN : 0) |
                               (!c->down.empty() || (c->down.eof && !c->down.shut) ? POLLOUT : 0));
        const short out = static_cast<short>(
            c->connecting ? POLLOUT
                          : (c->down.room() ? POLLIN : 0) |
                                (!c->up.empty() || (c->up.eof && !c->up.shut) ? POLLOUT : 0));
        fds.push_back({c->inside.get(), in, 0});
        fds.push_back({c->outside ? c->outside.get() : -1, out, 0});
    }
}

void NetRelay::handle(const std::vector<pollfd>& fds, std::size_t at) {
    if (fds[at].revents != 0)
        take_listeners();
    if (fds[at + 1].revents != 0)
        answer_dns();
    if (fds[at + 2].revents != 0)
        for (const auto& [ticket, found] : resolver_.answers()) {
            for (const auto& c : conns_)
                if (c->waiting == ticket) {
                    c->waiting = 0;
                    resolved(*c, found);
                }
            for (const auto& f : flows_)
                if (f->ticket == ticket) {
                    f->ticket = 0;
                    if (!found || guarded_address(*found)) {
                        report(
                            found ? "connect-denied" : "connect-failed",
                            {{"name", f->name},
                             {"port", std::to_string(f->port)},
                             {"protocol", "udp"},
                             {found ? "rule" : "error", found ? "resolves to a loopback or link-local address"
                                                              : "the host cannot resolve it"}});
                        f->dead = true;
                    } else {
                        send_udp(*f, *found);
                    }
                }
        }
    const bool dns_tcp_ready = fds[at + 3].revents != 0;
    at += 4;
    const std::size_t n_streams = dns_streams_.size();
    for (std::size_t i = 0; i < n_streams && at + i < fds.size(); ++i)
        if (fds[at + i].revents != 0)
            pump_dns(*dns_streams_[i], fds[at + i].revents);
    at += n_streams;
    std::erase_if(dns_streams_, [](const auto& d) { return d->dead; });
    const std::size_t n_udp = udp_.size(), n_flows = flows_.size();
    for (std::size_t i = 0; i < n_flows && at + n_udp + i < fds.size(); ++i)
        if (fds[at + n_udp + i].revents != 0)
            answer_udp(*flows_[i]);
    for (std::size_t i = 0; i < n_udp && at + i < fds.size(); ++i)
        if (fds[at + i].revents != 0)
            take_datagrams(udp_[i].first.get(), udp_[i].second);
    at += n_udp + n_flows;
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(flows_,
                  [&](const auto& f) { return f->dead || (f->ticket == 0 && now - f->used > kFlowIdle); });
    while (dns_tcp_ready && dns_streams_.size() < kMaxDnsStreams) {
        UniqueFd fd(::accept4(dns_tcp_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd)
            break;
        auto d = std::make_unique<DnsStream>();
        d->fd = std::move(fd);
        dns_streams_.push_back(std::move(d));
    }
    const std::size_t n_listeners = listeners_.size();
    std::vector<int> ready;
    for (std::size_t i = 0; i < n_listeners && at + i < fds.size(); ++i)
        if (fds[at + i].revents != 0)
            ready.push_back(fds[at + i].fd);
    at += n_listeners;
    // Connections as they were polled (accepting adds more at the end).
    const std::size_t n_conns = conns_.size();
    for (std::size_t i = 0; i < n_conns && at + 2 * i + 1 < fds.size(); ++i)
        pump(*conns_[i], fds[at + 2 * i].revents, fds[at + 2 * i + 1].revents);
    std::erase_if(conns_, [](const auto& c) { return c->dead; });
    for (const int l : ready) accept_one(l);
}

void NetRelay::take_listeners() {
    int fds[kMaxPassedFds];  // DNS, a listener per port, the proxy
    char byte = 0;
    const int n = receive_fds(control_.get(), fds, kMaxPassedFds, &byte);
    control_.reset();  // one message, or the end of a setup that failed
    const std::size_t ports = policy_.ports().size();
    const std::vector<std::uint16_t> udp_ports = policy_.udp_ports();
    const bool proxy = policy_.offers_proxy(), dns_tcp = policy_.offers_dns_tcp();
    if (n != static_cast<int>(1 + ports + (proxy ? 1 : 0) + (dns_tcp ? 1 : 0) + udp_ports.size())) {
        for (int i = 0; i < n; ++i) ::close(fds[i]);
        return;  // not what the plan said: a setup that failed
    }
    int at = 0;
    dns_ = UniqueFd(fds[at++]);
    for (std::size_t i = 0; i < ports + (proxy ? 1 : 0); ++i) listeners_.emplace_back(fds[at++]);
    if (proxy)
        proxy_listener_ = listeners_.back().get();
    if (dns_tcp)
        dns_tcp_ = UniqueFd(fds[at++]);
    for (const std::uint16_t port : udp_ports) udp_.emplace_back(UniqueFd(fds[at++]), port);
}

std::string NetRelay::name_of(const IpAddress& address) const {
    const std::optional<std::uint32_t> i = fake_index(address);
    return i && *i < names_.size() ? names_[*i] : std::string();
}

void NetRelay::answer_dns() {
    for (;;) {
        char buf[1500];
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        in_pktinfo to{};
        const ssize_t n = receive_datagram(dns_.get(), buf, sizeof buf, from, from_len, to, 0);
        if (n <= 0)
            return;
        std::string answer = dns_reply(std::string_view(buf, static_cast<std::size_t>(n)));
        if (answer.empty())
            continue;
        // From the address the query went to, whatever resolv.conf named.
        iovec out_iov{answer.data(), answer.size()};
        alignas(cmsghdr) char out_control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
        msghdr out{};
        out.msg_name = &from;
        out.msg_namelen = from_len;
        out.msg_iov = &out_iov;
        out.msg_iovlen = 1;
        out.msg_control = out_control;
        out.msg_controllen = sizeof out_control;
        cmsghdr* c = CMSG_FIRSTHDR(&out);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo spec{};
        spec.ipi_spec_dst = to.ipi_addr;
        std::memcpy(CMSG_DATA(c), &spec, sizeof spec);
        ::sendmsg(dns_.get(), &out, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

std::string NetRelay::dns_reply(std::string_view message) {
    const std::optional<DnsQuery> q = parse_dns_query(message);
    if (!q)
        return {};
    if (!policy_.knows_name(q->name)) {
        report("dns-denied", {{"name", q->name}, {"type", type_name(q->type)}, {"rule", "no rule"}});
        return dns_answer(message, *q, kDnsNxDomain, std::nullopt);
    }
    if (q->type == kDnsTypeA) {
        auto [it, added] = name_index_.try_emplace(q->name, static_cast<std::uint32_t>(names_.size()));
        if (added && names_.size() < kFakeAddresses)
            names_.push_back(q->name);
        return dns_answer(message, *q, kDnsNoError, fake_address(it->second));
    }
    return dns_answer(message, *q, kDnsNoError, std::nullopt);  // IPv4 only: resolvers then use A
}

void NetRelay::pump_dns(DnsStream& d, short events) {
    if ((events & (POLLIN | POLLHUP | POLLERR)) != 0 && !d.ended) {
        char buf[4096];
        const ssize_t n = ::recv(d.fd.get(), buf, sizeof buf, 0);
        if (n > 0)
            d.in.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            d.ended = true;
    }
    while (d.in.size() >= 2) {
        const std::size_t length =
            static_cast<unsigned char>(d.in[0]) << 8 | static_cast<unsigned char>(d.in[1]);
        if (d.in.size() < 2 + length)
            break;
        const std::string answer = dns_reply(std::string_view(d.in).substr(2, length));
        d.in.erase(0, 2 + length);
        if (answer.empty() || answer.size() > 65535) {
            d.dead = true;  // not DNS: the stream ends
            return;
        }
        d.out += static_cast<char>(answer.size() >> 8);
        d.out += static_cast<char>(answer.size() & 0xff);
        d.out += answer;
    }
    if (!d.out.empty()) {
        const ssize_t n = ::send(d.fd.get(), d.out.data(), d.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            d.out.erase(0, static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            d.dead = true;
    }
    if (d.ended && d.out.empty())
        d.dead = true;
}

void NetRelay::take_datagrams(int socket, std::uint16_t port) {
    for (int budget = 0; budget < 64; ++budget) {
        char buf[65536];
        sockaddr_in from{};
        socklen_t from_len = sizeof from;
        in_pktinfo info{};
        const ssize_t n = receive_datagram(socket, buf, sizeof buf, from, from_len, info, MSG_DONTWAIT);
        if (n < 0)
            return;
        IpAddress to;
        std::memcpy(to.bytes.data(), &info.ipi_addr, 4);
        const std::string datagram(buf, static_cast<std::size_t>(n));
        UdpFlow* flow = nullptr;
        for (const auto& f : flows_)
            if (f->socket == socket && f->to == to && f->from.sin_addr.s_addr == from.sin_addr.s_addr &&
                f->from.sin_port == from.sin_port && !f->dead)
                flow = f.get();
        if (flow == nullptr) {
            const std::string name = name_of(to);
            const bool allowed = name.empty() ? policy_.allows_address(to, port, true) != nullptr
                                              : policy_.allows_name(name, port, true) != nullptr;
            if (!allowed) {
                const std::string key = fmt::format("{}:{}", name.empty() ? ip_text(to) : name, port);
                if (udp_refused_.size() < 1024 &&
                    std::find(udp_refused_.begin(), udp_refused_.end(), key) == udp_refused_.end()) {
                    udp_refused_.push_back(key);
                    report("connect-denied",
                           {{name.empty() ? "address" : "name", name.empty() ? ip_text(to) : name},
                            {"port", std::to_string(port)},
                            {"protocol", "udp"},
                            {"rule", "no rule"}});
                }
                continue;
            }
            if (flows_.size() >= kMaxFlows)
                flows_.erase(std::min_element(flows_.begin(), flows_.end(), [](const auto& a, const auto& b) {
                    return a->used < b->used;
                }));
            auto made = std::make_unique<UdpFlow>();
            made->socket = socket;
            made->port = port;
            made->from = from;
            made->to = to;
            made->name = name;
            made->used = std::chrono::steady_clock::now();
            made->pending.push_back(datagram);
            flow = made.get();
            flows_.push_back(std::move(made));
            if (name.empty()) {
                send_udp(*flow, to);
            } else if (const std::optional<IpAddress> given = policy_.resolved(name)) {
                send_udp(*flow, *given);
            } else {
                const std::uint64_t ticket = ++tickets_;
                const std::optional<std::optional<IpAddress>> known = resolver_.lookup(name, ticket);
                if (!known) {
                    flow->ticket = ticket;
                } else if (!*known || guarded_address(**known)) {
                    flow->dead = true;
                    report("connect-failed",
                           {{"name", name},
                            {"port", std::to_string(port)},
                            {"protocol", "udp"},
                            {"error", "the host cannot resolve it, or to a guarded address"}});
                } else {
                    send_udp(*flow, **known);
                }
            }
            continue;
        }
        flow->used = std::chrono::steady_clock::now();
        if (flow->out)
            ::send(flow->out.get(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        else if (flow->pending.size() < 16)
            flow->pending.push_back(datagram);
    }
}

// Connects the flow's socket of ours to ADDRESS and sends what waited.
void NetRelay::send_udp(UdpFlow& f, const IpAddress& address) {
    sockaddr_storage s{};
    const socklen_t len = to_sockaddr(address, f.port, s);
    f.out = UniqueFd(::socket(s.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!f.out || ::connect(f.out.get(), reinterpret_cast<const sockaddr*>(&s), len) < 0) {
        report("connect-failed", {{"name", f.name.empty() ? ip_text(f.to) : f.name},
                                  {"port", std::to_string(f.port)},
                                  {"protocol", "udp"},
                                  {"error", std::strerror(errno)}});
        f.dead = true;
        return;
    }
    for (const std::string& d : f.pending)
        ::send(f.out.get(), d.data(), d.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    f.pending.clear();
}

// What came back goes to the sandbox from the address it sent to.
void NetRelay::answer_udp(UdpFlow& f) {
    for (int budget = 0; budget < 64; ++budget) {
        char buf[65536];
        const ssize_t n = ::recv(f.out.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0)
            return;  // EAGAIN, or ECONNREFUSED from an ICMP error: the sandbox sees silence
        f.used = std::chrono::steady_clock::now();
        iovec iov{buf, static_cast<std::size_t>(n)};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
        msghdr m{};
        m.msg_name = &f.from;
        m.msg_namelen = sizeof f.from;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo spec{};
        std::memcpy(&spec.ipi_spec_dst, f.to.bytes.data(), 4);
        std::memcpy(CMSG_DATA(c), &spec, sizeof spec);
        ::sendmsg(f.socket, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
}

NetRelay::Decision NetRelay::decide(Conn& c, const std::string& name, const IpAddress& dialled,
                                    std::uint16_t port, std::string_view via) {
    c.dial_port = port;
    ReportFields who = {{name.empty() ? "address" : "name", name.empty() ? ip_text(dialled) : name},
                        {"port", std::to_string(port)}};
    if (!via.empty())
        who.emplace_back("via", std::string(via));
    const auto denied = [&](std::string why) {
        who.emplace_back("rule", std::move(why));
        report("connect-denied", who);
        return Decision{};
    };
    if (name.empty())
        return policy_.allows_address(dialled, port) != nullptr ? Decision{Decision::Go, dialled}
                                                                : denied("no rule");
    if (policy_.allows_name(name, port) == nullptr)
        return denied("no rule");
    if (const std::optional<IpAddress> given = policy_.resolved(name))
        return {Decision::Go, *given};
    if (policy_.upstream)  // the upstream proxy resolves it
        return {Decision::Go, IpAddress{}};
    // The host's resolver, as the host would connect, on a thread of its own.
    const std::uint64_t ticket = ++tickets_;
    const std::optional<std::optional<IpAddress>> known = resolver_.lookup(name, ticket);
    if (!known) {
        c.waiting = ticket;
        return {Decision::Wait, {}};
    }
    resolved(c, *known);
    return {c.dead ? Decision::Refused : Decision::Wait, {}};
}

// The host's resolver answered for the connection's name: refused if it
// found nothing or a guarded address, else on.
void NetRelay::resolved(Conn& c, const std::optional<IpAddress>& found) {
    const auto give_up = [&](std::string_view event, ReportFields fields) {
        report(event, fields);
        if (c.via_proxy) {
            const std::string answer =
                fmt::format("HTTP/1.1 {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            event == "connect-denied" ? "403 Forbidden" : "502 Bad Gateway");
            ::send(c.inside.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
        } else {
            reset(c.inside.get());
        }
        c.dead = true;
    };
    ReportFields who = {{"name", c.name}, {"port", c.port}};
    if (c.via_proxy)
        who.emplace_back("via", "proxy");
    if (!found) {
        who.emplace_back("error", "the host cannot resolve it");
        return give_up("connect-failed", who);
    }
    if (guarded_address(*found)) {
        who.emplace_back("address", ip_text(*found));
        who.emplace_back("rule", "resolves to a loopback or link-local address");
        return give_up("connect-denied", who);
    }
    go(c, *found);
}

// Connects, and for the proxy answers 200 first.
void NetRelay::go(Conn& c, const IpAddress& address) {
    if (c.via_proxy && !c.plain_http) {
        constexpr std::string_view kOk = "HTTP/1.1 200 Connection established\r\n\r\n";
        if (!c.down.put(kOk)) {
            c.dead = true;
            return;
        }
        c.via_proxy = false;
    }
    start(c, address, c.dial_port);
}

void NetRelay::accept_one(int listener) {
    for (;;) {
        UniqueFd inside(::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!inside)
            return;
        auto conn = std::make_unique<Conn>();
        conn->inside = std::move(inside);
        if (!conn->up.open() || !conn->down.open()) {  // out of fds: the sandbox sees a reset
            reset(conn->inside.get());
            return;
        }
        if (listener == proxy_listener_) {  // the destination comes in the request
            conn->proxy = true;
            conns_.push_back(std::move(conn));
            continue;
        }
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        if (::getsockname(conn->inside.get(), reinterpret_cast<sockaddr*>(&local), &len) < 0)
            continue;
        std::uint16_t port = 0;
        const IpAddress dest = from_sockaddr(local, &port);
        const std::string name = name_of(dest);
        conn->name = name.empty() ? ip_text(dest) : name;
        conn->port = std::to_string(port);
        conn->sniffing = !name.empty();
        const Decision to = decide(*conn, name, dest, port, "");
        if (to.kind == Decision::Refused) {
            if (!conn->dead)
                reset(conn->inside.get());
            continue;
        }
        if (to.kind == Decision::Go)
            start(*conn, to.address, port);
        if (!conn->dead)
            conns_.push_back(std::move(conn));
    }
}

// "CONNECT HOST:PORT HTTP/1.1", headers, an empty line: then 200 and the
// tunnel, or 403 and the end. What follows the request (a client that does
// not wait) goes on to the destination.
void NetRelay::proxy_request(Conn& c) {
    const std::string_view got = c.request;
    const std::size_t end = got.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (got.size() >= kRequestMax || c.up.eof)  // no request fits, or none came
            c.dead = true;
        return;
    }
    const auto refuse = [&c](std::string_view status) {
        const std::string answer =
            fmt::format("HTTP/1.1 {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
        ::send(c.inside.get(), answer.data(), answer.size(), MSG_NOSIGNAL);
        c.dead = true;
    };
    const ProxyRequest request = parse_proxy_request(got.substr(0, end + 4));
    if (!request.status.empty())
        return refuse(request.status);
    const std::string& host = request.host;
    const std::optional<std::uint64_t> port = request.port;
    const std::optional<IpAddress> literal = parse_ip(host);
    c.name = host;
    c.port = std::to_string(*port);
    c.proxy = false;
    c.via_proxy = true;
    c.plain_http = !request.connect;
    // What goes on first: for CONNECT what followed the request (the tunnel's
    // first bytes), for plain HTTP the request in origin form and its body.
    const std::string first = request.forward + std::string(got.substr(end + 4));
    c.request.clear();               // --net-upstream's answer is read into it next
    if (!literal || c.plain_http) {  // a name, or a Host header: checked
        c.sniffing = true;
        c.first = first;
        if (!c.first.empty() && !check_first(c, false)) {
            reset(c.inside.get());
            c.dead = true;
            return;
        }
    } else if (!c.up.put(first)) {
        c.dead = true;
        return;
    }
    const Decision to = decide(c, literal ? std::string() : host, literal.value_or(IpAddress{}),
                               static_cast<std::uint16_t>(*port), "proxy");
    if (to.kind == Decision::Refused && !c.dead)
        return refuse("403 Forbidden");
    if (to.kind == Decision::Go)
        go(c, to.address);
}

void NetRelay::start(Conn& c, const IpAddress& address, std::uint16_t port) {
    sockaddr_storage s{};
    socklen_t len = 0;
    if (policy_.upstream) {
        // CONNECT to what the sandbox asked for: the name, or the address
        // --net-resolve or an address rule gives.
        const bool named = !c.name.empty() && !parse_ip(c.name) && !policy_.resolved(c.name);
        const std::string host = named        ? c.name
                                 : address.v6 ? "[" + ip_text(address) + "]"
                                              : ip_text(address);
        c.target = fmt::format("{}:{}", host, port);
        c.upstream = true;
        const NetUpstream& u = *policy_.upstream;
        if (!u.unix_path.empty()) {
            auto& a = reinterpret_cast<sockaddr_un&>(s);
            a.sun_family = AF_UNIX;
            std::memcpy(a.sun_path, u.unix_path.c_str(), u.unix_path.size() + 1);
            len = sizeof a;
        } else {
            const std::optional<IpAddress> up = resolve(u.host);
            if (!up) {
                report("connect-failed", {{"name", c.name},
                                          {"port", c.port},
                                          {"error", "the host cannot resolve the upstream proxy"}});
                reset(c.inside.get());
                c.dead = true;
                return;
            }
            len = to_sockaddr(*up, u.port, s);
        }
    } else {
        len = to_sockaddr(address, port, s);
    }
    c.outside = UniqueFd(::socket(s.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!c.outside || (::connect(c.outside.get(), reinterpret_cast<const sockaddr*>(&s), len) < 0 &&
                       errno != EINPROGRESS)) {
        report("connect-failed", {{"name", c.name}, {"port", c.port}, {"error", std::strerror(errno)}});
        reset(c.inside.get());
        c.dead = true;
        return;
    }
    c.connecting = true;
}

// Reads the client's first bytes into `first` until they tell what they ask
// for (check_first); false: refused.
bool NetRelay::sniff(Conn& c) {
    char buf[4096];
    const std::size_t room = kSniffMax - std::min(kSniffMax, c.first.size());
    const ssize_t n = ::recv(c.inside.get(), buf, std::min(sizeof buf, room), 0);
    if (n > 0)
        c.first.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    else if (n < 0)
        return false;
    return check_first(c, n == 0);
}

// Once the first bytes tell, they go on to the destination (the client
// `ended`: and the end of stream); a name that no rule allows is refused,
// reported, and so is what cannot be read.
bool NetRelay::check_first(Conn& c, bool ended) {
    FirstBytes seen = sniff_first_bytes(c.first);
    if (seen.kind == FirstBytes::NeedMore && !ended) {
        if (c.first.size() < kSniffMax)
            return true;
        seen.kind = FirstBytes::Unreadable;
    }
    const auto port = static_cast<std::uint16_t>(std::stoi(c.port));
    const bool fine = seen.kind == FirstBytes::Other || seen.kind == FirstBytes::NeedMore ||
                      (seen.kind == FirstBytes::Named &&
                       (seen.name == c.name || policy_.allows_name(seen.name, port) != nullptr));
    if (!fine) {
        const bool tls_hello = !c.first.empty() && c.first[0] == 0x16;
        const std::string why =
            seen.kind == FirstBytes::Unreadable
                ? fmt::format("its first bytes ({}) cannot be read to check the name they ask for",
                              tls_hello ? "a TLS ClientHello" : "an HTTP request")
                : fmt::format("{} {} is not allowed", tls_hello ? "the TLS server name" : "the HTTP Host",
                              seen.name);
        report("connect-denied", {{"name", c.name}, {"port", c.port}, {"rule", why}});
        return false;
    }
    c.sniffing = false;
    if (!c.up.put(c.first))
        return false;
    c.first.clear();
    c.first.shrink_to_fit();
    if (ended)
        c.up.eof = true;
    return true;
}

void NetRelay::pump(Conn& c, short in_events, short out_events) {
    if (c.waiting != 0)
        return;
    if (c.proxy) {
        if ((in_events & (POLLIN | POLLHUP | POLLERR)) == 0)
            return;
        char buf[kRequestMax];
        const ssize_t n = ::read(c.inside.get(), buf, kRequestMax - c.request.size());
        if (n > 0)
            c.request.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            c.up.eof = true;
        proxy_request(c);
        return;
    }
    if (c.connecting) {
        if (out_events == 0)
            return;
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(c.outside.get(), SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0) {
            report("connect-failed", {{"name", c.name}, {"port", c.port}, {"error", std::strerror(error)}});
            reset(c.inside.get());
            c.dead = true;
            return;
        }
        c.connecting = false;
        out_events = 0;
        if (c.upstream) {
            const std::string request = fmt::format("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\n\r\n", c.target);
            if (::send(c.outside.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(request.size())) {
                report("connect-failed",
                       {{"name", c.name}, {"port", c.port}, {"error", "the upstream proxy"}});
                reset(c.inside.get());
                c.dead = true;
            }
            return;
        }
    }
    if (c.upstream) {  // its answer: 200 and the tunnel, or the end
        if ((out_events & (POLLIN | POLLHUP | POLLERR)) == 0)
            return;
        char buf[kRequestMax];
        const ssize_t n = ::recv(c.outside.get(), buf, kRequestMax - c.request.size(), 0);
        if (n > 0)
            c.request.append(buf, static_cast<std::size_t>(n));
        const std::size_t end = c.request.find("\r\n\r\n");
        if (end == std::string::npos) {
            if ((n > 0 || (n < 0 && errno == EAGAIN)) && c.request.size() < kRequestMax)
                return;
            report("connect-failed",
                   {{"name", c.name}, {"port", c.port}, {"error", "the upstream proxy closed"}});
            reset(c.inside.get());
            c.dead = true;
            return;
        }
        const std::string status = c.request.substr(0, c.request.find("\r\n"));
        const std::vector<std::string_view> words = split(status, ' ');
        if (words.size() < 2 || !words[0].starts_with("HTTP/1.") || words[1] != "200") {
            report("connect-failed",
                   {{"name", c.name}, {"port", c.port}, {"error", "the upstream proxy: " + status}});
            reset(c.inside.get());
            c.dead = true;
            return;
        }
        if (!c.down.put(std::string_view(c.request).substr(end + 4))) {
            c.dead = true;
            return;
        }
        c.upstream = false;
        c.request.clear();
        return;
    }
    // Moves what a socket has into a half's pipe; false on a reset or an error.
    const auto fill = [](int fd, Half& h) {
        const ssize_t n = ::splice(fd, nullptr, h.write_end.get(), nullptr, h.size - h.held,
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0)
            h.held += static_cast<std::size_t>(n);
        else if (n == 0)
            h.eof = true;
        else if (errno != EAGAIN && errno != EINTR)
            return false;
        return true;
    };
    // Moves what a half holds on to a socket; at its end, passes the end of
    // stream on.
    const auto drain = [](int fd, Half& h) {
        if (!h.empty()) {
            const ssize_t n =
                ::splice(h.read_end.get(), nullptr, fd, nullptr, h.held, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n < 0)
                return errno == EAGAIN || errno == EINTR;
            h.held -= static_cast<std::size_t>(n);
        }
        if (h.empty() && h.eof && !h.shut) {
            ::shutdown(fd, SHUT_WR);
            h.shut = true;
        }
        return true;
    };
    if (c.sniffing && (in_events & (POLLIN | POLLHUP | POLLERR)) != 0 && !sniff(c)) {
        reset(c.inside.get());
        reset(c.outside.get());
        c.dead = true;
        return;
    }
    const int in = c.inside.get(), out = c.outside.get();
    bool ok = true;
    bool in_ready = (in_events & (POLLIN | POLLHUP | POLLERR)) != 0;
    bool out_ready = (out_events & (POLLIN | POLLHUP | POLLERR)) != 0;
    // A few rounds while bytes move, rather than one poll per pipeful.
    for (int round = 0; ok && round < 8; ++round) {
        const std::size_t before = c.up.held + c.down.held;
        const bool up_eof = c.up.eof, down_eof = c.down.eof;
        if (in_ready && c.up.room() && !c.sniffing)
            ok = fill(in, c.up);
        if (ok && out_ready && c.down.room())
            ok = fill(out, c.down);
        const std::size_t filled = c.up.held + c.down.held;
        if (ok)
            ok = drain(out, c.up) && drain(in, c.down);
        if (filled == before && c.up.held + c.down.held == before && up_eof == c.up.eof &&
            down_eof == c.down.eof)
            break;  // nothing moved: the sockets have nothing more for now
        in_ready = out_ready = true;
    }
    if (!ok) {  // a reset on one side is a reset on the other
        reset(in);
        reset(out);
        c.dead = true;
        return;
    }
    if (c.up.shut && c.down.shut)
        c.dead = true;
}

}  // namespace cocoon
