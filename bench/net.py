#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--net-allow's relay against a direct loopback connection, in one run.

    net.py COCOON SCRIPT_DIR ROUNDS  >> results.csv

Rows (results.csv's columns): net-bulk (ms to send 1 GiB to a sink on the
host's 127.0.0.1, relayed and direct), net-connect (ms per connection and
first byte, over 300), net-rss (the outside process's peak RSS in KiB, in the
median column, with 100 relayed connections open). Rounds alternate the two
ways, and paired_ratio is the median over rounds of relayed / direct.
"""
import os, socket, statistics, subprocess, sys, threading, time

cocoon, here, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(512)
port = srv.getsockname()[1]

def serve(c):
    try:
        c.sendall(b"!")
        while c.recv(1 << 20):
            pass
    except OSError:
        pass
    c.close()

def accept():
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

threading.Thread(target=accept, daemon=True).start()
client = os.path.join(here, "net_client.py")
sandbox = [cocoon, "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
           "--symlink", "usr/lib64", "/lib64", "--ro-bind", here, here, "--unshare-pid", "--proc", "/proc",
           "--net-host-port", str(port)]

def measure(mode, relayed):
    cmd = ["python3", client, str(port), mode]
    out = subprocess.run(sandbox + cmd if relayed else cmd, capture_output=True, text=True, check=True).stdout
    return float(out.split()[0])

rows = {}
for _ in range(rounds):
    for mode in ("bulk", "connect"):
        for relayed in (True, False):
            rows.setdefault((mode, relayed), []).append(measure(mode, relayed))

def row(case, tool, values, ratio=""):
    med = statistics.median(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0
    print(f"{case},{tool},0,{med:.3f},{sd:.3f},{min(values):.3f},{max(values):.3f},{len(values)},{ratio}")

for mode in ("bulk", "connect"):
    relayed, direct = rows[(mode, True)], rows[(mode, False)]
    ratio = statistics.median(r / d for r, d in zip(relayed, direct))
    row(f"net-{mode}", "cocoon", relayed)
    row(f"net-{mode}", "direct", direct, f"{1 / ratio:.4f}")

# Peak RSS outside with 100 connections open through the relay.
p = subprocess.Popen(sandbox + ["python3", client, str(port), "hold"], stdout=subprocess.PIPE, text=True)
p.stdout.readline()  # "held": every connection is open
status = open(f"/proc/{p.pid}/status").read()
p.stdin = None
p.wait()
hwm = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM")))
row("net-rss", "cocoon", [hwm])
