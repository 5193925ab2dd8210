#!/usr/bin/env bash
# Cross-compiles the firmware core (and, reported separately, the reference application) for the
# PSoC6's Cortex-M4 with arm-none-eabi-gcc (newlib), prints text/data/bss, and fails when
#   - the core's text exceeds 32 KiB, or
#   - any core or application object references malloc, free, calloc or realloc (nm -u).
# Release flags as a board image would use them: -mcpu=cortex-m4 -mthumb -Os -DNDEBUG.
#   ci/firmware-size.sh [OUT_DIR]     (default: build/firmware-cm4)
# Needs: gcc-arm-none-eabi, libnewlib-arm-none-eabi (ci/packages.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/firmware-cm4}"
limit=$((32 * 1024))

cc=arm-none-eabi-gcc
if ! command -v "$cc" >/dev/null; then
    echo "ci/firmware-size.sh: $cc not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2
    exit 2
fi
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c11 -Os -DNDEBUG -ffunction-sections -fdata-sections
       -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wstrict-prototypes -Werror
       -Ifirmware/core/include -Ifirmware/app/include)

rm -rf "$out"
mkdir -p "$out/core" "$out/app"
compile() { # dir sources...
    local dir=$1
    shift
    for src in "$@"; do
        "$cc" "${flags[@]}" -c "$src" -o "$out/$dir/$(basename "${src%.c}").o"
    done
}
compile core firmware/core/src/*.c
compile app firmware/app/src/*.c

# sizeof(hil_device_t) and the app's state on the target: the port allocates them statically.
cat >"$out/probe.c" <<'EOF'
#include "hil_device.h"
#include "hil_lamp.h"
char hil_size_device[sizeof(hil_device_t)];
char hil_size_lamp[sizeof(hil_lamp_t)];
EOF
"$cc" "${flags[@]}" -fno-common -c "$out/probe.c" -o "$out/probe.o"

status=0
report() { # label dir
    local label=$1 dir=$2
    arm-none-eabi-size -t "$out/$dir"/*.o | tail -1 | awk -v l="$label" '{printf "%-6s text %6d  data %5d  bss %5d  (bytes)\n", l, $1, $2, $3}'
}
echo "Cortex-M4 (-Os, newlib), per object:"
arm-none-eabi-size "$out/core"/*.o "$out/app"/*.o | sed 's|'"$out"'/||'
echo
report core core
report app app
sizes=$(arm-none-eabi-nm --size-sort -S "$out/probe.o")
echo "static state a port allocates: hil_device_t $((16#$(awk '/hil_size_device/{print $2}' <<<"$sizes"))) bytes," \
     "hil_lamp_t $((16#$(awk '/hil_size_lamp/{print $2}' <<<"$sizes"))) bytes"

text=$(arm-none-eabi-size -t "$out/core"/*.o | tail -1 | awk '{print $1}')
if ((text > limit)); then
    echo "ci/firmware-size.sh: FAIL core text $text bytes > $limit" >&2
    status=1
fi
heap=$(arm-none-eabi-nm -u "$out/core"/*.o "$out/app"/*.o | grep -Ew '(malloc|free|calloc|realloc)' || true)
if [[ -n "$heap" ]]; then
    echo "ci/firmware-size.sh: FAIL objects reference the heap:" >&2
    arm-none-eabi-nm -A -u "$out/core"/*.o "$out/app"/*.o | grep -Ew '(malloc|free|calloc|realloc)' >&2
    status=1
fi
undefined=$(arm-none-eabi-nm -u "$out/core"/*.o | awk '{print $2}' | grep -v '^hil_' | sort -u | tr '\n' ' ')
echo "core needs from the C library: ${undefined:-nothing}"
if ((status == 0)); then
    echo "ci/firmware-size.sh: OK (core text $text <= $limit, no heap)"
fi
exit $status
