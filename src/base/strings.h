// SPDX-License-Identifier: MIT
// Small string helpers shared by every layer: strict number parsing and quoting. [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cocoon {

// Strict decimal: digits only, no sign, no spaces, no leading '+', value <= max.
// Unlike strtol this refuses " 3", "3x" and overflow (HACKING.md, security rule 6).
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max);

// Octal digits only ("0755", "755"), at most 6 of them, value <= max.
std::optional<std::uint64_t> parse_octal(std::string_view text, std::uint64_t max);

// A number as strtoull(3) reads it with base 0 (decimal, 0x hex, 0 octal), but
// strictly: digits of that base only, no sign, no overflow past `max`.
std::optional<std::uint64_t> parse_c_number(std::string_view text, std::uint64_t max);

// Splits `text` on `sep`, keeping empty fields.
std::vector<std::string_view> split(std::string_view text, char sep);
// Not of a temporary string: the views would outlive it (a range-for over
// split(read_text(...)) did, found by the sanitizer run of the integration tests).
template <typename S>
requires std::is_same_v<S, std::string> std::vector<std::string_view> split(S&& text, char sep)
= delete;

// Makes user input safe to print on a terminal: control characters and DEL
// become \n, \t, \e or \xNN, so a message cannot inject escape sequences.
std::string escape_for_terminal(std::string_view text);

// `word` as a POSIX shell reads it back: as is if it holds only safe
// characters, else in single quotes ("''" for the empty word).
std::string shell_quote(std::string_view word);

}  // namespace cocoon
