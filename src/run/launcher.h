// SPDX-License-Identifier: MIT
// The parent side of a run: clone, watch setup, forward signals, collect the status. [parent]
#pragma once
#include "base/result.h"
#include "core/diagnose.h"
#include "core/plan.h"

namespace cocoon {

// Why a run failed, so that main can pick the exit code (125/126/127 or bwrap's 1).
// Interrupted: a terminating signal (`signal`) arrived during setup; the
// sandbox is gone and cocoon ends by the same signal, as an interrupted
// program does.
// HelperFailed: newuidmap/newgidmap failed for maps that may degrade
// (Plan::maps_may_degrade); nothing of the sandbox ran.
enum class FailureKind { Setup, ExecNotFound, ExecFailed, Interrupted, HelperFailed };

struct LaunchFailure {
    Error error;
    FailureKind kind = FailureKind::Setup;
    int signal = 0;
    FailedAt at = FailedAt::Other;  // for the cause and fix lines (core/diagnose.h)
    int errnum = 0;                 // the failed call's errno, there
};

// Where newuidmap and newgidmap are (HostFacts found them), for helper-written maps.
struct HelperPaths {
    std::string uid;
    std::string gid;
};

// How the command ended: its exit code in shell encoding (128+N for death by
// signal N, 124 for --timeout), and the signal it died of, if it did and not by
// --timeout's doing: cocoon then ends by the same signal, as a wrapper should
// (HACKING.md, "Signals and setup").
struct Finished {
    int code = 0;
    int signal = 0;
};

// Runs the sandbox described by `plan`.
Result<Finished, LaunchFailure> launch(const Plan& plan, const HelperPaths& helpers);

}  // namespace cocoon
