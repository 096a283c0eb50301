#!/usr/bin/python3
"""LIBLINEAR (Debian's liblinear-tools) beside losslab's SVM and softmax sweeps, in one run.

Run from anywhere:  experiments/peers/liblinear.sh [--repeats 3] [--liblinear-repeats N] [--splits DIR]
                                                    [--bin build/bin]
Needs build/bin/{losslab-run, losslab-export-splits}, experiments/peers/setup.sh run once, and
liblinear-tools (setup.sh installs it).

What it does:
  1. exports the preprocessed splits losslab trains on (losslab-export-splits one_trial.yaml) and
     writes the training and test splits in LIBLINEAR's sparse text format (the standardized
     features without losslab's bias column, every value with 9 significant digits, so the float32
     values are exact; LIBLINEAR adds its own bias feature with -B 1);
  2. runs, interleaved, R repeats of: LIBLINEAR's L2-regularized L2-loss SVM (-s 2) and
     L2-regularized logistic regression (-s 0), both primal solvers as LIBLINEAR's guide advises when
     examples far outnumber features, each `liblinear-train` + `liblinear-predict` with the default
     C = 1, as a user runs them; losslab's one-trial config and 16-trial sweep
     (experiments/peers/one_trial.yaml, sweep16.yaml), each with loss softmax and svm;
  3. prints the medians: whole-process wall time (train + predict for LIBLINEAR: each parses its text
     file), peak memory, test accuracy (losslab: the best trial by validation accuracy), and how much
     sooner losslab reaches LIBLINEAR's test accuracy: LIBLINEAR's time over the time of the quickest
     losslab run of the same loss family whose test accuracy is at least as high.
Debian's liblinear is single-threaded; losslab runs with --jobs 2.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchmark  # noqa: E402  (run, run_losslab, median, print_machine: one definition each)
import peer_common  # noqa: E402

TRAIN, PREDICT = "/usr/bin/liblinear-train", "/usr/bin/liblinear-predict"
# LIBLINEAR solver -> (what it is, the losslab loss of the same family).
# Both primal (trust-region Newton): LIBLINEAR's guide recommends the primal solvers when there are
# many more examples than features, as here; its default dual solver (-s 1) is slower on this data.
SOLVERS = {2: ("L2-loss SVM (primal), -s 2", "svm"), 0: ("logistic regression (primal), -s 0", "softmax")}


def write_svmlight(path, X, y):
    """LIBLINEAR's text format: `label index:value ...`, 1-based indices, every feature written."""
    columns = X.shape[1]
    row_format = "%d " + " ".join(f"{j + 1}:%.9g" for j in range(columns)) + "\n"
    with open(path, "w") as out:
        for label, row in zip(y, X):
            out.write(row_format % (label, *row))


def export_liblinear_files(splits, tmp):
    X_train, y_train, _, _, X_test, y_test = peer_common.load_splits(splits)
    if peer_common.has_bias_column(X_train):
        X_train, X_test = X_train[:, :-1], X_test[:, :-1]
    paths = os.path.join(tmp, "train.svm"), os.path.join(tmp, "test.svm")
    write_svmlight(paths[0], X_train, y_train)
    write_svmlight(paths[1], X_test, y_test)
    sizes = ", ".join(f"{os.path.basename(p)} {os.path.getsize(p) / 2**20:.0f} MiB" for p in paths)
    print(f"LIBLINEAR files: {len(y_train)} training and {len(y_test)} test examples, "
          f"{X_train.shape[1]} features + LIBLINEAR's bias (-B 1); {sizes}\n")
    return paths


def run_liblinear(solver, train_file, test_file, tmp):
    """liblinear-train then liblinear-predict: one Run with both processes' wall time and the larger
    peak RSS, and the test accuracy liblinear-predict printed."""
    model, predictions = os.path.join(tmp, f"model-{solver}"), os.path.join(tmp, f"predictions-{solver}")
    label = f"LIBLINEAR {SOLVERS[solver][0]}"
    train = benchmark.run(label + " train", [TRAIN, "-s", str(solver), "-c", "1", "-B", "1", "-q", train_file, model])
    predict = benchmark.run(label + " predict", [PREDICT, test_file, model, predictions])
    found = re.search(r"Accuracy = ([0-9.]+)%", predict.stdout)
    if not found:
        sys.exit(f"liblinear-predict printed no accuracy:\n{predict.stdout}\n{predict.stderr}")
    train.wall += predict.wall
    train.rss_kb = max(train.rss_kb, predict.rss_kb)
    train.extra = {"test_accuracy": float(found.group(1)) / 100, "train_wall": train.wall - predict.wall}
    print(f"  {label:<46} {train.wall:8.2f} s  {train.rss_kb / 1024:7.0f} MiB  "
          f"test accuracy {train.extra['test_accuracy']:.4f}", flush=True)
    return train


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the losslab runs (default 3)")
    parser.add_argument("--liblinear-repeats", type=int, default=None,
                        help="repeats of the LIBLINEAR runs (default: --repeats; they take minutes each)")
    parser.add_argument("--bin", default=os.path.join(benchmark.ROOT, "build", "bin"), help="losslab's build/bin")
    parser.add_argument("--splits", default=None, help="reuse a directory of exported splits")
    args = parser.parse_args()
    run_bin = os.path.join(args.bin, "losslab-run")
    export_bin = os.path.join(args.bin, "losslab-export-splits")
    for path in (run_bin, export_bin, TRAIN, PREDICT):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: build losslab (cmake --build build) and run experiments/peers/setup.sh")
    one_trial, sweep16 = os.path.join(HERE, "one_trial.yaml"), os.path.join(HERE, "sweep16.yaml")
    benchmark.print_machine(benchmark.peer_environment(),
                            "LIBLINEAR (Debian's build) trains on one thread; losslab runs with --jobs 2: the sweep "
                            "trains two groups of 8 trials at once, the single trial shares each step between both cores.")

    tmp = tempfile.mkdtemp(prefix="losslab-liblinear-")
    os.environ["LOSSLAB_CACHE_DIR"] = os.path.join(tmp, "inflated")
    try:
        splits = args.splits
        if not splits:
            splits = os.path.join(tmp, "splits")
            benchmark.run("export splits", [export_bin, one_trial, splits])
        train_file, test_file = export_liblinear_files(splits, tmp)

        losslab_runs = [(f"losslab {what} {loss}", config, loss)
                        for what, config in (("one trial", one_trial), ("sweep (16, -j2)", sweep16))
                        for loss in ("softmax", "svm")]
        results = {}
        liblinear_repeats = args.repeats if args.liblinear_repeats is None else args.liblinear_repeats
        print(f"== Runs ({args.repeats} repeats of losslab, {liblinear_repeats} of LIBLINEAR, interleaved) ==")
        for r in range(max(args.repeats, liblinear_repeats)):
            print(f"repeat {r + 1} (load: {os.getloadavg()[0]:.2f})")
            for solver in SOLVERS if r < liblinear_repeats else ():
                results.setdefault(f"liblinear {solver}", []).append(run_liblinear(solver, train_file, test_file, tmp))
            for label, config, loss in losslab_runs if r < args.repeats else ():
                run = benchmark.run_losslab(label, run_bin, config, tmp, 2, False, extra=("--set", f"loss.kind={loss}"))
                print(f"  {label:<46} {run.wall:8.2f} s  {run.rss_kb / 1024:7.0f} MiB  "
                      f"test accuracy {run.extra['test_accuracy']:.4f} (best by validation: {run.extra['best']})",
                      flush=True)
                results.setdefault(label, []).append(run)
        print(f"load after the runs: {os.getloadavg()[0]:.2f}\n")
        report(results, losslab_runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def medians(runs):
    return (benchmark.median([r.wall for r in runs]), benchmark.median([r.rss_kb / 1024 for r in runs]),
            benchmark.median([r.extra["test_accuracy"] for r in runs]))


def report(results, losslab_runs):
    print("== Medians ==")
    print(f"{'run':<50} {'wall s':>8} {'peak MiB':>9} {'test acc':>9}")
    for key, runs in results.items():
        label = f"LIBLINEAR {SOLVERS[int(key.split()[1])][0]}" if key.startswith("liblinear") else key
        wall, rss, accuracy = medians(runs)
        print(f"{label:<50} {wall:8.2f} {rss:9.0f} {accuracy:9.4f}")
    print()
    print("== Time to LIBLINEAR's test accuracy (the quickest losslab run of the same loss family that reaches it) ==")
    for solver, (name, loss) in SOLVERS.items():
        wall, _, target = medians(results[f"liblinear {solver}"])
        family_medians = [(medians(results[label]), label) for label, _, family in losslab_runs if family == loss]
        reaching = [(run_wall, label) for (run_wall, _, accuracy), label in family_medians if accuracy >= target]
        if not reaching:
            print(f"{name}: {target:.4f} in {wall:.2f} s; no losslab {loss} run here reaches it")
            continue
        quickest, label = min(reaching)
        print(f"{name}: {target:.4f} in {wall:.2f} s; {label}: {quickest:.2f} s -> {wall / quickest:.1f}x sooner")


if __name__ == "__main__":
    main()
