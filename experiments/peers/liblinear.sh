#!/usr/bin/env bash
# LIBLINEAR beside losslab's SVM and softmax runs, in one run (see liblinear.py for what it does).
# Usage (from anywhere): experiments/peers/liblinear.sh [--repeats 3] [--liblinear-repeats N] [--splits DIR] [--bin DIR]
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/liblinear.py" "$@"
