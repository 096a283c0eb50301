#!/usr/bin/env bash
# Crash safety: SIGKILL losslab-run at random moments of one sweep, rerunning the same command
# after each kill, until KILLS kills have hit a live process; then let the last run finish.
#   tests/reliability/kill_resume.sh [BUILD_DIR]
# Environment: KILLS (default 25), MAX_DELAY_MS (default 1500: each kill comes 0..MAX_DELAY_MS
# after the start, so it lands in start-up, dataset loading, training or a commit),
# RELIABILITY_SEED (seeds the random delays; printed so a run can be repeated).
#
# "Every trial completed exactly once" is checked as (tests/reliability/dbcheck.py verify):
#   - one trials row per trial key of the sweep (no duplicate keys), every one 'completed', none
#     left 'running'; each with its whole record: loss_history steps 0..n-1 (no gap, no
#     duplicate), epoch_metrics 1..epochs_done, one trial_weights row of rows*cols floats;
#     no result rows of any other trial (no orphans);
#   - after every kill the database is snapshotted; every trial finished in a snapshot is
#     recorded bit for bit the same at the end (metrics, finished_at, run_id, attempts, history,
#     epoch metrics, weights): results recorded before a kill are unchanged and were never rerun;
#   - SUM(attempts) = trials + attempts cut by kills, where an attempt cut by a kill is a
#     (trial_key, attempts) pair found 'running' in a snapshot taken right after a kill: every
#     claim either completed its trial once or died with the killed process;
#   - every loss history equals, bit for bit, that of the same sweep run once without kills;
#   - PRAGMA integrity_check = ok, PRAGMA foreign_key_check empty.
# Prints a last line "kill_resume: KILLS kills survived ..." (read by figures.sh).
# shellcheck source=tests/reliability/common.sh
source "$(dirname "$0")/common.sh"

kills_wanted=${KILLS:-25}
max_delay_ms=${MAX_DELAY_MS:-1500}
seed=${RELIABILITY_SEED:-$(date +%s)}
RANDOM=$seed
log "seed $seed (RELIABILITY_SEED=$seed repeats these delays), $kills_wanted kills wanted"

config="$work/kill.yaml"
write_config "$config" kill-resume 12000 10 8
trials=$(trial_count "$config")
db="$work/kill.db"

# The reference: the same sweep, uninterrupted.
"$run_bin" "$config" --db "$work/reference.db" --jobs 2 --no-progress >"$work/reference.out" 2>&1 ||
  fail "the uninterrupted reference run failed: $(tail -3 "$work/reference.out")"

kills=0 runs=0 finished=0 snapshots=()
while ((kills < kills_wanted)); do
  ((runs += 1))
  delay=$(random_ms 0 "$max_delay_ms")
  "$run_bin" "$config" --db "$db" --jobs 2 --no-progress >"$work/run-$runs.out" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  code=0
  { wait "$pid"; } 2>/dev/null || code=$?  # (bash's "Killed" notice silenced)
  if ((code == 137)); then
    ((kills += 1))
    snapshots+=("$work/snapshot-$kills.json")
    python3 "$dbcheck" snapshot "$db" "${snapshots[-1]}" 2>/dev/null || {
      # Killed before the database existed or had its schema: nothing to snapshot.
      [[ -f $db ]] && [[ $(sql "$db" "SELECT COUNT(*) FROM sqlite_master WHERE name = 'trials'") == 1 ]] &&
        fail "cannot snapshot the database after kill $kills"
      unset 'snapshots[-1]'
    }
  elif ((code == 0)); then
    finished=1
    break
  else
    fail "run $runs exited $code (not killed): $(tail -5 "$work/run-$runs.out")"
  fi
  # A kill after the sweep finished would prove nothing: stop killing when nothing is left to run.
  if [[ -f $db ]] && [[ $(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'completed'" 2>/dev/null || echo 0) == "$trials" ]]; then
    break
  fi
done
done_before=$( [[ -f $db ]] && sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'completed'" || echo 0)
log "$kills kills in $runs runs (delays 0..${max_delay_ms} ms); $done_before of $trials trials completed before the last run"
((kills >= kills_wanted)) || fail "only $kills kills landed before the sweep finished (want $kills_wanted): make the sweep longer"

if ((!finished)); then
  "$run_bin" "$config" --db "$db" --jobs 2 --no-progress >"$work/final.out" 2>&1 ||
    fail "the final run failed: $(tail -5 "$work/final.out")"
fi
checks=$(python3 "$dbcheck" verify "$db" --expected "$trials" --snapshots "${snapshots[@]}" \
  --reference "$work/reference.db") || fail "checks failed: $checks"
log "checks passed: $checks"
cut=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["attempts_cut"])' "$checks")
before=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["finished_before_kills"])' "$checks")
figures kills=$kills runs=$runs trials=$trials cut=$cut recorded_before_kills=$before lost=0
echo "kill_resume: $kills kills survived, $trials trials completed exactly once ($cut attempts cut by kills and rerun), integrity ok, 0 results lost"
