#!/bin/bash
# SPDX-License-Identifier: MIT
# The run path: exit statuses, both personalities, usage, identity, environment.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")

run "${C[@]}" sh -c 'exit 42'
check "the command's exit status is passed through" 42 "$rc"

run "${C[@]}" --unshare-pid sh -c 'kill -9 $$'
check "death by signal N gives 128+N" 137 "$rc"

run "${C[@]}" --unshare-pid sh -c 'echo $$'
check "with a pid namespace the command is pid 2 under the reaper" 2 "$out"

run "${C[@]}" --unshare-pid --as-pid-1 sh -c 'echo $$'
check "--as-pid-1 runs the command as pid 1" 1 "$out"

run "${C[@]}" touch /usr/x
check_match "a read-only bind refuses writes with EROFS" "Read-only file system" "$err"

run "${C[@]}" /nonexistent
check "a missing command exits 127" 127 "$rc"
check "... with bwrap's message" "cocoon: execvp /nonexistent: No such file or directory" "$err"

run "${C[@]}" /usr
check "a command that cannot be executed exits 126" 126 "$rc"

run "$COCOON" --foo true
check "an unknown option exits 125" 125 "$rc"
check "... naming it" "cocoon: Unknown option --foo" "$err"

run "$BWRAP_SYMLINK" --foo true
check "as bwrap, an unknown option exits 1" 1 "$rc"
check "... with bwrap's prefix" "bwrap: Unknown option --foo" "$err"

run "$BWRAP_SYMLINK" "${ROOT[@]}" /nonexistent
check "as bwrap, a missing command exits 1" "1 bwrap: execvp /nonexistent: No such file or directory" "$rc $err"

run "$BWRAP_SYMLINK" --version
check "as bwrap, --version answers as bubblewrap" "bubblewrap 0.11.1" "$out"

run "$COCOON" --version
check_match "as cocoon, --version names cocoon" "^cocoon [0-9]+\.[0-9]+\.[0-9]+$" "$out"

run "$COCOON" --help --bogus
check_match "--help prints the usage to stdout and exits 0" "^0 usage: $COCOON \[OPTIONS...\] \[--\] COMMAND" "$rc $out"

run "$COCOON"
check "no arguments: one line, the usage line, and a failure (not the whole help)" "125 cocoon: no COMMAND to run
cocoon: usage: $COCOON [OPTIONS...] [--] COMMAND [ARGS...]; see --help" "$rc $err"
run "$COCOON" --tmpfs /tmp
check "options without a command: the same" "125 cocoon: no COMMAND to run" "$rc $(echo "$err" | head -n1)"
run "$BWRAP_SYMLINK" --tmpfs /tmp
check_match "as bwrap, the whole usage, as bwrap prints it" "^1 usage: $BWRAP_SYMLINK \[OPTIONS...\]" "$rc $err"

# A clean environment on request: tokens, agent sockets and bus addresses stay out.
run env -i PATH=/usr/bin:/bin HOME="$HOME" TERM=dumb GITHUB_TOKEN=secret SSH_AUTH_SOCK=/run/agent \
    DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus GIT_AUTHOR_NAME=me LC_ALL=C "${C[@]}" \
    --env-keep 'GIT_*' --setenv FOO bar --chdir / env
check "--env-keep keeps the basics, --setenv's and the matching names, nothing else" \
    "0 FOO=bar GIT_AUTHOR_NAME=me HOME=$HOME LC_ALL=C PATH=/usr/bin:/bin PWD=/ TERM=dumb" "$rc $(echo "$out" | sort | tr '\n' ' ' | sed 's/ $//')"
run "$COCOON" --env-keep 'A=b' true
check "... and refuses a pattern with '='" "125 cocoon: --env-keep: 'A=b' is not a pattern of variable names (a glob such as 'GIT_*')" "$rc $err"

# Errors that teach: a near miss, --opt=value, -h, options after COMMAND, an
# empty root.
for pair in "--ro-bnd|did you mean --ro-bind?" "--unshare-nett|did you mean --unshare-net?" \
    "--uid=0|options take their values as separate arguments: --uid 0" "-h|see --help" "--frobnicate|"; do
    run "$COCOON" "${pair%%|*}" true
    want="cocoon: Unknown option ${pair%%|*}"
    [ -z "${pair#*|}" ] || want="$want
cocoon: ${pair#*|}"
    check "an unknown ${pair%%|*} says $([ -n "${pair#*|}" ] && echo "'${pair#*|}'" || echo "no more")" "125 $want" "$rc $err"
done
run "$BWRAP_SYMLINK" --ro-bnd / / true
check "... as bwrap too, under bwrap's line" "1 bwrap: Unknown option --ro-bnd
bwrap: did you mean --ro-bind?" "$rc $err"
run "$COCOON" sh -c true
check "a command missing from an empty root says what to bind" "127 cocoon: execvp sh: No such file or directory
cocoon: the new root holds only what the options put there; --profile host-ro gives it the host's programs (or add --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)" "$rc $err"
# What a found command leads to and is missing: Debian's alternatives, the
# dynamic loader, a script's interpreter.
USR=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)
work_b=$(mktemp -d "$HOME/basic.XXXXXX")
printf '#!/opt/no-such/sh\necho x\n' >"$work_b/script" && chmod +x "$work_b/script"
for case in "awk|$(readlink /usr/bin/awk)|${USR[*]}" "true|/lib64/ld-linux-x86-64.so.2|--ro-bind /usr/bin /usr/bin --symlink usr/bin /bin" \
    "/s|/opt/no-such/sh|${USR[*]} --ro-bind $work_b/script /s"; do
    IFS='|' read -r cmd missing opts <<<"$case"
    # shellcheck disable=SC2086
    run "$COCOON" $opts "$cmd"
    check "a command whose $missing is not bound in says so" "127 cocoon: execvp $cmd: No such file or directory
cocoon: $cmd is there, but $missing, which it needs, is missing inside the sandbox; bind it in, or use --profile host-ro, which binds what the host's programs need" "$rc $err"
done
rm -rf "$work_b"
run env PATH=/usr/bin:/bin "${C[@]}" no-such-command --unshare-net
check "cocoon's options after a missing COMMAND are pointed out" "127 cocoon: execvp no-such-command: No such file or directory
cocoon: --unshare-net comes after COMMAND, so it is an argument of COMMAND: cocoon's options go before it" "$rc $err"

run "${C[@]}" sh -c 'id -u; id -g'
check "by default the ids inside are the caller's" "$(id -u) $(id -g)" "$(echo $out)"

run "${C[@]}" --uid 0 --gid 0 sh -c 'id -u; id -g'
check "--uid and --gid choose the ids inside" "0 0" "$(echo $out)"

run "$COCOON" --ro-bind / / cat /proc/self/uid_map
check "the caller's own uid is mapped to itself" "$(id -u) $(id -u) 1" "$(echo $out)"

run "${C[@]}" cat /proc/self/uid_map
check "with --dev the nested namespace maps the uid onto root, as bwrap does" "$(id -u) 0 1" "$(echo $out)"

run "${C[@]}" --uid 5000 --gid 5000 "$IN_PROBE" caps
check "the command has no capabilities and no_new_privs" \
    "CapInh: 0000000000000000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000000 CapAmb: 0000000000000000 NoNewPrivs: 1" \
    "$(echo $out)"

run "${C[@]}" --uid 0 "$IN_PROBE" caps
check_match "even uid 0 inside has no capabilities" "CapEff: 0000000000000000 CapBnd: 0000000000000000" "$(echo $out)"

run "${C[@]}" --unshare-net sh -c 'cat /proc/net/dev | cut -d: -f1 | tr -d " " | tail -n +3; grep -c "127.0.0.1" /proc/net/fib_trie'
check_match "--unshare-net leaves only lo, with 127.0.0.1" "^lo [1-9]" "$(echo $out)"

run "${C[@]}" --unshare-net cat /proc/net/if_inet6
check_match "... and lo is up with ::1" "^0+1 .* lo$" "$out"

run "${C[@]}" --unshare-uts --hostname sandbox-box cat /proc/sys/kernel/hostname
check "--hostname sets the host name" "sandbox-box" "$out"

run "${C[@]}" --hostname x true
check "--hostname without --unshare-uts is refused" "125 cocoon: Specifying --hostname requires --unshare-uts" "$rc $err"

for ns in ipc net uts cgroup pid; do
    run "${C[@]}" "--unshare-$ns" readlink "/proc/self/ns/$ns"
    host=$(readlink "/proc/self/ns/$ns")
    if [ "$rc" = 0 ] && [ -n "$out" ] && [ "$out" != "$host" ]; then ok "--unshare-$ns gives a new $ns namespace"
    else not_ok "--unshare-$ns gives a new $ns namespace"; diag "host $host sandbox $out rc $rc $err"; fi
done

run "${C[@]}" --unshare-cgroup cat /proc/self/cgroup
check "inside a cgroup namespace every hierarchy is at its root" "" "$(echo "$out" | grep -v ':/$')"

run "${C[@]}" --unshare-all readlink /proc/self/ns/net
check_match "--unshare-all includes the network namespace" "^net:" "$out"
[ "$out" != "$(readlink /proc/self/ns/net)" ] && ok "... a new one" || not_ok "... a new one"

run "${C[@]}" --unshare-all --share-net readlink /proc/self/ns/net
check "--share-net after --unshare-all keeps the host network" "$(readlink /proc/self/ns/net)" "$out"

run "${C[@]}" --chdir /usr sh -c 'pwd; echo $PWD'
check "--chdir changes directory and sets PWD" "/usr /usr" "$(echo $out)"

run "${C[@]}" --chdir /nope true
check "--chdir to a missing directory is an error" "125 cocoon: Can't chdir to /nope: No such file or directory" "$rc $err"

run "${C[@]}" --chdir /usr --chdir /proc pwd
check "--chdir twice warns and the last wins" "/proc cocoon: Only the last --chdir option will take effect" "$out $err"

cd /tmp && run "${C[@]}" sh -c 'pwd; echo $PWD'
check "without --chdir a directory missing in the sandbox falls back to /" "/ /" "$(echo $out)"
cd - >/dev/null || exit 1

run "${C[@]}" --bind "$HOME" "$HOME" --chdir / sh -c 'cd; pwd'
check "... HOME is usable when bound" "$HOME" "$out"
cd /tmp && run env -C /tmp "${C[@]}" --bind "$HOME" "$HOME" sh -c 'pwd; echo $PWD'
check "... to \$HOME when the sandbox has it" "$HOME $HOME" "$(echo $out)"
cd - >/dev/null || exit 1

run "${C[@]}" --clearenv /usr/bin/env
check "--clearenv leaves exactly PWD" "PWD=/" "$out"

run env -i PATH=/usr/bin:/bin FOO=1 BAR=2 "${C[@]}" --setenv FOO x --unsetenv BAR --setenv NEW "a b" /usr/bin/env
check "--setenv and --unsetenv edit the inherited environment" "FOO=x NEW=a b PATH=/usr/bin:/bin PWD=/" "$(echo "$out" | sort | tr '\n' ' ' | sed 's/ $//')"

run "${C[@]}" --setenv A=B c true
check "a variable name with '=' is refused" "125 cocoon: --setenv: invalid variable name 'A=B'" "$rc $err"

run "${C[@]}" --argv0 renamed sh -c 'tr "\0" " " < /proc/$$/cmdline'
check "--argv0 sets argv[0] and still runs COMMAND" "renamed -c tr \"\\0\" \" \" < /proc/\$\$/cmdline " "$out"

run "$COCOON" --args 3 "${ROOT[@]}" sh -c 'echo "$X"' 3< <(printf -- '--setenv\0X\0from-args\0--unshare-pid\0')
check "--args reads NUL-separated options from an fd" "from-args" "$out"

words=$(for i in $(seq 1 4000); do printf -- '--setenv\0V%d\0x\0' "$i"; done | base64 -w0)
run bash -c "$(printf '%q ' "$COCOON") --args 3 $(printf '%q ' "${ROOT[@]}") sh -c 'env | grep -c ^V' 3< <(echo $words | base64 -d)"
check "as cocoon, --args carries far more than bwrap's 9000 words" "4000" "$out"
run bash -c "$(printf '%q ' "$BWRAP_SYMLINK") --args 3 true 3< <(echo $words | base64 -d)"
check "as bwrap, the limit stays 9000" "1 bwrap: Exceeded maximum number of arguments 9000" "$rc $err"

run "$COCOON" --args 77 true
check "--args with a closed fd is an error" "125 cocoon: Can't read --args data: Bad file descriptor" "$rc $err"

run "$COCOON" --uid 99999999999 true
check "an out-of-range uid is an error, not a truncation" "125 cocoon: Invalid uid: 99999999999" "$rc $err"

run "${C[@]}" --unshare-pid sh -c 'read -r _ _ _ _ _ sid _ < /proc/self/stat; echo $sid'
check "without --new-session the command stays in the caller's session" "0" "$out"
run "${C[@]}" --unshare-pid --new-session sh -c 'read -r _ _ _ _ _ sid _ < /proc/$$/stat; echo $$ $sid'
check "--new-session with a pid namespace: the reaper leads the new session, as in bwrap" "2 1" "$out"
run "${C[@]}" --new-session sh -c 'read -r _ _ _ _ _ sid _ < /proc/$$/stat; echo $(( $$ == sid ))'
check "--new-session without one: the command leads it" "1" "$out"

run "$PROBE" fds 5</dev/null
outside=$out
run "${C[@]}" "$IN_PROBE" fds 5</dev/null
check "the command inherits exactly the caller's fds, none of cocoon's" "$outside" "$out"

done_testing
