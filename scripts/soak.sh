#!/usr/bin/env bash
# Soak: MINUTES (default 30) of mixed traffic against the release portal on SQLite,
# its RSS and open files sampled from /proc every 10 s (target/soak-samples.tsv).
# Prints the figures as one JSON line. Runs at low CPU priority: it measures memory
# and file handles over time, not speed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
cargo build --release --locked -p ecpa-portal
nice -n 10 python3 scripts/reliability.py soak "$CARGO_TARGET_DIR/release/ecpa-portal" "${1:-30}"
