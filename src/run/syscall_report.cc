// SPDX-License-Identifier: MIT
#include "run/syscall_report.h"

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/seccomp_names.h"
#include "core/seccomp_notify.h"
#include "os/fd.h"
#include "os/seccomp_compile.h"
#include "run/fd_passing.h"

namespace cocoon {
namespace {

// The pid in the process's own (innermost) pid namespace, from the last
// field of NSpid (proc(5)); its host pid when that cannot be read.
std::string sandbox_pid(std::uint32_t pid) {
    Result<std::string> status = read_file("/proc/" + std::to_string(pid) + "/status");
    if (status) {
        const std::size_t at = status->find("\nNSpid:");
        if (at != std::string::npos) {
            const std::size_t end = status->find('\n', at + 1);
            const std::string line = status->substr(at + 7, end - at - 7);
            const std::size_t last = line.find_last_of(" \t");
            if (last != std::string::npos && last + 1 < line.size())
                return line.substr(last + 1);
        }
    }
    return std::to_string(pid);
}

std::string command_of(std::uint32_t pid) {
    Result<std::string> comm = read_file("/proc/" + std::to_string(pid) + "/comm");
    if (!comm)
        return {};
    if (!comm->empty() && comm->back() == '\n')
        comm->pop_back();
    return std::move(*comm);
}

}  // namespace

SyscallReporter::SyscallReporter(UniqueFd control, std::string original, ReportSink& report)
    : control_(std::move(control)), original_(std::move(original)), report_(&report) {
    // The kernel writes its own size of struct seccomp_notif, which a later
    // kernel may have grown (seccomp_unotify(2), SECCOMP_GET_NOTIF_SIZES).
    seccomp_notif_sizes sizes{};
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
        call_size_ = std::max<std::size_t>(sizes.seccomp_notif, sizeof(seccomp_notif));
        answer_size_ = std::max<std::size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp));
    }
}

void SyscallReporter::add_polls(std::vector<pollfd>& fds) const {
    fds.push_back({control_ ? control_.get() : -1, POLLIN, 0});
    fds.push_back({listener_ ? listener_.get() : -1, POLLIN, 0});
}

void SyscallReporter::handle(const std::vector<pollfd>& fds, std::size_t first) {
    if (fds[first].revents != 0)
        take_listener();
    const short listener = fds[first + 1].revents;
    if ((listener & POLLIN) != 0)
        answer_one();
    else if ((listener & (POLLHUP | POLLERR | POLLNVAL)) != 0)
        listener_.reset();  // every process under the filter is gone
}

void SyscallReporter::take_listener() {
    int fd = -1;
    char why = 0;
    const int n = receive_fds(control_.get(), &fd, 1, &why);
    control_.reset();  // one message, or the end of a setup that failed
    if (n == 1) {
        listener_ = UniqueFd(fd);
    } else if (n == 0) {
        // The kernel would not give a listener: the filter denies unreported.
        report_->event("report-incomplete",
                       {{"what", "denied system calls"},
                        {"cause", "seccomp(2) refused a listener: " +
                                      std::string(std::strerror(static_cast<unsigned char>(why)))}});
    }
}

void SyscallReporter::answer_one() {
    // Zeroed: the kernel refuses anything else (seccomp_unotify(2)).
    std::vector<std::uint64_t> buffer((call_size_ + 7) / 8);
    if (::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, buffer.data()) < 0)
        return;  // ENOENT: the caller was interrupted or killed meanwhile
    seccomp_notif call;
    std::memcpy(&call, buffer.data(), sizeof call);
    const SeccompData data{call.data.nr,
                           call.data.arch,
                           call.data.instruction_pointer,
                           {call.data.args[0], call.data.args[1], call.data.args[2], call.data.args[3],
                            call.data.args[4], call.data.args[5]}};
    // Only denials with an errno are notified (seccomp::notify_program).
    const int errnum = seccomp::denied_errno(original_, data).value_or(ENOSYS);
    ReportFields fields;
    const auto key = std::make_tuple(call.pid, call.data.arch, call.data.nr);
    if (!seen_.contains(key)) {
        if (seen_.size() < kMaxLines) {
            seen_.insert(key);
            const std::string_view name = seccomp::errno_name(errnum);
            fields = {{"syscall", syscall_name(call.data.arch, call.data.nr)},
                      {"errno", name.empty() ? std::to_string(errnum) : std::string(name)},
                      {"pid", sandbox_pid(call.pid)},
                      {"command", command_of(call.pid)}};
        } else {
            ++unreported_;
        }
    }
    // What was read of /proc is the caller's only if it still waits for this
    // answer (the pid may have been reused otherwise).
    std::uint64_t id = call.id;
    const bool valid = ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
    seccomp_notif_resp answer{};
    answer.id = call.id;
    answer.error = -errnum;
    std::vector<std::uint64_t> out((answer_size_ + 7) / 8);
    std::memcpy(out.data(), &answer, sizeof answer);
    ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, out.data());
    if (valid && !fields.empty())
        report_->event("syscall-denied", fields);
}

}  // namespace cocoon
