#!/bin/bash
# SPDX-License-Identifier: MIT
# --pty: the command on a terminal of its own, driven as a user at a terminal
# would (tests/helpers/pty_script.py): job control, Ctrl-C and Ctrl-Z, window
# size, full-screen output, the exit status, and the caller's terminal mode
# back on every way out (HACKING.md, "A terminal of its own").
. "$(dirname "$0")/lib.sh"
require_userns
if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 is not installed"
    exit 0
fi
SCRIPT=$(dirname "$PROBE")/pty_script.py
drive() { run python3 "$SCRIPT" -- "$@"; }
# field NAME: the line of the driver's report that starts with NAME.
field() { echo "$out" | grep "^$1" | tail -n1; }
work=$(mktemp -d "$HOME/pty.XXXXXX")
cd "$work" || exit 1

# An interactive shell with job control: sleep, Ctrl-Z, bg, jobs, fg, Ctrl-C,
# a resize, full-screen escapes, exit 7. Keys meant for a job are repeated
# until it has the terminal (send-until); a key typed with the line before it
# would flush that line, as at any terminal.
drive "$COCOON" --profile ci --pty --setenv PS1 'P> ' bash --norc -i <<'STEPS'
expect P> 
send sleep 100\r
expect sleep 100\r\n
send-until Stopped \x1a
expect P> 
send bg\r
expect sleep 100 &
expect P> 
send jobs\r
expect Running
expect P> 
send fg\r
expect sleep 100
send-until P> \x03
resize 33 99
send stty size\r
expect 33 99
expect P> 
send printf '\\033[2J\\033[HFU''LL\\n'\r
expect \x1b[2J\x1b[HFULL
expect P> 
send stat -L -c %t:%T /proc/self/fd/0 && echo tty-shown\r
expect tty-shown
expect P> 
send exit 7\r
STEPS
check "an interactive shell: Ctrl-Z, bg, jobs, fg, Ctrl-C, resize, escapes, exit 7" "exited 7" \
    "$(echo "$out" | grep -E '^(timeout|exited|signaled)' | xargs)"
check "... the caller's terminal is back in its mode" "terminal cooked" "$(field terminal)"
outer=$(field outer-tty | cut -d' ' -f2)
inner=$(echo "$out" | grep -B1 '^tty-shown' | head -n1 | grep -oE '[0-9a-f]+:[0-9a-f]+$')
check_match "... the command's terminal is not the caller's ($inner, $outer): TIOCSTI cannot reach it" \
    "^[0-9a-f]+:[0-9a-f]+ [0-9a-f]+:[0-9a-f]+$" "$inner $outer"
[ "$inner" != "$outer" ] && ok "... and they differ" || not_ok "... and they differ"

# Every way out restores the terminal: the command killed, its exit status,
# a timeout, a setup failure.
drive "$COCOON" "${ROOT[@]}" --unshare-pid --pty sh -c 'echo go; kill -KILL $$' <<<'expect go'
check "the command SIGKILLed: cocoon dies of it too, the terminal restored" "signaled 9 terminal cooked" \
    "$(field signaled) $(field terminal)"
drive "$COCOON" "${ROOT[@]}" --unshare-pid --pty --timeout 1 sh -c 'echo go; exec sleep 30' <<<'expect go'
check "a timeout: 124, the terminal restored" "exited 124 terminal cooked" "$(field exited) $(field terminal)"
drive "$COCOON" "${ROOT[@]}" --pty --ro-bind /no-such-dir /x true </dev/null
check "a setup failure: 125, the terminal as it was" "exited 125 terminal cooked" "$(field exited) $(field terminal)"
drive "$COCOON" "${ROOT[@]}" --pty sh -c 'stty size; test -t 0 && test -t 1 && test -t 2 && echo all-terminal; exit 3' \
    </dev/null
check "without a pid namespace: the window size, stdio on the terminal, the status" "exited 3" "$(field exited)"
check "... output relayed" "24 80 all-terminal" "$(echo "$out" | grep -E '^(24 80|all-terminal)' | xargs)"

# Input that is not a terminal ends as at a keyboard (the EOF character).
run bash -c 'printf "a\nb" | "$@"' sh "$COCOON" "${ROOT[@]}" --tmpfs /tmp --pty sh -c 'cat >/tmp/in; echo; cat /tmp/in | tr "\n" .'
check "piped input reaches the command, and its end too" "0 a.b" "$rc $(echo "$out" | tail -n1)"

# cocoon's own stdin and stdout need not be terminals.
run "$COCOON" "${ROOT[@]}" --pty sh -c 'echo out; echo err >&2' </dev/null
check "both streams come back through the terminal (which ends lines with CR LF)" "0 out err" \
    "$rc $(echo $out | tr -d '\r')"
cd / && rm -rf "$work"
done_testing
