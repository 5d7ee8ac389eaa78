#!/bin/bash
# SPDX-License-Identifier: MIT
# Hosts where a sandbox cannot start, each simulated for one process tree (a
# seccomp filter that fails calls as that host would, a private mount
# namespace that replaces a file): the failure names its cause and its fix,
# and --check reports the same (HACKING.md, "When it does not start").
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind / /)
work=$(mktemp -d "$HOME/hosts.XXXXXX")
chmod 755 "$work"
"$PROBE" kernel 4.18 >"$work/4.18"
"$PROBE" kernel 5.10 >"$work/5.10"
"$PROBE" container >"$work/container"
"$PROBE" container 28 >"$work/enospc"                             # ENOSPC
"$PROBE" deny-set 1 165 428 429 430 432 442 >"$work/no-mounts"    # mount(2) and the new API: EPERM
echo 0 >"$work/zero"
# private HOW CMD...: CMD in a user and mount namespace of its own, where HOW
# (shell) replaced a file first. Ids inside are 0, so cocoon is told to make
# its user namespace.
private() {
    local how=$1
    shift
    unshare -Urm sh -c "$how && exec \"\$@\"" sh "$@"
}
# check_fix WHAT STATUS CAUSE FIX: the failure and its two lines.
check_fix() {
    check "$1: exit status" "$2" "$rc"
    check_match "... names the cause" "^cocoon: cause: $3" "$(echo "$err" | sed -n 2p)"
    check_match "... and the fix" "^cocoon: fix: $4" "$(echo "$err" | sed -n 3p)"
}
# check_says WHAT TOPIC LEVEL PATTERN: a --check run ($out) reports TOPIC so.
check_says() {
    check_match "$1: --check says $2 $3" "^$3 +$2: $4" "$(echo "$out" | grep -E "^[a-z]+ +$2:")"
}

# Linux 4.18: no new mount API, no pidfds; it works, and --check says what it
# does instead.
run "$PROBE" under "$work/4.18" "${C[@]}" sh -c 'echo started'
check "Linux 4.18: a sandbox starts" "0 started" "$rc $out"
run "$PROBE" under "$work/4.18" "$COCOON" --check
check "... --check passes" 0 "$rc"
check_says "Linux 4.18" "the new mount API" warn "missing \\(Linux 5.2\\): mount\\(2\\) at scratch places and MS_MOVE instead"
check_says "Linux 4.18" pidfds warn "missing \\(Linux 5.4\\): SIGCHLD and process ids instead"
check_says "Linux 4.18" sandbox ok ""
# Linux 5.10 works, and --check says what it does instead.
run "$PROBE" under "$work/5.10" "$COCOON" --check
check "Linux 5.10: --check passes" 0 "$rc"
check_says "Linux 5.10" mount_setattr warn "missing \\(Linux 5.12\\): mount\\(2\\) remounts"

# A container's default seccomp profile.
run "$PROBE" under "$work/container" "${C[@]}" true
check_fix "a container's seccomp profile" 125 "a seccomp filter on this process" \
    "start the container with --security-opt seccomp=unconfined"
run "$PROBE" under "$work/container" "$BWRAP_SYMLINK" --ro-bind / / --unshare-user true
check "... as bwrap, the first line stays bwrap's" "1 bwrap: No permissions to create a new namespace" \
    "$rc $(echo "$err" | head -n1 | cut -d, -f1)"
check_match "... and the cause follows" "^bwrap: cause: a seccomp filter" "$(echo "$err" | sed -n 2p)"
run "$PROBE" under "$work/container" "$COCOON" --check --json
check "... --check --json: one object, the sandbox failing" "1 fail warn" "$rc $(echo "$out" | python3 -c '
import json, sys
checks = {c["topic"]: c for c in json.load(sys.stdin)["checks"]}
print(checks["sandbox"]["level"], checks["seccomp"]["level"])' 2>&1)"

# Nested in cocoon with the default profile: the real thing, not a simulation.
run "$COCOON" --ro-bind / / --dev /dev --proc /proc --seccomp-profile default "${C[@]}" true
check_fix "nested under cocoon --seccomp-profile default" 125 "a seccomp filter on this process" \
    "start the container with --security-opt seccomp=unconfined"
run "$COCOON" --ro-bind / / --dev /dev --proc /proc --seccomp-profile default "$COCOON" --check
check_says "nested under a filter" nesting warn "this process is in a user namespace already"
check_says "nested under a filter" newuidmap warn ".*cannot work in a nested user namespace"

# user.max_user_namespaces = 0.
run private "mount --bind '$work/zero' /proc/sys/user/max_user_namespaces" \
    "$PROBE" under "$work/enospc" "${C[@]}" --unshare-user true
check_fix "max_user_namespaces = 0" 125 "user.max_user_namespaces = 0" "sudo sysctl -w user.max_user_namespaces="
run private "mount --bind '$work/zero' /proc/sys/user/max_user_namespaces" "$COCOON" --check
check_says "max_user_namespaces = 0" "user namespaces" fail "user.max_user_namespaces = 0"

# Debian's kernel.unprivileged_userns_clone = 0 (older Debian kernels): --check
# reads the sysctl. (The refusal itself is not simulated: a filter making
# clone fail would rightly be taken for a container's.)
deb="mount -t tmpfs none /proc/sys/kernel && echo 0 >/proc/sys/kernel/unprivileged_userns_clone"
run private "$deb" "$COCOON" --check
check_says "unprivileged_userns_clone = 0" "user namespaces" fail "kernel.unprivileged_userns_clone = 0"

# Ubuntu's AppArmor restriction: namespaces without capabilities, so no mount works.
aa="mount -t tmpfs none /proc/sys/kernel && echo 1 >/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
run private "$aa" "$PROBE" under "$work/no-mounts" "${C[@]}" --unshare-user true
check_fix "AppArmor's restriction" 125 "Ubuntu's AppArmor" "sudo apparmor_parser -r /etc/apparmor.d/cocoon"
run private "$aa" "$PROBE" under "$work/no-mounts" "$COCOON" --check
check_says "AppArmor's restriction" apparmor fail "restricts unprivileged user namespaces"

# A masked /proc, as in a container: the kernel refuses a new procfs for real.
mask="mount --bind /dev/null /proc/keys"
run private "$mask" "${C[@]}" --unshare-user --unshare-pid --proc /proc true
check_fix "a masked /proc" 125 "1 path of this /proc masked \\(/proc/keys\\)" \
    "replace --proc /proc with --bind /proc /proc"
run private "$mask" "${C[@]}" --unshare-user --unshare-pid --bind /proc /proc true
check "... and the fix works" "0" "$rc"
run private "$mask" "$COCOON" --check
check_says "a masked /proc" /proc warn "1 path of this /proc masked"

# This machine: --check passes and reports every topic once.
run "$COCOON" --check
check "--check here: exit 0, the sandbox starts" "0 ok" "$rc $(echo "$out" | grep -E '^[a-z]+ +sandbox:' | cut -d' ' -f1)"
check "... one line per topic, no fix for what is ok" "" \
    "$(echo "$out" | grep -vE '^(ok|warn|fail) +[A-Za-z_/ 0-9v]+: |^      fix: ')"
run "$COCOON" --check true
check "--check takes no COMMAND" "125 cocoon: --check runs no COMMAND, but 'true' was given" "$rc $err"
rm -rf "$work"
done_testing
