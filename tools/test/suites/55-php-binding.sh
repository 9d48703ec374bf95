#!/usr/bin/env bash
# PHP binding suite: bindings/php/tests (PHPUnit 9) against the built library and the local API
# simulator: the classes of bindings/php/src, the examples in examples/php, loading (FFI
# disabled, library not found) and one run under php-cgi with opcache preloading.
# Usage: 55-php-binding.sh <suite name>. Counted from PHPUnit's JUnit report by count-junit.py,
# whose line "<name>: N passed, N failed" comes last; a crash without a report is a failure.
set -uo pipefail
name=${1:-php-binding}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so.0}
report=.build-test/$name.xml
mkdir -p .build-test
rm -f "$report"

"${PHP:-php}" -d ffi.enable=1 -d memory_limit=1G -d display_errors=stderr "$(command -v "${PHPUNIT:-phpunit}")" \
    -c bindings/php/phpunit.xml.dist --log-junit "$report"
status=$?
"${PYTHON:-python3}" tools/test/count-junit.py "$name" "$report"
counted=$?
[ $status = 0 ] && [ $counted = 0 ]
