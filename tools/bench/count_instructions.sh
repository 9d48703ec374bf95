#!/usr/bin/env bash
# Instructions per oreg_schema_validate call, counted by callgrind: a figure that does not move
# with a noisy machine, for comparing two builds of the validator (timings stay the judge of
# speed, in make bench).
#
#   bash tools/bench/count_instructions.sh [CALLS]
#
# JSON_OUT=FILE also writes the counts as JSON (make bench merges them into its validation part).
#
# For the fixture create schema, on the valid and the invalid payload, with and without the
# report: instructions per call of the library (libc, libpcre2 and libcrypto included). Uses the
# unstripped build of the last `make dist`, without its DWARF (valgrind 3.19 cannot read the
# toolchain's DWARF 5); prints the ten most expensive functions of the valid verdict with
# PROFILE=1.
set -euo pipefail
cd "$(dirname "$0")/../.."

calls=${1:-100}
fixtures_root=${ONDERWIJSREGIO_FIXTURES:-../shared/fixtures}
[ -d "$fixtures_root/payloads" ] || fixtures_root=$(dirname "$fixtures_root")
schema=$fixtures_root/schema/candidate-create.schema.json
out=.build-bench/count
command -v valgrind >/dev/null || { echo "count: valgrind not found (make deps installs it)" >&2; exit 1; }
unstripped=$(ls -t .build-dist/*/release/libonderwijsregio.so 2>/dev/null | head -1 || true)
[ -n "$unstripped" ] || { echo "count: no .build-dist/*/release/libonderwijsregio.so: run make dist" >&2; exit 1; }

mkdir -p "$out"
cp "$unstripped" "$out/libonderwijsregio.so.0"
strip --strip-debug "$out/libonderwijsregio.so.0"
${CC:-cc} -O2 -Wall -Wextra -Werror -I dist/include -o "$out/oreg-count-validate" tools/bench/count_validate.c \
    -L "$out" -l:libonderwijsregio.so.0 -Wl,-rpath,"$PWD/$out"

count() {
    local payload=$1 path=$2
    valgrind --tool=callgrind --toggle-collect=oreg_schema_validate --callgrind-out-file="$out/callgrind.out" \
        "$out/oreg-count-validate" "$schema" "$fixtures_root/payloads/$payload" "$path" "$calls" >/dev/null 2>&1
    local total
    total=$(callgrind_annotate "$out/callgrind.out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    printf '%-30s %-8s %10d instructions per call\n' "$payload" "$path" $(( total / (calls + 1) ))
    counts+=("{\"file\": \"$payload\", \"path\": \"$path\", \"instructions\": $(( total / (calls + 1) ))}")
}

counts=()
for payload in candidate-valid-full.json candidate-invalid-many.json; do
    for path in verdict all; do count "$payload" "$path"; done
done
if [ -n "${JSON_OUT:-}" ]; then
    (IFS=,; echo "{\"tool\": \"valgrind --tool=callgrind\", \"calls\": $calls, \"counts\": [${counts[*]}]}") > "$JSON_OUT"
fi
if [ "${PROFILE:-0}" = 1 ]; then
    count candidate-valid-full.json verdict >/dev/null
    demangle=cat
    command -v swift-demangle >/dev/null && demangle="swift-demangle --simplified"
    callgrind_annotate "$out/callgrind.out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n 3,12p | $demangle | cut -c1-150
fi
