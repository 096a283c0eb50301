#!/usr/bin/env bash
# Clean stops: SIGINT -> exit 130, SIGTERM -> exit 143, trials in flight marked 'interrupted'
# (none left 'running'), the run marked interrupted, everything finished kept; the same command
# then resumes and completes the sweep without changing what was recorded.
#   tests/reliability/signals.sh [BUILD_DIR]
# Cases: SIGINT while the first trials train; SIGTERM once some trials have completed and others train; SIGTERM during start-up (dataset loading);
# SIGINT twice in a row (the second while stopping changes nothing).
# Prints a last line "signals: N stops ..." (read by figures.sh).
# shellcheck source=tests/reliability/common.sh
source "$(dirname "$0")/common.sh"

config="$work/signals.yaml"
write_config "$config" signals 10000 20 1
trials=$(trial_count "$config")
stops=0

# stop_and_resume NAME SIGNALS EXPECTED_CODE WHEN [FLAG]: WHEN is "running" (once a trial runs,
# plus a random 0..300 ms), "completed" (once a trial has completed and others run) or a delay in
# ms after the start; FLAG goes to the stopped run.
stop_and_resume() {
  local name=$1 signals=$2 expected=$3 when=$4 db="$work/$1.db" pid code
  local flags=("${@:5}")
  "$run_bin" "$config" --db "$db" --jobs 2 --no-progress "${flags[@]}" >"$work/$name.out" 2>&1 &
  pid=$!
  if [[ $when == running ]]; then
    wait_for_running "$db" 60 || fail "$name: no trial started running within 60 s"
    sleep "0.$(printf '%03d' "$(random_ms 0 300)")"
  elif [[ $when == completed ]]; then
    local deadline=$((SECONDS + 120))
    until [[ $(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'completed'" 2>/dev/null || echo 0) -ge 1 ]] &&
      wait_for_running "$db" 1; do
      ((SECONDS < deadline)) || fail "$name: no trial completed within 120 s"
      sleep 0.02
    done
  else
    sleep "$(printf '%d.%03d' $((when / 1000)) $((when % 1000)))"
  fi
  for signal in $signals; do
    kill -s "$signal" "$pid"
    sleep 0.05
  done
  code=0
  wait "$pid" || code=$?
  ((code == expected)) || fail "$name: exit code $code, expected $expected: $(tail -3 "$work/$name.out")"
  ((stops += 1))
  if [[ $when == running || $when == completed ]]; then
    local running interrupted run_status
    running=$(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'running'")
    interrupted=$(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'interrupted' AND error LIKE 'interrupted by signal%'")
    run_status=$(sql "$db" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")
    ((running == 0)) || fail "$name: $running trials left 'running'"
    ((interrupted >= 1)) || fail "$name: no trial marked interrupted ($(python3 "$dbcheck" status "$db"))"
    [[ $run_status == interrupted ]] || fail "$name: the run's status is '$run_status'"
    grep -q "rerun the same command to resume" "$work/$name.out" || fail "$name: no resume hint in the log"
    log "$name: exit $code, $interrupted in flight marked interrupted, $(python3 "$dbcheck" status "$db")"
    python3 "$dbcheck" verify "$db" --expected "$trials" --allow-open >/dev/null || fail "$name: database checks after the stop"
    python3 "$dbcheck" snapshot "$db" "$work/$name.json"
  else
    log "$name: exit $code"
  fi
  "$run_bin" "$config" --db "$db" --jobs 2 --no-progress >"$work/$name-resume.out" 2>&1 ||
    fail "$name: the resumed run failed: $(tail -3 "$work/$name-resume.out")"
  local snaps=()
  [[ -f $work/$name.json ]] && snaps=(--snapshots "$work/$name.json")
  python3 "$dbcheck" verify "$db" --expected "$trials" "${snaps[@]}" >/dev/null ||
    fail "$name: checks after the resume failed"
}

RANDOM=${RELIABILITY_SEED:-$(date +%s)}
stop_and_resume sigint INT 130 running
stop_and_resume sigterm TERM 143 completed
# --no-cache: the images are inflated (~0.2 s), not read from a kept copy (~0.03 s), so 150 ms
# falls while the dataset loads.
stop_and_resume sigterm-startup TERM 143 150 --no-cache
stop_and_resume sigint-twice "INT INT" 130 running
figures stops=$stops trials=$trials lost=0
echo "signals: $stops stops (SIGINT -> 130, SIGTERM -> 143, in flight marked interrupted, resumed to $trials completed trials), 0 results lost"
