#!/usr/bin/env bash
# Several processes on one database: PROCESSES (default 4) losslab-run processes started at once
# on the same config and database, while losslab-report reads the database in a loop the whole
# time (summary, query and export in turn).
#   tests/reliability/concurrent.sh [BUILD_DIR]
# Checks: every losslab-run exits 0; no output of any process mentions "locked" or "busy";
# every report started once the database had its schema succeeded; each trial completed exactly
# once (one row per key, attempts = 1 for every trial, SUM(attempts) = trials, its whole record,
# integrity_check ok) and the processes shared the sweep (trials recorded by more than one run).
# Prints a last line "concurrent: N processes ..." (read by figures.sh).
# shellcheck source=tests/reliability/common.sh
source "$(dirname "$0")/common.sh"

processes=${PROCESSES:-4}
config="$work/concurrent.yaml"
write_config "$config" concurrent 3000 10 4
trials=$(trial_count "$config")
db="$work/concurrent.db"

# The reader: polls until told to stop, one line per poll: exit code, command.
reader() {
  local n=0 code
  while [[ ! -f $work/stop-reader ]]; do
    ((n += 1))
    case $((n % 3)) in
      0) "$report_bin" "$db" --top 3 >"$work/report.out" 2>"$work/report-$n.err" && code=0 || code=$? ;;
      1) "$report_bin" query "$db" "SELECT status, COUNT(*) FROM trials GROUP BY status" >"$work/report.out" \
           2>"$work/report-$n.err" && code=0 || code=$? ;;
      2) "$report_bin" export "$db" --format csv >"$work/report.out" 2>"$work/report-$n.err" && code=0 || code=$? ;;
    esac
    echo "$code $n" >>"$work/reader.log"
    [[ $code == 0 ]] && rm -f "$work/report-$n.err"
  done
}
: >"$work/reader.log"
reader &
reader_pid=$!
cleanup_hooks+=("touch '$work/stop-reader'; wait $reader_pid 2>/dev/null")

pids=()
for i in $(seq 1 "$processes"); do
  "$run_bin" "$config" --db "$db" --jobs 2 --no-progress >"$work/run-$i.out" 2>&1 &
  pids+=($!)
done
status=0
for i in $(seq 1 "$processes"); do
  code=0
  wait "${pids[$((i - 1))]}" || code=$?
  if ((code != 0)); then
    log "process $i exited $code: $(grep -E 'error|warn' "$work/run-$i.out" | head -3)"
    status=1
  fi
done
touch "$work/stop-reader"
wait "$reader_pid" || true
((status == 0)) || fail "a losslab-run process failed"

if grep -il -E "locked|busy" "$work"/run-*.out "$work"/report-*.err 2>/dev/null; then
  fail "'locked' or 'busy' in the output above"
fi
polls=$(wc -l <"$work/reader.log")
# A report that ran before the first process had created the schema may say so (exit 1): that is
# "no database yet", not a failure. Every one after the first success must succeed.
failed_after=$(awk '$1 == 0 { ok = 1 } ok && $1 != 0 { n++ } END { print n + 0 }' "$work/reader.log")
early=$(awk '$1 == 0 { exit } { n++ } END { print n + 0 }' "$work/reader.log")
if ((failed_after > 0)); then
  for f in "$work"/report-*.err; do log "report: $(cat "$f")"; done
  fail "$failed_after of $polls report polls failed while the sweep ran"
fi
((polls - early >= 5)) || fail "only $((polls - early)) report polls ran during the sweep"

checks=$(python3 "$dbcheck" verify "$db" --expected "$trials") || fail "checks failed: $checks"
max_attempts=$(sql "$db" "SELECT MAX(attempts) FROM trials")
((max_attempts == 1)) || fail "a trial was attempted $max_attempts times (claimed twice)"
sum_attempts=$(sql "$db" "SELECT SUM(attempts) FROM trials")
((sum_attempts == trials)) || fail "SUM(attempts) = $sum_attempts for $trials trials"
runs=$(sql "$db" "SELECT COUNT(*) FROM runs WHERE status = 'completed'")
((runs == processes)) || fail "$runs runs completed, $processes processes ran"
sharing=$(sql "$db" "SELECT COUNT(DISTINCT run_id) FROM trials")
((sharing >= 2)) || fail "one process ran every trial: the processes did not share the sweep"
per_run=$(sql "$db" "SELECT group_concat(n, ' + ') FROM (SELECT COUNT(*) AS n FROM trials GROUP BY run_id ORDER BY run_id)")
log "checks passed: $checks; trials per process: $per_run; $polls report polls ($early before the schema existed)"
figures processes=$processes trials=$trials reads=$((polls - early)) per_process="${per_run// /}" lost=0
echo "concurrent: $processes processes shared $trials trials ($per_run), each completed exactly once, $((polls - early)) report reads during the sweep, no 'locked', 0 results lost"
