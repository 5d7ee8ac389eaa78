// SPDX-License-Identifier: MIT
// --check's trial sandbox. [parent]
#include "run/check.h"

#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "core/filter_order.h"
#include "core/plan.h"
#include "os/host.h"
#include "run/launcher.h"

namespace cocoon {

Finding try_sandbox(const Config& trial, const DiagnosisFacts& facts) {
    Finding finding{"sandbox", Level::Ok,
                    "a typical sandbox starts (user, pid, net, ipc and uts namespaces, "
                    "the host read-only, a new /proc and /dev)"};
    auto failed = [&](const Error& error, FailedAt at, int errnum) {
        finding.level = Level::Fail;
        finding.what = error.errnum != 0 ? fmt::format("{}: {}", error.context, std::strerror(error.errnum))
                                         : error.context;
        for (const std::string& line : explain_failure(at, errnum, facts))
            finding.fix += (finding.fix.empty() ? "" : "; ") + line;
        return finding;
    };
    Result<HostFacts> host = gather_host_facts({});
    if (!host)
        return failed(host.error(), FailedAt::Other, 0);
    host->parent_pid = ::getppid();
    Result<Plan> plan = make_plan(trial, *host);
    if (!plan)
        return failed(plan.error(), FailedAt::Other, 0);
    add_filters(*plan, {}, filters_allow_early_install);
    Result<Finished, LaunchFailure> status = launch(*plan, HelperPaths{});
    if (!status)
        return failed(status.error().error, status.error().at, status.error().errnum);
    if (status->code != 0)
        return failed(Error::usage(fmt::format("the trial command exited with {}", status->code)),
                      FailedAt::Other, 0);
    return finding;
}

}  // namespace cocoon
