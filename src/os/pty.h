// SPDX-License-Identifier: MIT
// --pty: a pseudo-terminal for the command, relayed to the caller's terminal
// (HACKING.md, "A terminal of its own").
#pragma once
#include <termios.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "os/unique_fd.h"

namespace cocoon {

struct PtyPair {
    UniqueFd master;  // cocoon's end: non-blocking, CLOEXEC
    UniqueFd peer;    // the command's end: CLOEXEC (dup2 onto stdio clears it there)
};

// A new pseudo-terminal from the host's /dev/ptmx, its size that of the
// caller's terminal (if stdin or stdout is one).
Result<PtyPair> open_pty();

// Copies the caller's window size to the pseudo-terminal (which signals its
// foreground process group with SIGWINCH).
void copy_window_size(int master);

// The caller's terminal in raw mode for as long as it lives: keys go to the
// command's terminal as typed (Ctrl-C, Ctrl-Z included), and the mode comes
// back however cocoon ends its launch. Nothing if stdin is not a terminal.
class RawTerminal {
public:
    RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    ~RawTerminal();

private:
    std::optional<termios> saved_;
};

}  // namespace cocoon
