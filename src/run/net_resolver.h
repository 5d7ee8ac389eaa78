// SPDX-License-Identifier: MIT
// --net-allow: names resolved by the host's resolver (getaddrinfo(3)) on
// threads of their own, so that a slow DNS server stalls only the
// connections that wait for it, never the relay's poll loop, the other
// connections or the signals it forwards. Answers are kept for a minute.
// [parent]
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/net_policy.h"
#include "os/unique_fd.h"

namespace cocoon {

class NetResolver {
public:
    NetResolver();
    ~NetResolver();
    NetResolver(const NetResolver&) = delete;
    NetResolver& operator=(const NetResolver&) = delete;

    // The address of `host` if known (an address as written, or a recent
    // answer); otherwise the lookup starts, and `ticket` comes back from
    // answers() once it is done.
    std::optional<std::optional<IpAddress>> lookup(const std::string& host, std::uint64_t ticket);
    // Readable when answers are waiting (an eventfd), or -1 before the first lookup.
    int fd() const;
    std::vector<std::pair<std::uint64_t, std::optional<IpAddress>>> answers();

    static constexpr int kThreads = 4;

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;  // the threads hold it too: they may outlive us
    std::map<std::string, std::pair<std::optional<IpAddress>, std::chrono::steady_clock::time_point>> cache_;
    int started_ = 0;
};

}  // namespace cocoon
