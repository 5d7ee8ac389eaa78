// SPDX-License-Identifier: MIT
// Small string helpers shared by every layer. [pure]
#include "base/strings.h"

#include <algorithm>

#include <fmt/format.h>

namespace cocoon {

namespace {

// Digits of `base` (up to 16, either case), at least one, nothing else; nullopt
// past `max`.
std::optional<std::uint64_t> parse_digits(std::string_view text, unsigned base, std::uint64_t max) {
    if (text.empty())
        return std::nullopt;
    std::uint64_t value = 0;
    for (const char ch : text) {
        unsigned d = 16;
        if (ch >= '0' && ch <= '9')
            d = static_cast<unsigned>(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = static_cast<unsigned>(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = static_cast<unsigned>(ch - 'A' + 10);
        if (d >= base || d > max || value > (max - d) / base)
            return std::nullopt;
        value = value * base + d;
    }
    return value;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
    return text.size() <= 20 ? parse_digits(text, 10, max) : std::nullopt;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(sep, start);
        if (end == std::string_view::npos) {
            out.push_back(text.substr(start));
            return out;
        }
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

std::string escape_for_terminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\x1b')
            out += "\\e";
        else if (u < 0x20 || u == 0x7f)
            out += fmt::format("\\x{:02x}", u);
        else
            out += c;
    }
    return out;
}

std::optional<std::uint64_t> parse_octal(std::string_view text, std::uint64_t max) {
    return text.size() <= 6 ? parse_digits(text, 8, max) : std::nullopt;
}

std::optional<std::uint64_t> parse_c_number(std::string_view text, std::uint64_t max) {
    if (text.empty() || text[0] < '0' || text[0] > '9')
        return std::nullopt;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        return parse_digits(text.substr(2), 16, max);
    if (text.size() > 1 && text[0] == '0')
        return parse_digits(text.substr(1), 8, max);
    return parse_digits(text, 10, max);
}

std::string shell_quote(std::string_view word) {
    const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_/.,:=+@%-").find(c) != std::string_view::npos;
    });
    if (safe)
        return std::string(word);
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace cocoon
