// SPDX-License-Identifier: MIT
// --net-allow rules, their matching, and the DNS stub's messages. [pure]
#include "core/net_policy.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A DNS name as rules take it: letters, digits, '-', '_' and dots, no empty
// label, at most 253 characters.
bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.')
        return false;
    bool dot = false;
    for (const char c : name) {
        if (c == '.') {
            if (dot)
                return false;
            dot = true;
            continue;
        }
        dot = false;
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
            return false;
    }
    return true;
}

std::optional<IpAddress> parse_v4(std::string_view text) {
    IpAddress ip;
    const std::vector<std::string_view> parts = split(text, '.');
    if (parts.size() != 4)
        return std::nullopt;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::optional<std::uint64_t> n = parse_decimal(parts[i], 255);
        if (!n || parts[i].size() > 3)
            return std::nullopt;
        ip.bytes[i] = static_cast<std::uint8_t>(*n);
    }
    return ip;
}

std::optional<IpAddress> parse_v6(std::string_view text) {
    // Groups of hex digits separated by ':', one "::" for a run of zeros, an
    // IPv4 tail allowed.
    std::vector<std::uint16_t> head, tail;
    bool gap = false;
    std::vector<std::uint16_t>* into = &head;
    std::size_t at = 0;
    if (text.starts_with("::")) {
        gap = true;
        into = &tail;
        at = 2;
    }
    while (at < text.size()) {
        const std::size_t end = std::min(text.find(':', at), text.size());
        const std::string_view group = text.substr(at, end - at);
        if (group.find('.') != std::string_view::npos && end == text.size()) {
            const std::optional<IpAddress> v4 = parse_v4(group);
            if (!v4)
                return std::nullopt;
            into->push_back(static_cast<std::uint16_t>(v4->bytes[0] << 8 | v4->bytes[1]));
            into->push_back(static_cast<std::uint16_t>(v4->bytes[2] << 8 | v4->bytes[3]));
            at = end;
            break;
        }
        if (group.empty() || group.size() > 4 || !std::all_of(group.begin(), group.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c));
            }))
            return std::nullopt;
        into->push_back(static_cast<std::uint16_t>(std::stoul(std::string(group), nullptr, 16)));
        at = end;
        if (at < text.size()) {
            if (text.substr(at, 2) == "::") {
                if (gap)
                    return std::nullopt;
                gap = true;
                into = &tail;
                at += 2;
            } else {
                ++at;
                if (at == text.size())
                    return std::nullopt;
            }
        }
    }
    const std::size_t n = head.size() + tail.size();
    if (n > 8 || (!gap && n != 8) || (gap && n == 8))
        return std::nullopt;
    IpAddress ip;
    ip.v6 = true;
    std::vector<std::uint16_t> groups = head;
    groups.resize(8 - tail.size(), 0);
    groups.insert(groups.end(), tail.begin(), tail.end());
    for (std::size_t i = 0; i < 8; ++i) {
        ip.bytes[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
        ip.bytes[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
    }
    return ip;
}

bool in_network(const IpAddress& ip, const IpAddress& network, int prefix) {
    if (ip.v6 != network.v6)
        return false;
    for (int bit = 0; bit < prefix; ++bit) {
        const int byte = bit / 8, shift = 7 - bit % 8;
        if (((ip.bytes[byte] >> shift) & 1) != ((network.bytes[byte] >> shift) & 1))
            return false;
    }
    return true;
}

bool port_matches(const NetRule& rule, std::uint16_t port, bool udp) {
    if (rule.udp != udp)
        return false;
    if (rule.port)
        return *rule.port == port;
    return std::find(std::begin(kDefaultPorts), std::end(kDefaultPorts), port) != std::end(kDefaultPorts);
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
    return text.find(':') != std::string_view::npos ? parse_v6(text) : parse_v4(text);
}

std::string ip_text(const IpAddress& ip) {
    if (!ip.v6)
        return fmt::format("{}.{}.{}.{}", ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]);
    std::string out;
    for (int i = 0; i < 8; ++i)
        out += fmt::format("{}{:x}", i == 0 ? "" : ":", ip.bytes[2 * i] << 8 | ip.bytes[2 * i + 1]);
    return out;
}

Result<NetRule> parse_net_rule(std::string_view text) {
    NetRule rule;
    rule.text = std::string(text);
    const auto bad = [&](std::string_view why) {
        return fail(
            Error{0, fmt::format("--net-allow {}: {}", text, why),
                  "a rule is HOST, HOST:PORT, *.DOMAIN[:PORT], ADDRESS[/BITS][:PORT] or [IPV6[/BITS]]:PORT"});
    };
    std::string_view rest = text;
    if (lower(rest).ends_with("/udp")) {
        rule.udp = true;
        rest.remove_suffix(4);
    } else if (lower(rest).ends_with("/tcp")) {
        rest.remove_suffix(4);
    }
    const std::string_view spec = rest;  // without the protocol
    // The port: after the last ':' of a name or IPv4 form, after "]" of [IPv6].
    std::string_view port_text;
    if (rest.starts_with("[")) {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos)
            return bad("an IPv6 address opened with '[' is not closed");
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':')
                return bad("expected ':PORT' after ']'");
            port_text = rest.substr(close + 2);
        }
        rest = rest.substr(1, close - 1);
    } else if (std::count(rest.begin(), rest.end(), ':') == 1) {
        port_text = rest.substr(rest.find(':') + 1);
        rest = rest.substr(0, rest.find(':'));
    }
    if (!port_text.empty() || (spec.ends_with(":") && !spec.starts_with("["))) {
        const std::optional<std::uint64_t> port = parse_decimal(port_text, 65535);
        if (!port || *port == 0)
            return bad(fmt::format("'{}' is not a port (1 to 65535)", port_text));
        rule.port = static_cast<std::uint16_t>(*port);
    }
    if (rule.udp && !rule.port)
        return bad("a UDP rule needs a port (HOST:PORT/udp)");
    if (rule.udp && *rule.port == 53)
        return bad("DNS (UDP port 53) is answered by cocoon; allow the names instead");
    // An address or network.
    std::string_view address = rest;
    std::optional<int> prefix;
    if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
        address = rest.substr(0, slash);
        const std::optional<std::uint64_t> bits = parse_decimal(rest.substr(slash + 1), 128);
        if (!bits)
            return bad(fmt::format("'{}' is not a prefix length", rest.substr(slash + 1)));
        prefix = static_cast<int>(*bits);
    }
    if (const std::optional<IpAddress> ip = parse_ip(address)) {
        const int max = ip->v6 ? 128 : 32;
        if (prefix.value_or(max) > max)
            return bad(fmt::format("an IPv{} prefix is at most {} bits", ip->v6 ? 6 : 4, max));
        rule.kind = NetRule::Kind::Network;
        rule.network = *ip;
        rule.prefix = prefix.value_or(max);
        return rule;
    }
    if (prefix || address.find(':') != std::string_view::npos)
        return bad(fmt::format("'{}' is not an IP address", address));
    std::string host = lower(address);
    if (host.starts_with("*.")) {
        rule.kind = NetRule::Kind::Suffix;
        host = host.substr(2);
    }
    if (!valid_name(host))
        return bad(fmt::format("'{}' is not a host name", address));
    rule.host = std::move(host);
    return rule;
}

Result<NetResolve> parse_net_resolve(std::string_view text) {
    const std::size_t eq = text.find('=');
    const std::string name = lower(text.substr(0, eq == std::string_view::npos ? 0 : eq));
    if (eq == std::string_view::npos || !valid_name(name))
        return fail(Error::usage(fmt::format("--net-resolve {}: expected NAME=ADDRESS", text)));
    const std::optional<IpAddress> ip = parse_ip(text.substr(eq + 1));
    if (!ip)
        return fail(Error::usage(
            fmt::format("--net-resolve {}: '{}' is not an IP address", text, text.substr(eq + 1))));
    return NetResolve{name, *ip};
}

Result<NetUpstream> parse_net_upstream(std::string_view text) {
    NetUpstream u;
    u.text = std::string(text);
    const auto bad = [&](std::string_view why) {
        return fail(Error{0, fmt::format("--net-upstream {}: {}", text, why),
                          "expected http://HOST:PORT or unix:/PATH of an HTTP CONNECT proxy"});
    };
    if (text.starts_with("unix:")) {
        u.unix_path = std::string(text.substr(5));
        if (u.unix_path.empty() || u.unix_path[0] != '/' || u.unix_path.size() >= 108)
            return bad("the socket's path must be absolute and shorter than 108 bytes");
        return u;
    }
    if (!text.starts_with("http://"))
        return bad("not an http:// or unix: address");
    std::string_view rest = text.substr(7);
    if (rest.ends_with("/"))
        rest.remove_suffix(1);
    const std::size_t colon = rest.rfind(':');
    const std::optional<std::uint64_t> port =
        colon == std::string_view::npos ? std::nullopt : parse_decimal(rest.substr(colon + 1), 65535);
    if (!port || *port == 0)
        return bad("a port is needed (http://HOST:PORT)");
    std::string_view host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (!parse_ip(host) && !valid_name(lower(host)))
        return bad(fmt::format("'{}' is not a host name or address", host));
    u.host = std::string(host);
    u.port = static_cast<std::uint16_t>(*port);
    return u;
}

std::vector<std::uint16_t> NetPolicy::udp_ports() const {
    std::vector<std::uint16_t> out;
    for (const NetRule& r : rules)
        if (r.udp)
            out.push_back(*r.port);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::uint16_t> NetPolicy::ports() const {
    std::vector<std::uint16_t> out;
    for (const NetRule& r : rules) {
        if (r.udp)
            continue;
        if (r.port)
            out.push_back(*r.port);
        else
            out.insert(out.end(), std::begin(kDefaultPorts), std::end(kDefaultPorts));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool NetPolicy::offers_proxy() const {
    const std::vector<std::uint16_t> p = ports();
    return std::find(p.begin(), p.end(), kProxyPort) == p.end();
}

bool NetPolicy::offers_dns_tcp() const {
    const std::vector<std::uint16_t> p = ports();
    return std::find(p.begin(), p.end(), 53) == p.end();
}

const NetRule* NetPolicy::allows_name(std::string_view name, std::uint16_t port, bool udp) const {
    const std::string n = lower(name);
    for (const NetRule& r : rules) {
        const bool named = (r.kind == NetRule::Kind::Host && r.host == n) ||
                           (r.kind == NetRule::Kind::Suffix && n.size() > r.host.size() &&
                            n.ends_with(r.host) && n[n.size() - r.host.size() - 1] == '.');
        if (named && port_matches(r, port, udp))
            return &r;
    }
    return nullptr;
}

bool NetPolicy::knows_name(std::string_view name) const {
    const std::string n = lower(name);
    return std::any_of(rules.begin(), rules.end(), [&](const NetRule& r) {
        return (r.kind == NetRule::Kind::Host && r.host == n) ||
               (r.kind == NetRule::Kind::Suffix && n.size() > r.host.size() && n.ends_with(r.host) &&
                n[n.size() - r.host.size() - 1] == '.');
    });
}

const NetRule* NetPolicy::allows_address(const IpAddress& address, std::uint16_t port, bool udp) const {
    for (const NetRule& r : rules)
        if (r.kind == NetRule::Kind::Network && in_network(address, r.network, r.prefix) &&
            port_matches(r, port, udp))
            return &r;
    return nullptr;
}

std::optional<IpAddress> NetPolicy::resolved(std::string_view name) const {
    const std::string n = lower(name);
    for (const NetResolve& r : resolve)
        if (r.name == n)
            return r.address;
    return std::nullopt;
}

IpAddress fake_address(std::uint32_t index) {
    const std::uint32_t host = index + 1;  // 198.18.0.1 up
    IpAddress ip;
    ip.bytes[0] = 198;
    ip.bytes[1] = static_cast<std::uint8_t>(18 + (host >> 16));
    ip.bytes[2] = static_cast<std::uint8_t>(host >> 8);
    ip.bytes[3] = static_cast<std::uint8_t>(host);
    return ip;
}

std::optional<std::uint32_t> fake_index(const IpAddress& address) {
    if (address.v6 || address.bytes[0] != 198 || (address.bytes[1] != 18 && address.bytes[1] != 19))
        return std::nullopt;
    const std::uint32_t host = static_cast<std::uint32_t>(address.bytes[1] - 18) << 16 |
                               static_cast<std::uint32_t>(address.bytes[2]) << 8 | address.bytes[3];
    if (host == 0 || host > kFakeAddresses)
        return std::nullopt;
    return host - 1;
}

bool guarded_address(const IpAddress& a) {
    if (!a.v6)
        return a.bytes[0] == 127 || a.bytes[0] == 0 || (a.bytes[0] == 169 && a.bytes[1] == 254);
    const bool zero_prefix =
        std::all_of(a.bytes.begin(), a.bytes.begin() + 15, [](std::uint8_t b) { return b == 0; });
    const bool mapped_v4 =
        std::all_of(a.bytes.begin(), a.bytes.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
        a.bytes[10] == 0xff && a.bytes[11] == 0xff;
    if (mapped_v4) {
        IpAddress v4;
        std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
        return guarded_address(v4);
    }
    return (zero_prefix && a.bytes[15] <= 1) || (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80);
}

std::optional<DnsQuery> parse_dns_query(std::string_view m) {
    // Header: id, flags (QR must be 0, opcode 0), one question.
    if (m.size() < 12)
        return std::nullopt;
    const auto u16 = [&m](std::size_t at) {
        return static_cast<std::uint16_t>(static_cast<std::uint8_t>(m[at]) << 8 |
                                          static_cast<std::uint8_t>(m[at + 1]));
    };
    DnsQuery q;
    q.id = u16(0);
    const std::uint16_t flags = u16(2);
    if ((flags & 0x8000) != 0 || ((flags >> 11) & 0xf) != 0 || u16(4) != 1)
        return std::nullopt;
    std::size_t at = 12;
    for (;;) {
        if (at >= m.size())
            return std::nullopt;
        const std::size_t len = static_cast<std::uint8_t>(m[at++]);
        if (len == 0)
            break;
        if (len > 63 || at + len > m.size() || q.name.size() + len + 1 > 253)  // no compression in a question
            return std::nullopt;
        if (!q.name.empty())
            q.name += '.';
        q.name.append(m.substr(at, len));
        at += len;
    }
    if (at + 4 > m.size())
        return std::nullopt;
    q.name = lower(q.name);
    q.type = u16(at);
    q.klass = u16(at + 2);
    q.question_end = at + 4;
    return q;
}

std::string dns_answer(std::string_view message, const DnsQuery& query, int rcode,
                       const std::optional<IpAddress>& address) {
    std::string out;
    const auto put16 = [&out](unsigned v) {
        out += static_cast<char>((v >> 8) & 0xff);
        out += static_cast<char>(v & 0xff);
    };
    put16(query.id);
    const unsigned rd = static_cast<std::uint8_t>(message[2]) & 0x01;  // recursion desired, echoed
    put16(0x8000 | rd << 8 | 0x0080 | static_cast<unsigned>(rcode));   // QR, RD as asked, RA
    put16(1);
    const bool answer = address && !address->v6;
    put16(answer ? 1 : 0);
    put16(0);
    put16(0);
    out.append(message.substr(12, query.question_end - 12));
    if (answer) {
        put16(0xc00c);  // the name: a pointer to the question's
        put16(kDnsTypeA);
        put16(1);  // IN
        put16(0);
        put16(60);  // TTL, seconds
        put16(4);
        for (int i = 0; i < 4; ++i) out += static_cast<char>(address->bytes[static_cast<std::size_t>(i)]);
    }
    return out;
}

}  // namespace cocoon
