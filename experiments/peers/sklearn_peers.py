#!/usr/bin/python3
"""scikit-learn peers of losslab on the same splits: SGDClassifier and LogisticRegression.

SGDClassifier(loss='hinge' | 'log_loss') is what a scikit-learn user reaches for first. Note what
it is and is not compared with losslab:
  - it updates after every single example (batch size 1: that is what SGDClassifier does), one
    shuffled pass per epoch, learning_rate='constant', eta0 = lr, max_iter = epochs, tol=None
    (exactly `epochs` passes);
  - multiclass is one-vs-all: 10 binary classifiers ('hinge' is the binary hinge, not the
    Weston-Watkins multiclass SVM; 'log_loss' is binary logistic, not softmax); n_jobs=2 trains
    the 10 binary problems on both cores;
  - its L2 penalty is alpha * 1/2 ||w||^2, so alpha = 2 * reg matches losslab's reg * sum W^2;
    the intercept is not penalized (fit_intercept=True on X without losslab's bias column),
    as losslab's regularize_bias: false.
LogisticRegression(solver='lbfgs') is multinomial (softmax) logistic regression minimizing
1/2 ||w||^2 + C sum_i loss_i; dividing losslab's mean loss + reg sum W^2 by 2 reg N gives the same
minimizer with C = 1 / (2 N reg). Default max_iter=100 unless --max-iter.

Usage:
  sklearn_peers.py --splits DIR --model sgd|logreg [--loss log_loss|hinge] [--lr 1e-2] [--reg 1e-4]
                   [--epochs 10] [--seed 0] [--grid] [--max-iter 100]
--grid (sgd only) trains the 16 trials of sweep16.yaml one after the other in this process.
Prints one JSON line per trial and a final {"summary": ...} line.
"""
import argparse
import warnings

import numpy as np

import peer_common


def without_bias(X):
    return X[:, :-1] if peer_common.has_bias_column(X) else X


def accuracies(model, data):
    X_train, y_train, X_val, y_val, X_test, y_test = data
    return {"train_accuracy": float(model.score(X_train, y_train)),
            "val_accuracy": float(model.score(X_val, y_val)),
            "test_accuracy": float(model.score(X_test, y_test))}


def train_sgd(data, loss, lr, reg, epochs, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier
    model = SGDClassifier(loss=loss, penalty="l2", alpha=2 * reg, learning_rate="constant", eta0=lr,
                          max_iter=epochs, tol=None, shuffle=True, random_state=seed, n_jobs=2,
                          fit_intercept=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with peer_common.Stopwatch() as fit:
            model.fit(data[0], data[1])
    return {"peer": f"sklearn-sgd-{loss}", "loss": loss, "lr": lr, "reg": reg, "alpha": 2 * reg,
            "epochs": epochs, "batch_size": 1, "seed": seed, "train_seconds": fit.seconds,
            **accuracies(model, data), "diverged": not bool(np.all(np.isfinite(model.coef_)))}


def train_logreg(data, reg, max_iter):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    n = data[0].shape[0]
    C = 1.0 / (2.0 * n * reg)
    model = LogisticRegression(solver="lbfgs", C=C, max_iter=max_iter, multi_class="multinomial")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with peer_common.Stopwatch() as fit:
            model.fit(data[0], data[1])
    return {"peer": "sklearn-logreg", "loss": "softmax", "reg": reg, "C": C, "solver": "lbfgs",
            "max_iter": max_iter, "iterations": int(np.max(model.n_iter_)),
            "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
            "train_seconds": fit.seconds, **accuracies(model, data)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", required=True, help="directory written by losslab-export-splits")
    parser.add_argument("--model", choices=["sgd", "logreg"], default="sgd")
    parser.add_argument("--loss", choices=["log_loss", "hinge"], default="log_loss")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--reg", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, default=100, help="logreg: L-BFGS iterations")
    parser.add_argument("--grid", action="store_true", help="sgd: the 16 trials of sweep16.yaml")
    args = parser.parse_args()
    if args.grid and args.model != "sgd":
        parser.error("--grid is for --model sgd")

    with peer_common.Stopwatch() as load:
        splits = peer_common.load_splits(args.splits)
        # The bias trick's column out, fit_intercept in: the intercept is then not penalized.
        data = tuple(without_bias(a) if i % 2 == 0 else a for i, a in enumerate(splits))
        data = tuple(np.ascontiguousarray(a, dtype=np.float64) if i % 2 == 0 else a
                     for i, a in enumerate(data))  # SGDClassifier works in float64 (it converts anyway)
    results = []
    with peer_common.Stopwatch() as total:
        if args.model == "logreg":
            results.append(train_logreg(data, args.reg, args.max_iter))
            peer_common.emit(results[-1])
        else:
            for lr, reg in (peer_common.grid() if args.grid else [(args.lr, args.reg)]):
                results.append(train_sgd(data, args.loss, lr, reg, args.epochs, args.seed))
                peer_common.emit(results[-1])
    best = max(results, key=lambda r: r["val_accuracy"])
    peer_common.emit({"summary": {
        "peer": results[0]["peer"], "trials": len(results), "load_seconds": load.seconds,
        "train_seconds_total": total.seconds,
        "best": {k: best.get(k) for k in ("lr", "reg", "val_accuracy", "test_accuracy")},
        "blas": peer_common.blas_description()}})


if __name__ == "__main__":
    main()
