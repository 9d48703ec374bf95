#!/usr/bin/env bash
# The candidate schemas and payloads of ../shared/fixtures: verdict and the set of (instanceLocation,
# keyword) of the top-level errors must match payloads/expected.json (format assertion on). Usage:
# 36-schema-fixtures.sh <suite name>. The script prints "schema-fixtures: N passed, N failed"
# itself; a crash without that line is reported as one failure.
set -uo pipefail
name=${1:-schema-fixtures}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
export ONDERWIJSREGIO_FIXTURES=${ONDERWIJSREGIO_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
log=.build-test/$name.log
mkdir -p .build-test

"${PYTHON:-python3}" Tests/conformance/fixtures_expected.py 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if ! tail -n 1 "$log" | grep -qE "^schema-fixtures: [0-9]+ passed, [0-9]+ failed$"; then
    echo "$name: fixtures_expected.py ended without its summary (exit status $status)"
    echo "$name: 0 passed, 1 failed"
    [ "$status" = 0 ] && status=1
elif [ "$name" != schema-fixtures ]; then
    tail -n 1 "$log" | sed "s/^schema-fixtures:/$name:/"
fi
exit "$status"
