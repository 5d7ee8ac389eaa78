#!/bin/bash
# SPDX-License-Identifier: MIT
# The argument shapes bwrap's real callers use (Flatpak, WebKitGTK, tools that
# join a running sandbox), run by cocoon as bwrap and by Debian's bwrap 0.8.0,
# which must observe the same thing.
. "$(dirname "$0")/lib.sh"
require_userns
require_system_bwrap
work=$(mktemp -d "$HOME/callers.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$PROBE" deny 63 1 >"$work/no-uname"         # uname(2): EPERM
"$PROBE" deny 317 38 >"$work/no-seccomp"     # seccomp(2): ENOSYS, prctl allowed (Flatpak's filters)
echo app >"$work/app-file"

# both DESCRIPTION SCRIPT: SCRIPT runs once with $BW set to cocoon-as-bwrap and
# once to Debian's bwrap; its stdout and status must agree.
both() {
    local desc=$1 script=$2 ours theirs
    ours=$(BW=$BWRAP_SYMLINK bash -c "$script" 2>&1; echo "rc=$?")
    theirs=$(BW=$SYSTEM_BWRAP bash -c "$script" 2>&1; echo "rc=$?")
    ours=${ours//$BWRAP_SYMLINK/BWRAP} theirs=${theirs//$SYSTEM_BWRAP/BWRAP}
    if [ "$ours" == "$theirs" ]; then
        ok "same as bwrap: $desc"
    else
        not_ok "same as bwrap: $desc"
        diag "cocoon: $ours" "bwrap:  $theirs"
    fi
}
export work PROBE IN_PROBE

# Flatpak: everything through --args, the sandbox's own user namespace bound
# for sub-sandboxes, --info-fd and --sync-fd read by the caller, and a filter
# that allows prctl but not seccomp(2) followed by another.
both "a Flatpak-like --args list" '
    args=(--unshare-pid --unshare-ipc --die-with-parent --dev /dev --proc /proc
          --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
          --ro-bind "$(dirname "$PROBE")" /probe --tmpfs /run
          --ro-bind-try /proc/self/ns/user /run/.userns --ro-bind-try /nonexistent /run/missing
          --ro-bind "$work/app-file" /app/file --lock-file /app/file
          --info-fd 6 --sync-fd 7 --add-seccomp-fd 8 --add-seccomp-fd 9)
    printf "%s\0" "${args[@]}" >"$work/args"
    "$BW" --args 5 -- sh -c "stat -f -c %T /run/.userns; test -e /run/missing || echo no-missing
        cat /app/file; $IN_PROBE try uname; echo \$\$" \
        5<"$work/args" 6>"$work/info" 7>"$work/sync" 8<"$work/no-seccomp" 9<"$work/no-uname"
    rc=$?
    grep -o "\"child-pid\": [0-9]*" "$work/info" | sed "s/[0-9]*$/N/"
    exit $rc'

# WebKitGTK: ".." destinations resolved in the new root, -try binds of
# missing sources skipped before their destination is looked at.
both "a WebKit-like list with .. destinations" '
    "$BW" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
        --tmpfs /usr/libexec \
        --ro-bind-try /nonexistent/gst-plugin-scanner /lib64/../libexec/gstreamer-1.0/gst-plugin-scanner \
        --ro-bind "$work/app-file" /lib64/../libexec/webkit/file --ro-bind-try "$work/app-file" usr/../x \
        --unshare-pid --die-with-parent \
        sh -c "cat /usr/libexec/webkit/file /x; ls /usr/libexec | tr \"\n\" \" \""'

# Joining a running sandbox through its child-pid (nsenter-style helpers,
# Flatpak's --parent-share-pids): each tool joins a sandbox it made itself.
both "joining a running sandbox's namespaces from its child-pid" '
    mkfifo "$work/go.$$" "$work/status.$$" "$work/ready.$$"
    U=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)
    "$BW" "${U[@]}" --bind "$work" /w --unshare-user --unshare-pid --proc /proc --json-status-fd 3 \
        sh -c "echo >/w/ready.$$; read x < /w/go.$$" 3>"$work/status.$$" &
    exec 8<"$work/status.$$"
    IFS= read -r line <&8
    read -r _ <"$work/ready.$$"  # its command runs: the status line comes before it does
    child=$(echo "$line" | grep -o "\"child-pid\": [0-9]*" | cut -d" " -f2)
    "$BW" "${U[@]}" --userns 5 --pidns 6 --proc /proc sh -c "set -- /proc/[0-9]*; echo \$#; id -u" \
        5<"/proc/$child/ns/user" 6<"/proc/$child/ns/pid"
    rc=$?
    echo >"$work/go.$$"
    wait
    exec 8<&-
    rm -f "$work/go.$$" "$work/status.$$" "$work/ready.$$"
    exit $rc'

done_testing
