#!/usr/bin/python3
"""Optuna driving the course-style numpy loop: the peer of losslab's TPE search.

TPESampler(seed) + HyperbandPruner(min_resource=1, max_resource=EPOCHS, reduction_factor=3), both
otherwise at their defaults, over loss {svm, softmax} x learning rate log-uniform [1e-4, 1] x L2
strength log-uniform [1e-6, 1e-1]; each trial is experiments/peers/numpy_softmax_svm.py's loop
(SGD, batch 200 drawn with replacement, training seed --train-seed, 0 by default as losslab's trials), which reports its
validation accuracy after every epoch (trial.report) and stops when trial.should_prune() says so.
The study has a fixed name, which makes the pruner's brackets, hence the whole search, the same in
every run.
The objective is the last epoch's validation accuracy. One process, one trial at a time (the
study's default n_jobs=1); numpy's OpenBLAS uses its default threads.

Usage:
  optuna_numpy.py --splits DIR [--trials 32] [--epochs 10] [--seed 0] [--train-seed 0]
Prints one JSON line per epoch as it ends: {"trial", "epoch", "val_accuracy", "time"} with time
the wall-clock time (time.time()), so the caller can place it relative to the process's start;
then one {"summary": ...} line.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))

import numpy as np  # noqa: E402
import optuna  # noqa: E402

import numpy_softmax_svm  # noqa: E402
import peer_common  # noqa: E402

BATCH = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", required=True, help="directory written by losslab-export-splits")
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="the sampler's seed")
    parser.add_argument("--train-seed", type=int, default=0,
                        help="the numpy loop's seed (np.random.seed before each trial: W's start, minibatches)")
    args = parser.parse_args()

    with peer_common.Stopwatch() as load:
        data = peer_common.load_splits(args.splits)
    np.seterr(over="ignore", invalid="ignore", divide="ignore")  # a diverging trial scores low, not fatal
    epochs_trained = []

    def objective(trial):
        loss = trial.suggest_categorical("loss", ["svm", "softmax"])
        lr = trial.suggest_float("learning_rate", 1e-4, 1.0, log=True)
        reg = trial.suggest_float("strength", 1e-6, 1e-1, log=True)

        def on_epoch(epoch, val_accuracy):
            peer_common.emit({"trial": trial.number, "epoch": epoch, "val_accuracy": val_accuracy,
                              "time": time.time()})
            epochs_trained.append(epoch)
            trial.report(val_accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        result = numpy_softmax_svm.train_one(data, loss, lr, reg, args.epochs, BATCH, args.train_seed, on_epoch)
        return result["val_accuracy"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # A fixed study name: HyperbandPruner assigns trials to brackets by a hash of the study's name,
    # and the default name is a fresh UUID, so the runs would differ from one another.
    study = optuna.create_study(
        study_name="search-tpe32", direction="maximize", sampler=optuna.samplers.TPESampler(seed=args.seed),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=args.epochs, reduction_factor=3))
    with peer_common.Stopwatch() as search:
        study.optimize(objective, n_trials=args.trials)

    states = {}
    for trial in study.trials:
        states[trial.state.name.lower()] = states.get(trial.state.name.lower(), 0) + 1
    # Each trial's validation accuracy at its last epoch, pruned trials included (losslab's ranking
    # counts a pruned trial at its last rung); study.best_value counts completed trials only.
    last_values = [t.intermediate_values[max(t.intermediate_values)] for t in study.trials if t.intermediate_values]
    peer_common.emit({"summary": {
        "peer": "optuna+numpy", "optuna": optuna.__version__, "trials": len(study.trials), "states": states,
        "epochs_trained": len(epochs_trained), "load_seconds": load.seconds, "search_seconds": search.seconds,
        "best_value": study.best_value, "best_params": study.best_params, "best_last_value": max(last_values, default=None),
        "blas": peer_common.blas_description()}})


if __name__ == "__main__":
    main()
