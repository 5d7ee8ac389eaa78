#!/bin/bash
# SPDX-License-Identifier: MIT
# The hot text (HACKING.md, "Memory: the hot text"), as TAP lines: the build
# links src/hot_text.ld where it should, and the list still names the code that
# exists. A renamed or removed function silently drops out of the list (a name
# that matches nothing costs nothing), so the list goes stale a little with
# every change; past a quarter of cocoon's own names gone, regenerate it with
# tools/hot-text.sh.
#   hot-text.sh SRC BUILD
set -u
src=$1 build=$2
python3 - "$src" "$build" <<'PY'
import json, os, re, subprocess, sys

src, build = sys.argv[1:3]
options = {o["name"]: o["value"] for o in
           json.load(open(os.path.join(build, "meson-info", "intro-buildoptions.json")))}
binary = os.path.join(build, "src", "cocoon")
# meson.build links the list only into static builds with GNU ld.
linked = "hot_text.ld" in open(os.path.join(build, "build.ninja")).read()
if not linked:
    print("1..1")
    print(f"ok - hot text # SKIP not linked in this build (static={options.get('static')}, "
          f"hot_text={options.get('hot_text')}; needs GNU ld)")
    sys.exit(0)

print("1..2")
sections = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout
m = re.search(r"\] \.text\.hot\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)", sections)
size = int(m.group(1), 16) if m else 0
if size >= 64 * 1024:
    print(f"ok - hot text: the binary starts with .text.hot, {size // 1024} KiB")
else:
    print(f"not ok - hot text: no .text.hot section of 64 KiB or more in {binary} ({size} bytes)")

names = set()
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True,
                           text=True).stdout.splitlines():
    fields = line.split()
    if len(fields) == 3:
        names.add(fields[2])
listed = live = 0
gone = []
for line in open(os.path.join(src, "src", "hot_text.ld")):
    m = re.match(r"^\s+\*\(\.text\.(\S+)\)$", line)
    if not m or "cocoon" not in m.group(1):
        continue
    name = re.sub(r"^(unlikely|startup|hot|exit)\.", "", m.group(1))
    listed += 1
    if name in names or name + ".cold" in names:
        live += 1
    else:
        gone.append(name)
if listed and live * 4 >= listed * 3:
    print(f"ok - hot text: {live} of the {listed} cocoon functions src/hot_text.ld names exist")
else:
    print(f"not ok - hot text: only {live} of the {listed} cocoon functions src/hot_text.ld names "
          f"exist; run tools/hot-text.sh")
    for name in gone[:10]:
        print(f"#   gone: {name}")
PY
