// SPDX-License-Identifier: MIT
// --net-allow's cross-check: the name a connection's first bytes ask for, a
// TLS ClientHello's server name (RFC 8446 4.1.2, RFC 6066 3) or an HTTP/1
// request's Host, so that a connection made to an allowed name cannot ask
// the server for another. [pure]
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cocoon {

struct FirstBytes {
    enum Kind {
        NeedMore,    // not enough to tell yet
        Other,       // neither TLS nor HTTP/1, or one that names no host: nothing to check
        Named,       // `name`: the server name or Host, lower case, without a port
        Unreadable,  // TLS or HTTP too large or malformed to be read here: refused
    };
    Kind kind = NeedMore;
    std::string name;
};

// What the client's first bytes are; at most kSniffMax of them are looked at.
inline constexpr std::size_t kSniffMax = 16384 + 5;
FirstBytes sniff_first_bytes(std::string_view data);

// A request to cocoon's HTTP proxy (HTTPS_PROXY, HTTP_PROXY): "CONNECT
// HOST:PORT HTTP/1.x", or a plain-HTTP request in absolute form ("GET
// http://HOST[:PORT]/PATH HTTP/1.1", RFC 9112 3.2.2), which is sent on in
// origin form with "Connection: close" (one request per connection, so that
// a kept-alive proxy connection can never carry a request to another host).
struct ProxyRequest {
    std::string status;  // an error to answer with ("405 Method Not Allowed"); empty: fine
    bool connect = false;
    std::string host;  // lower case, without brackets
    std::uint16_t port = 0;
    std::string forward;  // plain HTTP: the request line and headers to send on
};
// `head`: the request up to and including its empty line.
ProxyRequest parse_proxy_request(std::string_view head);

}  // namespace cocoon
