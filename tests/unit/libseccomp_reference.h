// SPDX-License-Identifier: MIT
// The tests' reference compiler: libseccomp's dispatch with cocoon's argument
// checks, as cocoon compiled every policy before the compact compiler.
#pragma once
#include <string>

#include "base/result.h"
#include "core/seccomp_policy.h"

namespace cocoon::testing {

Result<std::string> libseccomp_compile(const seccomp::LoweredPolicy& policy);

}  // namespace cocoon::testing
