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

"${C[@]}" --unshare-pid sleep 7$$ >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do h=$(pgrep -f "^sleep 7$$") && break; sleep 0.05; done
run "${C[@]}" --userns 5 sh -c 'readlink /proc/self/ns/user' 5<"/proc/$h/ns/user"
check "--userns joins the given user namespace" "$(readlink "/proc/$h/ns/user")" "$out"
run "${C[@]}" --userns 5 --pidns 6 sh -c 'readlink /proc/self/ns/pid; echo /proc/[0-9]* | wc -w' \
    5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
check "--pidns joins the given pid namespace" "$(readlink "/proc/$h/ns/pid") 5" "$(echo $out)"
run "${C[@]}" --userns 5 --pidns 6 --unshare-pid sh -c 'echo $$; exit 7' 5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
check "--pidns with --unshare-pid makes a new pid namespace under the joined one" "7 2" "$rc $out"
run "${C[@]}" --userns 5 --pidns 6 --unshare-pid readlink /proc/self/ns/pid 5<"/proc/$h/ns/user" 6<"/proc/$h/ns/pid"
[ -n "$out" ] && [ "$out" != "$(readlink "/proc/$h/ns/pid")" ] && ok "... which is not the joined one itself" ||
    not_ok "... which is not the joined one itself ($out)"
run "${C[@]}" --userns 5 --uid 0 true 5<"/proc/$h/ns/user"
check "--uid must be mapped in a joined namespace" "125 cocoon: Can't switch to uid 0 gid 0: Invalid argument" "$rc $err"
kill "$holder"
wait "$holder" 2>/dev/null
pkill -f "^sleep 7$$"

# --userns2 joins a namespace below the one the sandbox is in: a holder keeps one
# process in its own user namespace and one in a nested one.
"${C[@]}" --unshare-pid sh -c "unshare -U sleep 8$$ & exec sleep 9$$" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
    outer=$(pgrep -f "^sleep 9$$") && inner=$(pgrep -f "^sleep 8$$") && break
    sleep 0.05
done
run "${C[@]}" --userns 5 --userns2 6 readlink /proc/self/ns/user 5<"/proc/$outer/ns/user" 6<"/proc/$inner/ns/user"
check "--userns2 joins a nested user namespace after setup" "$(readlink "/proc/$inner/ns/user")" "$out"
kill "$holder"
wait "$holder" 2>/dev/null
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
