#!/bin/bash
# SPDX-License-Identifier: MIT
# Soak and load: many sandboxes in a row and at once, SIGKILL at random moments
# of setup, a command that forks thousands of children; nothing may leak into
# the caller or stay behind on the host. Sizes fit CI; by hand,
# COCOON_SOAK_SCALE=5 runs 2000 in a row, 200 at once, 500 kills and 10000
# children.
. "$(dirname "$0")/lib.sh"
require_userns
scale=${COCOON_SOAK_SCALE:-1}
work=$(mktemp -d "$HOME/soak.XXXXXX")
trap 'rm -rf "$work"' EXIT
C=("$COCOON" "${ROOT[@]}" --tmpfs /tmp --unshare-all --die-with-parent)
mounts() { grep -c . /proc/self/mountinfo; }
mounts_before=$(mounts)

# In a row: the caller's fds and memory stay flat (python as the caller,
# measuring itself after a warm-up and at the end).
run python3 - "$((400 * scale))" "${C[@]}" true <<'EOF'
import os, subprocess, sys
n, cmd = int(sys.argv[1]), sys.argv[2:]
def state():
    rss = int([l for l in open("/proc/self/status") if l.startswith("VmRSS:")][0].split()[1])
    return len(os.listdir("/proc/self/fd")), rss
failed = 0
for i in range(n):
    failed += subprocess.run(cmd).returncode != 0
    if i == 19:
        fds0, rss0 = state()
fds1, rss1 = state()
print(failed, fds1 - fds0, "flat" if rss1 - rss0 < 1024 else "grew %d KiB" % (rss1 - rss0))
EOF
check "$((400 * scale)) sandboxes in a row: none failed, the caller's fds and RSS flat" "0 0 0 flat" "$rc $out"

# At once: every one works, and nothing is left.
n=$((40 * scale))
for i in $(seq 1 "$n"); do
    ("${C[@]}" sh -c 'echo $$' >"$work/at-once.$i" 2>&1; echo $? >>"$work/at-once.$i") &
done
wait
check "$n sandboxes at once: each one ran as PID 2 of its own and exited 0" "$n" \
    "$(cat "$work"/at-once.* | paste -sd' ' | grep -o '2 0' | wc -l)"

# SIGKILL at a random moment of setup, again and again.
for i in $(seq 1 "$((100 * scale))"); do
    "${C[@]}" --bind "$work" /w true &
    pid=$!
    sleep "0.00$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
for _ in $(seq 1 100); do no_process_left "$COCOON" && break; sleep 0.05; done
check "$((100 * scale)) sandboxes killed during setup: no process left" "" "$(pgrep -u "$(id -u)" -f -- "$COCOON")"
check "... no mount left in the caller's namespace" "$mounts_before" "$(mounts)"
check "... nothing left in the bound directory" "at-once" "$(ls "$work" | sed 's/\..*//' | sort -u | paste -sd' ')"

# A command that forks many children: all reaped, the status passed back.
kids=$((2000 * scale))
run timeout 300 "${C[@]}" sh -c "i=0; while [ \$i -lt $kids ]; do /bin/true & i=\$((i + 1)); done; wait; echo done"
check "a command that forks $kids children: they all end, it exits 0" "0 done" "$rc $out"
run timeout 60 "${C[@]}" --unshare-pid sh -c "i=0; while [ \$i -lt 200 ]; do sleep 100 & i=\$((i + 1)); done; exit 3"
check "... 200 left running when it exits: the sandbox ends with it, status 3" "3" "$rc"
for _ in $(seq 1 100); do no_process_left "sleep 100" && break; sleep 0.05; done
check "... and none of them is left" "" "$(pgrep -u "$(id -u)" -f -- "sleep 100")"
done_testing
