#!/usr/bin/env bash
# make bench: libonderwijsregio's JSON functions through the C ABI, side by side with Python.
#
# Builds tools/bench/bench.c against dist/ (pkg-config, rpath to dist/lib), generates the large
# document (10,000 candidate payloads derived from the fixtures, seeded), then times on the same
# files, pinned to one core:
#   C       oreg_json_check, oreg_json_canonicalize
#   Python  json.loads, json.dumps(json.loads(b), sort_keys=True, ...) and, when importable,
#           orjson as an extra column
# and prints the tables, the ratios and PASS/MISS against the issue's target. Exits 0 whether
# the target is met or not (a benchmark is not a test); non-zero only when it could not run.
#
# Environment:
#   ONDERWIJSREGIO_FIXTURES  fixture payload directory (default: ../shared/fixtures/payloads)
#   BENCH_REPS               timed repetitions per measurement (default 11)
#   BENCH_WARMUP             untimed warm-up batches after calibration (default 2)
#   BENCH_MIN_BATCH_MS       minimum duration of one timed batch (default 50)
#   BENCH_CPU                the core to pin to (default: the last one this process may use)
#   BENCH_COUNT, BENCH_SEED  size and seed of the generated document (default 10000, 8785)
#   CC, PYTHON               compiler and interpreter (default cc, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."

fixtures=${ONDERWIJSREGIO_FIXTURES:-../shared/fixtures/payloads}
reps=${BENCH_REPS:-11}
warmup=${BENCH_WARMUP:-2}
min_batch_ms=${BENCH_MIN_BATCH_MS:-50}
count=${BENCH_COUNT:-10000}
seed=${BENCH_SEED:-8785}
cc=${CC:-cc}
python=${PYTHON:-python3}
target=1.5
out=.build-bench
large_name=candidates-10k.json
[ "$count" = 10000 ] || large_name=candidates-$count.json
large=$out/$large_name

shopt -s nullglob
payloads=("$fixtures"/*.json)
shopt -u nullglob
if [ ${#payloads[@]} = 0 ]; then
    echo "bench: no *.json in $fixtures (set ONDERWIJSREGIO_FIXTURES)" >&2
    exit 1
fi
[ -e dist/lib/libonderwijsregio.so ] || { echo "bench: dist/ is missing: run make dist" >&2; exit 1; }

mkdir -p "$out/canonical"
rm -f "$out"/canonical/* "$out/results.tsv"

# 1. The C program, against dist/ exactly as a user builds against an installed library.
export PKG_CONFIG_PATH=dist/lib/pkgconfig
flags=$(pkg-config --cflags --libs onderwijsregio)
libdir=$(pkg-config --variable=libdir onderwijsregio)
# shellcheck disable=SC2086
"$cc" -std=c11 -O2 -Wall -Wextra -o "$out/oreg-bench" tools/bench/bench.c $flags \
    -Wl,-rpath,"$(cd "$libdir" && pwd)"

# 2. The large document.
"$python" tools/bench/gen_candidates.py "$fixtures" "$large" "$count" "$seed"

# 3. One core. Both programs run on the same core, one after the other, in this run.
pin=()
if command -v taskset >/dev/null; then
    if [ -z "${BENCH_CPU:-}" ]; then
        allowed=$(taskset -pc $$ | sed 's/.*: //')
        BENCH_CPU=$("$python" -c '
import sys
cpus = []
for part in sys.argv[1].split(","):
    lo, _, hi = part.partition("-")
    cpus += range(int(lo), int(hi or lo) + 1)
print(cpus[-1])' "$allowed")
    fi
    pin=(taskset -c "$BENCH_CPU")
    where="pinned to CPU $BENCH_CPU with taskset"
else
    where="NOT pinned (taskset not found): figures may mix cores"
fi

files=("$large" "${payloads[@]}")
args=(-r "$reps" -w "$warmup" -t "$min_batch_ms" -o "$out/canonical")

echo
echo "libonderwijsregio $(sed -n 's/^Version: //p' dist/lib/pkgconfig/onderwijsregio.pc) bench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  CPU:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) online; $where"
echo "  Python:  $("$python" -c 'import sys; print(sys.version.split()[0])'), orjson $("$python" -c 'import orjson; print(orjson.__version__)' 2>/dev/null || echo 'not importable')"
echo "  Method:  wall clock (CLOCK_MONOTONIC / perf_counter_ns), batches of >= ${min_batch_ms} ms after"
echo "           calibration + $warmup warm-up batches, median of $reps timed batches; Python's GC off while timing"
echo "  Inputs:  $large (generated, seed $seed) and ${#payloads[@]} file(s) from $fixtures"
echo "  Running: C, then Python, on the same files (sizes and CRC-32 cross-checked below)..."

"${pin[@]}" "$out/oreg-bench" "${args[@]}" "${files[@]}" >> "$out/results.tsv"
"${pin[@]}" "$python" tools/bench/bench.py "${args[@]}" "${files[@]}" >> "$out/results.tsv"

"$python" tools/bench/report.py "$out/results.tsv" "$out/canonical" "$large_name" "$target"
