# Shared by tools/fuzz/run.sh and tools/test/suites/70-fuzz-smoke.sh; source it from the
# repository root. Builds the harnesses (tools/fuzz/Package.swift) into .build-fuzz and writes
# the seed corpora there; nothing generated goes into the repository.

FUZZ_SCRATCH=${FUZZ_SCRATCH:-$PWD/.build-fuzz}
FUZZ_BIN=$FUZZ_SCRATCH/debug
FUZZ_HARNESSES=(FuzzJSON FuzzSchemaCompile FuzzValidate FuzzCallback FuzzEnvelope)
ONDERWIJSREGIO_CONFORMANCE=${ONDERWIJSREGIO_CONFORMANCE:-$(cd .. && pwd)/shared/conformance}
ONDERWIJSREGIO_FIXTURES=${ONDERWIJSREGIO_FIXTURES:-$(cd .. && pwd)/shared/fixtures}

# A fatal error must reach libFuzzer as a crash (the Swift backtracer would otherwise take the
# signal, and wait on a terminal); leaks are reported by LeakSanitizer.
export SWIFT_BACKTRACE=enable=no
# ASAN_OPTIONS as given: detect_stack_use_after_return would move locals off the stack, where the
# library's StackGuard (it compares a local's address with the stack floor) cannot see them.

# Longest input per harness: the callback one must be able to exceed the 8 KiB header limit.
fuzz_max_len() {
    case $1 in
        FuzzJSON|FuzzSchemaCompile) echo 8192 ;;
        FuzzValidate) echo 16384 ;;
        FuzzCallback) echo 9000 ;;
        FuzzEnvelope|*) echo 4096 ;;
    esac
}

# Debug build (for -enable-testing, i.e. @testable import) with libFuzzer's coverage and
# AddressSanitizer on every Swift module, the library's included. Incremental after the first run.
# SwiftPM keeps the build plan of a path dependency when only its files change, so a source file
# added to the library would be missing from the plan: the plan is dropped when the list of the
# library's files differs from the last build's.
fuzz_build() {
    local files
    files=$(find Sources -type f | LC_ALL=C sort | sha256sum | cut -c1-64)
    if [ "$(cat "$FUZZ_SCRATCH/library-files.sha256" 2>/dev/null)" != "$files" ]; then
        rm -f "$FUZZ_SCRATCH/debug.yaml" "$FUZZ_SCRATCH/build.db"
    fi
    mkdir -p "$FUZZ_SCRATCH"
    echo "$files" > "$FUZZ_SCRATCH/library-files.sha256"
    swift build -c debug --package-path tools/fuzz --scratch-path "$FUZZ_SCRATCH" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing "$@" 2>&1 \
        | grep -Ev "Cannot export local symbol|^\[[0-9]+/[0-9]+\] |^Building|^Compiling|^Write|deprecated|^ +\||^ *[0-9]+ \||^ *\`-"
    return "${PIPESTATUS[0]}"
}

# Seeds from ../shared (conformance suites, fixtures) and hand-written ones: .build-fuzz/seeds/<harness>.
fuzz_seeds() {
    rm -rf "$FUZZ_SCRATCH/seeds"
    python3 tools/fuzz/gen_corpus.py "$FUZZ_SCRATCH/seeds" "$ONDERWIJSREGIO_CONFORMANCE" "$ONDERWIJSREGIO_FIXTURES"
}
