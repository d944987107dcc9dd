#!/usr/bin/env bash
# Prints the size of the release bundle: raw and gzip -9 for wasm, js and css.
set -euo pipefail
dist="${1:-dist}"
total_raw=0
total_gz=0
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf 'bundle: %-40s %8d bytes, %7d gzip\n' "$(basename "$f")" "$raw" "$gz"
done
printf 'bundle: %-40s %8d bytes, %7d gzip\n' "total (wasm+js+css)" "$total_raw" "$total_gz"
