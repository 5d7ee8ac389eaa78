#!/bin/bash
# SPDX-License-Identifier: MIT
# Namespaces by fd (--userns, --userns2, --pidns) and --disable-userns,
# --assert-userns-disabled.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc)

run "${C[@]}" --unshare-user --disable-userns sh -c 'cat /proc/self/uid_map; unshare -U true'
check "--disable-userns: a nested user namespace cannot be made" \
    "$(id -u) $(id -u) 1 unshare: unshare failed: No space left on device" "$(echo $out $err)"
run "${C[@]}" --unshare-user --disable-userns sh -c 'echo 100 > /proc/sys/user/max_user_namespaces; unshare -U true'
check_match "... even after trying to raise the limit inside" "No space left on device" "$err"
run "${C[@]}" --unshare-user --disable-userns --assert-userns-disabled echo ok
check "--assert-userns-disabled passes when they are" "ok" "$out"
run "${C[@]}" --assert-userns-disabled true
check "--assert-userns-disabled fails when they are not" \
    "125 cocoon: creation of new user namespaces was not disabled as requested" "$rc $err"
run "${C[@]}" --disable-userns true
check "--disable-userns needs --unshare-user" "125 cocoon: --disable-userns requires --unshare-user" "$rc $err"

# A running sandbox to join: its PID 1 (child-pid, read from --json-status-fd
# through a FIFO) is in the namespaces its command is in.
work=$(mktemp -d "$HOME/ns.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkfifo "$work/status" "$work/ready"
"${C[@]}" --unshare-pid --json-status-fd 3 sleep 7$$ 3>"$work/status" >/dev/null 2>&1 &
holder=$!
exec 8<"$work/status"
IFS= read -r line <&8
h=$(echo "$line" | grep -o '"child-pid": [0-9]*' | cut -d' ' -f2)
# The status names PID 1 as soon as it exists, and its command follows once
# setup is done (under load, much later): the count below includes the command,
# so wait for it to be sleep.
for _ in $(seq 1 1000); do
    kid=$(xargs 2>/dev/null <"/proc/$h/task/$h/children")
    [ -n "$kid" ] && [ "$(cat "/proc/$kid/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.01
done
run "${C[@]}" --userns 5 sh -c 'readlink /proc/self/ns/user' 5<"/proc/$h/ns/user"
check "--userns joins the given user namespace" "$(readlink "/proc/$h/ns/user")" "$out"
# Counted by sh itself, with no pipeline: the holder's PID 1 and sleep, and sh
# (a pipeline's processes are forked while the glob is expanded, so they race).
run "${C[@]}" --userns 5 --pidns 6 sh -c 'readlink /proc/self/ns/pid; set -- /proc/[0-9]*; echo $#' \
    5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
check "--pidns joins the given pid namespace" "$(readlink "/proc/$h/ns/pid") 3" "$(echo $out)"
run "${C[@]}" --userns 5 --pidns 6 --unshare-pid sh -c 'echo $$; exit 7' 5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
check "--pidns with --unshare-pid makes a new pid namespace under the joined one" "7 2" "$rc $out"
run "${C[@]}" --userns 5 --pidns 6 --unshare-pid readlink /proc/self/ns/pid 5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
[ -n "$out" ] && [ "$out" != "$(readlink "/proc/$h/ns/pid")" ] && ok "... which is not the joined one itself" ||
    not_ok "... which is not the joined one itself ($out)"
run "${C[@]}" --userns 5 --uid 0 true 5<"/proc/$h/ns/user"
check "--uid must be mapped in a joined namespace" "125 cocoon: Can't switch to uid 0 gid 0: Invalid argument" "$rc $err"
kill "$holder"
wait "$holder" 2>/dev/null
exec 8<&-
pkill -f "^sleep 7$$"

# --userns2 joins a namespace below the one the sandbox is in: a holder keeps one
# process in its own user namespace and one in a nested one.
# The nested process says it is ready through a FIFO; the two are found as
# PID 1's child and grandchild (/proc/PID/task/PID/children).
"${C[@]}" --bind "$work" /w --dev-bind /dev/null /dev/null --unshare-pid --json-status-fd 3 \
    sh -c "unshare -U sh -c 'echo > /w/ready; exec sleep 8$$' & exec sleep 9$$" 3>"$work/status" >/dev/null 2>&1 &
holder=$!
exec 8<"$work/status"
IFS= read -r line <&8
read -r _ <"$work/ready"
pid1=$(echo "$line" | grep -o '"child-pid": [0-9]*' | cut -d' ' -f2)
outer=$(cat "/proc/$pid1/task/$pid1/children" | xargs)
inner=$(cat "/proc/$outer/task/$outer/children" | xargs)
run "${C[@]}" --userns 5 --userns2 6 readlink /proc/self/ns/user 5<"/proc/$outer/ns/user" 6<"/proc/$inner/ns/user"
# (Before, without a /dev/null for sh's background job, the nested process never
# ran and this compared two empty strings.)
[ -n "$inner" ] && [ "$(readlink "/proc/$inner/ns/user")" != "$(readlink "/proc/$outer/ns/user")" ] ||
    not_ok "the holder's nested process is in a user namespace of its own (outer '$outer', inner '$inner')"
check "--userns2 joins a nested user namespace after setup" "$(readlink "/proc/$inner/ns/user")" "$out"
kill "$holder"
wait "$holder" 2>/dev/null
exec 8<&-
pkill -f "^sleep [89]$$"
run "${C[@]}" --userns2 77 true
check "--userns2 with a closed fd" "125 cocoon: Joining specified user namespace failed: Bad file descriptor" "$rc $err"

run "${C[@]}" --userns 77 true
check "--userns with a closed fd" "125 cocoon: Joining specified user namespace failed: Bad file descriptor" "$rc $err"
run "${C[@]}" --userns 5 true 5</dev/null
check "--userns with something else" \
    "125 cocoon: Joining the specified user namespace failed, it might not be a descendant of the current user namespace." \
    "$rc $err"
run "${C[@]}" --unshare-user --userns 5 true 5</dev/null
check "--userns with --unshare-user" "125 cocoon: --userns not compatible --unshare-user" "$rc $err"
run "${C[@]}" --pidns 77 true
check "--pidns with a closed fd" "125 cocoon: Setting pidns failed: Bad file descriptor" "$rc $err"

done_testing
