"""What the peers share: the exported splits, the 4 x 4 grid, JSON-line output, BLAS info.

The splits are the ones losslab trains on, written by
`build/bin/losslab-export-splits CONFIG.yaml DIR` as DIR/{train,val,test}_X.npy (float32, C order,
N x D including the bias column) and DIR/{train,val,test}_y.npy (int32).
"""
import json
import os
import sys
import time

import numpy as np

# The grid of experiments/peers/sweep16.yaml, in its order (last axis fastest).
GRID_LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2]
GRID_STRENGTHS = [1e-5, 1e-4, 1e-3, 1e-2]


def grid():
    return [(lr, reg) for lr in GRID_LEARNING_RATES for reg in GRID_STRENGTHS]


def load_splits(directory):
    """(X_train, y_train, X_val, y_val, X_test, y_test) as losslab exported them."""
    arrays = []
    for split in ("train", "val", "test"):
        X = np.load(os.path.join(directory, f"{split}_X.npy"))
        y = np.load(os.path.join(directory, f"{split}_y.npy"))
        if X.dtype != np.float32 or y.dtype != np.int32 or X.ndim != 2 or X.shape[0] != y.shape[0]:
            sys.exit(f"{directory}: {split} split is not float32 N x D with int32 labels")
        arrays += [np.ascontiguousarray(X), y.astype(np.int64)]
    return tuple(arrays)


def has_bias_column(X):
    """losslab's bias trick appends a constant-1 column last."""
    return bool(np.all(X[:, -1] == 1.0))


def blas_description():
    """Which BLAS numpy runs, its kernel and thread count (threadpoolctl when installed)."""
    try:
        import threadpoolctl
        parts = []
        for info in threadpoolctl.threadpool_info():
            parts.append(f"{info.get('internal_api')} {info.get('version')} "
                         f"{info.get('threading_layer', '')} kernel={info.get('architecture')} "
                         f"threads={info.get('num_threads')}")
        return "; ".join(parts) or "no BLAS found by threadpoolctl"
    except ImportError:
        return "threadpoolctl not installed (see numpy.show_config())"


def emit(record):
    print(json.dumps(record), flush=True)


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
