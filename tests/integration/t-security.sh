#!/bin/bash
# SPDX-License-Identifier: MIT
# Classes of attack from HACKING.md's security rules that the options of this issue can reach.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
work=$(mktemp -d "$HOME/security.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/target" "$work/bound"

where() { [ -e "$1" ] && echo on-host || echo not-on-host; }

run "${C[@]}" --dir "$work/target" --symlink "$work/target" /l --dir /l/escape-abs test -d "$work/target/escape-abs"
check "a symlink to a host path is followed inside the sandbox, not onto the host" "0 not-on-host" \
    "$rc $(where "$work/target/escape-abs")"

run "${C[@]}" --symlink "$work/target" /l --dir /l/escape-dangling true
check "a symlink dangling inside the sandbox is an error, not a way out" \
    "125 not-on-host cocoon: Can't mkdir /l/escape-dangling: No such file or directory" \
    "$rc $(where "$work/target/escape-dangling") $err"

run "${C[@]}" --symlink "/oldroot$work/target" /l --dir /l/escape-oldroot true
check "the host's old root is not reachable by path during setup" "125 not-on-host" \
    "$rc $(where "$work/target/escape-oldroot")"

rel=$(printf '../%.0s' $(seq 1 20))
run "${C[@]}" --dir /a --dir "$work/target" --symlink "$rel${work#/}/target" /a/up --dir /a/up/escape-rel \
    test -d "$work/target/escape-rel"
check "a relative symlink full of .. stops at the sandbox's root" "0 not-on-host" "$rc $(where "$work/target/escape-rel")"

ln -s "$work/target" "$work/bound/link"
run "${C[@]}" --bind "$work/bound" /w --dir "$work/target" --dir /w/link/escape-bound --tmpfs /w/link/escape-tmpfs \
    test -d "$work/target/escape-bound"
check "a host symlink inside a bind is resolved in the sandbox too" "0 not-on-host not-on-host" \
    "$rc $(where "$work/target/escape-bound") $(where "$work/target/escape-tmpfs")"

run "${C[@]}" --symlink /proc/self/cwd /cwdlink --dir /cwdlink/escape-magic true
check "magic links are not followed during setup" "absent" \
    "$([ -e "$PWD/escape-magic" ] && echo present || echo absent)"

run "${C[@]}" sh -c 'readlink /proc/self/cwd /proc/self/root; cd /..; pwd; ls /proc/self/root/ | tr "\n" " "'
check "the command cannot reach outside its root through cwd or /proc/self/root" \
    "/ / / bin dev lib lib64 probe proc sbin usr" "$(echo $out)"

run "${C[@]}" --unshare-pid sh -c 'readlink /proc/1/exe || echo denied; cat /proc/1/mem 2>/dev/null || echo denied'
check "the reaper's binary and memory cannot be reached through /proc/1" "denied denied" "$(echo $out)"

run "$COCOON" $'--foo\e[31mred'
check "control characters in messages are escaped" 'cocoon: Unknown option --foo\e[31mred' "$err"

run "$COCOON" --tmpfs $'/a\nb' --symlink x /usr sh -c true
check "... also in destinations echoed in errors" "" "$(printf '%s' "$err" | tr -d '[:print:]')"

before=$(find /tmp /var/tmp "$HOME" -maxdepth 1 -user "$(id -u)" 2>/dev/null | sort)
run "${C[@]}" --tmpfs /tmp --unshare-pid true
after=$(find /tmp /var/tmp "$HOME" -maxdepth 1 -user "$(id -u)" 2>/dev/null | sort)
check "a run creates nothing in /tmp, /var/tmp or \$HOME" "$before" "$after"

if [ -n "${COCOON_KERNEL:-}" ]; then
    # The kernel simulation runs everything with no_new_privs: no setuid bit or
    # file capability takes effect, so there is nothing to refuse.
    skip "setuid refusal: not under a simulated kernel (no_new_privs)"
    skip "file capabilities refusal: not under a simulated kernel (no_new_privs)"
elif [ -n "${COCOON_SETUID:-}" ] && [ -u "$COCOON_SETUID" ]; then
    run "$COCOON_SETUID" "${ROOT[@]}" true
    check "installed setuid, cocoon refuses to start and says why" \
        "125 cocoon: refusing to run setuid or setgid: cocoon needs no privileges, remove the mode bits" "$rc $err"
else
    skip "setuid refusal: needs the harness to run as root to make a setuid copy"
fi
if [ -n "${COCOON_KERNEL:-}" ]; then
    :
elif [ -n "${COCOON_FILECAPS:-}" ] && getcap "$COCOON_FILECAPS" 2>/dev/null | grep -q cap_; then
    run "$COCOON_FILECAPS" "${ROOT[@]}" true
    check "with file capabilities, cocoon refuses to start and says why" \
        "125 cocoon: refusing to run with file capabilities: cocoon needs no privileges, remove them with setcap -r" \
        "$rc $err"
else
    skip "file capabilities refusal: needs the harness to run as root with setcap (libcap2-bin)"
fi

done_testing
