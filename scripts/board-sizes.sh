#!/bin/bash
# Builds the board's NIC image at several sizes of the card (`ARSENIC_BOARD_*`, read when
# the card is built) and prints what each uses of the LFE5U-25F: a Markdown table for
# docs/BOARD.md. By default each size stops after nextpnr's packer (about 4 minutes a size:
# a rebuild of the tools, Yosys, the packer); with `--place SEED` each size is placed and
# routed with that seed and the table adds each clock's frequency and the build's time
# (about 12 minutes a size). The tools are rebuilt at the default sizes at the end.
#
#   scripts/board-sizes.sh                          # every size below, packed only
#   scripts/board-sizes.sh "VI_BITS=5"              # only the sizes given (space-separated settings)
#   scripts/board-sizes.sh --place 3 "" "VI_BITS=3" # placed and routed with seed 3
#
# Needs the synthesis tools in target/synth-venv: run `arsenic synth` once first.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=""
if [ "${1:-}" = "--place" ]; then
    seed=${2:?"--place needs a seed"}
    shift 2
fi
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(
        ""
        "VI_BITS=3"
        "VI_BITS=5"
        "VI_BITS=6"
        "BUFTBL_BITS=12"
        "LITERALS=16 TERMS=8"
        "LITERALS=32 TERMS=32"
        "FLOW_BITS=6"
    )
fi
if [ -z "$seed" ]; then
    printf '| card (changes from the default) | TRELLIS_COMB | flip-flops | DP16KD | fits |\n| --- | --- | --- | --- | --- |\n'
else
    printf '| card (changes from the default) | TRELLIS_COMB | flip-flops | DP16KD | card clock | PHY 0 / PHY 1 receive | result | whole build |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n'
fi
for size in "${sizes[@]}"; do
    envs=()
    for kv in $size; do envs+=("ARSENIC_BOARD_$kv"); done
    name=${size:-default}
    out=target/board-sizes/$(echo "$name" | tr ' =' '_-')${seed:+-seed$seed}
    mkdir -p "$out"
    env "${envs[@]}" cargo build --release -q -p arsenic
    args=(synth --board colorlight-5a-75b --image nic --out "$out")
    if [ -z "$seed" ]; then args+=(--pack-only); else args+=(--seed "$seed"); fi
    set +e
    ./target/release/arsenic "${args[@]}" > "$out/run.log" 2>&1
    rc=$?
    set -e
    # report.md's rows whose first column holds $1: the use (and share), a clock, a time.
    cell() { awk -F'|' -v c="$1" 'index($2, c) {gsub(/ /, "", $3); gsub(/ /, "", $5); print $3 " (" $5 ")"}' "$out/report.md"; }
    clock() { awk -F'|' -v c="$1" 'index($2, c) {gsub(/^ +| +$/, "", $3); print $3}' "$out/report.md"; }
    step() { awk -F'|' -v c="$1" 'index($2, c) {gsub(/ /, "", $3); printf "%d min %d s", $3 / 60, $3 % 60}' "$out/report.md"; }
    case $rc in
        0) fits=yes; result=pass ;;
        1) if grep -q "does not fit" "$out/report.md" 2>/dev/null; then fits=no; result="does not fit"; else fits=yes; result="timing not met"; fi ;;
        *) echo "board-sizes: the flow failed for '$name', see $out/run.log" >&2; exit 2 ;;
    esac
    if [ -z "$seed" ]; then
        printf '| %s | %s | %s | %s | %s |\n' "$name" "$(cell TRELLIS_COMB)" "$(cell TRELLIS_FF)" "$(cell DP16KD)" "$fits"
    else
        printf '| %s | %s | %s | %s | %s | %s / %s | %s | %s |\n' "$name" "$(cell TRELLIS_COMB)" "$(cell flip-flops)" "$(cell DP16KD)" \
            "$(clock act.clock)" "$(clock rgmii0_rxc)" "$(clock rgmii1_rxc)" "$result" "$(step 'whole build')"
    fi
done
cargo build --release -q -p arsenic
