#!/usr/bin/env python3
"""Snapshots and checks of a losslab results database, for the reliability scripts.

  dbcheck.py snapshot DB OUT.json
      Every trial's status, attempts, run and, for a finished one, a digest of everything recorded
      about it (metrics, finished_at, run_id, loss history, epoch metrics, weights).
  dbcheck.py verify DB --expected N [--snapshots S.json ...] [--reference REF_DB] [--allow-open] [--allow-running]
      The checks of "every trial completed exactly once, nothing lost" (see check_final below);
      prints one JSON line of figures and exits 1 listing every failed check.
  dbcheck.py unchanged DB SNAPSHOT.json
      Every trial finished in the snapshot is still recorded bit for bit the same.
  dbcheck.py status DB
      Trial counts by status, as JSON.

The database is opened read-only (SQLite's URI mode=ro), so a check never changes what it checks.
"""
import argparse
import hashlib
import json
import sqlite3
import struct
import sys

FINISHED = ("completed", "diverged", "pruned")


def connect(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    db.execute("PRAGMA query_only = 1")
    return db


def value_bytes(value):
    if value is None:
        return b"N"
    if isinstance(value, float):
        return b"R" + struct.pack("<d", value)
    if isinstance(value, int):
        return b"I" + struct.pack("<q", value)
    if isinstance(value, bytes):
        return b"B" + struct.pack("<q", len(value)) + value
    text = str(value).encode()
    return b"T" + struct.pack("<q", len(text)) + text


def digest_rows(rows):
    h = hashlib.sha256()
    for row in rows:
        for value in row:
            h.update(value_bytes(value))
        h.update(b"|")
    return h.hexdigest()


def trial_digest(db, trial_id):
    """Everything recorded about one attempt's outcome."""
    parts = [
        db.execute("SELECT status, run_id, attempts, started_at, finished_at, train_seconds, final_loss, "
                   "train_accuracy, val_accuracy, test_accuracy, epochs_done, diverged_step, error "
                   "FROM trials WHERE id = ?", (trial_id,)).fetchall(),
        db.execute("SELECT step, epoch, loss FROM loss_history WHERE trial_id = ? ORDER BY step",
                   (trial_id,)).fetchall(),
        db.execute("SELECT epoch, mean_loss, train_accuracy, val_accuracy, learning_rate, seconds "
                   "FROM epoch_metrics WHERE trial_id = ? ORDER BY epoch", (trial_id,)).fetchall(),
        db.execute("SELECT rows, cols, dtype, layout, has_bias_row, data FROM trial_weights WHERE trial_id = ?",
                   (trial_id,)).fetchall(),
    ]
    return digest_rows([(digest_rows(part),) for part in parts])


def snapshot(db):
    trials = {}
    for trial_id, key, status, attempts, run_id in db.execute(
            "SELECT id, trial_key, status, attempts, run_id FROM trials ORDER BY trial_key"):
        entry = {"status": status, "attempts": attempts, "run_id": run_id}
        if status in FINISHED:
            entry["digest"] = trial_digest(db, trial_id)
        trials[key] = entry
    return trials


def changed_since(db, snap):
    """Keys finished in the snapshot whose record differs now (or that vanished)."""
    now = snapshot(db)
    return sorted(key for key, old in snap.items()
                  if "digest" in old and now.get(key, {}).get("digest") != old["digest"])


def histories(db):
    out = {}
    for key, loss in db.execute("SELECT t.trial_key, h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                                "ORDER BY t.trial_key, h.step"):
        out.setdefault(key, []).append(loss)
    return out


def check_final(db, expected, snapshots, reference, allow_open, allow_running=False):
    """Returns (problems, figures)."""
    problems = []
    integrity = db.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"PRAGMA integrity_check: {integrity[:5]}")
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"PRAGMA foreign_key_check: {len(fk)} rows, e.g. {fk[:3]}")

    trials = db.execute("SELECT COUNT(*), COUNT(DISTINCT trial_key) FROM trials").fetchone()
    if trials[0] != trials[1]:
        problems.append(f"{trials[0]} trial rows but {trials[1]} distinct keys")
    if expected is not None and trials[0] != expected:
        problems.append(f"{trials[0]} trials recorded, the sweep has {expected}")
    statuses = dict(db.execute("SELECT status, COUNT(*) FROM trials GROUP BY status").fetchall())
    completed = statuses.get("completed", 0)
    if not allow_open and completed != trials[0]:
        problems.append(f"not every trial completed: {statuses}")
    if statuses.get("running") and not allow_running:
        problems.append(f"{statuses['running']} trials left 'running'")

    # A completed trial has its whole record: steps 0..n-1 with no gap or duplicate, epochs 1..epochs_done,
    # one weights row. Any recorded history (an interrupted trial keeps its partial curve until it is
    # rerun) has no gap or duplicate either; a pending trial has none.
    for trial_id, key, status, epochs_done in db.execute(
            "SELECT id, trial_key, status, epochs_done FROM trials ORDER BY trial_key").fetchall():
        steps = db.execute("SELECT COUNT(*), MIN(step), MAX(step), COUNT(DISTINCT step) FROM loss_history "
                           "WHERE trial_id = ?", (trial_id,)).fetchone()
        epochs = db.execute("SELECT COUNT(*), MIN(epoch), MAX(epoch) FROM epoch_metrics WHERE trial_id = ?",
                            (trial_id,)).fetchone()
        weights = db.execute("SELECT COUNT(*), COALESCE(SUM(length(data) = rows * cols * 4), 0) "
                             "FROM trial_weights WHERE trial_id = ?", (trial_id,)).fetchone()
        if status == "completed":
            if steps[0] == 0 or steps[1] != 0 or steps[2] != steps[0] - 1 or steps[3] != steps[0]:
                problems.append(f"{key}: loss history (count, min, max, distinct) = {steps}")
            if epochs_done is None or epochs != (epochs_done, 1, epochs_done):
                problems.append(f"{key}: epoch metrics {epochs}, epochs_done {epochs_done}")
            if weights != (1, 1):
                problems.append(f"{key}: weights rows/valid = {weights}")
        elif steps[0] and (steps[1] != 0 or steps[2] != steps[0] - 1 or steps[3] != steps[0]):
            problems.append(f"{key} ({status}): loss history (count, min, max, distinct) = {steps}")
        if status == "pending" and (steps[0] or epochs[0] or weights[0]):
            problems.append(f"{key}: pending but results recorded ({steps[0]} steps)")
    for table in ("loss_history", "epoch_metrics", "trial_weights", "trial_params"):
        orphans = db.execute(f"SELECT COUNT(*) FROM {table} WHERE trial_id NOT IN (SELECT id FROM trials)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} {table} rows of no trial")

    # Nothing recorded before a kill changed afterwards: same digest, which includes run_id,
    # attempts and finished_at, so a finished trial was never run again either.
    finished_seen, changed = set(), set()
    # (key, attempts) of every attempt found unfinished (running, interrupted, failed) in a snapshot
    # taken right after a kill or a stop: an attempt that was cut short.
    cut_attempts = set()
    for snap in snapshots:
        finished_seen.update(k for k, v in snap.items() if "digest" in v)
        changed.update(changed_since(db, snap))
        cut_attempts.update((k, v["attempts"]) for k, v in snap.items()
                            if v["status"] not in FINISHED and v["attempts"] > 0)
    if changed:
        problems.append(f"{len(changed)} trials recorded before a kill changed afterwards: {sorted(changed)[:5]}")

    # Exactly once: each trial's attempts = 1 completed attempt + the attempts cut short by kills.
    total_attempts = db.execute("SELECT COALESCE(SUM(attempts), 0) FROM trials").fetchone()[0]
    if snapshots and not allow_open and total_attempts != trials[0] + len(cut_attempts):
        problems.append(f"SUM(attempts) = {total_attempts}, expected {trials[0]} trials + "
                        f"{len(cut_attempts)} attempts cut short by kills or signals")

    identical = None
    if reference:
        ref = connect(reference)
        ours, theirs = histories(db), histories(ref)
        different = sorted(k for k in theirs if ours.get(k) != theirs[k])
        identical = len(theirs) - len(different)
        if different or len(ours) != len(theirs):
            problems.append(f"{len(different)} loss histories differ from the uninterrupted run "
                            f"({len(ours)} vs {len(theirs)} histories), e.g. {different[:3]}")

    figures = {"trials": trials[0], "statuses": statuses, "sum_attempts": total_attempts,
               "attempts_cut": len(cut_attempts), "finished_before_kills": len(finished_seen),
               "changed": len(changed), "integrity": integrity[0][0] if integrity else None}
    if identical is not None:
        figures["identical_to_reference"] = identical
    return problems, figures


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot"); p.add_argument("db"); p.add_argument("out")
    p = sub.add_parser("unchanged"); p.add_argument("db"); p.add_argument("snapshot")
    p = sub.add_parser("status"); p.add_argument("db")
    p = sub.add_parser("verify")
    p.add_argument("db")
    p.add_argument("--expected", type=int)
    p.add_argument("--snapshots", nargs="*", default=[])
    p.add_argument("--reference")
    p.add_argument("--allow-open", action="store_true", help="trials may be pending / interrupted / failed")
    p.add_argument("--allow-running", action="store_true",
                   help="trials may be left 'running' (by a process that has exited)")
    args = parser.parse_args()

    db = connect(args.db)
    if args.command == "snapshot":
        with open(args.out, "w") as out:
            json.dump(snapshot(db), out)
        return 0
    if args.command == "status":
        print(json.dumps(dict(db.execute("SELECT status, COUNT(*) FROM trials GROUP BY status").fetchall())))
        return 0
    if args.command == "unchanged":
        with open(args.snapshot) as f:
            changed = changed_since(db, json.load(f))
        if changed:
            print(f"dbcheck: {len(changed)} finished trials changed: {changed[:5]}", file=sys.stderr)
            return 1
        return 0
    snaps = []
    for path in args.snapshots:
        with open(path) as f:
            snaps.append(json.load(f))
    problems, figures = check_final(db, args.expected, snaps, args.reference, args.allow_open, args.allow_running)
    print(json.dumps(figures, sort_keys=True))
    for problem in problems:
        print(f"dbcheck: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
