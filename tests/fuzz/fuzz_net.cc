// SPDX-License-Identifier: MIT
// libFuzzer target: what the sandbox (or a command line) can hand cocoon's
// network relay (core/net_policy.h, core/net_sniff.h). The first byte picks: a
// --net-allow rule, a --net-resolve, a DNS message, or a connection's first
// bytes. Checks meaning, not only "no crash": a
// parsed rule allows what it names, a query's answer carries its id and
// question, a name that parses matches a Host rule made from it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/net_policy.h"
#include "core/net_sniff.h"

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
    switch (data[0] % 4) {
        case 0: {
            Result<NetRule> rule = parse_net_rule(text);
            if (!rule)
                return 0;
            NetPolicy p;
            p.rules = {*rule};
            const std::uint16_t port = rule->port.value_or(443);
            const bool udp = rule->udp;
            if (rule->kind == NetRule::Kind::Host)
                check(p.allows_name(rule->host, port, udp) != nullptr && p.knows_name(rule->host) &&
                      p.allows_name(rule->host, port, !udp) == nullptr);
            if (rule->kind == NetRule::Kind::Suffix)
                check(p.allows_name("x." + rule->host, port, udp) != nullptr &&
                      p.allows_name(rule->host, port, udp) == nullptr);
            if (rule->kind == NetRule::Kind::Network)
                check(p.allows_address(rule->network, port, udp) != nullptr);
            check(udp ? p.udp_ports().size() == 1 && p.ports().empty() && port != 53 : !p.ports().empty());
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
        case 3: {
            // A name is whole: any prefix that is cut short of the end of
            // what named it needs more, or names the same.
            const FirstBytes seen = sniff_first_bytes(text);
            if (seen.kind == FirstBytes::Named) {
                check(!seen.name.empty());
                for (const char c : seen.name) check(c < 'A' || c > 'Z');
            }
            if (text.size() > 1) {
                const FirstBytes cut = sniff_first_bytes(text.substr(0, text.size() - 1));
                check(cut.kind != FirstBytes::Named || seen.kind == FirstBytes::Named);
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
