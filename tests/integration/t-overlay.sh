#!/bin/bash
# SPDX-License-Identifier: MIT
# Overlays: --overlay-src with --overlay, --tmp-overlay and --ro-overlay, rootless.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)
work=$(mktemp -d "$HOME/overlay.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/low1" "$work/low2" "$work/up" "$work/wd"
echo bottom >"$work/low1/a"
echo lower >"$work/low1/b"
echo upper >"$work/low2/b"

run "${C[@]}" --overlay-src "$work/low1" --overlay-src "$work/low2" --ro-overlay /o sh -c 'cat /o/a /o/b; touch /o/x'
check "--ro-overlay: the first --overlay-src is the bottom layer" "bottom upper" "$(echo $out)"
check_match "... and it is read-only" "Read-only file system" "$err"

run "${C[@]}" --overlay-src "$work/low1" --tmp-overlay /o sh -c 'echo new > /o/c && rm /o/a && ls /o'
check "--tmp-overlay is writable" "b c" "$(echo $out)"
check "... and the layers are untouched" "a b" "$(ls "$work/low1" | xargs)"

run "${C[@]}" --overlay-src "$work/low1" --overlay "$work/up" "$work/wd" /o sh -c 'echo kept > /o/d; cat /o/a'
check "--overlay writes to RWSRC on the host" "bottom kept" "$out $(cat "$work/up/d")"

cd "$work" && run "${C[@]}" --overlay-src low1 --tmp-overlay /o cat /o/a
check "relative layers are taken from the caller's directory" "bottom" "$out"
cd - >/dev/null || exit 1

run "${C[@]}" --overlay-src "$work/low1" --ro-overlay /o true
check "--ro-overlay needs two layers" "125 cocoon: --ro-overlay requires at least two --overlay-src" "$rc $err"
run "${C[@]}" --tmp-overlay /o true
check "--tmp-overlay needs one" "125 cocoon: --tmp-overlay requires at least one --overlay-src" "$rc $err"
run "${C[@]}" --overlay "$work/up" "$work/wd" /o true
check "--overlay needs one" "125 cocoon: --overlay requires at least one --overlay-src" "$rc $err"
run "${C[@]}" --overlay-src "$work/low1" --dir /x true
check "--overlay-src must be followed by an overlay" \
    "125 cocoon: --overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay" \
    "$rc $err"
# Directory names with the characters overlayfs' option strings escape, and
# layers reached through an absolute symlink: resolved as bind sources are.
for name in 'co:lon' 'com,ma' 'quo"te' 'back\slash' 'sp ace'; do
    mkdir -p "$work/$name/low" "$work/$name/up" "$work/$name/wd"
    echo "$name" >"$work/$name/low/f"
    run "${C[@]}" --overlay-src "$work/$name/low" --overlay-src "$work/low1" \
        --overlay "$work/$name/up" "$work/$name/wd" /o sh -c 'cat /o/f /o/a; echo w > /o/new'
    check "layer, upper and work directories named '$name'" "0 $name bottom w" "$rc $(echo $out) $(cat "$work/$name/up/new")"
    run "${C[@]}" --overlay-src "$work/$name/low" --tmp-overlay /o cat /o/f
    check "... --tmp-overlay" "0 $name" "$rc $out"
done
# Kernels before 6.13 take no fds for overlay layers (FSCONFIG_SET_FD is
# EINVAL): the same directories by their fd paths instead.
"$PROBE" deny 431 22 1=5 >"$work/no-set-fd"
run "$PROBE" under "$work/no-set-fd" "${C[@]}" --overlay-src "$work/back\slash/low" --overlay-src "$work/low1" \
    --overlay "$work/com,ma/up" "$work/com,ma/wd" /o sh -c 'cat /o/f /o/a; echo old > /o/old'
check "... on a kernel without fds for overlay layers too" "0 back\slash bottom old" "$rc $(echo $out) $(cat "$work/com,ma/up/old")"
mkdir -p "$work/links"
ln -s "$work/low1" "$work/links/abs"
ln -s "$work/up" "$work/links/up"
run "${C[@]}" --overlay-src "$work/links/abs" --overlay-src "$work/low2" --ro-overlay /o cat /o/a /o/b
check "a layer given through an absolute symlink, as --ro-bind takes it" "0 bottom upper" "$rc $(echo $out)"
run "${C[@]}" --ro-bind "$work/links/abs" /b cat /b/a
check "... the same path as a bind source" "0 bottom" "$rc $out"
run "${C[@]}" --overlay-src "$work/links/abs" --overlay "$work/links/up" "$work/wd" /o sh -c 'echo via > /o/via'
check "an upper directory through an absolute symlink" "0 via" "$rc $(cat "$work/up/via")"

run "${C[@]}" --overlay-src /nonexistent --tmp-overlay /o true
check "a missing layer fails the mount" "125 cocoon: Can't mount overlay on /o: No such file or directory" "$rc $err"

done_testing
