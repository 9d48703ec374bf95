#!/usr/bin/env bash
# Checks that include/onderwijsregio.h matches what the library really exports:
#  1. the header and the Swift compiler's generated header of the ABI target compile together
#     (a changed parameter or return type is a conflicting-types error);
#  2. the same set of oreg_ functions is declared in both, and exported by the built library.
# Usage: check-abi.sh SWIFT_BIN_PATH LIBRARY
set -euo pipefail
bin_path=$1
library=$2
generated="$bin_path/OnderwijsregioABI.build/include/OnderwijsregioABI-Swift.h"
header=include/onderwijsregio.h
[ -f "$generated" ] || { echo "check-abi: generated header not found: $generated" >&2; exit 1; }

clang_bin=$(dirname "$(command -v swift)")/clang
[ -x "$clang_bin" ] || clang_bin=clang
"$clang_bin" -fsyntax-only -Werror -Wno-nullability-completeness -DOREG_ABI_CHECK -x c \
    -include "$header" "$generated"

names() { grep -oE '\boreg_[a-z0-9_]+\(' "$1" | tr -d '(' | sort -u; }
exported=$(nm -D --defined-only "$library" | awk '$2 == "T" { print $3 }' | sort -u)
declared=$(names "$header")
generated_names=$(names "$generated")
status=0
if [ "$declared" != "$generated_names" ]; then
    echo "check-abi: header and Swift exports differ:" >&2
    diff <(echo "$declared") <(echo "$generated_names") >&2 || true
    status=1
fi
if [ "$declared" != "$exported" ]; then
    echo "check-abi: header and the library's exported symbols differ:" >&2
    diff <(echo "$declared") <(echo "$exported") >&2 || true
    status=1
fi
[ $status = 0 ] && echo "check-abi: $(echo "$declared" | wc -l) functions; header, Swift exports and library agree"
exit $status
