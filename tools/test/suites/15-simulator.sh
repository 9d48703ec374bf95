#!/usr/bin/env bash
# The local API simulator (tools/simulator): pytest against a real simulator process on a free
# loopback port. Needs no dist/. Counted from pytest's JUnit report; a crash that leaves no
# report counts as a failure.
set -uo pipefail
name=${1:-simulator}
cd "$(dirname "$0")/../../.."
python=${PYTHON:-python3}
report=.build-test/$name.xml
mkdir -p .build-test
rm -f "$report"

"$python" -m pytest -p no:cacheprovider -q -rfE --junitxml="$report" tools/simulator/tests
status=$?
"$python" tools/test/count-junit.py "$name" "$report"
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
