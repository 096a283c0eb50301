#!/usr/bin/env bash
# Scaling of losslab-run: time against N (training examples), D (features), number of trials and
# --jobs. Prints a Markdown table (README.md holds one run of it and its analysis).
# Usage (from anywhere): experiments/scaling/scaling.sh [--quick] [--repeats R]
#   --quick: 2 epochs instead of 10 (a smoke test; the table's times are then 5x smaller).
#   --repeats R: run every row R times (default 3) and show the run with the median training time:
#             on a shared VM a single run is sometimes 10-50 % slow.
# Every run: softmax, SGD batch 200 with replacement, 10 epochs, a fresh temporary database.
#   N series: Fashion-MNIST, first N of the 60000 training images (dataset.limit), no validation
#             split (validation 0) so N reaches 60000; 16 trials, --jobs 2.
#   D series: Gaussian blobs (synthetic, generator 2: a random stream per row, generated on every
#             core), 10 classes x 7000, 10000 test + 10000 validation held out (50000 train,
#             Fashion-MNIST's shape), dimension 784 and 3072 (+ bias: 785, 3073); 16 trials, --jobs 2.
#   trials x jobs: Fashion-MNIST 50000/10000/10000, T trials (a learning-rate grid; trials with the
#             same seed train fused in groups of up to 8), --jobs 1 and 2.
# Columns: process = whole-process wall time; load = reading/generating + preprocessing the data
# (losslab-run's log); train = first trial start to last trial end (trials table); us/step/trial =
# train / (steps x trials) x jobs (CPU-microseconds per trial-step); GFLOP/s = 4 B D C flops
# per step per trial / train; RSS = peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=build/bin/losslab-run
CONFIG=experiments/scaling/scaling.yaml
[[ -x $RUN ]] || { echo "build losslab first: $RUN is missing" >&2; exit 1; }
EPOCHS=10
REPEATS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) EPOCHS=2 ;;
    --repeats) REPEATS=${2:?--repeats needs a number}; shift ;;
    *) echo "unknown option: $1 (expected --quick or --repeats R)" >&2; exit 2 ;;
  esac
  shift
done
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "--repeats must be a positive whole number, got '$REPEATS'" >&2; exit 2; }
ARGS=" --repeats $REPEATS"
if [[ $EPOCHS == 2 ]]; then ARGS=" --quick$ARGS"; fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# T learning rates log-spaced in [1e-3, 1e-1], as a YAML list.
learning_rates() {
  awk -v t="$1" 'BEGIN { printf "["; for (i = 0; i < t; i++) { lr = (t == 1) ? 0.01 : 10^(-3 + 2 * i / (t - 1)); printf "%s%.6g", (i ? "," : ""), lr } printf "]" }'
}

echo "# losslab scaling, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); epochs: $EPOCHS; each row: the median-training-time run of $REPEATS; command: experiments/scaling/scaling.sh$ARGS"
echo
printf '| %-9s | %-14s | %6s | %5s | %6s | %4s | %9s | %7s | %8s | %13s | %7s | %7s |\n' \
  series dataset N D trials jobs "process s" "load s" "train s" "us/step/trial" GFLOP/s "RSS MiB"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"

# run_once TRIALS JOBS [--set ...]: one run; prints "span wall rss load n d"
run_once() {
  local trials=$1 jobs=$2; shift 2
  local db=$TMP/run-$RANDOM$RANDOM.db
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$RUN" "$CONFIG" --db "$db" --jobs "$jobs" --no-progress \
    --log-level info --set "training.epochs=$EPOCHS" \
    --set "sweep.grid.optimizer.learning_rate=$(learning_rates "$trials")" "$@" >/dev/null 2>"$TMP/log"
  local wall rss load n d span done_count
  read -r wall rss <"$TMP/time"
  load=$(sed -n 's/.*loaded .* in \([0-9.]*\)s.*/\1/p' "$TMP/log")
  n=$(sed -n 's/.*loaded [^:]*: \([0-9]*\) train.*/\1/p' "$TMP/log")
  d=$(sed -n 's/.*, \([0-9]*\) features.*/\1/p' "$TMP/log")
  span=$(sqlite3 "$db" "SELECT (julianday(max(finished_at)) - julianday(min(started_at))) * 86400 FROM trials WHERE status = 'completed'")
  done_count=$(sqlite3 "$db" "SELECT count(*) FROM trials WHERE status = 'completed'")
  [[ $done_count == "$trials" ]] || echo "warning: $done_count of $trials trials completed" >&2
  echo "$span $wall $rss $load $n $d"
}

# measure SERIES DATASET_LABEL TRIALS JOBS [--set ...]: one table row, the median of REPEATS runs
measure() {
  local series=$1 label=$2 trials=$3 jobs=$4; shift 4
  local r span wall rss load n d
  for ((r = 0; r < REPEATS; r++)); do run_once "$trials" "$jobs" "$@"; done | sort -g >"$TMP/runs"
  read -r span wall rss load n d < <(sed -n "$(((REPEATS + 1) / 2))p" "$TMP/runs")
  # Every job's core is in use: fewer groups (of up to 8 trials) than jobs share their steps.
  awk -v s="$series" -v l="$label" -v n="$n" -v d="$d" -v t="$trials" -v j="$jobs" -v w="$wall" \
      -v ld="$load" -v sp="$span" -v rss="$rss" -v e="$EPOCHS" 'BEGIN {
    steps = e * int(n / 200); used = j
    printf "| %-9s | %-14s | %6d | %5d | %6d | %4d | %9.2f | %7.2f | %8.2f | %13.1f | %7.1f | %7.0f |\n",
      s, l, n, d, t, j, w, ld, sp, sp * used / (steps * t) * 1e6, 4 * 200 * d * 10 * steps * t / sp / 1e9, rss / 1024
  }'
}

FASHION_ALL=(--set dataset.validation=0)
for n in 10000 20000 30000 40000 50000 60000; do
  measure N fashion-mnist 16 2 "${FASHION_ALL[@]}" --set "dataset.limit=$n"
done
BLOBS=(--set dataset.kind=synthetic --set dataset.synthetic.shape=blobs --set dataset.synthetic.generator=2
       --set dataset.synthetic.classes=10 --set dataset.synthetic.per_class=7000 --set dataset.test=10000 --set dataset.validation=10000)
for dim in 784 3072; do
  measure D "blobs-$dim" 16 2 "${BLOBS[@]}" --set "dataset.synthetic.dimension=$dim"
done
for jobs in 1 2; do
  for trials in 1 2 4 8 9 16 24 32 64; do
    measure trials fashion-mnist "$trials" "$jobs"
  done
done
echo
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
