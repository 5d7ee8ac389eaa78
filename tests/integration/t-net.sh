#!/bin/bash
# SPDX-License-Identifier: MIT
# --net-allow (man cocoon, NETWORK EGRESS): offline, against servers on the
# host's 127.0.0.1 that --net-resolve gives names to. Allowed names connect,
# everything else is refused and reported; the relay is byte-exact, passes
# resets on and races with nothing.
. "$(dirname "$0")/lib.sh"
require_userns
work=$(mktemp -d "$HOME/net.XXXXXX")
chmod 755 "$work"
cd "$work" || exit 1

# Servers on the host: HTTP, a TCP echo, a UDP sink. Each writes its port to a
# file once it listens.
cat >servers.py <<'EOF'
import http.server, os, socket, socketserver, sys, threading
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    break
                self.request.sendall(data)
        except OSError:
            pass
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
socketserver.TCPServer.allow_reuse_address = True
socketserver.BaseServer.handle_error = lambda *args: None  # a client's reset is the test, not news
class Banner(socketserver.BaseRequestHandler):  # speaks first, as SSH and SMTP do
    def handle(self):
        self.request.sendall(b"SSH-2.0-test\r\n")
        self.request.recv(100)
web = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Quiet)
echo = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
banner = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Banner)
uecho = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uecho.bind(("127.0.0.1", 0))
def udp_echo():
    while True:
        data, peer = uecho.recvfrom(65536)
        uecho.sendto(data, peer)
threading.Thread(target=udp_echo, daemon=True).start()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
for s in (web, echo, banner):
    threading.Thread(target=s.serve_forever, daemon=True).start()
def sink():
    while True:
        data, _ = udp.recvfrom(100)
        open("udp-received", "ab").write(data)
threading.Thread(target=sink, daemon=True).start()
open("ports.tmp", "w").write("%d %d %d %d %d\n" % (web.server_address[1], echo.server_address[1], udp.getsockname()[1],
                                                   banner.server_address[1], uecho.getsockname()[1]))
os.rename("ports.tmp", "ports")
threading.Event().wait()
EOF
echo hello >index.html
python3 servers.py &
servers=$!
trap 'kill $servers 2>/dev/null; cd /; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do [ -f ports ] && break; sleep 0.05; done
read -r WEB ECHO UDP BANNER UECHO <ports
N=(--profile host-ro --net-allow "allowed.test:$WEB" --net-allow "echo.test:$ECHO"
   --net-resolve allowed.test=127.0.0.1 --net-resolve echo.test=127.0.0.1 --net-resolve denied.test=127.0.0.1)
GET="import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())
except Exception:
    print('failed')  # refused or reset, as the timing has it"

run "$COCOON" "${N[@]}" --report-fd 3 sh -c "
    python3 -c \"\$0\" http://allowed.test:$WEB/index.html
    getent hosts denied.test || echo no-such-name
    python3 -c \"\$0\" http://127.0.0.1:$WEB/index.html
    python3 -c \"\$0\" http://allowed.test:$ECHO/
    python3 -c 'import socket; socket.create_connection((\"2606:2800:220:1::1\", 443), timeout=5)' 2>/dev/null || echo no-ipv6" \
    "$GET" 3>report
check "an allowed name connects; a denied name, a raw address, another port and IPv6 do not" \
    "0 hello no-such-name failed failed no-ipv6" "$rc $(echo $out)"
# events: one line per report line, "EVENT WHO PORT-OR-TYPE-OR-CODE".
events() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["event"], e.get("name") or e.get("address") or "-", e.get("port") or e.get("type") or e.get("exit-code"))
' "$1"
}
check "each refusal is one report line (A and AAAA for the name), and the exit is the last" \
    "connect-denied 127.0.0.1 $WEB|connect-denied allowed.test $ECHO|dns-denied denied.test A|dns-denied denied.test AAAA|exit - 0" \
    "$(events report | head -n -1 | sort | paste -sd'|')|$(events report | tail -n1)"
run "$COCOON" "${N[@]}" --report-stderr sh -c "
    getent hosts denied.test; getent hosts denied.test
    python3 -c \"\$0\" http://127.0.0.1:$WEB/index.html >/dev/null" "$GET"
check "--report-stderr: each refusal once, readable, among the command's own stderr" \
    "cocoon: denied: DNS lookup of denied.test: no --net-allow rule names it|cocoon: denied: connection to 127.0.0.1:$WEB through the proxy: no --net-allow rule allows it" \
    "$(echo "$err" | grep '^cocoon:' | sort | paste -sd'|')"

# Byte-exact both ways, 1 GiB of random bytes through the relay and back.
run "$COCOON" "${N[@]}" python3 -c "
import hashlib, os, socket, threading
s = socket.create_connection(('echo.test', $ECHO))
sent = hashlib.sha256()
def send():
    for _ in range(1024):
        block = os.urandom(1 << 20)
        sent.update(block)
        s.sendall(block)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
got = hashlib.sha256()
n = 0
while True:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    got.update(chunk)
    n += len(chunk)
t.join()
print(n, got.hexdigest() == sent.hexdigest())"
check "1 GiB through the relay comes back byte for byte, and the end of stream with it" "0 1073741824 True" \
    "$rc $out"

# A client that resets mid-transfer: the relay lets go, the next connection works.
run "$COCOON" "${N[@]}" python3 -c "
import socket, struct
s = socket.create_connection(('echo.test', $ECHO))
s.sendall(b'x' * 100000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()
t = socket.create_connection(('echo.test', $ECHO), timeout=10)
t.sendall(b'ping'); t.shutdown(socket.SHUT_WR)
print(t.recv(10).decode())"
check "a reset mid-transfer leaves the relay working" "0 ping" "$rc $out"

# The CONNECT proxy for tools that prefer one, by the same rules.
run "$COCOON" "${N[@]}" --report-fd 3 python3 -c "
import os, socket
def tunnel(target):
    s = socket.create_connection(('127.0.0.1', 3128), timeout=10)
    s.sendall(('CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n' % (target, target)).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        chunk = s.recv(1)
        if not chunk:
            return s, 'closed'
        head += chunk
    return s, head.split(b' ')[1].decode()
s, status = tunnel('echo.test:$ECHO')
s.sendall(b'through'); s.shutdown(socket.SHUT_WR)
print(status, s.recv(100).decode(), tunnel('denied.test:$ECHO')[1], tunnel('127.0.0.1:$ECHO')[1], os.environ['HTTPS_PROXY'])" \
    3>report3
check "HTTPS_PROXY's CONNECT: 200 and a tunnel for an allowed name, 403 for the rest" \
    "0 200 through 403 403 http://127.0.0.1:3128" "$rc $out"
check "... reported as through the proxy" "connect-denied denied.test $ECHO|connect-denied 127.0.0.1 $ECHO" \
    "$(grep '"via":"proxy"' report3 >report3.via; events report3.via | paste -sd'|')"

# The cross-check: a connection made to an allowed name cannot ask the server
# for another, by TLS server name or HTTP Host; a server that speaks first is
# not kept waiting for the client's first bytes.
cat >hello.py <<'EOF'
import socket, ssl, sys
def hello(name):  # a real ClientHello naming NAME, as a TLS client sends it
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    obj = ctx.wrap_bio(ssl.MemoryBIO(), out := ssl.MemoryBIO(), server_hostname=name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()
def exchange(host, port, data, via_proxy=False):
    try:
        if via_proxy:
            s = socket.create_connection(("127.0.0.1", 3128), timeout=10)
            s.sendall(("CONNECT %s:%d HTTP/1.1\r\n\r\n" % (host, port)).encode() + data)
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(1)
            extra = head.split(b"\r\n\r\n", 1)[1]
        else:
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(data)
            extra = b""
        got = extra
        while len(got) < len(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return "echoed" if got == data else "got %d bytes" % len(got)
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode.startswith("tls="):
    print(exchange(host, port, hello(mode[4:])))
elif mode.startswith("proxy-tls="):
    print(exchange(host, port, hello(mode[10:]), via_proxy=True))
elif mode.startswith("host="):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(("GET /index.html HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % mode[5:]).encode())
    try:
        print(s.recv(100).split(b" ")[1].decode())
    except (ConnectionResetError, IndexError):
        print("reset")
elif mode == "banner":
    s = socket.create_connection((host, port), timeout=10)
    print(s.recv(100).decode().strip())
EOF
chmod 644 hello.py
run "$COCOON" "${N[@]}" --net-allow "banner.test:$BANNER" --net-resolve banner.test=127.0.0.1 --ro-bind "$work" "$work" \
    --report-fd 3 sh -c "
    for m in tls=echo.test tls=ECHO.test. tls=denied.test proxy-tls=echo.test proxy-tls=denied.test; do
        python3 $work/hello.py echo.test $ECHO \$m; done
    python3 $work/hello.py allowed.test $WEB host=allowed.test:$WEB
    python3 $work/hello.py allowed.test $WEB host=denied.test
    python3 $work/hello.py banner.test $BANNER banner" 3>report5
check "a TLS server name or Host that no rule allows is refused; the name asked for, or a server that speaks first, is not" \
    "0 echoed echoed reset echoed reset 200 reset SSH-2.0-test" "$rc $(echo $out)"
check "... each refusal reported with what was asked for" \
    "echo.test the TLS server name denied.test is not allowed|echo.test the TLS server name denied.test is not allowed|allowed.test the HTTP Host denied.test is not allowed" \
    "$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "connect-denied": print(e["name"], e["rule"])' report5 | paste -sd'|')"

# A name the host's resolver is slow to answer holds up its own connection
# only: a private network and mount namespace where the resolver's server never
# answers (unshare -rmn: nothing of the machine's changes).
cat >slow-dns.sh <<EOF
ip link set lo up
python3 -c '
import socket, socketserver, sys, threading
quiet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); quiet.bind(("127.0.0.1", 53))
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.request.recv(100))
e = socketserver.ThreadingTCPServer(("127.0.0.1", 7000), Echo)
threading.Thread(target=e.serve_forever, daemon=True).start()
print("up", flush=True)
sys.stdin.read()' <slow-dns.fifo >slow-dns.up &
exec 3>slow-dns.fifo
for _ in \$(seq 100); do [ -s slow-dns.up ] && break; sleep 0.05; done
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' >slow-dns.resolv
mount --bind slow-dns.resolv /etc/resolv.conf
"$COCOON" --profile host-ro --net-allow slow.test:7000 --net-allow echo.test:7000 --net-resolve echo.test=127.0.0.1 \
    --report-fd 4 python3 -c '
import socket, threading, time
def slow():
    try:
        socket.create_connection(("slow.test", 7000), timeout=30).recv(10)
    except OSError as e:
        print("slow:", type(e).__name__)
t = threading.Thread(target=slow); t.start()
time.sleep(0.3)
t0 = time.time()
s = socket.create_connection(("echo.test", 7000), timeout=30); s.sendall(b"hi")
print(s.recv(10).decode(), "fast" if time.time() - t0 < 1 else "stalled")
t.join()' 4>slow-dns.report
EOF
mkfifo slow-dns.fifo
run unshare -rmn bash slow-dns.sh
check "a slow DNS answer holds up its own connection, not another one; then it fails, reported" \
    "0 hi fast slow: ConnectionResetError|connect-failed slow.test 7000" \
    "$rc $(echo $out)|$(events slow-dns.report | grep -v exit)"

# DNS over TCP (for answers too large for UDP, or resolvers told to use it),
# to whatever server resolv.conf names: the same answers, two queries on one connection.
run "$COCOON" "${N[@]}" --report-fd 3 python3 -c '
import socket, struct
def query(name):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(q)) + q
server = [l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver")][0]
s = socket.create_connection((server, 53), timeout=10)
s.sendall(query("allowed.test") + query("denied.test"))
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
    if len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0] + 2:
        first = 2 + struct.unpack(">H", data[:2])[0]
        if len(data) >= first + 2 + struct.unpack(">H", data[first:first + 2])[0]:
            break
out = []
while data:
    n = struct.unpack(">H", data[:2])[0]
    m, data = data[2:2 + n], data[2 + n:]
    rcode, answers = m[3] & 15, struct.unpack(">H", m[6:8])[0]
    out.append("%d/%d%s" % (rcode, answers, " " + ".".join(map(str, m[-4:])) if answers else ""))
print(" ".join(out))' 3>report8
check_match "DNS over TCP: an A record in 198.18.0.0/15 for the allowed name, NXDOMAIN for the other" \
    '^0 0/1 198\.1[89]\.[0-9]+\.[0-9]+ 3/0$' "$rc $out"
check "... the refusal reported" "dns-denied denied.test A" "$(events report8 | grep -v exit)"

# UDP by a "/udp" rule: relayed both ways, the answer from the address the
# datagram went to; to an address no rule names, dropped and reported once.
run "$COCOON" "${N[@]}" --net-allow "udp.test:$UECHO/udp" --net-resolve udp.test=127.0.0.1 --report-fd 3 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
addr = socket.gethostbyname('udp.test')
for i in range(3):
    s.sendto(b'ping%d' % i, (addr, $UECHO))
    data, peer = s.recvfrom(100)
    print(data.decode(), peer[0] == addr and peer[1] == $UECHO)
big = bytes(range(256)) * 200
s.sendto(big, (addr, $UECHO)); print(s.recvfrom(65536)[0] == big)
for i in range(3):
    s.sendto(b'x', ('10.1.2.3', $UECHO))
s.settimeout(1)
try:
    s.recvfrom(100); print('answered')
except socket.timeout:
    print('dropped')" 3>report9
check "UDP to an allowed name:port/udp: echoed, from the address sent to; 51 KB byte-exact; elsewhere dropped" \
    "0 ping0 True ping1 True ping2 True True dropped" "$rc $(echo $out)"
check "... the refusal reported once, as UDP" "connect-denied 10.1.2.3 $UECHO udp" \
    "$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "connect-denied": print(e["event"], e.get("address"), e["port"], e.get("protocol"))' report9)"

# Plain HTTP through the same proxy (HTTP_PROXY): sent on in origin form, by the rules.
run "$COCOON" "${N[@]}" --report-fd 3 python3 -c "
import os, urllib.error, urllib.request
print(os.environ['http_proxy'])
print(urllib.request.urlopen('http://allowed.test:$WEB/index.html', timeout=10).read().decode().strip())
try:
    urllib.request.urlopen('http://denied.test:$WEB/index.html', timeout=10)
except urllib.error.HTTPError as e:
    print(e.code)" 3>report7
check "HTTP_PROXY: a plain-HTTP request to an allowed name goes on, another gets 403 from the proxy" \
    "0 http://127.0.0.1:3128 hello 403" "$rc $(echo $out)"
check "... reported as through the proxy" "connect-denied denied.test $WEB" \
    "$(grep '"via":"proxy"' report7 >report7.via; events report7.via | paste -sd'|')"

# --net-host-port: the host's loopback port, and only that one.
run "$COCOON" --profile host-ro --net-host-port "$ECHO" python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', $ECHO), timeout=10)
s.sendall(b'local'); s.shutdown(socket.SHUT_WR); print(s.recv(10).decode())
try:
    socket.create_connection(('127.0.0.1', $WEB), timeout=5); print('open')
except OSError:
    print('closed')"
check "--net-host-port reaches the host's server on that port, not another" "0 local closed" "$rc $(echo $out)"

# --net-upstream: allowed connections go through an existing CONNECT proxy
# (here one that logs each target and maps *.test to 127.0.0.1), on TCP and on
# a unix socket; refused ones never reach it.
cat >upstream.py <<'EOF'
import os, socket, sys, threading
where = sys.argv[1]
srv = socket.socket(socket.AF_UNIX if where.startswith("/") else socket.AF_INET)
srv.bind(where if where.startswith("/") else ("127.0.0.1", 0))
srv.listen(16)
def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        head += c.recv(1)
    target = head.split(b" ")[1].decode()
    open("upstream.log", "a").write(target + "\n")
    host, port = target.rsplit(":", 1)
    out = socket.create_connection(("127.0.0.1" if host.endswith(".test") else host, int(port)))
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pipe, args=(out, c), daemon=True).start()
    pipe(c, out)
open("upstream.tmp", "w").write(where if where.startswith("/") else str(srv.getsockname()[1]))
os.rename("upstream.tmp", "upstream.where")
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
for where in tcp "$work/up.sock"; do
    rm -f upstream.where upstream.log
    python3 upstream.py "$([ "$where" = tcp ] && echo 0 || echo "$where")" &
    up=$!
    for _ in $(seq 1 200); do [ -f upstream.where ] && break; sleep 0.05; done
    url=$([ "$where" = tcp ] && echo "http://127.0.0.1:$(cat upstream.where)" || echo "unix:$where")
    run "$COCOON" --profile host-ro --net-allow "allowed.test:$WEB" --net-upstream "$url" sh -c \
        "python3 -c \"\$0\" http://allowed.test:$WEB/index.html; python3 -c \"\$0\" http://denied.test:$WEB/" "$GET"
    check "--net-upstream $(echo "$url" | cut -d: -f1): the allowed name goes through the proxy, by name; the rest does not" \
        "0 hello failed allowed.test:$WEB" "$rc $(echo $out) $(cat upstream.log 2>/dev/null | xargs)"
    kill $up
done
run "$COCOON" --net-upstream ftp://x true
check "a malformed upstream is refused" "125 cocoon: --net-upstream ftp://x: not an http:// or unix: address" \
    "$rc $(echo "$err" | head -n1)"

# UDP other than DNS goes nowhere.
run "$COCOON" "${N[@]}" python3 -c "
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'leak', ('127.0.0.1', $UDP)); u.sendto(b'leak', ('echo.test', $UDP)); print('sent')"
check "UDP to another port is dropped" "0 sent absent" "$rc $out $([ -e udp-received ] && echo present || echo absent)"

# The first connection of a command never races the listeners: 200 in a row.
ok_runs=0
for _ in $(seq 1 200); do
    run "$COCOON" "${N[@]}" python3 -c "$GET" "http://allowed.test:$WEB/index.html"
    [ "$rc $out" = "0 hello" ] && ok_runs=$((ok_runs + 1))
done
check "200 sandboxes in a row: each one's first connection works" 200 "$ok_runs"

# Fails closed: no route, no sandbox.
"$PROBE" deny 41 1 0=16 >"$work/no-netlink"  # socket(AF_NETLINK, ...): EPERM
run "$PROBE" under "$work/no-netlink" "$COCOON" "${N[@]}" --report-fd 3 true 3>report2
check "without its route the sandbox does not start, and says why" \
    "125 cocoon: --net-allow: Can't route the sandbox's network to cocoon (a local route on lo, listeners on the rules' ports and on 53): Operation not permitted" \
    "$rc $(echo "$err" | head -n1)"
check "... the report's last line says so" "setup-error" \
    "$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["event"])' report2)"

# Planning: rules checked before anything runs; --dry-run shows the relay.
run "$COCOON" --net-allow 'bad host' true
check "a malformed rule is refused with the form to use" "125 cocoon: --net-allow bad host: 'bad host' is not a host name
cocoon: a rule is HOST, HOST:PORT, *.DOMAIN[:PORT], ADDRESS[/BITS][:PORT] or [IPV6[/BITS]]:PORT" "$rc $err"
run "$COCOON" --dry-run --net-allow example.com --net-allow '*.github.com:22' true
check "--dry-run shows what is relayed" \
    "network: relayed by cocoon: TCP to example.com, *.github.com:22 on ports 22 80 443, DNS answered for those names" \
    "$(echo "$out" | grep '^network:')"
kill $servers
wait $servers 2>/dev/null
done_testing
