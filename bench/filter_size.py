#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Size of an exported seccomp filter, and how many instructions a call runs
through it per ABI, by running the program on every syscall number with zero
arguments (a classic-BPF interpreter for what cocoon's compiler emits).

    filter_size.py NAME FILE.bpf  >> results.csv

Rows: filter-NAME with tool "all" (median column: instructions in the
program) and one per ABI (x86_64, x32, i386: median column the mean
instructions run per call over numbers 0-1023, max column the most).
"""
import statistics, struct, sys

name, path = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
prog = [struct.unpack("<HBBI", raw[i:i + 8]) for i in range(0, len(raw), 8)]
ARCH = {"x86_64": 0xC000003E, "x32": 0xC000003E, "i386": 0x40000003}


def run(nr, arch):
    data = {0: nr, 4: arch}  # seccomp_data: nr, arch; everything else zero
    a, pc, steps = 0, 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        steps += 1
        cls, op = code & 0x07, code & 0xF0
        if code == 0x20:  # ld [k]
            a = data.get(k, 0)
        elif code == 0x06:  # ret k
            return steps
        elif cls == 0x04:  # alu k
            a = {0x00: a + k, 0x10: a - k, 0x50: a & k}[op] & 0xFFFFFFFF
        elif code == 0x05:  # ja
            pc += k
        elif cls == 0x05:
            taken = {0x10: a == k, 0x20: a > k, 0x30: a >= k, 0x40: (a & k) != 0}[op]
            pc += jt if taken else jf
        else:
            raise SystemExit(f"filter_size.py: instruction {code:#x} not handled")
        pc += 1


print(f"filter-{name},all,0,{len(prog)},0,{len(prog)},{len(prog)},1,")
for abi, arch in ARCH.items():
    steps = [run(nr | (0x40000000 if abi == "x32" else 0), arch) for nr in range(1024)]
    print(f"filter-{name},{abi},0,{statistics.mean(steps):.2f},{statistics.stdev(steps):.2f},"
          f"{min(steps)},{max(steps)},{len(steps)},")
