// SPDX-License-Identifier: MIT
// The events of --report-fd (man cocoon, REPORTS) as JSON lines, and as the
// readable lines of --report-stderr. [pure]
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocoon {

using ReportFields = std::vector<std::pair<std::string, std::string>>;

// A JSON line of --report-fd (with its newline).
std::string report_line(std::string_view event, const ReportFields& fields);

// The line --report-stderr writes for a denial ("cocoon: denied: ...", with
// its newline), or nullopt for the events it leaves out (exit and
// setup-error: the status and cocoon's own message say those). Lines that say
// the same thing twice (a name's A and AAAA queries) are the same line.
std::optional<std::string> report_text(std::string_view event, const ReportFields& fields);

}  // namespace cocoon
