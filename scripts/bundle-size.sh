#!/usr/bin/env bash
# Prints the size of the release bundle, raw and gzip -9: first what the login page
# downloads (the wasm, js and css that index.html names), then the files loaded later
# (the certificate reader's worker, on the first card read).
set -euo pipefail
dist="${1:-dist}"
page="$dist/index.html"
[ -f "$page" ] || { echo "bundle: $page not found: build the SPA first" >&2; exit 1; }

# File names index.html refers to (href="/name" or src="/name", and the loader's imports).
named=$(grep -oE "/[A-Za-z0-9_.-]+\.(wasm|js|css)" "$page" | sed 's|^/||' | sort -u)

size_of() {
  local label="$1"
  shift
  local raw_total=0 gz_total=0 f raw gz
  for f in "$@"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    raw_total=$((raw_total + raw))
    gz_total=$((gz_total + gz))
    printf 'bundle: %-40s %8d bytes, %7d gzip\n' "$(basename "$f")" "$raw" "$gz"
  done
  printf 'bundle: %-40s %8d bytes, %7d gzip\n' "$label" "$raw_total" "$gz_total"
}

login=()
later=()
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [ -f "$f" ] || continue
  if grep -qxF "$(basename "$f")" <<<"$named"; then
    login+=("$f")
  else
    later+=("$f")
  fi
done
[ "${#login[@]}" -gt 0 ] || { echo "bundle: index.html names no wasm, js or css in $dist" >&2; exit 1; }
size_of "login page (wasm+js+css)" "${login[@]}"
if [ "${#later[@]}" -gt 0 ]; then
  size_of "loaded on the first card read" "${later[@]}"
fi
