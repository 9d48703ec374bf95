#!/usr/bin/env bash
# Where oreg_schema_validate spends its time: perf on the C benchmark, with symbols.
#
#   bash tools/bench/profile_validate.sh [PAYLOAD] [PATH] [SECONDS]
#
# PAYLOAD  a payload file (default: candidate-valid-full.json of the fixtures)
# PATH     verdict | first | all, as in bench_validate.c (default all)
# SECONDS  roughly how long to sample (default 3)
#
# dist/ holds a stripped library; this runs the same program against a snapshot of the
# unstripped build (.build-dist/<triple>/release/libonderwijsregio.so, copied to
# .build-bench/profile/libonderwijsregio.so.0 and found first through LD_LIBRARY_PATH, which
# the benchmark's RUNPATH gives way to), records with perf (call graphs from frame pointers) and
# prints the hottest functions, self time first, then inclusive, with Swift names demangled.
# Needs perf; nothing in the library is changed. Run `make bench` (or part 2 of it) first.
set -euo pipefail
cd "$(dirname "$0")/../.."

fixtures_root=${ONDERWIJSREGIO_FIXTURES:-../shared/fixtures}
[ -d "$fixtures_root/payloads" ] || fixtures_root=$(dirname "$fixtures_root")
payload=${1:-$fixtures_root/payloads/candidate-valid-full.json}
path=${2:-all}
seconds=${3:-3}
schema=$fixtures_root/schema/candidate-create.schema.json
out=.build-bench/profile
bench=.build-bench/oreg-bench-validate
command -v perf >/dev/null || { echo "profile: perf not found" >&2; exit 1; }
[ -x "$bench" ] || { echo "profile: $bench is missing: run make bench first" >&2; exit 1; }
unstripped=$(ls -t .build-dist/*/release/libonderwijsregio.so 2>/dev/null | head -1 || true)
[ -n "$unstripped" ] || { echo "profile: no unstripped .build-dist/*/release/libonderwijsregio.so: run make dist" >&2; exit 1; }

mkdir -p "$out"
cp "$unstripped" "$out/libonderwijsregio.so.0"
demangle=cat
command -v swift-demangle >/dev/null && demangle="swift-demangle --simplified"

export LD_LIBRARY_PATH=$PWD/$out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
loaded=$(LD_TRACE_LOADED_OBJECTS=1 "$bench" | sed -n 's/.*libonderwijsregio.so.0 => \([^ ]*\).*/\1/p')
echo "profile: $bench -p $path on $(basename "$payload"), library $loaded (snapshot of $unstripped)"

reps=$(( seconds * 1000 / 200 ))
[ "$reps" -ge 1 ] || reps=1
perf record -q -g -o "$out/perf.data" -- "$bench" -r "$reps" -w 0 -t 200 -p "$path" "$schema" "$payload" \
    | cut -f1-10
echo
echo "Self time (top 30, % of samples in the library and what it calls):"
perf report -i "$out/perf.data" --no-children --sort symbol --stdio -g none --percent-limit 0.7 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -30 | $demangle | cut -c1-160
echo
echo "Inclusive time (top 40):"
perf report -i "$out/perf.data" --children --sort symbol --stdio -g none --percent-limit 2 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | head -40 | $demangle | cut -c1-160
