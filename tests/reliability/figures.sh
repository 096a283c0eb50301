#!/usr/bin/env bash
# Runs every reliability check and prints the reliability table of runner/README.md (markdown) on stdout.
#   tests/reliability/figures.sh [BUILD_DIR] [FUZZ_BUILD_DIR]     defaults: build/, build-fuzz/
# BUILD_DIR must hold a release build with the tests (config_test, loaders_test). Fuzz figures come
# from FUZZ_BUILD_DIR/fuzz-runs/summary.tsv, the record of the last tests/fuzz/smoke.sh run there
# (e.g. tests/fuzz/smoke.sh build-fuzz 300 for the longer run); with RUN_FUZZ=1, or when there is
# none, the smoke run (20 s per target) is run first. Each script's own output goes to stderr.
# Exits 1 if any check failed (its row says FAILED).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_dir=${1:-$repo/build}
fuzz_dir=${2:-$repo/build-fuzz}

export RELIABILITY_FIGURES
RELIABILITY_FIGURES=$(mktemp "${TMPDIR:-/tmp}/losslab-figures-XXXXXX")
trap 'rm -f "$RELIABILITY_FIGURES"' EXIT
declare -A status
for script in kill_resume concurrent signals io_faults; do
  echo "== $script" >&2
  if "$here/$script.sh" "$build_dir" >&2; then status[$script]=ok; else status[$script]=FAILED; fi
done

# figure SCRIPT KEY: a value the script recorded.
figure() { sed -n "s/^$1 .*\b$2=\([^ ]*\).*/\1/p" "$RELIABILITY_FIGURES" | tail -1; }

# Malformed inputs, counted from the test binaries: every invalid-config case of config_test
# (the parameterized Validation/MalformedConfig cases and the Validation tests), and the loader
# tests of loaders_test that feed a corrupted file (Rejects*) or a missing one (Missing*).
list_tests() {  # list_tests BINARY: "Suite.Test" per line
  "$build_dir/bin/$1" --gtest_list_tests 2>/dev/null |
    awk '/^[^ ]/ { suite = $1 } /^  / { print suite $1 }'
}
configs=$(list_tests config_test | grep -cE '^Validation(/MalformedConfig)?\.')
loader_suites='(IdxLoader|MnistDirectory|Cifar10Loader|CsvLoader)'
corrupted=$(list_tests loaders_test | grep -cE "^$loader_suites\.Rejects")
missing=$(list_tests loaders_test | grep -cE "^$loader_suites\.Missing")
# Hostile inputs: the config reader's limits (alias bombs, nesting, size), the executables' inputs
# that used to end in an uncaught exception or a crash, and the config fuzzer's YAML seeds.
limit_cases=$(list_tests config_test | grep -cE '^ConfigLimits\.')
hostile_cases=$(list_tests hostile_input_test | grep -cE '^HostileInput\.')
yaml_seeds=$(find "$repo/tests/fuzz/corpus/fuzz_config" -name 'yaml-*' | wc -l)

summary="$fuzz_dir/fuzz-runs/summary.tsv"
if [[ ${RUN_FUZZ:-0} == 1 || ! -f $summary ]]; then
  echo "== fuzz smoke" >&2
  "$repo/tests/fuzz/smoke.sh" "$fuzz_dir" >&2 || true
fi
fuzz_status=FAILED fuzz_execs=0 fuzz_text="not run (no clang?)"
if [[ -f $summary ]]; then
  fuzz_execs=$(awk -F'\t' 'NR > 1 { s += $3 } END { print s + 0 }' "$summary")
  fuzz_failed=$(awk -F'\t' 'NR > 1 && $5 != 0 { n++ } END { print n + 0 }' "$summary")
  fuzz_targets=$(awk -F'\t' 'NR > 1 { n++ } END { print n + 0 }' "$summary")
  fuzz_seconds=$(awk -F'\t' 'NR == 2 { print $2 }' "$summary")
  fuzz_each=$(awk -F'\t' 'NR > 1 { printf "%s%s %s", sep, $1, $3; sep = ", " }' "$summary")
  fuzz_text="$fuzz_targets libFuzzer targets x ${fuzz_seconds} s with ASan + UBSan ($fuzz_each)"
  ((fuzz_failed == 0)) && fuzz_status=ok
fi

result() {  # result STATUS TEXT [DETAIL]
  if [[ $1 == ok ]]; then echo "$2"; else echo "**FAILED**${3:+: $3} (see the script's output)"; fi
}
echo "| check | how much | outcome |"
echo "|---|---|---|"
echo "| kills survived | $(figure kill_resume kills) SIGKILLs at random moments of one $(figure kill_resume trials)-trial sweep, rerun after each | $(result "${status[kill_resume]}" "every trial completed exactly once; the $(figure kill_resume recorded_before_kills) recorded before a kill unchanged; $(figure kill_resume cut) attempts cut by kills rerun; histories identical to an uninterrupted run; integrity_check ok") |"
echo "| concurrent processes | $(figure concurrent processes) losslab-run processes on one database ($(figure concurrent per_process) of $(figure concurrent trials) trials) + $(figure concurrent reads) losslab-report reads meanwhile | $(result "${status[concurrent]}" "no trial run twice, no \"database is locked\", every read succeeded") |"
echo "| signals | $(figure signals stops) stops by SIGINT / SIGTERM | $(result "${status[signals]}" "exit 130 / 143, in-flight trials marked interrupted, resume completes all $(figure signals trials)") |"
echo "| I/O faults | $(figure io_faults cases) cases: read-only directory (new and existing database), disk full during and before a sweep | $(result "${status[io_faults]}" "exit 3 with the cause named; the $(figure io_faults recorded_before_full) trials recorded before the disk filled intact; rerun completes" "checks of $(figure io_faults failed_cases)") |"
echo "| hostile inputs | $limit_cases config-limit cases + $hostile_cases executables' inputs that used to crash (test cases) + $yaml_seeds YAML seeds of the config fuzzer (alias bombs, nesting, recursive alias, merge key, tags) | each stopped with a file:line:column error or its exit code, within the limits: none crashed or took memory |"
echo "| malformed inputs tried | $configs malformed configs + $corrupted corrupted dataset files + $missing missing ones (test cases) | each rejected with its own message, none crashed |"
echo "| fuzz executions | $fuzz_execs ($fuzz_text) | $(result "$fuzz_status" "no crash, sanitizer report, leak or timeout") |"
lost=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^lost=/) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' "$RELIABILITY_FIGURES")
echo "| results lost | | $lost |"

for script in kill_resume concurrent signals io_faults; do [[ ${status[$script]} == ok ]] || exit 1; done
[[ $fuzz_status == ok ]] || exit 1
