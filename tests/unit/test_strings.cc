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

TEST_CASE("parse_octal: modes as --chmod and --perms take them") {
    CHECK(*cocoon::parse_octal("0755", 07777) == 0755);
    CHECK(*cocoon::parse_octal("7777", 07777) == 07777);
    CHECK(!cocoon::parse_octal("10000", 07777));
    CHECK(!cocoon::parse_octal("", 07777));
    CHECK(!cocoon::parse_octal("0758", 07777));
    CHECK(!cocoon::parse_octal("-755", 07777));
    CHECK(!cocoon::parse_octal("0000755", 07777));  // seven digits
}

TEST_CASE("parse_c_number: strtoull's base 0, strictly") {
    CHECK(*cocoon::parse_c_number("1048576", ~0ULL) == 1048576);
    CHECK(*cocoon::parse_c_number("0x100000", ~0ULL) == 0x100000);
    CHECK(*cocoon::parse_c_number("010", ~0ULL) == 8);
    CHECK(*cocoon::parse_c_number("0", ~0ULL) == 0);
    CHECK(!cocoon::parse_c_number("09", ~0ULL));
    CHECK(!cocoon::parse_c_number("1k", ~0ULL));
    CHECK(!cocoon::parse_c_number(" 1", ~0ULL));
    CHECK(!cocoon::parse_c_number("-1", ~0ULL));
    CHECK(!cocoon::parse_c_number("0x", ~0ULL));
    CHECK(*cocoon::parse_c_number("255", 255) == 255);
    CHECK(!cocoon::parse_c_number("256", 255));
    CHECK(!cocoon::parse_c_number("99999999999999999999999", ~0ULL));
}
