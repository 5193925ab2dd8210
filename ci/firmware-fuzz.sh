#!/usr/bin/env bash
# Builds the firmware's libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded
# time from the seed corpus in firmware/fuzz/corpus. Fails on any crash, sanitizer report, leak,
# or a protocol line the fuzz port rejects.
#   ci/firmware-fuzz.sh [SECONDS_PER_TARGET]    (default 30)
# Needs: clang (libclang-rt-14-dev provides libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
out=build/firmware-fuzz
work="$out/run"

if ! command -v clang >/dev/null; then
    echo "ci/firmware-fuzz.sh: clang not found" >&2
    exit 2
fi
CC=clang CXX=clang++ cmake -S firmware -B "$out" -G Ninja -DHIL_FUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j2 --target hil_fuzz_console hil_fuzz_delta

status=0
for target in console delta; do
    corpus="$work/corpus-$target"
    rm -rf "$corpus" "$work/crash-$target"
    mkdir -p "$corpus" "$work/crash-$target"
    cp firmware/fuzz/corpus/"$target"/* "$corpus"/
    echo "ci/firmware-fuzz.sh: hil_fuzz_$target for ${seconds}s"
    if ! "$out/bin/hil_fuzz_$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/crash-$target/" >"$work/$target.log" 2>&1; then
        echo "ci/firmware-fuzz.sh: FAIL hil_fuzz_$target (log: $work/$target.log, inputs: $work/crash-$target/)" >&2
        tail -40 "$work/$target.log" >&2
        status=1
    else
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$work/$target.log" |
            sed "s/^/  $target /"
    fi
done
exit $status
