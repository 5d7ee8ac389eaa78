#!/bin/bash
# SPDX-License-Identifier: MIT
# Regenerates src/hot_text.ld, the list of the code cocoon's start-up runs
# (HACKING.md, "Memory: the hot text"). Run it after changes that move code on
# the start-up path, when tests/lint/hot-text.sh says the list has gone stale or
# bench/ shows the outside process's RSS grown. Needs valgrind and perf (as root
# it installs them) and the test user of tests/setup-users.sh.
#
# For each build type users build with (release, and meson's default
# debugoptimized), two rounds: build, run the profiled invocations under
# callgrind (every instruction) and natively under perf (page faults: what
# valgrind cannot see), and write the list; later rounds link with the list so
# far, so perf finds the code that still faults outside it.
set -eu
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
user=${COCOON_TEST_USER:-cocoon-test}

if [ "$(id -u)" = 0 ]; then
    need=()
    for p in valgrind linux-perf; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
    done
    [ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    as=(runuser -u "$user" --)
else
    as=()
fi
for tool in valgrind perf; do
    command -v "$tool" >/dev/null || { echo "hot-text: $tool is needed"; exit 1; }
done

stage=$(mktemp -d /tmp/cocoon-hot.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
out=$src/src/hot_text.ld
kept=$stage/kept.ld
: >"$kept"

# The invocations whose start-up counts, each as NAME DIRECTORY ARGS: the
# typical sandbox (bench/'s), bwrap's minimal form, a seccomp profile, network
# rules and the agent profile. $O is the directory the profiles go to, bound
# into each sandbox so that its processes can write theirs (the agent profile
# binds its working directory itself).
invocations() {
    local typical="--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent"
    echo "typical / $typical --bind \$O \$O sh -c true"
    echo "minimal / --ro-bind / / --bind \$O \$O true"
    echo "seccomp / $typical --bind \$O \$O --seccomp-profile default true"
    echo "net / $typical --bind \$O \$O --net-allow example.test:443 --net-resolve example.test=127.0.0.1 true"
    echo "agent \$O --profile agent true"
}

profile() {  # profile BINARY MAP DIR: callgrind and perf runs, then the list
    local bin=$1 map=$2 dir=$3 name args cg=() faults=()
    mkdir -p "$dir"
    chmod 777 "$dir"
    while read -r name cwd args; do
        args=${args//\$O/$dir}
        cwd=${cwd//\$O/$dir}
        # shellcheck disable=SC2086 # the invocation's words
        (cd "$cwd" && "${as[@]}" valgrind --tool=callgrind --dump-instr=yes \
            --callgrind-out-file="$dir/cg.$name.%p" "$bin" $args >/dev/null 2>&1) || true
        # shellcheck disable=SC2086
        (cd "$cwd" && "${as[@]}" perf record -q -e page-faults -c 1 -d -o "$dir/perf.$name" \
            -- "$bin" $args >/dev/null 2>&1) || true
        perf script -f -i "$dir/perf.$name" --show-mmap-events -F comm,pid,ip,addr \
            >"$dir/faults.$name" 2>/dev/null || true
        faults+=(--faults "$dir/faults.$name")
    done < <(invocations)
    for f in "$dir"/cg.*; do
        [ -s "$f" ] && cg+=(--callgrind "$f")
    done
    python3 "$src/tools/hot_text.py" --map "$map" --binary "$bin" --out "$out" \
        --keep "$kept" "${cg[@]}" "${faults[@]}"
    cp "$out" "$kept"
}

# The first round of all links with an empty list, so that what runs is found
# afresh, not what an earlier list says; every round after links with the list
# so far, and callgrind sees every instruction whatever the layout.
printf 'SECTIONS\n{\n  .text.hot : { }\n}\nINSERT BEFORE .text;\n' >"$out"
for buildtype in release debugoptimized; do
    build=$src/build-hot-$buildtype
    [ -f "$build/build.ninja" ] || meson setup "$build" "$src" -Dbuildtype="$buildtype" -Dtests=false \
        -Dman=disabled "-Dcpp_link_args=-Wl,-Map=$build/cocoon.map" >/dev/null
    for round in 1 2; do
        ninja -C "$build" src/cocoon >/dev/null 2>&1
        cp "$build/src/cocoon" "$stage/cocoon"
        chmod 755 "$stage/cocoon"
        profile "$stage/cocoon" "$build/cocoon.map" "$stage/$buildtype.$round"
    done
done
echo "hot-text: wrote $out"
