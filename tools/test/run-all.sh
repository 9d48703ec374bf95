#!/usr/bin/env bash
# Runs every test suite against the built artefact (make dist first) and sums their counts.
#
# Each suite is one command whose output ends with a line "<suite>: N passed, N failed"
# (the Swift suite's counts come from its xUnit report). A suite that crashes or prints no
# such line counts as one failure, so nothing can pass by not running.
set -uo pipefail
cd "$(dirname "$0")/../.."
export ONDERWIJSREGIO_CONFORMANCE=${ONDERWIJSREGIO_CONFORMANCE:-$(cd .. && pwd)/shared/conformance}
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
results=.build-test/results
rm -rf "$results"
mkdir -p "$results"

total_passed=0
total_failed=0
failed_suites=()

run_suite() {
    local name=$1; shift
    local log="$results/$name.log"
    echo "=== $name"
    "$@" > >(tee "$log") 2>&1
    local status=$?
    wait
    local summary
    summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
    local passed=0 failed=0
    if [ -n "$summary" ]; then
        passed=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")
        failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
    fi
    if [ -z "$summary" ] || { [ $status != 0 ] && [ "$failed" = 0 ]; }; then
        echo "$name: exited with status $status without a passing summary; counted as a failure"
        failed=$((failed + 1))
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    [ "$failed" = 0 ] || failed_suites+=("$name")
}

for suite in tools/test/suites/*.sh; do
    name=$(basename "$suite" .sh)
    name=${name#[0-9][0-9]-}
    run_suite "$name" bash "$suite" "$name"
done

echo
[ ${#failed_suites[@]} = 0 ] || echo "failing suites: ${failed_suites[*]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
