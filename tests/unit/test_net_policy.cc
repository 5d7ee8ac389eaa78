// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "core/net_policy.h"
#include "core/net_sniff.h"

namespace cocoon {
namespace {

NetRule rule(std::string_view text) {
    Result<NetRule> r = parse_net_rule(text);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().context));
    return *r;
}

std::string rule_error(std::string_view text) {
    Result<NetRule> r = parse_net_rule(text);
    REQUIRE_FALSE(r);
    return r.error().context;
}

IpAddress ip(std::string_view text) {
    std::optional<IpAddress> a = parse_ip(text);
    REQUIRE(a);
    return *a;
}

TEST_CASE("--net-allow rules: names, domains, addresses, networks, ports") {
    CHECK(rule("Example.COM").host == "example.com");
    CHECK_FALSE(rule("example.com").port);
    CHECK(*rule("example.com:22").port == 22);
    CHECK(rule("*.github.com").kind == NetRule::Kind::Suffix);
    CHECK(rule("*.github.com:443").host == "github.com");
    CHECK(rule("10.0.0.0/8").kind == NetRule::Kind::Network);
    CHECK(rule("10.0.0.0/8").prefix == 8);
    CHECK(rule("192.168.1.5:5432").prefix == 32);
    CHECK(rule("[2001:db8::1]:443").network.v6);
    CHECK(rule("2001:db8::/32").prefix == 32);
    CHECK(rule_error("exa mple.com") == "--net-allow exa mple.com: 'exa mple.com' is not a host name");
    CHECK(rule_error("example.com:0") == "--net-allow example.com:0: '0' is not a port (1 to 65535)");
    CHECK(rule_error("example.com:99999") ==
          "--net-allow example.com:99999: '99999' is not a port (1 to 65535)");
    CHECK(rule_error("example.com:") == "--net-allow example.com:: '' is not a port (1 to 65535)");
    CHECK(rule_error("10.0.0.0/33") == "--net-allow 10.0.0.0/33: an IPv4 prefix is at most 32 bits");
    CHECK(rule_error("[::1") == "--net-allow [::1: an IPv6 address opened with '[' is not closed");
    CHECK(rule_error("*.") == "--net-allow *.: '*.' is not a host name");
    CHECK(rule_error("a..b") == "--net-allow a..b: 'a..b' is not a host name");
    CHECK(parse_net_rule("x y").error().hint.find("HOST:PORT") != std::string::npos);
}

TEST_CASE("addresses: parsed, printed, guarded") {
    CHECK(ip_text(ip("127.0.0.1")) == "127.0.0.1");
    CHECK(ip_text(ip("::1")) == "0:0:0:0:0:0:0:1");
    CHECK(ip_text(ip("2001:db8::ff00:42:8329")) == "2001:db8:0:0:0:ff00:42:8329");
    CHECK(ip_text(ip("::ffff:10.1.2.3")) == "0:0:0:0:0:ffff:a01:203");
    for (const char* bad :
         {"1.2.3", "1.2.3.256", "1.2.3.4.5", "01234.1.1.1", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7:8:9"})
        CHECK_MESSAGE(!parse_ip(bad), bad);
    for (const char* g :
         {"127.0.0.1", "127.9.9.9", "169.254.169.254", "0.0.0.0", "::1", "::", "fe80::1", "::ffff:127.0.0.1"})
        CHECK_MESSAGE(guarded_address(ip(g)), g);
    for (const char* open : {"93.184.216.34", "10.0.0.1", "2606:2800::1", "::ffff:8.8.8.8"})
        CHECK_MESSAGE(!guarded_address(ip(open)), open);
}

TEST_CASE("what a policy allows: names at their ports, addresses only by address rules") {
    NetPolicy p;
    p.rules = {rule("example.com"), rule("*.github.com:22"), rule("10.1.0.0/16:5432"),
               rule("[2001:db8::/32]:443")};
    CHECK(p.ports() == std::vector<std::uint16_t>{22, 80, 443, 5432});
    CHECK(p.allows_name("example.com", 443) != nullptr);
    CHECK(p.allows_name("EXAMPLE.com", 80) != nullptr);
    CHECK(p.allows_name("example.com", 22) == nullptr);
    CHECK(p.allows_name("www.example.com", 443) == nullptr);
    CHECK(p.allows_name("api.github.com", 22) != nullptr);
    CHECK(p.allows_name("github.com", 22) == nullptr);      // *.DOMAIN is below DOMAIN only
    CHECK(p.allows_name("evilgithub.com", 22) == nullptr);  // a label boundary, not a suffix of characters
    CHECK(p.knows_name("api.github.com"));
    CHECK_FALSE(p.knows_name("denied.test"));
    CHECK(p.allows_address(ip("10.1.200.3"), 5432) != nullptr);
    CHECK(p.allows_address(ip("10.2.0.1"), 5432) == nullptr);
    CHECK(p.allows_address(ip("10.1.0.1"), 443) == nullptr);
    CHECK(p.allows_address(ip("2001:db8:1::5"), 443) != nullptr);
    CHECK(p.allows_address(ip("93.184.216.34"), 443) == nullptr);  // names do not allow addresses
    p.resolve = {*parse_net_resolve("Allowed.test=127.0.0.1")};
    CHECK(ip_text(*p.resolved("allowed.test")) == "127.0.0.1");
    CHECK_FALSE(p.resolved("other.test"));
    CHECK(parse_net_resolve("x").error().context == "--net-resolve x: expected NAME=ADDRESS");
    CHECK(parse_net_resolve("a.test=nope").error().context ==
          "--net-resolve a.test=nope: 'nope' is not an IP address");
}

TEST_CASE("--net-upstream: an http:// or unix: CONNECT proxy") {
    CHECK(parse_net_upstream("http://proxy.corp:3128")->host == "proxy.corp");
    CHECK(parse_net_upstream("http://proxy.corp:3128/")->port == 3128);
    CHECK(parse_net_upstream("http://[::1]:8080")->host == "::1");
    CHECK(parse_net_upstream("unix:/run/proxy.sock")->unix_path == "/run/proxy.sock");
    CHECK(parse_net_upstream("http://proxy.corp").error().context ==
          "--net-upstream http://proxy.corp: a port is needed (http://HOST:PORT)");
    CHECK(parse_net_upstream("unix:relative").error().context ==
          "--net-upstream unix:relative: the socket's path must be absolute and shorter than 108 bytes");
    CHECK(parse_net_upstream("socks5://x:1").error().hint ==
          "expected http://HOST:PORT or unix:/PATH of an HTTP CONNECT proxy");
}

TEST_CASE("fake addresses stand for names and map back") {
    CHECK(ip_text(fake_address(0)) == "198.18.0.1");
    CHECK(ip_text(fake_address(65534)) == "198.18.255.255");
    CHECK(ip_text(fake_address(kFakeAddresses - 1)) == "198.19.255.254");
    for (std::uint32_t i : {0U, 1U, 255U, 65535U, 70000U, kFakeAddresses - 1})
        CHECK(fake_index(fake_address(i)) == i);
    CHECK_FALSE(fake_index(ip("198.18.0.0")));
    CHECK_FALSE(fake_index(ip("198.19.255.255")));
    CHECK_FALSE(fake_index(ip("10.0.0.1")));
}

std::string query(std::string_view name, std::uint16_t type, std::uint16_t id = 0x1234) {
    std::string m = {
        static_cast<char>(id >> 8), static_cast<char>(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t at = 0;
    while (at <= name.size()) {
        const std::size_t dot = std::min(name.find('.', at), name.size());
        m += static_cast<char>(dot - at);
        m.append(name.substr(at, dot - at));
        at = dot + 1;
    }
    m += '\0';
    m += static_cast<char>(type >> 8);
    m += static_cast<char>(type & 0xff);
    m += '\0';
    m += '\1';
    return m;
}

TEST_CASE("the DNS stub's messages") {
    const std::string q = query("Allowed.Test", kDnsTypeA);
    const std::optional<DnsQuery> parsed = parse_dns_query(q);
    REQUIRE(parsed);
    CHECK(parsed->name == "allowed.test");
    CHECK(parsed->type == kDnsTypeA);
    CHECK(parsed->id == 0x1234);
    const std::string a = dns_answer(q, *parsed, kDnsNoError, fake_address(0));
    CHECK(a.substr(0, 2) == q.substr(0, 2));
    CHECK((static_cast<unsigned char>(a[2]) & 0x80) != 0);  // a response
    CHECK((static_cast<unsigned char>(a[3]) & 0x0f) == 0);
    CHECK(a[7] == 1);  // one answer
    CHECK(a.substr(a.size() - 4) == std::string("\xc6\x12\x00\x01", 4));
    const std::string nx = dns_answer(q, *parsed, kDnsNxDomain, std::nullopt);
    CHECK((static_cast<unsigned char>(nx[3]) & 0x0f) == kDnsNxDomain);
    CHECK(nx[7] == 0);
    CHECK(nx.size() == q.size());
    // Not queries: too short, a response, no question, a label past the end, compression.
    CHECK_FALSE(parse_dns_query("abc"));
    std::string response = q;
    response[2] = static_cast<char>(0x81);
    CHECK_FALSE(parse_dns_query(response));
    std::string none = q;
    none[5] = 0;
    CHECK_FALSE(parse_dns_query(none));
    CHECK_FALSE(parse_dns_query(q.substr(0, 15)));
    std::string pointer = q.substr(0, 12) + "\xc0\x0c" + q.substr(q.size() - 4);
    CHECK_FALSE(parse_dns_query(pointer));
}

// A ClientHello as a TLS client writes it: one record, a cipher suite, an
// extension before the server name (or none).
std::string client_hello(std::string_view name, std::size_t record_extra = 0) {
    const auto u16 = [](std::size_t v) {
        return std::string{static_cast<char>(v >> 8), static_cast<char>(v)};
    };
    std::string ext = u16(10) + u16(4) + u16(2) + u16(29);  // supported_groups: x25519
    if (!name.empty()) {
        const std::string entry = std::string(1, '\0') + u16(name.size()) + std::string(name);
        ext += u16(0) + u16(entry.size() + 2) + u16(entry.size()) + entry;
    }
    std::string body = u16(0x0303) + std::string(32, 'r') + std::string(1, '\0') + u16(2) + u16(0x1301) +
                       std::string(1, '\1') + std::string(1, '\0') + u16(ext.size()) + ext;
    std::string hs = std::string(1, '\1') + std::string(1, '\0') + u16(body.size()) + body;
    return std::string(1, '\x16') + u16(0x0301) + u16(hs.size() + record_extra) + hs;
}

TEST_CASE("the cross-check reads a ClientHello's server name, whole or not at all") {
    const std::string hello = client_hello("Example.COM.");
    const FirstBytes seen = sniff_first_bytes(hello);
    CHECK(seen.kind == FirstBytes::Named);
    CHECK(seen.name == "example.com");
    for (std::size_t n = 0; n < hello.size(); ++n)
        CHECK_MESSAGE(sniff_first_bytes(hello.substr(0, n)).kind == FirstBytes::NeedMore, n);
    CHECK(sniff_first_bytes(hello + "more").name == "example.com");        // early data after it
    CHECK(sniff_first_bytes(client_hello("")).kind == FirstBytes::Other);  // no server name
    // A handshake longer than its record (a ClientHello over two records) cannot be read here.
    std::string split = client_hello("a.test");
    split[8] = static_cast<char>(split[8] + 1);  // the handshake's length, low byte
    CHECK(sniff_first_bytes(split).kind == FirstBytes::Unreadable);
    std::string huge = client_hello("a.test");
    huge[3] = static_cast<char>(0x41);  // a record over 16 KiB
    CHECK(sniff_first_bytes(huge).kind == FirstBytes::Unreadable);
    std::string not_hello = client_hello("a.test");
    not_hello[5] = 2;  // server_hello
    CHECK(sniff_first_bytes(not_hello).kind == FirstBytes::Unreadable);
}

TEST_CASE("the cross-check reads an HTTP request's Host; other protocols pass") {
    const std::string get = "GET /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT:  A.test:8080 \r\n\r\n";
    CHECK(sniff_first_bytes(get).kind == FirstBytes::Named);
    CHECK(sniff_first_bytes(get).name == "a.test");
    for (std::size_t n = 0; n < get.size(); ++n)
        CHECK_MESSAGE(sniff_first_bytes(get.substr(0, n)).kind == FirstBytes::NeedMore, n);
    CHECK(sniff_first_bytes("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n").name == "::1");
    CHECK(sniff_first_bytes("GET / HTTP/1.0\r\n\r\n").kind == FirstBytes::Other);
    CHECK(sniff_first_bytes("GET / HTTP/1.1\r\nHost:\r\n\r\n").kind == FirstBytes::Unreadable);
    CHECK(sniff_first_bytes("GET /" + std::string(kSniffMax, 'a')).kind == FirstBytes::Unreadable);
    CHECK(sniff_first_bytes("SSH-2.0-OpenSSH_9.2\r\n").kind == FirstBytes::Other);
    CHECK(sniff_first_bytes("0032git-upload-pack").kind == FirstBytes::Other);
    CHECK(sniff_first_bytes(std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8)).kind == FirstBytes::Other);
    CHECK(sniff_first_bytes(" GET").kind == FirstBytes::Other);
    CHECK(sniff_first_bytes("").kind == FirstBytes::NeedMore);
}

TEST_CASE("the proxy's requests: CONNECT, and plain HTTP sent on in origin form, one per connection") {
    const ProxyRequest connect = parse_proxy_request("CONNECT Example.COM:443 HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(connect.status.empty());
    CHECK(connect.connect);
    CHECK(connect.host == "example.com");
    CHECK(connect.port == 443);
    CHECK(connect.forward.empty());
    CHECK(parse_proxy_request("CONNECT [::1]:22 HTTP/1.1\r\n\r\n").host == "::1");
    CHECK(parse_proxy_request("CONNECT a.test HTTP/1.1\r\n\r\n").status == "400 Bad Request");  // no port
    const ProxyRequest get = parse_proxy_request(
        "GET http://A.test:8080/x/y?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nProxy-Connection: keep-alive\r\n"
        "Connection: keep-alive\r\nAccept: */*\r\n\r\n");
    CHECK(get.status.empty());
    CHECK_FALSE(get.connect);
    CHECK(get.host == "a.test");
    CHECK(get.port == 8080);
    CHECK(get.forward ==
          "GET /x/y?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    const ProxyRequest bare = parse_proxy_request("POST http://b.test HTTP/1.0\r\n\r\n");
    CHECK(bare.port == 80);
    CHECK(bare.forward == "POST / HTTP/1.0\r\nConnection: close\r\n\r\n");
    CHECK(parse_proxy_request("GET https://a.test/ HTTP/1.1\r\n\r\n").status == "405 Method Not Allowed");
    CHECK(parse_proxy_request("GET /origin HTTP/1.1\r\n\r\n").status == "405 Method Not Allowed");
    CHECK(parse_proxy_request("GET http://u:p@a.test/ HTTP/1.1\r\n\r\n").status == "400 Bad Request");
    CHECK(parse_proxy_request("GET http://a.test:0/ HTTP/1.1\r\n\r\n").status == "400 Bad Request");
    CHECK(parse_proxy_request("GET http://a.test:99999/ HTTP/1.1\r\n\r\n").status == "400 Bad Request");
    CHECK(parse_proxy_request("nonsense\r\n\r\n").status == "400 Bad Request");
}

TEST_CASE("UDP rules: a port, not 53; they allow datagrams only, and TCP rules no datagrams") {
    const Result<NetRule> udp = parse_net_rule("ntp.test:123/udp");
    REQUIRE(udp);
    CHECK(udp->udp);
    CHECK(udp->port == 123);
    CHECK(parse_net_rule("10.0.0.0/8:5000/UDP")->udp);
    CHECK(parse_net_rule("[::1]:5000/udp")->network.v6);
    CHECK_FALSE(parse_net_rule("a.test:443/tcp")->udp);
    CHECK(parse_net_rule("a.test/udp").error().context ==
          "--net-allow a.test/udp: a UDP rule needs a port (HOST:PORT/udp)");
    CHECK(parse_net_rule("a.test:53/udp").error().context ==
          "--net-allow a.test:53/udp: DNS (UDP port 53) is answered by cocoon; allow the names instead");
    NetPolicy p;
    p.rules = {*udp, *parse_net_rule("10.0.0.0/8:5000/udp"), *parse_net_rule("web.test")};
    CHECK(p.allows_name("ntp.test", 123, true) != nullptr);
    CHECK(p.allows_name("ntp.test", 123) == nullptr);
    CHECK(p.allows_name("web.test", 443, true) == nullptr);
    CHECK(p.allows_address(*parse_ip("10.1.2.3"), 5000, true) != nullptr);
    CHECK(p.allows_address(*parse_ip("10.1.2.3"), 5000) == nullptr);
    CHECK(p.udp_ports() == std::vector<std::uint16_t>{123, 5000});
    CHECK(p.ports() == std::vector<std::uint16_t>{80, 443});
    CHECK(p.knows_name("ntp.test"));
}

}  // namespace
}  // namespace cocoon
