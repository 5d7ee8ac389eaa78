// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "core/path.h"

namespace cocoon {
namespace {

TEST_CASE("destinations are normalised: repeated slashes, dots and trailing slashes go") {
    CHECK(*normalise_dest("--tmpfs", "//tmp/./x/") == "/tmp/x");
    CHECK(*normalise_dest("--bind", "/") == "/");
    CHECK(*normalise_dest("--bind", "///") == "/");
}

TEST_CASE("an empty, relative or escaping destination is a usage error naming the flag") {
    auto empty = normalise_dest("--tmpfs", "");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().context == "--tmpfs: destination is empty");
    auto rel = normalise_dest("--dir", "srv");
    REQUIRE_FALSE(rel);
    CHECK(rel.error().context == "--dir: destination 'srv' is not an absolute path");
    auto up = normalise_dest("--bind", "/a/../../etc");
    REQUIRE_FALSE(up);
    CHECK(up.error().errnum == 0);
    CHECK(up.error().context == "--bind: destination '/a/../../etc' contains '..'");
}

TEST_CASE("relative host paths are taken from the caller's directory") {
    CHECK(absolute_host_path("/home/u", "src") == "/home/u/src");
    CHECK(absolute_host_path("/", "src") == "/src");
    CHECK(absolute_host_path("/home/u", "/usr") == "/usr");
    CHECK(absolute_host_path("/home/u", "") == "");
}

}  // namespace
}  // namespace cocoon
