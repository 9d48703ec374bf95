#!/usr/bin/env bash
# The C examples, built as a user builds them (pkg-config against dist/, warnings as errors)
# and run: canonicalize, validate_payload on the fixtures (both languages), verify_callback on a
# callback signed by Python's hmac (not by the library), submit_candidate against the simulator.
# Usage: 25-c-examples.sh <suite name>
set -uo pipefail
name=${1:-c-examples}
cd "$(dirname "$0")/../../.."
fixtures=${ONDERWIJSREGIO_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
work=.build-test/c-examples
rm -rf "$work" && mkdir -p "$work"
export PKG_CONFIG_PATH=$PWD/dist/lib/pkgconfig
flags=$(pkg-config --cflags --libs onderwijsregio)
passed=0 failed=0
check() {
    local description=$1; shift
    if "$@" > "$work/last.log" 2>&1; then
        passed=$((passed + 1)); echo "ok   $description"
    else
        failed=$((failed + 1)); echo "FAIL $description"; sed 's/^/     /' "$work/last.log" | head -20
    fi
}

for source in examples/c/*.c; do
    example=$(basename "$source" .c)
    check "examples/c/$example.c builds with pkg-config, -Wall -Wextra -Werror" \
        ${CC:-cc} -std=c99 -Wall -Wextra -Werror -o "$work/$example" "$source" $flags -Wl,-rpath,"$PWD/dist/lib"
done

canonical() { [ "$(echo '{"b": 1.0, "a": [1e21]}' | "$work/canonicalize")" = '{"a":[1e+21],"b":1}' ]; }
check "canonicalize prints the RFC 8785 form" canonical

schema=$fixtures/schema/candidate-create.schema.json
valid_ones() {
    "$work/validate_payload" "$schema" "$fixtures/payloads/candidate-valid-minimal.json" "$fixtures/payloads/candidate-valid-full.json"
}
check "validate_payload: the valid fixtures are valid (exit 0)" valid_ones
invalid_english() {
    "$work/validate_payload" "$schema" "$fixtures/payloads/candidate-invalid-many.json" > "$work/invalid.en"
    [ $? = 1 ] && grep -q "is missing the required property lastName" "$work/invalid.en" && grep -q "^    /email " "$work/invalid.en"
}
check "validate_payload: the invalid fixture is refused with field errors (exit 1)" invalid_english
invalid_dutch() {
    "$work/validate_payload" -l nl "$schema" "$fixtures/payloads/candidate-invalid-many.json" > "$work/invalid.nl"
    [ $? = 1 ] && grep -q "het verplichte veld lastName ontbreekt" "$work/invalid.nl" && grep -q "is geen geldig e-mailadres" "$work/invalid.nl"
}
check "validate_payload -l nl: the same errors in Dutch" invalid_dutch
not_json() { echo '{"email":' > "$work/broken.json"; "$work/validate_payload" "$schema" "$work/broken.json"; [ $? = 2 ]; }
check "validate_payload: a payload that is not JSON is an error (exit 2)" not_json

# A callback signed independently (contract section 8, with Python's hmac), then verified by the example.
secret=example-signing-secret-0123456789
sign_callback() {
    python3 - "$work" "$secret" <<'PY'
import base64, hashlib, hmac, sys, time
work, secret = sys.argv[1], sys.argv[2].encode()
body = b'{"mutationId":"mut_1","status":"succeeded","note":"caf\xc3\xa9"}'
timestamp, nonce, target = str(int(time.time())).encode(), b"example-nonce-0123456789", b"/hooks/oreg?site=3"
mac = hmac.new(secret, b"\n".join([timestamp, nonce, target, body]), hashlib.sha256).digest()
open(f"{work}/callback.body", "wb").write(body)
open(f"{work}/callback.fields", "w").write("\n".join([target.decode(), timestamp.decode(), nonce.decode(),
                                                      "v2=" + base64.b64encode(mac).decode()]) + "\n")
PY
}
verify_genuine() {
    sign_callback || return 1
    mapfile -t fields < "$work/callback.fields"
    ONDERWIJSREGIO_SIGNING_SECRET=$secret "$work/verify_callback" "${fields[0]}" "$work/callback.body" \
        "${fields[1]}" "${fields[2]}" "${fields[3]}" > "$work/verify.out" &&
        grep -q "genuine" "$work/verify.out" && grep -q "OREG_ERR_SIGNATURE" "$work/verify.out" &&
        grep -q "OREG_ERR_REPLAYED" "$work/verify.out"
}
check "verify_callback: accepts an independently signed callback, refuses a flipped bit and a replay" verify_genuine
verify_wrong_secret() {
    mapfile -t fields < "$work/callback.fields"
    ONDERWIJSREGIO_SIGNING_SECRET=another-secret-0123456789 "$work/verify_callback" "${fields[0]}" "$work/callback.body" \
        "${fields[1]}" "${fields[2]}" "${fields[3]}"
    [ $? = 1 ]
}
check "verify_callback: the wrong secret is refused (exit 1)" verify_wrong_secret

submit_against_simulator() {
    python3 tools/simulator/server.py --port 0 --queue-delay-ms 20 > "$work/sim.out" 2> "$work/sim.log" &
    local sim=$! base=""
    for _ in $(seq 100); do base=$(head -1 "$work/sim.out" 2>/dev/null); [ -n "$base" ] && break; sleep 0.1; done
    ONDERWIJSREGIO_BASE_URL=$base ONDERWIJSREGIO_API_KEY=sim-api-key "$work/submit_candidate" > "$work/submit.out"
    local status=$?
    kill "$sim"; wait "$sim" 2>/dev/null
    [ $status = 0 ] && grep -q "mutationId *mut_" "$work/submit.out"
}
check "submit_candidate: validates and submits against the simulator" submit_against_simulator

echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
