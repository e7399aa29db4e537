#!/usr/bin/env bash
# The main job: builds the card's model and replays the embedded default trace through it
# with the device manager in the loop. Extra arguments go to `arsenic sim`.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
cargo build --release --locked -p arsenic
exec ./target/release/arsenic sim "$@"
