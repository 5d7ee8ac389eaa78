// SPDX-License-Identifier: MIT
// Sandbox path normalisation. [pure]
#pragma once
#include <string>
#include <string_view>

#include "base/result.h"

namespace cocoon {

// A destination inside the sandbox: absolute, "//" and "/./" collapsed, no
// trailing slash ("/" stays "/"). Empty, relative and ".." paths are usage errors
// naming `flag`: bwrap would mount over the whole root for '' (security.md).
Result<std::string> normalise_dest(std::string_view flag, std::string_view dest);

// `base` + "/" + `rel` for a relative host path; absolute paths are returned as is.
std::string absolute_host_path(std::string_view cwd, std::string_view path);

}  // namespace cocoon
