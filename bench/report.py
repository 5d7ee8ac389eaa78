# SPDX-License-Identifier: MIT
"""Reads bench/results.csv, prints the table with ratios and the targets of issue 6,
writes bench/results.md (included by bench/README.md) and bench/startup.png (gnuplot)."""
import csv
import os
import subprocess
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
get = {(r["case"], r["tool"], int(r["n"])): r for r in rows}


def med(case, tool, n=0):
    r = get.get((case, tool, n))
    return float(r["median_ms"]) if r else None


def paired(case, tool, n=0):
    """cocoon over `tool`, round by round (or a filtered run over the unfiltered
    one of its round): the median of the per-round ratios, robust to drift."""
    r = get.get((case, tool, n))
    return float(r["paired_ratio"]) if r and r.get("paired_ratio") else None


lines = ["| case | cocoon (median ± sd) | bwrap | ratio |", "|---|---|---|---|"]
for case, label in (("minimal", "`--ro-bind / / true`"), ("typical", "typical sandbox")):
    c, b = get.get((case, "cocoon", 0)), get.get((case, "bwrap", 0))
    ratio = f"{paired(case, 'bwrap'):.2f}" if c and b else "n/a"
    bw = f"{b['median_ms']} ± {b['stddev_ms']} ms" if b else "not installed"
    lines.append(f"| {label} | {c['median_ms']} ± {c['stddev_ms']} ms | {bw} | {ratio} |")
u = med("minimal", "unshare")
lines.append(f"| `unshare -Ur true` (the floor) | {u:.3f} ms | | cocoon/unshare {paired('minimal', 'unshare'):.2f} |")
ua = med("typical", "unshare")
if ua:
    lines.append(f"| `unshare -Ur --mount --pid --fork --net --ipc --uts --cgroup true` (the typical case's floor) "
                 f"| {ua:.3f} ms | | cocoon typical/unshare {paired('typical', 'unshare'):.2f} |")
fj = med("typical", "firejail")
if fj:
    lines.append(f"| firejail, its nearest to the typical sandbox (`--noprofile --net=none --ipc-namespace "
                 f"--private-tmp --private-dev`) | {fj:.3f} ms | | cocoon/firejail {paired('typical', 'firejail'):.2f} |")
for n in (10, 100, 1000, 2000, 10000):
    c, b = get.get(("binds", "cocoon", n)), get.get(("binds", "bwrap", n))
    if not c:
        continue
    per = float(c["median_ms"]) / n * 1000
    ratio = f"{paired('binds', 'bwrap', n):.3f}" if b else "n/a"
    bw = f"{b['median_ms']} ms" if b else "not measured"
    lines.append(f"| {n} `--ro-bind`s | {c['median_ms']} ± {c['stddev_ms']} ms ({per:.1f} µs/bind) | {bw} | {ratio} |")
g, gd = med("getppid-ns", "cocoon"), med("getppid-ns", "cocoon-default")
pct = lambda tool: f"{(paired('getppid-ns', tool) - 1) * 100:+.1f}%"
if g and gd:
    bg, bgd = med("getppid-ns", "bwrap"), med("getppid-ns", "bwrap-default")
    bw = f"{bg:.0f} ns / {bgd:.0f} ns ({pct('bwrap-default')})" if bg and bgd else "not measured"
    ratio = f"{gd / bgd:.2f}" if bgd else "n/a"
    lines.append(f"| getppid, no filter / `default` | {g:.0f} ns / {gd:.0f} ns per call ({pct('cocoon-default')}) | {bw} | {ratio} |")
    gt = med("getppid-ns", "cocoon-tiny")
    if gt:
        lines.append(f"| getppid, a one-rule filter (the floor) | {gt:.0f} ns per call ({pct('cocoon-tiny')}) | | |")
for prof in ("default", "containers-common"):
    if get.get((f"filter-{prof}", "all", 0)):
        per_abi = ", ".join(f"{abi} {med(f'filter-{prof}', abi):.1f} (max {get[(f'filter-{prof}', abi, 0)]['max_ms']})"
                            for abi in ("x86_64", "x32", "i386"))
        lines.append(f"| filter `{prof}`: instructions; run per call, mean (max) | "
                     f"{med(f'filter-{prof}', 'all'):.0f}; {per_abi} | | |")
if paired("typical-default", "unfiltered"):
    lines.append(f"| typical + `default` filter | {med('typical-default', 'cocoon'):.3f} ms | | "
                 f"over unfiltered {paired('typical-default', 'unfiltered'):.2f} |")
rss_out = med("rss", "cocoon-outside")
rss_reaper = med("rss", "cocoon-reaper")
rss_bwrap = med("rss", "bwrap-outside") if get.get(("rss", "bwrap-outside", 0)) else 0
lines.append(f"| peak RSS outside / reaper | {rss_out / 1024:.2f} MiB / {rss_reaper / 1024:.2f} MiB | "
             + (f"{rss_bwrap / 1024:.2f} MiB | {rss_out / rss_bwrap:.2f} |" if rss_bwrap else "| |"))

targets = []
def target(name, ok, detail):
    targets.append(f"- [{'x' if ok else ' '}] {name}: {detail}")

if paired("typical", "bwrap"):
    r = paired("typical", "bwrap")
    target("typical start-up ≤ 0.7 × bwrap", r <= 0.7, f"{r:.2f}")
r = paired("minimal", "unshare")
target("minimal start-up ≤ 1.3 × unshare -Ur true", r <= 1.3, f"{r:.2f}")
c1000, c2000 = med("binds", "cocoon", 1000), med("binds", "cocoon", 2000)
if paired("binds", "bwrap", 1000):
    r = paired("binds", "bwrap", 1000)
    target("1000 binds ≤ 1/20 of bwrap", r <= 1 / 20, f"1/{1 / r:.0f}")
target("2000 binds ≤ 2.2 × 1000 binds", c2000 <= 2.2 * c1000, f"{c2000 / c1000:.2f}")
for k in ("5.10", "4.18"):
    if paired(f"binds-{k}", "bwrap", 1000):
        r = paired(f"binds-{k}", "bwrap", 1000)
        target(f"1000 binds as Linux {k} ≤ 1/10 of bwrap", r <= 1 / 10, f"1/{1 / r:.0f}")
if paired("protect", "unprotected", 100):
    r = paired("protect", "unprotected", 100)
    target("100 protected paths ≤ 1.10 × the same sandbox without", r <= 1.10, f"{r:.2f}")
if paired("net-start", "unshare-net"):
    r = paired("net-start", "unshare-net")
    target("start-up with 10 --net-allow rules ≤ 1.15 × --unshare-net", r <= 1.15, f"{r:.2f}")
if get.get(("net-bulk", "direct", 0)):
    r = float(get[("net-bulk", "direct", 0)]["paired_ratio"])  # direct / relayed time: relayed throughput share
    target("relayed throughput ≥ 50 % of direct loopback", r >= 0.5, f"{r * 100:.0f} %")
    added = med("net-connect", "cocoon") - med("net-connect", "direct")
    target("added connection latency ≤ 1 ms", added <= 1.0, f"{added:.3f} ms")
if get.get(("net-rss", "cocoon", 0)):
    kib = med("net-rss", "cocoon")
    target("outside RSS with 100 relayed connections ≤ 8 MiB", kib <= 8192, f"{kib / 1024:.2f} MiB")
if g and gd:
    r = paired("getppid-ns", "cocoon-default")
    target("seccomp default ≤ 5% slower on getppid", r <= 1.05, pct("cocoon-default"))
else:
    target("seccomp default ≤ 5% slower on getppid", False, "not measured")
if g and gd:  # issue 20: tighter; the one-rule filter shows the kernel's own floor
    r = paired("getppid-ns", "cocoon-default")
    floor = f", a one-rule filter {pct('cocoon-tiny')}" if med("getppid-ns", "cocoon-tiny") else ""
    target("seccomp default ≤ +3 % on getppid", r <= 1.03, pct("cocoon-default") + floor)
if get.get(("filter-default", "all", 0)):
    n = med("filter-default", "all")
    target("`default` ≤ 400 instructions (x86_64, x32 and i386 together)", n <= 400, f"{n:.0f}")
if paired("typical-default", "unfiltered"):
    r = paired("typical-default", "unfiltered")
    target("typical + `default` ≤ 1.08 × typical without a filter", r <= 1.08, f"{r:.2f}")
target("peak RSS outside ≤ 4 MiB", rss_out <= 4096, f"{rss_out / 1024:.2f} MiB")
if rss_bwrap:
    target("peak RSS outside ≤ the system bwrap's", rss_out <= rss_bwrap,
           f"{rss_out / 1024:.2f} MiB against {rss_bwrap / 1024:.2f} MiB")
target("peak RSS of the reaper ≤ 2 MiB", rss_reaper <= 2048, f"{rss_reaper / 1024:.2f} MiB")

text = "\n".join(lines) + "\n\nTargets (issue 6):\n\n" + "\n".join(targets) + "\n"
print(text)
open(os.path.join(out, "results.md"), "w").write(text)

data = os.path.join(out, "binds.dat")
with open(data, "w") as f:
    for n in (10, 100, 1000, 2000, 10000):
        c, b = med("binds", "cocoon", n), med("binds", "bwrap", n)
        f.write(f"{n} {c if c is not None else '?'} {b if b is not None else '?'}\n")
try:
    subprocess.run(["gnuplot"], check=True, input=f"""
set terminal pngcairo size 720,420
set output '{os.path.join(out, "startup.png")}'
set logscale xy
set xlabel 'distinct --ro-bind mounts'
set ylabel 'start-up, ms (median)'
set key left top
set grid
set datafile missing '?'
plot '{data}' using 1:2 with linespoints title 'cocoon', '{data}' using 1:3 with linespoints title 'bwrap (Debian 0.8.0)'
""".encode())
except (OSError, subprocess.CalledProcessError) as e:
    print(f"bench: no plot ({e})")
os.remove(data)
