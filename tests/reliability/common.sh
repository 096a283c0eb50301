# shellcheck shell=bash
# Sourced by the reliability scripts: paths, a small Fashion-MNIST sweep config, helpers.
# Every script takes the build directory as its first argument (default: build/).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=$(cd "${1:-$repo/build}" 2>/dev/null && pwd) || {
  echo "$(basename "$0"): build directory ${1:-$repo/build} not found (build first: cmake --build build)" >&2
  exit 2
}
run_bin="$build_dir/bin/losslab-run"
report_bin="$build_dir/bin/losslab-report"
# shellcheck disable=SC2034  # used by the scripts that source this file
dbcheck="$repo/tests/reliability/dbcheck.py"
fashion_mnist=${LOSSLAB_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
for needed in "$run_bin" "$report_bin"; do
  [[ -x $needed ]] || { echo "$(basename "$0"): $needed missing (build first)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "$(basename "$0"): python3 is required" >&2; exit 2; }
[[ -d $fashion_mnist ]] || { echo "$(basename "$0"): no Fashion-MNIST at $fashion_mnist" >&2; exit 2; }

# A scratch directory removed on exit (kept with RELIABILITY_KEEP=1 for a post-mortem).
work=$(mktemp -d "${TMPDIR:-/tmp}/losslab-reliability-XXXXXX")
cleanup_hooks=()
cleanup() {
  local hook
  for hook in "${cleanup_hooks[@]}"; do eval "$hook" || true; done
  if [[ ${RELIABILITY_KEEP:-0} == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

log() { echo "$(basename "$0" .sh): $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

# write_config FILE NAME LIMIT EPOCHS SEEDS: softmax/SVM x 4 learning rates x 4 strengths x SEEDS
# seeds, every trial safely convergent (no divergence), so the end state is "all completed".
write_config() {
  local file=$1 name=$2 limit=$3 epochs=$4 seeds=$5
  cat >"$file" <<YAML
name: $name
dataset:
  kind: fashion-mnist
  path: $fashion_mnist
  validation: 500
  limit: $limit
  preprocess: [standardize, bias]
loss: {kind: softmax}
regularization: {kind: l2, strength: 1.0e-4}
optimizer: {kind: sgd, learning_rate: 1.0e-2, batch_size: 100}
training: {epochs: $epochs, seed: 0, eval_train_limit: 1000}
sweep:
  grid:
    loss.kind: [svm, softmax]
    optimizer.learning_rate: [1.0e-3, 3.0e-3, 1.0e-2, 3.0e-2]
    regularization.strength: [1.0e-5, 1.0e-4, 1.0e-3, 1.0e-2]
  seeds: [$(seq -s ', ' 0 $((seeds - 1)))]
YAML
}

# trial_count CONFIG: the number of trials the sweep expands to (from --dry-run).
trial_count() { "$run_bin" "$1" --dry-run | tail -1 | awk '{print $1}'; }

# sql DB QUERY: one value, read-only.
sql() { python3 -c 'import sqlite3,sys; d=sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30); r=d.execute(sys.argv[2]).fetchone(); print("" if r is None or r[0] is None else r[0])' "$1" "$2"; }

# wait_for_running DB TIMEOUT_S: until some trial is 'running'; returns 1 on timeout.
wait_for_running() {
  local db=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if [[ -f $db ]] && [[ $(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'running'" 2>/dev/null || echo 0) -ge 1 ]]; then
      return 0
    fi
    sleep 0.02
  done
  return 1
}

# figures KEY=VALUE...: appends "SCRIPT KEY=VALUE..." to $RELIABILITY_FIGURES when set (figures.sh).
figures() {
  if [[ -n ${RELIABILITY_FIGURES:-} ]]; then echo "$(basename "$0" .sh) $*" >>"$RELIABILITY_FIGURES"; fi
}

# random_ms LOW HIGH: uniform integer in [LOW, HIGH] from bash's seeded $RANDOM.
random_ms() { echo $(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1))); }
