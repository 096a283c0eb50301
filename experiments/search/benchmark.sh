#!/usr/bin/env bash
# losslab's adaptive search against its exhaustive sweep and against Optuna, side by side in one run.
# Usage (from anywhere): experiments/search/benchmark.sh [--repeats 3] [--no-one-thread] [--splits DIR]
# Needs build/bin/ built (losslab-run, losslab-export-splits), experiments/peers/setup.sh run once
# and Debian's python3-optuna.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/benchmark.py" "$@"
