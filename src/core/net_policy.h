// SPDX-License-Identifier: MIT
// Network egress by name (--net-allow, --net-resolve; HACKING.md, "Network
// egress"): the rules, what they allow, and the DNS messages the stub answers
// inside the sandbox. [pure]
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cocoon {

// An IPv4 or IPv6 address, in network byte order.
struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // v4 in the first four
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};
std::optional<IpAddress> parse_ip(std::string_view text);
std::string ip_text(const IpAddress& ip);

// One --net-allow rule.
struct NetRule {
    enum class Kind { Host, Suffix, Network } kind = Kind::Host;
    std::string host;  // Host: "example.com"; Suffix: "example.com" for "*.example.com"
    IpAddress network;
    int prefix = 0;                     // Network: bits of `network` that must match
    std::optional<std::uint16_t> port;  // none: the default ports (kDefaultPorts)
    bool udp = false;                   // "/udp": datagrams to that port, not TCP (a port is required)
    std::string text;                   // as given, for reports
    friend bool operator==(const NetRule&, const NetRule&) = default;
};

// A rule without a port allows the web's: 443 and 80.
inline constexpr std::uint16_t kDefaultPorts[] = {443, 80};

// Where the sandbox finds cocoon's HTTP CONNECT proxy (127.0.0.1, inside), for
// tools that prefer a proxy (HTTPS_PROXY): squid's port, unless a rule names it.
inline constexpr std::uint16_t kProxyPort = 3128;

// "HOST", "HOST:PORT", "*.DOMAIN[:PORT]", "ADDRESS[/BITS][:PORT]", "[V6]:PORT",
// each with ":PORT/udp" for UDP (not port 53: DNS is cocoon's). Errors name
// the rule.
Result<NetRule> parse_net_rule(std::string_view text);

// --net-resolve NAME=ADDRESS.
struct NetResolve {
    std::string name;
    IpAddress address;
    friend bool operator==(const NetResolve&, const NetResolve&) = default;
};
Result<NetResolve> parse_net_resolve(std::string_view text);

// --net-upstream: an HTTP CONNECT proxy that allowed connections go through.
struct NetUpstream {
    std::string unix_path;  // "unix:/run/proxy.sock", or
    std::string host;       // "http://HOST:PORT"
    std::uint16_t port = 0;
    std::string text;  // as given
    friend bool operator==(const NetUpstream&, const NetUpstream&) = default;
};
Result<NetUpstream> parse_net_upstream(std::string_view text);

struct NetPolicy {
    std::vector<NetRule> rules;
    std::vector<NetResolve> resolve;
    std::optional<NetUpstream> upstream;
    friend bool operator==(const NetPolicy&, const NetPolicy&) = default;

    // The TCP ports the sandbox gets a listener on: those of the rules, or
    // the default ports for a rule without one. Sorted, unique.
    std::vector<std::uint16_t> ports() const;
    // The UDP ports of the "/udp" rules. Sorted, unique.
    std::vector<std::uint16_t> udp_ports() const;
    // Whether the sandbox gets the CONNECT proxy (kProxyPort is not a rule's).
    bool offers_proxy() const;
    // DNS over TCP is answered on port 53 unless a rule names that port.
    bool offers_dns_tcp() const;
    // The rule that allows NAME:PORT (a name the sandbox resolved), if any.
    const NetRule* allows_name(std::string_view name, std::uint16_t port, bool udp = false) const;
    // Whether NAME has a rule at any port (its DNS query is answered).
    bool knows_name(std::string_view name) const;
    // The rule that allows a connection to ADDRESS:PORT given as an address.
    const NetRule* allows_address(const IpAddress& address, std::uint16_t port, bool udp = false) const;
    // The address --net-resolve gives NAME, if it does.
    std::optional<IpAddress> resolved(std::string_view name) const;
};

// Addresses handed out for names (198.18.0.0/15, RFC 2544's benchmarking
// range): the stub answers an allowed name with one, and a connection to it
// is mapped back to the name. Index 0 is 198.18.0.1.
IpAddress fake_address(std::uint32_t index);
std::optional<std::uint32_t> fake_index(const IpAddress& address);
inline constexpr std::uint32_t kFakeAddresses = (1U << 17) - 2;

// Addresses no connection reaches without an address rule naming them: the
// host's loopback, link-local (cloud metadata at 169.254.169.254), unspecified.
bool guarded_address(const IpAddress& address);

// A DNS query (RFC 1035): its id, the question's name (lower case, without
// the final dot), type and class.
struct DnsQuery {
    std::uint16_t id = 0;
    std::string name;
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::size_t question_end = 0;  // where the question ends in the message
};
std::optional<DnsQuery> parse_dns_query(std::string_view message);

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;
inline constexpr int kDnsNoError = 0;
inline constexpr int kDnsNxDomain = 3;
inline constexpr int kDnsRefused = 5;

// The answer to `query` (taken from `message`): `rcode`, and one A record of
// `address` when given.
std::string dns_answer(std::string_view message, const DnsQuery& query, int rcode,
                       const std::optional<IpAddress>& address);

}  // namespace cocoon
