// SPDX-License-Identifier: MIT
#include "run/net_resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "os/fd.h"

namespace cocoon {
namespace {

constexpr auto kKeep = std::chrono::seconds(60);

// The host's resolver's first answer, as the host would connect.
std::optional<IpAddress> ask_host(const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
        return std::nullopt;
    IpAddress ip;
    if (found->ai_family == AF_INET6) {
        ip.v6 = true;
        std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr, 16);
    } else {
        std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr, 4);
    }
    ::freeaddrinfo(found);
    return ip;
}

}  // namespace

struct NetResolver::Shared {
    std::mutex lock;
    std::condition_variable work;
    std::deque<std::pair<std::uint64_t, std::string>> asked;
    std::vector<std::tuple<std::uint64_t, std::string, std::optional<IpAddress>>> done;
    UniqueFd ready;  // an eventfd, written once per answer
    bool closing = false;
};

NetResolver::NetResolver() : shared_(std::make_shared<Shared>()) {}

NetResolver::~NetResolver() {
    // Threads still in getaddrinfo finish on their own (they hold `shared_`);
    // the process may end first, which ends them.
    const std::lock_guard<std::mutex> hold(shared_->lock);
    shared_->closing = true;
    shared_->asked.clear();
    shared_->work.notify_all();
}

int NetResolver::fd() const {
    return shared_->ready ? shared_->ready.get() : -1;
}

std::optional<std::optional<IpAddress>> NetResolver::lookup(const std::string& host, std::uint64_t ticket) {
    if (const std::optional<IpAddress> literal = parse_ip(host))
        return literal;
    const auto now = std::chrono::steady_clock::now();
    if (auto it = cache_.find(host); it != cache_.end()) {
        if (now - it->second.second < kKeep)
            return it->second.first;
        cache_.erase(it);
    }
    if (!shared_->ready) {
        Result<UniqueFd> ready = make_eventfd();
        if (!ready)  // no fd to wake us: ask here, as the loop's own wait
            return ask_host(host);
        shared_->ready = std::move(*ready);
    }
    {
        const std::lock_guard<std::mutex> hold(shared_->lock);
        shared_->asked.emplace_back(ticket, host);
    }
    shared_->work.notify_one();
    if (started_ < kThreads) {
        ++started_;
        std::thread([shared = shared_] {
            std::unique_lock<std::mutex> hold(shared->lock);
            for (;;) {
                shared->work.wait(hold, [&] { return shared->closing || !shared->asked.empty(); });
                if (shared->closing)
                    return;
                auto [ticket, host] = std::move(shared->asked.front());
                shared->asked.pop_front();
                hold.unlock();
                std::optional<IpAddress> found = ask_host(host);
                hold.lock();
                if (shared->closing)
                    return;
                shared->done.emplace_back(ticket, std::move(host), found);
                const std::uint64_t one = 1;
                static_cast<void>(::write(shared->ready.get(), &one, sizeof one));
            }
        }).detach();
    }
    return std::nullopt;
}

std::vector<std::pair<std::uint64_t, std::optional<IpAddress>>> NetResolver::answers() {
    std::uint64_t count = 0;
    static_cast<void>(::read(shared_->ready.get(), &count, sizeof count));
    std::vector<std::tuple<std::uint64_t, std::string, std::optional<IpAddress>>> done;
    {
        const std::lock_guard<std::mutex> hold(shared_->lock);
        done.swap(shared_->done);
    }
    std::vector<std::pair<std::uint64_t, std::optional<IpAddress>>> out;
    const auto now = std::chrono::steady_clock::now();
    for (auto& [ticket, host, found] : done) {
        if (found)  // a failure is asked again next time: it may have been passing
            cache_[host] = {found, now};
        out.emplace_back(ticket, found);
    }
    return out;
}

}  // namespace cocoon
