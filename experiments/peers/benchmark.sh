#!/usr/bin/env bash
# losslab against the course-style numpy loop and scikit-learn, side by side in one run.
# Usage (from anywhere): experiments/peers/benchmark.sh [--repeats 3] [--sgd-repeats 1] [--hinge]
#                        [--no-profile] [--export-splits PATH] [--splits DIR]
#                        [--cifar10 | --cifar10-only] [--cifar10-dir DIR]
# Needs build/bin/ built (losslab-run, losslab-bench-kernels, losslab-export-splits) and
# experiments/peers/setup.sh run once. Takes about 4 minutes on 2 idle cores with the defaults
# (5.5 with --hinge; --cifar10 adds the CIFAR-10 sweep and numpy loop), longer on a busy machine.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/benchmark.py" "$@"
