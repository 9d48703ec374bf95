#!/usr/bin/env bash
# Conformance: the JSON-Schema-Test-Suite (draft2020-12, draft7, from ../shared/conformance, never
# copied here) plus the project's draft-04 tests (Tests/conformance/draft4), through ctypes against
# the built library. Passed / failed / errored per draft, as Bowtie reports them. Usage:
# 35-json-schema-test-suite.sh <suite name>. The runner prints "json-schema-test-suite: N passed,
# N failed" itself; a crash without that line is reported as one failure.
set -uo pipefail
name=${1:-json-schema-test-suite}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
export ONDERWIJSREGIO_CONFORMANCE=${ONDERWIJSREGIO_CONFORMANCE:-$(cd .. && pwd)/shared/conformance}
log=.build-test/$name.log
mkdir -p .build-test

"${PYTHON:-python3}" Tests/conformance/json_schema_suite.py 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if ! tail -n 1 "$log" | grep -qE "^json-schema-test-suite: [0-9]+ passed, [0-9]+ failed$"; then
    echo "$name: json_schema_suite.py ended without its summary (exit status $status)"
    echo "$name: 0 passed, 1 failed"
    [ "$status" = 0 ] && status=1
elif [ "$name" != json-schema-test-suite ]; then
    tail -n 1 "$log" | sed "s/^json-schema-test-suite:/$name:/"
fi
exit "$status"
