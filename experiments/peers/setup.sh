#!/usr/bin/env bash
# Installs the peers' Debian packages: numpy on OpenBLAS (pthreads build), scikit-learn, LIBLINEAR,
# PyYAML (the numpy peer reads a losslab config's grid), Optuna (experiments/search), threadpoolctl
# (to print which BLAS numpy runs), GNU time (scaling.sh), sqlite3, and linux-perf (benchmark.py
# splits the sweep's CPU time by thread with it). Idempotent: installs only what is missing. Run as
# root (or with sudo) on Debian 12.
set -euo pipefail
PACKAGES=(python3-numpy python3-sklearn python3-yaml python3-optuna python3-threadpoolctl libopenblas0-pthread time sqlite3 linux-perf
          liblinear-tools)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# numpy links libblas.so.3 / liblapack.so.3 through Debian's alternatives; OpenBLAS's priority
# (100) beats the reference BLAS (10), unless someone pinned the alternative by hand: repin it.
triplet=$(gcc -dumpmachine 2>/dev/null || echo "$(uname -m)-linux-gnu")
for lib in libblas.so.3 liblapack.so.3; do
  target=/usr/lib/$triplet/openblas-pthread/$lib
  if [[ -e $target ]] && [[ $(update-alternatives --query "$lib-$triplet" | sed -n 's/^Value: //p') != "$target" ]]; then
    ${SUDO:-} update-alternatives --set "$lib-$triplet" "$target"
  fi
done
# Which BLAS numpy runs, its kernel and threads.
/usr/bin/python3 - <<'PY'
import numpy
try:
    import threadpoolctl
    for info in threadpoolctl.threadpool_info():
        print(f"numpy {numpy.__version__}: {info.get('internal_api')} {info.get('version')} "
              f"{info.get('threading_layer')} kernel={info.get('architecture')} threads={info.get('num_threads')} "
              f"({info.get('filepath')})")
except ImportError:
    numpy.show_config()
PY
