#!/usr/bin/env bash
# The HTML report at scale. For a real sweep (sweep.yaml: tiny 2-D blobs, so that losslab-run
# records thousands of trials in seconds) of 1,000 and of 10,000 trials: the page's size, the time
# `losslab-report html` takes to write it, and headless Chromium's times to draw it; then, on the
# 10,000-trial database, `losslab-report serve`: the page's GET, and the live path for one more
# trial (the /api/updates answer that brings it, its size, and the open page's redraw).
#
#   experiments/report_scale/benchmark.sh [WORKDIR]     (from the repository root, after a build)
#
# WORKDIR keeps the databases and pages; without it they go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
KEEP=$#
if [[ $KEEP -ge 1 ]]; then DIR=$1; mkdir -p "$DIR"; else DIR=$(mktemp -d); fi
server=
cleanup() {
  if [[ -n $server ]]; then kill "$server" && wait "$server" || true; fi
  [[ $KEEP -ge 1 ]] || rm -rf "$DIR"
}
trap cleanup EXIT
RUN=build/bin/losslab-run
REPORT=build/bin/losslab-report
CONFIG=experiments/report_scale/sweep.yaml
timing() { /usr/bin/python3 experiments/report_scale/page_timing.py "$@"; }
millis() { echo $(($(date +%s%N) / 1000000)); }
record() { "$RUN" "$CONFIG" --set "sweep.random.trials=$1" --db "$2" --jobs 2 --no-progress --log-level warn >/dev/null; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(chromium --version 2>/dev/null)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
for trials in 1000 10000; do
  db=$DIR/trials$trials.db page=$DIR/trials$trials.html
  rm -f "$db" "$db-wal" "$db-shm"
  start=$(millis)
  record "$trials" "$db"
  echo
  echo "== $trials trials (recorded in $((($(millis) - start))) ms; database $(($(stat -c %s "$db") / 1048576)) MiB)"
  writes=()
  for _ in 1 2 3; do
    start=$(millis)
    "$REPORT" html "$db" -o "$page" 2>/dev/null
    writes+=($(($(millis) - start)))
  done
  median=$(printf '%s\n' "${writes[@]}" | sort -n | sed -n 2p)
  echo "html: $(stat -c %s "$page") bytes; losslab-report html: median $median ms of 3 (${writes[*]} ms)"
  echo "chromium, 3 fresh loads (ms from navigation start):"
  for _ in 1 2 3; do timing load "$page"; done
done

echo
echo "== live: losslab-report serve on the 10000-trial database, one more trial at a time"
db=$DIR/trials10000.db
"$REPORT" serve "$db" --port 0 >"$DIR/serve.out" 2>"$DIR/serve.err" &
server=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*/' "$DIR/serve.out" || true)
  [[ -n $url ]] && break
  sleep 0.1
done
[[ -n $url ]] || { cat "$DIR/serve.err"; exit 1; }
curl -s -o "$DIR/served.html" -w 'GET /: %{size_download} bytes in %{time_total} s\n' "$url"
# The page's cursor: asking from it while nothing changes is what every open page does every 2 s.
since=$(/usr/bin/python3 -c 'import re, sys; live = re.search(r"\"live\":(\{[^}]*\})", open(sys.argv[1]).read()).group(1)
import json; live = json.loads(live); print("since=%d&server=%s" % (live["cursor"], live["server"]))' "$DIR/served.html")
curl -s -o /dev/null -w 'GET /api/updates with nothing new: %{size_download} bytes in %{time_total} s\n' "${url}api/updates?$since"
for trials in 10001 10002 10003; do
  timing live "$url" -- "$RUN" "$CONFIG" --set "sweep.random.trials=$trials" --db "$db" --no-progress --log-level warn
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
