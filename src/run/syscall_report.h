// SPDX-License-Identifier: MIT
// --report-fd, denied system calls: cocoon's end of the seccomp listener the
// sandbox hands out (run/child.cc, install_filters). Each call its filter
// denies waits here (seccomp_unotify(2)); it is answered with the errno the
// filter as compiled gives it and reported once per process and call
// (HACKING.md, "Reports of denied system calls"). [parent]
#pragma once
#include <linux/seccomp.h>
#include <poll.h>

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "os/unique_fd.h"
#include "run/report_sink.h"

namespace cocoon {

class SyscallReporter {
public:
    // `control`: our end of the socket the listener comes over; `original`:
    // the filter as compiled (Plan::SyscallReport); `report`: where denials
    // go (it outlives us).
    SyscallReporter(UniqueFd control, std::string original, ReportSink& report);

    // Appends what to poll for; then handles what `fds` from `first` on says.
    void add_polls(std::vector<pollfd>& fds) const;
    void handle(const std::vector<pollfd>& fds, std::size_t first);

    // At most this many lines; the denials after that are answered unreported,
    // and the count of them is reported at the end.
    static constexpr std::size_t kMaxLines = 1000;
    std::size_t unreported() const { return unreported_; }

private:
    void take_listener();
    void answer_one();

    UniqueFd control_;
    UniqueFd listener_;
    std::string original_;
    ReportSink* report_;
    std::set<std::tuple<std::uint32_t, std::uint32_t, int>> seen_;  // pid, arch, nr
    std::size_t unreported_ = 0;
    std::size_t call_size_ = sizeof(seccomp_notif);  // the kernel's sizes of both structs
    std::size_t answer_size_ = sizeof(seccomp_notif_resp);
};

}  // namespace cocoon
