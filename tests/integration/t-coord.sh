#!/bin/bash
# SPDX-License-Identifier: MIT
# Coordination with the caller: --info-fd, --json-status-fd, --sync-fd, --block-fd,
# --userns-block-fd, --lock-file, --level-prefix, --exec-label, --file-label.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)
work=$(mktemp -d "$HOME/coord.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --info-fd into a FIFO: cat returns once cocoon has written and closed it, when
# the sandbox's first process exists; the command then waits for our go.
mkfifo "$work/info.fifo" "$work/go"
"${C[@]}" --bind "$work" /w --unshare-pid --unshare-net --info-fd 3 --json-status-fd 4 sh -c 'read x < /w/go; exit 3' \
    3>"$work/info.fifo" 4>"$work/status" &
pid=$!
cat "$work/info.fifo" >"$work/info"
child=$(pgrep -P "$pid")
echo go >"$work/go"
wait "$pid"
field() { grep -o "\"$1-namespace\": [0-9]*" "$work/info" | cut -d' ' -f2; }
expected_keys="\"child-pid\": $child, \"mnt-namespace\": $(field mnt), \"net-namespace\": $(field net), \"pid-namespace\": $(field pid)"
check "--info-fd gets the pid and the namespaces created, in bwrap's layout" \
    "{
    \"child-pid\": $child,
    \"mnt-namespace\": $(grep -o '"mnt-namespace": [0-9]*' "$work/info" | cut -d' ' -f2),
    \"net-namespace\": $(grep -o '"net-namespace": [0-9]*' "$work/info" | cut -d' ' -f2),
    \"pid-namespace\": $(grep -o '"pid-namespace": [0-9]*' "$work/info" | cut -d' ' -f2)
}" "$(cat "$work/info")"
check "--json-status-fd starts with the same keys on one line" "{ $expected_keys }" "$(head -n1 "$work/status")"
[ "$(field net)" != "$(stat -L -c %i /proc/self/ns/net)" ] && ok "... and the inodes are the sandbox's, not ours" ||
    not_ok "... and the inodes are the sandbox's, not ours"
check "--json-status-fd ends with the exit code, and how the sandbox ended" '{ "exit-code": 3, "ended": "exited" }' \
    "$(tail -n1 "$work/status")"

run "${C[@]}" --json-status-fd 4 /nonexistent 4>"$work/status2"
check "no exit-code line when the command never ran" "1" "$(wc -l <"$work/status2")"

run "${C[@]}" --info-fd 77 true
check "--info-fd with a closed fd fails at once (bwrap would hang)" "125 cocoon: --info-fd 77: Bad file descriptor" "$rc $err"

mkfifo "$work/sync"
("${C[@]}" --sync-fd 5 sh -c 'sleep 0.3' 5>"$work/sync") &
start=$(date +%s%N)
cat "$work/sync" >/dev/null
elapsed=$((($(date +%s%N) - start) / 1000000))
wait
[ "$elapsed" -ge 250 ] && ok "--sync-fd stays open until the sandbox ends (${elapsed} ms)" ||
    not_ok "--sync-fd closed after ${elapsed} ms"
run "${C[@]}" --proc /proc --sync-fd 5 sh -c 'cat /proc/$PPID/comm' 5>/dev/null
check "--sync-fd without a pid namespace still has a reaper holding it" "cocoon" "$out"

mkfifo "$work/block"
("${C[@]}" --block-fd 5 sh -c 'echo ran' 5<"$work/block" >"$work/blocked") &
sleep 0.3
before=$(cat "$work/blocked")
echo go >"$work/block"
wait
check "--block-fd holds the command until a byte arrives" " ran" "$before $(cat "$work/blocked")"

run "${C[@]}" --proc /proc --unshare-pid --lock-file /usr/bin/true sh -c 'grep -c "READ" /proc/locks'
check "--lock-file holds a read lock" "1" "$out"
run "${C[@]}" --lock-file /nope true
check "--lock-file on a missing path fails" "125 cocoon: Unable to open lock file /nope: No such file or directory" "$rc $err"
run "${C[@]}" --unshare-pid --as-pid-1 --lock-file /usr true
check "--lock-file with --as-pid-1 is refused" "125 cocoon: Specifying --as-pid-1 and --lock-file is not permitted" "$rc $err"

# --userns-block-fd: we write the maps ourselves, from outside, like newuidmap would.
mkfifo "$work/ublock"
exec 6<>"$work/ublock"
mkfifo "$work/uinfo.fifo"
"${C[@]}" --proc /proc --unshare-user --uid 0 --info-fd 3 --userns-block-fd 6 sh -c 'cat /proc/self/uid_map' \
    3>"$work/uinfo.fifo" >"$work/uout" 2>&1 &
pid=$!
cat "$work/uinfo.fifo" >"$work/uinfo"
child=$(grep -o '"child-pid": [0-9]*' "$work/uinfo" | cut -d' ' -f2)
echo deny >"/proc/$child/setgroups"
echo "0 $(id -u) 1" >"/proc/$child/uid_map"
echo "0 $(id -g) 1" >"/proc/$child/gid_map"
echo go >&6
wait "$pid"
exec 6>&-
check "--userns-block-fd waits while the caller writes the maps" "0 $(id -u) 1" "$(cat "$work/uout" | xargs)"
run "${C[@]}" --userns-block-fd 5 true 5</dev/null
check "--userns-block-fd needs --unshare-user" "125 cocoon: --userns-block-fd requires --unshare-user" "$rc $err"
run "${C[@]}" --unshare-user --userns-block-fd 5 true 5</dev/null
check "... and --info-fd" "125 cocoon: --userns-block-fd requires --info-fd" "$rc $err"

run "${C[@]}" --level-prefix --chdir / --chdir / --foo
check "--level-prefix marks warnings <4> and errors <3>" \
    "<4>cocoon: Only the last --chdir option will take effect
<3>cocoon: Unknown option --foo" "$err"

if [ -e /sys/fs/selinux/enforce ]; then
    skip "--exec-label: this host has SELinux; only its absence is tested here"
else
    run "${C[@]}" --exec-label system_u:system_r:x:s0 true
    check "--exec-label without SELinux is a clear error" "125 cocoon: labeling not supported on this system" "$rc $err"
    run "${C[@]}" --file-label system_u:object_r:x:s0 true
    check "--file-label too" "125 cocoon: labeling not supported on this system" "$rc $err"
fi

done_testing
