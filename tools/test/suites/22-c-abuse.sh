#!/usr/bin/env bash
# ABI abuse: Tests/c/abuse.c calls every function of the header with NULL, empty, unterminated
# (guard-page) and invalid UTF-8 input, absurd lengths and NULL out-parameters; it expects
# statuses, never a crash (calls that might crash run in a forked child and count as failures).
# Compiled as users compile (pkg-config against dist/). Before running, every function the
# header declares must be called by the test, so a new function cannot go unabused.
# Usage: 22-c-abuse.sh <suite name>
set -uo pipefail
name=${1:-c-abuse}
cd "$(dirname "$0")/../../.."
mkdir -p .build-test
export PKG_CONFIG_PATH=$PWD/dist/lib/pkgconfig

missing=()
for function in $(grep -oE '\boreg_[a-z_]+\(' include/onderwijsregio.h | tr -d '(' | sort -u); do
    grep -qE "\\b$function\\(" Tests/c/abuse.c || missing+=("$function")
done
if [ ${#missing[@]} != 0 ]; then
    echo "Tests/c/abuse.c never calls: ${missing[*]}"
    echo "$name: 0 passed, 1 failed"
    exit 1
fi

if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -pthread -o .build-test/abuse Tests/c/abuse.c \
        $(pkg-config --cflags --libs onderwijsregio) -Wl,-rpath,"$PWD/dist/lib"; then
    echo "$name: 0 passed, 1 failed"
    exit 1
fi
scratch=$(mktemp -d /tmp/oreg-abuse.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The library's own "Fatal error" stack traces of crashing children are kept, shortened.
.build-test/abuse "$scratch" 2>&1 | grep -vE '^[0-9]+ +(libonderwijsregio|abuse|libc)'
exit "${PIPESTATUS[0]}"
