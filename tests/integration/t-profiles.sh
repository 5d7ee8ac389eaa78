#!/bin/bash
# SPDX-License-Identifier: MIT
# Profiles (man cocoon, PROFILES): each job in one short command, with its
# isolation checked, and every malformed profile refused with its file and line.
. "$(dirname "$0")/lib.sh"
require_userns
work=$(mktemp -d "$HOME/profiles.XXXXXX")
chmod 755 "$work"
export HOME=$work/home
unset XDG_CONFIG_HOME XDG_RUNTIME_DIR WAYLAND_DISPLAY
mkdir -p "$HOME" "$work/proj"
cd "$work/proj" || exit 1
# What a desktop session leaks into every child, and must not reach a profile's.
export GITHUB_TOKEN=ghp-secret AWS_SECRET_ACCESS_KEY=aws-secret SSH_AUTH_SOCK=/run/user/1/ssh
export DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1/bus
LEAKS='env | grep -cE "TOKEN|SECRET|SSH_AUTH|DBUS"; ! test -e /run/user || echo run-user-visible'

# --profile list: the built-ins, then a user's profile of the same name first.
run "$COCOON" --profile list
check "--profile list names the five built-ins" "host-ro desktop build ci agent" \
    "$(echo "$out" | grep -E '^[a-z-]+ +built-in' | cut -d' ' -f1 | xargs)"
mkdir -p "$HOME/.config/cocoon/profiles"
printf '# Mine\n--unshare-net\n' >"$HOME/.config/cocoon/profiles/ci"
run "$COCOON" --profile list
check "... a user's profile comes first and hides the built-in" \
    "ci $HOME/.config/cocoon/profiles/ci|ci built-in (hidden by the one above)" \
    "$(echo "$out" | grep -E '^ci ' | tr -s ' ' | paste -sd'|')"
rm "$HOME/.config/cocoon/profiles/ci"

# host-ro: the host's programs work as on the host (Debian's alternatives,
# users and groups), nothing of /run, a clean environment.
run "$COCOON" --profile host-ro --uid 0 --gid 0 sh -c '
    for p in cc awk which; do command -v $p; done
    echo "int main(void){return 0;}" >/tmp/t.c && cc -o /tmp/t /tmp/t.c && /tmp/t && echo compiled
    echo x >/tmp/f && install -o root -g root -m 644 /tmp/f /tmp/g && stat -c %U:%G /tmp/g
    awk "BEGIN { print 6 * 7 }"; '"$LEAKS"
check "host-ro: cc, awk, which, install -o root; no token, socket or bus variable; no /run/user" \
    "0 /usr/bin/cc /usr/bin/awk /usr/bin/which compiled root:root 42 0" "$rc $(echo $out)"
run "$COCOON" --profile host-ro sh -c 'echo "$HOME"; ls -A "$HOME" | wc -l; touch "$HOME/x" && echo writable; ls / | xargs'
check_match "... an empty, writable home and no /run, /var or /home contents" \
    "^0 $HOME 0 writable bin dev etc home lib.* proc sbin tmp usr$" "$rc $(echo $out)"

# build: the working directory writable, root inside over subordinate ids,
# no network, nothing left running afterwards.
cat >Makefile <<'EOF'
all:
	printf 'int main(void){return 0;}\n' > hello.c
	cc -o hello hello.c
	install -o root -m 755 hello hello.installed
	id -u > who
	ip -o link | wc -l > links
	(sleep 300 &)
EOF
tag=$$$RANDOM
run "$COCOON" --profile build make -s SLEEP="$tag"
check "build: make, cc and install -o root work, as root inside, with only loopback" "0 0 1" \
    "$rc $(cat who 2>/dev/null) $(cat links 2>/dev/null)"
check "... the results are in the working directory, the caller's" "hello hello.installed" \
    "$(find . -maxdepth 1 -name 'hello*' -user "$(id -u)" -printf '%f\n' | grep -v '\.c$' | sort | xargs)"
run "$COCOON" --profile build sh -c "$LEAKS; touch /usr/x 2>/dev/null || echo usr-read-only"
check "... no secrets, no /run/user, /usr read-only" "0 0 usr-read-only" "$rc $(echo $out)"
run pgrep -u "$(id -u)" -f "sleep 300"
check "... nothing it started outlives it" "" "$out"

# ci: the host read-only without /run, a scratch home, the working directory
# writable with its changes discarded.
echo kept >tracked
run "$COCOON" --profile ci sh -c "echo changed >tracked; touch new; cat tracked; ls /run | wc -l; ls -A ~ | xargs; $LEAKS"
check "ci: the checkout writable inside, /run empty, a scratch home, no secrets" \
    "0 changed 0 0" "$rc $(echo $out)"
check "... and its changes discarded" "kept no-new" "$(cat tracked) $([ -e new ] && echo new || echo no-new)"
run "$COCOON" --profile ci sh -c "cat /proc/1/comm; ! test -e /proc/$$ || echo host-visible"
check "... a pid namespace: PID 1 is cocoon's, this shell is not there" "0 cocoon" "$rc $(echo $out)"

# agent: the working directory writable, but not its git hooks and config or
# shell start-up files; no network; a time limit.
mkdir -p .git/hooks && echo '[core]' >.git/config && echo 'echo hi' >.bashrc
run "$COCOON" --profile agent -- sh -c '
    touch made-by-agent && echo wrote
    for f in .git/config .git/hooks/pre-commit .bashrc; do (echo x >>$f) 2>/dev/null || echo refused; done
    ip -o link | wc -l; '"$LEAKS"
check "agent: writes the working directory, not .git/config, .git/hooks or .bashrc; only loopback" \
    "0 wrote refused refused refused 1 0" "$rc $(echo $out)"
check "... the host's files are as they were" "[core] echo hi made-by-agent" \
    "$(echo $(cat .git/config .bashrc)) $(ls made-by-agent)"
mkdir -p "$work/bare/.git" && echo '[core]' >"$work/bare/.git/config"
run sh -c 'cd "$1" && "$2" --profile agent -- sh -c "mkdir -p .git/hooks/x 2>/dev/null || echo refused
    (echo x >.git/hooks/pre-commit) 2>/dev/null || echo refused"' sh "$work/bare" "$COCOON"
check "... a repository without hooks: none can be made, and none is left" "0 refused refused .git/config" \
    "$rc $(echo $out) $(cd "$work/bare" && find .git -mindepth 1 | paste -sd' ')"
run "$COCOON" --profile agent -- sh -c 'unshare -U true 2>/dev/null || echo refused'
check "... the default seccomp profile, and what it denies said on stderr" \
    "0 refused|cocoon: denied: system call unshare of unshare (pid 3): EPERM by the seccomp profile" \
    "$rc $out|$err"
run env COCOON_TIMEOUT=1 "$COCOON" --profile agent -- sleep 30
check "... the time limit: COCOON_TIMEOUT=1 ends sleep 30 with 124" 124 "$rc"

# desktop: only the Wayland socket of the runtime directory, a persistent
# private home made on first use.
rt=$work/runtime
mkdir -m 700 "$rt"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$rt/wayland-1"
touch "$rt/bus"
run env XDG_RUNTIME_DIR="$rt" WAYLAND_DISPLAY=wayland-1 "$COCOON" --profile desktop sh -c \
    'ls -A /run/user/*/ | xargs; echo $XDG_RUNTIME_DIR $WAYLAND_DISPLAY; echo note >~/note; ip -o link | wc -l'
check "desktop: the Wayland socket alone, no network" "0 wayland-1 /run/user/$(id -u) wayland-1 1" \
    "$rc $(echo $out)"
check "... the home persists in ~/.local/share/cocoon/COMMAND, mode 0700" "700 note" \
    "$(stat -c %a "$HOME/.local/share/cocoon/sh") $(cat "$HOME/.local/share/cocoon/sh/note")"
run env XDG_RUNTIME_DIR="$rt" "$COCOON" --profile desktop sh -c 'ls -A /run/user/*/ | wc -l; cat ~/note'
check "... without WAYLAND_DISPLAY no socket at all; the home is the same" "0 0 note" "$rc $(echo $out)"
run env COCOON_HOME="$work/elsewhere" "$COCOON" --profile desktop sh -c 'touch ~/x'
check "... COCOON_HOME gives another" "0 x" "$rc $(ls "$work/elsewhere")"

# --bind-create takes back what it made when the sandbox does not start.
run "$COCOON" --profile host-ro --bind-create "$work/made/sub" /x --ro-bind "$work/no-such" /y true
check "--bind-create: a failed start leaves no directory behind" "125 absent" \
    "$rc $([ -e "$work/made" ] && echo present || echo absent)"

# --dry-run shows each expansion.
run "$COCOON" --dry-run --profile host-ro true
check_match "--dry-run shows the expansion" "^profile: host-ro: --ro-bind /usr /usr " "$(echo "$out" | grep '^profile:')"

# Malformed profiles: one line naming the file and the line, exit 125, no sandbox.
p=$work/p
while IFS='|' read -r text message; do
    printf '%b' "$text" >"$p"
    message=${message//@/$p}
    run "$COCOON" --profile "$p" true
    check "a profile with $(printf '%q' "$text" | cut -c1-40): $message" "125 cocoon: --profile $p: $message" \
        "$rc $(echo "$err" | head -n1)"
done <<'EOF'
--unshare-pid\n--bind ${NOPE} /x\n|@:2: ${NOPE} is not set
--setenv A 'open\n|@:1: a quote (') is not closed on its line
--bind $HOME /x\n|@:1: write ${HOME} for $HOME: braces are required
\n\n--no-such-thing\n|@:3: Unknown option --no-such-thing
--unshare-pid sh\n|@:1: 'sh' is not an option: a profile holds options only
include no-such-profile\n|@:1: no such profile: 'no-such-profile'
--bind /a\n|@:1: --bind takes two arguments
EOF
printf 'include no-such-profile\n' >"$p"
run "$COCOON" --profile "$p" true
check "... the next line says what to do" "cocoon: profiles are looked up in \$XDG_CONFIG_HOME/cocoon/profiles, /etc/cocoon/profiles and the built-ins; cocoon --profile list shows them" \
    "$(echo "$err" | sed -n 2p)"
printf -- '--bind ${NOPE} /x\n' >"$p"
run "$COCOON" --profile "$p" true
check "... for an unset variable too" "cocoon: set it, or write \${NOPE:-DEFAULT} in the profile" "$(echo "$err" | sed -n 2p)"
run "$COCOON" --profile no-such true
check "an unknown profile name" "125 cocoon: --profile no-such: no such profile: 'no-such'" "$rc $(echo "$err" | head -n1)"
cd / && rm -rf "$work"
done_testing
