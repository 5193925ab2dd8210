#!/usr/bin/env bash
# The whole test suite, as CI runs it. Needs ci/setup.sh first.
#   1. lint: clang-format and clang-tidy; the firmware core's Cortex-M4 size and no-malloc check;
#      the firmware's and the AWS IoT twin's fuzz targets for a bounded time; every shadow rule
#      of the reference (A.3-A.11) has a test
#   2. the asan preset: unit and component tests under AddressSanitizer + UBSan
#   3. the example project, built and run against the installed package (find_package(hil))
#   4. the default build: every test (unit, component, system, bench smoke); its summary ends the output
# Tests labelled `hil` need a board and are excluded here.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

ci/lint.sh
ci/firmware-size.sh
ci/firmware-fuzz.sh 20
ci/twin-rule-coverage.sh
ci/twin-fuzz.sh 20

ci/setup.sh asan
ctest --preset asan -L 'unit|component' -j "$jobs" --no-tests=error

ci/example.sh

ctest --preset default -LE hil -j "$jobs" --no-tests=error
