#!/usr/bin/env bash
# make fuzz: builds the libFuzzer harnesses and runs each for FUZZ_SECONDS (default 300).
#
#   FUZZ_SECONDS=300   time per harness          FUZZ_HARNESS="FuzzJSON ..."  a subset
#   FUZZ_PARALLEL=1    harnesses run at once     FUZZ_RSS_MB=2048             per-process RSS limit
#   FUZZ_ARGS=...      extra libFuzzer flags (e.g. -dict=..., -only_ascii=1)
#
# The working corpus (.build-fuzz/corpus/<harness>) persists and grows from run to run; each run
# also reads the seeds (regenerated) and tools/fuzz/regressions/<harness>. libFuzzer stops a
# harness at its first crash, timeout (-timeout=10 per input) or out-of-memory; the input is
# copied to tools/fuzz/regressions/<harness>/ (commit it: the smoke suite replays every file
# there) and the full log stays in .build-fuzz/logs/<harness>.log. Exit status 1 on any crash.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tools/fuzz/common.sh
seconds=${FUZZ_SECONDS:-300}
parallel=${FUZZ_PARALLEL:-1}
read -r -a harnesses <<<"${FUZZ_HARNESS:-${FUZZ_HARNESSES[*]}}"

echo "building the harnesses (debug, -sanitize=fuzzer,address) into $FUZZ_SCRATCH"
if ! fuzz_build; then
    echo "fuzz: the harnesses did not build"
    exit 2
fi
fuzz_seeds
logs=$FUZZ_SCRATCH/logs
mkdir -p "$logs"

run_one() {
    local h=$1
    local corpus=$FUZZ_SCRATCH/corpus/$h artifacts=$FUZZ_SCRATCH/artifacts/$h/
    mkdir -p "$corpus" "$artifacts" "tools/fuzz/regressions/$h" "$FUZZ_SCRATCH/seeds/$h"
    rm -f "$artifacts"*
    # shellcheck disable=SC2086
    "$FUZZ_BIN/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -max_len="$(fuzz_max_len "$h")" -print_final_stats=1 -artifact_prefix="$artifacts" ${FUZZ_ARGS:-} \
        "$corpus" "$FUZZ_SCRATCH/seeds/$h" "tools/fuzz/regressions/$h" >"$logs/$h.log" 2>&1 </dev/null
    echo $? >"$logs/$h.status"
}

echo "running ${#harnesses[@]} harnesses for ${seconds} s each, $parallel at a time"
running=0
for h in "${harnesses[@]}"; do
    [ -x "$FUZZ_BIN/$h" ] || { echo "fuzz: no harness $h"; exit 2; }
    run_one "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait

crashes=0
printf '\n%-18s %12s %9s %7s %7s %8s %7s  %s\n' harness execs exec/s cov ft corpus crashes status
for h in "${harnesses[@]}"; do
    log=$logs/$h.log
    status=$(cat "$logs/$h.status" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    corpus=$(find "$FUZZ_SCRATCH/corpus/$h" -type f | wc -l)
    found=0
    for artifact in "$FUZZ_SCRATCH/artifacts/$h/"*; do
        [ -f "$artifact" ] || continue
        found=$((found + 1))
        cp "$artifact" "tools/fuzz/regressions/$h/"
        echo "  $h: $(basename "$artifact") -> tools/fuzz/regressions/$h/ ($(grep -m1 -E 'ERROR:|Fatal error|SUMMARY' "$log" | cut -c1-160))" >>"$logs/found.txt.$$"
    done
    # A non-zero exit without an artefact (e.g. the process was killed) is a failure too.
    [ "$status" != 0 ] && [ "$found" = 0 ] && found=1
    crashes=$((crashes + found))
    printf '%-18s %12s %9s %7s %7s %8s %7s  %s\n' "$h" "${execs:-?}" "${persec:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$found" \
        "$([ "$status" = 0 ] && echo ok || echo "exit $status, log $log")"
done
if [ -f "$logs/found.txt.$$" ]; then
    echo; echo "crashing inputs (minimise with: $FUZZ_BIN/<harness> -minimize_crash=1 -runs=10000 <file>):"
    cat "$logs/found.txt.$$"; rm -f "$logs/found.txt.$$"
fi
echo
echo "fuzz: $crashes crash(es) in ${#harnesses[@]} harnesses, ${seconds} s each"
[ "$crashes" = 0 ]
