#!/usr/bin/env bash
# Runs every test: formatting, lints, native tests (SQLite and PostgreSQL, SoftHSM2),
# the SPA's browser tests, and the end-to-end tests in headless Chromium against the
# release build of the SPA. Installs what is missing first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

step "tools"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native, all targets)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (SPA for wasm32)"
cargo clippy -p ecpa-web -p ecpa-wire -p ecpa-cert -p ecpa-cert-reader --target wasm32-unknown-unknown --locked -- -D warnings

step "SPA release build (trunk)"
trunk build --release --offline
bash scripts/bundle-size.sh dist

# Every test runner's output is also kept, to print one total at the end.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
counted() { "$@" 2>&1 | tee -a "$results"; }

step "native tests (unit, API on SQLite, agent on SoftHSM2, end to end in Chromium)"
export ECPA_E2E_DIST_DIR="$ROOT/dist"
counted cargo test --workspace --locked --no-fail-fast

# --workspace keeps the feature set of the run above, so nothing is compiled again.
step "the portal's API tests again, on PostgreSQL"
pg_url="$(start_postgres)"
case "$pg_url" in
  postgres://*) ;;
  *) echo "start_postgres printed no connection URL: $pg_url" >&2; exit 1 ;;
esac
(export ECPA_TEST_POSTGRES_URL="$pg_url"; counted cargo test --workspace --locked --test api)

step "SPA browser tests (wasm-pack, headless Chromium)"
counted wasm-pack test --headless --chrome --mode no-install

step "all tests passed"
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$results"
