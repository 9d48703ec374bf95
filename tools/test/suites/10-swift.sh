#!/usr/bin/env bash
# The Swift unit tests (swift test), counted from the xUnit reports SwiftPM writes.
set -uo pipefail
name=$1
cd "$(dirname "$0")/../../.."
report=.build-test/swift.xml
mkdir -p .build-test
rm -f .build-test/swift*.xml
swift test --parallel --xunit-output "$report" 2>&1 | grep -Ev '^(\[[0-9]+/[0-9]+\]|Building|Build complete|Compiling|Write|Emitting|Linking)'
status=${PIPESTATUS[0]}
python3 tools/test/count-junit.py "$name" .build-test/swift*.xml
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
