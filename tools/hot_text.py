#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes src/hot_text.ld: the code a sandbox's start-up runs, gathered into one
output section (HACKING.md, "Memory: the hot text").

Inputs: the linker map of the profiled binary (ld -Map), callgrind profiles made
with --dump-instr=yes (every instruction run, under valgrind), and `perf script`
output of page faults of native runs (what valgrind cannot see: the vDSO set-up,
the CPU's own string-function variants, system calls valgrind does not know).
Each address is mapped to the input section (a function, with
-ffunction-sections, or an archive member of libc.a) that holds it; the script
names those sections in the order they first ran.

  hot_text.py --map MAP --out FILE [--callgrind F]... [--faults F]... [--keep FILE]
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

# Sections named for an instruction set, not a function: glibc puts each
# variant of a string function in its own member under one of these.
ISA_SECTION = re.compile(r"^\.text(\.(sse2|sse4\.[12]|ssse3|avx|avx2|evex|evex512|avx512))?$")
# glibc's variants of one string function: memmove-avx512-unaligned-erms.o and
# so on. The variant a CPU gets is chosen at start-up (an ifunc), so the
# variants for the common x86-64 levels go in with whichever one was profiled.
VARIANT = re.compile(r"^([a-z0-9_]+)-(sse2|sse4_2|ssse3|avx2|avx|evex|avx512)([-a-z0-9_]*)\.o$")
WANTED_VARIANT = re.compile(r"^(avx2|avx|evex|evex512|avx512)")


def parse_map(path):
    """Input sections of every output section whose name starts with .text:
    a sorted list of (address, size, section, file)."""
    sections = []
    in_text = False
    pending = None
    one_line = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
    two_line = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
    for line in open(path, encoding="utf-8", errors="replace"):
        if re.match(r"^\S", line):  # an output section (or a heading)
            in_text = line.startswith(".text")
            pending = None
            continue
        if not in_text:
            continue
        m = one_line.match(line)
        if m and m.group(1).startswith("."):
            sections.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4)))
            pending = None
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = two_line.match(line)
        if m and pending:
            sections.append((int(m.group(1), 16), int(m.group(2), 16), pending, m.group(3)))
        pending = None
    sections = [s for s in sections if s[1] > 0]
    sections.sort()
    return sections


def callgrind_positions(path):
    """(function, instruction address) for every instruction in a callgrind
    --dump-instr=yes profile, in file order. Positions are absolute (0x...),
    relative (+N, -N) or the same again (*); a line after calls= is the call's
    own position; names are given once and then referred to by number."""
    current = 0
    names = {}
    function = None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("fn="):
            m = re.match(r"^fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                function = names.get(m.group(1))
            continue
        token = line.split(None, 1)[0] if line.strip() else ""
        if not token or line.startswith("calls="):
            continue
        if token.startswith("0x"):
            current = int(token, 16)
        elif token[0] in "+-" and token[1:].isdigit():
            current += int(token)
        elif token != "*":
            continue
        yield function, current


def callgrind_addresses(path, symbols):
    """The link-time addresses of the instructions a profile ran. valgrind
    reports where it loaded the binary (a static-pie may go anywhere), so the
    load address is what most functions' first instruction run lies above
    their symbol's address (a function's entry runs whenever it is called)."""
    lowest = {}
    for function, address in callgrind_positions(path):
        if function in symbols:
            lowest[function] = min(lowest.get(function, address), address)
    offsets = collections.Counter(a - symbols[f] for f, a in lowest.items())
    base = offsets.most_common(1)[0][0] if offsets else 0
    for _, address in callgrind_positions(path):
        yield address - base


def symbol_addresses(binary):
    """Addresses of the binary's C functions (callgrind names C++ functions
    demangled; C names are the same either way), each name only once."""
    counts = collections.Counter()
    where = {}
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tT" and not fields[2].startswith("_Z"):
            counts[fields[2]] += 1
            where[fields[2]] = int(fields[0], 16)
    return {name: address for name, address in where.items() if counts[name] == 1}


def fault_addresses(path, binary):
    """Instruction addresses of page faults in the binary, from `perf script
    --show-mmap-events -F comm,pid,ip,addr`: an instruction fetch faults at its
    own address (addr == ip); the fields come as comm, pid, addr, ip. The binary's executable mapping turns run-time
    addresses into file offsets, which are its link-time addresses (checked by
    the caller with readelf)."""
    maps = {}  # pid -> (start, end, pgoff)
    name = os.path.basename(binary)
    mmap = re.compile(r"(\d+)/\d+: \[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ 0x([0-9a-f]+)\b.*r-xp (\S+)$")
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if "PERF_RECORD_MMAP" in line:
            m = mmap.search(line)
            if m and os.path.basename(m.group(5)) == name:
                start, size, pgoff = (int(m.group(i), 16) for i in (2, 3, 4))
                maps[int(m.group(1))] = (start, start + size, pgoff)
            continue
        fields = line.split()
        # Only cocoon's own processes: a command it ran has another name, and
        # its libraries may lie where cocoon's code lay in the parent.
        if len(fields) != 4 or fields[0] != name[:15]:
            continue
        try:
            pid, ip, addr = int(fields[-3]), int(fields[-2], 16), int(fields[-1], 16)
        except ValueError:
            continue
        if ip != addr:
            continue
        for start, end, pgoff in ([maps[pid]] if pid in maps else maps.values()):
            if start <= ip < end:
                yield ip - start + pgoff
                break


def pattern(section, file):
    member = re.search(r"([^/]+\.a)\(([^)]+)\)$", file)
    if not ISA_SECTION.match(section) and section.startswith(".text.") and \
            section not in (".text.startup", ".text.exit", ".text.hot", ".text.unlikely"):
        return f"*({section})"  # one function (-ffunction-sections)
    if member:
        return f"*{member.group(1)}:{member.group(2)}({section})"
    return f"*{os.path.basename(file)}({section})"


def libc_members():
    try:
        path = subprocess.run(["cc", "-print-file-name=libc.a"], capture_output=True, text=True,
                              check=True).stdout.strip()
        return path, subprocess.run(["ar", "t", path], capture_output=True, text=True,
                                    check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None, []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--callgrind", action="append", default=[])
    ap.add_argument("--faults", action="append", default=[])
    ap.add_argument("--keep", help="an earlier script whose patterns stay, after the new ones")
    args = ap.parse_args()

    sections = parse_map(args.map)
    starts = [s[0] for s in sections]
    order = []
    seen = set()

    def add(address):
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < sections[i][0] + sections[i][1] and i not in seen:
            seen.add(i)
            order.append(i)

    symbols = symbol_addresses(args.binary) if args.callgrind else {}
    for path in args.callgrind:
        for address in callgrind_addresses(path, symbols):
            add(address)
    for path in args.faults:
        for address in fault_addresses(path, args.binary):
            add(address)

    patterns = []
    for i in order:
        p = pattern(sections[i][2], sections[i][3])
        if p not in patterns:
            patterns.append(p)

    # The other x86-64 levels' variants of each libc string function that ran.
    libc_path, members = libc_members()
    if libc_path:
        archive = os.path.basename(libc_path)
        for p in list(patterns):
            m = re.match(r"^\*" + re.escape(archive) + r":([^(]+)\(", p)
            v = VARIANT.match(m.group(1)) if m else None
            if not v:
                continue
            for member in members:
                w = VARIANT.match(member)
                if w and w.group(1) == v.group(1) and WANTED_VARIANT.match(w.group(2)) \
                        and "rtm" not in member:
                    extra = f"*{archive}:{member}(.text .text.*)"
                    if extra not in patterns:
                        patterns.append(extra)

    if args.keep and os.path.exists(args.keep):
        for line in open(args.keep):
            line = line.strip()
            if re.match(r"^\*\S*\(\S.*\)$", line) and line not in patterns:
                patterns.append(line)

    size = sum(sections[i][1] for i in order)
    with open(args.out, "w") as out:
        out.write("/* SPDX-License-Identifier: MIT\n"
                  " * Generated by tools/hot-text.sh: do not edit. The code cocoon's start-up\n"
                  " * runs, in the order it first ran, gathered before the rest of .text so\n"
                  " * that it is faulted in as a few 64 KiB windows instead of dozens\n"
                  " * (HACKING.md, \"Memory: the hot text\"). A name that no longer exists\n"
                  " * matches nothing and costs nothing; tests/lint/hot-text.sh says when\n"
                  " * too many have gone stale. */\n")
        out.write("SECTIONS\n{\n  .text.hot :\n  {\n")
        for p in patterns:
            out.write(f"    {p}\n")
        out.write("  }\n}\nINSERT BEFORE .text;\n")
    print(f"hot_text: {len(order)} sections run ({size // 1024} KiB), {len(patterns)} patterns",
          file=sys.stderr)


if __name__ == "__main__":
    main()
