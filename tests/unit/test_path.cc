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

TEST_CASE("relative destinations are taken from the new root; .. is kept for the sandbox to resolve") {
    CHECK(*normalise_dest("--dir", "srv") == "/srv");
    CHECK(*normalise_dest("--dir", "./srv/x/") == "/srv/x");
    CHECK(*normalise_dest("--ro-bind-try", "/lib64/../libexec/x") == "/lib64/../libexec/x");
    CHECK(*normalise_dest("--bind", "/../../etc") == "/etc");
    CHECK(*normalise_dest("--bind", "../..") == "/");
    CHECK(*normalise_dest("--bind", "a/../../b") == "/a/../../b");
    CHECK(has_dotdot("/a/../b"));
    CHECK(has_dotdot("/a/.."));
    CHECK_FALSE(has_dotdot("/a/..b/c.."));
    CHECK_FALSE(has_dotdot("/"));
}

TEST_CASE("an empty destination is a usage error naming the flag") {
    auto empty = normalise_dest("--tmpfs", "");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().errnum == 0);
    CHECK(empty.error().context == "--tmpfs: destination is empty");
}

TEST_CASE("relative host paths are taken from the caller's directory") {
    auto path = [](std::optional<std::string> cwd, std::string_view p) {
        Result<std::string> r = host_path(cwd, "--bind", p);
        return r ? *r : "error: " + r.error().context;
    };
    CHECK(path("/home/u", "src") == "/home/u/src");
    CHECK(path("/", "src") == "/src");
    CHECK(path("/home/u", "/usr") == "/usr");
    CHECK(path("/home/u", "") == "");
    // A deleted working directory: relative sources name nothing (bwrap's words).
    CHECK(path(std::nullopt, ".") == "error: Can't find source path .");
    CHECK(path(std::nullopt, "/proc/self/cwd") == "error: Can't find source path /proc/self/cwd");
    CHECK(path(std::nullopt, "/usr") == "/usr");
    // The caller's directory and root, not those of the process doing setup.
    CHECK(path("/home/u", "/proc/self/cwd") == "/home/u");
    CHECK(path("/home/u", "/proc/thread-self/cwd/src") == "/home/u/src");
    CHECK(path("/", "/proc/self/cwd/src") == "/src");
    CHECK(path("/home/u", "/proc/self/root") == "/");
    CHECK(path("/home/u", "/proc/self/root/etc") == "/etc");
    CHECK(path("/home/u", "/proc/self/cwdx") == "/proc/self/cwdx");
    // Looked up by the sandbox's first process: the caller's fds, the sandbox's namespaces.
    CHECK(path("/home/u", "/proc/self/fd/3") == "/proc/self/fd/3");
    CHECK(path("/home/u", "/proc/self/ns/user") == "/proc/self/ns/user");
}

TEST_CASE("paths past PATH_MAX are refused, never cut") {
    const std::string long_dest = "/" + std::string(4095, 'a');
    auto dest = normalise_dest("--dir", long_dest);
    REQUIRE_FALSE(dest);
    CHECK(dest.error().context.starts_with("--dir: destination longer than 4095 bytes: /aaa"));
    CHECK(normalise_dest("--dir", "/" + std::string(4094, 'a')));
    auto source = host_path("/", "--bind", long_dest);
    REQUIRE_FALSE(source);
    CHECK(source.error().context.starts_with("--bind: source path longer than 4095 bytes"));
}

}  // namespace
}  // namespace cocoon
