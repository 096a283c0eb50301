#!/usr/bin/env bash
# losslab against the course-style numpy loop and scikit-learn, side by side in one run.
# Usage (from anywhere): experiments/peers/benchmark.sh [--repeats 3] [--sgd-repeats 1] [--hinge]
#                        [--no-profile] [--export-splits PATH] [--splits DIR]
# Needs build/bin/ built (losslab-run, losslab-bench-kernels, losslab-export-splits) and
# experiments/peers/setup.sh run once. Takes about 4 minutes on 2 idle cores with the defaults
# (5.5 with --hinge), longer on a busy machine.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/benchmark.py" "$@"
