#!/usr/bin/env bash
# make bench: libonderwijsregio through the C ABI, side by side with the alternatives, one run.
#
# Part 1, JSON parse: builds tools/bench/bench.c against dist/ (pkg-config, rpath to dist/lib),
# generates the large document (10,000 candidate payloads derived from the fixtures, seeded),
# then times on the same files, pinned to one core:
#   C       oreg_json_check, oreg_json_canonicalize
#   Python  json.loads, json.dumps(json.loads(b), sort_keys=True, ...) and, when importable,
#           orjson as an extra column
# Part 2, JSON Schema validation: compiles schema/candidate-create.schema.json once and
# validates payloads/candidate-valid-full.json and payloads/candidate-invalid-many.json, given
# as bytes, format assertion on, on the same core:
#   C       oreg_schema_validate in process (tools/bench/bench_validate.c)
#   Python  the library through a minimal ctypes wrapper beside jsonschema-rs, jsonschema and
#           fastjsonschema, each with json.loads (tools/bench/bench_validate.py)
#   PHP     the library through FFI (the generated cdef) beside justinrainbow/json-schema
#           (Debian's php-json-schema) (tools/bench/bench_validate.php)
# Part 3, client overhead: CPU per request spent on the client side against a local HTTP/1.1
# keep-alive endpoint (tools/bench/fast_endpoint.c, on another core) that answers at once with a
# small fixed JSON body, for a GET (/candidates?pageSize=1) and a POST (candidates.upsert with
# payloads/candidate-valid-full.json):
#   C       oreg_client_get / oreg_client_submit ({"validate":false}) through the C ABI, one client
#           (tools/bench/bench_client.c); plain libcurl with one handle as the floor, for reference
#           (tools/bench/bench_libcurl.c)
#   Python  requests with one Session (tools/bench/bench_client.py requests)
#   shell   the curl command line, a fresh process per request (bench_client.py curl; children's
#           rusage)
# getrusage user + sys per run of requests, median of the runs; the table also goes to
# .build-bench/client.json.
# Part 4, callback verification: one signed callback (api-contract.md section 8) with a 1 KiB
# body (tools/bench/gen_callback.py), on the same core:
#   C       oreg_verifier_verify in process, verifier created once, `now` fixed at the timestamp:
#           replayStore false (the verification alone) and the default in-memory replay store
#           (a fresh nonce per call, signed with oreg_callback_sign before each batch), plus
#           maxEntries 1e8 (tools/bench/bench_verify.c); section 8 by hand with libcrypto as the
#           floor (tools/bench/bench_verify_libcrypto.c)
#   Python  the library through direct ctypes calls beside standardwebhooks' Webhook.verify,
#           stripe's WebhookSignature.verify_header and section 8 by hand with hmac
#           (tools/bench/bench_verify.py)
#   PHP     the library through FFI beside section 8 by hand with hash_hmac
#           (tools/bench/bench_verify.php)
# Each harness checks first that a genuine callback verifies and a tampered one does not; the
# table also goes to .build-bench/verify.json.
# fastjsonschema and justinrainbow stop before draft 2020-12: tools/bench/schema_drafts.py
# writes the draft-07 and draft-04 copies they get. Missing Python packages are installed with
# pip, a missing php-json-schema with apt-get (as root); what cannot be installed leaves its
# columns empty.
# Part 5, bulk validation: 100,000 generated candidate payloads (tools/bench/gen_bulk.py, seeded,
# about 70% valid and 30% with one defect each) in a JSON Lines file, every line validated against
# the create schema, one pass over the file after another, on the same core:
#   C       oreg_schema_validate in process, verdict only and with the report (tools/bench/bench_bulk.c)
#   Python  the library through the minimal ctypes wrapper and through the binding's
#           Schema.is_valid, beside jsonschema-rs (json.loads + is_valid / iter_errors)
#           (tools/bench/bench_bulk.py)
# records per second (median pass), and every validator must count the same valid records as the
# generator intended; the table goes to .build-bench/bulk.json.
# Part 6, cold start (tools/bench/coldstart.py): fresh php processes (the PHP options of part 2)
# that load the library with FFI::cdef and verify one callback (or validate one payload) against
# `php -r ';'`, and beside the alternatives (hash_hmac by hand, justinrainbow); fresh python3
# processes that import the binding and validate one payload against `python3 -c pass`, beside
# jsonschema-rs and jsonschema; median wall time of fresh processes, the difference is the
# library's added cost. Also the library file's size (and whether it is stripped), and the resident
# memory that loading adds: a C program reading /proc/self/statm around dlopen
# (tools/bench/rss_dlopen.c) and PHP's VmRSS around FFI::cdef. Goes to .build-bench/coldstart.json.
# At the end, tools/bench/write_report.py reads every .build-bench/<part>.json and writes
# BENCHMARKS.md and benchmarks.json at the top of the repository: machine facts, one table per
# part with the alternatives and ratios, and the targets with PASS/MISS. Parts not run in this run
# (BENCH_ONLY) are marked there as such (with the figures of the earlier run, if any).
# Each part prints its tables, the ratios and PASS/MISS against the issue's targets (where the
# library spends its validation time: tools/bench/profile_validate.sh, perf). Exits 0
# whether the targets are met or not (a benchmark is not a test); non-zero only when it could
# not run.
#
# Environment:
#   ONDERWIJSREGIO_FIXTURES  the fixtures directory, with schema/ and payloads/ (default:
#                            ../shared/fixtures); a payloads directory itself is accepted too
#   BENCH_ONLY               parse | validate | bulk | client | verify | coldstart: run one part only
#                            (default all six); the report is written either way
#   BENCH_QUICK              1: fewer repetitions everywhere, a whole run in a few minutes (the figures
#                            are noisier; the report says so): BENCH_REPS 3, BENCH_WARMUP 1,
#                            BENCH_MIN_BATCH_MS 20, client 300 requests x 2 runs (curl 50), bulk 3 passes,
#                            cold start 10 rounds; any of these set explicitly still wins
#   BENCH_REPS               timed repetitions per measurement (default 11)
#   BENCH_WARMUP             untimed warm-up batches after calibration (default 2)
#   BENCH_MIN_BATCH_MS       minimum duration of one timed batch (default 50)
#   BENCH_BULK_COUNT         records of part 5 (default 100000); BENCH_BULK_PASSES timed passes (default
#                            5), BENCH_BULK_INVALID percent with a defect (default 30)
#   BENCH_COLD_RUNS          rounds of part 6 (default 30)
#   BENCH_CPU                the core to pin to (default: the last one this process may use)
#   BENCH_COUNT, BENCH_SEED  size and seed of the generated document (default 10000, 8785)
#   BENCH_PIP_INSTALL        0: never pip install the Python validators, requests, standardwebhooks
#                            or stripe (default 1)
#   BENCH_CLIENT_REQUESTS    requests per run in part 3 (default 2000); BENCH_CLIENT_RUNS runs
#                            (default 5); BENCH_CLIENT_CURL_REQUESTS for the curl command line
#                            (default 200); BENCH_CLIENT_WARMUP untimed calls first (default 100)
#   BENCH_SERVER_CPU         the core of part 3's endpoint (default: another one than BENCH_CPU)
#   BENCH_PHP_ARGS           php options for the PHP run (default: -d opcache.enable_cli=1, as
#                            under php-fpm; JIT stays at PHP's default, off)
#   CC, PYTHON, PHP          compiler and interpreters (default cc, python3, php)
set -euo pipefail
cd "$(dirname "$0")/../.."

fixtures_root=${ONDERWIJSREGIO_FIXTURES:-../shared/fixtures}
if [ -d "$fixtures_root/payloads" ]; then
    fixtures=$fixtures_root/payloads
else
    # Before part 2, ONDERWIJSREGIO_FIXTURES named the payloads directory here: still accepted.
    fixtures=$fixtures_root
    fixtures_root=$(dirname "$fixtures_root")
fi
only=${BENCH_ONLY:-}
php=${PHP:-php}
quick=${BENCH_QUICK:-0}
[ "$quick" = 0 ] || quick=1
if [ "$quick" = 1 ]; then
    : "${BENCH_REPS:=3}" "${BENCH_WARMUP:=1}" "${BENCH_MIN_BATCH_MS:=20}" "${BENCH_CLIENT_REQUESTS:=300}"
    : "${BENCH_CLIENT_RUNS:=2}" "${BENCH_CLIENT_CURL_REQUESTS:=50}" "${BENCH_CLIENT_WARMUP:=20}"
    : "${BENCH_BULK_PASSES:=3}" "${BENCH_COLD_RUNS:=10}"
fi
reps=${BENCH_REPS:-11}
warmup=${BENCH_WARMUP:-2}
min_batch_ms=${BENCH_MIN_BATCH_MS:-50}
# One id for everything this run writes: the report tells this run's parts from older ones.
run_id=$(date -u +%Y%m%dT%H%M%SZ)-$$
export BENCH_RUN_ID=$run_id
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
    echo "bench: no *.json in $fixtures (set ONDERWIJSREGIO_FIXTURES to the fixtures directory)" >&2
    exit 1
fi
[ -e dist/lib/libonderwijsregio.so ] || { echo "bench: dist/ is missing: run make dist" >&2; exit 1; }

case "$only" in
    "" | parse | validate | bulk | client | verify | coldstart) ;;
    *) echo "bench: BENCH_ONLY must be parse, validate, bulk, client, verify or coldstart, not $only" >&2; exit 2 ;;
esac

export PKG_CONFIG_PATH=dist/lib/pkgconfig
flags=$(pkg-config --cflags --libs onderwijsregio)
libdir=$(cd "$(pkg-config --variable=libdir onderwijsregio)" && pwd)

# One core. Every program runs on the same core, one after the other, in this run.
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
timing=(-r "$reps" -w "$warmup" -t "$min_batch_ms")

# The library under test, fingerprinted: a `make dist` elsewhere during the run would mix builds.
lib_real=$(readlink -f "$libdir/libonderwijsregio.so")
lib_id() { echo "$(sha256sum "$lib_real" | cut -c1-16), built $(date -u -r "$lib_real" +%H:%M:%SZ)"; }
lib_at_start=$(lib_id)
check_lib() {
    local now
    now=$(lib_id)
    [ "$now" = "$lib_at_start" ] || echo "WARNING: $lib_real changed during the run ($lib_at_start -> $now):" \
        "the figures above may come from different builds; run again"
}

echo
echo "libonderwijsregio $(sed -n 's/^Version: //p' dist/lib/pkgconfig/onderwijsregio.pc) bench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  CPU:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) online; $where;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  Library: $lib_real (sha256 $lib_at_start)"
echo "  Python:  $("$python" -c 'import sys; print(sys.version.split()[0])'), orjson $("$python" -c 'import orjson; print(orjson.__version__)' 2>/dev/null || echo 'not importable')"
echo "  Method:  wall clock (CLOCK_MONOTONIC / perf_counter_ns / hrtime), batches of >= ${min_batch_ms} ms after"
echo "           calibration + $warmup warm-up batches, median of $reps timed batches; Python's GC off while timing"
[ "$quick" = 1 ] && echo "  BENCH_QUICK=1: fewer repetitions; the figures are noisier than a full run's"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
py_version=$("$python" -c 'import sys; print(sys.version.split()[0])')
read -r -a php_args <<< "${BENCH_PHP_ARGS:--d opcache.enable_cli=1}"
facts=("runId=$run_id" "quick=$quick" "library=$lib_real" "librarySha256=$lib_at_start" "cpu=${BENCH_CPU:-}"
       "cpuModel=$cpu_model" "python=$py_version")

# --- Part 1: JSON parse -------------------------------------------------------------------------
parse_part() {
    mkdir -p "$out/canonical"
    rm -f "$out"/canonical/* "$out/results.tsv"

    # The C program, against dist/ exactly as a user builds against an installed library.
    # shellcheck disable=SC2086
    "$cc" -std=c11 -O2 -Wall -Wextra -o "$out/oreg-bench" tools/bench/bench.c $flags -Wl,-rpath,"$libdir"

    # The large document.
    "$python" tools/bench/gen_candidates.py "$fixtures" "$large" "$count" "$seed"

    files=("$large" "${payloads[@]}")
    args=("${timing[@]}" -o "$out/canonical")

    echo
    echo "== Part 1: JSON parse and canonical form =="
    echo "  Inputs:  $large (generated, seed $seed) and ${#payloads[@]} file(s) from $fixtures"
    echo "  Running: C, then Python, on the same files (sizes and CRC-32 cross-checked below)..."

    "${pin[@]}" "$out/oreg-bench" "${args[@]}" "${files[@]}" >> "$out/results.tsv"
    "${pin[@]}" "$python" tools/bench/bench.py "${args[@]}" "${files[@]}" >> "$out/results.tsv"

    "$python" tools/bench/report.py "$out/results.tsv" "$out/canonical" "$large_name" "$target" \
        "$out/parse.json" "${facts[@]}" "orjson=$("$python" -c 'import orjson; print(orjson.__version__)' 2>/dev/null || echo 'not installed')"
    check_lib
}

# --- Part 3: client overhead (defined here, run after part 2, or alone) ----------------------------
client_part() {
    local cout=$out/client body=$fixtures/candidate-valid-full.json
    local n=${BENCH_CLIENT_REQUESTS:-2000} runs=${BENCH_CLIENT_RUNS:-5}
    local curl_n=${BENCH_CLIENT_CURL_REQUESTS:-200} cwarm=${BENCH_CLIENT_WARMUP:-100}
    [ -f "$body" ] || { echo "bench: $body is missing (set ONDERWIJSREGIO_FIXTURES)" >&2; exit 1; }
    mkdir -p "$cout"
    rm -f "$cout/results.tsv" "$out/client.json"
    if [ "${BENCH_PIP_INSTALL:-1}" != 0 ] && ! "$python" -c 'import requests' 2>/dev/null; then
        echo "bench: pip install --quiet requests" >&2
        "$python" -m pip install --quiet --disable-pip-version-check requests >&2 ||
            echo "bench: pip install failed: the requests rows stay empty" >&2
    fi

    # The endpoint, on a core of its own when there is one, so it is never the bottleneck.
    "$cc" -std=c11 -O2 -Wall -Wextra -o "$cout/oreg-fast-endpoint" tools/bench/fast_endpoint.c
    local server_pin=()
    if [ ${#pin[@]} != 0 ]; then
        [ -n "${BENCH_SERVER_CPU:-}" ] || BENCH_SERVER_CPU=$("$python" -c '
import sys
cpus = []
for part in sys.argv[1].split(","):
    lo, _, hi = part.partition("-")
    cpus += range(int(lo), int(hi or lo) + 1)
others = [c for c in cpus if c != int(sys.argv[2])]
print(others[-1] if others else sys.argv[2])' "$(taskset -pc $$ | sed 's/.*: //')" "$BENCH_CPU")
        server_pin=(taskset -c "$BENCH_SERVER_CPU")
    fi
    "${server_pin[@]}" "$cout/oreg-fast-endpoint" -i 120 > "$cout/endpoint.port" &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true' EXIT
    local port="" i
    for i in $(seq 50); do
        port=$(sed -n 's/^port //p' "$cout/endpoint.port")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: the endpoint did not start" >&2; exit 1; }
    local base=http://127.0.0.1:$port/api/v2
    export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
    stats() {  # stats IMPL before|after: the endpoint's counters, as a line of results.tsv
        printf 'server\t%s\t%s\t%s\n' "$1" "$2" "$("$python" -c '
import sys, urllib.request
print(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sys.argv[1], timeout=10).read().decode())' \
            "http://127.0.0.1:$port/__stats")" >> "$cout/results.tsv"
    }
    # Each program runs once per round, one after the other, so that whatever else the machine does
    # during the bench falls on all of them alike; each process makes its own warm-up calls first.
    local args=(-u "$base" -b "$body" -n "$n" -r 1 -w "$cwarm")
    local impls=()

    echo
    echo "== Part 3: client overhead per request =="
    echo "  Endpoint: $base (tools/bench/fast_endpoint.c, epoll, keep-alive)${server_pin:+, pinned to CPU $BENCH_SERVER_CPU}"
    echo "  Calls:   GET /candidates?pageSize=1 and POST /candidates/upsert with $body ($(wc -c < "$body") bytes)"
    echo "  Method:  getrusage user + sys per run of $n requests ($curl_n for the curl command line), after"
    echo "           $cwarm untimed calls of each in the same process; $runs rounds, each running every program"
    echo "           once in turn; median of the runs; Python's GC off while timing"

    # shellcheck disable=SC2086
    if command -v nm >/dev/null && ! nm -D --defined-only "$lib_real" | grep -q ' oreg_client_new$'; then
        echo "bench: $lib_real exports no oreg_client_new yet: the library's rows stay empty" >&2
    elif "$cc" -std=c11 -O2 -Wall -Wextra -o "$cout/oreg-bench-client" tools/bench/bench_client.c $flags \
        -Wl,-rpath,"$libdir"; then
        impls+=(oreg)
    else
        echo "bench: tools/bench/bench_client.c does not build against dist/: the library's rows stay empty" >&2
    fi
    # shellcheck disable=SC2086
    if "$cc" -std=c11 -O2 -Wall -Wextra -o "$cout/oreg-bench-libcurl" tools/bench/bench_libcurl.c $flags -lcurl \
        -Wl,-rpath,"$libdir"; then
        impls+=(libcurl)
    else
        echo "bench: tools/bench/bench_libcurl.c does not build (libcurl's headers?): its rows stay empty" >&2
    fi
    if "$python" -c 'import requests' 2>/dev/null; then
        impls+=(requests)
    else
        echo "bench: requests is not importable: its rows stay empty" >&2
    fi
    if command -v curl >/dev/null; then
        impls+=(curl)
    else
        echo "bench: curl not found: its rows stay empty" >&2
    fi
    echo "  Running: ${impls[*]}, in turn, $runs rounds..."

    local round impl failed=" "
    for round in $(seq "$runs"); do
        for impl in "${impls[@]}"; do
            case "$failed" in *" $impl "*) continue ;; esac
            stats "$impl" before
            local cmd
            case "$impl" in
                oreg) cmd=("$cout/oreg-bench-client" "${args[@]}") ;;
                libcurl) cmd=("$cout/oreg-bench-libcurl" "${args[@]}") ;;
                requests) cmd=("$python" tools/bench/bench_client.py requests "${args[@]}") ;;
                curl) cmd=("$python" tools/bench/bench_client.py curl -u "$base" -b "$body" -n "$curl_n" -r 1 -w 10) ;;
            esac
            if ! "${pin[@]}" "${cmd[@]}" >> "$cout/results.tsv"; then
                echo "bench: the $impl run failed in round $round (see above): no more $impl runs" >&2
                failed="$failed$impl "
            fi
            stats "$impl" after
        done
    done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    trap - EXIT

    "$python" tools/bench/report_client.py "$cout/results.tsv" "$out/client.json" "runId=$run_id" "quick=$quick" \
        "requests=$("$python" -c "import importlib.metadata as m; print(m.version('requests'))" 2>/dev/null || echo 'not installed')" \
        "curl=$(curl --version 2>/dev/null | head -1 | cut -d' ' -f2)" \
        "library=$lib_real" "librarySha256=$lib_at_start" "cpu=${BENCH_CPU:-}" "serverCpu=${BENCH_SERVER_CPU:-}" \
        "python=$("$python" -c 'import sys; print(sys.version.split()[0])')" "body=$body" \
        "cpuModel=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    check_lib
}

# --- Part 4: callback verification (defined here, run after part 3, or alone) ----------------------
verify_part() {
    local vdir=$out/verify body=$out/verify/body-1k.json
    # A 32-byte secret (the HMAC key of every verifier here); the path and query as received.
    local secret=bench-secret-0123456789abcdefghi cb_path='/hooks/onderwijsregio?site=3'
    local stamp
    stamp=$(date +%s)
    mkdir -p "$vdir"
    rm -f "$vdir/results.tsv" "$out/verify.json"
    if [ "${BENCH_PIP_INSTALL:-1}" != 0 ]; then
        local missing=()
        "$python" -c 'import standardwebhooks' 2>/dev/null || missing+=(standardwebhooks)
        "$python" -c 'import stripe' 2>/dev/null || missing+=(stripe)
        if [ ${#missing[@]} != 0 ]; then
            echo "bench: pip install --quiet ${missing[*]}" >&2
            "$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2 ||
                echo "bench: pip install failed: those rows stay empty" >&2
        fi
    fi
    local body_info
    body_info=$("$python" tools/bench/gen_callback.py "$body" 1024)
    local vphp=0 vphp_args
    read -r -a vphp_args <<< "${BENCH_PHP_ARGS:--d opcache.enable_cli=1}"
    if command -v "$php" >/dev/null && "$php" -r 'exit(extension_loaded("ffi") ? 0 : 1);' 2>/dev/null; then
        vphp=1
    else
        echo "bench: $php with FFI not found: the PHP rows stay empty" >&2
    fi
    vpy() { "$python" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "not installed"; }

    echo
    echo "== Part 4: callback verification =="
    echo "  Callback: POST $cb_path, body $body ($body_info), timestamp $stamp, 32-byte secret;"
    echo "            the library and the hand-written rows verify with now fixed at the timestamp"
    echo "  Python:  standardwebhooks $(vpy standardwebhooks), stripe $(vpy stripe)"
    if [ "$vphp" = 1 ]; then
        echo "  PHP:     $("$php" -r 'echo PHP_VERSION;') ${vphp_args[*]}"
    fi
    echo "  Running: C, then Python, then PHP, on the same core..."

    local args=("${timing[@]}" -s "$secret" -p "$cb_path" -T "$stamp")
    # shellcheck disable=SC2086
    if command -v nm >/dev/null && ! nm -D --defined-only "$lib_real" | grep -q ' oreg_verifier_verify$'; then
        echo "bench: $lib_real exports no oreg_verifier_verify yet: the library's rows stay empty" >&2
    elif "$cc" -std=c11 -O2 -Wall -Wextra -o "$vdir/oreg-bench-verify" tools/bench/bench_verify.c $flags \
        -Wl,-rpath,"$libdir"; then
        "${pin[@]}" "$vdir/oreg-bench-verify" "${args[@]}" "$body" >> "$vdir/results.tsv" ||
            echo "bench: the C verification run failed (see above)" >&2
    else
        echo "bench: tools/bench/bench_verify.c does not build against dist/: the C rows stay empty" >&2
    fi
    # shellcheck disable=SC2046,SC2086
    if "$cc" -std=c11 -O2 -Wall -Wextra -o "$vdir/oreg-bench-verify-libcrypto" tools/bench/bench_verify_libcrypto.c \
        $flags $(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto) -Wl,-rpath,"$libdir"; then
        "${pin[@]}" "$vdir/oreg-bench-verify-libcrypto" "${args[@]}" "$body" >> "$vdir/results.tsv" ||
            echo "bench: the libcrypto reference run failed (see above)" >&2
    else
        echo "bench: tools/bench/bench_verify_libcrypto.c does not build (libcrypto's headers?): its row stays empty" >&2
    fi
    "${pin[@]}" "$python" tools/bench/bench_verify.py "${args[@]}" -l "$libdir/libonderwijsregio.so" "$body" \
        >> "$vdir/results.tsv" || echo "bench: the Python verification run failed (see above)" >&2
    if [ "$vphp" = 1 ]; then
        "${pin[@]}" "$php" "${vphp_args[@]}" tools/bench/bench_verify.php "${args[@]}" \
            --cdef dist/share/onderwijsregio/onderwijsregio.ffi.h --lib "$libdir/libonderwijsregio.so" "$body" \
            >> "$vdir/results.tsv" || echo "bench: the PHP verification run failed (see above)" >&2
    fi

    TARGET_C_US=2 "$python" tools/bench/report_verify.py "$vdir/results.tsv" "$out/verify.json" "runId=$run_id" \
        "quick=$quick" "library=$lib_real" "librarySha256=$lib_at_start" "cpu=${BENCH_CPU:-}" \
        "python=$("$python" -c 'import sys; print(sys.version.split()[0])')" \
        "php=$([ "$vphp" = 1 ] && "$php" -r 'echo PHP_VERSION;')" "body=$body" "timestamp=$stamp" \
        "pathAndQuery=$cb_path" "standardwebhooks=$(vpy standardwebhooks)" "stripe=$(vpy stripe)" \
        "cpuModel=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    check_lib
}

# --- Part 2: JSON Schema validation -------------------------------------------------------------
validate_part() {
    vout=$out/validate
    schema_rel=schema/candidate-create.schema.json
    schema=$fixtures_root/$schema_rel
    valid_payload=$fixtures/candidate-valid-full.json
    invalid_payload=$fixtures/candidate-invalid-many.json
    for f in "$schema" "$valid_payload" "$invalid_payload"; do
        [ -f "$f" ] || { echo "bench: $f is missing (set ONDERWIJSREGIO_FIXTURES)" >&2; exit 1; }
    done
    mkdir -p "$vout"
    rm -f "$vout/results.tsv"

    # The alternatives: installed here when missing, as the issue asks; never fatal.
    if [ "${BENCH_PIP_INSTALL:-1}" != 0 ]; then
        missing=()
        "$python" -c 'import jsonschema_rs' 2>/dev/null || missing+=(jsonschema-rs)
        "$python" -c 'import fastjsonschema' 2>/dev/null || missing+=(fastjsonschema)
        "$python" -c 'import jsonschema' 2>/dev/null || missing+=(jsonschema)
        if [ ${#missing[@]} != 0 ]; then
            echo "bench: pip install --quiet ${missing[*]}" >&2
            "$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2 ||
                echo "bench: pip install failed: those columns stay empty" >&2
        fi
    fi
    php_ok=0
    if command -v "$php" >/dev/null && "$php" -r 'exit(extension_loaded("ffi") ? 0 : 1);' 2>/dev/null; then
        php_ok=1
        if ! dpkg -s php-json-schema >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "bench: apt-get install php-json-schema" >&2
            { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-json-schema >/dev/null 2>&1 ||
              { apt-get update -qq >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-json-schema >/dev/null 2>&1; }; } ||
                echo "bench: php-json-schema could not be installed: its columns stay empty" >&2
        fi
    else
        echo "bench: $php with FFI not found: the PHP columns stay empty" >&2
    fi
    jr_autoload=$(dpkg -L php-json-schema 2>/dev/null | grep '/JsonSchema/autoload\.php$' | head -1 || true)
    jr_version=$(dpkg-query -W -f '${Version}' php-json-schema 2>/dev/null || echo "not installed")

    # shellcheck disable=SC2086
    "$cc" -std=c11 -O2 -Wall -Wextra -o "$out/oreg-bench-validate" tools/bench/bench_validate.c $flags \
        -Wl,-rpath,"$libdir"
    "$python" tools/bench/schema_drafts.py "$schema" "$vout"

    pyver() { "$python" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "not installed"; }
    echo
    echo "== Part 2: JSON Schema validation =="
    echo "  Schema:  $schema (draft 2020-12, compiled once; format assertion on)"
    echo "  Inputs:  $valid_payload, $invalid_payload (bytes in)"
    echo "  Python:  jsonschema-rs $(pyver jsonschema-rs), jsonschema $(pyver jsonschema), fastjsonschema $(pyver fastjsonschema)"
    if [ "$php_ok" = 1 ]; then
        echo "  PHP:     $("$php" -r 'echo PHP_VERSION;') ${php_args[*]} (opcache $("$php" "${php_args[@]}" -r 'echo ini_get("opcache.enable_cli") ? "on" : "off";'), JIT buffer $("$php" "${php_args[@]}" -r 'echo ini_get("opcache.jit_buffer_size") ?: "0";')), php-json-schema (justinrainbow/json-schema) $jr_version"
    fi
    echo "  Running: C, then Python, then PHP, on the same core (sizes and CRC-32 cross-checked)..."

    "${pin[@]}" "$out/oreg-bench-validate" "${timing[@]}" "$schema" "$valid_payload" "$invalid_payload" \
        >> "$vout/results.tsv"
    # The Python and PHP runs are not fatal: what they could not time shows as missing in the report.
    "${pin[@]}" "$python" tools/bench/bench_validate.py "${timing[@]}" -l "$libdir/libonderwijsregio.so" \
        -d "$vout/schema-draft07.json" "$schema" "$valid_payload" "$invalid_payload" >> "$vout/results.tsv" ||
        echo "bench: the Python validation run failed (see above)" >&2
    if [ "$php_ok" = 1 ]; then
        "${pin[@]}" "$php" "${php_args[@]}" tools/bench/bench_validate.php "${timing[@]}" \
            --cdef dist/share/onderwijsregio/onderwijsregio.ffi.h --lib "$libdir/libonderwijsregio.so" \
            --autoload "${jr_autoload:-/nonexistent}" --draft04 "$vout/schema-draft04.json" \
            "$schema" "$valid_payload" "$invalid_payload" >> "$vout/results.tsv" ||
            echo "bench: the PHP validation run failed (see above)" >&2
    fi

    TARGET_C_US=5 TARGET_RS_RATIO=1 TARGET_JSONSCHEMA_RATIO=30 TARGET_PHP_RATIO=20 \
        "$python" tools/bench/report_validate.py "$vout/results.tsv" "$fixtures/expected.json" "$schema_rel" \
        "$vout/schema-drafts.txt" "$(basename "$valid_payload")" "$(basename "$invalid_payload")" \
        "$out/validate.json" "${facts[@]}" "php=$([ "$php_ok" = 1 ] && "$php" -r 'echo PHP_VERSION;')" \
        "phpArgs=${php_args[*]}" "jsonschema-rs=$(pyver jsonschema-rs)" "jsonschema=$(pyver jsonschema)" \
        "fastjsonschema=$(pyver fastjsonschema)" "php-json-schema=$jr_version"
    # Instructions per call do not move with a busy or throttled machine, as timings do.
    if command -v valgrind >/dev/null; then
        JSON_OUT=$vout/instructions.json bash tools/bench/count_instructions.sh > /dev/null &&
            "$python" -c 'import json, sys
part = json.load(open(sys.argv[1])); part["instructions"] = json.load(open(sys.argv[2]))
json.dump(part, open(sys.argv[1], "w"), indent=1)' "$out/validate.json" "$vout/instructions.json" ||
            echo "bench: counting instructions failed (see above)" >&2
    fi
    check_lib
}
# --- Part 5: bulk validation ------------------------------------------------------------------------
bulk_part() {
    local bdir=$out/bulk schema=$fixtures_root/schema/candidate-create.schema.json
    local n=${BENCH_BULK_COUNT:-100000} passes=${BENCH_BULK_PASSES:-5} invalid=${BENCH_BULK_INVALID:-30}
    local records=$bdir/candidates-$n-$seed.jsonl
    [ -f "$schema" ] || { echo "bench: $schema is missing (set ONDERWIJSREGIO_FIXTURES)" >&2; exit 1; }
    mkdir -p "$bdir"
    rm -f "$bdir/results.tsv" "$out/bulk.json"
    if [ "${BENCH_PIP_INSTALL:-1}" != 0 ] && ! "$python" -c 'import jsonschema_rs' 2>/dev/null; then
        echo "bench: pip install --quiet jsonschema-rs" >&2
        "$python" -m pip install --quiet --disable-pip-version-check jsonschema-rs >&2 ||
            echo "bench: pip install failed: the jsonschema-rs rows stay empty" >&2
    fi
    echo
    echo "== Part 5: bulk validation =="
    echo "  Records: $("$python" tools/bench/gen_bulk.py "$records" "$n" "$seed" "$invalid")"
    echo "  Schema:  $schema (compiled once, format assertion on)"
    echo "  Method:  a pass = every line validated in file order (file read beforehand, untimed); 1 untimed"
    echo "           pass, then $passes timed ones; median; Python's GC off while timing"
    echo "  Running: C, then Python, on the same core..."
    # shellcheck disable=SC2086
    if "$cc" -std=c11 -O2 -Wall -Wextra -o "$bdir/oreg-bench-bulk" tools/bench/bench_bulk.c $flags \
        -Wl,-rpath,"$libdir"; then
        "${pin[@]}" "$bdir/oreg-bench-bulk" -r "$passes" -w 1 "$schema" "$records" >> "$bdir/results.tsv" ||
            echo "bench: the C bulk run failed (see above)" >&2
    else
        echo "bench: tools/bench/bench_bulk.c does not build against dist/: the C rows stay empty" >&2
    fi
    "${pin[@]}" "$python" tools/bench/bench_bulk.py -r "$passes" -w 1 -l "$libdir/libonderwijsregio.so" \
        -b bindings/python "$schema" "$records" >> "$bdir/results.tsv" ||
        echo "bench: the Python bulk run failed (see above)" >&2
    "$python" tools/bench/report_bulk.py "$bdir/results.tsv" "$records.expected" "$out/bulk.json" "${facts[@]}" \
        "records=$records" "seed=$seed" "invalidPercent=$invalid" \
        "jsonschema-rs=$("$python" -c "import importlib.metadata as m; print(m.version('jsonschema-rs'))" 2>/dev/null || echo 'not installed')"
    check_lib
}

# --- Part 6: cold start -----------------------------------------------------------------------------
coldstart_part() {
    local cdir=$out/coldstart body=$out/coldstart/body-1k.json
    local schema=$fixtures_root/schema/candidate-create.schema.json payload=$fixtures/candidate-valid-full.json
    mkdir -p "$cdir"
    rm -f "$out/coldstart.json"
    "$python" tools/bench/gen_callback.py "$body" 1024 > /dev/null
    # The draft-04 copy for justinrainbow (part 2 writes it too; alone, this part writes its own).
    "$python" tools/bench/schema_drafts.py "$schema" "$cdir" > /dev/null
    local rss_bin=()
    if "$cc" -std=c11 -O2 -Wall -Wextra -o "$cdir/oreg-rss-dlopen" tools/bench/rss_dlopen.c -ldl; then
        rss_bin=(--rss-bin "$cdir/oreg-rss-dlopen" --smaps-dir "$cdir")
    else
        echo "bench: tools/bench/rss_dlopen.c does not build: the C memory figures stay empty" >&2
    fi
    local autoload
    autoload=$(dpkg -L php-json-schema 2>/dev/null | grep '/JsonSchema/autoload\.php$' | head -1 || true)
    echo
    echo "== Part 6: cold start, size, resident memory =="
    echo "  Running: fresh php and python3 processes, ${BENCH_COLD_RUNS:-30} rounds, on the same core..."
    TARGET_PHP_ADDED_MS=3 TARGET_SIZE_BYTES=8000000 TARGET_RSS_BYTES=8000000 \
    "${pin[@]}" "$python" tools/bench/coldstart.py --out "$out/coldstart.json" --lib "$libdir/libonderwijsregio.so.0" \
        --cdef dist/share/onderwijsregio/onderwijsregio.ffi.h --schema "$schema" --payload "$payload" --body "$body" \
        --runs "${BENCH_COLD_RUNS:-30}" --php "$php" --php-args "${php_args[*]}" --python "$python" \
        --draft04 "$cdir/schema-draft04.json" --autoload "${autoload:-/nonexistent}" --bindings bindings/python \
        --rss-runs "$([ "$quick" = 1 ] && echo 3 || echo 7)" "${rss_bin[@]}" "${facts[@]}" \
        "php=$(command -v "$php" >/dev/null && "$php" -r 'echo PHP_VERSION;')"
    check_lib
}

# --- The run ---------------------------------------------------------------------------------------
started=$(date +%s)
if [ -z "$only" ]; then
    # A whole run: what an earlier run left must not pass for this one's.
    rm -f "$out"/{parse,validate,bulk,client,verify,coldstart}.json
    parse_part
    validate_part
    bulk_part
    client_part
    verify_part
    coldstart_part
else
    "${only}_part"
fi
echo
echo "bench: the parts took $(( $(date +%s) - started )) s"
"$python" tools/bench/write_report.py --dir "$out" --run-id "$run_id" --markdown BENCHMARKS.md --json benchmarks.json \
    --python "$python" --php "$php" --php-args "${php_args[*]}" ||
    echo "bench: write_report.py failed: BENCHMARKS.md and benchmarks.json were not updated" >&2
exit 0
