#!/bin/bash
# SPDX-License-Identifier: MIT
# Subordinate id maps through newuidmap/newgidmap. Runs as a user with ranges in
# /etc/subuid and /etc/subgid (tests/run-all.sh adds them).
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
   --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group --tmpfs /tmp --proc /proc --unshare-pid)
me=$(id -un)
range=$(grep -m1 "^$me:" /etc/subuid | cut -d: -f2-)
if [ -z "$range" ]; then
    echo "Bail out! $me has no range in /etc/subuid: the harness should have added one"
    exit 1
fi
start=${range%%:*} count=${range##*:}
work=$(mktemp -d "$HOME/ids.XXXXXX")
trap 'rm -rf "$work"' EXIT

run "${C[@]}" --map-auto --uid 0 --gid 0 sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
check "--map-auto --uid 0 --gid 0 maps the caller on 0 and the range from 1" \
    "0 $(id -u) 1 1 $start $count 0 $(id -g) 1 1 $(grep -m1 "^$me:" /etc/subgid | cut -d: -f2) $(grep -m1 "^$me:" /etc/subgid | cut -d: -f3)" \
    "$(echo $out)"
total=$(echo "$out" | head -n 2 | awk '{n += $3} END {print n}')
check "... $((count + 1)) uids in all" "$((count + 1))" "$total"

run "${C[@]}" --map-auto --uid 0 --gid 0 sh -c 'touch /tmp/f && chown 1234:1234 /tmp/f && stat -c %u:%g /tmp/f'
check "chown to another id works inside, and stat shows it" "1234:1234" "$out"

run "${C[@]}" --map-auto --uid 0 --gid 0 --bind "$work" /w sh -c 'touch /w/mine; mkdir /w/d; touch /w/other; chown 5:5 /w/other'
check "files the sandbox's root creates in a bind belong to the caller on the host" \
    "$(id -u):$(id -g) $(id -u):$(id -g)" "$(stat -c %u:%g "$work/mine" "$work/d" | tr '\n' ' ' | sed 's/ $//')"
check "... and a chown inside lands on the subordinate id" "$((start + 4))" "$(stat -c %u "$work/other")"

run "${C[@]}" --map-auto sh -c 'id -u; id -g; cat /proc/self/uid_map | wc -l'
check "--map-auto without --uid keeps the caller's own ids inside" "$(id -u) $(id -g) 3" "$(echo $out)"

run "${C[@]}" --map-auto --uid 0 --gid 0 sh -c 'cat /proc/self/setgroups; id -G'
check "with helper-written gid maps setgroups stays allowed and extra groups are dropped" "allow 0" "$(echo $out)"

run "${C[@]}" sh -c 'cat /proc/self/setgroups'
check "with the single-id map setgroups is denied" "deny" "$out"

run "${C[@]}" --map-auto --uid 0 --gid 0 sh -c 'grep CapEff /proc/self/status /proc/1/status | cut -f2 | tr "\n" " "'
check "root inside gets the rootless root capabilities; the reaper none" "00000000800405fb 0000000000000000 " "$out"

run "${C[@]}" --map-auto --uid 1000 --gid 1000 sh -c 'grep CapEff /proc/self/status | cut -f2; id -u'
check "any other uid inside has no capabilities" "0000000000000000 1000" "$(echo $out)"

run "${C[@]}" --map-auto --dev /dev sh -c 'test -c /dev/null && test -d /dev/pts && id -u'
check "--map-auto works with --dev (root is mapped, no nested namespace)" "$(id -u)" "$out"

run "${C[@]}" --map-uid 0 "$(id -u)" 1 --map-uid 1 "$start" 10 --map-gid 0 "$(id -g)" 1 --uid 0 --gid 0 \
    sh -c 'cat /proc/self/uid_map; id -u'
check "explicit --map-uid inside the range is written as given" "0 $(id -u) 1 1 $start 10 0" "$(echo $out)"

run "${C[@]}" --map-uid 0 "$start" 100 --map-gid 0 "$start" 100 --uid 0 --gid 0 \
    sh -c 'id -u; id -g; touch /tmp/x; stat -c %u /tmp/x'
check "explicit maps without the caller switch to --uid after setup" "0 0 0" "$(echo $out)"

run "${C[@]}" --map-uid 0 $((start + count)) 10 true
check "a map outside the caller's ranges fails before anything runs, naming /etc/subuid" \
    "125 cocoon: --map-uid 0 $((start + count)) 10: host uids $((start + count))-$((start + count + 9)) are neither yours ($(id -u)) nor inside a range of yours (/etc/subuid:$(grep -n "^$me:" /etc/subuid | head -n1 | cut -d: -f1) has $start-$((start + count - 1)))" \
    "$rc $err"

run "${C[@]}" --map-uid 0 "$start" 10 --map-uid 5 $((start + 20)) 10 --uid 0 true
check "overlapping inside ranges are refused" \
    "125 cocoon: --map-uid 5 $((start + 20)) 10: inside ids overlap --map-uid 0 $start 10" "$rc $err"

run "${C[@]}" --map-uid 0 0 1 --uid 0 true
check "host uid 0 is never mapped" "125 cocoon: --map-uid 0 0 1: host uid 0 may not be mapped" "$rc $err"

run "${C[@]}" --map-uid 0 "$start" 10 true
check "explicit maps without the caller's uid need --uid" \
    "125 cocoon: --map-uid: your uid $(id -u) is not mapped; map it or choose --uid" "$rc $err"

run "${C[@]}" --map-uid 0 x 1 true
check "map numbers are strict" "125 cocoon: --map-uid: 'x' is not a number from 0 to 4294967295" "$rc $err"

# newuidmap/newgidmap present but unable to work: inside another sandbox, with
# no_new_privs, the setuid helper runs without its privileges.
nested=("$COCOON" --ro-bind / / --dev /dev --proc /proc --unshare-user "$COCOON" --ro-bind / / --unshare-user)
run "${nested[@]}" --map-auto --uid 0 --gid 0 sh -c 'cat /proc/self/uid_map; id -u'
check "--map-auto degrades to one id when the helpers fail (nested)" "0 0 $(id -u) 1 0" "$rc $(echo $out)"
check_match "... and says why, with the helper's own message" \
    "^cocoon: --map-auto: newuidmap .*write to uid_map failed: Operation not permitted; mapping only uid $(id -u)
cocoon: --map-auto: .*; mapping only gid $(id -g)\$" "$err"
run "${nested[@]}" --map-uid 0 "$(id -u)" 1 --map-uid 1 "$(awk -F: -v u="$(id -un)" '$1 == u {print $2; exit}' /etc/subuid)" 10 true
check_match "explicit maps do not degrade: the helper's failure is an error" \
    "^125 cocoon: setting up uid map: newuidmap .*Operation not permitted" "$rc $err"

done_testing
