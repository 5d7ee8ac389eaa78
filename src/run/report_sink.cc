// SPDX-License-Identifier: MIT
#include "run/report_sink.h"

#include <unistd.h>

#include "os/fd.h"

namespace cocoon {

void ReportSink::event(std::string_view event, const ReportFields& fields) {
    if (json_fd_ >= 0) {
        const std::string line = report_line(event, fields);
        write_all(json_fd_, line.data(), line.size()).has_value();
    }
    if (!text_)
        return;
    const std::optional<std::string> line = report_text(event, fields);
    // Remembered up to a bound; past it, every line is written.
    constexpr std::size_t kRemembered = 4096;
    if (!line || said_.contains(*line))
        return;
    if (said_.size() < kRemembered)
        said_.insert(*line);
    say(*line);
}

void ReportSink::say(std::string line) const {
    if (crlf_ && !line.empty() && line.back() == '\n')
        line.insert(line.size() - 1, 1, '\r');
    write_all(STDERR_FILENO, line.data(), line.size()).has_value();
}

}  // namespace cocoon
