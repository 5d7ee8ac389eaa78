// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/report.h"

namespace cocoon {
namespace {

TEST_CASE("report lines are one JSON object each") {
    const std::string line = report_line("connect-denied", {{"name", "a\"b"}, {"port", "443"}});
    CHECK(line.back() == '\n');
    const nlohmann::json j = nlohmann::json::parse(line);
    CHECK(j["event"] == "connect-denied");
    CHECK(j["name"] == "a\"b");
    CHECK(line.find("\"event\"") == 1);  // first
    // Bytes that are not UTF-8 (a name from the sandbox) still make JSON.
    CHECK_NOTHROW(
        static_cast<void>(nlohmann::json::parse(report_line("dns-denied", {{"name", "\xff\xfe"}}))));
}

TEST_CASE("--report-stderr: one readable line per denial, none for the exit") {
    CHECK(report_text("dns-denied", {{"name", "denied.test"}, {"type", "AAAA"}, {"rule", "no rule"}}) ==
          "cocoon: denied: DNS lookup of denied.test: no --net-allow rule names it\n");
    // A and AAAA of one name say the same.
    CHECK(report_text("dns-denied", {{"name", "x"}, {"type", "A"}}) ==
          report_text("dns-denied", {{"name", "x"}, {"type", "AAAA"}}));
    CHECK(report_text("connect-denied", {{"name", "denied.test"}, {"port", "443"}, {"rule", "no rule"}}) ==
          "cocoon: denied: connection to denied.test:443: no --net-allow rule allows it\n");
    CHECK(report_text("connect-denied",
                      {{"address", "10.0.0.1"}, {"port", "80"}, {"via", "proxy"}, {"rule", "no rule"}}) ==
          "cocoon: denied: connection to 10.0.0.1:80 through the proxy: no --net-allow rule allows it\n");
    CHECK(
        report_text("connect-denied",
                    {{"address", "10.1.2.3"}, {"port", "5000"}, {"protocol", "udp"}, {"rule", "no rule"}}) ==
        "cocoon: denied: UDP to 10.1.2.3:5000: no --net-allow rule allows it\n");
    CHECK(report_text("connect-failed",
                      {{"name", "a.test"}, {"port", "22"}, {"error", "Connection refused"}}) ==
          "cocoon: allowed, but no connection to a.test:22: Connection refused\n");
    CHECK(report_text("syscall-denied",
                      {{"syscall", "mount"}, {"errno", "EPERM"}, {"pid", "4"}, {"command", "python3"}}) ==
          "cocoon: denied: system call mount of python3 (pid 4): EPERM by the seccomp profile\n");
    CHECK(report_text("report-incomplete", {{"what", "denied system calls"}, {"cause", "why"}}) ==
          "cocoon: not reported: denied system calls: why\n");
    CHECK_FALSE(report_text("exit", {{"exit-code", "0"}}));
    CHECK_FALSE(report_text("setup-error", {{"message", "x"}}));
    // A command named to forge a line, or to move the cursor, cannot.
    const std::optional<std::string> forged = report_text(
        "syscall-denied",
        {{"syscall", "mount"}, {"errno", "EPERM"}, {"pid", "4"}, {"command", "x\ncocoon: ok\x1b[2J"}});
    REQUIRE(forged);
    CHECK(forged->find('\n') == forged->size() - 1);
    CHECK(forged->find('\x1b') == std::string::npos);
}

}  // namespace
}  // namespace cocoon
