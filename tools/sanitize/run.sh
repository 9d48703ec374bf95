#!/usr/bin/env bash
# The library under a sanitizer: `make test-asan` (address) and `make test-tsan` (thread).
#
#   1. swift test --sanitize=<kind>, in its own scratch path (.build-asan / .build-tsan),
#      counted from the xUnit reports as tools/test/suites/10-swift.sh counts them;
#   2. a sanitized debug build of the dynamic product (libonderwijsregio.so in that scratch path),
#      and Tests/c/stress.c compiled with clang -fsanitize=<kind> against it: 8 threads sharing one
#      compiled schema, one verifier and one client (against the local simulator), run with
#      ASAN_OPTIONS=detect_leaks=1 (LeakSanitizer included) or TSAN_OPTIONS=halt_on_error=1.
#
# Every sanitizer report fails the run; the reports are printed. Suppressions, if any, live in
# tools/sanitize/{lsan,tsan}.supp, each commented with why it is not the library's bug.
# Usage: run.sh address|thread. Ends with "sanitize-<kind>: N passed, N failed".
set -uo pipefail
kind=${1:?usage: run.sh address|thread}
case "$kind" in
    address) short=asan ;;
    thread) short=tsan ;;
    *) echo "run.sh: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../.."
root=$PWD
name=sanitize-$kind
scratch=.build-$short
work=.build-test/sanitize-$short
rm -rf "$work" && mkdir -p "$work"
fixtures=${ONDERWIJSREGIO_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
# The toolchain's clang: its sanitizer runtime is the one the Swift compiler instruments for.
swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
CLANG=${SANITIZE_CC:-$([ -x "$swift_bin/clang" ] && echo "$swift_bin/clang" || echo clang)}
passed=0 failed=0
step() { # description, status
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
# Sanitizer reports in a log: prints them and returns their count.
reports() {
    local count
    count=$(grep -cE '^(==[0-9]+==ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|.*runtime error: )' "$1")
    if [ "$count" = 0 ]; then
        echo "     no reports"
    else
        echo "     $count report(s):"
        grep -E '^SUMMARY: ' "$1" | sort | uniq -c | sed 's/^/     /'
        grep -nE -A30 '^(==[0-9]+==ERROR: |WARNING: ThreadSanitizer)' "$1" | grep -E '==ERROR|WARNING|READ|WRITE|#[0-9] ' | head -40 | sed 's/^/     /'
    fi
    return "$count"
}

# detect_stack_use_after_return=0: with it ASan moves locals to a heap "fake stack", and the
# library's StackGuard (Sources/Onderwijsregio/Support/StackGuard.swift) measures the room left
# on the thread's stack by the address of a local, so every parse fails with "nesting too deep
# for the calling thread's stack (at 1 levels)". Not a memory error; reported to the library.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0:print_suppressions=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tools/sanitize/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tools/sanitize/tsan.supp}

# ---- 1. the Swift unit tests ------------------------------------------------------------------
echo "=== swift test --sanitize=$kind (scratch path $scratch)"
swift test --sanitize="$kind" --scratch-path "$scratch" --parallel --xunit-output "$work/swift.xml" > "$work/swift-test.log" 2>&1
swift_status=$?
grep -Ev '^(\[[0-9]+/[0-9]+\]|Building|Build complete|Compiling|Write|Emitting|Linking)' "$work/swift-test.log" | tail -15 | sed 's/^/     /'
counts=$(python3 tools/test/count-junit.py "swift-$kind" "$work"/swift*.xml)
sed 's/^/     /' <<<"$counts"
swift_passed=$(sed -nE 's/.*: ([0-9]+) passed.*/\1/p' <<<"$counts" | tail -1); swift_failed=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$counts" | tail -1)
reports "$work/swift-test.log"; swift_reports=$?
step "swift test --sanitize=$kind: ${swift_passed:-0} passed, ${swift_failed:-?} failed, $swift_reports sanitizer report(s)" \
    $([ "$swift_status" = 0 ] && [ "${swift_failed:-1}" = 0 ] && [ "${swift_passed:-0}" -gt 0 ] && [ "$swift_reports" = 0 ]; echo $?)

# ---- 2. the sanitized library and the C stress test -------------------------------------------
echo "=== swift build -c debug --sanitize=$kind --product onderwijsregio"
swift build -c debug --sanitize="$kind" --scratch-path "$scratch" --product onderwijsregio > "$work/build.log" 2>&1
build_status=$?
bin=$(swift build -c debug --sanitize="$kind" --scratch-path "$scratch" --show-bin-path 2>/dev/null)
library=$bin/libonderwijsregio.so
instrumented=1
if [ "$build_status" = 0 ] && [ -f "$library" ]; then
    case "$kind" in
        address) [ "$(nm -D "$library" | grep -c '__asan_')" -gt 0 ] && instrumented=0 ;;
        thread) [ "$(nm -D "$library" | grep -c '__tsan_')" -gt 0 ] && instrumented=0 ;;
    esac
fi
[ "$build_status" = 0 ] || tail -20 "$work/build.log" | sed 's/^/     /'
step "sanitized library built: $library (instrumented: $([ $instrumented = 0 ] && echo yes || echo NO))" \
    $([ "$build_status" = 0 ] && [ $instrumented = 0 ]; echo $?)

# The toolchain's TSan runtime intercepts libdispatch, so the program links the Swift runtime's
# libdispatch and BlocksRuntime (the library loads them anyway).
runtime_dir=$swift_bin/../lib/swift/linux
extra_libs=()
[ "$kind" = thread ] && extra_libs=(-L"$runtime_dir" -ldispatch -lBlocksRuntime -Wl,-rpath,"$runtime_dir")
"$CLANG" -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize="$kind" -pthread -Iinclude -o "$work/stress" \
    Tests/c/stress.c -L"$bin" -londerwijsregio -Wl,-rpath,"$bin" "${extra_libs[@]}" > "$work/cc.log" 2>&1
cc_status=$?
[ "$cc_status" = 0 ] || sed 's/^/     /' "$work/cc.log"
step "Tests/c/stress.c compiled with $CLANG -fsanitize=$kind" "$cc_status"

sim_pid=
stop_sim() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null; sim_pid=; }
trap stop_sim EXIT
python3 tools/simulator/server.py --port 0 --rate-limit 0 --queue-delay-ms 5 > "$work/sim.out" 2> "$work/sim.log" &
sim_pid=$!
base=
for _ in $(seq 100); do base=$(head -1 "$work/sim.out" 2>/dev/null); [ -n "$base" ] && break; sleep 0.1; done
step "local simulator started (${base:-no base URL})" $([ -n "$base" ]; echo $?)

if [ "$cc_status" = 0 ] && [ -n "$base" ]; then
    echo "=== stress (8 threads, one schema, one verifier, one client) under $kind sanitizer"
    STRESS_ITERATIONS=${STRESS_ITERATIONS:-100} "$work/stress" "$fixtures" "$base" > "$work/stress.log" 2>&1
    stress_status=$?
    grep -vE '^(ok|FAIL) ' "$work/stress.log" | grep -vE '^stress: ' | head -5 | sed 's/^/     /'
    grep -E '^(ok|FAIL) |^stress: ' "$work/stress.log" | sed 's/^/     /'
    reports "$work/stress.log"; stress_reports=$?
    step "stress under -fsanitize=$kind: exit $stress_status, $stress_reports sanitizer report(s)" \
        $([ "$stress_status" = 0 ] && [ "$stress_reports" = 0 ] && grep -q '^stress: [0-9]* passed, 0 failed' "$work/stress.log"; echo $?)
else
    step "stress under -fsanitize=$kind (not run)" 1
fi
stop_sim

echo "logs: $work/"
echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
