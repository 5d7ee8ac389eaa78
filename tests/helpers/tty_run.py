#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a command as a user at a terminal runs it, and presses Ctrl-C.

    tty_run.py [--usr1-on WORD] [--enter-on WORD] -- COMMAND...

COMMAND runs on a new pseudo-terminal, as the session leader in its
foreground process group, with SIGINT and SIGQUIT at their defaults (a test
run in the background would pass them on ignored). Once its output shows
READY, Ctrl-C is typed once. With --usr1-on WORD, once the output shows WORD,
SIGUSR1 is sent with kill(2) to COMMAND's process: a signal that comes after
every signal the terminal sent. With --enter-on WORD, Enter is typed once the
output shows WORD: a command that waits for it before exiting loses no output
(what a process writes just before the terminal's last close may be dropped).
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
    usr1_on = enter_on = None
    while args[:1] in (["--usr1-on"], ["--enter-on"]):
        if args[0] == "--usr1-on":
            usr1_on = args[1].encode()
        else:
            enter_on = args[1].encode()
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGQUIT, signal.SIG_DFL)
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    out = b""
    pressed = sent = entered = False
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
        if enter_on is not None and not entered and enter_on in out:
            entered = True
            os.write(master, b"\n")
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace").replace("\r", "").replace("^C", "")
    print(text.strip())
    if os.WIFSIGNALED(status):
        print("signaled", os.WTERMSIG(status))
    else:
        print("exited", os.WEXITSTATUS(status))


main()
