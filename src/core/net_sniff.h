// SPDX-License-Identifier: MIT
// --net-allow's cross-check: the name a connection's first bytes ask for, a
// TLS ClientHello's server name (RFC 8446 4.1.2, RFC 6066 3) or an HTTP/1
// request's Host, so that a connection made to an allowed name cannot ask
// the server for another. [pure]
#pragma once
#include <cstddef>
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

}  // namespace cocoon
