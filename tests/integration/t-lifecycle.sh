#!/bin/bash
# SPDX-License-Identifier: MIT
# Lifecycle and limits (issue 8): --on-exit, --die-with-parent under a parent
# killed at random moments, --timeout/--kill-after, --rlimit, the JSON ending,
# a SIGCHLD storm and an inherited ignored SIGCHLD.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}" --tmpfs /tmp)
P=("${C[@]}" --unshare-pid)
tag=$$  # digits: sleep takes it as part of its number
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }
mine() { pgrep -u "$(id -u)" -f -- "$1" | tr '\n' ' '; }

# --on-exit
t=$(now)
run "${P[@]}" --on-exit kill sh -c "sleep 100$tag & exit 3"
took=$(ms_since "$t")
check "--on-exit kill returns the command's status" 3 "$rc"
[ "$took" -lt 1000 ] && ok "... within a second (${took} ms)" || not_ok "... took ${took} ms"
check "... and no background process is left" "" "$(mine "sleep 100$tag")"

run "${P[@]}" sh -c "sleep 2$tag & exit 4"
left=$(mine "sleep 2$tag")
check "--on-exit detach (the default) returns at once" 4 "$rc"
[ -n "$left" ] && ok "... leaving the background process running in the sandbox" ||
    not_ok "... the background process is gone"
pkill -KILL -u "$(id -u)" -f -- "sleep 2$tag"

t=$(now)
run "${P[@]}" --on-exit wait sh -c "sleep 1 & exit 5"
took=$(ms_since "$t")
check "--on-exit wait returns the command's status" 5 "$rc"
[ "$took" -ge 950 ] && [ "$took" -lt 3000 ] && ok "... once the background sleep 1 is done (${took} ms)" ||
    not_ok "... returned after ${took} ms"
t=$(now)
run "${C[@]}" --on-exit wait sh -c "(sleep 1 &); exit 6"
took=$(ms_since "$t")
check "--on-exit wait without a pid namespace waits for orphans too (child subreaper)" "6 yes" \
    "$rc $([ "$took" -ge 950 ] && echo yes || echo "no: ${took} ms")"
run "${C[@]}" --on-exit kill true
check "--on-exit kill without a pid namespace says why" \
    "125 cocoon: --on-exit kill needs a pid namespace (--unshare-pid) to find every process of the sandbox" \
    "$rc $err"
run "${P[@]}" --on-exit stop true
check "an unknown mode is refused" "125 cocoon: --on-exit: 'stop' is not a mode: use detach, kill or wait" "$rc $err"

# --timeout
t=$(now)
run "${P[@]}" --timeout 0.5 --kill-after 1 sh -c "trap '' TERM; sleep 100$tag"
took=$(ms_since "$t")
check "--timeout with a command that ignores SIGTERM exits 124" 124 "$rc"
[ "$took" -ge 1450 ] && [ "$took" -lt 2500 ] && ok "... after the timeout and the grace (${took} ms)" ||
    not_ok "... after ${took} ms"
check "... and leaves nothing running" "" "$(mine "sleep 100$tag")"
t=$(now)
run "${P[@]}" --timeout 0.5 sh -c "trap '' TERM; sleep 101$tag"
took=$(ms_since "$t")
check "the default grace is 5 s" "124 yes" "$rc $([ "$took" -ge 5450 ] && [ "$took" -lt 7000 ] && echo yes || echo "no: ${took} ms")"
check "... nothing left" "" "$(mine "sleep 101$tag")"
t=$(now)
run "${P[@]}" --timeout 0.3 sleep 10
took=$(ms_since "$t")
check "a command that obeys SIGTERM ends at the timeout" "124 yes" "$rc $([ "$took" -lt 1500 ] && echo yes || echo "no: ${took} ms")"
run "${P[@]}" --timeout 5 sh -c 'exit 7'
check "a command that finishes in time keeps its status" 7 "$rc"
run "${C[@]}" --timeout 1 true
check "--timeout without a pid namespace says why" \
    "125 cocoon: --timeout needs a pid namespace (--unshare-pid) so that SIGKILL reaches every process of the sandbox" \
    "$rc $err"
run "${P[@]}" --timeout 1e3 true
check "a bad duration names the flag and the value" \
    "125 cocoon: --timeout: '1e3' is not a number of seconds above 0 (decimals allowed: 0.5)" "$rc $err"
run "${P[@]}" --kill-after 2 true
check "--kill-after needs --timeout" "125 cocoon: --kill-after needs --timeout" "$rc $err"

# --json-status-fd: bwrap's keys, and how it ended.
run "${P[@]}" --json-status-fd 1 --timeout 0.2 sleep 5
check "the JSON exit line says it timed out" '{ "exit-code": 124, "ended": "timeout" }' "$(tail -n 1 <<<"$out")"
run "${P[@]}" --json-status-fd 1 sh -c 'kill -9 $$'
check "... or which signal ended it" '{ "exit-code": 137, "ended": "signal", "signal": 9 }' "$(tail -n 1 <<<"$out")"
run "${P[@]}" --json-status-fd 1 sh -c 'exit 3'
check "... or that it exited" '{ "exit-code": 3, "ended": "exited" }' "$(tail -n 1 <<<"$out")"

# --rlimit
run "${P[@]}" --rlimit NOFILE 64 sh -c 'ulimit -n'
check "--rlimit NOFILE 64: ulimit -n prints 64" 64 "$out"
run "${P[@]}" --rlimit NPROC 50:60 --rlimit nofile 32:unlimited bash -c 'ulimit -u; ulimit -Hu; ulimit -n' 
hard_n=$(ulimit -Hn)
if [ "$hard_n" = unlimited ]; then
    check "--rlimit SOFT:HARD, names in any case" "50 60 32" "$(echo $out)"
else
    check "--rlimit SOFT:HARD, names in any case (unlimited above the hard limit is refused)" \
        "125 cocoon: --rlimit nofile 32:unlimited: above the hard limit $hard_n that cocoon may raise to (raising it needs CAP_SYS_RESOURCE on the host)" \
        "$rc $err"
    run "${P[@]}" --rlimit NPROC 50:60 bash -c 'ulimit -u; ulimit -Hu'
    check "--rlimit SOFT:HARD" "50 60" "$(echo $out)"
fi
run "${P[@]}" --rlimit NOFILE 16 sh -c 'cat /proc/1/limits | grep "open files" | tr -s " " | cut -d" " -f4,5'
check "the limit is the command's, not the reaper's" "$(ulimit -Sn) $(ulimit -Hn)" "$out"
run "${P[@]}" --rlimit NOFILE $(($(ulimit -Hn) + 1)) touch /tmp/ran
check "a value above the hard limit fails before anything starts" \
    "125 cocoon: --rlimit NOFILE $(($(ulimit -Hn) + 1)): above the hard limit $(ulimit -Hn) that cocoon may raise to (raising it needs CAP_SYS_RESOURCE on the host)" \
    "$rc $err"
run "${P[@]}" --rlimit FILES 3 true
check "an unknown name" "125 cocoon: --rlimit: unknown limit 'FILES': use a name of prlimit(1) such as NOFILE, NPROC, AS, CPU" "$rc $err"
run "${P[@]}" --rlimit CORE 5:4 true
check "soft above hard" "125 cocoon: --rlimit CORE 5:4: the soft limit is above the hard limit" "$rc $err"
run "${P[@]}" --rlimit CORE lots true
check "a bad value" "125 cocoon: --rlimit CORE lots: expected SOFT[:HARD], each a number or 'unlimited'" "$rc $err"

# --die-with-parent follows the parent process, not the thread that started cocoon.
run python3 -c "
import subprocess, sys, threading, time
cmd = sys.argv[1:]
t = threading.Thread(target=lambda: subprocess.Popen(cmd))
t.start(); t.join()          # the starting thread is gone
time.sleep(0.6)
print(open('/proc/self/status').read().count('Threads:\t1'))
" "${P[@]}" --die-with-parent sh -c "sleep 0.3; echo still-alive-after-the-thread"
check "--die-with-parent is not fooled by the starting thread's exit" "still-alive-after-the-thread
1" "$out"

# ... and, SIGKILLed at random moments of cocoon's setup, leaves no survivor.
# The parent waits until cocoon holds a pidfd (it has taken note of its
# parent) or, without pidfds (COCOON_KERNEL=4.18), its signalfd (it is about
# to), then dies 0 to 29 ms later: during setup, or once the command runs.
# (A parent that dies before cocoon's first instruction cannot be told from
# one that never existed: cocoon's parent is then whoever adopted it.)
sandbox=$(printf '%q ' "${P[@]}" --die-with-parent sleep "7$tag")
ready=$([ "${COCOON_KERNEL:-}" = 4.18 ] && echo signalfd || echo pidfd)
for i in $(seq 1 200); do
    bash -c "$sandbox & c=\$!
        for _ in \$(seq 500); do ls -l /proc/\$c/fd 2>/dev/null | grep -qE "$ready" && break; sleep 0.001; done
        sleep 0.0\$((RANDOM % 30)); kill -KILL \$\$" >/dev/null 2>&1
done 2>/dev/null
for _ in $(seq 1 50); do
    [ -z "$(mine "sleep 7$tag")" ] && [ -z "$(mine "cocoon.*7$tag")" ] && break
    sleep 0.1
done
check "200 parents SIGKILLed at random moments of setup: no survivor" "" "$(mine "7$tag")"
own=$(readlink /proc/$$/ns/mnt)
stray=$(for p in $(pgrep -u "$(id -u)"); do
    ns=$(readlink "/proc/$p/ns/mnt" 2>/dev/null) && [ "$ns" != "$own" ] && echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline")"
done)
check "... and no process left in a mount namespace of its own" "" "$stray"

# A SIGCHLD storm, and a SIGCHLD ignored by whoever started cocoon.
run "${P[@]}" bash -c 'for i in $(seq 2000); do (exit 0) & done; wait; exit 7'
check "2000 children exiting together: the status still comes back" 7 "$rc"
run "${P[@]}" sh -c 'for i in $(seq 500); do (sleep 0.2 &) ; done; exit 8'
check "500 orphans for the reaper" 8 "$rc"
run env --ignore-signal=CHLD "${P[@]}" sh -c 'exit 9'
check "an inherited ignored SIGCHLD still gives the right status" 9 "$rc"
run env --ignore-signal=CHLD "${C[@]}" sh -c 'sleep 0.1 & wait $!; echo $?'
check "... and the command gets SIGCHLD's default back" 0 "$out"

done_testing
