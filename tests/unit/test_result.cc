// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "base/result.h"

namespace cocoon {
namespace {

Result<int> half(int n) {
    if (n % 2 != 0)
        return fail(Error::usage("odd"));
    return n / 2;
}

Result<int> quarter(int n) {
    const int h = TRY(half(n));
    return TRY(half(h));
}

TEST_CASE("TRY passes values through and returns the first error") {
    CHECK(*quarter(8) == 2);
    Result<int> r = quarter(6);
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "odd");
    CHECK(r.error().errnum == 0);
}

TEST_CASE("Status is a Result<void>") {
    Status ok;
    CHECK(ok.has_value());
    Status bad = fail(Error{EIO, "disk"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().errnum == EIO);
}

}  // namespace
}  // namespace cocoon
