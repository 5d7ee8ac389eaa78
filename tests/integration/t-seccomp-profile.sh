#!/bin/bash
# SPDX-License-Identifier: MIT
# --seccomp-profile and --seccomp-export: policies by name (issue 5). The probe
# makes raw syscalls with harmless arguments (a bad fd, NULL pointers) and
# prints the errno: unfiltered they fail with EBADF, EFAULT..., filtered with
# the policy's errno.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}" --tmpfs /tmp --setenv LC_ALL C)
work=$(mktemp -d "$HOME/seccomp-profile.XXXXXX")
trap 'rm -rf "$work"' EXIT

calls=("keyctl 0 -1" "add_key 0 0 0 0 0" "io_uring_setup 0 0" "bpf -1 0 0" "unshare 0x10000000" "mount 0 0 0 0 0"
       "open_tree -1 0 0" "ioctl -1 0x5412 0" "ioctl -1 0x100005412 0" "ioctl -1 0x541c 0" "socket 40 1 0"
       "socket 0x100000028 1 0" "socket 38 5 0" "socket 17 3 0" "clone3 0 0" "ptrace 16 1" "ioctl -1 0x5413 0"
       "socket 1 1 0" "personality 0xffffffff" "personality 0x40000")
probe_all() {
    local script="" c
    for c in "${calls[@]}"; do script+="printf '%s ' \$($IN_PROBE sys $c); "; done
    run "${C[@]}" "$@" sh -c "$script"
}

# socket(AF_PACKET, SOCK_RAW) needs CAP_NET_RAW in the network namespace's owner.
packet=EAFNOSUPPORT
[ "$(id -u)" = 0 ] && packet=OK
probe_all
check "without a profile the calls fail on their bad arguments, or work" \
    "ENOKEY EFAULT EFAULT EINVAL OK EFAULT EFAULT EBADF EBADF EBADF OK OK $packet EPERM EINVAL EPERM EBADF OK OK OK " "$out"
probe_all --seccomp-profile default
check "default: keyring, io_uring, bpf, namespaces, mount, TIOCSTI/TIOCLINUX (also with high bits), AF_VSOCK (also with high bits), AF_ALG, AF_PACKET fail with EPERM; clone3 with ENOSYS; the rest as before" \
    "EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM ENOSYS EPERM EBADF OK OK EPERM " "$out"
probe_all --seccomp-profile none
check "none installs no filter" \
    "ENOKEY EFAULT EFAULT EINVAL OK EFAULT EFAULT EBADF EBADF EBADF OK OK $packet EPERM EINVAL EPERM EBADF OK OK OK " "$out"

run "${C[@]}" --seccomp-profile default sh -c "$IN_PROBE x32 250 0 -1; $IN_PROBE x32 39"
check "default holds through the x32 entry point (keyctl EPERM; getpid unknown to this kernel's x32: ENOSYS)" \
    "EPERM ENOSYS" "$(echo $out)"
run "${C[@]}" --seccomp-profile default sh -c 'grep ^Seccomp: /proc/self/status | cut -f2'
check "the command runs filtered" "2" "$out"
run "${C[@]}" --unshare-pid --seccomp-profile default sh -c 'grep ^Seccomp: /proc/1/status | cut -f2'
check "so does the reaper" "2" "$out"

# Ordinary programs: a shell, python with threads, make, git, fork.
cat >"$work/Makefile" <<'MAKE'
all: a b
a b:
	@echo made $@
MAKE
run "${C[@]}" --bind "$work" /w --chdir /w --seccomp-profile default sh -c '
    set -e
    python3 -c "
import threading, subprocess, os
r = []
ts = [threading.Thread(target=lambda i=i: r.append(i * i)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
pid = os.fork()
pid or os._exit(7)
print(sum(r), subprocess.run([\"true\"]).returncode, os.waitpid(pid, 0)[1] >> 8)"
    make -s -j2 -f Makefile | sort | tr "\n" " "
    export HOME=/tmp GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
    cd /tmp && git init -q repo && cd repo && echo hi >f && git add f && git commit -qm one && git log --format=%s'
check "sh, python3 with threads and fork, make -j2 and git work under default" "140 0 7
made a made b one" "$out"

if [ -s "${OCI_PROFILE:-}" ]; then
    probe_all --ro-bind "$OCI_PROFILE" /oci.json --seccomp-profile "$OCI_PROFILE"
    check "containers-common's profile: keyctl, unshare, mount, open_tree allowed; add_key, io_uring, clone3(?) as it says; bpf EPERM; personality(0x40000) ENOSYS" \
        "ENOKEY ENOSYS ENOSYS EPERM OK EFAULT EFAULT EBADF EBADF EBADF OK OK $packet EPERM EINVAL EPERM EBADF OK OK ENOSYS " "$out"
    run "${C[@]}" --seccomp-profile "$OCI_PROFILE" sh -c 'python3 -c "print(6*7)"'
    check "a program runs under it" "42" "$out"
else
    not_ok "containers-common's seccomp.json is missing: tools/setup.sh unpacks it as root (apt-get download golang-github-containers-common)"
fi

# A text policy.
printf 'default allow\n# only mkdir\ndeny EACCES mkdir mkdirat\n' >"$work/mkdir.policy"
run "${C[@]}" --seccomp-profile "$work/mkdir.policy" sh -c 'mkdir /tmp/x; echo "rc=$?"; touch /tmp/y && ln -s y /tmp/z && ls /tmp'
check "a policy denying mkdir with EACCES: mkdir says Permission denied, the rest works" \
    "rc=1 y z mkdir: cannot create directory '/tmp/x': Permission denied" "$(echo $out) $err"
printf 'default allow\ndeny EACCES mkdir\n  deny   mkdri rmdir\n' >"$work/typo.policy"
run "${C[@]}" --seccomp-profile "$work/typo.policy" touch "$work/ran"
check "a misspelt syscall names file, line and column, and nothing runs" \
    "125 cocoon: --seccomp-profile: $work/typo.policy:3:10: unknown syscall 'mkdri' no" \
    "$rc $err $([ -e "$work/ran" ] && echo yes || echo no)"
run "${C[@]}" --seccomp-profile "$work/missing.policy" true
check "a missing file" "125 cocoon: --seccomp-profile: Can't open $work/missing.policy: No such file or directory" "$rc $err"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {"names": ["mkdir"], "action": }\n  ]\n}\n' >"$work/bad.json"
run "${C[@]}" --seccomp-profile "$work/bad.json" true
check "broken JSON names the line and column" "125 cocoon: --seccomp-profile: $work/bad.json:4:36: not valid JSON" "$rc $err"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}]}' \
    >"$work/erofs.json"
run "${C[@]}" --seccomp-profile "$work/mkdir.policy" --seccomp-profile "$work/erofs.json" sh -c \
    "mkdir /tmp/x 2>&1; $IN_PROBE sys keyctl 0 -1"
check "profiles stack in order: the later filter's errno wins a tie, the earlier filter still applies" \
    "mkdir: cannot create directory '/tmp/x': Read-only file system
ENOKEY" "$out"
run "${C[@]}" --seccomp-profile default --seccomp-profile "$work/mkdir.policy" sh -c \
    "mkdir /tmp/x 2>&1; $IN_PROBE sys keyctl 0 -1"
check "default stacked with a policy" "mkdir: cannot create directory '/tmp/x': Permission denied
EPERM" "$out"

# --seccomp-export: the same policy for bwrap --seccomp.
run "$COCOON" --seccomp-profile default --seccomp-export "$work/default.bpf"
check "--seccomp-export writes the filter and exits 0" "0 yes" "$rc $([ -s "$work/default.bpf" ] && echo yes)"
if [ -n "${SYSTEM_BWRAP:-}" ]; then
    export_script=""
    for c in "${calls[@]}"; do export_script+="printf '%s ' \$($IN_PROBE sys $c); "; done
    run "$SYSTEM_BWRAP" "${ROOT[@]}" --seccomp 5 sh -c "$export_script" 5<"$work/default.bpf"
    check "bwrap --seccomp with the exported filter blocks the same calls" \
        "EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM ENOSYS EPERM EBADF OK OK EPERM " "$out"
else
    not_ok "Debian's bwrap is needed to check --seccomp-export (apt-get install bubblewrap)"
fi
run "$COCOON" --seccomp-profile default --seccomp-export "$work/x.bpf" true
check "--seccomp-export takes no COMMAND" \
    "125 cocoon: --seccomp-export $work/x.bpf runs no COMMAND, but 'true' was given" "$rc $err"
run "$COCOON" --seccomp-export "$work/x.bpf"
check "--seccomp-export needs a profile" "125 cocoon: --seccomp-export needs a --seccomp-profile to compile" "$rc $err"
run "$COCOON" --seccomp-profile default --seccomp-profile none --seccomp-export "$work/x.bpf"
check "--seccomp-export writes one program" \
    "125 cocoon: --seccomp-export writes one filter: give exactly one --seccomp-profile (bwrap --seccomp takes one program)" \
    "$rc $err"
run "$COCOON" --seccomp-profile none --seccomp-export "$work/x.bpf"
check "none has nothing to export" "125 cocoon: --seccomp-export: profile 'none' has no filter to export no" \
    "$rc $err $([ -e "$work/x.bpf" ] && echo yes || echo no)"

done_testing
