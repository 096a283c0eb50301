#!/usr/bin/env bash
# The lecture's gradient check on real data: losslab-gradcheck on each trial of config.yaml, 2000
# coordinates of W (of 7850) at the initial W and after 10 SGD steps.
# Usage (from anywhere): experiments/gradient_check/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source experiments/lib.sh
EXP=experiments/gradient_check
echo "losslab $(git rev-parse --short HEAD), $(nproc) cores"
echo
build/bin/losslab-run "$EXP/config.yaml" --dry-run | grep -E '^[0-9a-f]{16} ' | while read -r key name _; do
  start=$(date +%s.%N)
  status=0
  out=$(build/bin/losslab-gradcheck "$EXP/config.yaml" --trial "$key" --samples 2000) || status=$?
  echo "== $name (exit $status, $(seconds_since "$start") s)"
  echo "$out" | sed -n '/^point/,/^$/p' | sed '/^$/d'
  echo "$out" | grep -E '^(PASS|FAIL|NOTHING)'
  echo
done
