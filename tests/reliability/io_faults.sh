#!/usr/bin/env bash
# I/O faults: a results database in a read-only directory, and a disk that fills up during a
# sweep. Each must give a clear error (the message names the cause), a non-zero exit (3), and
# lose nothing already recorded (integrity_check ok, every trial completed before the fault
# recorded bit for bit the same); after the fault is removed the same command completes the sweep.
#   tests/reliability/io_faults.sh [BUILD_DIR]
# Needs root for tmpfs mounts (mount -t tmpfs, remount ro / bigger). Without them it falls back
# to running as user nobody (setpriv) for the read-only cases and to a file-size limit
# (ulimit -f) for the full disk, and says so.
# Every case runs even when one fails; prints a last line "io_faults: N cases ..." (figures.sh).
# shellcheck source=tests/reliability/common.sh
source "$(dirname "$0")/common.sh"

config="$work/io.yaml"
write_config "$config" io-faults 3000 10 4
trials=$(trial_count "$config")
chmod 755 "$work"  # readable by nobody in the setpriv cases
chmod 644 "$config"
failures=0 cases=0 notes=() failed_cases=()

check() {  # check NAME CONDITION-DESCRIPTION COMMAND...: a failed check is counted, not fatal
  local name=$1 what=$2
  shift 2
  if "$@"; then return 0; fi
  log "FAIL [$name]: $what"
  ((failures += 1))
  [[ " ${failed_cases[*]} " == *" $name "* ]] || failed_cases+=("$name")
  return 0
}
clear_message() {  # the error names the database and the cause
  grep -qiE "$2" "$1" && grep -q "results database" "$1"
}

mounts=()
can_mount=0
mkdir -p "$work/probe"
if mount -t tmpfs -o size=1m tmpfs "$work/probe" 2>/dev/null; then
  umount "$work/probe"
  can_mount=1
fi
cleanup_hooks+=('for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done')
mount_tmpfs() {  # mount_tmpfs DIR SIZE
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1"
  mounts+=("$1")
}
run() {  # run NAME [nobody] ARGS...: losslab-run on the config (as nobody); output to $work/NAME.out; sets $code
  local name=$1 prefix=()
  shift
  if [[ $1 == nobody ]]; then prefix=("${as_nobody[@]}"); shift; fi
  code=0
  "${prefix[@]}" "$run_bin" "$config" --jobs 2 --no-progress "$@" >"$work/$name.out" 2>&1 || code=$?
}
as_nobody=()
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  as_nobody=(setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups)
fi

# ---- Read-only directory
if ((can_mount)); then
  # A new database in a read-only file system.
  ((cases += 1))
  mount_tmpfs "$work/ro-new" 4m
  mount -o remount,ro "$work/ro-new"
  run ro-new --db "$work/ro-new/results.db"
  check ro-new "exit 3 (got $code)" test "$code" -eq 3
  check ro-new "clear message: $(grep -m1 error "$work/ro-new.out")" clear_message "$work/ro-new.out" "read-only|not writable"
  check ro-new "no file created" test -z "$(ls -A "$work/ro-new")"

  # A database with results whose directory became read-only (after a clean exit: no -wal/-shm).
  ((cases += 1))
  mount_tmpfs "$work/ro-old" 32m
  run ro-old-first --db "$work/ro-old/results.db"
  check ro-old "first run exits 0 (got $code)" test "$code" -eq 0
  python3 "$dbcheck" snapshot "$work/ro-old/results.db" "$work/ro-old.json"
  rm -f "$work/ro-old/results.db-wal" "$work/ro-old/results.db-shm"  # as losslab-run leaves it
  sum_before=$(sha256sum <"$work/ro-old/results.db")
  mount -o remount,ro "$work/ro-old"
  run ro-old --db "$work/ro-old/results.db" --force
  check ro-old "exit 3 (got $code)" test "$code" -eq 3
  check ro-old "clear message: $(grep -m1 error "$work/ro-old.out")" clear_message "$work/ro-old.out" "read-only|readonly|not writable"
  check ro-old "database file unchanged" test "$(sha256sum <"$work/ro-old/results.db")" == "$sum_before"
  mount -o remount,rw "$work/ro-old"
  check ro-old "results unchanged" python3 "$dbcheck" unchanged "$work/ro-old/results.db" "$work/ro-old.json"
  check ro-old "checks after" python3 "$dbcheck" verify "$work/ro-old/results.db" --expected "$trials" >/dev/null
else
  notes+=("no tmpfs mounts here: read-only file system cases skipped")
fi

if ((${#as_nobody[@]})); then
  # The same as a user without write permission on the directory (root ignores permissions).
  ((cases += 1))
  mkdir -p "$work/owned"
  chmod 755 "$work/owned"
  run owned-first --db "$work/owned/results.db"
  python3 "$dbcheck" snapshot "$work/owned/results.db" "$work/owned.json"
  rm -f "$work/owned/results.db-wal" "$work/owned/results.db-shm"  # as losslab-run leaves it
  run owned-new nobody --db "$work/owned/new.db"
  check owned-new "exit 3 (got $code)" test "$code" -eq 3
  check owned-new "clear message: $(grep -m1 error "$work/owned-new.out")" clear_message "$work/owned-new.out" "not writable|permission denied"
  run owned-old nobody --db "$work/owned/results.db" --force
  check owned-old "exit 3 (got $code)" test "$code" -eq 3
  check owned-old "clear message: $(grep -m1 error "$work/owned-old.out")" clear_message "$work/owned-old.out" "read-only|readonly|not writable|permission denied"
  check owned-old "results unchanged" python3 "$dbcheck" unchanged "$work/owned/results.db" "$work/owned.json"
else
  notes+=("setpriv or user nobody missing: the unprivileged read-only case skipped")
fi

# ---- Disk full during a sweep
((cases += 1))
db="$work/full/results.db"
if ((can_mount)); then
  # 2 MiB hold the schema and a few dozen trials (loss history + epoch metrics + weights each).
  mount_tmpfs "$work/full" 2m
  run full --db "$db"
  full_pattern="disk is full|no space"
else
  notes+=("no tmpfs mounts here: the full disk is a 2 MiB file-size limit (ulimit -f)")
  mkdir -p "$work/full"
  code=0
  (trap '' XFSZ; ulimit -f 2048; exec "$run_bin" "$config" --db "$db" --jobs 2 --no-progress) >"$work/full.out" 2>&1 || code=$?
  full_pattern="disk is full|no space|disk I/O error"
fi
check full "exit 3 (got $code)" test "$code" -eq 3
check full "clear message: $(grep -m1 error "$work/full.out")" clear_message "$work/full.out" "$full_pattern"
if ((can_mount)); then mount -o remount,size=64m "$work/full"; fi
completed_at_fault=$(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'completed'")
left_running=$(sql "$db" "SELECT COUNT(*) FROM trials WHERE status = 'running'")
check full "some trials completed before the disk filled ($completed_at_fault)" test "$completed_at_fault" -ge 1
check full "intact after the fault" python3 "$dbcheck" verify "$db" --expected "$trials" --allow-open --allow-running >/dev/null
((left_running == 0)) ||
  notes+=("disk full: the failed run exited leaving $left_running trials 'running' (the next run reclaims them: their process is gone)")
python3 "$dbcheck" snapshot "$db" "$work/full.json"
log "disk full: exit $code, $completed_at_fault of $trials trials recorded before: $(grep -m1 error "$work/full.out")"
run full-resume --db "$db"
check full "the rerun after freeing space exits 0 (got $code)" test "$code" -eq 0
check full "every trial completed, those before the fault unchanged" \
  python3 "$dbcheck" verify "$db" --expected "$trials" --snapshots "$work/full.json" >/dev/null

# ---- Disk already full when the sweep starts
if ((can_mount)); then
  ((cases += 1))
  mount_tmpfs "$work/full0" 1m
  dd if=/dev/zero of="$work/full0/filler" bs=64k 2>/dev/null || true
  run full0 --db "$work/full0/results.db"
  check full0 "exit 3 (got $code)" test "$code" -eq 3
  check full0 "clear message: $(grep -m1 error "$work/full0.out")" clear_message "$work/full0.out" "disk is full|no space"
fi

for note in "${notes[@]}"; do log "note: $note"; done
failed_list=$(IFS=,; echo "${failed_cases[*]}")
figures cases=$cases failed_checks=$failures failed_cases=${failed_list:-none} recorded_before_full=$completed_at_fault lost=0
((failures == 0)) || fail "$failures checks failed in $cases cases"
echo "io_faults: $cases cases (read-only directory, full disk), clear errors, exit 3, $completed_at_fault trials recorded before the disk filled kept intact, 0 results lost"
