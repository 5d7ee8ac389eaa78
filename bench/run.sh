#!/bin/bash
# SPDX-License-Identifier: MIT
# cocoon's benchmark: builds cocoon in release mode and measures it side by side
# with the system's bwrap in the same run (see bench/README.md). As root it installs
# what it needs and measures as an unprivileged user, as cocoon is meant to run.
# Writes bench/results.csv and bench/startup.png, and prints the table of ratios.
set -eu
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${COCOON_BENCH_OUT:-$src/bench}
build=${COCOON_BENCH_BUILD:-$src/build-bench}
runs=${COCOON_BENCH_RUNS:-30}
user=${COCOON_TEST_USER:-cocoon-test}

if [ "$(id -u)" = 0 ]; then
    need=()
    for p in hyperfine gnuplot-nox bubblewrap uidmap; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    fi
    id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
fi
command -v hyperfine >/dev/null || { echo "bench: hyperfine is needed (apt-get install hyperfine)"; exit 1; }

[ -f "$build/build.ninja" ] || meson setup "$build" "$src" -Dbuildtype=release -Dtests=false -Dman=disabled >/dev/null
ninja -C "$build" src/cocoon >/dev/null
stage=$(mktemp -d /tmp/cocoon-bench.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$build/src/cocoon" "$stage/cocoon"
mkdir -p "$stage"/binds/d{1..10000}
chmod -R a+rX "$stage"
as=()
[ "$(id -u)" != 0 ] || as=(runuser -u "$user" --)
bwrap=$(command -v bwrap || true)
[ -n "$bwrap" ] || echo "bench: no bwrap on this machine (apt-get install bubblewrap): cocoon's figures only"

csv=$out/results.csv
echo "case,tool,n,median_ms,stddev_ms,min_ms,max_ms,runs" >"$csv"
# measure CASE TOOL N RUNS COMMAND...: one hyperfine run, appended to the CSV.
measure() {
    local case=$1 tool=$2 n=$3 r=$4
    shift 4
    local tmp
    tmp=$(mktemp)
    chmod a+rw "$tmp"
    (cd / && "${as[@]}" env PATH=/usr/bin:/bin hyperfine -N --style none -w 3 -r "$r" --export-json "$tmp" -- "$*" >/dev/null)
    python3 - "$tmp" "$case" "$tool" "$n" "$r" >>"$csv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda x: f"{x * 1000:.3f}"
print(",".join([sys.argv[2], sys.argv[3], sys.argv[4], ms(r["median"]), ms(r["stddev"] or 0), ms(r["min"]), ms(r["max"]), sys.argv[5]]))
PY
    rm -f "$tmp"
}

C=$stage/cocoon
TYPICAL="--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent"
echo "bench: start-up"
measure minimal cocoon 0 "$runs" "$C" --ro-bind / / true
[ -z "$bwrap" ] || measure minimal bwrap 0 "$runs" "$bwrap" --ro-bind / / true
measure minimal unshare 0 "$runs" unshare -Ur true
measure typical cocoon 0 "$runs" "$C" $TYPICAL true
[ -z "$bwrap" ] || measure typical bwrap 0 "$runs" "$bwrap" $TYPICAL true

binds() { for i in $(seq 1 "$1"); do printf -- '--ro-bind %s/binds/d%d /b/d%d ' "$stage" "$i" "$i"; done; }
for n in 10 100 1000 2000 10000; do
    echo "bench: $n binds"
    r=$runs
    [ "$n" -lt 1000 ] || r=10
    if [ "$n" -le 2000 ]; then
        measure binds cocoon "$n" "$r" "$C" --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 $(binds "$n") /usr/bin/true
    else
        # Past 128 KiB one string cannot carry the options (MAX_ARG_STRLEN):
        # they go through --args, and a sh that adds about a millisecond.
        binds "$n" | tr ' ' '\0' >"$stage/args"
        printf '#!/bin/sh\nexec %s --args 3 --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 /usr/bin/true 3<%s\n' \
            "$C" "$stage/args" >"$stage/many"
        chmod a+rx "$stage/args" "$stage/many"
        measure binds cocoon "$n" "$r" "$stage/many"
    fi
    if [ -n "$bwrap" ] && [ "$n" -le 2000 ]; then
        br=$r
        [ "$n" -lt 1000 ] || br=3
        measure binds bwrap "$n" "$br" "$bwrap" --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 $(binds "$n") /usr/bin/true
    fi
done

# A syscall-heavy loop with and without the default seccomp profile: what the
# filter costs per call. bwrap gets the same filter through --seccomp-export.
echo "bench: seccomp"
cc -O2 -static -o "$stage/getppid_loop" "$src/bench/getppid_loop.c"
"$C" --seccomp-profile default --seccomp-export "$stage/default.bpf"
chmod a+rx "$stage/getppid_loop" "$stage/default.bpf"
loops=2000000
measure getppid cocoon 0 10 "$C" $TYPICAL --ro-bind "$stage" "$stage" "$stage/getppid_loop" "$loops"
measure getppid cocoon-default 0 10 "$C" $TYPICAL --ro-bind "$stage" "$stage" --seccomp-profile default \
    "$stage/getppid_loop" "$loops"
if [ -n "$bwrap" ]; then
    printf '#!/bin/sh\nexec %s %s --ro-bind %s %s --seccomp 3 %s/getppid_loop %s 3<%s/default.bpf\n' \
        "$bwrap" "$TYPICAL" "$stage" "$stage" "$stage" "$loops" "$stage" >"$stage/bwrap-filtered"
    chmod a+rx "$stage/bwrap-filtered"
    measure getppid bwrap 0 10 "$bwrap" $TYPICAL --ro-bind "$stage" "$stage" "$stage/getppid_loop" "$loops"
    measure getppid bwrap-default 0 10 "$stage/bwrap-filtered"
fi

# Peak RSS (VmHWM) of cocoon's process outside the sandbox and of the reaper.
echo "bench: memory"
(cd / && "${as[@]}" "$C" $TYPICAL sleep 1) &
sleep 0.5
monitor=$(pgrep -n -f "^$C ")
reaper=$(pgrep -P "$monitor" | head -n 1)
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
rss_monitor=$(hwm "$monitor")
rss_reaper=$(hwm "$reaper")
wait
echo "rss,cocoon-outside,0,$rss_monitor,0,0,0,1" >>"$csv"
echo "rss,cocoon-reaper,0,$rss_reaper,0,0,0,1" >>"$csv"

python3 "$src/bench/report.py" "$csv" "$out"
