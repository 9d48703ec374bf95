#!/usr/bin/env bash
# Fuzz smoke test: builds the libFuzzer harnesses (tools/fuzz, cached in .build-fuzz), replays every
# saved crash under tools/fuzz/regressions/<harness>/ and runs each harness briefly on its seeds.
# One test per harness (its time budget without a crash; a build failure fails them all) and one
# per regression file. Usage: 70-fuzz-smoke.sh <suite name>; FUZZ_SMOKE_SECONDS (default 8).
set -uo pipefail
name=${1:-fuzz-smoke}
cd "$(dirname "$0")/../../.."
source tools/fuzz/common.sh
seconds=${FUZZ_SMOKE_SECONDS:-8}
passed=0
failed=0

mkdir -p "$FUZZ_SCRATCH"
if ! fuzz_build >"$FUZZ_SCRATCH/build.log" 2>&1; then
    tail -n 30 "$FUZZ_SCRATCH/build.log"
    echo "FAIL build: every harness counts as failed"
    echo "$name: 0 passed, ${#FUZZ_HARNESSES[@]} failed"
    exit 1
fi
fuzz_seeds >/dev/null
logs=$FUZZ_SCRATCH/smoke
rm -rf "$logs"
mkdir -p "$logs"

for h in "${FUZZ_HARNESSES[@]}"; do
    # Regressions: each saved input once (libFuzzer runs files given by name and exits).
    for input in tools/fuzz/regressions/"$h"/*; do
        [ -f "$input" ] || continue
        if "$FUZZ_BIN/$h" -timeout=10 -rss_limit_mb=2048 "$input" >"$logs/replay.log" 2>&1 </dev/null; then
            passed=$((passed + 1)); echo "ok   replay $input"
        else
            failed=$((failed + 1)); echo "FAIL replay $input"
            grep -m3 -E 'ERROR:|Fatal error|SUMMARY' "$logs/replay.log"
        fi
    done
    # A short run from the seeds, in a corpus of its own (the working corpus is make fuzz's).
    mkdir -p "$logs/$h" "$logs/$h-artifacts"
    if "$FUZZ_BIN/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(fuzz_max_len "$h")" \
        -print_final_stats=1 -artifact_prefix="$logs/$h-artifacts/" "$logs/$h" "$FUZZ_SCRATCH/seeds/$h" \
        >"$logs/$h.log" 2>&1 </dev/null; then
        passed=$((passed + 1))
        echo "ok   $h: $(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$h.log") executions in ${seconds} s"
    else
        failed=$((failed + 1))
        echo "FAIL $h (log $logs/$h.log; input in $logs/$h-artifacts/):"
        grep -m3 -E 'ERROR:|Fatal error|SUMMARY' "$logs/$h.log"
    fi
done

echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
