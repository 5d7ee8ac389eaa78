// SPDX-License-Identifier: MIT
// The plan as text or JSON, for --dry-run: what `run/` would do, in order. [pure]
#pragma once
#include <string>

#include "core/plan.h"

namespace cocoon {

// A stable, line-oriented description of `plan` (documented in cocoon(1),
// --dry-run): one "key: value" line per decision, mounts one per line in the
// order they are made. The same Plan is what launch() executes.
std::string render_plan(const Plan& plan);

// The same decisions as one JSON object (--dry-run --json, documented in
// cocoon(1)): keys in snake_case, absent fds and limits as null.
std::string render_plan_json(const Plan& plan);

}  // namespace cocoon
