// SPDX-License-Identifier: MIT
// libFuzzer target: a profile's text (core/profile.h) expanded against a fake
// host, then parsed as cocoon's options are. The text may include itself and
// the built-ins, test conditions on a few paths and use a few variables.
// Crashes, sanitizer reports and timeouts are findings; an error for bad input
// is not. tests/fuzz/run.sh builds and runs it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/cli.h"
#include "core/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cocoon;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const ProfileHost host{
        .find = [&text](const std::string& name) -> Result<std::optional<ProfileText>> {
            if (name == "self" || name == "/etc/self")
                return std::optional<ProfileText>(ProfileText{name, text});
            if (const BuiltinProfile* b = find_builtin_profile(name))
                return std::optional<ProfileText>(ProfileText{name, std::string(b->text)});
            return std::optional<ProfileText>();
        },
        .file_type = [](const std::string& path) -> char {
            return path == "/bin" ? 'l' : path == "/lib" ? 'd' : path == "/etc/x" ? 'f' : 0;
        },
        .variable = [](std::string_view name) -> std::optional<std::string> {
            if (name == "HOME")
                return std::string("/home/u");
            if (name == "A")
                return std::string("a b");
            if (name == "EMPTY")
                return std::string();
            return std::nullopt;
        }};
    Result<std::vector<ProfileWord>> words = expand_profile("self", host);
    if (!words)
        return 0;
    CliIo io;
    io.profiles = host;
    io.fd_is_open = [](int) { return false; };
    io.read_fd = [](int) -> Result<std::string> { return fail(Error{EBADF, "no fds here"}); };
    static_cast<void>(parse_cli({"--profile", "self", "true"}, {"HOME=/home/u"}, io).has_value());
    return 0;
}
