#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# bench/net.py's client: prints milliseconds (bulk: 1 GiB sent; connect: per
# connection and first byte), or "held" with 100 connections open for 2 s.
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "bulk":
    buf = b"x" * (1 << 20)
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(1)
    t = time.perf_counter()
    for _ in range(1024):
        s.sendall(buf)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print((time.perf_counter() - t) * 1000)
elif mode == "connect":
    n = 300
    t = time.perf_counter()
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.recv(1)
        s.close()
    print((time.perf_counter() - t) / n * 1000)
else:
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    for c in conns:
        c.recv(1)
    print("held", flush=True)
    time.sleep(2)
