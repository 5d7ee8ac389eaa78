#!/bin/bash
# SPDX-License-Identifier: MIT
# Differential tests: the same command under cocoon (as bwrap, through the symlink)
# and Debian's bwrap 0.8.0 must observe the same thing, for every option 0.8.0 has.
. "$(dirname "$0")/lib.sh"
require_userns
require_system_bwrap
U=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin)
work=$(mktemp -d "$HOME/diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo content >"$work/file"

# same DESCRIPTION ARGS...: stdout, stderr and the exit status must agree. With
# FD5=FILE in the environment, each side gets FILE opened afresh on fd 5.
same() {
    local desc=$1
    shift
    local ours theirs
    if [ -n "${FD5:-}" ]; then run "$BWRAP_SYMLINK" "$@" 5<"$FD5"; else run "$BWRAP_SYMLINK" "$@"; fi
    ours="rc=$rc out=$out err=$err"
    if [ -n "${FD5:-}" ]; then run "$SYSTEM_BWRAP" "$@" 5<"$FD5"; else run "$SYSTEM_BWRAP" "$@"; fi
    theirs="rc=$rc out=$out err=$err"
    if [ "$ours" == "$theirs" ]; then
        ok "same as bwrap: $desc"
    else
        not_ok "same as bwrap: $desc"
        diag "cocoon: $ours" "bwrap:  $theirs"
    fi
}

same "exit status" "${U[@]}" sh -c 'exit 42'
same "death by signal" "${U[@]}" --unshare-pid sh -c 'kill -9 $$'
same "pid namespace" "${U[@]}" --unshare-pid --proc /proc sh -c 'echo $$; echo /proc/[0-9]*'
same "--as-pid-1" "${U[@]}" --unshare-pid --as-pid-1 sh -c 'echo $$'
same "ids inside" "${U[@]}" sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
same "--uid/--gid" "${U[@]}" --uid 123 --gid 456 sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
same "uid map with --dev" "${U[@]}" --dev /dev --proc /proc sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
same "capabilities" "${U[@]}" --proc /proc sh -c 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status'
same "capabilities as uid 0" "${U[@]}" --uid 0 --proc /proc sh -c 'grep -E "^Cap" /proc/self/status'
same "root directory listing" "${U[@]}" --tmpfs /tmp --dir /a/b sh -c 'ls -la / /a | cut -c1-10,24- | sed "s/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* / /"'
same "read-only bind" "${U[@]}" touch /usr/x
same "read-only binds are recursive" --ro-bind / / touch /dev/shm/cocoon-diff
same "--bind writes reach the host" "${U[@]}" --bind "$work" /w sh -c 'cat /w/file; echo x > /w/new; cat /w/new'
same "--bind-try with a missing source" "${U[@]}" --bind-try /nonexistent /x sh -c 'test -e /x; echo $?'
same "--ro-bind-try with a present source" "${U[@]}" --ro-bind-try "$work/file" /f cat /f
same "missing bind source" "${U[@]}" --bind /nonexistent /x true
FD5="$work/file" same "a /proc/self/fd/N source" "${U[@]}" --ro-bind /proc/self/fd/5 /x cat /x
same "--dev-bind of a device" "${U[@]}" --dev-bind /dev/null /n sh -c 'echo x > /n && echo ok'
same "--remount-ro" "${U[@]}" --bind "$work" /w --remount-ro /w sh -c 'touch /w/y; echo $?'
same "--tmpfs" "${U[@]}" --tmpfs /t sh -c 'stat -c "%a %s" /t; touch /t/f; ls /t'
same "--tmpfs under umask 077" "${U[@]}" --tmpfs /t sh -c 'umask; stat -c %a /t'
same "--dir" "${U[@]}" --dir /x/y/z sh -c 'stat -c %a /x /x/y /x/y/z'
same "--symlink" "${U[@]}" --symlink /usr/share /s sh -c 'readlink /s; ls /s/ | head -n 3'
# Not compared: an identical existing --symlink, an error in 0.8.0 and fine since
# 0.9.0 (t-mounts.sh checks the 0.11.1 behaviour).
same "--dev contents" "${U[@]}" --dev /dev sh -c 'ls -l /dev | cut -c1-10,43- | sed "s/^[^ ]* *//;s/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* / /"'
same "--dev devpts" "${U[@]}" --dev /dev --proc /proc sh -c 'grep -o "devpts devpts .*" /proc/self/mountinfo; stat -c "%a %F" /dev/pts/ptmx'
same "--proc with a pid namespace" "${U[@]}" --unshare-pid --proc /proc sh -c 'cat /proc/1/comm 2>&1; echo /proc/[0-9]*; ls /proc/sys >/dev/null && echo sys'
same "--proc: /proc/sys is read-only" "${U[@]}" --unshare-pid --proc /proc sh -c 'echo x > /proc/sys/kernel/hostname'
same "--unshare-net" "${U[@]}" --unshare-net --proc /proc sh -c 'cat /proc/net/dev | cut -d: -f1 | tail -n +3; cat /proc/net/if_inet6'
same "--unshare-uts --hostname" "${U[@]}" --unshare-uts --hostname cocoon-diff --proc /proc cat /proc/sys/kernel/hostname
same "--unshare-cgroup" "${U[@]}" --unshare-cgroup cat /proc/self/cgroup
same "--unshare-ipc" "${U[@]}" --unshare-ipc --proc /proc sh -c 'cat /proc/sysvipc/shm | wc -l'
same "--unshare-all" "${U[@]}" --unshare-all --proc /proc sh -c 'echo $$; cat /proc/net/dev | wc -l'
same "--unshare-all --share-net" "${U[@]}" --unshare-all --share-net --proc /proc sh -c 'cat /proc/net/dev | wc -l'
same "--unshare-user-try" "${U[@]}" --unshare-user-try id -u
same "--unshare-user" "${U[@]}" --unshare-user sh -c 'id -u; cat /proc/self/uid_map'
same "--unshare-cgroup-try" "${U[@]}" --unshare-cgroup-try cat /proc/self/cgroup
same "--dev-bind-try with a missing source" "${U[@]}" --dev-bind-try /nonexistent /x sh -c 'test -e /x; echo $?'
same "--dev-bind-try with a present source" "${U[@]}" --dev-bind-try /dev/null /n sh -c 'echo x > /n && echo ok'
same "--share-net" "${U[@]}" --unshare-net --share-net --proc /proc sh -c 'cat /proc/net/dev | wc -l'
same "--unshare-net after --share-net" "${U[@]}" --share-net --unshare-net --proc /proc sh -c 'cat /proc/net/dev | wc -l'
same "--gid alone" "${U[@]}" --gid 0 sh -c 'id -u; id -g'
same "-- before the command" "${U[@]}" -- sh -c 'echo "$0"' --unshare-pid
same "--chdir" "${U[@]}" --chdir /usr sh -c 'pwd; echo $PWD'
same "--chdir twice" "${U[@]}" --chdir /usr --chdir /usr/bin pwd
same "default directory" "${U[@]}" sh -c 'pwd; echo $PWD'
same "--clearenv" "${U[@]}" --clearenv /usr/bin/env
same "--setenv/--unsetenv" "${U[@]}" --clearenv --setenv A 1 --setenv B 2 --unsetenv A --setenv C "x y" /usr/bin/env
same "--new-session" "${U[@]}" --unshare-pid --new-session --proc /proc sh -c 'read -r _ _ _ _ _ sid _ < /proc/$$/stat; echo $sid'
same "--die-with-parent runs normally" "${U[@]}" --die-with-parent sh -c 'echo alive'
printf -- '--setenv\0X\0y\0--unshare-pid\0' >"$work/args"
run "$BWRAP_SYMLINK" --args 3 "${U[@]}" sh -c 'echo $X $$' 3<"$work/args"
ours="$rc $out$err"
run "$SYSTEM_BWRAP" --args 3 "${U[@]}" sh -c 'echo $X $$' 3<"$work/args"
check "same as bwrap: --args" "$out" "${ours#0 }"
FD5="$work/file" same "--file" "${U[@]}" --file 5 /f sh -c 'stat -c %a /f; cat /f'
FD5="$work/file" same "--file with --perms" "${U[@]}" --perms 0640 --file 5 /f stat -c %a /f
FD5="$work/file" same "--bind-data" "${U[@]}" --bind-data 5 /f sh -c 'stat -c %a /f; cat /f; echo x >> /f && echo w'
FD5="$work/file" same "--ro-bind-data" "${U[@]}" --ro-bind-data 5 /f sh -c 'stat -c %a /f; echo x > /f'
FD5="$work/file" same "--ro-bind-data with --perms and parents" "${U[@]}" --perms 0644 --ro-bind-data 5 /d/f stat -c %a /d/f /d
same "--chmod" "${U[@]}" --tmpfs /t --chmod 0700 /t stat -c %a /t
same "--chmod on a missing path" "${U[@]}" --chmod 0700 /nonexist true
same "--chmod with a bad mode" "${U[@]}" --chmod 8 /usr true
same "--perms on --dir parents" "${U[@]}" --perms 0750 --dir /a/b/c stat -c %a /a /a/b /a/b/c
same "--perms on --tmpfs" "${U[@]}" --perms 0701 --tmpfs /t stat -c %a /t
same "--perms before another option" "${U[@]}" --perms 0700 --unshare-pid --dir /x true
same "--perms twice" "${U[@]}" --perms 0700 --perms 0700 --dir /x true
same "--perms with a bad mode" "${U[@]}" --perms 8 --dir /x true
same "--size" "${U[@]}" --size 0x100000 --tmpfs /x stat -f -c %b /x
same "--size 0" "${U[@]}" --size 0 --tmpfs /x true
same "--size before another option" "${U[@]}" --size 100 --dir /x true
same "--mqueue" "${U[@]}" --unshare-ipc --mqueue /mq stat -f -c %T /mq
FD5="$work/file" same "--file on a read-only place" "${U[@]}" --file 5 /usr/f true
same "--cap-add" "${U[@]}" --cap-add CAP_NET_ADMIN --proc /proc sh -c 'grep -E "^Cap" /proc/self/status'
same "--cap-add for another uid" "${U[@]}" --cap-add cap_chown --uid 1000 --proc /proc sh -c 'grep -E "^Cap" /proc/self/status'
same "--cap-add ALL --cap-drop" "${U[@]}" --cap-add ALL --cap-drop CAP_CHOWN --proc /proc sh -c 'grep -E "^Cap" /proc/self/status'
same "--cap-add by number" "${U[@]}" --cap-add 5 --proc /proc sh -c 'grep -E "^Cap" /proc/self/status'
same "the reaper's capabilities" "${U[@]}" --cap-add ALL --unshare-pid --proc /proc sh -c 'grep -E "^CapEff" /proc/1/status'
same "unknown capability" "${U[@]}" --cap-add CAP_FOO true
"$PROBE" deny 63 1 >"$work/no-uname"
printf 'abc' >"$work/seven"
: >"$work/empty"
FD5="$work/no-uname" same "--seccomp" "${U[@]}" --seccomp 5 --proc /proc sh -c 'uname; grep ^Seccomp /proc/self/status'
FD5="$work/no-uname" same "--add-seccomp-fd" "${U[@]}" --add-seccomp-fd 5 --unshare-pid --proc /proc sh -c 'uname; grep ^Seccomp /proc/1/status'
FD5="$work/seven" same "seccomp data not whole instructions" "${U[@]}" --seccomp 5 true
FD5="$work/empty" same "an empty seccomp program" "${U[@]}" --seccomp 5 true
same "--seccomp with a closed fd" "${U[@]}" --seccomp 77 true
FD5="$work/no-uname" same "--seccomp after --add-seccomp-fd" "${U[@]}" --add-seccomp-fd 5 --seccomp 5 true
same "--lock-file on a missing path" "${U[@]}" --lock-file /nope true
same "--lock-file with --as-pid-1" "${U[@]}" --unshare-pid --as-pid-1 --lock-file /usr true
same "--lock-file holds a lock" "${U[@]}" --proc /proc --unshare-pid --lock-file /usr/bin/true sh -c 'grep -c READ /proc/locks'
same "--userns-block-fd without --unshare-user" "${U[@]}" --userns-block-fd 1 true
same "--userns-block-fd without --info-fd" "${U[@]}" --unshare-user --userns-block-fd 1 true
same "--exec-label" "${U[@]}" --exec-label x true
same "--file-label" "${U[@]}" --file-label x true
FD5=/dev/null same "--sync-fd without a pid namespace" "${U[@]}" --proc /proc --sync-fd 5 sh -c 'cat /proc/$PPID/comm | sed s/cocoon/bwrap/'
same "--block-fd" "${U[@]}" --block-fd 0 echo ran
run "$BWRAP_SYMLINK" "${U[@]}" --unshare-all --json-status-fd 3 sh -c 'exit 4' 3>"$work/ours"
run "$SYSTEM_BWRAP" "${U[@]}" --unshare-all --json-status-fd 3 sh -c 'exit 4' 3>"$work/theirs"
check "same as bwrap: --json-status-fd keys" "$(sed -E 's/[0-9]{3,}/N/g' "$work/theirs")" "$(sed -E 's/[0-9]{3,}/N/g' "$work/ours")"
run "$BWRAP_SYMLINK" "${U[@]}" --unshare-pid --unshare-ipc --info-fd 3 true 3>"$work/ours"
run "$SYSTEM_BWRAP" "${U[@]}" --unshare-pid --unshare-ipc --info-fd 3 true 3>"$work/theirs"
check "same as bwrap: --info-fd layout" "$(sed -E 's/[0-9]{3,}/N/g' "$work/theirs")" "$(sed -E 's/[0-9]{3,}/N/g' "$work/ours")"
same "--disable-userns" "${U[@]}" --proc /proc --unshare-user --disable-userns sh -c 'cat /proc/self/uid_map /proc/sys/user/max_user_namespaces; unshare -U true'
same "--disable-userns without --unshare-user" "${U[@]}" --disable-userns true
same "--disable-userns with --userns-block-fd" "${U[@]}" --unshare-user --disable-userns --info-fd 1 --userns-block-fd 0 true
same "--assert-userns-disabled" "${U[@]}" --assert-userns-disabled true
same "--assert-userns-disabled after --disable-userns" "${U[@]}" --unshare-user --disable-userns --assert-userns-disabled echo ok
same "--userns with a closed fd" "${U[@]}" --userns 77 true
FD5=/dev/null same "--userns with something else" "${U[@]}" --userns 5 true
FD5=/dev/null same "--userns with --unshare-user" "${U[@]}" --unshare-user --userns 5 true
same "unknown option" --foo true
same "missing argument" --tmpfs
same "bad uid" --uid abc true
same "missing command" "${U[@]}" /nonexistent
same "not executable" "${U[@]}" /usr
same "--chdir to a missing directory" "${U[@]}" --chdir /nope true
same "--hostname without --unshare-uts" "${U[@]}" --hostname x true
same "--as-pid-1 without --unshare-pid" "${U[@]}" --as-pid-1 true
same "last-wins warning" "${U[@]}" --uid 1 --uid 2 id -u

# WebKitGTK's web-process sandbox: ".." destinations, resolved after the
# symlinks before them, and -try binds of missing sources skipped first.
same "WebKit-like .. and relative destinations" "${U[@]}" --tmpfs /usr/share \
    --ro-bind-try /nonexistent/gst-plugin-scanner /lib64/../libexec/gstreamer-1.0/gst-plugin-scanner \
    --ro-bind "$work/file" /lib64/../share/x --ro-bind-try "$work/file" usr/../y --dir rel/./d \
    sh -c 'cat /usr/share/x /y; ls -d /rel/d; test -e /usr/libexec/gstreamer-1.0 || echo skipped'
same "a missing -try source with an empty destination" "${U[@]}" --ro-bind-try /nonexistent '' true


done_testing
