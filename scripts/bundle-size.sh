#!/usr/bin/env bash
# Prints the size of the release bundle, raw and gzip -9: first what the login page
# downloads (the wasm, js and css that index.html names, and the scripts they
# import), then the files loaded later: the SPA's full module (with the first screen
# after the login page) and the certificate reader's worker (on the first card read).
set -euo pipefail
dist="${1:-dist}"
page="$dist/index.html"
[ -f "$page" ] || { echo "bundle: $page not found: build the SPA first" >&2; exit 1; }

# File names index.html refers to (href="/name" or src="/name", and the loader's imports).
named=$(grep -oE "/[A-Za-z0-9_.-]+\.(wasm|js|css)" "$page" | sed 's|^/||' | sort -u)
# wasm-bindgen snippets those scripts import (snippets/<crate>-<hash>/inline0.js).
imported=""
for f in $named; do
  case "$f" in
    *.js) [ -f "$dist/$f" ] && imported+=$(grep -oE "snippets/[A-Za-z0-9_./-]+\.js" "$dist/$f" || true)$'\n' ;;
  esac
done
named=$(printf '%s\n%s\n' "$named" "$imported" | sed '/^$/d' | sort -u)

size_of() {
  local label="$1"
  shift
  local raw_total=0 gz_total=0 f raw gz
  for f in "$@"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    raw_total=$((raw_total + raw))
    gz_total=$((gz_total + gz))
    printf 'bundle: %-40s %8d bytes, %7d gzip\n' "${f#"$dist"/}" "$raw" "$gz"
  done
  printf 'bundle: %-40s %8d bytes, %7d gzip\n' "$label" "$raw_total" "$gz_total"
}

login=()
full=()
reader=()
other=()
while IFS= read -r f; do
  name="${f#"$dist"/}"
  if grep -qxF "$name" <<<"$named"; then
    login+=("$f")
  else
    case "$(basename "$f")" in
      ecpa-web-full*) full+=("$f") ;;
      ecpa-cert-reader*) reader+=("$f") ;;
      *) other+=("$f") ;;
    esac
  fi
done < <(find "$dist" -path '*/.*' -prune -o -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print | sort)
[ "${#login[@]}" -gt 0 ] || { echo "bundle: index.html names no wasm, js or css in $dist" >&2; exit 1; }
size_of "login page (wasm+js+css)" "${login[@]}"
if [ "${#full[@]}" -gt 0 ]; then
  size_of "full module (first screen after login)" "${full[@]}"
fi
if [ "${#reader[@]}" -gt 0 ]; then
  size_of "loaded on the first card read" "${reader[@]}"
fi
if [ "${#other[@]}" -gt 0 ]; then
  size_of "loaded later" "${other[@]}"
fi
