#!/usr/bin/env bash
# Build runnel with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror, then run
# every test (ctest). Installs missing Debian packages first (needs root on a fresh
# machine). Exit status is non-zero on any failure.
#
#   scripts/test.sh              configure, build and test in build-test/
#   RN_JOBS=4 scripts/test.sh    parallel build/test jobs (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
rn_install_deps

build=build-test
jobs=${RN_JOBS:-$(nproc)}
cc=cc
command -v clang-14 >/dev/null && cc=clang-14   # clang builds the libFuzzer targets too

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$cc" \
      -DRN_SANITIZE=ON -DRN_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs"
scripts/check-format.sh
cd "$build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs"
