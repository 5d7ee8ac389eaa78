// SPDX-License-Identifier: MIT
// --timeout/--kill-after durations and --rlimit names and values. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace cocoon {

constexpr std::uint64_t kRlimInfinity = ~0ULL;  // RLIM_INFINITY
constexpr int kRlimits = 16;                    // RLIMIT_NLIMITS on Linux

// "0.5", "10", "1.25" -> nanoseconds; at most 9 decimals, at most 10^8 seconds;
// zero and anything else (signs, exponents, blanks) are refused.
std::optional<std::uint64_t> parse_seconds(std::string_view text);

// prlimit(1)'s names: "NOFILE" -> RLIMIT_NOFILE (7); case-insensitive.
std::optional<int> rlimit_resource(std::string_view name);
std::string_view rlimit_name(int resource);

struct RlimitValue {
    std::uint64_t soft = 0;
    std::uint64_t hard = 0;
    friend bool operator==(const RlimitValue&, const RlimitValue&) = default;
};

// "64" (soft and hard), "64:128", "unlimited", "64:unlimited".
std::optional<RlimitValue> parse_rlimit_value(std::string_view text);

}  // namespace cocoon
