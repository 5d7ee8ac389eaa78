// SPDX-License-Identifier: MIT
// libFuzzer target: what the sandbox (or a command line) can hand cocoon's
// network relay (core/net_policy.h). The first byte picks: a --net-allow rule,
// a --net-resolve, or a DNS message. Checks meaning, not only "no crash": a
// parsed rule allows what it names, a query's answer carries its id and
// question, a name that parses matches a Host rule made from it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/net_policy.h"

namespace {

void check(bool ok) {
    if (!ok)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cocoon;
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0: {
            Result<NetRule> rule = parse_net_rule(text);
            if (!rule)
                return 0;
            NetPolicy p;
            p.rules = {*rule};
            const std::uint16_t port = rule->port.value_or(443);
            if (rule->kind == NetRule::Kind::Host)
                check(p.allows_name(rule->host, port) != nullptr && p.knows_name(rule->host));
            if (rule->kind == NetRule::Kind::Suffix)
                check(p.allows_name("x." + rule->host, port) != nullptr &&
                      p.allows_name(rule->host, port) == nullptr);
            if (rule->kind == NetRule::Kind::Network)
                check(p.allows_address(rule->network, port) != nullptr);
            check(!p.ports().empty());
            break;
        }
        case 1: {
            Result<NetResolve> r = parse_net_resolve(text);
            if (r) {
                const std::optional<IpAddress> again = parse_ip(ip_text(r->address));
                check(again && *again == r->address);  // what is printed parses back the same
            }
            break;
        }
        default: {
            const std::optional<DnsQuery> q = parse_dns_query(text);
            if (!q)
                return 0;
            const std::string answer = dns_answer(text, *q, kDnsNoError, fake_address(7));
            check(answer.size() >= q->question_end);
            check(answer.compare(0, 2, text.substr(0, 2)) == 0);
            check(answer.compare(12, q->question_end - 12, text.substr(12, q->question_end - 12)) == 0);
            check(fake_index(fake_address(7)) == 7U);
            break;
        }
    }
    return 0;
}
