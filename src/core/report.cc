// SPDX-License-Identifier: MIT
#include "core/report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cocoon {
namespace {

std::string field(const ReportFields& fields, std::string_view key) {
    for (const auto& [k, v] : fields)
        if (k == key)
            return v;
    return {};
}

}  // namespace

std::string report_line(std::string_view event, const ReportFields& fields) {
    nlohmann::ordered_json j;
    j["event"] = event;
    for (const auto& [k, v] : fields) j[k] = v;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<std::string> report_text(std::string_view event, const ReportFields& fields) {
    const auto f = [&](std::string_view key) { return field(fields, key); };
    std::string what;
    if (event == "dns-denied") {
        what = fmt::format("denied: DNS lookup of {}: no --net-allow rule names it", f("name"));
    } else if (event == "connect-denied") {
        const std::string host = f("name").empty() ? f("address") : f("name");
        const std::string rule = f("rule");
        what = fmt::format("denied: {} to {}:{}{}: {}", f("protocol") == "udp" ? "UDP" : "connection", host,
                           f("port"), f("via").empty() ? "" : " through the proxy",
                           rule == "no rule" ? "no --net-allow rule allows it" : rule);
    } else if (event == "connect-failed") {
        what = fmt::format("allowed, but no connection to {}:{}: {}", f("name"), f("port"), f("error"));
    } else if (event == "syscall-denied") {
        what = fmt::format("denied: system call {} of {} (pid {}): {} by the seccomp profile", f("syscall"),
                           f("command"), f("pid"), f("errno"));
    } else if (event == "report-incomplete") {
        what = fmt::format("not reported: {}: {}", f("what"), f("cause"));
    } else {
        return std::nullopt;
    }
    // The sandbox's names and commands are its own: nothing in them may
    // pass for another line, or move the terminal's cursor.
    for (char& c : what)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return "cocoon: " + what + "\n";
}

}  // namespace cocoon
