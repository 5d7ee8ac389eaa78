#!/bin/bash
# SPDX-License-Identifier: MIT
# At a terminal: Ctrl-C reaches the command once, and a wrapper's caller sees
# the command's death by signal as its own (HACKING.md, "Signals and setup").
. "$(dirname "$0")/lib.sh"
require_userns
TTY_RUN=$(dirname "$PROBE")/tty_run.py
if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 is not installed"
    exit 0
fi
C=("$COCOON" "${ROOT[@]}")
B=("$BWRAP_SYMLINK" "${ROOT[@]}")

# Counts its SIGINTs; on SIGUSR1, which tty_run sends with kill(2) once the first
# SIGINT has arrived, prints the count: a forwarded duplicate would come first
# (signals are forwarded in order, and the lower number is delivered first).
# It exits once tty_run has seen the count (Enter).
COUNT='import os, signal, sys
n = 0
def on_int(*_):
    global n
    n += 1
    print("GOT", flush=True)
def on_usr1(*_):
    print(f"SIGINTS={n}", flush=True)
    sys.stdin.readline()
    os._exit(0)
signal.signal(signal.SIGINT, on_int)
signal.signal(signal.SIGUSR1, on_usr1)
print("READY", flush=True)
while True:
    signal.pause()'

count() {
    local desc=$1
    shift
    run python3 "$TTY_RUN" --usr1-on GOT --enter-on SIGINTS= -- "$@" python3 -c "$COUNT"
    check "$desc" "SIGINTS=1 exited 0" "$(echo "$out" | grep -o -e 'SIGINTS=[0-9]*' -e '^exited [0-9]*$' | xargs)"
}
count "Ctrl-C reaches the command once" "${C[@]}"
count "... under a reaper" "${C[@]}" --unshare-pid
count "... as bwrap" "${B[@]}"
count "... as bwrap, under a reaper" "${B[@]}" --unshare-pid
count "... and with --new-session, where only cocoon sees it, forwarded once" "${C[@]}" --new-session
count "... --new-session under a reaper" "${C[@]}" --new-session --unshare-pid

# A shell loop stops at Ctrl-C: the command dies of SIGINT, and so does cocoon.
loop() {
    local desc=$1
    shift
    run python3 "$TTY_RUN" -- bash -c "for i in 1 2; do $(printf '%q ' "$@") sh -c 'echo READY; exec sleep 30'; \
        echo after-\$i; done; echo loop-ended"
    check "$desc" "READY signaled 2" "$(echo $out)"
}
loop "a shell loop of cocoon runs stops at Ctrl-C" "${C[@]}"
loop "... under a reaper" "${C[@]}" --unshare-pid
loop "... as bwrap" "${B[@]}"
loop "... as bwrap, under a reaper" "${B[@]}" --unshare-pid

run python3 "$TTY_RUN" -- "${C[@]}" sh -c 'kill -TERM $$'
check "a command's death by a signal is cocoon's own" "signaled 15" "$(echo $out)"
run python3 "$TTY_RUN" -- "${B[@]}" --unshare-pid sh -c 'kill -SEGV $$'
check "... as bwrap, under a reaper" "signaled 11" "$(echo $out)"
run python3 "$TTY_RUN" -- "${C[@]}" --unshare-pid --timeout 0.1 sleep 10
check "... but --timeout ends with timeout(1)'s status" "exited 124" "$(echo $out)"
run python3 "$TTY_RUN" -- "${C[@]}" sh -c 'exit 130'
check "... and an exit status of 130 is an exit status" "exited 130" "$(echo $out)"

done_testing
