// SPDX-License-Identifier: MIT
// When PID 1 can take the sandbox's seccomp filters before it starts the
// command, so that it is filtered from the command's first instruction and the
// command inherits the filters instead of loading them again. The question is
// pure; answering it needs this machine's syscall numbers (os/filter_order.cc).
#pragma once
#include <string>
#include <vector>

namespace cocoon {

// What happens after the filters are installed in PID 1, up to the command's
// execve and in PID 1's own loop afterwards (run/child.cc, run/reaper.cc).
struct AfterFilters {
    bool capset = false;  // PID 1 sets its own capabilities once the command is started
    bool death_signal =
        false;  // the command arms PR_SET_PDEATHSIG (--die-with-parent); else PID 1 clears its own
    bool exec_label = false;     // the command writes /proc/thread-self/attr/exec
    bool rlimits = false;        // the command sets --rlimit values
    bool pid1_dumpable = false;  // PID 1 turns dumpable again (Plan::pid1_keeps)
};

// True when every program allows every syscall of that path, with the
// arguments it is made with, on this machine's own architecture (the only one
// cocoon runs as). Otherwise the command installs the filters itself just
// before execve (bwrap's order: a filter need not allow anything that comes
// before) and PID 1 once the command runs; PID 1 is closed to the sandbox
// either way (HACKING.md, "PID 1").
using EarlyInstallCheck = bool (*)(const std::vector<std::string>& programs, const AfterFilters& after);
bool filters_allow_early_install(const std::vector<std::string>& programs, const AfterFilters& after);

// --report-fd: the filter with a listener is installed with seccomp(2)
// (SECCOMP_FILTER_FLAG_NEW_LISTENER) under those before it, and its
// installer sends the listener out (sendmsg, close), installs the rest and
// goes on to execve, all under it: a call there that it denied would wait for
// an answer from a listener nobody reads yet. True when every program allows
// all of that.
using ListenerCheck = bool (*)(const std::vector<std::string>& programs);
bool filters_allow_listener_handoff(const std::vector<std::string>& programs);

}  // namespace cocoon
