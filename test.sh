#!/usr/bin/env bash
# The whole test suite: unit, block, co-simulation and replay tests, Verilog lint and
# ECP5 synthesis, in release mode (the card's model is always built optimised).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
cargo test --release --locked --workspace "$@"
