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

for name in desktop build ci agent; do
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
# Zombies (a killed sandbox's, waiting for the host's init to reap them) are
# not left processes: their command line is empty, so -f does not match them.
run pgrep -u "$(id -u)" -f '^sleep [0-9]'
check "no process of the examples is left" "1" "$rc"

# --dry-run prints the plan of every example and runs none of it: `cocoon` is
# a wrapper that adds --dry-run, in a fresh home where the examples' own
# shell lines (mkdir, printf) still run but nothing inside the sandbox does.
mkdir -p "$work/dry/bin" "$work/dry/home"
printf '#!/bin/sh\nexec %q --dry-run "$@"\n' "$COCOON" >"$work/dry/bin/cocoon"
chmod +x "$work/dry/bin/cocoon"
for name in desktop build ci agent; do
    text=$(extract "$name")
    code=${text%%$'\n'----*}
    run env -i PATH="$work/dry/bin:/usr/bin:/bin" HOME="$work/dry/home" USER="$(id -un)" LC_ALL=C \
        XDG_RUNTIME_DIR="$work/run" WAYLAND_DISPLAY=wayland-0 bash -c "cd ~ && $code"
    check_match "README example '$name' under --dry-run prints its plan" \
        $'^# cocoon --dry-run: the plan; nothing was created\n.*\nmounts: [0-9]+\n.*\ncommand: sh ' "$out"
done
run find "$work/dry/home" -type f \( -name state -o -name hello -o -name notes -o -name patch.txt \)
check "... and nothing inside the sandboxes ran" "" "$out"

done_testing
