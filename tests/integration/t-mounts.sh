#!/bin/bash
# SPDX-License-Identifier: MIT
# Filesystem options, in order, on a fresh tmpfs root.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
work=$(mktemp -d "$HOME/mounts.XXXXXX")
trap 'rm -rf "$work"' EXIT

run "${C[@]}" sh -c 'ls -A / | tr "\n" " "'
check "the root holds only what the options put there" "bin dev lib lib64 probe proc sbin usr " "$out"

run "${C[@]}" stat -c '%a %u' /
check "the root is a 0755 tmpfs owned by the caller" "755 $(id -u)" "$out"

run "$COCOON" --ro-bind / / touch /dev/shm/cocoon-ro-test
check_match "--ro-bind makes every submount read-only too" "Read-only file system" "$err"

run "$COCOON" --bind / / sh -c 'touch /dev/shm/cocoon-rw-test && rm /dev/shm/cocoon-rw-test && echo written'
check "--bind keeps submounts writable" "written" "$out"

echo data >"$work/file"
run "${C[@]}" --bind "$work" /w sh -c 'cat /w/file; echo more >> /w/file'
check "--bind is read-write and reaches the host" "data more" "$(echo $out $(tail -n1 "$work/file"))"

echo data >"$work/file2"
run "${C[@]}" --ro-bind "$work/file2" /etc/one-file cat /etc/one-file
check "a file can be bound on a file, parents created" "data" "$out"

cd "$work" && run "${C[@]}" --ro-bind file2 /rel cat /rel
check "a relative source is taken from the caller's directory" "data" "$out"
cd - >/dev/null || exit 1

run "${C[@]}" --ro-bind /proc/self/fd/5 /x cat /x 5<"$work/file2"
check "a source /proc/self/fd/N is the caller's fd N" "data" "$out"
# Flatpak binds the sandbox's user namespace for its sub-sandboxes: a magic
# link to an object without a path, followed as the last step only.
run "${C[@]}" --ro-bind-try /proc/self/ns/user /run/.userns stat -f -c %T /run/.userns
check "a magic-link source (/proc/self/ns/user) is bound, as Flatpak asks" "0 nsfs" "$rc $out"
run "${C[@]}" --ro-bind /proc/self/ns/nonexistent /x true
check "... a missing one is an error" "125 cocoon: Can't find source path /proc/self/ns/nonexistent: No such file or directory" \
    "$rc $err"

run "${C[@]}" --bind /nonexistent /x true
check "a missing source is an error with bwrap's message" \
    "125 cocoon: Can't find source path /nonexistent: No such file or directory" "$rc $err"

for v in --bind-try --ro-bind-try --dev-bind-try; do
    run "${C[@]}" "$v" /nonexistent /x sh -c 'test -e /x && echo there || echo absent'
    check "$v skips a missing source" "0 absent" "$rc $out"
done

run "${C[@]}" --dev-bind /dev/null /devnull sh -c 'echo x > /devnull && echo ok'
check "--dev-bind allows device nodes" "ok" "$out"
run "${C[@]}" --bind /dev/null /devnull sh -c 'echo x > /devnull'
check_match "--bind does not" "Permission denied" "$err"

run "${C[@]}" --bind "$work" /w --remount-ro /w touch /w/new
check_match "--remount-ro makes a mount read-only" "Read-only file system" "$err"
run "${C[@]}" --remount-ro /nope true
check "--remount-ro on a missing path is an error" "125 cocoon: Can't remount readonly on /nope: No such file or directory" "$rc $err"

run bash -c "umask 077; $(printf '%q ' "${C[@]}") --tmpfs /t --dir /d/e/f stat -c '%a' /t /d /d/e /d/e/f"
check "--tmpfs and --dir create mode 0755 whatever the umask" "755 755 755 755" "$(echo $out)"

run "${C[@]}" --tmpfs /t sh -c 'umask'
check "the command still gets the caller's umask" "$(umask)" "$out"

run "${C[@]}" --tmpfs /t sh -c 'echo hi > /t/f && cat /t/f && grep " /t " /proc/self/mountinfo'
check_match "--tmpfs is a writable nosuid,nodev tmpfs" "^hi .* /t rw,nosuid,nodev,.* - tmpfs tmpfs " "$(echo $out)"

run "${C[@]}" --dir /d --dir /d test -d /d
check "--dir on an existing directory is fine" "0" "$rc"

run "${C[@]}" --symlink target /l --symlink target /l readlink /l
check "an identical existing symlink is not an error" "0 target" "$rc $out"
run "${C[@]}" --symlink a /l --symlink b /l true
check "a symlink to something else is, with bwrap's message" "125 cocoon: Can't make symlink at /l: existing destination is a" "$rc $err"
run "${C[@]}" --symlink a /usr true
check "a destination that is not a symlink is too" \
    "125 cocoon: Can't make symlink at /usr: destination exists and is not a symlink" "$rc $err"

run "${C[@]}" --tmpfs tmp --dir srv/./x/ sh -c 'stat -f -c %T /tmp; test -d /srv/x && echo dir'
check "a relative destination is taken from the new root, as bwrap takes it" "0 tmpfs dir" "$rc $(echo $out)"
run "${C[@]}" --tmpfs '' true
check "an empty destination is a usage error" "125 cocoon: --tmpfs: destination is empty" "$rc $err"
# ".." is resolved physically beneath the new root, after the symlinks before
# it: /lib64 -> usr/lib64, so /lib64/.. is /usr (WebKitGTK's destinations).
run "${C[@]}" --tmpfs /usr/share --ro-bind "$work/file2" /lib64/../share/x --dir /a/../b cat /usr/share/x /b/../usr/share/x
check "a destination with .. is resolved after the symlinks before it" "0 data data" "$rc $(echo $out)"
run "${C[@]}" --ro-bind "$work/file2" /../../../x --dir /../../d sh -c 'cat /x; test -d /d && echo d'
check "a .. at the new root stays at the root" "0 data d" "$rc $(echo $out)"
run "${C[@]}" --ro-bind-try /nonexistent/gst-plugin-scanner /lib64/../libexec/gstreamer-1.0/gst-plugin-scanner \
    sh -c 'test -e /usr/libexec/gstreamer-1.0 || echo skipped'
check "a -try with a missing source is skipped before its .. destination is looked at" "0 skipped" "$rc $out"
run "${C[@]}" --ro-bind-try /nonexistent '' --bind-try /nonexistent '' true
check "a -try with a missing source is skipped before its destination is examined" "0 " "$rc $err"
run "${C[@]}" --ro-bind-try "$work/file2" '' true
check "a -try whose source exists still refuses an empty destination" "125 cocoon: --ro-bind-try: destination is empty" "$rc $err"
# The tmpfs mounted over the root through "/a/.." is what later ops build on.
run "$COCOON" --dir /a --tmpfs /a/.. "${ROOT[@]}" --dir /after sh -c 'ls -A / | tr "\n" " "'
check "a mount that lands on the root through .. is the root later ops build on" \
    "0 after bin dev lib lib64 probe proc sbin usr " "$rc $out"
mkdir -p "$work/host"
run "${C[@]}" --bind "$work/host" /h --symlink ../../../../../.. /h/up --dir /h/up/../escape --dir /h/up/escape2 true
check "setup never climbs out of the new root through .. and a symlink" "0 none" \
    "$rc $(ls -A "$work/host" / | grep -x -e escape -e escape2 || echo none)"

run "$COCOON" --ro-bind / / --tmpfs /tmp sh -c 'ls -A /tmp | wc -l; test -d /usr/bin && echo usr'
check "a bind onto / can be built upon" "0 usr" "$(echo $out)"

run "${C[@]}" sh -c 'test -c /dev/null && test -c /dev/zero && test -c /dev/full && test -c /dev/random &&
    test -c /dev/urandom && test -c /dev/tty && test -d /dev/shm && test -d /dev/pts &&
    readlink /dev/ptmx /dev/stdin /dev/stdout /dev/stderr /dev/fd /dev/core | tr "\n" " "; echo > /dev/null'
check "--dev provides the device nodes and symlinks" \
    "pts/ptmx /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 /proc/self/fd /proc/kcore " "$out"

run "${C[@]}" sh -c 'grep " /dev/pts " /proc/self/mountinfo'
check_match "--dev mounts a private devpts" "devpts devpts rw,.*mode=620,ptmxmode=666" "$out"

run "${C[@]}" --unshare-pid sh -c 'echo /proc/[0-9]*; echo x > /proc/sys/kernel/hostname'
check "--proc with a pid namespace shows only the sandbox" "/proc/1 /proc/2" "$out"
check_match "... and /proc/sys cannot be written" "cannot create /proc/sys/kernel/hostname" "$err"

run "${C[@]}" sh -c 'test -e /proc/1 && echo host-proc'
check "--proc without a pid namespace is the host's procfs" "host-proc" "$out"

mkdir -p "$work/many"
args=()
for i in $(seq 1 1000); do
    mkdir -p "$work/many/d$i"
    args+=(--ro-bind "$work/many/d$i" "/m/d$i")
done
run "${C[@]}" "${args[@]}" sh -c 'ls /m | wc -l; grep -c " /m/d" /proc/self/mountinfo'
check "1000 binds are all mounted" "1000 1000" "$(echo $out)"

# Binds side by side reuse their directory's fd; a bind through a symlink that
# covers that directory must make the next bind look it up again, or its mount
# point would land in the covered directory, out of sight.
mkdir -p "$work/a" "$work/cover" "$work/c"
echo from-c >"$work/c/marker"
run "${C[@]}" --dir /x --symlink /x /x/l --ro-bind "$work/a" /x/a --bind "$work/cover" /x/l \
    --ro-bind "$work/c" /x/c sh -c 'cat /x/c/marker; ls /x'
check "a bind after one that covered its directory is seen (the directory is looked up again)" \
    "from-c c" "$(echo $out)"

# Mount propagation, as with bwrap for read-write binds: mounts the host makes
# later propagate into the sandbox, mounts made inside never propagate out. A
# read-only bind is a snapshot instead: a later mount would arrive writable
# (issue 13). The host side is an unshare(1) namespace with a shared mount, so
# no root is needed; cocoon relies on the kernel making shared mounts slaves
# in a namespace owned by a new user namespace (mount_namespaces(7)) instead of
# remounting everything itself. Fifos order the two sides, no sleeps.
mkdir -p "$work/share/in" "$work/share/late" "$work/roview"
mkfifo "$work/ready" "$work/go"
run unshare -Urm sh -c '
    d=$1; cocoon=$2
    mount --bind "$d/share" "$d/share" && mount --make-shared "$d/share" || exit 9
    "$cocoon" --bind / / --ro-bind "$d/share" "$d/roview" --unshare-user --uid 0 --cap-add CAP_SYS_ADMIN sh -c "
        mount -t tmpfs inside $d/share/in || echo cannot-mount
        echo >$d/ready; read x <$d/go
        grep -q \" $d/share/late \" /proc/self/mountinfo && echo late-seen-inside || echo late-not-seen
        if grep -q \" $d/roview/late \" /proc/self/mountinfo; then
            touch $d/roview/late/x 2>$d/touch.err && echo ro-view-late-writable || echo ro-view-late-readonly
        else echo ro-view-snapshot; fi" &
    read x <"$d/ready"
    mount -t tmpfs late "$d/share/late"
    echo >"$d/go"
    wait
    grep -q " $d/share/in " /proc/self/mountinfo && echo inside-leaked-out || echo inside-stayed-inside
' sh "$work" "$COCOON"
check "a host mount made later propagates into a bind, not into a read-only bind; one made inside stays inside" \
    "late-seen-inside ro-view-snapshot inside-stayed-inside" "$(echo $out)"

done_testing
