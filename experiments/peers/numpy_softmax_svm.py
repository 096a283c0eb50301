#!/usr/bin/python3
"""The course-style vectorized numpy linear classifier (CS231n assignment 1), as a peer of losslab.

W is D x C, scores are X.W, the losses are vectorized exactly as the assignment's
`softmax_loss_vectorized` (shift by the row max) and `svm_loss_vectorized`; L2 is reg * sum(W^2)
with gradient 2 reg W, the bias row left out (losslab's regularize_bias: false) unless
--regularize-bias; W starts at 0.001 * randn (--init-scale); minibatch SGD draws 200 examples
with replacement each step (np.random.choice(N, 200, replace=True)), N // 200 steps an epoch. Everything is float32.
Validation accuracy is computed after every epoch, as the assignment's training loops do.

Usage:
  numpy_softmax_svm.py --splits DIR [--loss softmax|svm] [--lr 1e-2] [--reg 1e-4] [--epochs 10]
                       [--batch 200] [--seed 0] [--init-scale 1e-3] [--regularize-bias] [--grid]
  numpy_softmax_svm.py --splits DIR --config LOSSLAB.yaml
--grid trains the 16 trials of sweep16.yaml (4 learning rates x 4 strengths) one after the other
in this process. --config trains a losslab config's grid the same way, with its loss, epochs,
batch, seed, init scale and regularize_bias (peer_common.CourseSetup; configs/cifar10.yaml).
Prints one JSON line per trial and a final {"summary": ...} line.
"""
import argparse
import time

import numpy as np

import peer_common


def softmax_loss_vectorized(W, X, y, reg, reg_rows):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(num_train), y])) / num_train
    Wr = W[:reg_rows]
    loss += reg * np.sum(Wr * Wr)
    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dscores /= num_train
    dW = X.T.dot(dscores)
    dW[:reg_rows] += 2 * reg * Wr
    return loss, dW


def svm_loss_vectorized(W, X, y, reg, reg_rows, delta=1.0):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(num_train), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + delta)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train
    Wr = W[:reg_rows]
    loss += reg * np.sum(Wr * Wr)
    binary = (margins > 0).astype(X.dtype)
    binary[np.arange(num_train), y] = -np.sum(binary, axis=1)
    dW = X.T.dot(binary) / num_train
    dW[:reg_rows] += 2 * reg * Wr
    return loss, dW


LOSSES = {"softmax": softmax_loss_vectorized, "svm": svm_loss_vectorized}


def predict(W, X):
    return np.argmax(X.dot(W), axis=1)


def accuracy(W, X, y):
    return float(np.mean(predict(W, X) == y))


def train_one(data, loss_name, lr_arg, reg_arg, epochs, batch_size, seed, on_epoch=None, init_scale=0.001,
              regularize_bias=False):
    """Trains one classifier; on_epoch(epoch, val_accuracy) (1-based epoch) is called after each
    epoch's validation accuracy, as a tuner's report hook (an exception it raises stops training)."""
    X_train, y_train, X_val, y_val, X_test, y_test = data
    num_train, dim = X_train.shape
    num_classes = int(max(y_train.max(), y_val.max(), y_test.max())) + 1
    reg_rows = dim - 1 if peer_common.has_bias_column(X_train) and not regularize_bias else dim
    loss_fn = LOSSES[loss_name]
    lr = np.float32(lr_arg)
    reg = np.float32(reg_arg)

    start = time.perf_counter()
    np.random.seed(seed)
    W = (init_scale * np.random.randn(dim, num_classes)).astype(np.float32)
    iterations_per_epoch = max(num_train // batch_size, 1)
    loss_history, val_history = [], []
    for it in range(epochs * iterations_per_epoch):
        batch_idx = np.random.choice(num_train, batch_size, replace=True)
        X_batch = X_train[batch_idx]
        y_batch = y_train[batch_idx]
        loss, grad = loss_fn(W, X_batch, y_batch, reg, reg_rows)
        loss_history.append(float(loss))
        W -= lr * grad
        if (it + 1) % iterations_per_epoch == 0:
            val_history.append(accuracy(W, X_val, y_val))
            if on_epoch:
                on_epoch(len(val_history), val_history[-1])
    train_seconds = time.perf_counter() - start

    return {
        "peer": "numpy", "loss": loss_name, "lr": float(lr_arg), "reg": float(reg_arg), "epochs": epochs,
        "batch_size": batch_size, "steps": len(loss_history), "seed": seed,
        "train_seconds": train_seconds,
        "final_loss": float(np.mean(loss_history[-iterations_per_epoch:])),
        "train_accuracy": accuracy(W, X_train, y_train),
        "val_accuracy": accuracy(W, X_val, y_val),
        "test_accuracy": accuracy(W, X_test, y_test),
        "val_accuracy_per_epoch": val_history,
        "diverged": not bool(np.all(np.isfinite(W))),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", required=True, help="directory written by losslab-export-splits")
    parser.add_argument("--loss", choices=sorted(LOSSES), default="softmax")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--reg", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-scale", type=float, default=1e-3, help="W starts at randn * this")
    parser.add_argument("--regularize-bias", action="store_true", help="penalize the bias row too")
    parser.add_argument("--grid", action="store_true", help="the 16 trials of sweep16.yaml, sequentially")
    parser.add_argument("--config", help="a losslab config: its grid and settings, sequentially")
    args = parser.parse_args()
    if args.config:
        setup = peer_common.CourseSetup(args.config)
        args.loss, args.epochs, args.batch, args.seed = setup.loss, setup.epochs, setup.batch, setup.seed
        args.init_scale, args.regularize_bias = setup.init_scale, setup.regularize_bias
        if args.loss not in LOSSES:
            parser.error(f"{args.config}: loss.kind {args.loss} is not one of {sorted(LOSSES)}")

    with peer_common.Stopwatch() as load:
        data = peer_common.load_splits(args.splits)
    trials = setup.trials if args.config else peer_common.grid() if args.grid else [(args.lr, args.reg)]
    np.seterr(over="ignore", invalid="ignore", divide="ignore")  # a diverging trial is reported, not fatal
    results = []
    with peer_common.Stopwatch() as total:
        for lr, reg in trials:
            result = train_one(data, args.loss, lr, reg, args.epochs, args.batch, args.seed,
                               init_scale=args.init_scale, regularize_bias=args.regularize_bias)
            peer_common.emit(result)
            results.append(result)
    best = max(results, key=lambda r: r["val_accuracy"])
    peer_common.emit({"summary": {
        "peer": "numpy", "trials": len(results), "load_seconds": load.seconds,
        "train_seconds_total": total.seconds,
        "best": {k: best[k] for k in ("lr", "reg", "val_accuracy", "test_accuracy")},
        "blas": peer_common.blas_description()}})


if __name__ == "__main__":
    main()
