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
cargo clippy -p ecpa-web -p ecpa-wire -p ecpa-cert --target wasm32-unknown-unknown --locked -- -D warnings

step "SPA release build (trunk)"
trunk build --release --offline
bash scripts/bundle-size.sh dist

step "PostgreSQL"
ECPA_TEST_POSTGRES_URL="$(start_postgres)"
export ECPA_TEST_POSTGRES_URL

step "native tests (unit, API on SQLite and PostgreSQL, agent on SoftHSM2, end to end in Chromium)"
export ECPA_E2E_DIST_DIR="$ROOT/dist"
cargo test --workspace --locked --no-fail-fast

step "SPA browser tests (wasm-pack, headless Chromium)"
wasm-pack test --headless --chrome --mode no-install

step "all tests passed"
