// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "base/error.h"
#include "base/strings.h"

namespace cocoon {
namespace {

TEST_CASE("parse_decimal: a digit above a small maximum") {
    CHECK(!cocoon::parse_decimal("7", 5));
    CHECK(*cocoon::parse_decimal("5", 5) == 5);
    CHECK(!cocoon::parse_decimal("10", 9));
}

TEST_CASE("parse_decimal accepts plain digits only, within the limit") {
    CHECK(parse_decimal("0", 10) == 0u);
    CHECK(parse_decimal("4294967294", 0xfffffffeU) == 4294967294u);
    CHECK_FALSE(parse_decimal("4294967295", 0xfffffffeU));
    CHECK_FALSE(parse_decimal("99999999999999999999999", UINT64_MAX));
    CHECK_FALSE(parse_decimal("", 10));
    CHECK_FALSE(parse_decimal(" 3", 10));
    CHECK_FALSE(parse_decimal("3x", 10));
    CHECK_FALSE(parse_decimal("-1", 10));
    CHECK_FALSE(parse_decimal("+1", 10));
}

TEST_CASE("split keeps empty fields") {
    CHECK(split("a::b", ':') == std::vector<std::string_view>{"a", "", "b"});
    CHECK(split("", ':') == std::vector<std::string_view>{""});
}

TEST_CASE("messages escape control characters so input cannot drive the terminal") {
    CHECK(escape_for_terminal("a\x1b[2Jb\n") == "a\\e[2Jb\\n");
    CHECK(escape_for_terminal("\x07") == "\\x07");
    const MessageStyle cocoon_style{Personality::Cocoon, false};
    CHECK(format_error(Error{ENOENT, "Can't find source path /x\x1b"}, cocoon_style) ==
          "cocoon: Can't find source path /x\\e: No such file or directory");
    const MessageStyle bwrap_style{Personality::Bwrap, true};
    CHECK(format_error(Error::usage("Unknown option --foo"), bwrap_style) ==
          "<3>bwrap: Unknown option --foo");
    CHECK(format_warning("Only the last --chdir option will take effect", bwrap_style) ==
          "<4>bwrap: Only the last --chdir option will take effect");
}

}  // namespace
}  // namespace cocoon
