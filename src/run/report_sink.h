// SPDX-License-Identifier: MIT
// Where reported events go: --report-fd's JSON lines, --report-stderr's
// readable ones (core/report.h). One sink for the relay, the syscall
// reporter and the launcher. [parent]
#pragma once
#include <set>
#include <string>
#include <string_view>

#include "core/report.h"

namespace cocoon {

class ReportSink {
public:
    ReportSink(int json_fd, bool text) : json_fd_(json_fd), text_(text) {}
    // --pty puts the caller's terminal in raw mode: a line then ends "\r\n".
    void set_raw_terminal(bool raw) { crlf_ = raw; }
    // A line of cocoon's own on stderr (a warning), ended as the terminal needs.
    void say(std::string line) const;
    bool on() const { return json_fd_ >= 0 || text_; }
    // A write that fails (a reader gone) loses the line, never the sandbox.
    void event(std::string_view event, const ReportFields& fields);

private:
    int json_fd_ = -1;
    bool text_ = false;
    bool crlf_ = false;
    std::set<std::string> said_;  // readable lines written so far, each said once
};

}  // namespace cocoon
