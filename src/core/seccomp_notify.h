// SPDX-License-Identifier: MIT
// --report-fd's denied system calls: a compiled filter whose denials go to
// cocoon outside (SECCOMP_RET_USER_NOTIF, seccomp_unotify(2)) instead of
// being answered by the kernel, and the answer cocoon gives in their place
// (HACKING.md, "Reports of denied system calls"). [pure]
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/bpf_eval.h"

namespace cocoon::seccomp {

// `program` with every `return ERRNO(e)` turned into `return USER_NOTIF`,
// except ENOSYS: that is how a filter answers a call it does not know, and
// programs probe for those and fall back (glibc tries clone3 for every
// thread), so reporting them would flood the report and slow every start.
// nullopt when nothing is left to notify. Allowed calls run the same
// instructions as before: the change costs them nothing.
std::optional<std::string> notify_program(std::string_view program);

// The errno `original` (the program before notify_program) answers this
// call with; nullopt if it does not answer with an errno (it would not
// have been notified).
std::optional<int> denied_errno(const std::string& original, const SeccompData& call);

}  // namespace cocoon::seccomp
