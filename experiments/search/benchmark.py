#!/usr/bin/python3
"""Adaptive search benchmarks: losslab's successive halving against its exhaustive random sweep,
and losslab's batch TPE against Optuna (TPESampler + HyperbandPruner) driving the course-style
numpy loop; side by side in one run, repeated, medians reported.

Builds nothing: expects build/bin/{losslab-run, losslab-export-splits}.
Run from anywhere:  experiments/search/benchmark.sh [--repeats 3] [--seeds 5] [--no-one-thread] [--splits DIR]

What it does, in this order:
  1. prints the machine, its load, which BLAS numpy runs, Optuna's version;
  2. exports the splits losslab trains on (losslab-export-splits tpe32.yaml) for the numpy loop;
  3. runs R repeats, interleaved, of
     (a) losslab-run random243.yaml (exhaustive) and the same with
         --set sweep.strategy=successive_halving;
     (b) optuna_numpy.py (32 trials; numpy with its default OpenBLAS threads, then with
         OPENBLAS_NUM_THREADS=1 unless --no-one-thread), losslab-run tpe32.yaml (8 rounds of 4),
         the same with Hyperband inside each round, and with 4 rounds of 8 and successive halving
         inside each round (configs/tpe.yaml's shape);
  4. runs (b) once more for each of seeds 1 .. S-1 (seed 0 is the repeats): Optuna with --seed s
     --train-seed s, losslab with sweep.random.seed=s and training.seed=s;
  5. prints one table per comparison (each run, then medians), the seeds' tables and the targets.
(b) is judged on the medians over the seeds: one search's best moves by about a tenth of a point
with the training seed alone (the minibatches), more than the two searches differ by, and how soon
a search reaches 0.85 and how much it prunes depend on which trials the seed draws first.
Whole-process wall time, peak RSS and CPU come from wait4(). Times to a validation accuracy are
measured from each process's launch (time.time() just before it starts): Optuna's from the epoch
log it prints, losslab's from its database (see time_to_accuracy).
"""
import argparse
import datetime
import math
import os
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "peers"))

from peer_common import ROOT, exported_splits, fmt, median, peer_environment, print_machine_lines, run, sh  # noqa: E402

PYTHON = "/usr/bin/python3"
THRESHOLD = 0.85
# Both configs set min_epochs 1 and reduction_factor 3: halving differs from exhaustive in this only.
HALVING = ("--set", "sweep.strategy=successive_halving")
HYPERBAND = ("--set", "sweep.strategy=hyperband")
# configs/tpe.yaml's shape, 4 rounds of 8, with successive halving inside each round.
HALVING_4X8 = ("--set", "sweep.rounds=4", "--set", "sweep.batch=8") + HALVING
TPE_SIDES = ("tpe", "tpe_hyperband", "tpe_halving")
TPE_ARGS = {"tpe": (), "tpe_hyperband": HYPERBAND, "tpe_halving": HALVING_4X8}


def seeded(seed):
    """losslab's sampler and training seeds, the pair Optuna gets as --seed and --train-seed."""
    return ("--set", f"sweep.random.seed={seed}", "--set", f"training.seed={seed}")


def utc_seconds(timestamp):
    """losslab's ISO-8601 UTC timestamps with milliseconds, as time.time() seconds."""
    parsed = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return parsed.replace(tzinfo=datetime.timezone.utc).timestamp()


def time_to_accuracy(con, launched_at, threshold):
    """Seconds from the process's launch to the first epoch of any trial whose validation accuracy
    reached `threshold`, as (upper bound, estimate); (None, None) if none did.

    The database keeps, per trial, its latest attempt's started_at (set when the trial was claimed,
    just before its group starts training) and finished_at (set when its result was recorded, after
    training), both to the millisecond, and per epoch the training seconds since the trial's first
    epoch (epoch_metrics.seconds; a halving trial's attempts add up). For an epoch of the latest
    attempt, finished_at minus the seconds still to train after it is an upper bound of when it
    ended, and started_at plus the seconds trained before it in this attempt an estimate (a lower
    bound: training starts a little after the claim). A halving trial's latest attempt is the last
    stage it trained in, which began at the point of the search's ladder of rung epochs below its
    last rung's (a Hyperband bracket that starts higher warms up to it in earlier stages). Its
    epochs of earlier stages have no timestamp any more: they ended before the latest attempt
    started, an upper bound that serves as their estimate too."""
    hits = con.execute(
        "SELECT t.id, t.started_at, t.finished_at, t.rung, m.epoch, m.seconds FROM epoch_metrics m "
        "JOIN trials t ON t.id = m.trial_id WHERE m.val_accuracy >= ? AND t.started_at IS NOT NULL",
        (threshold,)).fetchall()
    ladder = [row[0] for row in con.execute("SELECT DISTINCT epochs FROM trial_rungs")]
    upper = estimate = None
    for trial_id, started_at, finished_at, rung, epoch, seconds in hits:
        resumed_from, seconds_before = 0, 0.0
        if rung is not None:
            reached = con.execute("SELECT epochs FROM trial_rungs WHERE trial_id = ? AND rung = ?",
                                  (trial_id, rung)).fetchone()[0]
            resumed_from = max((point for point in ladder if point < reached), default=0)
        if resumed_from:
            seconds_before = con.execute("SELECT seconds FROM epoch_metrics WHERE trial_id = ? AND epoch = ?",
                                         (trial_id, resumed_from)).fetchone()[0]
        if epoch > resumed_from and finished_at:
            last_seconds = con.execute("SELECT MAX(seconds) FROM epoch_metrics WHERE trial_id = ?",
                                       (trial_id,)).fetchone()[0]
            hit_upper = utc_seconds(finished_at) - (last_seconds - seconds)
            hit_estimate = utc_seconds(started_at) + (seconds - seconds_before)
        else:
            hit_upper = hit_estimate = utc_seconds(started_at)
        upper = hit_upper if upper is None else min(upper, hit_upper)
        estimate = hit_estimate if estimate is None else min(estimate, hit_estimate)
    if upper is None:
        return None, None
    return upper - launched_at, estimate - launched_at


def run_losslab(label, config, tmp, extra=()):
    db = os.path.join(tmp, "search.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    run_bin = os.path.join(ROOT, "build", "bin", "losslab-run")
    result = run(label, [run_bin, config, "--db", db, "--jobs", "2", "--no-progress", "--log-level", "warn",
                         *extra], log=True)
    con = sqlite3.connect(db)
    statuses = dict(con.execute("SELECT status, COUNT(*) FROM trials GROUP BY status").fetchall())
    # The best trial's validation accuracy (completed and pruned trials, each at its last epoch).
    best = con.execute("SELECT val_accuracy, name FROM trials WHERE status IN ('completed', 'pruned') "
                       "AND val_accuracy IS NOT NULL ORDER BY val_accuracy DESC LIMIT 1").fetchone()
    upper, estimate = time_to_accuracy(con, result.launched_at, THRESHOLD)
    run_start = con.execute("SELECT started_at FROM runs ORDER BY id LIMIT 1").fetchone()[0]
    result.extra = {
        "best_val": best[0], "best": best[1], "statuses": statuses,
        "trial_epochs": con.execute("SELECT SUM(epochs_done) FROM trials").fetchone()[0],
        "to_threshold": upper, "to_threshold_estimate": estimate,
        "run_started": utc_seconds(run_start) - result.launched_at,
        "build": con.execute("SELECT 'losslab ' || losslab_version || ', commit ' || git_commit || ', ' || compiler "
                             "FROM runs ORDER BY id LIMIT 1").fetchone()[0]}
    con.close()
    print(f"  {'':<28} best val {best[0]:.4f}, {describe_statuses(statuses)}, {result.extra['trial_epochs']} "
          f"trial-epochs, val >= {THRESHOLD} after {fmt(upper)} s (estimate {fmt(estimate)} s)", flush=True)
    return result


def run_optuna(label, splits, env, seed=0):
    result = run(label, [PYTHON, os.path.join(HERE, "optuna_numpy.py"), "--splits", splits, "--seed", str(seed),
                         "--train-seed", str(seed)], env=env, log=True)
    lines = result.json_lines()
    summary = next(x["summary"] for x in lines if "summary" in x)
    epochs = [x for x in lines if "epoch" in x]
    hits = [x["time"] for x in epochs if x["val_accuracy"] >= THRESHOLD]
    result.extra = {
        "best_val": summary["best_last_value"], "study_best": summary["best_value"],
        "best": " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in summary["best_params"].items()),
        "statuses": summary["states"], "trial_epochs": summary["epochs_trained"],
        "to_threshold": min(hits) - result.launched_at if hits else None,
        "first_epoch": epochs[0]["time"] - result.launched_at if epochs else None,
        "load_seconds": summary["load_seconds"], "blas": summary["blas"]}
    print(f"  {'':<28} best val {result.extra['best_val']:.4f}, {describe_statuses(summary['states'])}, "
          f"{summary['epochs_trained']} trial-epochs, val >= {THRESHOLD} after {fmt(result.extra['to_threshold'])} s "
          f"(first epoch logged at {fmt(result.extra['first_epoch'])} s)", flush=True)
    return result


def describe_statuses(statuses):
    return " ".join(f"{count} {status}" for status, count in sorted(statuses.items()))


def table(title, keys, names, results, columns):
    print(f"== {title} ==")
    header = f"{'':<34}" + "".join(f"{name:>{width}}" for name, width, _ in columns)
    print(header)
    for r in range(max(len(results[k]) for k in keys)):
        for key in keys:
            if r < len(results[key]):
                x = results[key][r]
                print(f"run {r + 1} {names[key]:<28}" + "".join(f"{cell(x):>{width}}" for _, width, cell in columns))
    for key in keys:
        runs = results[key]
        med = type("Medians", (), {})()
        med.wall = median([x.wall for x in runs])
        med.cpu = median([x.cpu for x in runs])
        med.rss_kb = median([x.rss_kb for x in runs])
        med.extra = {k: median([x.extra.get(k) for x in runs]) for k in ("best_val", "to_threshold",
                                                                          "to_threshold_estimate", "trial_epochs")}
        med.extra["statuses"] = runs[-1].extra["statuses"]
        print(f"median {names[key]:<27}" + "".join(f"{cell(med):>{width}}" for _, width, cell in columns))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--seeds", type=int, default=5,
                        help="seeds (b) is judged over (default 5)")
    parser.add_argument("--no-one-thread", action="store_true",
                        help="skip Optuna with OPENBLAS_NUM_THREADS=1 (printed beside the default)")
    parser.add_argument("--splits", default=None, help="reuse a directory of exported splits")
    args = parser.parse_args()

    bin_dir = os.path.join(ROOT, "build", "bin")
    for tool in ("losslab-run", "losslab-export-splits"):
        if not os.access(os.path.join(bin_dir, tool), os.X_OK):
            sys.exit(f"missing {os.path.join(bin_dir, tool)}: build losslab first (cmake --build build)")
    random243 = os.path.join(HERE, "random243.yaml")
    tpe32 = os.path.join(HERE, "tpe32.yaml")
    peer_env = peer_environment()
    one_thread_env = dict(peer_env, OPENBLAS_NUM_THREADS="1")

    print("== Machine ==")
    print_machine_lines()
    print("numpy, Optuna: " + sh([PYTHON, "-c", "import sys; sys.path.insert(0, %r); import peer_common, numpy, "
                                  "optuna; print('numpy', numpy.__version__, '|', peer_common.blas_description(), "
                                  "'| optuna', optuna.__version__)" % os.path.join(os.path.dirname(HERE), "peers")],
                                 env=peer_env))
    print("Both sides use both cores: losslab-run --jobs 2; numpy's OpenBLAS its default two threads "
          "(Optuna runs one trial at a time, its default).")
    print()

    tmp = tempfile.mkdtemp(prefix="losslab-search-")
    try:
        splits = exported_splits(tmp, os.path.join(bin_dir, "losslab-export-splits"), tpe32, args.splits)

        results = {}

        def add(key, result):
            results.setdefault(key, []).append(result)

        print(f"== Runs ({args.repeats} repeats, interleaved) ==")
        for r in range(args.repeats):
            print(f"repeat {r + 1} (load: {os.getloadavg()[0]:.2f})", flush=True)
            add("exhaustive", run_losslab("random 243, exhaustive", random243, tmp))
            add("halving", run_losslab("random 243, halving", random243, tmp, HALVING))
            add("optuna", run_optuna("Optuna + numpy, 32", splits, peer_env))
            if not args.no_one_thread:
                add("optuna_1t", run_optuna("Optuna + numpy, 1 thread", splits, one_thread_env))
            for key in TPE_SIDES:
                add(key, run_losslab(NAMES[key], tpe32, tmp, TPE_ARGS[key]))
        print(f"load after the runs: {os.getloadavg()[0]:.2f}\n")

        # Per side, one entry per seed: seed 0's medians over the repeats, then one run per seed.
        seeds = {key: [seed_entry(results[key])] for key in ("optuna",) + TPE_SIDES}
        if args.seeds > 1:
            print(f"== (b) again for seeds 1 .. {args.seeds - 1} ==")
        for seed in range(1, args.seeds):
            print(f"seed {seed} (load: {os.getloadavg()[0]:.2f})", flush=True)
            seeds["optuna"].append(seed_entry([run_optuna(f"Optuna + numpy, seed {seed}", splits, peer_env, seed)]))
            for key in TPE_SIDES:
                seeds[key].append(seed_entry([run_losslab(f"{NAMES[key]}, seed {seed}", tpe32, tmp,
                                                          TPE_ARGS[key] + seeded(seed))]))
        print()
        report(results, seeds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def seed_entry(runs):
    """One seed's figures for (b): the medians over its runs of what the targets compare."""
    return {"best_val": median([x.extra["best_val"] for x in runs]), "wall": median([x.wall for x in runs]),
            # A search that never got there counts as the slowest, not as missing.
            "to_threshold": median([x.extra["to_threshold"] if x.extra["to_threshold"] is not None else math.inf
                                    for x in runs])}


NAMES = {"exhaustive": "random 243, exhaustive", "halving": "random 243, halving",
         "optuna": "Optuna + numpy (2 thr.)", "optuna_1t": "Optuna + numpy, 1 thread",
         "tpe": "losslab TPE 8 x 4", "tpe_hyperband": "losslab TPE 8 x 4 + Hyperband",
         "tpe_halving": "losslab TPE 4 x 8 + halving"}


def report(results, seeds):
    names = NAMES
    print(results["exhaustive"][0].extra["build"])
    print()
    columns = [("process s", 11, lambda x: fmt(x.wall)), ("cpu s", 9, lambda x: fmt(x.cpu)),
               ("MiB", 6, lambda x: fmt(x.rss_kb / 1024, ".0f")),
               ("best val", 10, lambda x: fmt(x.extra["best_val"], ".4f")),
               ("trial-epochs", 14, lambda x: fmt(x.extra["trial_epochs"], ".0f"))]
    table("(a) successive halving vs exhaustive, the same 243 random configurations", ["exhaustive", "halving"],
          names, results, columns)
    b_keys = [k for k in ("optuna", "optuna_1t") + TPE_SIDES if k in results]
    to_threshold = (f"to {THRESHOLD} s", 10, lambda x: fmt(x.extra["to_threshold"]))
    estimate = ("losslab est.", 13, lambda x: fmt(x.extra.get("to_threshold_estimate")))
    table("(b) losslab TPE vs Optuna TPE + Hyperband on the numpy loop, 32 trials", b_keys, names, results,
          columns + [to_threshold, estimate])

    count = len(seeds["optuna"])
    for field, title, form in (("best_val", "best validation accuracy", ".4f"), ("wall", "process s", ".2f"),
                               ("to_threshold", f"seconds to val {THRESHOLD}", ".2f")):
        print(f"== (b) {title} by seed (sampler seed = training seed; seed 0: the median of its "
              f"{len(results['optuna'])} repeats) ==")
        print(f"{'':<34}" + "".join(f"{'seed ' + str(s):>10}" for s in range(count)) + f"{'median':>10}")
        for key in ("optuna",) + TPE_SIDES:
            values = [entry[field] for entry in seeds[key]]
            print(f"{names[key]:<34}" + "".join(f"{fmt(v, form):>10}" for v in values)
                  + f"{fmt(median(values), form):>10}")
        print()

    def med(key, field):
        if field in ("wall", "cpu"):
            return median([getattr(x, field) for x in results[key]])
        return median([x.extra.get(field) for x in results[key]])

    verdicts = []

    def target(name, value, goal, passed, detail):
        verdicts.append((name, value, goal, "n/a" if passed is None else "PASS" if passed else "FAIL", detail))

    gap = (med("exhaustive", "best_val") - med("halving", "best_val")) * 100
    target("(a) halving best val vs exhaustive", f"{gap:+.2f} pt", "<= 0.2 pt", gap <= 0.2,
           f"exhaustive {med('exhaustive', 'best_val'):.4f}, halving {med('halving', 'best_val'):.4f}")
    share = med("halving", "wall") / med("exhaustive", "wall")
    target("(a) halving process time / exhaustive", f"{share * 100:.1f}%", "<= 30%", share <= 0.30,
           f"{med('halving', 'wall'):.2f} s / {med('exhaustive', 'wall'):.2f} s")
    # Judged against Optuna as installed (numpy's default OpenBLAS threads); the one-thread run is
    # the stronger baseline where OpenBLAS's threads do not pay off, and its ratio is shown beside.
    def beside(ratio_to):
        return f"; vs 1 thread: {ratio_to('optuna_1t'):.2f}x" if "optuna_1t" in results else ""

    # (b) is judged on the medians over the seeds: which trials a search draws first, and so how soon
    # it finds a good one and how many it prunes, is the seed's luck on both sides. Seed 0's ratios
    # (medians of its repeats) are printed beside.
    def over_seeds(key, field):
        return median([entry[field] for entry in seeds[key]])

    for key in TPE_SIDES:
        who = f"(b) {names[key]}"
        mine, theirs = over_seeds(key, "best_val"), over_seeds("optuna", "best_val")
        target(f"{who}: best val vs Optuna", f"{(mine - theirs) * 100:+.2f} pt", ">= 0 pt", mine >= theirs,
               f"medians over {count} seeds: losslab {mine:.4f}, Optuna {theirs:.4f}")
        mine, theirs = over_seeds(key, "wall"), over_seeds("optuna", "wall")
        target(f"{who}: process time, Optuna / losslab", f"{theirs / mine:.2f}x", ">= 5x", theirs / mine >= 5,
               f"medians over {count} seeds: {theirs:.2f} s / {mine:.2f} s; seed 0: "
               f"{med('optuna', 'wall') / med(key, 'wall'):.2f}x"
               + beside(lambda peer: med(peer, "wall") / med(key, "wall")))
        mine, theirs = over_seeds(key, "to_threshold"), over_seeds("optuna", "to_threshold")
        if mine is None or theirs is None:
            target(f"{who}: to val {THRESHOLD}, Optuna / losslab", "n/a", ">= 5x", None,
                   f"losslab {fmt(mine)} s, Optuna {fmt(theirs)} s (n/a: never reached)")
        else:
            seed0 = (med("optuna", "to_threshold") or float("nan")) / med(key, "to_threshold")
            target(f"{who}: to val {THRESHOLD}, Optuna / losslab", f"{theirs / mine:.2f}x", ">= 5x",
                   theirs / mine >= 5, f"medians over {count} seeds: {theirs:.2f} s / {mine:.2f} s; seed 0: "
                   f"{seed0:.2f}x" + beside(lambda peer: (med(peer, "to_threshold") or float("nan"))
                                            / med(key, "to_threshold")))
    print("== Targets (medians) ==")
    for name, value, goal, verdict, detail in verdicts:
        print(f"{name:<58} {value:>9} {goal:>10}  {verdict:<5} {detail}")
    print()
    print(f"best val: the best trial's validation accuracy at its last epoch (pruned trials included; "
          f"Optuna's study.best_value, completed trials only, was "
          f"{', '.join(fmt(x.extra['study_best'], '.4f') for x in results['optuna'])}). trial-epochs: epochs "
          f"trained, summed over trials. to {THRESHOLD}: seconds from the process's launch to the end of the "
          f"first epoch of any trial with validation accuracy >= {THRESHOLD}; Optuna's from the epoch log it "
          f"prints, losslab's an upper bound from its database (losslab est.: an estimate from the same "
          f"rows; see time_to_accuracy in benchmark.py). losslab's run row starts "
          f"{fmt(median([x.extra['run_started'] for k in TPE_SIDES for x in results[k]]))} s after "
          f"launch (median); Optuna's first epoch is logged "
          f"{fmt(median([x.extra['first_epoch'] for x in results['optuna']]))} s after launch.")


if __name__ == "__main__":
    main()
