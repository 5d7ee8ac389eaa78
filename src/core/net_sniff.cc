// SPDX-License-Identifier: MIT
#include "core/net_sniff.h"

#include <cctype>
#include <cstdint>
#include <optional>

namespace cocoon {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!out.empty() && out.back() == '.') out.pop_back();  // "example.com." is example.com
    return out;
}

// A bounds-checked reader over a byte string.
struct Reader {
    std::string_view d;
    std::size_t at = 0;
    bool ok = true;
    std::uint32_t take(std::size_t n) {
        if (!ok || d.size() - at < n) {
            ok = false;
            return 0;
        }
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(d[at + i]);
        at += n;
        return v;
    }
    std::string_view bytes(std::size_t n) {
        if (!ok || d.size() - at < n) {
            ok = false;
            return {};
        }
        const std::string_view v = d.substr(at, n);
        at += n;
        return v;
    }
    void skip(std::size_t n) { bytes(n); }
};

// A TLS record (0x16: handshake) holding a whole ClientHello.
FirstBytes tls(std::string_view data) {
    if (data.size() < 5)
        return {};
    const std::size_t record = static_cast<unsigned char>(data[3]) << 8 | static_cast<unsigned char>(data[4]);
    if (record < 4 || record > 16384)
        return {FirstBytes::Unreadable, {}};
    if (data.size() < 5 + record)
        return {};
    Reader r{data.substr(5, record)};
    if (r.take(1) != 1)  // client_hello
        return {FirstBytes::Unreadable, {}};
    const std::size_t length = r.take(3);
    if (length > record - 4)  // a ClientHello spread over records
        return {FirstBytes::Unreadable, {}};
    Reader h{r.bytes(length)};
    h.skip(2 + 32);     // legacy_version, random
    h.skip(h.take(1));  // legacy_session_id
    h.skip(h.take(2));  // cipher_suites
    h.skip(h.take(1));  // legacy_compression_methods
    if (h.ok && h.at == h.d.size())
        return {FirstBytes::Other, {}};  // no extensions: no name
    Reader ext{h.bytes(h.take(2))};
    if (!h.ok)
        return {FirstBytes::Unreadable, {}};
    while (ext.ok && ext.at < ext.d.size()) {
        const std::uint32_t type = ext.take(2);
        Reader body{ext.bytes(ext.take(2))};
        if (!ext.ok)
            break;
        if (type != 0)  // server_name
            continue;
        Reader list{body.bytes(body.take(2))};
        while (list.ok && list.at < list.d.size()) {
            const std::uint32_t kind = list.take(1);
            const std::string_view name = list.bytes(list.take(2));
            if (list.ok && kind == 0 && !name.empty())  // host_name
                return {FirstBytes::Named, lower(name)};
        }
        return {FirstBytes::Unreadable, {}};
    }
    return ext.ok ? FirstBytes{FirstBytes::Other, {}} : FirstBytes{FirstBytes::Unreadable, {}};
}

// "METHOD TARGET HTTP/1.x", headers, an empty line.
FirstBytes http(std::string_view data) {
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return data.size() >= kSniffMax ? FirstBytes{FirstBytes::Unreadable, {}} : FirstBytes{};
    std::string_view rest = data.substr(0, end + 2);
    rest.remove_prefix(rest.find("\r\n") + 2);  // the request line
    while (!rest.empty()) {
        const std::size_t eol = rest.find("\r\n");
        const std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || lower(line.substr(0, colon)) != "host")
            continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        if (!value.empty() && value.front() == '[') {  // [v6]:port
            const std::size_t close = value.find(']');
            value = close == std::string_view::npos ? value : value.substr(1, close - 1);
        } else if (const std::size_t port = value.rfind(':'); port != std::string_view::npos) {
            value = value.substr(0, port);
        }
        return value.empty() ? FirstBytes{FirstBytes::Unreadable, {}}
                             : FirstBytes{FirstBytes::Named, lower(value)};
    }
    return {FirstBytes::Other, {}};  // HTTP/1.0 without Host
}

}  // namespace

FirstBytes sniff_first_bytes(std::string_view data) {
    if (data.empty())
        return {};
    if (data[0] == 0x16)
        return data.size() < 2 || data[1] == 0x03 ? tls(data) : FirstBytes{FirstBytes::Other, {}};
    // An HTTP method: upper-case letters, then a space (RFC 9110 9.1).
    for (std::size_t i = 0; i < data.size() && i <= 16; ++i) {
        const char c = data[i];
        if (c == ' ')
            return i == 0 ? FirstBytes{FirstBytes::Other, {}} : http(data);
        if (c < 'A' || c > 'Z')
            return {FirstBytes::Other, {}};
    }
    return data.size() > 16 ? FirstBytes{FirstBytes::Other, {}} : FirstBytes{};
}

ProxyRequest parse_proxy_request(std::string_view head) {
    ProxyRequest r;
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (eol == std::string_view::npos || sp1 == std::string_view::npos || sp1 == sp2 ||
        !line.substr(sp2 + 1).starts_with("HTTP/1.")) {
        r.status = "400 Bad Request";
        return r;
    }
    const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                           version = line.substr(sp2 + 1);
    std::string_view authority;
    std::string_view path = "/";
    if (method == "CONNECT") {
        r.connect = true;
        authority = target;
    } else if (lower(target.substr(0, 7)) == "http://") {
        authority = target.substr(7);
        if (const std::size_t slash = authority.find_first_of("/?"); slash != std::string_view::npos) {
            path = authority.substr(slash);
            authority = authority.substr(0, slash);
        }
        if (path.front() == '?') {
            r.status = "400 Bad Request";  // "http://host?q": no path before the query
            return r;
        }
    } else {
        r.status = "405 Method Not Allowed";  // https:// and others go through CONNECT
        return r;
    }
    if (authority.find('@') != std::string_view::npos) {
        r.status = "400 Bad Request";  // userinfo (RFC 9110 4.2.4: deprecated in http URIs)
        return r;
    }
    std::string_view host = authority, port_text;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            r.status = "400 Bad Request";
            return r;
        }
        host = authority.substr(1, close - 1);
        if (authority.size() > close + 1) {
            if (authority[close + 1] != ':') {
                r.status = "400 Bad Request";
                return r;
            }
            port_text = authority.substr(close + 2);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
    }
    unsigned long port = r.connect ? 0 : 80;
    if (!port_text.empty() || r.connect) {
        if (port_text.empty() || port_text.size() > 5 ||
            port_text.find_first_not_of("0123456789") != std::string_view::npos) {
            r.status = "400 Bad Request";
            return r;
        }
        port = std::stoul(std::string(port_text));
    }
    if (host.empty() || port == 0 || port > 65535) {
        r.status = "400 Bad Request";
        return r;
    }
    r.host = lower(host);
    r.port = static_cast<std::uint16_t>(port);
    if (r.connect)
        return r;
    // Origin form, and only this request: hop-by-hop headers of the
    // client's (RFC 9110 7.6.1) go, ours says close.
    r.forward = std::string(method) + " " + std::string(path) + " " + std::string(version) + "\r\n";
    std::string_view rest = head.substr(eol + 2);
    while (!rest.empty() && !rest.starts_with("\r\n")) {
        const std::size_t end = rest.find("\r\n");
        const std::string_view header = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
        const std::string name = lower(header.substr(0, header.find(':')));
        if (name == "connection" || name == "proxy-connection" || name == "keep-alive" ||
            name == "proxy-authorization")
            continue;
        r.forward.append(header).append("\r\n");
    }
    r.forward += "Connection: close\r\n\r\n";
    return r;
}

}  // namespace cocoon
