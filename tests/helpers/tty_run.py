#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a command as a user at a terminal runs it, and presses Ctrl-C.

    tty_run.py [--usr1-on WORD] -- COMMAND...

COMMAND runs on a new pseudo-terminal, as the session leader in its
foreground process group. Once its output shows READY, Ctrl-C is typed once.
With --usr1-on WORD, once the output shows WORD, SIGUSR1 is sent with kill(2)
to COMMAND's process: a signal that comes after every signal the terminal sent.
Prints COMMAND's output (carriage returns and the echoed ^C removed) and then
"exited N" or "signaled N". Gives up after 60 seconds ("timeout").
"""
import os
import pty
import select
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    usr1_on = None
    if args[:1] == ["--usr1-on"]:
        usr1_on = args[1].encode()
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    out = b""
    pressed = sent = False
    deadline = time.monotonic() + 60
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print(out.decode(errors="replace").replace("\r", ""))
            print("timeout")
            return
        ready, _, _ = select.select([master], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every process holding the terminal is gone
            break
        if not chunk:
            break
        out += chunk
        if not pressed and b"READY" in out:
            pressed = True
            os.write(master, b"\x03")
        if pressed and usr1_on is not None and not sent and usr1_on in out:
            sent = True
            os.kill(pid, signal.SIGUSR1)
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace").replace("\r", "").replace("^C", "")
    print(text.strip())
    if os.WIFSIGNALED(status):
        print("signaled", os.WTERMSIG(status))
    else:
        print("exited", os.WEXITSTATUS(status))


main()
