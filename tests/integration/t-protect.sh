#!/bin/bash
# SPDX-License-Identifier: MIT
# --protect and --mask (man cocoon): paths inside a writable tree made
# read-only or unreadable, with nothing left on the host, no rename around
# them, and a warning instead of a dead sandbox in the -try forms. The fixture
# looks like a real checkout: a .git directory, a worktree's .git file, a
# parent reached through a symlink, a dangling symlink, names with blanks and
# glob characters.
. "$(dirname "$0")/lib.sh"
require_userns
work=$(mktemp -d "$HOME/protect.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
repo=$work/real/u/repo
mkdir -p "$repo/.git/hooks" "$repo/src" "$repo/odd name [x]*?" "$work/real/u/wt" "$work/secrets"
git init -q "$repo" 2>/dev/null || echo '[core]' >"$repo/.git/config"
echo 'exit 0' >"$repo/.git/hooks/pre-commit"
echo 'int main;' >"$repo/src/a.c"
echo 'TOKEN=hunter2' >"$repo/.env"
echo 'inside' >"$repo/odd name [x]*?/f"
ln -s /nonexistent "$repo/dangling"
ln -s /usr/bin "$repo/outlink"
ln -s .git/config "$repo/configlink"
ln -s not-yet "$repo/later"  # dangling, inside the tree
echo 'gitdir: /elsewhere' >"$work/real/u/wt/.git"
echo 'key' >"$work/secrets/id"
ln -s real "$work/home"  # a symlinked parent, as a symlinked /home
# The whole fixture as the host sees it: paths, modes, owners, sizes, mtimes,
# link targets, contents.
listing() {
    (cd "$work" && find real secrets home -printf '%p %M %u %g %s %T@ %l\n' | sort &&
        find real secrets -type f -print0 | sort -z | xargs -0 sha256sum)
}
before=$(listing)
W=/w  # the checkout, in the sandbox
C=("$COCOON" "${ROOT[@]}" --bind "$work/home/u/repo" "$W" --bind "$work/home/u/wt" /wt --chdir "$W" --unshare-pid)
P=(--protect "$W/.git/hooks" --protect "$W/.git/config" --mask "$W/.env")

# (rename: mv would copy what it cannot rename, leaving a copy of its own.)
run "${C[@]}" "${P[@]}" sh -c '
    rename() { python3 -c "import os, sys; os.rename(sys.argv[1], sys.argv[2])" "$@"; }
    for try in "echo x >.git/config" "echo x >>.git/hooks/pre-commit" "touch .git/hooks/post-checkout" \
               "mkdir .git/hooks/d" "rm -f .git/hooks/pre-commit" "rm -rf .git/hooks" "ln -sf /tmp .git/hooks/x" \
               "rename .git/hooks hooks-aside" "mv .git .git-aside" "rename .git .git-aside" "rename .git/config x" \
               "ln .git/config hard"; do
        (eval "$try") 2>/dev/null && echo "ALLOWED: $try"
    done
    cat .env 2>&1 | sed "s/.*: //"'
check "every angle on .git/hooks and .git/config fails (EROFS, EBUSY); .env answers EACCES" \
    "0 Permission denied" "$rc $(echo $out)"
check "... the fixture is as it was" "$before" "$(listing)"

# The agent's own trick: move .git aside and make a new one.
run "${C[@]}" "${P[@]}" sh -c 'mv .git .git-aside 2>&1 | sed "s/.*: //"; mkdir -p .git/hooks 2>&1 | sed "s/.*: //"
    echo x >.git/hooks/pre-commit 2>/dev/null || echo still-read-only'
check "mv .git .git-aside && mkdir -p .git/hooks: the rename fails (EBUSY), the hooks stay read-only" \
    "0 Device or resource busy still-read-only" "$rc $(echo $out)"

# A symlink as the last part is followed inside the sandbox; one that leads out is refused.
run "${C[@]}" --protect "$W/configlink" sh -c 'echo x >.git/config 2>/dev/null || echo refused'
check "a symlink to a path in the same tree protects what it leads to" "0 refused" "$rc $out"
run "${C[@]}" --protect "$W/outlink" true
check "a symlink that leads out is refused, naming the path and the fix" \
    "125 cocoon: --protect $W/outlink: a symlink that leads out of the tree it lies in|cocoon: --protect-try skips what cannot be placed, with a warning" \
    "$rc $(echo "$err" | paste -sd'|')"

# Masks: files and directories, any name, nothing created on the host.
run "${C[@]}" --mask "$W/odd name [x]*?" --mask /wt/.git sh -c '
    ls "odd name [x]*?" 2>&1 | sed "s/.*: //"; cat "odd name [x]*?/f" 2>&1 | sed "s/.*: //"
    cat /wt/.git 2>&1 | sed "s/.*: //"; echo x >.env && echo env-writable'
check "a masked directory cannot be listed or entered, a masked file not read: Permission denied" \
    "0 Permission denied Permission denied Permission denied env-writable" "$rc $(echo $out)"
check "... the fixture is as it was (only .env, written on purpose)" \
    "$(echo "$before" | grep -v ' real/u/repo/.env$' | grep -v '^real/u/repo/.env ')" \
    "$(listing | grep -v ' real/u/repo/.env$' | grep -v '^real/u/repo/.env ')"
echo 'TOKEN=hunter2' >"$repo/.env"
touch -d "@$(echo "$before" | awk '$1 == "real/u/repo/.env" { print $6 }')" "$repo/.env"

# One rule that cannot be placed: a warning and a report line with -try, an error without.
run "${C[@]}" --protect-try /wt/.git/hooks --mask-try "$W/outlink" --mask-try "$W/dangling" --protect "$W/.git/config" \
    --report-fd 3 sh -c 'echo ran; (echo x >.git/config) 2>/dev/null || echo still-protected' 3>"$work/report"
check "-try: one warning line each, none for a path that is not there; the command runs, the other rules hold" \
    "0 ran still-protected|cocoon: warning: --mask-try $W/outlink: a symlink that leads out of the tree it lies in; not masked|cocoon: warning: --protect-try /wt/.git/hooks: a file where a directory should be; not protected" \
    "$rc $(echo $out)|$(echo "$err" | paste -sd'|')"
check "... and a rule-skipped line each, that one too" \
    "rule-skipped --mask-try $W/outlink|rule-skipped --mask-try $W/dangling|rule-skipped --protect-try /wt/.git/hooks|exit" \
    "$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l); print(e["event"], e.get("option", ""), e.get("path", ""))' "$work/report" | sed 's/ *$//' | paste -sd'|')"
run "${C[@]}" --protect /wt/.git/hooks true
check "without -try: a clear error, nothing runs" \
    "125 cocoon: --protect /wt/.git/hooks: a file where a directory should be" "$rc $(echo "$err" | head -n1)"

# Paths that are not there yet: a placeholder (an empty file, or a directory
# for a DEST ending in '/', and the directories missing on the way) takes the
# rule while the sandbox runs and goes when it ends.
M=(--protect "$W/not-there" --protect "$W/new/deeper/hooks/" --mask "$W/.aws/" --mask "$W/.netrc" --protect "$W/later")
run "${C[@]}" "${M[@]}" sh -c '
    rename() { python3 -c "import os, sys; os.rename(sys.argv[1], sys.argv[2])" "$@"; }
    for try in "echo x >not-there" "rm -f not-there" "mkdir new/deeper/hooks/x" "rename new new-aside" \
               "rmdir new/deeper/hooks" "rename new/deeper x" "echo x >later" "echo x >not-yet" "mkdir .aws/x" \
               "echo x >.netrc" "rename not-there x"; do
        (eval "$try") 2>/dev/null && echo "ALLOWED: $try"
    done
    ls .aws 2>&1 | sed "s/.*: //"; cat .netrc 2>&1 | sed "s/.*: //"; wc -c <not-there; ls -d new/deeper/hooks/'
check "missing paths: every write, rename and removal fails; masked ones answer EACCES" \
    "0 Permission denied Permission denied 0 new/deeper/hooks/" "$rc $(echo $out)"
check "... and their placeholders are gone once cocoon returns" "$before" "$(listing)"
run "${C[@]}" --protect "$W/made/x" sh -c 'touch made/own && echo own-file'
check "a directory made on the way that the sandbox wrote into stays, with what was written; the placeholder goes" \
    "0 own-file own" "$rc $out $(ls -A "$repo/made")"
rm -rf "$repo/made"
touch -d "@$(echo "$before" | awk '$1 == "real/u/repo" { print $6 }')" "$repo"  # (our rm changed it)
run "${C[@]}" --protect /usr/not-there --protect "$W/.git/hooks/new" true
check "a missing path in a read-only tree needs nothing made (the sandbox cannot make it either)" "0" "$rc"
# The placeholder lives as long as the sandbox: cocoon killed, the command
# still runs and the rule holds; the host's own file of that name stays.
# (The command says it runs, then waits for the go, so that cocoon is killed
# after setup whatever the machine's speed.)
mkdir "$work/sig"
"${C[@]}" --bind "$work/sig" /sig --protect "$W/not-there" --protect "$W/mine" sh -c 'echo up
    while [ ! -e /sig/go ]; do sleep 0.02; done; (echo x >not-there) 2>/dev/null || echo held' >"$work/held" 2>&1 &
pid=$!
for _ in $(seq 1000); do grep -q up "$work/held" && break; sleep 0.02; done
kill -9 "$pid"
rm "$repo/mine" && echo 'the host wrote this' >"$repo/mine"
touch "$work/sig/go"
for _ in $(seq 1000); do grep -q held "$work/held" && no_process_left "$COCOON" && break; sleep 0.02; done
check "cocoon killed, the sandbox runs on: the rule holds; after it, the placeholder is gone, the host's own file stays" \
    "up held no the host wrote this" \
    "$(echo $(cat "$work/held")) $([ -e "$repo/not-there" ] && echo left || echo no) $(cat "$repo/mine")"
rm "$repo/mine"
touch -d "@$(echo "$before" | awk '$1 == "real/u/repo" { print $6 }')" "$repo"  # (the host's writes changed it)
check "... the fixture is as it was" "$before" "$(listing)"
# --on-exit detach (the default): what the command leaves running keeps the
# placeholder, which goes when the last of it ends.
run "${C[@]}" --protect "$W/kept" sh -c 'sleep 0.5 & exit 0'
held=$([ -e "$repo/kept" ] && echo kept || echo gone)
for _ in $(seq 100); do [ -e "$repo/kept" ] || break; sleep 0.02; done
check "--on-exit detach: kept while the command's sleep runs on, gone after" "0 kept gone" \
    "$rc $held $([ -e "$repo/kept" ] && echo kept || echo gone)"
check "... the fixture is as it was" "$before" "$(listing)"
# Two sandboxes at once protect the same missing path: they share its
# placeholder, and the last to end removes it; the first's end takes nothing
# from the other.
# (Each runs until told, through files in $work/sig.)
"${C[@]}" --bind "$work/sig" /sig --protect "$W/shared" --protect "$W/d/a" sh -c 'echo up
    while [ ! -e /sig/end1 ]; do sleep 0.02; done' >"$work/first" 2>&1 &
first=$!
for _ in $(seq 1000); do grep -q up "$work/first" && break; sleep 0.02; done
"${C[@]}" --bind "$work/sig" /sig --protect "$W/shared" --protect "$W/d/b" sh -c 'echo up
    while [ ! -e /sig/end2 ]; do sleep 0.02; done; (echo x >shared) 2>/dev/null || echo held; ls d' \
    >"$work/second" 2>&1 &
second=$!
for _ in $(seq 1000); do grep -q up "$work/second" && break; sleep 0.02; done
touch "$work/sig/end1"
wait "$first"
after_first=$(cd "$repo" && ls -d shared d/* 2>&1 | paste -sd' ')
touch "$work/sig/end2"
wait "$second"
check "the same missing path in two sandboxes at once: kept while either runs, held in the second after the first" \
    "d/b shared up held b" "$after_first $(cat "$work/second" | paste -sd' ')"
check "... the fixture is as it was after both" "$before" "$(listing)"
# Twelve at once, started and ended at random, sharing placeholders and the
# directories they go in.
for i in $(seq 1 12); do
    "${C[@]}" --protect "$W/shared" --protect "$W/d/x$((i % 3))" --protect "$W/d/e/f/" sh -c "sleep 0.$((RANDOM % 5))
        (echo x >shared) 2>/dev/null && echo breach; (touch d/e/f/z) 2>/dev/null && echo breach; true" >>"$work/twelve" 2>&1 &
    sleep "0.0$((RANDOM % 5))"
done
wait
for _ in $(seq 100); do no_process_left "$COCOON" && break; sleep 0.02; done
check "twelve at once: every rule held in each, and the fixture is as it was after" "$before" \
    "$(cat "$work/twelve"; listing)"

# --dry-run shows the pins.
run "${C[@]}" "${P[@]}" --dry-run true
check "--dry-run: the pins, then the rules by directory, last" "pin $W/.git|mask $W/.env|protect $W/.git/hooks|protect $W/.git/config" \
    "$(echo "$out" | grep -E '^ +[0-9]+\. (pin|protect|mask) /w' | sed 's/^ *[0-9]*\. //' | paste -sd'|')"

# SIGKILL at any moment of setup leaves nothing behind.
P100=()
for i in $(seq 1 30); do P100+=(--protect "$W/src/a.c" --mask "$W/.env" --protect "$W/.git/hooks" --protect "$W/n/$i"); done
# (Each sandbox ends before the next starts: two at once that make and
# remove placeholders in one directory may leave its mtime changed.)
# --die-with-parent: setup dies with cocoon, between any two steps of making
# a placeholder; without, setup dies with it until the command runs.
for how in "" --die-with-parent; do
    for i in $(seq 1 25); do
        "${C[@]}" $how "${P100[@]}" true &
        pid=$!
        sleep "0.00$((RANDOM % 9))"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        for _ in $(seq 1 100); do no_process_left "$COCOON" && break; sleep 0.02; done
    done
done
check "50 sandboxes killed during setup, placeholders being made: the fixture is as it was" "$before" "$(listing)"
check "... and no cocoon left running" "" "$(pgrep -u "$(id -u)" -f -- "$COCOON")"
# The well-known privileged sockets: masked where a bind of a directory above
# them shows them, unless allowed or bound by themselves. A private mount
# namespace (unshare -rm) gets a /run of its own with a fake docker.sock and
# session bus; nothing of the machine's changes. (Root there, cocoon would keep
# its capabilities in the sandbox, and CAP_DAC_OVERRIDE makes a mask answer
# Connection refused instead: --cap-drop ALL, as an unprivileged caller has it.)
cat >"$work/sockets.sh" <<EOF
mount -t tmpfs tmpfs /run && mkdir -p /run/user/1000
export XDG_RUNTIME_DIR=/run/user/1000
python3 -c '
import os, socket, sys, threading
def serve(path):
    s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(8)
    while True:
        c, _ = s.accept(); c.sendall(b"hi"); c.close()
for p in ("/run/docker.sock", "/run/user/1000/bus"):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
print("up", flush=True)
sys.stdin.read()' <"$work/sockets.fifo" >"$work/sockets.up" &
exec 3>"$work/sockets.fifo"
for _ in \$(seq 100); do [ -s "$work/sockets.up" ] && break; sleep 0.05; done
try='import socket, sys
for p in sys.argv[1:]:
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(p); print(s.recv(2).decode())
    except OSError as e:
        print(e.strerror)'
for how in "" "--allow-socket /run/docker.sock" "--bind /run/user/1000/bus /run/user/1000/bus" "--tmpfs /run"; do
    echo "\$("$COCOON" --ro-bind / / --unshare-pid --cap-drop ALL \$how python3 -c "\$try" /run/docker.sock /run/user/1000/bus | paste -sd,)"
done
echo "\$("$BWRAP_SYMLINK" --ro-bind / / python3 -c "\$try" /run/docker.sock | paste -sd,)"
"$COCOON" --ro-bind / / --dry-run true | grep -o 'mask-socket [^ ]*' | paste -sd,
EOF
mkfifo "$work/sockets.fifo"
run unshare -rm sh "$work/sockets.sh"
check "docker.sock and the session bus: masked (EACCES) under --ro-bind / /; --allow-socket or binding one by itself lets it through; a tmpfs hides both; as bwrap nothing is masked" \
    "0 Permission denied,Permission denied hi,Permission denied Permission denied,hi No such file or directory,No such file or directory hi mask-socket /run/docker.sock,mask-socket /run/user/1000/bus" \
    "$rc $(echo $out)"

# The rest of the tree stays writable, git works.
run "${C[@]}" "${P[@]}" sh -c 'echo src >src/b.c && mv src src2 && mv src2 src && rm src/b.c && echo writable-elsewhere'
check "what no rule names stays writable, renames included" "0 writable-elsewhere" "$rc $out"
if command -v git >/dev/null; then
    run "${C[@]}" "${P[@]}" sh -c 'git config core.hooksPath /tmp 2>/dev/null || echo refused
        git -c safe.directory="*" status --porcelain >/dev/null && echo status-works'
    check "git config core.hooksPath is refused (.git/config is protected); git status works" \
        "0 refused status-works" "$rc $(echo $out)"
fi
done_testing
