#!/usr/bin/env bash
# Captures real traffic of real programs on the loopback interface of a private network
# namespace (MTU 1500): ping and ping -6, an HTTP server (Python's http.server) and client
# (curl) over IPv4 and IPv6, and DNS (a small responder written here, queried by dig over UDP
# and TCP). Loopback frames carry all-zero MAC addresses and unfinished TCP/UDP checksums
# (the kernel offloads them), so the capture is then passed through `arsenic trace fix`,
# which gives every host a MAC address made from its IP address and recomputes every
# checksum. Writes the fixed capture to the first argument (default:
# traces/real-loopback.pcap); the raw capture is kept beside it as *.raw.pcap.
#
# Needs root, iproute2, tcpdump, iputils-ping, curl, dig (dnsutils), python3, and a built
# `arsenic` (target/release/arsenic, or ARSENIC=path).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/real-loopback.pcap}")
raw="${out%.pcap*}.raw.pcap"
arsenic=${ARSENIC:-$here/../target/release/arsenic}
for tool in ip tcpdump ping curl dig python3; do
    command -v "$tool" >/dev/null || {
        echo "capture-loopback: missing $tool (apt-get install iproute2 tcpdump iputils-ping curl dnsutils python3)" >&2
        exit 2
    }
done
[ -x "$arsenic" ] || { echo "capture-loopback: $arsenic not built (cargo build --release -p arsenic)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "capture-loopback: needs root (network namespaces)" >&2; exit 2; }
NS=arsn-loop-$$
work=$(mktemp -d)
cleanup() {
    kill "${srv:-}" "${dns:-}" "${dump:-}" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo mtu 1500 up
in_ns() { ip netns exec "$NS" "$@"; }

# A DNS responder: answers A and AAAA queries for *.arsenic.test over UDP and TCP.
cat >"$work/dns.py" <<'PY'
import socket, struct, threading
ZONE = {1: bytes([10, 99, 0, 7]), 28: bytes(15) + b"\x07"}
def answer(q):
    ident, flags, qd = struct.unpack("!HHH", q[:6])
    i = 12
    while q[i]:
        i += q[i] + 1
    qtype, _ = struct.unpack("!HH", q[i + 1:i + 5])
    question = q[12:i + 5]
    rdata = ZONE.get(qtype)
    an = b"" if rdata is None else b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1 if an else 0, 0, 0) + question + an
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    while True:
        q, peer = s.recvfrom(512)
        s.sendto(answer(q), peer)
def tcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 53))
    s.listen(4)
    while True:
        c, _ = s.accept()
        n = struct.unpack("!H", c.recv(2))[0]
        r = answer(c.recv(n))
        c.sendall(struct.pack("!H", len(r)) + r)
        c.close()
threading.Thread(target=udp, daemon=True).start()
tcp()
PY
head -c 65536 /dev/urandom >"$work/file.bin"
(cd "$work" && exec ip netns exec "$NS" python3 -m http.server 8080 --bind :: >/dev/null 2>&1) &
srv=$!
ip netns exec "$NS" python3 "$work/dns.py" &
dns=$!
sleep 1.5
ip netns exec "$NS" tcpdump --immediate-mode -i lo -s 0 -U -w "$raw" >"$work/tcpdump.log" 2>&1 &
dump=$!
sleep 1
in_ns ping -c 3 -i 0.002 -q 127.0.0.1 >/dev/null
in_ns ping -6 -c 3 -i 0.002 -q ::1 >/dev/null
in_ns dig +short +tries=1 +time=2 @127.0.0.1 www.arsenic.test A >/dev/null
in_ns dig +short +tries=1 +time=2 @127.0.0.1 www.arsenic.test AAAA >/dev/null
in_ns dig +short +tcp +tries=1 +time=2 @127.0.0.1 mail.arsenic.test A >/dev/null
in_ns curl -s -o /dev/null http://127.0.0.1:8080/file.bin
in_ns curl -s -o /dev/null "http://[::1]:8080/file.bin"
sleep 0.5
kill -INT "$dump"
wait "$dump" 2>/dev/null || true
"$arsenic" trace fix "$raw" "$out"
echo "capture-loopback: wrote $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) frames; raw capture $raw)"
