#!/usr/bin/env bash
# make demo: the library's main job, end to end, on this machine and offline.
#
#   0. compiles examples/c/submit_candidate.c against dist/ (make demo builds dist/ first),
#      starts the local API simulator (tools/simulator/server.py) and a callback receiver
#      (tools/demo/callback_receiver.py), both on free loopback ports;
#   1-5. runs the example: client, schema, validation of a good and a bad payload, and the
#      submission of the good one as candidates.create with a callbackUrl;
#   6. waits (up to DEMO_CALLBACK_TIMEOUT seconds, default 10) until the simulator's mutation
#      engine has run the mutation and POSTed its signed result to the receiver, and prints it.
#
# Exits 0 when the callback for the submitted mutation arrived with status "succeeded", and
# non-zero with a message saying what went wrong otherwise. The simulator and the receiver are
# stopped on every exit. Logs stay in .build-demo/ (simulator.log, receiver.log,
# callbacks.jsonl, example.out) for a look afterwards.
#
# The callback's signature is then verified by examples/c/verify_callback.c with the simulator's
# signing secret, which also shows a tampered copy and a replay being refused.
#
# Environment: CC (default cc), PYTHON (default python3), DEMO_CALLBACK_TIMEOUT (seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."

cc=${CC:-cc}
python=${PYTHON:-python3}
timeout=${DEMO_CALLBACK_TIMEOUT:-10}
work=.build-demo
api_key=sim-api-key   # the simulator's default key
signing_secret=sim-signing-secret-0123456789abcdef   # the simulator's default signing secret
callback_path='/hooks/onderwijsregio?site=demo'

sim_pid=
receiver_pid=
waiter_pid=

fail() {
    echo >&2
    echo "make demo: FAILED: $*" >&2
    exit 1
}

# Stops what this script started (by process id, nothing else) and waits for it to go.
stop() {
    local pid=$1 name=$2 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "make demo: the $name did not stop on SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    stop "$waiter_pid" "callback wait"
    stop "$receiver_pid" "callback receiver"
    stop "$sim_pid" simulator
    if [ "$status" != 0 ]; then
        echo "make demo: logs in $work/ (simulator.log, receiver.log, callbacks.jsonl, example.out)" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until a background server has printed its URL (the first line of its stdout).
first_line() {
    local out=$1 pid=$2 name=$3 i
    for i in $(seq 100); do
        if [ -f "$out" ] && [ "$(wc -l < "$out")" -ge 1 ]; then
            head -n 1 "$out"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || fail "the $name exited before it was ready (see $work/)"
        sleep 0.1
    done
    fail "the $name printed no URL within 10 s (see $work/)"
}

echo "== 0. build the example, start the simulator and a callback receiver"
[ -f dist/lib/libonderwijsregio.so ] && [ -f dist/include/onderwijsregio.h ] ||
    fail "dist/ is not built: run 'make demo' (which builds it) or 'make dist' first"
"$python" -c 'import referencing' 2>/dev/null || bash tools/build/deps.sh ||
    fail "the simulator needs Python's jsonschema 4.18 or later (make deps)"

mkdir -p "$work"
rm -f "$work"/simulator.* "$work"/receiver.* "$work"/callbacks.jsonl "$work"/example.out

for example in submit_candidate verify_callback; do
    "$cc" -std=c99 -Wall -Wextra -O2 -I dist/include "examples/c/$example.c" \
          -o "$work/$example" -L dist/lib -londerwijsregio -Wl,-rpath,"$PWD/dist/lib" ||
        fail "could not compile examples/c/$example.c against dist/"
    echo "  compiled $work/$example"
done

"$python" tools/simulator/server.py --port 0 --queue-delay-ms 200 \
    > "$work/simulator.out" 2> "$work/simulator.log" &
sim_pid=$!
base_url=$(first_line "$work/simulator.out" "$sim_pid" simulator)
echo "  simulator          $base_url (API key $api_key; mutations wait 200 ms in its queue)"

"$python" tools/demo/callback_receiver.py "$work/callbacks.jsonl" \
    > "$work/receiver.out" 2> "$work/receiver.log" &
receiver_pid=$!
receiver_url=$(first_line "$work/receiver.out" "$receiver_pid" "callback receiver")
callback_url=$receiver_url$callback_path
echo "  callback receiver  $callback_url"
echo

# The example takes its configuration from the environment (see its header).
ONDERWIJSREGIO_BASE_URL=$base_url ONDERWIJSREGIO_API_KEY=$api_key DEMO_CALLBACK_URL=$callback_url \
    "$work/submit_candidate" | tee "$work/example.out" ||
    fail "examples/c/submit_candidate.c did not complete (its error is above)"
echo

mutation_id=$(sed -n 's/^  mutationId  *//p' "$work/example.out")
idempotency_key=$(sed -n 's/^  idempotencyKey  *//p' "$work/example.out")
[ -n "$mutation_id" ] || fail "the example printed no mutationId"

echo "== 6. wait for the engine's callback (up to $timeout s)"
# In the background and waited for, so that a SIGTERM to this script stops the demo at once.
"$python" - "$work/callbacks.jsonl" "$mutation_id" "$idempotency_key" "$timeout" "${base_url%/api/v2}" <<'PY' &
import base64, json, os, sys, time, urllib.parse, urllib.request

log, mutation_id, idempotency_key, timeout, sim_root = sys.argv[1:6]
started = time.monotonic()
deadline = started + float(timeout)


def find():
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            try:
                body = json.loads(entry["body"])
            except ValueError:
                continue
            if isinstance(body, dict) and body.get("mutationId") == mutation_id:
                return entry, body
    return None


found = find()
while found is None and time.monotonic() < deadline:
    time.sleep(0.1)
    found = find()

if found is None:
    print(f"  no callback for {mutation_id} within {timeout} s.", file=sys.stderr)
    # Ask the simulator what it tried, to say why.
    query = urllib.parse.urlencode({"mutationId": mutation_id})
    try:
        with urllib.request.urlopen(f"{sim_root}/__sim/callbacks?{query}", timeout=5) as answer:
            attempts = json.load(answer)["data"]
        with urllib.request.urlopen(f"{sim_root}/__sim/mutations?{query}", timeout=5) as answer:
            mutations = json.load(answer)["data"]
    except OSError as error:
        print(f"  (the simulator could not be asked why: {error})", file=sys.stderr)
        sys.exit(1)
    if not mutations:
        print("  the simulator has not applied the mutation (yet)", file=sys.stderr)
    for attempt in attempts:
        print(f"  delivery attempt {attempt['attempt']} to {attempt['url']}: "
              f"{attempt.get('responseStatus') or attempt.get('error')}", file=sys.stderr)
    if mutations and not attempts:
        print("  the mutation was applied, but no delivery was attempted (no callbackUrl sent?)",
              file=sys.stderr)
    sys.exit(1)

entry, body = found
headers = entry["headers"]
resource = body.get("resource") or {}
ids = ", ".join(resource.get("ids") or []) or "(none)"
print(f"  callback received: status {body.get('status')}, candidate ids {ids}, "
      f"signature header {headers.get('x-mutationengine-signature', '(missing)')}")
print(f"  {entry['method']} {entry['pathAndQuery']} at {entry['receivedAt']}, "
      f"after waiting {time.monotonic() - started:.1f} s")
print(f"  mutationId      {body.get('mutationId')}")
print(f"  idempotencyKey  {body.get('idempotencyKey')}"
      + ("  (the one the submit returned)" if body.get("idempotencyKey") == idempotency_key
         else f"  (the submit returned {idempotency_key}!)"))
print(f"  operation       {body.get('operation')}")
print(f"  completedAt     {body.get('completedAt')}")
for name in ("x-mutationengine-timestamp", "x-mutationengine-nonce", "x-mutationengine-signature"):
    print(f"  {name + ':':28s}{headers.get(name, '(missing)')}")
print(f"  raw body        {entry['body']}")
# Handed to the verification step exactly as received: raw body bytes in a file, the rest as lines.
raw = base64.b64decode(entry["bodyBase64"]) if "bodyBase64" in entry else entry["body"].encode()
with open(os.path.join(os.path.dirname(log), "callback.body"), "wb") as out:
    out.write(raw)
with open(os.path.join(os.path.dirname(log), "callback.fields"), "w") as out:
    out.write("\n".join([entry["pathAndQuery"]] + [headers.get(name, "") for name in
              ("x-mutationengine-timestamp", "x-mutationengine-nonce", "x-mutationengine-signature")]) + "\n")

problems = []
# Exactly once: the simulator's own record of what it applied under this idempotency key.
query = urllib.parse.urlencode({"idempotencyKey": idempotency_key})
try:
    with urllib.request.urlopen(f"{sim_root}/__sim/mutations?{query}", timeout=5) as answer:
        applied = len(json.load(answer)["data"])
except (OSError, ValueError, KeyError) as error:
    problems.append(f"could not ask the simulator what it applied: {error}")
else:
    print(f"  applied {'once' if applied == 1 else f'{applied} times'} "
          f"(the simulator's record of mutations under this idempotency key)")
    if applied != 1:
        problems.append(f"the mutation was applied {applied} times, not once")
if body.get("status") != "succeeded":
    problems.append(f"the mutation did not succeed: {json.dumps(body.get('error'))}")
if body.get("idempotencyKey") != idempotency_key:
    problems.append("the callback's idempotencyKey differs from the submit result's")
for problem in problems:
    print(f"  {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
waiter_pid=$!
wait "$waiter_pid" || fail "no successful callback for mutation $mutation_id"
waiter_pid=

echo
echo "== 7. verify the callback's signature (examples/c/verify_callback.c)"
mapfile -t fields < "$work/callback.fields"
ONDERWIJSREGIO_SIGNING_SECRET=$signing_secret "$work/verify_callback" \
    "${fields[0]}" "$work/callback.body" "${fields[1]}" "${fields[2]}" "${fields[3]}" ||
    fail "the callback's signature did not verify"

echo
echo "== demo succeeded: schema fetched, payloads validated, candidate submitted once, signed result called back and verified"
