#!/usr/bin/env bash
# Hybrid MPI on one machine: the same sweep as one process, as one worker rank on 2 threads, and as
# two single-threaded worker ranks (each beside rank 0, which only coordinates). Prints, for each
# layout, the whole command's wall time, the CPU time of all ranks (user + system: on a shared
# machine less disturbed than wall time), every rank's peak RSS and their sum, how many times the
# dataset was loaded, and a digest of everything the sweep recorded (the same digest: the same bits).
# Usage (from anywhere): experiments/cluster/benchmark.sh [--repeats R] [CONFIG]
#   CONFIG: default experiments/peers/sweep16.yaml (Fashion-MNIST, 16 trials in 2 fused groups).
#   --repeats R: every layout R times (default 3), interleaved; the table shows medians.
# Needs build/bin/losslab-run built with MPI, and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=build/bin/losslab-run
REPEATS=3
CONFIG=experiments/peers/sweep16.yaml
while [[ $# -gt 0 ]]; do
  case $1 in
    --repeats) REPEATS=${2:?--repeats needs a number}; shift ;;
    -*) echo "unknown option: $1 (expected --repeats R)" >&2; exit 2 ;;
    *) CONFIG=$1 ;;
  esac
  shift
done
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "--repeats must be a positive whole number, got '$REPEATS'" >&2; exit 2; }
[[ -x $RUN ]] || { echo "build losslab first: $RUN is missing" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "mpirun is missing (Debian: openmpi-bin)" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

# Each rank runs under /usr/bin/time, which writes its peak RSS (KiB) and CPU seconds (user,
# system) to $RSS_DIR/rank<R>.
cat >"$TMP/rank.sh" <<'EOF'
#!/bin/sh
exec /usr/bin/time -f '%M %U %S' -o "$RSS_DIR/rank${OMPI_COMM_WORLD_RANK:-0}" "$@"
EOF
chmod +x "$TMP/rank.sh"

# --bind-to none: with two ranks Open MPI binds each to one core, and the worker's two threads
# would share it. Three ranks on two cores need --oversubscribe (they are not bound then).
LAYOUTS=(process hybrid ranks)
declare -A LABEL=(
  [process]="one process, --jobs 2"
  [hybrid]="1 worker x 2 threads"
  [ranks]="2 workers x 1 thread"
)
declare -A COMMAND=(
  [process]="$TMP/rank.sh $RUN $CONFIG --jobs 2"
  [hybrid]="mpirun --bind-to none -x RSS_DIR -np 2 $TMP/rank.sh $RUN $CONFIG --jobs 2"
  [ranks]="mpirun --bind-to none --oversubscribe -x RSS_DIR -np 3 $TMP/rank.sh $RUN $CONFIG"
)
declare -A SHOWN=(
  [process]="losslab-run CONFIG --jobs 2"
  [hybrid]="mpirun --bind-to none -np 2 losslab-run CONFIG --jobs 2"
  [ranks]="mpirun --bind-to none --oversubscribe -np 3 losslab-run CONFIG"
)

# What the sweep recorded, exactly (doubles to 17 digits, weights in hex).
digest() {
  sqlite3 "$1" "SELECT t.trial_key, printf('%!.17g', t.final_loss), t.val_accuracy, t.test_accuracy,
      (SELECT hex(data) FROM trial_weights w WHERE w.trial_id = t.id) FROM trials t ORDER BY t.trial_key;
    SELECT t.trial_key, h.step, printf('%!.17g', h.loss) FROM loss_history h JOIN trials t ON t.id = h.trial_id
      ORDER BY t.trial_key, h.step;" | md5sum | cut -c1-12
}

# run_once LAYOUT REPEAT: writes "wall cpu rss_rank0 rss_rank1 ... | loads digest" to $TMP/LAYOUT.REPEAT.line
run_once() {
  local layout=$1 repeat=$2 dir=$TMP/$1.$2
  mkdir -p "$dir"
  export RSS_DIR=$dir
  # shellcheck disable=SC2086  # the command is words on purpose
  /usr/bin/time -f '%e' -o "$dir/wall" ${COMMAND[$layout]} --db "$dir/results.db" --no-progress \
    >/dev/null 2>"$dir/log" || { echo "$layout failed:" >&2; tail -20 "$dir/log" >&2; exit 1; }
  local rss="" cpu=0 file kib user system
  for file in $(ls "$dir"/rank* | sort -V); do
    read -r kib user system <"$file"
    rss+="$kib "
    cpu=$(echo "$cpu + $user + $system" | bc)
  done
  echo "$(cat "$dir/wall") $cpu $rss| $(grep -c 'loaded .* in [0-9.]*s' "$dir/log") $(digest "$dir/results.db")" \
    >"$TMP/$layout.$repeat.line"
}

echo "# losslab hybrid MPI, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), config $CONFIG, $REPEATS repeats (interleaved)"
echo "# uptime before: $(uptime)"
for repeat in $(seq "$REPEATS"); do
  for layout in "${LAYOUTS[@]}"; do
    run_once "$layout" "$repeat"
    echo "#   run $repeat ${LABEL[$layout]}: $(cat "$TMP/$layout.$repeat.line")"
  done
done
echo "# uptime after:  $(uptime)"
echo
echo "| layout | command | wall s (median; all) | CPU s, all ranks (median) | peak RSS MiB per rank (median) | sum MiB | dataset loads | results digest |"
echo "|---|---|---:|---:|---|---:|---:|---|"
for layout in "${LAYOUTS[@]}"; do
  cat "$TMP/$layout".*.line | awk -v label="${LABEL[$layout]}" -v shown="${SHOWN[$layout]}" '
    function median(values, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (values[j] < values[i]) { t = values[i]; values[i] = values[j]; values[j] = t }
      return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
    }
    {
      n++; wall[n] = $1; walls = walls (n > 1 ? ", " : "") $1; cpu[n] = $2
      for (f = 3; $f != "|"; f++) { ranks = f - 2; rss[f - 2, n] = $f }
      loads = $(f + 1); digests[$(f + 2)] = 1
    }
    END {
      sum = 0; per = ""
      for (r = 1; r <= ranks; r++) {
        for (i = 1; i <= n; i++) v[i] = rss[r, i]
        m = median(v, n) / 1024; sum += m
        per = per (r > 1 ? " + " : "") sprintf("%.0f", m)
      }
      d = ""; for (k in digests) d = d (d == "" ? "" : " / ") k
      printf "| %s | `%s` | %.2f (%s) | %.2f | %s | %.0f | %d | %s |\n", label, shown, median(wall, n), walls,
             median(cpu, n), per, sum, loads, d
    }'
done
