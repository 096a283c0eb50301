#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each one on its seed corpus.
#   tests/fuzz/smoke.sh [BUILD_DIR] [SECONDS]      defaults: build-fuzz, 20 s per target
# Environment: FUZZ_PARALLEL=N runs N targets at once (default: the number of cores).
# Each target's log, the inputs it found (corpus/) and any crashing input (artifacts/) go to
# BUILD_DIR/fuzz-runs/<target>/; BUILD_DIR/fuzz-runs/summary.tsv has one line per target:
# target, seconds, executions, corpus size, exit code. Exits non-zero when any target found a
# crash, a sanitizer report, a leak, a timeout or an out-of-memory (an allocation above 2 GB).
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir=${1:-build-fuzz}
seconds=${2:-20}
parallel=${FUZZ_PARALLEL:-$(nproc)}
targets=(fuzz_config fuzz_idx fuzz_cifar fuzz_csv)

if ! command -v clang++ >/dev/null; then
  echo "fuzz smoke: clang++ not found (Debian: clang, libclang-rt-14-dev)" >&2
  exit 1
fi
# -O1 without -DNDEBUG: assertions (Eigen's too) stay on, so a misuse is a finding. -g1 (line tables)
# is all a finding's stack trace needs (file, line, inlined frames) and compiles faster than full -g.
cmake -S . -B "$build_dir" -DLOSSLAB_FUZZ=ON -DLOSSLAB_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target losslab_fuzz_targets

runs="$build_dir/fuzz-runs"
mkdir -p "$runs"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1

run_target() {
  local target=$1 dir="$runs/$1"
  # A run that dies before writing its summary must fail the smoke run, not pass on the last one's.
  rm -f "$dir/summary.tsv"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  local extra=()
  [[ $target == fuzz_config ]] && extra+=(-dict=tests/fuzz/config.dict)
  local code=0
  # The first directory collects new inputs (kept across runs in BUILD_DIR); the seeds are read only.
  "$build_dir/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${extra[@]}" \
    "$dir/corpus" "tests/fuzz/corpus/$target" >"$dir/log.txt" 2>&1 || code=$?
  local executions corpus
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt" | tail -1)
  corpus=$(find "$dir/corpus" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$seconds" "${executions:-0}" "$corpus" "$code" >"$dir/summary.tsv"
  echo "fuzz smoke: $target: ${executions:-0} executions in ${seconds}s, corpus $corpus, exit $code"
}

pids=()
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_target "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

printf 'target\tseconds\texecutions\tcorpus\texit\n' >"$runs/summary.tsv"
status=0
for target in "${targets[@]}"; do
  cat "$runs/$target/summary.tsv" >>"$runs/summary.tsv"
  code=$(cut -f5 "$runs/$target/summary.tsv")
  if [[ $code != 0 ]]; then
    status=1
    echo "fuzz smoke: $target FAILED (exit $code); crashing input(s):" >&2
    ls "$runs/$target/artifacts" >&2 || true
    grep -E "ERROR: |SUMMARY: |runtime error|fuzz finding|uncaught exception|terminate called" \
      "$runs/$target/log.txt" | head -20 >&2 || true
  fi
done
total=$(awk -F'\t' 'NR > 1 { sum += $3 } END { print sum + 0 }' "$runs/summary.tsv")
echo "fuzz smoke: $total executions in total; summary in $runs/summary.tsv"
exit $status
