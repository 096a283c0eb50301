#!/usr/bin/python3
"""losslab against its peers (course-style numpy, scikit-learn), side by side in one run.

Builds nothing: expects build/bin/{losslab-run, losslab-bench-kernels, losslab-export-splits}.
Run from anywhere:  experiments/peers/benchmark.sh [--repeats 3] [--sgd-repeats 1] [--hinge] ...

What it does, in this order:
  1. prints the machine, its load, and which BLAS / kernel / threads numpy runs;
  2. exports the preprocessed splits losslab trains on (losslab-export-splits) for the peers;
  3. measures the float32 GEMM peak (single-threaded 1024^3: the better of losslab-bench-kernels
     BM_GemmPeak/1024 and numpy's OpenBLAS);
  4. runs, interleaved, R repeats of: losslab one trial, numpy one trial, losslab 16-trial sweep
     (--jobs 2; and again with --no-cache), numpy 16-trial loop, numpy one trial with
     OPENBLAS_NUM_THREADS=1; plus S repeats
     (default 1: they take minutes) of the numpy loop with one thread, the SGDClassifier 16-trial
     grid and one LogisticRegression fit;
  5. one extra sweep under `perf record` (task-clock samples per thread) to measure what the
     results database costs (target 5);
  6. prints medians, ratios, and PASS/FAIL against the issue's targets.
With --cifar10, each repeat also runs configs/cifar10.yaml's 16-trial sweep on the CIFAR-10-format
fixture (make_cifar10.py writes it if missing) and the numpy loop over the same 16 trials on its
exported splits (targets 6a-6c); --cifar10-only runs those alone.
Whole-process wall time and peak RSS come from wait4() (what /usr/bin/time -f '%e %M' reports).
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from peer_common import (ROOT, CourseSetup, exported_splits, fmt, median, peer_environment, print_machine_lines, run,
                         sh)

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"

DATASET_BYTES = 70000 * 785 * 4
MIB = 1024 * 1024
CIFAR10_CONFIG = os.path.join(ROOT, "configs", "cifar10.yaml")
CIFAR10_FIXTURE = os.path.join(ROOT, "build", "cifar10-fixture")  # where configs/cifar10.yaml looks
CIFAR10_FILES = [f"data_batch_{b}.bin" for b in range(1, 6)] + ["test_batch.bin"]
CIFAR10_RECORD = 3073  # label byte + 3 x 32 x 32 pixel bytes
LOSSLAB_BUILD = None  # version, commit and flags, as recorded in the runs table


PEERS_THREADS_NOTE = ("peers may use both cores (OpenBLAS threads; SGDClassifier n_jobs=2 over its 10 one-vs-all "
                      "problems), as a user gets by default; losslab runs with --jobs 2 (its default here): the sweep "
                      "trains two groups of 8 trials at once, the single trial shares each step between both cores.")


def print_machine(peer_env, threads_note=PEERS_THREADS_NOTE):
    print("== Machine ==")
    print_machine_lines()
    blas = sh([PYTHON, "-c", "import sys; sys.path.insert(0, %r); import peer_common; "
               "import numpy, sklearn; print('numpy', numpy.__version__, '| scikit-learn', sklearn.__version__, "
               "'|', peer_common.blas_description())" % HERE], env=peer_env)
    print(f"peers: {blas}")
    print(threads_note)
    print()


def gemm_peak(bench):
    """Single-threaded float32 GEMM peak of losslab's kernels (FLOP per CPU-second, so other load
    does not lower it), and which kernels those are (the benchmark's "products" context)."""
    out = sh([bench, "--benchmark_filter=BM_GemmPeak/1024$", "--benchmark_format=json",
              "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"])
    data = json.loads(out)
    best = [b for b in data["benchmarks"] if b.get("aggregate_name") == "median"] or data["benchmarks"]
    return best[0]["FLOPS"], data.get("context", {}).get("products", "unknown kernels")


NUMPY_PEAK = """
import time, numpy as np
a = np.random.default_rng(1).standard_normal((1024, 1024), dtype=np.float32)
b = np.random.default_rng(2).standard_normal((1024, 1024), dtype=np.float32)
a @ b
rates = []
for _ in range(3):
    start = time.process_time(); n = 0
    while time.process_time() - start < 0.5:
        a @ b; n += 1
    rates.append(2 * 1024**3 * n / (time.process_time() - start))
print(sorted(rates)[1])
"""


def numpy_gemm_peak(env):
    """The same GEMM through numpy's OpenBLAS on one thread: the peak must be the best GEMM this
    machine runs, whichever library reaches it."""
    return float(sh([PYTHON, "-c", NUMPY_PEAK], env=dict(env, OPENBLAS_NUM_THREADS="1")))


def kernel_table(bench):
    out = sh([bench, "--benchmark_filter=BM_Step|BM_LossAndGradient", "--benchmark_format=json"])
    rows = []
    for b in json.loads(out)["benchmarks"]:
        rows.append((b["name"], b["cpu_time"], b["time_unit"], b.get("FLOPS")))
    return rows


def losslab_db_trials(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT name, status, train_seconds, val_accuracy, test_accuracy, started_at, finished_at FROM trials"
    ).fetchall()
    span = con.execute(
        "SELECT (julianday(max(finished_at)) - julianday(min(started_at))) * 86400 FROM trials").fetchone()[0]
    run_span = con.execute(
        "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 FROM runs ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    build = con.execute("SELECT 'losslab ' || losslab_version || ', commit ' || git_commit || ', ' || compiler || ' '"
                        " || compile_flags FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    global LOSSLAB_BUILD
    LOSSLAB_BUILD = build[0] if build else None
    return rows, span, run_span


def run_losslab(label, run_bin, config, tmp, jobs, log, extra=()):
    db = os.path.join(tmp, f"run-{time.monotonic_ns()}.db")
    result = run(label, [run_bin, config, "--db", db, "--jobs", str(jobs), "--no-progress",
                         "--log-level", "warn", *extra], log=log)
    rows, span, run_span = losslab_db_trials(db)
    if any(r[1] != "completed" for r in rows):
        print(f"  warning: {label}: trial statuses {[r[1] for r in rows]}")
    best = max(rows, key=lambda r: r[3] or 0)
    result.extra = {"train_seconds": sum(r[2] for r in rows) if len(rows) == 1 else span,
                    "trial_span": span, "run_span": run_span,
                    "test_accuracy": best[4], "val_accuracy": best[3], "best": best[0]}
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return result


def run_peer(label, cmd, env, log):
    result = run(label, cmd, env=env, log=log)
    lines = result.json_lines()
    summary = next(x["summary"] for x in lines if "summary" in x)
    trials = [x for x in lines if "summary" not in x]
    best = max(trials, key=lambda r: r["val_accuracy"])
    result.extra = {"train_seconds": summary["train_seconds_total"], "test_accuracy": best["test_accuracy"],
                    "val_accuracy": best["val_accuracy"],
                    "best": f"lr={best.get('lr')} reg={best.get('reg')}", "trials": trials,
                    "load_seconds": summary["load_seconds"]}
    return result


def cifar10_fixture(directory):
    """The CIFAR-10-format fixture's directory, written by make_cifar10.py if a file is missing, and
    the bytes of its pixels (every record of the six batch files, less the label bytes)."""
    if not all(os.path.exists(os.path.join(directory, f)) for f in CIFAR10_FILES + ["batches.meta.txt"]):
        made = run("make_cifar10.py", [PYTHON, os.path.join(HERE, "make_cifar10.py"), "--out", directory])
        print(made.stdout.strip())
    records = sum(os.path.getsize(os.path.join(directory, f)) for f in CIFAR10_FILES) // CIFAR10_RECORD
    return records * (CIFAR10_RECORD - 1)


def sweep_flops(setup, splits):
    """4*B*D*C flops per step per trial over a sweep of `setup` (CourseSetup) on exported splits:
    the two products of a step (scores X.W, gradient X^T.dS), 2*B*D*C flops each."""
    import numpy as np
    train_x = np.load(os.path.join(splits, "train_X.npy"), mmap_mode="r")
    labels = [np.load(os.path.join(splits, f"{split}_y.npy")) for split in ("train", "val", "test")]
    rows, dim = train_x.shape
    classes = int(max(y.max() for y in labels if len(y))) + 1
    steps = setup.epochs * max(rows // setup.batch, 1)
    return 4 * setup.batch * dim * classes * steps * len(setup.trials), (setup.batch, dim, classes, steps,
                                                                        len(setup.trials))


def recording_profile(run_bin, config, tmp, extra=()):
    """Runs the sweep once under perf (task-clock samples) and splits its CPU time by thread:
    the workers train; the writer thread writes the database; the main thread loads the data,
    then, once training has started, only waits and finally closes the run and prints the table.
    Recording = the writer's CPU + the main thread's CPU after the first worker sample."""
    if not shutil.which("perf"):
        return None
    db = os.path.join(tmp, "profile.db")
    data = os.path.join(tmp, "perf.data")
    start = time.perf_counter()
    proc = subprocess.run(["perf", "record", "-q", "-e", "task-clock", "-F", "2000", "-o", data, "--",
                           run_bin, config, "--db", db, "--jobs", "2", "--no-progress", "--log-level", "warn", *extra],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-500:]}
    script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,time,period"],
                            capture_output=True, text=True).stdout
    samples = []  # (tid, time, seconds)
    pid = None
    for line in script.splitlines():
        m = re.match(r"\s*(\d+)/(\d+)\s+([\d.]+):\s+(\d+)", line)
        if m:
            pid = int(m.group(1))
            samples.append((int(m.group(2)), float(m.group(3)), int(m.group(4)) * 1e-9))
    if not samples:
        return {"error": "perf script printed no samples"}
    per_thread = {}
    for tid, _, seconds in samples:
        per_thread[tid] = per_thread.get(tid, 0.0) + seconds
    others = sorted((t for t in per_thread if t != pid), key=lambda t: per_thread[t], reverse=True)
    workers = others[:2]
    writers = others[2:]  # the writer thread, and the data loading's helper threads
    training_start = min(t for tid, t, _ in samples if tid in workers)
    training_end = max(t for tid, t, _ in samples if tid in workers)
    main_after = sum(s for tid, t, s in samples if tid == pid and t >= training_start)
    # The other threads' CPU from the start of training on: the writer's. (Short-lived threads that
    # help load the data - decompressing, checksumming, building splits - end before training.)
    writer = sum(s for tid, t, s in samples if tid in writers and t >= training_start)
    loader_helpers = sum(s for tid, t, s in samples if tid in writers and t < training_start)
    _, span, _ = losslab_db_trials(db)
    return {"wall": wall, "total_cpu": sum(per_thread.values()), "workers_cpu": sum(per_thread[t] for t in workers),
            "writer_cpu": writer, "main_after_start_cpu": main_after,
            "main_total_cpu": per_thread.get(pid, 0.0), "loader_helpers_cpu": loader_helpers,
            "training_span": training_end - training_start,
            "trial_span": span}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of losslab and numpy runs (default 3)")
    parser.add_argument("--sgd-repeats", type=int, default=1,
                        help="repeats of the SGDClassifier grid and LogisticRegression (default 1; 0 skips)")
    parser.add_argument("--hinge", action="store_true", help="also the SGDClassifier hinge grid")
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"), help="losslab's build/bin")
    parser.add_argument("--export-splits", default=None,
                        help="losslab-export-splits binary (default: BIN/losslab-export-splits)")
    parser.add_argument("--splits", default=None, help="reuse a directory of exported splits")
    parser.add_argument("--no-profile", action="store_true", help="skip the perf run of target 5")
    parser.add_argument("--cifar10", action="store_true",
                        help="also configs/cifar10.yaml's sweep and the numpy loop on the CIFAR-10-format fixture")
    parser.add_argument("--cifar10-only", action="store_true", help="only the CIFAR-10 runs (targets 6a-6c)")
    parser.add_argument("--cifar10-dir", default=CIFAR10_FIXTURE,
                        help="the CIFAR-10 binary directory (default: the fixture configs/cifar10.yaml names; "
                             "written by make_cifar10.py when missing)")
    args = parser.parse_args()
    fashion = not args.cifar10_only
    cifar = args.cifar10 or args.cifar10_only

    run_bin = os.path.join(args.bin, "losslab-run")
    bench_bin = os.path.join(args.bin, "losslab-bench-kernels")
    export_bin = args.export_splits or os.path.join(args.bin, "losslab-export-splits")
    for path in (run_bin, bench_bin) + (() if args.splits else (export_bin,)):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: build losslab first (cmake --build build)")
    one_trial = os.path.join(HERE, "one_trial.yaml")
    sweep16 = os.path.join(HERE, "sweep16.yaml")
    peer_env = peer_environment()
    # OpenBLAS's threads do not pay off on these small GEMMs (200 x 785 x 10): the same peer with one
    # thread is the stronger baseline, reported beside the default.
    one_thread_env = dict(peer_env, OPENBLAS_NUM_THREADS="1")
    print_machine(peer_env)

    tmp = tempfile.mkdtemp(prefix="losslab-peers-")
    try:
        # Each repeat also runs the sweep with --no-cache (inflating, as a first run does), reported beside.
        splits = exported_splits(tmp, export_bin, one_trial, args.splits) if fashion else None
        work = {}
        if fashion:
            work["fashion"] = sweep_flops(CourseSetup(sweep16), splits)
        if cifar:
            cifar_pixels = cifar10_fixture(args.cifar10_dir)
            cifar_set = ("--set", f"dataset.path={os.path.abspath(args.cifar10_dir)}")
            cifar_splits = os.path.join(tmp, "cifar10-splits")
            exported = run("export CIFAR-10 splits", [export_bin, CIFAR10_CONFIG, cifar_splits, *cifar_set])
            print(f"CIFAR-10 splits for numpy (losslab-export-splits configs/cifar10.yaml): "
                  f"{exported.stdout.strip()}\n")
            work["cifar10"] = sweep_flops(CourseSetup(CIFAR10_CONFIG), cifar_splits)

        print("== GEMM peak (float32, 1024 x 1024, one thread; the best of losslab's kernels and numpy's) ==")
        own_peak, products = gemm_peak(bench_bin)
        numpy_peak = numpy_gemm_peak(peer_env)
        peak = max(own_peak, numpy_peak)
        print(f"losslab-bench-kernels BM_GemmPeak/1024 ({products}): {own_peak / 1e9:.1f} GFLOP/s per core")
        print(f"numpy matmul, OPENBLAS_NUM_THREADS=1: {numpy_peak / 1e9:.1f} GFLOP/s per core")
        print(f"peak: {peak / 1e9:.1f} GFLOP/s per core (per CPU-second); 2 cores: {2 * peak / 1e9:.1f} GFLOP/s")
        for name, cpu, unit, flops in kernel_table(bench_bin):
            print(f"  {name:<32} {cpu:10.1f} {unit} cpu" + (f"  {flops / 1e9:6.1f} GFLOP/s" if flops else ""))
        print()

        numpy_py = os.path.join(HERE, "numpy_softmax_svm.py")
        sklearn_py = os.path.join(HERE, "sklearn_peers.py")
        results = {}

        def add(key, result):
            results.setdefault(key, []).append(result)

        print(f"== Runs ({args.repeats} repeats interleaved; SGDClassifier/LogisticRegression x {args.sgd_repeats}) ==")
        for r in range(max(args.repeats, args.sgd_repeats)):
            print(f"repeat {r + 1} (load: {os.getloadavg()[0]:.2f})")
            if cifar and r < args.repeats:
                add("losslab_cifar", run_losslab("losslab cifar10 sweep (16, -j2)", run_bin, CIFAR10_CONFIG, tmp, 2,
                                                 True, extra=cifar_set))
                add("numpy_cifar", run_peer("numpy cifar10 16-trial loop",
                                            [PYTHON, numpy_py, "--splits", cifar_splits, "--config", CIFAR10_CONFIG],
                                            peer_env, True))
            if fashion and r < args.repeats:
                add("losslab_one", run_losslab("losslab one trial (-j2)", run_bin, one_trial, tmp, 2, True))
                add("numpy_one", run_peer("numpy one trial", [PYTHON, numpy_py, "--splits", splits], peer_env, True))
                add("losslab_sweep", run_losslab("losslab sweep (16, -j2)", run_bin, sweep16, tmp, 2, True))
                add("losslab_sweep_inflating", run_losslab("losslab sweep, --no-cache", run_bin, sweep16, tmp, 2,
                                                           True, extra=("--no-cache",)))
                add("numpy_grid", run_peer("numpy 16-trial loop", [PYTHON, numpy_py, "--splits", splits, "--grid"],
                                           peer_env, True))
                add("numpy_one_1t", run_peer("numpy one trial, 1 thread", [PYTHON, numpy_py, "--splits", splits],
                                             one_thread_env, True))
            if fashion and r < args.sgd_repeats:
                add("numpy_grid_1t", run_peer("numpy 16 loop, 1 thread",
                                              [PYTHON, numpy_py, "--splits", splits, "--grid"], one_thread_env, True))
                add("sgd_grid", run_peer("SGDClassifier log_loss x16",
                                         [PYTHON, sklearn_py, "--splits", splits, "--model", "sgd", "--grid"],
                                         peer_env, True))
                if args.hinge:
                    add("sgd_hinge_grid", run_peer("SGDClassifier hinge x16",
                                                   [PYTHON, sklearn_py, "--splits", splits, "--model", "sgd",
                                                    "--loss", "hinge", "--grid"], peer_env, True))
                add("logreg", run_peer("LogisticRegression (lbfgs)",
                                       [PYTHON, sklearn_py, "--splits", splits, "--model", "logreg"], peer_env, True))
        profile = cifar_profile = None
        if fashion and not args.no_profile:
            print("profile: one more losslab sweep under perf record (task-clock) for target 5")
            profile = recording_profile(run_bin, sweep16, tmp)
        if cifar and not args.no_profile:
            print("profile: one more cifar10 sweep under perf record (task-clock): its workers' CPU time")
            cifar_profile = recording_profile(run_bin, CIFAR10_CONFIG, tmp, cifar_set)
        print(f"load after the runs: {os.getloadavg()[0]:.2f}\n")

        report(results, peak, profile, work, cifar_pixels if cifar else None, cifar_profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(results, peak, profile, work, cifar_pixels, cifar_profile):
    def med(key, field):
        runs = results.get(key, [])
        if field in ("wall", "rss_kb", "cpu"):
            return median([getattr(x, field) for x in runs])
        return median([x.extra.get(field) for x in runs])

    names = {"losslab_one": "losslab, 1 trial", "numpy_one": "numpy, 1 trial",
             "losslab_sweep": "losslab, 16-trial sweep -j2",
             "losslab_sweep_inflating": "losslab, sweep, --no-cache", "numpy_grid": "numpy, 16 trials in a loop",
             "numpy_one_1t": "numpy, 1 trial, 1 thread", "numpy_grid_1t": "numpy, 16 trials, 1 thread",
             "sgd_grid": "SGDClassifier log_loss, 16", "sgd_hinge_grid": "SGDClassifier hinge, 16",
             "logreg": "LogisticRegression lbfgs, 1",
             "losslab_cifar": "cifar10: losslab sweep -j2", "numpy_cifar": "cifar10: numpy 16 in a loop"}
    print("== Medians ==")
    print(LOSSLAB_BUILD or "")
    print(f"{'run':<30} {'n':>2} {'process s':>10} {'train s':>9} {'peak MiB':>9} {'cpu s':>7} "
          f"{'test acc':>9} {'val acc':>8}  best trial")
    for key, label in names.items():
        if key not in results:
            continue
        last = results[key][-1]
        print(f"{label:<30} {len(results[key]):>2} {fmt(med(key, 'wall')):>10} {fmt(med(key, 'train_seconds')):>9} "
              f"{fmt(med(key, 'rss_kb') / 1024, '.0f'):>9} {fmt(med(key, 'cpu')):>7} "
              f"{fmt(med(key, 'test_accuracy'), '.4f'):>9} {fmt(med(key, 'val_accuracy'), '.4f'):>8}  "
              f"{last.extra.get('best')}")
    print("train s: losslab 1 trial = trials.train_seconds; losslab sweep = first trial start to last trial end "
          "(trials.started_at/finished_at, both groups in parallel); both include losslab's per-epoch accuracy on "
          "the validation split (the per-epoch training accuracy is the running one, from the steps' own scores) "
          "and the final train and test accuracies. Peers = their training loops (numpy incl. per-epoch validation accuracy), loading excluded.")
    print("Peers load the already-preprocessed .npy splits (~0.1 s); losslab's process time includes "
          "reading the IDX files (from the inflated copies an earlier run kept; with --no-cache, inflating "
          "the gzip'd files) and preprocessing.")
    print()

    verdicts = []

    def target(name, value, goal, passed, detail):
        verdicts.append((name, value, goal, "PASS" if passed else ("FAIL" if passed is not None else "n/a"), detail))

    # 1. One trial: training >= 3x faster than numpy, test accuracy within 0.5 points.
    t_l, t_n = med("losslab_one", "train_seconds"), med("numpy_one", "train_seconds")
    a_l, a_n = med("losslab_one", "test_accuracy"), med("numpy_one", "test_accuracy")
    if t_l and t_n:
        speed = t_n / t_l
        target("1a one trial, training time vs numpy", f"{speed:.2f}x", ">= 3x", speed >= 3,
               f"{t_n:.2f} s / {t_l:.2f} s")
        gap = abs(a_l - a_n) * 100
        target("1b one trial, test accuracy vs numpy", f"{gap:.2f} pt", "<= 0.5 pt", gap <= 0.5,
               f"losslab {a_l:.4f}, numpy {a_n:.4f}")
    # 2. Sweep: whole process >= 6x numpy loop, >= 40x SGDClassifier grid.
    w_l = med("losslab_sweep", "wall")
    if w_l and "numpy_grid" in results:
        ratio = med("numpy_grid", "wall") / w_l
        target("2a sweep vs numpy loop (process)", f"{ratio:.2f}x", ">= 6x", ratio >= 6,
               f"{med('numpy_grid', 'wall'):.2f} s / {w_l:.2f} s")
    if w_l and "sgd_grid" in results:
        ratio = med("sgd_grid", "wall") / w_l
        target("2b sweep vs SGDClassifier grid (process)", f"{ratio:.1f}x", ">= 40x", ratio >= 40,
               f"{med('sgd_grid', 'wall'):.1f} s / {w_l:.2f} s")
    # 3. Share of the GEMM peak.
    def peak_share(name, key, dataset, goal):
        span = med(key, "train_seconds")
        if span:
            total, _ = work[dataset]
            rate = total / span
            share = rate / (2 * peak)
            target(name, f"{share * 100:.0f}%", f">= {goal * 100:.0f}%", share >= goal,
                   f"{total / 1e9:.0f} GFLOP in {span:.2f} s = {rate / 1e9:.1f} GFLOP/s vs 2 x {peak / 1e9:.1f}")

    peak_share("3 sweep GEMM rate / 2-core peak", "losslab_sweep", "fashion", 0.8)
    # 4. Peak memory.
    rss = med("losslab_sweep", "rss_kb")
    if rss:
        limit = DATASET_BYTES + 150 * MIB
        target("4 sweep peak RSS", f"{rss / 1024:.0f} MiB", f"<= {limit / MIB:.0f} MiB", rss * 1024 <= limit,
               f"dataset float32 {DATASET_BYTES / MIB:.0f} MiB + 150 MiB")
    # 5. Recording.
    if profile and "error" not in profile:
        cost = profile["writer_cpu"] + profile["main_after_start_cpu"]
        share = cost / profile["trial_span"]
        target("5 recording cost / sweep training time", f"{share * 100:.1f}%", "<= 5%", share <= 0.05,
               f"writer thread {profile['writer_cpu']:.3f} s + main thread after training start "
               f"{profile['main_after_start_cpu']:.3f} s CPU, over a {profile['trial_span']:.2f} s sweep")
    elif profile:
        target("5 recording cost", "n/a", "<= 5%", None, profile["error"])
    elif "losslab_sweep" in results:
        target("5 recording cost", "n/a", "<= 5%", None, "perf not installed or --no-profile")
    # 6. CIFAR-10 at the course's scale: process >= 7x the numpy loop, >= 75% of the peak, peak RSS
    # within the pixel bytes + 200 MiB.
    w_c = med("losslab_cifar", "wall")
    if w_c and "numpy_cifar" in results:
        ratio = med("numpy_cifar", "wall") / w_c
        target("6a cifar10 sweep vs numpy loop (process)", f"{ratio:.2f}x", ">= 7x", ratio >= 7,
               f"{med('numpy_cifar', 'wall'):.2f} s / {w_c:.2f} s")
    peak_share("6b cifar10 sweep GEMM rate / 2-core peak", "losslab_cifar", "cifar10", 0.75)
    rss = med("losslab_cifar", "rss_kb")
    if rss:
        limit = cifar_pixels + 200 * MIB
        target("6c cifar10 sweep peak RSS", f"{rss / 1024:.0f} MiB", f"<= {limit / MIB:.0f} MiB",
               rss * 1024 <= limit, f"uint8 pixels {cifar_pixels / MIB:.0f} MiB + 200 MiB")

    print("== Targets ==")
    print(f"{'target':<42} {'measured':>10} {'goal':>12}  verdict  detail")
    for name, value, goal, verdict, detail in verdicts:
        print(f"{name:<42} {value:>10} {goal:>12}  {verdict:<7}  {detail}")
    print()
    for dataset, (_, (batch, dim, classes, steps, trials)) in work.items():
        print(f"Targets 3 and 6b count 4*B*D*C flops per step per trial ({dataset}: B={batch}, D={dim}, C={classes}, "
              f"{steps} steps, {trials} trials) over the sweep's training span, against twice the single-core GEMM "
              "peak (the sweep runs on 2 cores).")
    print("The peak is per CPU-second, the span is wall time: other load on the machine lowers this share.")

    def per_cpu_rate(dataset, measured):
        """The sweep's rate per CPU-second of its worker threads, which other load barely lowers."""
        core_rate = work[dataset][0] / measured["workers_cpu"]
        print(f"{dataset}, per CPU-second of the worker threads (perf): {core_rate / 1e9:.1f} GFLOP/s = "
              f"{core_rate / peak * 100:.0f}% of one core's peak (insensitive to other load, as far as it leaves "
              f"the caches alone). Process CPU {measured['total_cpu']:.2f} s: workers {measured['workers_cpu']:.2f}, "
              f"main {measured['main_total_cpu']:.2f} (data loading), loading's helper threads "
              f"{measured['loader_helpers_cpu']:.2f}, writer {measured['writer_cpu']:.3f}.")

    if profile and "error" not in profile:
        per_cpu_rate("fashion", profile)
        print("Target 5 counts the writer thread's CPU and the main thread's after training began (closing the "
              "run, the summary) as if all of it lengthened the sweep: an upper bound, since the writer "
              "mostly overlaps training. losslab-run has no switch to turn recording off.")
    if cifar_profile and "error" not in cifar_profile:
        per_cpu_rate("cifar10", cifar_profile)
    w_inflating = med("losslab_sweep_inflating", "wall")
    if w_inflating and "sgd_grid" in results and "numpy_grid" in results:
        print(f"With --no-cache (the gzip'd images inflated in every run, as in a first run): sweep "
              f"{w_inflating:.2f} s, {med('numpy_grid', 'wall') / w_inflating:.2f}x the numpy loop (2a), "
              f"{med('sgd_grid', 'wall') / w_inflating:.1f}x the SGDClassifier grid (2b).")
    if "numpy_one_1t" in results and t_l:
        line = (f"Against numpy with OPENBLAS_NUM_THREADS=1 (faster here than its default 2 threads): one trial "
                f"{med('numpy_one_1t', 'train_seconds') / t_l:.2f}x")
        if "numpy_grid_1t" in results and w_l:
            line += f", sweep {med('numpy_grid_1t', 'wall') / w_l:.2f}x (process)"
        print(line + ".")
    print()
    print("Accuracy of the other peers (best-validation trial of a grid):")
    for key in ("sgd_grid", "sgd_hinge_grid", "logreg"):
        if key in results:
            print(f"  {names[key]:<30} test {fmt(med(key, 'test_accuracy'), '.4f')}  "
                  f"val {fmt(med(key, 'val_accuracy'), '.4f')}  ({results[key][-1].extra.get('best')})")


if __name__ == "__main__":
    main()
