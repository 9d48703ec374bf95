#!/usr/bin/env bash
# Runs one pytest file of bindings/python/tests (ctypes) against the built library as a suite.
# Usage: pytest-suite.sh <suite name> <test file, relative to the repository>.
# Counted from pytest's JUnit report by count-junit.py, whose line "<name>: N passed, N failed"
# comes last; a crash that leaves no report counts as a failure. Exits non-zero when anything
# failed. Lives outside suites/ so that run-all.sh does not run it as a suite of its own.
set -uo pipefail
if [ $# != 2 ]; then
    echo "usage: $0 <suite name> <test file>" >&2
    exit 2
fi
name=$1
tests=$2
cd "$(dirname "$0")/../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
python=${PYTHON:-python3}
report=.build-test/$name.xml
mkdir -p .build-test
rm -f "$report"

"$python" -m pytest -p no:cacheprovider -q -rfE --junitxml="$report" "$tests"
status=$?
"$python" tools/test/count-junit.py "$name" "$report"
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
