// SPDX-License-Identifier: MIT
// The option table is the single source of truth: the man page must document
// every option in it, and --help must list every one.
#include <doctest/doctest.h>

#include <filesystem>

#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "core/options.h"

namespace cocoon {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST_CASE("the man page documents every option of the table") {
    const std::string man = read_file(COCOON_SOURCE_ROOT "/man/cocoon.1.scd");
    REQUIRE_FALSE(man.empty());
    for (const OptionSpec& spec : option_table()) {
        // scdoc: an option is documented as a bold term at the start of a line.
        const std::string term = "*" + std::string(spec.name) + "*";
        INFO("option ", spec.name);
        CHECK(man.find("\n" + term) != std::string::npos);
    }
}

TEST_CASE("--help lists every option with its arguments") {
    const std::string help = render_help("cocoon");
    CHECK(help.starts_with("usage: cocoon [OPTIONS...] [--] COMMAND [ARGS...]\n"));
    for (const OptionSpec& spec : option_table()) {
        std::string line(spec.name);
        for (const OptionArg& arg : spec.args) line += " " + std::string(arg.name);
        INFO("option ", spec.name);
        CHECK((help.find("\n  " + line + " ") != std::string::npos ||
               help.find("\n  " + line + "\n") != std::string::npos));
    }
    // 80 columns, and the way to the man page.
    for (const std::string_view l : split(help, '\n')) CHECK_MESSAGE(l.size() <= 80, l);
    CHECK(help.find("man cocoon") != std::string::npos);
}

TEST_CASE("option names are unique long options") {
    const auto table = option_table();
    for (std::size_t i = 0; i < table.size(); ++i) {
        CHECK(table[i].name.starts_with("--"));
        CHECK(find_option(table[i].name) == &table[i]);
    }
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("meson knows every integration script, so that each can be run alone") {
    const std::string meson = read_file(COCOON_SOURCE_ROOT "/tests/meson.build");
    int scripts = 0;
    for (const auto& entry : std::filesystem::directory_iterator(COCOON_SOURCE_ROOT "/tests/integration")) {
        const std::string file = entry.path().filename().string();
        if (!file.starts_with("t-") || !file.ends_with(".sh"))
            continue;
        ++scripts;
        const std::string name = file.substr(2, file.size() - 5);
        CHECK_MESSAGE(meson.find("'" + name + "'") != std::string::npos, name);
    }
    CHECK(scripts >= 20);
}

}  // namespace
}  // namespace cocoon
