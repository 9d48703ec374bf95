#!/usr/bin/env bash
# Conformance: the JSON parsing test suite from ../shared/conformance (never copied here).
set -euo pipefail
name=$1
cd "$(dirname "$0")/../../.."
mkdir -p .build-test
export PKG_CONFIG_PATH=$PWD/dist/lib/pkgconfig
${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -o .build-test/json_parsing_suite \
    Tests/conformance/json_parsing_suite.c $(pkg-config --cflags --libs onderwijsregio) -Wl,-rpath,"$PWD/dist/lib"
.build-test/json_parsing_suite "${ONDERWIJSREGIO_CONFORMANCE:-$(cd .. && pwd)/shared/conformance}"
