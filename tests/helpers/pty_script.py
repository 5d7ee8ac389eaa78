#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drives a command at a terminal as a user would, from a script on stdin.

    pty_script.py -- COMMAND... <SCRIPT

COMMAND runs on a new pseudo-terminal (cooked, with echo, 24x80), as the
session leader in its foreground process group. SCRIPT has one step a line,
its TEXT with Python escapes (\\r Enter, \\x03 Ctrl-C, \\x1a Ctrl-Z):

    expect TEXT       wait until the output shows TEXT (after what the last
                      expect matched); 20 seconds at most
    send TEXT         type TEXT
    send-until WANT TEXT
                      type TEXT every half second until the output shows
                      WANT (one word): for a key meant for a job that may not
                      have the terminal yet (Ctrl-Z, Ctrl-C after fg)
    resize ROWS COLS  resize the terminal (its foreground group gets SIGWINCH)

Then it waits for COMMAND to end and prints, each on a line: "transcript:"
and the output (carriage returns removed), "exited N" or "signaled N",
"terminal cooked" or "terminal raw" (ICANON and ECHO as COMMAND left them),
and "outer-tty MAJOR:MINOR" (hex, as stat %t:%T prints the terminal's device).
A step that times out prints "timeout: STEP" and kills COMMAND.
"""
import codecs
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
import fcntl

DEADLINE = 20.0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    steps = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    pid, master = pty.fork()
    if pid == 0:
        try:
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
                signal.signal(sig, signal.SIG_DFL)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    slave_name = None
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.ptsname.restype = ctypes.c_char_p
        slave_name = libc.ptsname(master).decode()
    except Exception:
        slave_name = None
    out = b""
    seen = 0
    failed = None

    def pump(timeout):
        nonlocal out
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        if not data:
            return False
        out += data
        return True

    def text(t):
        return codecs.decode(t, "unicode_escape").encode("latin-1")

    def wait_for(want, keys=None):
        """Reads until the output after the last match shows `want`, typing
        `keys` every half second meanwhile if given; False on timeout."""
        nonlocal seen
        end = time.monotonic() + DEADLINE
        next_send = 0.0
        while want not in out[seen:]:
            now = time.monotonic()
            if now > end:
                break
            if keys is not None and now >= next_send:
                os.write(master, keys)
                next_send = now + 0.5
            if not pump(0.05):
                break
        at = out.find(want, seen)
        if at < 0:
            return False
        seen = at + len(want)
        return True

    for step in steps:
        verb, _, rest = step.partition(" ")
        if verb == "expect":
            if not wait_for(text(rest)):
                failed = step
                break
        elif verb == "send-until":
            word, _, keys = rest.partition(" ")
            if not wait_for(text(word), text(keys)):
                failed = step
                break
        elif verb == "send":
            os.write(master, text(rest))
        elif verb == "resize":
            rows, cols = (int(x) for x in rest.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        else:
            failed = "unknown step: " + step
            break
    if failed:
        os.kill(pid, signal.SIGKILL)
    end = time.monotonic() + DEADLINE
    status = None
    while status is None:
        got, st = os.waitpid(pid, os.WNOHANG)
        if got:
            status = st
            break
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
        if not pump(0.05):
            _, status = os.waitpid(pid, 0)
    while pump(0):
        pass
    lflag = termios.tcgetattr(master)[3]
    cooked = (lflag & termios.ICANON) and (lflag & termios.ECHO)
    print("transcript:")
    print(out.replace(b"\r", b"").decode("utf-8", "replace"))
    if failed:
        print("timeout: " + failed)
    if os.WIFEXITED(status):
        print("exited %d" % os.WEXITSTATUS(status))
    else:
        print("signaled %d" % os.WTERMSIG(status))
    print("terminal " + ("cooked" if cooked else "raw"))
    if slave_name:
        st = os.stat(slave_name)
        print("outer-tty %x:%x" % (os.major(st.st_rdev), os.minor(st.st_rdev)))


if __name__ == "__main__":
    main()
