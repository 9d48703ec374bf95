#!/usr/bin/env bash
# Client suite: bindings/python/tests/test_client.py (pytest, ctypes) drives the built library's
# oreg_client_* functions over HTTP against the local API simulator (tools/simulator).
# Usage: 45-client.sh <suite name>. Counted from pytest's JUnit report; a crash that leaves
# no report counts as a failure.
set -uo pipefail
name=${1:-client}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
python=${PYTHON:-python3}
report=.build-test/$name.xml
mkdir -p .build-test
rm -f "$report"

"$python" -m pytest -p no:cacheprovider -q -rfE --junitxml="$report" bindings/python/tests/test_client.py
status=$?
"$python" tools/test/count-junit.py "$name" "$report"
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
