#!/bin/bash
# SPDX-License-Identifier: MIT
# Older kernels, one interface at a time (HACKING.md, "Older kernels"): cocoon
# probes what the kernel has and takes a fallback for what it lacks. Whole
# scripts also run as Linux 5.10, 5.4 and 4.18 (tests/run-all.sh); these are
# the cases those runs cannot show.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
work=$(mktemp -d "$HOME/kernel.XXXXXX")
for k in 5.10 5.4 4.18 clone3-einval; do "$PROBE" kernel "$k" >"$work/$k"; done

# What --dry-run says it will use instead.
for k in 5.10 5.4 4.18; do
    run "$PROBE" under "$work/$k" "${C[@]}" --dry-run true
    echo "$out" | grep '^kernel fallbacks: ' >"$work/says" || echo "(none)" >"$work/says"
    case $k in
        5.10) want="kernel fallbacks: mount(2) remounts for mount_setattr" ;;
        5.4) want="kernel fallbacks: clone(2) for clone3, mount(2) remounts for mount_setattr, a walk beneath the root for openat2, closing /proc/self/fd for close_range" ;;
        4.18) want="kernel fallbacks: clone(2) for clone3, mount(2) at scratch places and MS_MOVE for the new mount API, SIGCHLD and process ids for pidfds, mount(2) remounts for mount_setattr, a walk beneath the root for openat2, closing /proc/self/fd for close_range, unreported seccomp denials for SECCOMP_RET_USER_NOTIF" ;;
    esac
    check "--dry-run names the fallbacks as Linux $k" "$want" "$(cat "$work/says")"
done
run "${C[@]}" --dry-run true
check "... and none on this kernel" "" "$(echo "$out" | grep '^kernel fallbacks')"

# Linux 5.4: clone3 exists but refuses CLONE_CLEAR_SIGHAND (5.5) with EINVAL.
for o in "" "--unshare-pid"; do
    # shellcheck disable=SC2086
    run "$PROBE" under "$work/clone3-einval" "${C[@]}" $o sh -c 'echo $$'
    check "clone3 refusing CLONE_CLEAR_SIGHAND: cocoon uses clone(2) (${o:-no pid ns})" \
        "0 $([ -n "$o" ] && echo 2 || echo ok)" "$rc $([ -n "$o" ] && echo "$out" || { [ -n "$out" ] && echo ok; })"
done

# Without close_range (5.9), PID 1 closes what procfs lists: it keeps stdio, the
# exit and life pipes and --sync-fd, as with it.
run "${C[@]}" --unshare-pid --sync-fd 5 sh -c 'ls /proc/1/fd | sort -n | tr "\n" " "' 5>/dev/null
want=$out
run "$PROBE" under "$work/5.4" "${C[@]}" --unshare-pid --sync-fd 5 sh -c 'ls /proc/1/fd | sort -n | tr "\n" " "' 5>/dev/null
check "without close_range, PID 1 holds the same fds ($want)" "0 $want" "$rc $out"

# Without openat2 (5.6), the walk beneath the new root resolves as openat2
# does: symlinks and ".." stay inside it, and magic links are refused.
mkdir -p "$work/tree/a/b"
ln -s ../../.. "$work/tree/a/b/up"
ln -s / "$work/tree/abs"
for k in "" 5.4 4.18; do
    runner=("${C[@]}")
    [ -z "$k" ] || runner=("$PROBE" under "$work/$k" "${C[@]}")
    run "${runner[@]}" --bind "$work/tree" /t --tmpfs /t/a/b/up/escaped --tmpfs /t/abs/tmp/x \
        sh -c 'ls -d /escaped /tmp/x 2>&1 | tr "\n" " "'
    check "a walk through symlinks and .. stays in the new root (${k:-openat2})" "0 /escaped /tmp/x " "$rc $out"
    check "... and nothing reached the host (${k:-openat2})" "" "$(ls -A "$work/tree/a/b/up/" 2>/dev/null | grep -x escaped)"
    run "${runner[@]}" --ro-bind-try /proc/self/ns/user /userns sh -c 'test -e /userns && echo bound'
    check "a magic-link source (/proc/self/ns/user) is still bound (${k:-openat2})" "0 bound" "$rc $out"
done

# Without mount_setattr (5.12), binds are remounted with mount(2): recursive
# read-only reaches every visible submount, nosuid and nodev too; without the
# new mount API (5.2) they are made with mount(2) too.
for k in "" 5.10 4.18; do
    runner=("${C[@]}")
    [ -z "$k" ] || runner=("$PROBE" under "$work/$k" "${C[@]}")
    # Each mount point under /host, as the sandbox sees it (the mount on top;
    # one hidden under another is out of reach, and keeps its flags).
    run "${runner[@]}" --ro-bind / /host python3 -c '
import os
points = sorted({line.split()[4] for line in open("/proc/self/mountinfo") if line.split()[4].startswith("/host")})
flags = {os.statvfs(p).f_flag & (os.ST_RDONLY | os.ST_NOSUID) for p in points}
print(len(points) > 3, *sorted("ro+nosuid" if f == os.ST_RDONLY | os.ST_NOSUID else "writable or suid" for f in flags))'
    visible=$out
    check "--ro-bind / /host: every submount read-only and nosuid (${k:-mount_setattr})" "0 True ro+nosuid" "$rc $visible"
done

# Without the new mount API (5.2), every kind of mount is made with mount(2)
# at a scratch place and moved: what the sandbox shows is the same.
layout=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
    --proc /proc --dev /dev --mqueue /dev/mqueue --tmpfs /tmp --size 1048576 --tmpfs /small --perms 0700 --dir /d
    --ro-bind-data 3 /etc/data --remount-ro /small --unshare-pid --unshare-ipc)
show='for p in / /usr /proc /dev /dev/pts /dev/mqueue /tmp /small /etc/data; do
    printf "%s %s " "$p" "$(stat -f -c %T "$p")"; done; stat -c %a /d; df -k /small | tail -n1 | tr -s " " | cut -d" " -f2
    touch /usr/x /small/x 2>/dev/null || echo read-only; cat /etc/data'
run "$COCOON" "${layout[@]}" sh -c "$show" 3< <(echo data)
want=$out
run "$PROBE" under "$work/4.18" "$COCOON" "${layout[@]}" sh -c "$show" 3< <(echo data)
check "as Linux 4.18, every kind of mount looks the same ($(echo "$want" | head -n1 | cut -c1-60)...)" "0 $want" "$rc $out"
run "$PROBE" under "$work/4.18" "$COCOON" "${ROOT[@]}" --overlay-src /usr --tmp-overlay /usr \
    sh -c 'touch /usr/new-file && ls /usr/new-file && stat -f -c %T /usr'
check "... an overlay too" "0 /usr/new-file overlayfs" "$rc $(echo $out)"

# Without pidfds (5.4), the child is followed by its pid and SIGCHLD: its exit
# status comes back, also from under a reaper.
for o in "" --unshare-pid; do
    # shellcheck disable=SC2086
    run "$PROBE" under "$work/4.18" "${C[@]}" $o sh -c 'exit 7'
    check "as Linux 4.18, the exit status comes back (${o:-no pid ns})" 7 "$rc"
done
# --die-with-parent without pidfds: the thread that started cocoon may end
# (the parent process lives on in another), the parent process may not.
tag=$$$RANDOM
run "$PROBE" under "$work/4.18" python3 -c "
import os, subprocess, sys, threading, time
started = []
def start():
    started.append(subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True))
    started[0].stdout.readline()  # the command runs: cocoon watches its parent
t = threading.Thread(target=start)
t.start(); t.join()               # the thread that started cocoon is gone
time.sleep(0.5)
print('running' if started[0].poll() is None else 'ended', flush=True)
os._exit(0)                       # and now the parent process
" "${C[@]}" --die-with-parent sh -c "echo up; exec sleep 9$tag"
check "as Linux 4.18, --die-with-parent outlives the starting thread" "0 running" "$rc $out"
for _ in $(seq 1 100); do no_process_left "sleep 9$tag" && break; sleep 0.05; done
no_process_left "sleep 9$tag" && ok "... but not the parent process" || not_ok "... but not the parent process"
rm -rf "$work"
done_testing
