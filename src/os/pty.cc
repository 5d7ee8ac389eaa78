// SPDX-License-Identifier: MIT
#include "os/pty.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace cocoon {

Result<PtyPair> open_pty() {
    PtyPair pair;
    pair.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!pair.master)
        return fail(Error::from_errno("--pty: Can't open a pseudo-terminal (/dev/ptmx)"));
    if (::unlockpt(pair.master.get()) < 0)
        return fail(Error::from_errno("--pty: unlockpt"));
    // The peer through the master itself (Linux 4.13), not by its name in
    // /dev/pts, which another devpts mounted there could answer.
    pair.peer = UniqueFd(::ioctl(pair.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pair.peer)
        return fail(Error::from_errno("--pty: Can't open the pseudo-terminal's other end"));
    copy_window_size(pair.master.get());
    return pair;
}

void copy_window_size(int master) {
    winsize size{};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
        ::ioctl(master, TIOCSWINSZ, &size);
}

RawTerminal::RawTerminal() {
    termios mode{};
    if (::isatty(STDIN_FILENO) == 0 || ::tcgetattr(STDIN_FILENO, &mode) < 0)
        return;
    saved_ = mode;
    ::cfmakeraw(&mode);
    ::tcsetattr(STDIN_FILENO, TCSADRAIN, &mode);
}

RawTerminal::~RawTerminal() {
    if (saved_)
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &*saved_);
}

}  // namespace cocoon
