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
runs=${COCOON_BENCH_RUNS:-40}
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
sync
sleep 2  # let the writeback of 10000 new directories settle before timing anything
as=()
[ "$(id -u)" != 0 ] || as=(runuser -u "$user" --)
bwrap=$(command -v bwrap || true)
[ -n "$bwrap" ] || echo "bench: no bwrap on this machine (apt-get install bubblewrap): cocoon's figures only"

csv=$out/results.csv
echo "case,tool,n,median_ms,stddev_ms,min_ms,max_ms,runs,paired_ratio" >"$csv"
# compare CASE N ROUNDS TOOL:RUNS COMMAND [TOOL:RUNS COMMAND]...: ROUNDS rounds,
# each running every command RUNS times (hyperfine), one after the other, so
# that all of them see the machine in the same state: a VM's speed drifts by
# 10-20 % over a minute, which back-to-back batches would read as a difference.
# The times of all rounds are merged into one CSV row per tool. paired_ratio is
# the median over rounds of cocoon's median divided by this tool's in the same
# round: what the targets are checked on, since it cancels drift between rounds.
compare() {
    local case=$1 n=$2 rounds=$3
    shift 3
    local dir r i args=("$@")
    dir=$(mktemp -d)
    chmod a+rwx "$dir"
    for r in $(seq 1 "$rounds"); do
        for ((i = 0; i < ${#args[@]}; i += 2)); do
            local tool=${args[i]%%:*} runs=${args[i]#*:} warmup=1
            [ "$n" -lt 1000 ] || warmup=0
            (cd / && "${as[@]}" env PATH=/usr/bin:/bin hyperfine -N --style none -w "$warmup" -r "$runs" \
                --export-json "$dir/$tool.$r.json" -- "${args[i + 1]}" >/dev/null)
        done
    done
    python3 - "$dir" "$case" "$n" >>"$csv" <<'PY'
import glob, json, os, statistics, sys
d, case, n = sys.argv[1:4]
times = lambda tool, r: json.load(open(f"{d}/{tool}.{r}.json"))["results"][0]["times"]
tools = sorted({os.path.basename(f).split(".")[0] for f in glob.glob(d + "/*.json")})
rounds = sorted({os.path.basename(f).split(".")[1] for f in glob.glob(d + "/*.json")})
for tool in tools:
    t = [x for r in rounds for x in times(tool, r)]
    ms = lambda x: f"{x * 1000:.3f}"
    sd = statistics.stdev(t) if len(t) > 1 else 0
    paired = ""
    if tool != "cocoon" and "cocoon" in tools:
        paired = f"{statistics.median(statistics.median(times('cocoon', r)) / statistics.median(times(tool, r)) for r in rounds):.4f}"
    print(",".join([case, tool, n, ms(statistics.median(t)), ms(sd), ms(min(t)), ms(max(t)), str(len(t)), paired]))
PY
    rm -rf "$dir"
}

C=$stage/cocoon
TYPICAL="--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent"
rounds=${COCOON_BENCH_ROUNDS:-10}
per=$(((runs + rounds - 1) / rounds))
with_bwrap() { [ -z "$bwrap" ] || printf '%s\n' "$@"; }  # bwrap's TOOL:RUNS COMMAND, if installed
echo "bench: start-up"
mapfile -t b < <(with_bwrap "bwrap:$per" "$bwrap --ro-bind / / true")
compare minimal 0 "$rounds" "cocoon:$per" "$C --ro-bind / / true" "${b[@]}" "unshare:$per" "unshare -Ur true"
mapfile -t b < <(with_bwrap "bwrap:$per" "$bwrap $TYPICAL true")
# firejail, when installed, as a peer: its nearest to the typical sandbox
# (no profile; no network, private IPC, /tmp and /dev; setuid root, and it
# does much more besides).
firejail=()
! command -v firejail >/dev/null ||
    firejail=("firejail:$per" "firejail --quiet --noprofile --net=none --ipc-namespace --private-tmp --private-dev true")
# The floor of the typical case: util-linux's unshare making the same
# namespaces, forking a PID 1 and running true, with no filesystem set up at all.
compare typical 0 "$rounds" "cocoon:$per" "$C $TYPICAL true" "${b[@]}" "${firejail[@]}" \
    "unshare:$per" "unshare -Ur --mount --pid --fork --net --ipc --uts --cgroup true"

binds() { for i in $(seq 1 "$1"); do printf -- '--ro-bind %s/binds/d%d /b/d%d ' "$stage" "$i" "$i"; done; }
BASE="--ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64"
for n in 10 100 1000 2000 10000; do
    echo "bench: $n binds"
    if [ "$n" -le 2000 ]; then
        r=$rounds c=$per br=$per
        [ "$n" -lt 1000 ] || { r=5 c=3 br=1; }
        mapfile -t b < <(with_bwrap "bwrap:$br" "$bwrap $BASE $(binds "$n") /usr/bin/true")
        compare binds "$n" "$r" "cocoon:$c" "$C $BASE $(binds "$n") /usr/bin/true" "${b[@]}"
    else
        # Past 128 KiB one string cannot carry the options (MAX_ARG_STRLEN):
        # they go through --args, and a sh that adds about a millisecond.
        binds "$n" | tr ' ' '\0' >"$stage/args"
        printf '#!/bin/sh\nexec %s --args 3 %s /usr/bin/true 3<%s\n' "$C" "$BASE" "$stage/args" >"$stage/many"
        chmod a+rx "$stage/args" "$stage/many"
        compare binds "$n" 2 "cocoon:5" "$stage/many"
    fi
done

# The same 1000 binds as Linux 5.10 makes them (no mount_setattr: mount(2)
# remounts, the mount table read once) and as Linux 4.18 makes them (no new
# mount API either: recursive binds at a scratch place, moved with MS_MOVE;
# HACKING.md, "Older kernels"), simulated with the test helper's filter,
# against bwrap on this kernel.
c++ -O2 -std=c++20 -o "$stage/probe" "$src/tests/helpers/probe.cc"
for k in 5.10 4.18; do
    echo "bench: 1000 binds as Linux $k"
    "$stage/probe" kernel "$k" >"$stage/kernel-$k"
    chmod a+rx "$stage/probe" "$stage/kernel-$k"
    mapfile -t b < <(with_bwrap "bwrap:1" "$bwrap $BASE $(binds 1000) /usr/bin/true")
    compare "binds-$k" 1000 5 "cocoon:3" "$stage/probe under $stage/kernel-$k $C $BASE $(binds 1000) /usr/bin/true" \
        "${b[@]}"
done

# --net-allow: start-up with 10 rules against --unshare-net alone; then the
# relay against a direct loopback connection (bench/net.py): bulk throughput,
# connection latency, and the outside process's memory with 100 connections.
echo "bench: network relay"
rules=$(for i in $(seq 1 10); do printf -- '--net-allow host%d.example:%d ' "$i" "$((8000 + i))"; done)
compare net-start 0 "$rounds" "cocoon:$per" "$C $TYPICAL $rules true" "unshare-net:$per" "$C $TYPICAL true"
cp "$src/bench/net.py" "$src/bench/net_client.py" "$stage/" && chmod a+rx "$stage"/net*.py
(cd / && "${as[@]}" python3 "$stage/net.py" "$C" "$stage" 5 >>"$csv")

# --protect: the typical sandbox with a writable checkout-like tree bound, and
# 100 of its files protected (10 directories pinned), against the same without.
echo "bench: 100 protected paths"
mkdir -p "$stage/tree"
for i in $(seq 1 100); do mkdir -p "$stage/tree/s$((i % 10))" && : >"$stage/tree/s$((i % 10))/f$i"; done
chmod -R a+rwX "$stage/tree"
protects=$(for i in $(seq 1 100); do printf -- '--protect %s/tree/s%d/f%d ' "$stage" "$((i % 10))" "$i"; done)
compare protect 100 "$rounds" "cocoon:$per" "$C $TYPICAL --bind $stage/tree $stage/tree $protects true" \
    "unprotected:$per" "$C $TYPICAL --bind $stage/tree $stage/tree true"

# A syscall-heavy loop with and without the default seccomp profile: what the
# filter costs per call. The loop times itself (ns per getppid), so start-up
# does not dilute the difference, and the variants alternate, run after run.
# bwrap gets the same filter through --seccomp-export.
echo "bench: seccomp"
cc -O2 -static -o "$stage/getppid_loop" "$src/bench/getppid_loop.c"
"$C" --seccomp-profile default --seccomp-export "$stage/default.bpf"
# Each filter's size, and the instructions a call runs through it per ABI.
python3 "$src/bench/filter_size.py" default "$stage/default.bpf" >>"$csv"
oci=$(ls /usr/share/containers/seccomp.json "$src/build/containers-seccomp.json" 2>/dev/null | head -n 1)
if [ -n "$oci" ] && "$C" --seccomp-profile "$oci" --seccomp-export "$stage/oci.bpf" 2>/dev/null; then
    python3 "$src/bench/filter_size.py" containers-common "$stage/oci.bpf" >>"$csv"
fi
# Start-up with the default filter against without: its compile is done at
# build time, what is left is copying it in and the kernel's checks.
compare typical-default 0 "$rounds" "cocoon:$per" "$C $TYPICAL --seccomp-profile default true" \
    "unfiltered:$per" "$C $TYPICAL true"
# The floor: a filter of one rule, whatever it says, costs the kernel's seccomp
# entry path on every syscall.
printf 'default allow\ndeny keyctl\n' >"$stage/tiny.policy"
chmod a+rx "$stage/getppid_loop" "$stage/default.bpf" "$stage/tiny.policy"
loops=1000000
declare -A loop_cmd=(
    [cocoon]="$C $TYPICAL --ro-bind $stage $stage $stage/getppid_loop $loops"
    [cocoon-default]="$C $TYPICAL --ro-bind $stage $stage --seccomp-profile default $stage/getppid_loop $loops"
    [cocoon-tiny]="$C $TYPICAL --ro-bind $stage $stage --seccomp-profile $stage/tiny.policy $stage/getppid_loop $loops"
)
if [ -n "$bwrap" ]; then
    loop_cmd[bwrap]="$bwrap $TYPICAL --ro-bind $stage $stage $stage/getppid_loop $loops"
    loop_cmd[bwrap-default]="$bwrap $TYPICAL --ro-bind $stage $stage --seccomp 3 $stage/getppid_loop $loops"
fi
ns=$(mktemp -d)
for r in $(seq 1 "${COCOON_BENCH_LOOP_ROUNDS:-20}"); do
    for tool in "${!loop_cmd[@]}"; do
        (cd / && "${as[@]}" ${loop_cmd[$tool]} 3<"$stage/default.bpf") >>"$ns/$tool"
    done
done
# ns per call, in the ms columns (the report knows); paired_ratio: the median
# over rounds of this variant over the same tool's unfiltered run of the round.
python3 - "$ns" >>"$csv" <<'PY'
import os, statistics, sys
d = sys.argv[1]
runs = {tool: [float(x) for x in open(os.path.join(d, tool)).read().split()] for tool in os.listdir(d)}
for tool, t in sorted(runs.items()):
    base = runs.get(tool.split("-")[0])
    paired = ""
    if "-" in tool and base and len(base) == len(t):
        paired = f"{statistics.median(a / b for a, b in zip(t, base)):.4f}"
    sd = statistics.stdev(t) if len(t) > 1 else 0
    print(",".join(["getppid-ns", tool, "0", f"{statistics.median(t):.2f}", f"{sd:.2f}", f"{min(t):.2f}",
                    f"{max(t):.2f}", str(len(t)), paired]))
PY
rm -rf "$ns"

# Peak RSS (VmHWM) of cocoon's process outside the sandbox and of the reaper.
echo "bench: memory"
(cd / && "${as[@]}" "$C" $TYPICAL sleep 1) &
sleep 0.5
# The process outside is the oldest with cocoon's command line; the reaper, its
# child, has the same command line (the command is the reaper's child).
monitor=$(pgrep -o -f "^$C ")
reaper=$(pgrep -P "$monitor" -f "^$C " | head -n 1)
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
rss_monitor=$(hwm "$monitor")
rss_reaper=$(hwm "$reaper")
wait
echo "rss,cocoon-outside,0,$rss_monitor,0,0,0,1," >>"$csv"
echo "rss,cocoon-reaper,0,$rss_reaper,0,0,0,1," >>"$csv"
# The same for the system's bwrap: its process outside, in the same sandbox.
if [ -n "$bwrap" ]; then
    (cd / && "${as[@]}" "$bwrap" $TYPICAL sleep 1) &
    sleep 0.5
    rss_bwrap=$(hwm "$(pgrep -o -f "^$bwrap ")")
    wait
    echo "rss,bwrap-outside,0,$rss_bwrap,0,0,0,1," >>"$csv"
fi

python3 "$src/bench/report.py" "$csv" "$out"
