#!/usr/bin/env bash
# Fuzzes the AWS IoT twin's shadow library (harness/twin/tests/fuzz/shadow_fuzz.cpp) with
# libFuzzer for a bounded time and fails on any crash, sanitizer report, leak or timeout.
#   ci/twin-fuzz.sh            60 s
#   ci/twin-fuzz.sh 300        300 s (or TWIN_FUZZ_SECONDS=300)
# Needs clang (Debian package `clang`: clang++ and the libFuzzer runtime). Builds a standalone
# harness/twin with clang, ASan and UBSan into build-twin-fuzz/ (-j2), seeds a scratch corpus
# from harness/twin/tests/fuzz/corpus/, and keeps crash inputs as build-twin-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${TWIN_FUZZ_SECONDS:-60}}"
build=build-twin-fuzz

if ! command -v clang++ >/dev/null; then
    echo "ci/twin-fuzz.sh: clang++ not found (apt-get install clang)" >&2
    exit 2
fi

cmake -S harness/twin -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined" >/dev/null
cmake --build "$build" --target hil_twin_shadow_fuzz -j 2

corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
cp harness/twin/tests/fuzz/corpus/* "$corpus"/

echo "ci/twin-fuzz.sh: fuzzing the shadow service for ${seconds} s"
status=0
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/hil_twin_shadow_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/" "$corpus" >"$build/fuzz.log" 2>&1 || status=$?
grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY' "$build/fuzz.log" || true
if ((status != 0)); then
    echo "ci/twin-fuzz.sh: the fuzzer failed (exit $status); log: $build/fuzz.log; inputs: $build/crash-* $build/timeout-* $build/leak-*" >&2
    tail -n 40 "$build/fuzz.log" >&2
    exit 1
fi
echo "ci/twin-fuzz.sh: no crash in ${seconds} s"
