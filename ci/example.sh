#!/usr/bin/env bash
# Installs hil from build/ into build/install and builds and runs the example project
# (harness/examples/gtest-bench) against the installed package, as a user's project would.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$PWD/build/install"
rm -rf "$prefix" build/example
cmake --install build --prefix "$prefix" >/dev/null
cmake -S harness/examples/gtest-bench -B build/example -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build/example -j "$(nproc)"
ctest --test-dir build/example --output-on-failure -j 2
echo "ci/example.sh: the example project builds and passes against the installed package"
