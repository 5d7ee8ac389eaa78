#!/bin/bash
# SPDX-License-Identifier: MIT
# The reaper, signals, and what is left when things end.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
tag="cocoon-pid1-$$"

# wait_for_child PID: the pid of PID's first child (the sandbox's first process).
wait_file() { for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

# SIGTERM to cocoon reaches the command, whose status comes back.
# (--on-exit kill: the background sleep must not outlive the test.)
"${C[@]}" --unshare-pid --on-exit kill sh -c "trap 'exit 7' TERM; echo ready > /dev/stderr; sleep 100 & wait" \
    2>"$HOME/ready.$$" >/dev/null &
pid=$!
wait_file "$HOME/ready.$$"
kill -TERM "$pid"
wait "$pid"
check "SIGTERM to cocoon is forwarded to the command and its status returned (pid ns)" 7 "$?"

# SIGINT and SIGQUIT are not tried here: a background job of a non-interactive
# shell starts with them ignored, and sh then cannot trap them (POSIX).
for sig in HUP USR1 USR2 WINCH; do
    rm -f "$HOME/ready.$$"
    "${C[@]}" sh -c "trap 'exit 9' $sig; echo ready > /dev/stderr; while :; do sleep 0.05; done" 2>"$HOME/ready.$$" >/dev/null &
    pid=$!
    wait_file "$HOME/ready.$$"
    kill "-$sig" "$pid"
    wait "$pid"
    check "SIG$sig is forwarded too (no pid ns)" 9 "$?"
done
rm -f "$HOME/ready.$$"

run "${C[@]}" --unshare-pid sh -c 'sh -c "sleep 0.1 &"; sleep 0.5; cat /proc/[0-9]*/stat | grep -c " Z "'
check "orphans are reaped by PID 1: no zombies" "0" "$out"

run "${C[@]}" --unshare-pid "$IN_PROBE" ptrace 1
check "the reaper cannot be ptraced from inside" "Operation not permitted" "$out"

run "${C[@]}" --unshare-pid sh -c 'grep -E "^(CapEff|CapBnd)" /proc/1/status | tr -s "\t" " "'
check "the reaper has no capabilities" "CapEff: 0000000000000000 CapBnd: 0000000000000000" "$(echo $out)"

run "${C[@]}" --unshare-pid ls /proc/1/fd
check "the reaper is not dumpable: its fds cannot be listed from inside" "ls: cannot open directory '/proc/1/fd': Permission denied" "$err"


# --die-with-parent: SIGKILL the process that started cocoon, then no process
# matching PATTERN may be left. With a pid namespace everything in it dies;
# without one, the command itself.
die_with_parent() {
    local desc=$1 pattern=$2
    shift 2
    bash -c "$(printf '%q ' "${C[@]}" "$@") & wait" >/dev/null 2>&1 &
    local parent=$!
    sleep 0.5
    kill -KILL "$parent"
    sleep 0.5
    no_process_left "$pattern" && ok "$desc" || { not_ok "$desc"; pkill -KILL -f -- "$pattern"; }
}
die_with_parent "--die-with-parent: killing cocoon's parent kills the whole sandbox" "sleep [12]$$" \
    --unshare-pid --die-with-parent sh -c "sleep 1$$ & sleep 2$$"
die_with_parent "... and the command without a pid namespace" "sleep 3$$" --die-with-parent sleep "3$$"

# Killing cocoon itself during setup must never leave a sandbox process behind.
# A kill that lands after the command started leaves it running, as with bwrap
# without --die-with-parent; a process still in setup (still named cocoon) must die.
for i in $(seq 1 40); do
    "${C[@]}" --unshare-pid sleep 4$$ >/dev/null 2>&1 &
    pid=$!
    sleep "0.00$((i % 10))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
sleep 0.3
# A reaper (also named cocoon) has the command as its child; a process still in
# setup has none.
half_built() {
    local p state
    for p in $(pgrep -u "$(id -u)" -x cocoon); do
        state=$(grep '^State:' "/proc/$p/status" 2>/dev/null)
        # Gone already, or a zombie that the VM's init has yet to reap: dead either way.
        [ -z "$state" ] || [[ "$state" == *Z* ]] || [ -n "$(pgrep -P "$p")" ] || echo "$p $state"
    done
}
for _ in $(seq 1 40); do [ -z "$(half_built)" ] && break; sleep 0.1; done
half_built=$(half_built)
check "SIGKILL to cocoon at any moment of setup leaves no half-built sandbox" "" "$half_built"
pkill -KILL -f -- "sleep 4$$" 2>/dev/null

run "${C[@]}" --bind /nonexistent /x sh -c ": $tag-fail"
sleep 0.1
no_process_left "$tag-fail" && ok "a failed setup leaves no process" || not_ok "a failed setup leaves no process"

run "${C[@]}" --unshare-pid sh -c 'sleep 0.3 & exit 3'
check "cocoon returns the command's status as soon as it exits (bwrap's --on-exit detach)" 3 "$rc"
sleep 0.5

done_testing
