#!/usr/bin/env bash
# Build runnel (Release, into build/) and run one broker in the foreground with
# config/broker.properties (extra arguments go to runneld, e.g. --override KEY=VALUE).
# Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
rn_install_deps

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"

exec build/runneld --config config/broker.properties "$@"
