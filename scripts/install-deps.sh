#!/usr/bin/env bash
# Installs losslab's build and test dependencies from Debian's packages. Idempotent: it only
# calls apt-get when something is missing. Run as root on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev libopenblas-dev zlib1g-dev libyaml-cpp-dev libsqlite3-dev libsqlitecpp-dev sqlite3
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev          # losslab-report serve
  libzip-dev                  # the .npz container of losslab-report export-model
  python3-numpy               # tests/predict: the README's NumPy lines run against losslab-predict
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  bindfs                      # a real FUSE mount in tests/runner/file_system_test.cpp
  chromium fonts-dejavu-core  # the HTML report's browser test
  clang libclang-rt-14-dev    # tests/fuzz/smoke.sh: libFuzzer and the sanitizer runtimes
  libopenmpi-dev openmpi-bin  # losslab-run under mpirun (optional for a build: CMake's LOSSLAB_MPI=AUTO)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
