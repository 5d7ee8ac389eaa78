#!/bin/bash
# SPDX-License-Identifier: MIT
# --dry-run: the plan as text, every mount kind, refused plans, and nothing run.
. "$(dirname "$0")/lib.sh"
require_userns
work=$(mktemp -d "$HOME/dryrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/low1" "$work/low2" "$work/up" "$work/wd" "$work/dir"
echo data >"$work/file"

run "$COCOON" --dry-run "${ROOT[@]}" --bind "$work/dir" /w --ro-bind-try /nonexistent /gone \
    --dev-bind /dev/null /null --remount-ro /w --size 1048576 --perms 0700 --tmpfs /t --dir /a/../d \
    --file 5 /f --bind-data 6 /bd --ro-bind-data 7 /rbd --chmod 0600 /f --bind-fd 8 /bfd \
    --overlay-src "$work/low1" --overlay-src "$work/low2" --ro-overlay /ro \
    --overlay-src "$work/low1" --tmp-overlay /tmpo \
    --overlay-src "$work/low1" --overlay "$work/up" "$work/wd" /rw --mqueue /mq \
    --unshare-pid --unshare-ipc sh -c 'touch /w/ran' \
    5<"$work/file" 6<"$work/file" 7<"$work/file" 8<"$work/dir"
check "--dry-run exits 0 and runs nothing" "0 absent" "$rc $([ -e "$work/dir/ran" ] && echo ran || echo absent)"
mounts=$(echo "$out" | sed -n '/^mounts:/,/^[a-z]/p' | grep '^  ' | sed 's/^  [0-9]*\. //')
expect='bind-ro /usr -> /usr
symlink /bin -> usr/bin
symlink /lib -> usr/lib
symlink /lib64 -> usr/lib64
symlink /sbin -> usr/sbin
bind-ro PROBE -> /probe
proc /proc
protect-ro /proc/sys
protect-ro /proc/sysrq-trigger
protect-ro /proc/irq
protect-ro /proc/bus
tmpfs /dev
bind-dev /dev/null -> /dev/null
bind-dev /dev/zero -> /dev/zero
bind-dev /dev/full -> /dev/full
bind-dev /dev/random -> /dev/random
bind-dev /dev/urandom -> /dev/urandom
bind-dev /dev/tty -> /dev/tty
symlink /dev/stdin -> /proc/self/fd/0
symlink /dev/stdout -> /proc/self/fd/1
symlink /dev/stderr -> /proc/self/fd/2
symlink /dev/fd -> /proc/self/fd
symlink /dev/core -> /proc/kcore
dir /dev/shm
devpts /dev/pts
symlink /dev/ptmx -> pts/ptmx
bind WORK/dir -> /w
bind-ro-try /nonexistent -> /gone
bind-dev /dev/null -> /null
remount-ro /w
tmpfs /t mode 0700 size 1048576
dir /a/../d
file /f mode 0666 from fd 5
bind-data /bd mode 0600 from fd 6
bind-data-ro /rbd mode 0600 from fd 7
chmod 0600 /f
bind-fd 8 -> /bfd
overlay-ro WORK/low1:WORK/low2 -> /ro
overlay-tmp WORK/low1 -> /tmpo
overlay WORK/low1 -> /rw upper WORK/up work WORK/wd
mqueue /mq'
mounts=${mounts//$work/WORK}
check "--dry-run lists every mount kind in order, with what --proc and --dev expand to" \
    "$expect" "${mounts//$(dirname "$PROBE")/PROBE}"
check_match "... the namespaces" $'\nnamespaces: mount user pid ipc\n' "$out"
check_match "... the command" $'\ncommand: sh \\(argv "sh" "-c" "touch /w/ran"\\)\n' "$out"
check_match "... what PID 1 is" $'\npid 1: cocoon.s reaper' "$out"
check_match "... and the caller's fds it closes" $'\nclosed before the command: fds 5 6 7 8(\n|$)' "$out"

# A refused plan fails as the run would: the same message, the same status.
for args in "--tmpfs ''" "--on-exit kill" "--timeout 1" "--kill-after 1" "--bind $work/dir ''"; do
    eval "run \"\$COCOON\" \"\${ROOT[@]}\" $args true"
    plain="$rc $err"
    eval "run \"\$COCOON\" --dry-run \"\${ROOT[@]}\" $args true"
    check "a refused plan ($args) fails the same with --dry-run" "$plain" "$rc $err"
    [ "$rc" = 125 ] || not_ok "... with exit status 125 (got $rc)"
done
run "$BWRAP_SYMLINK" --dry-run "${ROOT[@]}" --tmpfs '' true
check "... as bwrap with bwrap's status" "1 bwrap: --tmpfs: destination is empty" "$rc $err"

# The ordering mistake users asked about: a tmpfs over a directory bound earlier.
run "$COCOON" --dry-run "${ROOT[@]}" --bind "$work/dir" "$HOME/proj" --tmpfs "$HOME" true
check_match "a mount hidden by a later one says so" "bind WORK/dir -> $HOME/proj  \\(hidden by 28\\)" "${out//$work/WORK}"
printf 'default allow\ndeny EPERM mount umount2\ndeny EACCES personality arg0 != 0\n' >"$work/policy"
run "$COCOON" --dry-run --seccomp-profile default --seccomp-profile "$work/policy" --ro-bind / / true
check_match "the seccomp filters, where from, their rules and size" \
    $'\nseccomp: 2 filters \\(--seccomp-profile default, --seccomp-profile WORK/policy\\), installed by the command just before execve\n  1\\. [0-9]+ instructions \\(--seccomp-profile default, built-in\\)\n  2\\. [0-9]+ instructions \\(--seccomp-profile WORK/policy, 3 rules, [0-9]+ after lowering\\)\n' "${out//$work/WORK}"
printf 'default allow\ndeny EPERM no_such_call\n' >"$work/bad"
run "$COCOON" --dry-run --seccomp-profile "$work/bad" --ro-bind / / true
check "a policy that does not parse is refused by --dry-run too" "125 cocoon: --seccomp-profile: WORK/bad:2:12: unknown syscall 'no_such_call'" "$rc ${err//$work/WORK}"
rm -f "$work/policy" "$work/bad"
# The JSON form: the same decisions, for programs.
run "$COCOON" --dry-run --json --seccomp-profile default "${ROOT[@]}" --tmpfs /usr --unshare-pid --timeout 2 true
check "--dry-run --json prints one JSON object with the plan's decisions" \
    "0 mount user pid|bind-ro /usr -> /usr hidden by the last|true|--seccomp-profile default, built-in|detach 2.0" \
    "$rc $(printf '%s' "$out" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(d["namespaces"]), end="|")
print(d["mounts"][0]["op"], "hidden by the last" if d["mounts"][0].get("hidden_by") == len(d["mounts"]) else d["mounts"], end="|")
print(d["command"]["file"], end="|")
print(d["seccomp"]["filters"][0]["source"], end="|")
print(d["lifecycle"]["on_exit"], d["lifecycle"]["timeout_s"])' 2>&1)"
run "$COCOON" --json "${ROOT[@]}" true
check "--json without --dry-run is refused" "125 cocoon: --json changes how --dry-run prints the plan: add --dry-run" "$rc $err"
run ls -A "$work"
check "nothing was created anywhere" "dir file low1 low2 up wd" "$(echo $out)"

done_testing
