#!/usr/bin/env bash
# Reproduces the README's table of measured figures (release build). Wall-clock figures are
# medians of five runs; cycle counts are deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
ARSENIC_NEED_VALGRIND=1 source scripts/setup.sh
cargo build --release --locked -q -p arsenic
a=./target/release/arsenic
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

$a trace generate --fixed-size 60 --frames 100000 --out "$tmp/min.pcapng" >/dev/null
$a trace generate --fixed-size 1514 --frames 20000 --out "$tmp/max.pcapng" >/dev/null
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
run() { # name, args...
    local name=$1; shift
    local rates=() fps=() line
    for i in 1 2 3 4 5; do
        out=$($a sim -q --out "$tmp/out" "$@")
        rates+=("$(sed -n 's/^wall time .*: \([0-9.]*\) M cycles\/s.*/\1/p' <<<"$out")")
        fps+=("$(sed -n 's/^wall time .*, \([0-9]*\) frames\/s/\1/p' <<<"$out")")
    done
    line=$(grep '^latency' <<<"$out" | sed 's/latency *last octet on the wire to event, cycles: //')
    printf '%-34s %8s M cycles/s %9s frames/s  latency %s\n' "$name" \
        "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${fps[@]}" | median)" "$line"
}
run "default trace, 1G, capture timing"
run "64 B frames, 10G line rate" "$tmp/min.pcapng" --speed 10g --line-rate
run "1514 B frames, 10G line rate" "$tmp/max.pcapng" --speed 10g --line-rate
run "64 B frames, 1G line rate" "$tmp/min.pcapng" --speed 1g --line-rate
$a verilog --out "$tmp/v" >/dev/null
yosys -q -p "read_verilog $tmp/v/nic_small.v; synth_ecp5 -top top; tee -q -o $tmp/stat.txt stat"
echo "ECP5 cells (yosys synth_ecp5, whole card with the small classifier):"
grep -E '^ +(LUT4|TRELLIS_FF|CCU2C|DP16KD|TRELLIS_DPR16X4|PFUMX|L6MUX21) ' "$tmp/stat.txt"

# The user library's receive path, instructions per frame (valgrind counts repeatably).
cargo build --release --locked -q -p arsenic-host --example rx_cost
for b in 1 8 32; do
    ir=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$b" --toggle-collect='*UserVi*poll*' \
        ./target/release/examples/rx_cost "$b" 20000 2>&1 | sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,)
    echo "user library receive, batch $b: $((ir / 20000)) instructions per frame"
done
# Its transmit path: `transmit` (copy, descriptor, doorbell) and the `poll` that reclaims.
cargo build --release --locked -q -p arsenic-host --example tx_cost
for b in 1 8 32; do
    out=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cgtx.$b" --toggle-collect='*tx_cost::measured_*' \
        ./target/release/examples/tx_cost "$b" 20000 2>&1)
    ir=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' <<<"$out" | tr -d ,)
    db=$(sed -n 's/^batch .*, \([0-9.]*\) doorbell writes per frame.*/\1/p' <<<"$out")
    echo "user library transmit, batch $b: $((ir / 20000)) instructions per frame, $db doorbell writes per frame"
done
# The per-VI state of the small card (16 VIs) and of a 64-VI card.
cargo run --release --locked -q -p arsenic-hdl --example dump_verilog -- "$tmp/v" >/dev/null
for d in vi_engine_16 desc_fetch_16 vi_engine_64 desc_fetch_64; do
    yosys -q -p "read_verilog $tmp/v/$d.v; synth_ecp5 -top top; tee -q -o $tmp/$d.txt stat"
    echo "ECP5 cells, $d: $(grep -E '^ +(LUT4|TRELLIS_FF|CCU2C|DP16KD|TRELLIS_DPR16X4) ' "$tmp/$d.txt" | tr -s ' ' | tr '\n' ' ')"
done
cargo run --release --locked -q -p arsenic-testbenches --example tickspeed
