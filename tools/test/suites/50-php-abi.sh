#!/usr/bin/env bash
# PHP ABI suite: bindings/php/tests/test_abi.php (PHP FFI through the generated cdef) against
# the built library. Usage: 50-php-abi.sh <suite name>. The script prints the closing line
# "php-abi: N passed, N failed" itself; a crash without that line is reported as one failure.
set -uo pipefail
name=${1:-php-abi}
cd "$(dirname "$0")/../../.."
export ONDERWIJSREGIO_LIB=${ONDERWIJSREGIO_LIB:-$PWD/dist/lib/libonderwijsregio.so}
export ONDERWIJSREGIO_FFI_CDEF=${ONDERWIJSREGIO_FFI_CDEF:-$PWD/dist/share/onderwijsregio/onderwijsregio.ffi.h}
log=.build-test/$name.log
mkdir -p .build-test

"${PHP:-php}" -d ffi.enable=1 -d memory_limit=1G -d display_errors=stderr \
    bindings/php/tests/test_abi.php 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if ! tail -n 1 "$log" | grep -qE "^$name: [0-9]+ passed, [0-9]+ failed$"; then
    echo "$name: test_abi.php ended without its summary (exit status $status)"
    echo "$name: 0 passed, 1 failed"
    [ "$status" = 0 ] && status=1
fi
exit "$status"
