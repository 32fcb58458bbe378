#!/usr/bin/env bash
# Build runnel (Release, into build/) and run one broker in the foreground with
# config/broker.properties. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
rn_install_deps

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DRN_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"

if [ ! -x build/runneld ]; then
    echo "run.sh: built the libraries and bench/ into build/; the broker daemon" \
         "(build/runneld) arrives with the single-broker issue, so there is nothing to run yet."
    exit 0
fi
exec build/runneld --config config/broker.properties "$@"
