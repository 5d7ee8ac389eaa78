// SPDX-License-Identifier: MIT
// --net-allow, outside: cocoon's end of the sandbox's captured network
// (run/net_capture.cc makes the listeners inside). It answers DNS, decides
// each connection by the rules, connects from the host's network and relays
// both ways; what it refuses goes to --report-fd (HACKING.md, "Network
// egress"). [parent]
#pragma once
#include <poll.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/net_policy.h"
#include "os/unique_fd.h"
#include "run/net_resolver.h"
#include "run/report_sink.h"

namespace cocoon {

class NetRelay {
public:
    // `control`: our end of the socket the listeners come over; `report`:
    // where refusals go (it outlives us).
    NetRelay(NetPolicy policy, UniqueFd control, ReportSink& report);
    ~NetRelay();
    NetRelay(const NetRelay&) = delete;
    NetRelay& operator=(const NetRelay&) = delete;

    // Appends what to poll for; then handles what `fds` from `first` on says.
    void add_polls(std::vector<pollfd>& fds) const;
    void handle(const std::vector<pollfd>& fds, std::size_t first);

    void report(std::string_view event, const ReportFields& fields) const;

private:
    struct Conn;
    void take_listeners();
    void answer_dns();
    // The answer to one DNS query (empty for a message that is none).
    std::string dns_reply(std::string_view message);
    struct DnsStream;
    void pump_dns(DnsStream& d, short events);
    struct UdpFlow;
    void take_datagrams(int socket, std::uint16_t port);
    void send_udp(UdpFlow& f, const IpAddress& address);
    void answer_udp(UdpFlow& f);
    void accept_one(int listener);
    // Where a connection goes: to `address`, nowhere (refused and reported),
    // or, for a name the host's resolver must find, to what `resolved` gets.
    struct Decision {
        enum Kind { Refused, Go, Wait } kind = Refused;
        IpAddress address;
    };
    // For NAME (or for the address itself when NAME is empty).
    Decision decide(Conn& c, const std::string& name, const IpAddress& dialled, std::uint16_t port,
                    std::string_view via);
    void resolved(Conn& c, const std::optional<IpAddress>& found);
    void go(Conn& c, const IpAddress& address);
    void start(Conn& conn, const IpAddress& address, std::uint16_t port);
    void proxy_request(Conn& c);
    bool sniff(Conn& c);
    bool check_first(Conn& c, bool ended);
    void pump(Conn& c, short in_events, short out_events);
    std::string name_of(const IpAddress& address) const;

    NetResolver resolver_;
    std::uint64_t tickets_ = 0;
    NetPolicy policy_;
    UniqueFd control_;
    ReportSink* report_;
    UniqueFd dns_;
    std::vector<UniqueFd> listeners_;
    int proxy_listener_ = -1;  // after the ports' listeners, when the policy offers the proxy
    UniqueFd dns_tcp_;         // DNS over TCP (NetPolicy::offers_dns_tcp)
    std::vector<std::unique_ptr<DnsStream>> dns_streams_;
    std::vector<std::pair<UniqueFd, std::uint16_t>> udp_;  // the UDP rules' sockets, and their ports
    std::vector<std::unique_ptr<UdpFlow>> flows_;
    std::vector<std::string> udp_refused_;  // flows reported once
    std::vector<std::unique_ptr<Conn>> conns_;
    std::vector<std::string> names_;  // fake_address(i) stands for names_[i]
    std::map<std::string, std::uint32_t> name_index_;
};

}  // namespace cocoon
