// SPDX-License-Identifier: MIT
// A failure the sandbox reported, as the message and exit code main gives it. [parent]
#pragma once
#include "core/plan.h"
#include "run/launcher.h"
#include "run/report.h"

namespace cocoon {

// clone(2) failed with `errnum`; `user_ns`: a user namespace was asked for.
Error clone_error(int errnum, bool user_ns);

// The message for the step the sandbox reported, naming the option (the mount
// op's flag and paths, the --chdir candidate, the --lock-file...) it served.
LaunchFailure to_failure(const child::Report& report, const Plan& plan);

// Why a --protect or --mask path could not be placed, from the child's errno.
std::string rule_cause(int errnum);

}  // namespace cocoon
