"""What the peers and the benchmarks that run them share: the exported splits, the 4 x 4 grid,
JSON-line output, BLAS info; and, for the benchmark drivers, running a process and measuring it
(wall time, peak RSS, CPU from wait4), the peers' environment, the machine's description, medians.

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


class CourseSetup:
    """What the numpy loop takes from a losslab config (an SGD sweep over
    optimizer.learning_rate x regularization.strength, as configs/cifar10.yaml): the loss, the grid
    in the config's order (last axis fastest), epochs, batch, seed, init scale and whether the bias
    row is penalized. Defaults are losslab's (runner/README.md's key table)."""

    def __init__(self, path):
        import yaml
        with open(path) as f:
            config = yaml.safe_load(f)
        section = lambda name: config.get(name) or {}
        grid_axes = section("sweep").get("grid") or {}
        unknown = set(grid_axes) - {"optimizer.learning_rate", "regularization.strength"}
        if unknown:
            sys.exit(f"{path}: the numpy loop sweeps optimizer.learning_rate x regularization.strength only, "
                     f"not {sorted(unknown)}")
        learning_rates = grid_axes.get("optimizer.learning_rate", [section("optimizer").get("learning_rate")])
        strengths = grid_axes.get("regularization.strength", [section("regularization").get("strength")])
        self.trials = [(float(lr), float(reg)) for lr in learning_rates for reg in strengths]
        self.loss = section("loss").get("kind", "softmax")
        self.epochs = int(section("training").get("epochs", 10))
        self.seed = int(section("training").get("seed", 0))
        self.init_scale = float(section("training").get("init_scale", 1e-3))
        self.batch = int(section("optimizer").get("batch_size", 200))
        self.regularize_bias = bool(section("regularization").get("regularize_bias", False))


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


# The drivers' helpers below import what only they need inside the functions: every peer imports
# this module, and a peer's whole-process time is measured.

# Environment variables that slow OpenBLAS down on some processors when set: unset for the peers.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def peer_environment():
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Run:
    """One process: wall seconds, peak RSS (KiB), CPU seconds, its output, and the wall-clock time
    (time.time()) just before it was started, to place its own timestamps relative to its start."""

    def __init__(self, label, launched_at, wall, rss_kb, cpu, stdout, stderr, code):
        self.label, self.launched_at, self.wall, self.rss_kb, self.cpu = label, launched_at, wall, rss_kb, cpu
        self.stdout, self.stderr, self.code = stdout, stderr, code
        self.extra = {}

    def json_lines(self):
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]


def run(label, cmd, env=None, log=None):
    """Runs cmd from the repository's root; whole-process wall time, peak RSS and CPU come from
    wait4() (what /usr/bin/time -f '%e %M' reports). Exits with the process's stderr if it fails."""
    import subprocess
    import tempfile
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        launched_at = time.time()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        result = Run(label, launched_at, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, out.read(),
                     err.read(), proc.returncode)
    if result.code != 0:
        sys.exit(f"{label} failed (exit {result.code}): {' '.join(cmd)}\n{result.stderr[-3000:]}")
    if log:
        print(f"  {label:<28} {wall:8.2f} s  {result.rss_kb / 1024:7.0f} MiB  (cpu {result.cpu:.2f} s)", flush=True)
    return result


def exported_splits(tmp, export_bin, config, reuse=None):
    """The splits the peers read: `reuse`, or those losslab-export-splits CONFIG writes into tmp.
    Also points LOSSLAB_CACHE_DIR at tmp's own folder, empty at first: losslab keeps inflated copies
    of the gzip'd images there (runner/README.md, Inflated copies), so the first losslab process to
    load Fashion-MNIST (the export, or else the benchmark's first run) keeps them and every later
    one reads them back, as any second run of losslab does; the peers, too, start from files
    prepared once (the exported .npy splits)."""
    os.environ["LOSSLAB_CACHE_DIR"] = os.path.join(tmp, "inflated")
    if reuse:
        return reuse
    splits = os.path.join(tmp, "splits")
    exported = run("export splits", [export_bin, config, splits])
    print(f"splits for the peers (losslab-export-splits {os.path.basename(config)}): {exported.stdout.strip()}\n")
    return splits


def median(values):
    import statistics
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec=".2f", unit=""):
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def sh(cmd, env=None):
    import subprocess
    return subprocess.run(cmd, capture_output=True, text=True, env=env, shell=isinstance(cmd, str)).stdout.strip()


def print_machine_lines():
    """Date, load, CPU and the OpenBLAS variables the peers run without."""
    import platform
    print(f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"uptime: {sh('uptime')}")
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    print(f"cpu: {cpu}, {os.cpu_count()} cores; {platform.platform()}")
    for var in OPENBLAS_VARS:
        print(f"{var} in this environment: {os.environ.get(var, '(unset)')} -> unset for the peers")
