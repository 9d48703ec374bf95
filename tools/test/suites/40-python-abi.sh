#!/usr/bin/env bash
# Python ABI suite: bindings/python/tests/test_abi.py (pytest, ctypes) against the built library.
# Usage: 40-python-abi.sh <suite name>. Counted from pytest's JUnit report; a crash that leaves
# no report counts as a failure.
set -uo pipefail
name=${1:-python-abi}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
python=${PYTHON:-python3}
report=.build-test/$name.xml
mkdir -p .build-test
rm -f "$report"

"$python" -m pytest -p no:cacheprovider -q -rfE --junitxml="$report" bindings/python/tests/test_abi.py
status=$?
"$python" tools/test/count-junit.py "$name" "$report"
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
