#!/bin/bash
# Builds the board's NIC image at several sizes of the card (`ARSENIC_BOARD_*`, read when
# the card is built) up to nextpnr's packer and prints what each uses of the LFE5U-25F: a
# Markdown table for docs/BOARD.md. About 4 minutes a size (a rebuild of the tools, Yosys,
# the packer); the tools are rebuilt at the default sizes at the end.
#
#   scripts/board-sizes.sh                 # every size below
#   scripts/board-sizes.sh "VI_BITS=5"     # only the sizes given (space-separated settings)
#
# Needs the synthesis tools in target/synth-venv: run `arsenic synth` once first.
set -euo pipefail
cd "$(dirname "$0")/.."
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
printf '| card (changes from the default) | TRELLIS_COMB | flip-flops | DP16KD | fits |\n| --- | --- | --- | --- | --- |\n'
for size in "${sizes[@]}"; do
    envs=()
    for kv in $size; do envs+=("ARSENIC_BOARD_$kv"); done
    name=${size:-default}
    out=target/board-sizes/$(echo "$name" | tr ' =' '_-')
    mkdir -p "$out"
    env "${envs[@]}" cargo build --release -q -p arsenic
    set +e
    ./target/release/arsenic synth --board colorlight-5a-75b --image nic --pack-only --out "$out" > "$out/run.log" 2>&1
    rc=$?
    set -e
    cell() { awk -F'|' -v c="$1" '$2 ~ "^ *"c" *$" {gsub(/ /, "", $3); gsub(/ /, "", $5); print $3 " (" $5 ")"}' "$out/report.md"; }
    case $rc in
        0) fits=yes ;;
        1) fits=no ;;
        *) echo "board-sizes: the flow failed for '$name', see $out/run.log" >&2; exit 2 ;;
    esac
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$(cell TRELLIS_COMB)" "$(cell TRELLIS_FF)" "$(cell DP16KD)" "$fits"
done
cargo build --release -q -p arsenic
