#!/usr/bin/env bash
# Lists the rules of sections A.3-A.11 of the AWS IoT Core behaviour reference that no test of
# the twin mentions, and exits 1 if there is any (0: every rule has a test).
#
# Rule ids (the catalogue is harness/twin/tests/rules.txt, one "<id> <summary>" per line), taken
# from the reference's own numbering:
#   A.3.<n>    the numbered items 1-10 of A.3
#   A.<s>      the lead text or body document of a section (A.4, A.6, A.10)
#   A.<s>.<k>  the k-th top-level bullet of section A.<s>, counted through its sub-headings
#   A.10.<k>   the k-th row of A.10's error table (1-19), A.10.20 the paragraph on unauthorized
#              MQTT publishes, A.10.21 the order of checks
#   A.11.<k>   the k-th row of A.11's limits table (1-9), A.11.10 the note below it
# A test mentions a rule by writing its id dotted or with underscores ("A.3.2", "A_3_2" in a
# test name or comment) anywhere under harness/twin/tests/; "A.3.1" is not "A.3.10" and "A.10"
# is not "A.10.1".
#
# If the reference itself is at hand ($HIL_AWS_REFERENCE, default ../shared/reference/
# aws-iot-core-behaviour.md next to the repository), the script also checks that the catalogue
# still has one id per numbered item, bullet and table row of each section, so a reference
# that grew a rule cannot go unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."
catalogue=harness/twin/tests/rules.txt
tests_dir=harness/twin/tests
reference="${HIL_AWS_REFERENCE:-../shared/reference/aws-iot-core-behaviour.md}"

mentioned="$(grep -rhoE 'A[._][0-9]+([._][0-9]+)*' --include='*.cpp' --include='*.hpp' --include='*.py' \
    "$tests_dir" | tr '_' '.' | sort -u)"

missing=0
total=0
while read -r id summary; do
    [[ -z "$id" || "$id" == \#* ]] && continue
    total=$((total + 1))
    if ! grep -qxF "$id" <<<"$mentioned"; then
        echo "no test: $id  $summary"
        missing=$((missing + 1))
    fi
done <"$catalogue"

drift=0
if [[ -f "$reference" ]]; then
    # Items per section in the reference: numbered items (A.3), top-level bullets (A.4-A.9),
    # table rows (A.10, A.11). Extra ids the scheme adds: A.10.20-21, A.11.10.
    while read -r section count; do
        extra=0
        [[ "$section" == "A.10" ]] && extra=2
        [[ "$section" == "A.11" ]] && extra=1
        listed="$(grep -cE "^${section//./\\.}\\.[0-9]+ " "$catalogue" || true)"
        if ((listed != count + extra)); then
            echo "catalogue drift: $section has $count items in $reference but $catalogue lists $((listed - extra))"
            drift=1
        fi
    done < <(awk '
        /^### A\.[0-9]+ / { sec = $2; next }
        /^### / || /^## / { sec = ""; next }
        sec == "A.3" && /^[0-9]+\. / { n[sec]++ }
        (sec ~ /^A\.[4-9]$/) && /^- / { n[sec]++ }
        sec == "A.10" && /^\| [0-9][0-9][0-9] \|/ { n[sec]++ }
        sec == "A.11" && /^\| / && !/^\| Limit/ && !/^\|---/ { n[sec]++ }
        END { for (s in n) print s, n[s] }' "$reference" | sort -V)
else
    echo "(reference not found at $reference: catalogue not cross-checked; set HIL_AWS_REFERENCE)"
fi

echo "ci/twin-rule-coverage.sh: $((total - missing)) of $total rules of A.3-A.11 have a test"
if ((missing > 0 || drift > 0)); then exit 1; fi
