#!/usr/bin/env bash
# Captures real traffic of real programs (ping, ping -6, an HTTP server and client) between two
# private network namespaces joined by a veth pair with MTU 1500, and writes it to the pcap
# given as the first argument (default: traces/real-veth.pcap).
#
# Offloads are off on both ends, so every frame on the capture is a whole Ethernet frame with
# real MAC addresses and complete checksums, as it would be on a wire. Needs root, iproute2,
# ethtool, tcpdump, iputils-ping, curl and python3.
set -euo pipefail
out=$(realpath -m "${1:-$(dirname "$0")/real-veth.pcap}")
for tool in ip ethtool tcpdump ping curl python3; do
    command -v "$tool" >/dev/null || { echo "capture-real: missing $tool (apt-get install iproute2 ethtool tcpdump iputils-ping curl python3)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "capture-real: needs root (network namespaces)" >&2; exit 2; }
A=arsn-cap-a B=arsn-cap-b
work=$(mktemp -d)
cleanup() {
    kill "${srv:-}" "${dump:-}" 2>/dev/null || true
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add veth-a netns "$A" type veth peer name veth-b netns "$B"
for ns in "$A:veth-a:1" "$B:veth-b:2"; do
    IFS=: read -r n dev host <<<"$ns"
    ip -n "$n" link set lo up
    ip -n "$n" link set "$dev" mtu 1500 up
    ip -n "$n" addr add "10.77.0.$host/24" dev "$dev"
    ip -n "$n" addr add "fd00:77::$host/64" dev "$dev" nodad
    ip netns exec "$n" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
done
head -c 65536 /dev/urandom > "$work/file.bin"
(cd "$work" && exec ip netns exec "$B" python3 -m http.server 8080 --bind :: >/dev/null 2>&1) &
srv=$!
# Let the links' own start-up chatter (IPv6 router solicitations, MLD reports) pass first.
sleep 2.5
ip netns exec "$A" tcpdump --immediate-mode -i veth-a -s 0 -U -w "$out" >"$work/tcpdump.log" 2>&1 &
dump=$!
sleep 1
ip netns exec "$A" ping -c 3 -i 0.002 -q 10.77.0.2 >/dev/null
ip netns exec "$A" ping -6 -c 3 -i 0.002 -q fd00:77::2 >/dev/null
ip netns exec "$A" curl -s -o /dev/null http://10.77.0.2:8080/file.bin
ip netns exec "$A" curl -s -o /dev/null "http://[fd00:77::2]:8080/file.bin"
sleep 0.5
kill -INT "$dump"; wait "$dump" 2>/dev/null || true
echo "capture-real: wrote $out ($(tcpdump -r "$out" 2>/dev/null | wc -l) frames)"
