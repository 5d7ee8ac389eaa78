#!/bin/bash
# SPDX-License-Identifier: MIT
# The reaper, signals, and what is left when things end.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
tag="cocoon-pid1-$$"

# The command says it is ready (its trap set) through a FIFO, which the test
# reads: no polling. (--on-exit kill: the background sleep must not outlive the test.)
ready=$(mktemp -d "$HOME/ready.XXXXXX")
mkfifo "$ready/fifo"
"${C[@]}" --bind "$ready" /r --unshare-pid --on-exit kill sh -c "trap 'exit 7' TERM; echo > /r/fifo; sleep 100 & wait" \
    >/dev/null &
pid=$!
read -r _ <"$ready/fifo"
kill -TERM "$pid"
wait "$pid"
check "SIGTERM to cocoon is forwarded to the command and its status returned (pid ns)" 7 "$?"

# SIGINT and SIGQUIT are not tried here: a background job of a non-interactive
# shell starts with them ignored, and sh then cannot trap them (POSIX); the
# terminal tests (t-terminal.sh) cover them.
# Without a pid namespace the command starts as a vfork child, while cocoon
# sleeps: a signal sent to cocoon meanwhile waits, blocked, and is forwarded
# once the command runs.
for sig in HUP USR1 USR2 WINCH; do
    "${C[@]}" --bind "$ready" /r sh -c "trap 'exit 9' $sig; echo > /r/fifo; while :; do sleep 0.05; done" >/dev/null &
    pid=$!
    read -r _ <"$ready/fifo"
    kill "-$sig" "$pid"
    wait "$pid"
    check "SIG$sig is forwarded too (no pid ns)" 9 "$?"
    # Should cocoon have died instead, its command must not hold our output open.
    pkill -KILL -u "$(id -u)" -f "trap 'exit 9' $sig" 2>/dev/null
done
# A SIGTERM at any moment of a vfork start, including the microseconds after
# the command's execve, ends cocoon and the command together: never cocoon
# alone with the command running on.
long="7$$"
for _ in $(seq 150); do
    "${C[@]}" sleep "$long" &
    pid=$!
    [ $((RANDOM % 4)) = 0 ] || sleep "0.00$((RANDOM % 6))"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
done
run pgrep -u "$(id -u)" -fx "sleep $long"
check "SIGTERM during a vfork start never leaves the command behind (150 tries)" "1" "$rc"
pkill -KILL -u "$(id -u)" -fx "sleep $long"
rm -rf "$ready"

run "${C[@]}" --unshare-pid sh -c 'sh -c "sleep 0.1 &"; sleep 0.5; cat /proc/[0-9]*/stat | grep -c " Z "'
check "orphans are reaped by PID 1: no zombies" "0" "$out"

run "${C[@]}" --unshare-pid "$IN_PROBE" ptrace 1
check "the reaper cannot be ptraced from inside" "Operation not permitted" "$out"

run "${C[@]}" --unshare-pid sh -c 'grep -E "^(CapEff|CapBnd)" /proc/1/status | tr -s "\t" " "'
check "the reaper has no capabilities" "CapEff: 0000000000000000 CapBnd: 0000000000000000" "$(echo $out)"



# --die-with-parent: SIGKILL the process that started cocoon, then no process
# matching PATTERN may be left. With a pid namespace everything in it dies;
# without one, the command itself.
# No timing: the command says "ready" on its stdout, a FIFO whose reader then
# waits for EOF, which comes once every process holding it (the sandbox's) is
# gone; `timeout` bounds the wait if one survives.
die_with_parent() {
    local desc=$1 pattern=$2
    shift 2
    local dir
    dir=$(mktemp -d "$HOME/dwp.XXXXXX")
    mkfifo "$dir/out" "$dir/ready"
    { IFS= read -r _; echo >"$dir/ready"; timeout 20 cat >/dev/null; } <"$dir/out" &
    local reader=$!
    bash -c "$(printf '%q ' "${C[@]}" "$@") & wait" >"$dir/out" 2>/dev/null &
    local parent=$!
    read -r _ <"$dir/ready"
    kill -KILL "$parent"
    wait "$reader"
    no_process_left "$pattern" && ok "$desc" || { not_ok "$desc"; pkill -KILL -f -- "$pattern"; }
    rm -rf "$dir"
}
die_with_parent "--die-with-parent: killing cocoon's parent kills the whole sandbox" "sleep [12]$$" \
    --unshare-pid --die-with-parent sh -c "echo ready; sleep 1$$ & sleep 2$$"
die_with_parent "... and the command without a pid namespace" "sleep 3$$" --die-with-parent \
    sh -c "echo ready; exec sleep 3$$"

# Killing cocoon itself during setup must never leave a sandbox process behind.
# A kill that lands after the command started leaves it running, as with bwrap
# without --die-with-parent; a process still in setup (still named cocoon) must die.
# Half the runs have a reaper without a pid namespace (--sync-fd), where a
# command still waiting for PID 1's go-ahead must notice PID 1's death itself.
for i in $(seq 1 40); do
    if [ $((i % 2)) = 0 ]; then model=(--unshare-pid); else model=(--sync-fd 1); fi
    "${C[@]}" "${model[@]}" sleep 4$$ >/dev/null 2>&1 &
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

# The caller can enter a running sandbox through its PID 1 (flatpak enter,
# --parent-share-pids, nsenter), while the command inside cannot reach PID 1.
# start_held ARGS...: a sandbox whose command waits on $work/go; sets $held
# (cocoon's pid) and $child (child-pid from --json-status-fd), no polling.
work=$(mktemp -d "$HOME/pid1.XXXXXX")
mkfifo "$work/go" "$work/status"
# No --dev: it puts PID 1 and the command in a nested user namespace, which has
# no capability over the sandbox's other namespaces (bwrap does the same).
NODEV=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
       --symlink usr/sbin /sbin --ro-bind "$(dirname "$PROBE")" /probe --proc /proc)
start_held() {
    "$COCOON" "${NODEV[@]}" --bind "$work" /w --json-status-fd 3 "$@" sh -c 'read x < /w/go' \
        3>"$work/status" >/dev/null &
    held=$!
    exec 8<"$work/status"
    local line
    IFS= read -r line <&8
    child=$(echo "$line" | grep -o '"child-pid": [0-9]*' | cut -d' ' -f2)
}
stop_held() {
    echo >"$work/go"
    wait "$held"
    exec 8<&-
}
start_held --unshare-pid --unshare-net
out=$(readlink "/proc/$child/ns/user" "/proc/$child/ns/mnt" "/proc/$child/ns/pid" "/proc/$child/ns/net" | cut -d: -f1 | xargs)
check "the owner can open PID 1's namespaces (reaper, own ids)" "user mnt pid net" "$out"
[ "$(readlink "/proc/$child/ns/user")" != "$(readlink /proc/self/ns/user)" ] && ok "... which are the sandbox's" ||
    not_ok "... which are the sandbox's"
check "... and stat its root, as flatpak enter does first" "$(id -u)" "$(stat -c %u "/proc/$child/root/" 2>&1)"
run nsenter -t "$child" -U -m -n -p --preserve-credentials -r -w sh -c 'ls -A / | tr "\n" " "; cat /proc/net/dev | grep -c :'
check "... and enter it (nsenter)" "0 bin lib lib64 probe proc sbin usr w 1" "$rc $(echo $out)"
run "$COCOON" "${ROOT[@]}" --userns 5 --pidns 6 sh -c 'cat /proc/1/comm; [ $$ -gt 2 ] && echo joined' \
    5<"/proc/$child/ns/user" 6<"/proc/$child/ns/pid"
check "... and join it with --userns and --pidns" "0 cocoon joined" "$rc $(echo $out)"
stop_held

# PID 1's environment, which flatpak enter copies into what it starts: cocoon's
# own, as with bwrap's PID 1 (--setenv applies to the command). Its owner reads
# it with the default identity map as with uid 0 mapped.
COCOON_MARK=held start_held --unshare-pid
check "the owner can read PID 1's environment" "COCOON_MARK=held" \
    "$(tr '\0' '\n' <"/proc/$child/environ" 2>&1 | grep COCOON_MARK)"
check "... and open its memory" "ok" "$(head -c0 "/proc/$child/mem" 2>&1 && echo ok)"
stop_held
COCOON_MARK=held start_held --unshare-pid --uid 0 --gid 0
check "... also with uid 0 inside" "COCOON_MARK=held" "$(tr '\0' '\n' <"/proc/$child/environ" 2>&1 | grep COCOON_MARK)"
stop_held
# The command, same uid, cannot follow any of it (the kernel's ptrace access
# check): only the numbers in /proc/1/fd can be listed, as for any process of
# the same uid.
reach='for f in environ mem fd/0 fd/1 fdinfo/0 exe cwd root ns/user ns/mnt; do
    if [ -L /proc/1/$f ]; then readlink /proc/1/$f; else head -c1 /proc/1/$f; fi; done 2>/dev/null; echo end'
run "${C[@]}" --unshare-pid sh -c "$(echo "$reach" | sed 's|/proc/1/|/proc/self/|g')"
[ "$rc" = 0 ] && [ "$(echo $out | wc -w)" -gt 5 ] && ok "(the same loop reads the command's own files)" ||
    not_ok "(the same loop reads the command's own files)" "$out"
for ids in "" "--uid 0 --gid 0"; do
    # shellcheck disable=SC2086
    run "${C[@]}" --unshare-pid $ids sh -c "$reach"
    check "the command cannot read PID 1's files (${ids:-own ids})" "0 end" "$rc $out"
    # shellcheck disable=SC2086
    run "${C[@]}" --unshare-pid $ids "$IN_PROBE" ptrace 1
    check "... nor ptrace it" "Operation not permitted" "$out"
done
run "${C[@]}" --unshare-pid --seccomp-profile default sh -c "$reach"
check "... nor under filters PID 1 installs before the command" "0 end" "$rc $out"
run "${C[@]}" --unshare-pid --uid 0 --gid 0 --cap-add CAP_NET_ADMIN sh -c "$reach"
check "... nor when the command keeps other capabilities" "0 end" "$rc $out"
run "${C[@]}" --unshare-pid sh -c 'unshare -U -r sh -c "echo in; cat /proc/1/environ; readlink /proc/1/root" 2>/dev/null; echo end'
check "... nor from a nested user namespace of its own" "0 in end" "$rc $(echo $out)"
run "${C[@]}" --unshare-pid sh -c 'grep -E "^(Uid|CapEff|CapPrm|CapBnd)" /proc/1/status | tr -s "\t" " "'
check "PID 1 keeps only cap_sys_ptrace, permitted, not effective" \
    "Uid: $(id -u) $(id -u) $(id -u) $(id -u) CapPrm: 0000000000080000 CapEff: 0000000000000000 CapBnd: 0000000000000000" \
    "$(echo $out)"
run "${C[@]}" --unshare-pid --uid 0 --gid 0 --cap-add CAP_NET_ADMIN sh -c 'grep -E "^(CapEff|CapPrm)" /proc/1/status | tr -s "\t" " "'
check "... even when the command keeps some, as root inside" "CapPrm: 0000000000080000 CapEff: 0000000000000000" "$(echo $out)"
run "${C[@]}" --unshare-pid --uid 0 --gid 0 sh -c 'grep -E "^Cap(Prm|Eff|Inh|Amb)" /proc/self/status | cut -f2 | sort -u'
check "... which the command, root inside, does not get" "0000000000000000" "$out"
run "${C[@]}" --unshare-pid sh -c 'tr "\0" " " < /proc/1/cmdline | cut -d" " -f1; cat /proc/1/comm'
check "PID 1 is cocoon as started, not re-executed" "0 $COCOON cocoon" "$rc $(echo $out)"
rm -rf "$work"

done_testing
