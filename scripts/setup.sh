#!/usr/bin/env bash
# Installs what the demo and the tests need, only where it is missing.
# Idempotent: a second run finds everything at its pinned version and does nothing.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
AXE_CORE_VERSION=4.14.1
TOOLS_DIR="${ECPA_TOOLS_DIR:-$HOME/.local/share/ecpa-tools}"

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_packages=(chromium chromium-driver softhsm2 opensc postgresql fonts-noto-cjk libssl-dev pkg-config)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# version_of TOOL prints the version a tool reports, or nothing.
version_of() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | head -n1 || true; }

if ! version_of trunk | grep -q " ${TRUNK_VERSION}\$"; then
  log "compiling trunk ${TRUNK_VERSION} (about 12 minutes, once)"
  cargo install -q --locked trunk --version "${TRUNK_VERSION}"
fi
if ! version_of wasm-pack | grep -q " ${WASM_PACK_VERSION}\$"; then
  log "compiling wasm-pack ${WASM_PACK_VERSION} (once)"
  cargo install -q --locked wasm-pack --version "${WASM_PACK_VERSION}"
fi
if ! version_of wasm-bindgen | grep -q " ${WASM_BINDGEN_VERSION}\$"; then
  log "compiling wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (once)"
  # Without --locked: its own lock file pins a crate version the registry lacks.
  cargo install -q wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi
if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "installing wasm-opt (npm binaryen ${BINARYEN_VERSION})"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --prefix "$TOOLS_DIR" "binaryen@${BINARYEN_VERSION}" >/dev/null
fi
# axe-core: the end-to-end tests inject it into every screen (accessibility check).
if ! grep -q "\"version\": \"${AXE_CORE_VERSION}\"" "$TOOLS_DIR/node_modules/axe-core/package.json" 2>/dev/null; then
  log "installing axe-core ${AXE_CORE_VERSION} (npm)"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --prefix "$TOOLS_DIR" "axe-core@${AXE_CORE_VERSION}" >/dev/null
fi
log "tools ready"
