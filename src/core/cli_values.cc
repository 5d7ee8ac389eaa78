// SPDX-License-Identifier: MIT
// One option's value, checked: ids, maps, modes, sizes, fds, variable names. [pure]
#include "core/cli_values.h"

#include <algorithm>
#include <climits>
#include <cstdint>

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {

// uid_t is 32 bits and (uid_t)-1 means "no change" to the kernel, so it is not an id.
constexpr std::uint64_t kMaxId = 0xfffffffeU;

void set_env(std::vector<std::string>& env, const std::string& name, const std::string* value) {
    const std::string prefix = name + "=";
    std::erase_if(env, [&](const std::string& entry) { return entry.starts_with(prefix); });
    if (value != nullptr)
        env.push_back(prefix + *value);
}

Result<std::string> checked_env_name(const std::string& flag, const std::string& name) {
    // setenv(3) refuses these too; a name with '=' would inject a second variable.
    if (name.empty() || name.find('=') != std::string::npos)
        return fail(Error::usage(fmt::format("{}: invalid variable name '{}'", flag, name)));
    return name;
}

Result<std::uint32_t> parse_id(const std::string& text, std::string_view what) {
    const auto value = parse_decimal(text, kMaxId);
    if (!value)
        return fail(Error::usage(fmt::format("Invalid {}: {}", what, text)));
    return static_cast<std::uint32_t>(*value);
}

Result<MapEntry> parse_map(std::string_view flag, const std::vector<std::string>& v) {
    std::uint32_t n[3];
    for (std::size_t i = 0; i < 3; ++i) {
        const auto value = parse_decimal(v[i], 0xffffffffU);
        if (!value)
            return fail(
                Error::usage(fmt::format("{}: '{}' is not a number from 0 to 4294967295", flag, v[i])));
        n[i] = static_cast<std::uint32_t>(*value);
    }
    return MapEntry{n[0], n[1], n[2]};
}

Result<std::uint32_t> parse_mode(std::string_view flag, const std::string& text) {
    if (const auto value = parse_octal(text, 07777))
        return static_cast<std::uint32_t>(*value);
    return fail(Error::usage(fmt::format("{} takes an octal argument <= 07777", flag)));
}

// strtoull(3) with base 0, as bwrap reads it: decimal, 0x hex or 0 octal.
Result<std::uint64_t> parse_size(const std::string& text) {
    const auto value = parse_c_number(text, SIZE_MAX / 2);
    if (!value || *value == 0)
        return fail(Error::usage("--size takes a non-zero number of bytes"));
    return *value;
}

// N of "/proc/self/fd/N[/...]" (or thread-self).
std::optional<int> self_fd(std::string_view path) {
    for (std::string_view prefix : {"/proc/self/fd/", "/proc/thread-self/fd/"}) {
        if (!path.starts_with(prefix))
            continue;
        std::string_view rest = path.substr(prefix.size());
        rest = rest.substr(0, rest.find('/'));
        if (Result<int> fd = parse_fd_arg(std::string(rest)))
            return *fd;
    }
    return std::nullopt;
}

Result<std::string> checked_seccomp_data(Result<std::string> data) {
    if (!data)
        return fail(Error{data.error().errnum, "Can't read seccomp data"});
    if (data->size() % 8 != 0)
        return fail(Error::usage("Invalid seccomp data, must be multiple of 8"));
    // struct sock_fprog counts instructions in an unsigned short: a longer program
    // would be cut short silently, and a partial filter is worse than none.
    if (data->size() / 8 > 65535)
        return fail(Error::usage("Invalid seccomp data, more than 65535 instructions"));
    return std::move(*data);
}

Result<int> parse_fd_arg(const std::string& text) {
    const auto value = parse_decimal(text, INT_MAX);
    if (!value)
        return fail(Error::usage(fmt::format("Invalid fd: {}", text)));
    return static_cast<int>(*value);
}

}  // namespace cocoon
