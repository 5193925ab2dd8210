#!/usr/bin/env bash
# Style and static checks CI enforces: clang-format on every C/C++ file, clang-tidy on the
# harness (the compile database comes from the default build).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror
echo "ci/lint.sh: clang-format clean"
run-clang-tidy -p build -j "$(nproc)" -quiet '(harness/(src|cli|bench)|bindings/python/src)/.*\.cpp$' >/tmp/hil-clang-tidy.log 2>&1 || {
    grep -E 'warning:|error:' /tmp/hil-clang-tidy.log | sort -u
    echo "ci/lint.sh: clang-tidy found problems (full log: /tmp/hil-clang-tidy.log)"
    exit 1
}
echo "ci/lint.sh: clang-tidy clean"
