#!/usr/bin/env bash
# Installs what hil needs on Debian 12 (only the missing packages), then configures and builds
# into build/. Idempotent: a second run installs nothing and rebuilds only what changed.
#   ci/setup.sh            default preset (build/)
#   ci/setup.sh asan       ASan + UBSan preset (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"

mapfile -t wanted < <(grep -v '^\s*#' ci/packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "ci/setup.sh: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
echo "ci/setup.sh: built preset '$preset'"
