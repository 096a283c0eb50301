#!/usr/bin/python3
"""Best validation accuracy of shapes of losslab's batch TPE over many seeds, beside Optuna's.

Accuracies only: both sides are deterministic for a seed (losslab for any --jobs; the numpy loop
with np.random.seed and Optuna's fixed study name), so this runs on a busy machine too, and it is
how benchmark.py's sides are chosen. A shape is a --set list on tpe32.yaml; seed S sets the
sampler seed and the training seed to S on both sides, as benchmark.py does.

  experiments/search/shapes.py [--seeds 0-9] [--splits DIR] [--shape NAME=SETS ...] [--no-optuna]

--shape adds or replaces a shape: NAME=key=value,key=value (e.g. "4x8 HB=sweep.rounds=4,
sweep.batch=8,sweep.strategy=hyperband"). Prints one row per shape: its trial-epochs (seed 0),
the best validation accuracy per seed, their median.
"""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "peers"))
sys.path.insert(0, HERE)  # before peers/: both directories have a benchmark.py

from benchmark import run_losslab, run_optuna, seeded  # noqa: E402
from peer_common import ROOT, exported_splits, median, peer_environment  # noqa: E402

SHAPES = {
    "TPE 8 x 4": "",
    "TPE 8 x 4 + Hyperband": "sweep.strategy=hyperband",
    "TPE 4 x 8": "sweep.rounds=4,sweep.batch=8",
    "TPE 4 x 8 + Hyperband": "sweep.rounds=4,sweep.batch=8,sweep.strategy=hyperband",
    "TPE 4 x 8 + halving": "sweep.rounds=4,sweep.batch=8,sweep.strategy=successive_halving",
}


def seed_range(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def set_args(sets):
    args = []
    for item in filter(None, sets.split(",")):
        args += ["--set", item.strip()]
    return tuple(args)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0-9", help="seeds, FIRST-LAST (default 0-9)")
    parser.add_argument("--splits", default=None, help="reuse a directory of exported splits")
    parser.add_argument("--shape", action="append", default=[], help="NAME=key=value,... (repeatable)")
    parser.add_argument("--only", action="store_true", help="run only the --shape shapes")
    parser.add_argument("--no-optuna", action="store_true", help="skip Optuna")
    args = parser.parse_args()
    shapes = {} if args.only else dict(SHAPES)
    for spec in args.shape:
        name, _, sets = spec.partition("=")
        shapes[name] = sets
    seeds = seed_range(args.seeds)
    tpe32 = os.path.join(HERE, "tpe32.yaml")
    tmp = tempfile.mkdtemp(prefix="losslab-shapes-")
    rows = []
    try:
        if not args.no_optuna:
            splits = exported_splits(tmp, os.path.join(ROOT, "build", "bin", "losslab-export-splits"), tpe32,
                                     args.splits)
            runs = [run_optuna(f"Optuna + numpy, seed {s}", splits, peer_environment(), s) for s in seeds]
            rows.append(("Optuna TPE + HyperbandPruner", runs))
        for name, sets in shapes.items():
            runs = [run_losslab(f"{name}, seed {s}", tpe32, tmp, set_args(sets) + seeded(s)) for s in seeds]
            rows.append((name, runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"{'side':<34}{'trial-ep.':>10}" + "".join(f"{'seed ' + str(s):>9}" for s in seeds) + f"{'median':>9}")
    for name, runs in rows:
        values = [x.extra["best_val"] for x in runs]
        print(f"{name:<34}{runs[0].extra['trial_epochs']:>10}" + "".join(f"{v:>9.4f}" for v in values)
              + f"{median(values):>9.4f}")


if __name__ == "__main__":
    main()
