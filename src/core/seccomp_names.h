// SPDX-License-Identifier: MIT
// Names a seccomp policy may use: errno values, constants for argument
// conditions, syscall groups, the built-in profiles. Numbers are the x86 and
// generic Linux ABI values; a unit test checks them against the system headers.
// [pure]
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cocoon::seccomp {

std::optional<int> errno_value(std::string_view name);               // "EPERM" -> 1
std::string_view errno_name(int value);                              // 1 -> "EPERM"; "" if unnamed
std::optional<std::uint64_t> constant_value(std::string_view name);  // "TIOCSTI" -> 0x5412

struct Group {
    std::string_view name;     // "@keyring"
    std::string_view members;  // space-separated syscall names
    std::string_view summary;
};
std::span<const Group> groups();
const Group* find_group(std::string_view name);

struct Builtin {
    std::string_view name;  // "default", "none"
    std::string_view text;  // the policy in the text format; empty for "none"
    std::string_view summary;
};
std::span<const Builtin> builtin_profiles();
const Builtin* find_builtin(std::string_view name);

}  // namespace cocoon::seccomp
