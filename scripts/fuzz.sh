#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets, under libFuzzer) for SECONDS each, one at a
# time at the lowest CPU priority, then minimises each corpus (-merge=1, by edges
# only, to keep it small) into
# fuzz/corpus/TARGET, which `cargo test -p ecpa-fuzz` replays. A crash, hang (over 10 s
# per input) or memory blow-up (over 2 GB, or one allocation over 256 MB) is kept in
# fuzz/artifacts/TARGET and fails the script; each run's figures are added to
# fuzz/runs.tsv. Needs the nightly toolchain and `cargo install cargo-fuzz`.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds="${1:-60}"
shift || true
cd "$ROOT/fuzz"
export CARGO_TARGET_DIR="$ROOT/fuzz/target"
# No sanitizer: the project forbids unsafe code, and without ASan each target runs
# several times as many inputs on the same CPU.
build=(-s none -O)
nice -n 19 cargo +nightly fuzz build "${build[@]}"
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
mkdir -p logs
failed=()
for target in "${targets[@]}"; do
  step "fuzzing $target for ${seconds}s"
  mkdir -p "corpus/$target" "seeds/$target"
  found="$(mktemp -d)"
  log="logs/$target.log"
  status=0
  nice -n 19 cargo +nightly fuzz run "${build[@]}" "$target" "$found" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -max_len=8192 -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  merged="$(mktemp -d)"
  nice -n 19 cargo +nightly fuzz run "${build[@]}" "$target" "$merged" "corpus/$target" "$found" "seeds/$target" -- \
    -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 -max_len=8192 >>"$log" 2>&1
  rm -rf "corpus/$target" "$found"
  mv "$merged" "corpus/$target"
  files="$(find "corpus/$target" -type f | wc -l)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$seconds" "${execs:-0}" "$files" "$status" | tee -a runs.tsv
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    tail -n 40 "$log" >&2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "targets that failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
