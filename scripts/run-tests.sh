#!/usr/bin/env bash
# Builds losslab and runs the whole test suite through CTest.
#   scripts/run-tests.sh              release build in build/
#   scripts/run-tests.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
# Further arguments go to CMake, e.g. -DLOSSLAB_MPI=ON (fail unless MPI is found) or OFF.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_flags=(-DCMAKE_BUILD_TYPE=Release)
ctest_flags=()
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  build_dir=build-asan
  # -O1 -g1 (line tables: sanitizer reports still name file and line) builds in about half the time
  # of RelWithDebInfo's -O2 -g under ASan + UBSan for a little more test time.
  cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
               -DLOSSLAB_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # Left out of the sanitizer run only (the release run has them): tests whose C++ code paths other
  # tests already take under the sanitizers, and whose own part is size or the page's JavaScript.
  #   LargeSweepPage: a random sweep and `losslab-report html` as in the HtmlReport tests, only with
  #     2100 trials; what it checks is the page's pager and path drawing, in Chromium.
  ctest_flags+=(-E '^LargeSweepPage[.]')
fi
cmake_flags+=("$@")

jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_flags[@]}"
cmake --build "$build_dir" -j"$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "${ctest_flags[@]}"
