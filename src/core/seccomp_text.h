// SPDX-License-Identifier: MIT
// The text policy format (man cocoon, SECCOMP POLICY FILES). [pure]
//
//   # comment
//   default deny ENOSYS
//   allow @file-system read write
//   deny EACCES mkdir mkdirat
//   deny ioctl arg1 == TIOCSTI
//   allow personality arg0 & 0xff == 0 && arg0 != 0x40000
#pragma once
#include <functional>
#include <string_view>

#include "base/result.h"
#include "core/seccomp_policy.h"

namespace cocoon::seccomp {

// Whether libseccomp knows a syscall name on some architecture of the filter.
using KnownSyscall = std::function<bool(std::string_view)>;

// `origin` names the file in errors ("FILE:LINE:COLUMN: ..."). Names a group
// lists but this libseccomp does not know are skipped; a name written out is
// an error unless `skip_unknown` (the built-in profiles, written for newer
// libseccomp versions too).
Result<Policy> parse_policy_text(std::string_view text, std::string_view origin, const KnownSyscall& known,
                                 bool skip_unknown = false);

// "EPERM", "13" -> errno value 1..4095
std::optional<int> parse_errno(std::string_view word);

}  // namespace cocoon::seccomp
