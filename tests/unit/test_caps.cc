// SPDX-License-Identifier: MIT
// The pure capability table must agree with libcap, which bwrap uses.
#include <doctest/doctest.h>
#include <sys/capability.h>

#include <string>

#include "core/caps.h"

namespace cocoon {
namespace {

TEST_CASE("every capability name round-trips through libcap") {
    for (int cap = 0; cap < known_caps(); ++cap) {
        INFO("capability ", cap);
        cap_value_t value = -1;
        REQUIRE(cap_from_name(std::string(cap_name(cap)).c_str(), &value) == 0);
        CHECK(value == cap);
        CHECK(parse_cap_name(cap_name(cap)) == cap);
        std::string upper(cap_name(cap));
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        CHECK(parse_cap_name(upper) == cap);
    }
}

TEST_CASE("numbers are capabilities too, names need their cap_ prefix") {
    CHECK(parse_cap_name("5") == 5);
    CHECK_FALSE(parse_cap_name("64"));
    CHECK_FALSE(parse_cap_name("chown"));
    CHECK_FALSE(parse_cap_name("CAP_FOO"));
}

}  // namespace
}  // namespace cocoon
