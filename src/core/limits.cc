// SPDX-License-Identifier: MIT
// Parsing durations and resource limits. [pure]
#include "core/limits.h"

#include <cctype>
#include <string>

#include "base/strings.h"

namespace cocoon {
namespace {

// The RLIMIT_* numbers of asm-generic/resource.h (x86 and arm use them too).
constexpr std::string_view kNames[kRlimits] = {
    "CPU",     "FSIZE", "DATA",  "STACK",      "CORE",     "RSS",  "NPROC",  "NOFILE",
    "MEMLOCK", "AS",    "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"};

std::optional<std::uint64_t> limit(std::string_view text) {
    if (text == "unlimited" || text == "infinity")
        return kRlimInfinity;
    return parse_decimal(text, kRlimInfinity - 1);
}

}  // namespace

std::optional<std::uint64_t> parse_seconds(std::string_view text) {
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if ((whole.empty() && frac.empty()) || frac.size() > 9 || (dot != std::string_view::npos && frac.empty()))
        return std::nullopt;
    std::uint64_t seconds = 0;
    if (!whole.empty()) {
        const auto w = parse_decimal(whole, 100000000);
        if (!w)
            return std::nullopt;
        seconds = *w;
    }
    std::uint64_t nanos = 0;
    if (!frac.empty()) {
        const auto f = parse_decimal(frac, 999999999);
        if (!f)
            return std::nullopt;
        nanos = *f;
        for (std::size_t i = frac.size(); i < 9; ++i) nanos *= 10;
    }
    const std::uint64_t total = seconds * 1000000000ULL + nanos;
    return total == 0 ? std::nullopt : std::optional<std::uint64_t>(total);
}

std::optional<int> rlimit_resource(std::string_view name) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.starts_with("RLIMIT_"))
        upper.erase(0, 7);
    for (int i = 0; i < kRlimits; ++i)
        if (kNames[i] == upper)
            return i;
    return std::nullopt;
}

std::string_view rlimit_name(int resource) {
    return resource >= 0 && resource < kRlimits ? kNames[resource] : std::string_view("?");
}

std::optional<RlimitValue> parse_rlimit_value(std::string_view text) {
    const std::size_t colon = text.find(':');
    const auto soft = limit(text.substr(0, colon));
    if (!soft)
        return std::nullopt;
    if (colon == std::string_view::npos)
        return RlimitValue{*soft, *soft};
    const auto hard = limit(text.substr(colon + 1));
    if (!hard)
        return std::nullopt;
    return RlimitValue{*soft, *hard};
}

}  // namespace cocoon
