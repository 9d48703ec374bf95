#!/usr/bin/env bash
# Leaks and memory errors. Valgrind (memcheck) over the C tests that drive the built artefact:
#   - Tests/c/test_abi.c (a copy built here, exactly as 20-c-abi.sh builds it),
#   - Tests/c/abuse.c (its forked children, the crash probes, are left out: --child-silent-after-fork);
# each must end with 0 bytes "definitely lost" and 0 bytes "indirectly lost" and no memcheck
# error. "possibly lost" and "still reachable" are accepted: the statically linked Swift runtime
# keeps its metadata caches and conformance tables for the life of the process, and OpenSSL and
# libcurl keep their global state. Then tools/test/leak_check.c, natively: 1,000,000 validations
# and 100,000 verifications with the resident set measured after a 10% warm-up and at the end
# (growth under 1 MiB).
# Usage: 23-valgrind.sh <suite name>
set -uo pipefail
name=${1:-valgrind}
cd "$(dirname "$0")/../../.."
fixtures=${ONDERWIJSREGIO_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
work=.build-test/valgrind
rm -rf "$work" && mkdir -p "$work"
export PKG_CONFIG_PATH=$PWD/dist/lib/pkgconfig
flags=$(pkg-config --cflags --libs onderwijsregio)
passed=0 failed=0
result() { # description, status
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed (apt-get install valgrind)"
    echo "$name: 0 passed, 1 failed"
    exit 1
fi

build() { # output, source
    ${CC:-cc} -std=c11 -g -Wall -Wextra -Werror -pthread -o "$work/$1" "$2" $flags -Wl,-rpath,"$PWD/dist/lib" > "$work/$1.cc.log" 2>&1
    local status=$?
    [ $status = 0 ] || sed 's/^/     /' "$work/$1.cc.log"
    result "$2 builds" $status
    return $status
}

# Runs one program under memcheck; the leak summary must show nothing definitely or indirectly
# lost, and memcheck must report no error. $1: label, $2: valgrind's exit code for errors,
# $3...: the command. The program's own exit status is checked by its own suite (20, 22).
memcheck() {
    local label=$1 error_code=$2; shift 2
    local log=$work/$label.valgrind.log
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode="$error_code" \
        --show-leak-kinds=definite,indirect --child-silent-after-fork=yes --num-callers=30 \
        --log-file="$log" "$@" > "$work/$label.out" 2>&1
    local status=$?
    local definite indirect possible reachable errors
    definite=$(sed -nE 's/.*definitely lost: ([0-9,]+) bytes.*/\1/p' "$log" | tr -d , | tail -1)
    indirect=$(sed -nE 's/.*indirectly lost: ([0-9,]+) bytes.*/\1/p' "$log" | tr -d , | tail -1)
    possible=$(sed -nE 's/.*possibly lost: ([0-9,]+) bytes.*/\1/p' "$log" | tr -d , | tail -1)
    reachable=$(sed -nE 's/.*still reachable: ([0-9,]+) bytes.*/\1/p' "$log" | tr -d , | tail -1)
    errors=$(sed -nE 's/.*ERROR SUMMARY: ([0-9,]+) errors.*/\1/p' "$log" | tr -d , | tail -1)
    if grep -q "All heap blocks were freed" "$log"; then definite=0 indirect=0 possible=0 reachable=0; fi
    echo "     $label: definitely lost ${definite:-?} B, indirectly lost ${indirect:-?} B, possibly lost ${possible:-?} B," \
         "still reachable ${reachable:-?} B; memcheck errors: ${errors:-?}; $(grep -E ': [0-9]+ passed, [0-9]+ failed' "$work/$label.out" | tail -1)"
    local ok=1
    [ "$status" != "$error_code" ] && [ "${definite:-x}" = 0 ] && [ "${indirect:-x}" = 0 ] && [ "${errors:-x}" = 0 ] && ok=0
    [ $ok = 0 ] || { grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ .*(definitely|indirectly) lost)' -A12 "$log" | head -80 | sed 's/^/     /'; }
    result "valgrind $label: 0 bytes definitely or indirectly lost, no memcheck error (log: $log)" $ok
}

# The harness itself: a planted leak (a canonical form never released) must be caught, so a
# "0 bytes lost" below cannot come from a check that sees nothing.
cat > "$work/planted_leak.c" <<'C'
#include <onderwijsregio.h>
int main(void) {
    char *out = 0;
    int status = oreg_json_canonicalize("[1.0]", 5, &out);
    out = 0;                                   /* the only pointer to the result is dropped */
    return status;
}
C
if build planted_leak "$work/planted_leak.c"; then
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
        --log-file="$work/planted_leak.valgrind.log" "$work/planted_leak" > /dev/null 2>&1
    planted=$?
    lost=$(sed -nE 's/.*definitely lost: ([0-9,]+) bytes.*/\1/p' "$work/planted_leak.valgrind.log" | tr -d ,)
    result "control: valgrind catches a planted leak (exit $planted, ${lost:-?} bytes definitely lost)" \
        $([ "$planted" = 1 ] && [ "${lost:-0}" -gt 0 ]; echo $?)
fi

if build test_abi Tests/c/test_abi.c; then
    memcheck test_abi 1 "$work/test_abi"
else
    result "valgrind test_abi (not built)" 1
fi
if build abuse Tests/c/abuse.c; then
    # Its own failures (exit 1) are suite 22's; memcheck's are told apart by their exit code.
    mkdir -p "$work/abuse-scratch"
    memcheck abuse 99 "$work/abuse" "$work/abuse-scratch"
else
    result "valgrind abuse (not built)" 1
fi

if ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$work/leak_check" tools/test/leak_check.c $flags \
        -Wl,-rpath,"$PWD/dist/lib" > "$work/leak_check.cc.log" 2>&1; then
    "$work/leak_check" "$fixtures" > "$work/leak_check.out" 2>&1
    status=$?
    sed 's/^/     /' "$work/leak_check.out"
    result "growth: 1,000,000 validations and 100,000 verifications, RSS growth after warm-up under 1 MiB" $status
else
    sed 's/^/     /' "$work/leak_check.cc.log"
    result "tools/test/leak_check.c builds" 1
fi

echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
