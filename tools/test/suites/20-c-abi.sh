#!/usr/bin/env bash
# The C test of the artefact: compiled the way users compile, with pkg-config against dist/.
set -euo pipefail
name=$1
cd "$(dirname "$0")/../../.."
mkdir -p .build-test
export PKG_CONFIG_PATH=$PWD/dist/lib/pkgconfig
${CC:-cc} -std=c11 -Wall -Wextra -Werror -pthread -o .build-test/test_abi Tests/c/test_abi.c \
    $(pkg-config --cflags --libs onderwijsregio) -Wl,-rpath,"$PWD/dist/lib"
.build-test/test_abi
