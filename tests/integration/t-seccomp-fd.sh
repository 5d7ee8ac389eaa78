#!/bin/bash
# SPDX-License-Identifier: MIT
# --seccomp and --add-seccomp-fd: compiled classic BPF, as bwrap takes it.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
work=$(mktemp -d "$HOME/seccomp.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$PROBE" deny 63 1 >"$work/no-uname"      # uname(2) on x86_64: EPERM
"$PROBE" deny 110 13 >"$work/no-getppid"  # getppid(2): EACCES
printf 'abc' >"$work/seven"
: >"$work/empty"

run "${C[@]}" "$IN_PROBE" try uname
check "without a filter uname works" "OK" "$out"
run "${C[@]}" --seccomp 5 "$IN_PROBE" try uname 5<"$work/no-uname"
check "--seccomp installs the filter read from the fd" "Operation not permitted" "$out"
run "${C[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 sh -c "$IN_PROBE try uname; $IN_PROBE try getppid" \
    5<"$work/no-uname" 6<"$work/no-getppid"
check "--add-seccomp-fd installs every filter" "Operation not permitted Permission denied" "$(echo $out)"
run "${C[@]}" --unshare-pid --add-seccomp-fd 5 --add-seccomp-fd 6 sh -c 'grep -E "^Seccomp" /proc/1/status /proc/self/status | cut -f2' \
    5<"$work/no-uname" 6<"$work/no-getppid"
check "the reaper runs under the same filters as the command" "2 2 2 2" "$(echo $out)"

# Flatpak's contract: every filter but the last allows prctl(PR_SET_SECCOMP);
# seccomp(2) need not be allowed.
"$PROBE" deny 317 38 >"$work/no-seccomp-syscall"  # seccomp(2): ENOSYS
run "${C[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 "$IN_PROBE" try uname \
    5<"$work/no-seccomp-syscall" 6<"$work/no-uname"
check "a filter that allows prctl but not seccomp(2) can be followed by another" "0 Operation not permitted" "$rc $out"
run "${C[@]}" --unshare-pid --add-seccomp-fd 5 --add-seccomp-fd 6 "$IN_PROBE" try uname \
    5<"$work/no-seccomp-syscall" 6<"$work/no-uname"
check "... with a reaper too" "0 Operation not permitted" "$rc $out"
# A kernel without CONFIG_SECCOMP_FILTER answers prctl(PR_SET_SECCOMP) with EINVAL.
"$PROBE" deny 157 22 0=22 >"$work/no-seccomp-kernel"  # prctl(PR_SET_SECCOMP, ...): EINVAL
run "$PROBE" under "$work/no-seccomp-kernel" "${C[@]}" --seccomp-profile default true
check "a kernel without seccomp gets bwrap's hint" \
    "125 cocoon: Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)" \
    "$rc $err"
run "$PROBE" under "$work/no-seccomp-kernel" "${C[@]}" echo without
check "... which only matters when a filter is asked for" "0 without" "$rc $out"

run "${C[@]}" --seccomp 77 true
check "a closed fd fails before anything runs" "125 cocoon: Can't read seccomp data: Bad file descriptor" "$rc $err"
run "${C[@]}" --add-seccomp-fd 5 true 5<"$work/seven"
check "data that is not whole instructions fails" "125 cocoon: Invalid seccomp data, must be multiple of 8" "$rc $err"
run "${C[@]}" --seccomp 5 --add-seccomp-fd 6 true 5<"$work/no-uname" 6<"$work/no-uname"
check "--add-seccomp-fd after --seccomp fails" "125 cocoon: --add-seccomp-fd cannot be combined with --seccomp" "$rc $err"
run "${C[@]}" --add-seccomp-fd 6 --seccomp 5 true 5<"$work/no-uname" 6<"$work/no-uname"
check "--seccomp after --add-seccomp-fd fails" "125 cocoon: --seccomp cannot be combined with --add-seccomp-fd" "$rc $err"
run "${C[@]}" --seccomp 5 true 5<"$work/empty"
check "an empty program is refused by the kernel, with bwrap's hint" \
    "125 cocoon: Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)" \
    "$rc $err"
run "${C[@]}" --seccomp 5 --seccomp 6 "$IN_PROBE" try getppid 5<"$work/no-uname" 6<"$work/no-getppid"
check "--seccomp twice warns and the last wins" "Permission denied cocoon: Only the last --seccomp option will take effect" \
    "$out $err"

done_testing
