#!/bin/bash
# SPDX-License-Identifier: MIT
# The README's examples (issue 7): each `<!-- example: NAME -->` is followed by a
# ```sh block, run here as written with `cocoon` on PATH, and a ```text block,
# its expected output. HOME and XDG_RUNTIME_DIR are fresh directories, with a
# Wayland socket in the latter as a compositor would leave it.
. "$(dirname "$0")/lib.sh"
require_userns
: "${README:?README must point at README.md of the project}"
work=$(mktemp -d "$HOME/readme.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/run" "$work/bin"
chmod 700 "$work/run"
ln -s "$COCOON" "$work/bin/cocoon"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/run/wayland-0"

# extract NAME: prints the code block, a line "----", then the expected output.
extract() {
    awk -v name="$1" '
        $0 == "<!-- example: " name " -->" { want = 1; next }
        want == 1 && /^```sh$/ { want = 2; next }
        want == 2 && /^```$/ { want = 3; print "----"; next }
        want == 2 { print; next }
        want == 3 && /^```text$/ { want = 4; next }
        want == 4 && /^```$/ { exit }
        want == 4 { print }
    ' "$README"
}

for name in desktop build ci; do
    text=$(extract "$name")
    code=${text%%$'\n'----*}
    expected=${text#*----$'\n'}
    if [ -z "$code" ] || [ "$code" = "$text" ]; then
        not_ok "README example '$name' is missing"
        continue
    fi
    run env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work/home" USER="$(id -un)" LC_ALL=C \
        XDG_RUNTIME_DIR="$work/run" WAYLAND_DISPLAY=wayland-0 bash -c "cd ~ && $code"
    check "README example '$name' prints what the README shows" "$expected" "$out"
done
run pgrep -u "$(id -u)" -x sleep
check "no process of the examples is left" "1" "$rc"

done_testing
