#!/usr/bin/env bash
# Runs the whole system for a demo: builds the SPA, makes the demo PKI and SoftHSM2
# cards, imports the demo personnel data, and starts the card agent and the portal.
# Ctrl-C stops both. Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

PORT="${ECPA_DEMO_PORT:-8080}"
AGENT_PORT="${ECPA_DEMO_AGENT_PORT:-61161}"
DEMO_DIR="${ECPA_DEMO_DIR:-$ROOT/.demo}"
ORIGIN="http://localhost:$PORT"

step "tools"
bash scripts/setup.sh

step "building the SPA (release) and the programs"
trunk build --release --offline
cargo build --locked --release -p ecpa-portal -p ecpa-agent -p ecpa-devcard
bin="$CARGO_TARGET_DIR/release"

step "demo PKI, cards and personnel data in $DEMO_DIR"
mkdir -p "$DEMO_DIR"
export SOFTHSM2_CONF="$DEMO_DIR/softhsm2.conf"
"$bin/ecpa-devcard" demo --dir "$DEMO_DIR" >/dev/null
[ -f "$DEMO_DIR/trusted-sites.txt" ] || echo "$ORIGIN" > "$DEMO_DIR/trusted-sites.txt"

# The portal's database starts afresh each run, so the demo's cases hold on any day
# (the record "filed today" is filed again today); cards and the PKI are kept.
rm -f "$DEMO_DIR/portal.db" "$DEMO_DIR/portal.db-wal" "$DEMO_DIR/portal.db-shm"
export ECPA_DATABASE_URL="sqlite://$DEMO_DIR/portal.db?mode=rwc"
for kind in agencies personnel accounts; do
  "$bin/ecpa-portal" import "$kind" "$DEMO_DIR/$kind.csv"
done

module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || module=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  printf '\nstopped.\n' >&2
}
trap stop_all INT TERM EXIT

step "starting the card agent on 127.0.0.1:$AGENT_PORT and the portal on $ORIGIN"
"$bin/ecpa-agent" serve --module "$module" --listen "127.0.0.1:$AGENT_PORT" \
  --trusted-sites "$DEMO_DIR/trusted-sites.txt" &
pids+=("$!")
ECPA_LISTEN="127.0.0.1:$PORT" \
ECPA_PUBLIC_ORIGIN="$ORIGIN" \
ECPA_AGENT_ORIGIN="http://127.0.0.1:$AGENT_PORT" \
ECPA_TRUST_ANCHORS="$DEMO_DIR/pki/trust-anchors.pem" \
ECPA_CRLS="$DEMO_DIR/pki/crl.pem" \
ECPA_CITIZEN_CAS="$DEMO_DIR/pki/moica.pem" \
ECPA_ORGANIZATION_CAS="$DEMO_DIR/pki/gca.pem" \
ECPA_DIST_DIR="$ROOT/dist" \
  "$bin/ecpa-portal" serve &
pids+=("$!")

sleep 1
cat "$DEMO_DIR/README.txt" 2>/dev/null || true
printf '\nOpen %s/ in a browser. Press Ctrl-C to stop.\n' "$ORIGIN"
wait -n "${pids[@]}" || true
