#!/usr/bin/env bash
# The long fault runs of docs/RELIABILITY.md, on loopback, each bounded in time:
# kill -9 x10 under load, a private PostgreSQL stopped under load, the SQLite file's
# disk full (a 4 MB tmpfs), 100 concurrent card requests to the agent, and slowloris
# plus 10,000 idle connections against the portal and the agent. Needs root (mount,
# su postgres), SoftHSM2 and PostgreSQL's server binaries. Figures go to
# target/faults.jsonl, one JSON line per case.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
cargo build --release --locked -p ecpa-portal -p ecpa-agent -p ecpa-devcard
bin="$CARGO_TARGET_DIR/release"
out="$CARGO_TARGET_DIR/faults.jsonl"
: >"$out"

step "kill -9 x10 of the portal under registrations and logins (SQLite)"
ECPA_FAULT_KILLS=10 cargo test --locked -p ecpa-portal --test api kills_under_load -- --nocapture

for case in pg-restart disk-full portal-connections; do
  step "$case"
  python3 scripts/reliability.py "$case" "$bin/ecpa-portal" | tee -a "$out"
done

step "agent: 100 concurrent requests, then slowloris and idle connections"
python3 scripts/reliability.py agent-burst "$bin/ecpa-agent" "$bin/ecpa-devcard" | tee -a "$out"

step "cases that held"
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; [print(x["case"], "held" if x.get("held") else "FAILED") for x in r]; sys.exit(0 if all(x.get("held") for x in r) else 1)' "$out"
