#!/bin/bash
# SPDX-License-Identifier: MIT
# --report-fd's denied system calls (man cocoon, REPORTS): a --seccomp-profile's
# denials with an errno go to cocoon outside through a seccomp listener, which
# answers them with the profile's errno and reports each process and call
# once. ENOSYS answers are not reported; without a listener the filter denies
# as before, and the report says so.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}" --tmpfs /tmp --setenv LC_ALL C)
work=$(mktemp -d "$HOME/report.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# lines FILE: each syscall-denied line as "SYSCALL ERRNO COMMAND", then the other events by name.
lines() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "syscall-denied":
        print(e["syscall"], e["errno"], e["command"])
    else:
        print(e["event"])' "$1" | paste -sd'|'
}

run "${C[@]}" --unshare-pid --seccomp-profile default --report-fd 3 sh -c "
    $IN_PROBE sys keyctl 0 -1; $IN_PROBE sys keyctl 0 -1; $IN_PROBE sys mount 0 0 0 0 0
    $IN_PROBE sys clone3 0 0; $IN_PROBE sys getppid" 3>"$work/r1"
check "the command sees the profile's errno" "EPERM EPERM EPERM ENOSYS OK" "$(echo $out)"
check "one line per process and denied call, ENOSYS unreported, then the exit" \
    "keyctl EPERM probe|keyctl EPERM probe|mount EPERM probe|exit" "$(lines "$work/r1")"
check_match "pids are the sandbox's" '"pid":"[2-9]"' "$(head -n1 "$work/r1")"

# One process denied the same call many times: one line, and no waiting on us.
run "${C[@]}" --unshare-pid --seccomp-profile default --report-fd 3 python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
bad = sum(libc.syscall(250, 0, -1) == -1 and ctypes.get_errno() == 1 for _ in range(20000))
print(bad)' 3>"$work/r2"
check "20000 denials of one process: each answered EPERM, one line" "20000|keyctl EPERM python3|exit" \
    "$out|$(lines "$work/r2")"

# The errno of a policy file, and threads: one line per thread that is denied.
printf 'default allow\ndeny EACCES mkdir mkdirat\n' >"$work/mkdir.policy"
run "${C[@]}" --seccomp-profile "$work/mkdir.policy" --report-fd 3 sh -c 'mkdir /tmp/x 2>&1; echo $?' 3>"$work/r3"
check "a file policy's errno: EACCES, reported as such" \
    "mkdir: cannot create directory '/tmp/x': Permission denied 1|mkdir EACCES mkdir|exit" \
    "$(echo $out)|$(lines "$work/r3")"

# Where the filters go on: PID 1 before the command (above), the command just
# before execve (--rlimit when the profile refuses setrlimit), no PID 1.
# (glibc sets limits with prlimit64: the setrlimit syscall is cocoon's alone.)
printf 'default allow\ndeny setrlimit mkdir mkdirat\n' >"$work/late.policy"
run "${C[@]}" --unshare-pid --rlimit NOFILE 64 --seccomp-profile "$work/late.policy" --report-fd 3 \
    sh -c 'mkdir /tmp/x 2>/dev/null; grep ^Seccomp: /proc/1/status | cut -f2' 3>"$work/r4"
check "installed by the command (--rlimit): reported; PID 1 filtered too" "2|mkdir EPERM mkdir|exit" \
    "$out|$(lines "$work/r4")"
run "${C[@]}" --unshare-user --seccomp-profile "$work/late.policy" --report-fd 3 \
    sh -c 'mkdir /tmp/x 2>/dev/null; grep ^Seccomp: /proc/self/status | cut -f2' 3>"$work/r4"
check "installed by the command (no PID 1): reported" "2|mkdir EPERM mkdir|exit" "$out|$(lines "$work/r4")"
run "${C[@]}" --unshare-pid --rlimit NOFILE 64 --seccomp-profile "$work/late.policy" --report-fd 3 --dry-run true 3>/dev/null
check_match "--dry-run says who installs the filter and that it reports" \
    "^seccomp: 1 filters \\(--seccomp-profile $work/late.policy\\), installed by the command just before execve\|  1\\. [0-9]+ instructions \\(--seccomp-profile $work/late.policy, 3 rules, 3 after lowering\\), its denials reported$" \
    "$(echo "$out" | grep -A1 '^seccomp:' | paste -sd'|')"

# Stacked profiles: one listener per process, the last profile's.
run "${C[@]}" --seccomp-profile default --seccomp-profile "$work/mkdir.policy" --report-fd 3 --dry-run true 3>/dev/null
check "two profiles: the last one reports" "1 1" \
    "$(echo "$out" | grep -c 'its denials reported') $(echo "$out" | grep -c '^  2\..*its denials reported')"
run "${C[@]}" --seccomp-profile default --seccomp-profile "$work/mkdir.policy" --report-fd 3 sh -c \
    "mkdir /tmp/x 2>/dev/null; $IN_PROBE sys keyctl 0 -1" 3>"$work/r5"
check "... its denials reported, the other's denied silently" "EPERM|mkdir EACCES mkdir|exit" "$out|$(lines "$work/r5")"

# Without --report-fd, nothing changes: no listener, the denials as compiled.
run "${C[@]}" --seccomp-profile default --dry-run true
check "no --report-fd: no listener" "" "$(echo "$out" | grep -i report)"
run "${C[@]}" --seccomp-profile default sh -c "$IN_PROBE sys keyctl 0 -1"
check "... and the same errno" "EPERM" "$out"

# Without a listener: a kernel that lacks one (4.18), a kernel that refuses
# one at install time. The denials keep their errno and the report says why.
"$PROBE" kernel 4.18 >"$work/4.18"
run "$PROBE" under "$work/4.18" "${C[@]}" --seccomp-profile default --report-fd 3 --dry-run true 3>/dev/null
check "as Linux 4.18, --dry-run says denials go unreported" \
    "  denied calls are not reported: the kernel lacks seccomp user notification (Linux 5.0)" \
    "$(echo "$out" | grep 'not reported')"
run "$PROBE" under "$work/4.18" "${C[@]}" --seccomp-profile default --report-fd 3 sh -c "$IN_PROBE sys keyctl 0 -1" 3>"$work/r6"
check "... and the denials keep their errno" "EPERM|exit" "$out|$(lines "$work/r6")"
# seccomp(2) (317 on x86_64) with SECCOMP_FILTER_FLAG_NEW_LISTENER (8): EINVAL (22).
"$PROBE" deny 317 22 1=8 >"$work/no-listener"
run "$PROBE" under "$work/no-listener" "${C[@]}" --seccomp-profile default --report-fd 3 sh -c "$IN_PROBE sys keyctl 0 -1" 3>"$work/r7"
check "seccomp(2) refusing the listener at install: EPERM still, one line says why" \
    "EPERM|report-incomplete|exit" "$out|$(lines "$work/r7")"
check_match "... naming the cause" '"cause":"seccomp\(2\) refused a listener: Invalid argument"' "$(cat "$work/r7")"
printf 'default allow\ndeny sendmsg\n' >"$work/sendmsg.policy"
run "${C[@]}" --seccomp-profile "$work/sendmsg.policy" --report-fd 3 --dry-run true 3>/dev/null
check "a profile denying what handing the listener out needs: not reported, said why" \
    "  denied calls are not reported: a filter denies what handing its listener out needs (seccomp, sendmsg, close, execve)" \
    "$(echo "$out" | grep 'not reported')"

# Bounded: past 1000 lines, a count.
run "${C[@]}" --unshare-pid --seccomp-profile default --report-fd 3 python3 -c '
import ctypes, os
libc = ctypes.CDLL(None)
for _ in range(1100):
    pid = os.fork()
    if pid == 0:
        libc.syscall(250, 0, -1)
        os._exit(0)
    os.waitpid(pid, 0)' 3>"$work/r8"
check "1100 processes denied: 1000 lines, then one with the count, then the exit" \
    "1000 report-incomplete exit" \
    "$(grep -c syscall-denied "$work/r8") $(tail -n2 "$work/r8" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in sys.stdin))')"
check_match "... the count" '"cause":"100 more processes and calls denied after the first 1000 lines"' "$(cat "$work/r8")"

# --report-stderr: the same denials, readable, each once; alone or with --report-fd.
run "${C[@]}" --unshare-pid --seccomp-profile default --report-stderr sh -c \
    "$IN_PROBE sys keyctl 0 -1; $IN_PROBE sys keyctl 0 -1; $IN_PROBE sys clone3 0 0"
check "--report-stderr: one line per process and call, ENOSYS unsaid, no exit line" \
    "EPERM EPERM ENOSYS|cocoon: denied: system call keyctl of probe (pid 3): EPERM by the seccomp profile|cocoon: denied: system call keyctl of probe (pid 4): EPERM by the seccomp profile" \
    "$(echo $out)|$(echo "$err" | paste -sd'|')"
run "${C[@]}" --seccomp-profile "$work/mkdir.policy" --report-stderr --report-fd 3 mkdir /tmp/x 3>"$work/r10"
check "... and with --report-fd, both" "1|mkdir EACCES mkdir|exit|2" \
    "$rc|$(lines "$work/r10")|$(echo "$err" | wc -l)"

# The report ends with the command.
run timeout 20 "${C[@]}" --unshare-pid --seccomp-profile default --report-fd 3 sh -c \
    "$IN_PROBE sys keyctl 0 -1 >/dev/null; exit 7" 3>"$work/r9"
check "a command that ends after a denial: its status, the report complete" "7|keyctl EPERM probe|exit" \
    "$rc|$(lines "$work/r9")"
done_testing
