"""Reliability tests of the built libonderwijsregio against the local API simulator over loopback:

- soak: 1,000 candidates.create mutations through one client (C ABI via ctypes, then the Python
  binding with 4 threads sharing one Client) while 30% of the requests are faulted by the
  simulator (429 with Retry-After 0, 500, 503, dropped connections, lost answers of applied
  writes, answers delayed past the client's timeout); every mutation is applied exactly once,
  every call that still failed returned its idempotency key, and resubmitting those completes
  the set without a duplicate;
- secrets: every reachable error path, run in a child process with a recognisable API key and
  signing secret, none of which (nor their base64 or hex) appears in any result, last error,
  exception, the simulator's request log, the process's stdout/stderr or any file written;
- TLS: a local HTTPS server with a self-signed certificate is refused by the default
  configuration and accepted with "caBundle";
- limits: each size, depth and range limit reached and answered with its status.

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so.
"""
from __future__ import annotations

import base64
import ctypes
import http.server
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import oreg_ctypes
from oreg_ctypes import LIB_PATH, REPO, Status, encode, last_error
from simulator import SimControl, launch, terminate

BINDING = REPO / "bindings/python"
if str(BINDING) not in sys.path:
    sys.path.insert(0, str(BINDING))

import onderwijsregio  # noqa: E402
from onderwijsregio import ApiError, TransportError  # noqa: E402

API_KEY = "SECRET-KEY-7f3a9c-DO-NOT-LEAK"
SIGNING_SECRET = "SIGNING-SECRET-b81e-DO-NOT-LEAK"
# Keys that contain the API key, so that finding the API key finds them too.
READ_ONLY_KEY = API_KEY + "-READ-ONLY"
WRONG_KEY = API_KEY + "-WRONG"
SHORT_SECRET = "DO-NOT-LEAK-b81"                  # 15 bytes: too short to sign with
SECRETS = (API_KEY, SIGNING_SECRET, SHORT_SECRET)

SIM_ARGS = ["--api-key", API_KEY, "--read-only-key", READ_ONLY_KEY, "--signing-secret", SIGNING_SECRET,
            "--queue-delay-ms", "1", "--rate-limit", "0", "--callback-attempts", "1",
            "--callback-timeout-ms", "500", "--callback-backoff-ms", "50"]

SOAK_RETRY = {"maxRetries": 3, "baseDelayMs": 5, "maxDelayMs": 20, "jitterSeed": 1}
SOAK_TIMEOUTS = {"connectMs": 2000, "requestMs": 300, "deadlineMs": 30000}
FAST_RETRY = {"baseDelayMs": 5, "maxDelayMs": 20, "jitterSeed": 1}
TIMEOUTS = {"connectMs": 2000, "requestMs": 5000, "deadlineMs": 30000}

MIB = 1 << 20
MAX_DOCUMENT = 64 * MIB
MAX_DEPTH = 512

OK = Status.OREG_OK
INVALID = Status.OREG_INVALID
MISUSE = Status.OREG_ERR_MISUSE
LIMIT = Status.OREG_ERR_LIMIT
TRANSPORT = Status.OREG_ERR_TRANSPORT
HTTP = Status.OREG_ERR_HTTP
HEADER_MALFORMED = Status.OREG_ERR_HEADER_MALFORMED


# --- secret forms --------------------------------------------------------------------------------


def secret_forms(secret: str) -> list[str]:
    """The secret as text, hex and base64 (standard and URL-safe, at each of the three byte
    alignments it can have inside a longer encoded text: the whole 4-character groups only)."""
    raw = secret.encode()
    forms = {secret, raw.hex(), raw.hex().upper()}
    for shift in range(3):
        tail = raw[shift:]
        whole = len(tail) // 3 * 3
        for encoder in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encoder(tail[:whole]).decode())
    return sorted(forms)


FORMS = {secret: secret_forms(secret) for secret in SECRETS}


def leaks(text: str | bytes | None) -> list[str]:
    """Which secrets (by name) appear in `text` in any of their forms."""
    if text is None:
        return []
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    return [f"{secret} as {form!r}" for secret, forms in FORMS.items() for form in forms if form in text]


def assert_no_leak(text: str | bytes | None, where: str) -> None:
    found = leaks(text)
    shown = text if isinstance(text, str) else (text or b"").decode("latin-1")
    assert not found, f"{where} holds {found}: {shown[:400]}"


# --- library calls -----------------------------------------------------------------------------


class Client(oreg_ctypes.ClientHandle):
    secrets = SECRETS

    def schema(self, operation: str = "create") -> oreg_ctypes.Outcome:
        op = encode(operation)
        return self.call(f"schema({operation})", lambda out: self.lib.oreg_client_schema(self.handle, op, out))

    def validate(self, operation: str, payload: Any) -> oreg_ctypes.Outcome:
        op, data = encode(operation), encode(payload)
        return self.call(f"validate({operation})",
                         lambda out: self.lib.oreg_client_validate(self.handle, op, data, len(data or b""), out))

    def get(self, path: str) -> oreg_ctypes.Outcome:
        target = encode(path)
        return self.call(f"get({path[:60]})", lambda out: self.lib.oreg_client_get(self.handle, target, out))


def reset_last_error(lib: ctypes.CDLL) -> None:
    """Makes the thread's last error a known one without a secret (successful calls leave it as
    it was, so a secret shown by an earlier failure would otherwise be blamed on them)."""
    assert lib.oreg_json_check(b"[", 1) == Status.OREG_ERR_JSON


def new_client(lib: ctypes.CDLL, options: Any) -> tuple[oreg_ctypes.Outcome, Client | None]:
    reset_last_error(lib)
    return oreg_ctypes.new_client(lib, options, Client)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def candidate(email: str | None = None, **extra: Any) -> dict:
    payload = {"email": email or f"kandidaat-{uuid.uuid4().hex[:12]}@example.nl", "firstName": "Test",
               "lastName": "Kandidaat", "privacyConsent": True}
    payload.update(extra)
    return payload


def nested(depth: int, leaf: str = "0") -> bytes:
    """A JSON document of `depth` nested arrays around `leaf`."""
    return b"[" * depth + leaf.encode() + b"]" * depth


# --- the simulator -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[SimControl]:
    sim = SimControl(*launch(SIM_ARGS))
    yield sim
    assert terminate(sim.process) == 0


@pytest.fixture
def sim(server: SimControl) -> SimControl:
    server.reset()
    return server


def client_options(sim: SimControl, **overrides: Any) -> dict:
    options: dict[str, Any] = {"baseUrl": sim.base_url, "apiKey": API_KEY, "retry": dict(FAST_RETRY),
                               "timeouts": dict(TIMEOUTS)}
    options.update(overrides)
    return options


@pytest.fixture
def make_client(lib: ctypes.CDLL, sim: SimControl) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(**overrides: Any) -> Client:
        outcome, client = new_client(lib, client_options(sim, **overrides))
        outcome.expect(OK)
        assert client is not None
        made.append(client)
        return client

    yield make
    for client in made:
        client.free()


# === 1. soak ======================================================================================

SOAK_MUTATIONS = 1000
SOAK_THREADS = 4
FAULT_SHARE = 0.3
BLOCK = 100                                     # requests per block of the schedule: 30 faulted
BURST = 16                                      # the first 16 in a row: calls fail after all retries
SPREAD = tuple(range(BURST + 3, BLOCK, 6))      # the other 14 spread evenly over the rest
assert BURST + len(SPREAD) == int(BLOCK * FAULT_SHARE)
# The kinds of fault, taken in turn (a delay past the client's timeout costs requestMs, so rarer).
KINDS: list[dict] = [
    {"action": "status", "status": 429, "retryAfter": "0"},
    {"action": "status", "status": 500},
    {"action": "status", "status": 503},
    {"action": "drop"},
    {"action": "status", "status": 429, "retryAfter": "0"},
    {"action": "status", "status": 503},
    {"action": "drop", "when": "after"},       # the write took effect, its answer is lost
    {"action": "status", "status": 500},
    {"action": "none", "delayMs": 700, "when": "after"},    # answered after the client gave up
    {"action": "drop"},
]


def fault_schedule(requests: int) -> list[dict]:
    """One rule per faulted request and one pass-through rule ("none" without delay) for each run
    of unfaulted requests between them: rules are used in order, so request n of the
    candidates POSTs meets exactly the n-th slot of this schedule."""
    rules: list[dict] = []
    passing = 0
    kind = 0
    match = {"method": "POST", "path": "/api/*/candidates"}
    for index in range(requests):
        position = index % BLOCK
        faulted = position < BURST or position in SPREAD
        if not faulted:
            passing += 1
            continue
        if passing:
            rules.append({**match, "action": "none", "count": passing})
            passing = 0
        rules.append({**match, **KINDS[kind % len(KINDS)], "count": 1})
        kind += 1
    if passing:
        rules.append({**match, "action": "none", "count": passing})
    return rules


def is_fault(entry: dict) -> bool:
    fault = entry.get("fault")
    return bool(fault) and (fault["action"] != "none" or fault["delayMs"] > 0)


def settle_requests(sim: SimControl, timeout: float = 5.0) -> list[dict]:
    """The candidates POSTs, once answers delayed past the client's timeout are logged too (a
    request is logged when its answer is sent): the log must stay the same for longer than the
    longest delay."""
    deadline = time.monotonic() + timeout
    entries = sim.requests("/api/*/candidates", "POST")
    while True:
        time.sleep(0.8)
        again = sim.requests("/api/*/candidates", "POST")
        if len(again) == len(entries) or time.monotonic() > deadline:
            return again
        entries = again


def processed(requests: list[dict]) -> int:
    """How many of the logged requests the service processed (all but those faulted "before")."""
    return sum(1 for e in requests if not (is_fault(e) and e["fault"]["when"] == "before"))


def check_applied_once(sim: SimControl, emails: list[str], keys: dict[str, str]) -> list[dict]:
    """Every email applied in exactly one mutation, with the key its call reported, and nothing
    else applied."""
    sim.drain()
    applied = sim.mutations()
    assert len(applied) == len(emails), f"{len(applied)} mutations applied for {len(emails)} submitted"
    by_email = Counter(item["email"] for m in applied for item in m["body"])
    duplicates = {e: n for e, n in by_email.items() if n != 1}
    assert not duplicates, f"applied more than once: {list(duplicates.items())[:5]}"
    assert set(by_email) == set(emails), "an applied email was not submitted, or one is missing"
    by_key = Counter(m["idempotencyKey"] for m in applied)
    assert all(n == 1 for n in by_key.values()), [k for k, n in by_key.items() if n != 1][:5]
    for m in applied:
        assert m["status"] == "succeeded", m
        assert m["operation"] == "candidate.create", m
        email = m["body"][0]["email"]
        assert keys[email] == m["idempotencyKey"], f"{email}: applied with {m['idempotencyKey']}, reported {keys[email]}"
    return applied


def soak_report(label: str, requests: list[dict], calls: int, attempts: int, failures: int,
                resubmitted: int, replayed: int) -> str:
    faults = [e for e in requests if is_fault(e)]
    kinds = Counter((e["fault"]["action"], e["fault"]["status"], e["fault"]["when"]) for e in faults)
    report = (f"soak {label}: {calls} calls, {len(requests)} requests, {len(faults)} faulted "
              f"({len(faults) / max(1, len(requests)):.1%}), {attempts} attempts reported, {failures} failed "
              f"after retries, {resubmitted} resubmitted, {replayed} replayed; faults {dict(kinds)}")
    print(report)
    return report


def test_soak_c_abi_one_client_30_percent_faults(lib: ctypes.CDLL, make_client: Callable[..., Client],
                                                 sim: SimControl) -> None:
    client = make_client(retry=dict(SOAK_RETRY), timeouts=dict(SOAK_TIMEOUTS))
    client.schema("create").expect(OK)
    sim.faults(*fault_schedule(2000))
    started = time.monotonic()
    emails = [f"soak-c-{n:04d}-{uuid.uuid4().hex[:6]}@example.nl" for n in range(SOAK_MUTATIONS)]
    keys: dict[str, str] = {}
    failed: list[tuple[str, str, int]] = []
    attempts = replayed = 0
    for email in emails:
        outcome = client.submit("candidates.create", body=[candidate(email)])
        if outcome.status == OK:
            result = outcome.value
            keys[email] = result["idempotencyKey"]
            attempts += result["attempts"]
            replayed += result["replayed"] is True
            continue
        assert outcome.status in (HTTP, TRANSPORT), outcome.describe()
        error = outcome.error
        assert isinstance(error.get("idempotencyKey"), str) and error["idempotencyKey"], outcome.describe()
        assert error["retryable"] is True, outcome.describe()
        assert error["attempts"] == SOAK_RETRY["maxRetries"] + 1, outcome.describe()
        keys[email] = error["idempotencyKey"]
        attempts += error["attempts"]
        failed.append((email, error["idempotencyKey"], outcome.status))
    elapsed = time.monotonic() - started
    requests = settle_requests(sim)
    remaining = sim.control("GET", "faults")
    sim.clear_faults()
    faulted = [e for e in requests if is_fault(e)]
    share = len(faulted) / len(requests)
    assert 0.27 <= share <= 0.33, f"{share:.1%} of {len(requests)} requests faulted"
    assert failed, "the bursts must make some calls fail after all their retries"
    assert attempts == len(requests), f"{attempts} attempts reported, {len(requests)} requests received"
    # Resubmitting the failures with their keys: accepted, each once.
    resubmitted_replays = 0
    for email, key, _ in failed:
        result = client.submit("candidates.create", body=[candidate(email)],
                               options={"idempotencyKey": key}).expect(OK).value
        assert result["idempotencyKey"] == key
        resubmitted_replays += result["replayed"] is True
    applied = check_applied_once(sim, emails, keys)
    assert len(applied) == SOAK_MUTATIONS
    # Every request the service processed beyond the first of its key was answered as a replay
    # (a lost answer, an answer after the timeout, a resubmission of an applied write).
    assert sum(m["replays"] for m in applied) == processed(requests) + len(failed) - SOAK_MUTATIONS
    # A call counts as replayed once however many of its attempts were replays.
    assert 0 < replayed + resubmitted_replays <= sum(m["replays"] for m in applied)
    soak_report("C ABI", requests, SOAK_MUTATIONS, attempts, len(failed), len(failed),
                replayed + resubmitted_replays)
    print(f"soak C ABI: {elapsed:.1f} s, {len(remaining)} schedule rules left unused, failures by status "
          f"{dict(Counter(Status(s).name for _, _, s in failed))}")


def test_soak_python_binding_four_threads_share_one_client(sim: SimControl) -> None:
    client = onderwijsregio.Client(
        base_url=sim.base_url, api_key=API_KEY,
        retry={"max_retries": 3, "base_delay_ms": 5, "max_delay_ms": 20, "jitter_seed": 1},
        timeouts={"connect_ms": 2000, "request_ms": 300, "deadline_ms": 30000})
    try:
        client.schema("create")
        sim.faults(*fault_schedule(2000))
        per_thread = SOAK_MUTATIONS // SOAK_THREADS
        emails = [[f"soak-py-{t}-{n:03d}-{uuid.uuid4().hex[:6]}@example.nl" for n in range(per_thread)]
                  for t in range(SOAK_THREADS)]
        keys: dict[str, str] = {}
        failed: list[tuple[str, str, str]] = []
        problems: list[str] = []
        counts = Counter()
        lock = threading.Lock()

        def work(mine: list[str]) -> None:
            for email in mine:
                try:
                    result = client.create_candidates([candidate(email)])
                except (ApiError, TransportError) as error:
                    with lock:
                        if not error.idempotency_key or not error.retryable:
                            problems.append(f"{email}: {error!r} without key or not retryable")
                        keys[email] = error.idempotency_key or ""
                        counts["attempts"] += int(error.details.get("attempts", 0))
                        failed.append((email, error.idempotency_key or "", type(error).__name__))
                except Exception as error:  # noqa: BLE001 - reported below
                    with lock:
                        problems.append(f"{email}: unexpected {error!r}")
                else:
                    with lock:
                        keys[email] = result.idempotency_key
                        counts["attempts"] += result.attempts
                        counts["replayed"] += result.replayed

        threads = [threading.Thread(target=work, args=(mine,)) for mine in emails]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a thread is still running"
        elapsed = time.monotonic() - started
        assert not problems, problems[:5]
        requests = settle_requests(sim)
        sim.clear_faults()
        share = sum(1 for e in requests if is_fault(e)) / len(requests)
        assert 0.27 <= share <= 0.33, f"{share:.1%} of {len(requests)} requests faulted"
        assert counts["attempts"] == len(requests), f"{counts['attempts']} attempts, {len(requests)} requests"
        resubmitted_replays = 0
        for email, key, _ in failed:
            result = client.create_candidates([candidate(email)], idempotency_key=key)
            assert result.idempotency_key == key
            resubmitted_replays += result.replayed
        all_emails = [email for mine in emails for email in mine]
        applied = check_applied_once(sim, all_emails, keys)
        assert len(applied) == SOAK_MUTATIONS
        replays = sum(m["replays"] for m in applied)
        assert replays == processed(requests) + len(failed) - SOAK_MUTATIONS
        assert 0 < counts["replayed"] + resubmitted_replays <= replays
        soak_report(f"Python binding, {SOAK_THREADS} threads", requests, SOAK_MUTATIONS, counts["attempts"],
                    len(failed), len(failed), counts["replayed"] + resubmitted_replays)
        print(f"soak Python: {elapsed:.1f} s, failures by exception {dict(Counter(k for _, _, k in failed))}")
    finally:
        client.close()


def test_fault_schedule_is_thirty_percent_spread() -> None:
    rules = fault_schedule(2000)
    slots: list[bool] = []
    for rule in rules:
        slots.extend([rule["action"] != "none" or rule.get("delayMs", 0) > 0] * rule["count"])
    assert len(slots) == 2000
    assert sum(slots) / len(slots) == pytest.approx(FAULT_SHARE)
    for start in range(0, 2000, 100):       # every stretch of 100 requests: 30 faults
        assert sum(slots[start:start + 100]) == 30


# === 2. secrets ===================================================================================

CHILD = r'''
import base64, ctypes, json, os, socket, sys, time
lib_path, tests_dir, binding_dir, options_text, work = sys.argv[1:6]
sys.path[:0] = [tests_dir, binding_dir]
import oreg_ctypes
from oreg_ctypes import encode, last_error
setup = json.loads(options_text)
API_KEY, SIGNING, SHORT = setup["apiKey"], setup["signingSecret"], setup["shortSecret"]
READ_ONLY, WRONG, BASE, ROOT = setup["readOnlyKey"], setup["wrongKey"], setup["baseUrl"], setup["root"]
lib = oreg_ctypes.load_library(oreg_ctypes.Path(lib_path))
seen = []          # every text a caller can see: [where, text]
statuses = {}      # where -> status

def note(where, status, *texts):
    statuses[where] = status
    for text in texts:
        if text is not None:
            seen.append([where, text if isinstance(text, str) else repr(text)])

def control(method, path, body=None):
    import http.client
    conn = http.client.HTTPConnection(setup["host"], setup["port"], timeout=30)
    data = None if body is None else json.dumps(body).encode()
    conn.request(method, "/__sim/" + path, body=data, headers={"Content-Type": "application/json"} if data else {})
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return json.loads(raw)

def call(where, fn):
    out = ctypes.c_void_p()
    status = fn(ctypes.byref(out))
    text = None
    if out.value:
        text = ctypes.string_at(out.value).decode("utf-8", "replace")
        lib.oreg_free(out)
    note(where, status, text, lib.oreg_last_error().decode("utf-8", "replace"))
    return status, text

def new_client(where, options):
    handle = ctypes.c_void_p()
    data = options if isinstance(options, bytes) else json.dumps(options).encode()
    status = lib.oreg_client_new(data, ctypes.byref(handle))
    note(where, status, lib.oreg_last_error().decode("utf-8", "replace"))
    return handle if status == 0 else None

def submit(where, client, mutation, target=None, body=None, options=None):
    m, t, b, o = encode(mutation), encode(target), encode(body), encode(options)
    return call(where, lambda out: lib.oreg_client_submit(client, m, t, b, len(b or b""), o, out))

def get(where, client, path):
    p = encode(path)
    return call(where, lambda out: lib.oreg_client_get(client, p, out))

def schema(where, client, operation="create"):
    return call(where, lambda out: lib.oreg_client_schema(client, operation.encode(), out))

def validate(where, client, operation, payload):
    d = encode(payload)
    return call(where, lambda out: lib.oreg_client_validate(client, operation.encode(), d, len(d), out))

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def cand(**extra):
    c = {"email": "geheim-%s@example.nl" % os.urandom(4).hex(), "firstName": "A", "lastName": "B",
         "privacyConsent": True}
    c.update(extra)
    return c

fast = {"baseDelayMs": 5, "maxDelayMs": 20, "jitterSeed": 1}
cache = os.path.join(work, "cache"); os.makedirs(cache)
base = {"baseUrl": BASE, "apiKey": API_KEY, "retry": fast, "timeouts": {"requestMs": 2000, "deadlineMs": 20000},
        "schemaCache": {"dir": cache, "ttlSeconds": 0}}

# -- bad options ------------------------------------------------------------------------------
bad_options = {
    "unknown option": {**base, "unknownOption": 1},
    "requestMs out of range": {**base, "timeouts": {"requestMs": 0}},
    "maxRetries out of range": {**base, "retry": {"maxRetries": 101}},
    "baseUrl not http": {**base, "baseUrl": "ftp://example.org/api"},
    "baseUrl insecure": {**base, "baseUrl": "http://example.org/api/v2"},
    "apiKey with newline": {**base, "apiKey": API_KEY + "\n"},
    "apiKey with space": {**base, "apiKey": API_KEY + " x"},
    "apiKey too long": {**base, "apiKey": API_KEY * 40},
    "apiKey wrong type": {**base, "apiKey": [API_KEY]},
    "apiKey empty": {**base, "apiKey": ""},
    "cache dir is a file": {**base, "schemaCache": {"dir": lib_path}},
    "cache dir missing": {**base, "schemaCache": {"dir": os.path.join(work, "no", "such")}},
    "outbox dir missing": {**base, "outbox": {"path": os.path.join(work, "no", "outbox.db")}},
    "language": {**base, "language": "de"},
    "userAgentSuffix": {**base, "userAgentSuffix": "\n" + API_KEY},
}
for where, options in bad_options.items():
    new_client("new: " + where, options)
new_client("new: not JSON", ('{"apiKey": "%s", "baseUrl": }' % API_KEY).encode())
new_client("new: invalid UTF-8", b'{"apiKey": "' + API_KEY.encode() + b'\xff"}')
new_client("new: not an object", json.dumps([API_KEY]).encode())
corrupt = os.path.join(work, "corrupt-outbox.db")
with open(corrupt, "wb") as f:
    f.write(b"this is not an SQLite file " * 100)
new_client("new: corrupt outbox", {**base, "outbox": {"path": corrupt}})

# -- a working client: schema cache, invalid payloads, service errors ------------------------------
client = new_client("new: good", base)
schema("schema", client)
validate("validate invalid", client, "create", {"email": "x", "firstName": ""})
validate("validate not JSON", client, "create", b"{")
submit("submit invalid payload", client, "candidates.create", body=[{"email": "nope"}])
submit("submit 422", client, "candidates.create", body=[{"email": "nope"}], options={"validate": False})
submit("submit not JSON", client, "candidates.create", body=b"[{")
submit("submit bad options", client, "candidates.create", body=[cand()], options={"idempotencyKey": ""})
submit("submit bad callbackUrl", client, "candidates.create", body=[cand()], options={"callbackUrl": "ftp://x"})
submit("submit unknown mutation", client, "candidates.explode", body=[cand()])
status, result = submit("submit ok", client, "candidates.create", body=[cand()],
                        options={"callbackUrl": "http://127.0.0.1:%d/hook" % free_port()})
key = json.loads(result)["idempotencyKey"]
submit("submit 409", client, "candidates.create", body=[cand()], options={"idempotencyKey": key})
submit("update 404", client, "candidates.update", "rec_missing", {"firstName": "X"})
get("get 404", client, "/candidates/rec_missing")
get("get bad path", client, "candidates")
get("get too long", client, "/" + "a" * 9000)
for status_code in (500, 502, 503, 504, 429, 408):
    control("POST", "faults", {"path": "/api/*/candidates", "status": status_code, "count": 4, "retryAfter": "0"})
    submit("submit %d" % status_code, client, "candidates.create", body=[cand()])
control("DELETE", "faults")
control("POST", "faults", {"path": "/api/*/candidates", "status": 503, "retryAfter": "7200"})
submit("submit retry-after too long", client, "candidates.create", body=[cand()])
control("POST", "faults", {"path": "/api/*/candidates", "status": 500, "count": 4, "body": "<html>" + "x" * 5000,
                           "contentType": "text/html"})
submit("submit html 500", client, "candidates.create", body=[cand()])
control("POST", "faults", {"path": "/api/*/candidates", "method": "GET", "status": 200, "body": "not json",
                           "contentType": "text/plain"})
get("get 200 not JSON", client, "/candidates")
control("POST", "faults", {"path": "/api/*/candidates", "status": 202, "body": "{}"})
submit("submit 202 without mutation", client, "candidates.create", body=[cand()])
control("POST", "faults", {"path": "/api/*/candidates", "action": "truncate", "when": "after", "count": 4})
submit("submit truncated", client, "candidates.create", body=[cand()])
control("POST", "faults", {"path": "/api/*/candidates", "action": "drop", "count": 4})
submit("submit dropped", client, "candidates.create", body=[cand()])
control("POST", "faults", {"path": "/api/*/candidates", "status": 301, "headers": {"Location": "http://127.0.0.1:1/x"}})
submit("submit redirect", client, "candidates.create", body=[cand()])
control("DELETE", "faults")
# The schema cache: expired copy served stale while the service fails.
control("POST", "faults", {"path": "/api/*/schema", "status": 503, "count": 8})
schema("schema stale", client, "create")
control("DELETE", "faults")
lib.oreg_client_free(client)
fresh = new_client("new: schema from cache dir", base)
schema("schema from dir", fresh, "update")
lib.oreg_client_free(fresh)

deadline_client = new_client("new: deadline", {**base, "timeouts": {"deadlineMs": 300},
                                                "retry": {"maxRetries": 20, "baseDelayMs": 50, "maxDelayMs": 100}})
control("POST", "faults", {"path": "/api/*/candidates", "status": 503, "count": 1000})
submit("submit deadline", deadline_client, "candidates.create", body=[cand()])
control("DELETE", "faults")
lib.oreg_client_free(deadline_client)

timeout_client = new_client("new: timeout", {**base, "timeouts": {"requestMs": 200}, "retry": {"maxRetries": 0}})
control("POST", "faults", {"path": "/api/*/candidates", "action": "none", "delayMs": 600})
submit("submit timeout", timeout_client, "candidates.create", body=[cand()])
lib.oreg_client_free(timeout_client)

for where, key_used in (("401", WRONG), ("403", READ_ONLY)):
    other = new_client("new: " + where, {**base, "apiKey": key_used, "schemaCache": {"dir": cache}})
    schema("schema " + where, other)
    submit("submit " + where, other, "candidates.create", body=[cand()], options={"validate": False})
    get("get " + where, other, "/candidates")
    lib.oreg_client_free(other)

closed = new_client("new: closed port", {**base, "baseUrl": "http://127.0.0.1:%d/api/v2" % free_port(),
                                          "retry": {"maxRetries": 1, "baseDelayMs": 5, "maxDelayMs": 5}})
schema("schema closed port", closed)
submit("submit closed port", closed, "candidates.create", body=[cand()], options={"validate": False})
lib.oreg_client_free(closed)
tls = new_client("new: tls to plain port", {**base, "baseUrl": "https://127.0.0.1:%d/api/v2" % setup["port"],
                                            "retry": {"maxRetries": 0}})
get("get tls to plain", tls, "/candidates")
lib.oreg_client_free(tls)

sandbox = new_client("new: sandbox", {**base, "sandbox": True})
control("POST", "faults", {"path": "/api/*/candidates", "method": "GET", "status": 200,
                           "body": json.dumps({"statusCode": 200, "message": "OK", "data": [], "meta": {}})})
get("get sandbox refused", sandbox, "/candidates")
control("DELETE", "faults")
lib.oreg_client_free(sandbox)

# -- the outbox ------------------------------------------------------------------------------
outbox_path = os.path.join(work, "outbox.db")
down = "http://127.0.0.1:%d/api/v2" % free_port()
boxed = new_client("new: outbox", {**base, "baseUrl": down, "outbox": {"path": outbox_path},
                                   "retry": {"maxRetries": 0}})
submit("outbox queued (schema unreachable)", boxed, "candidates.create", body=[cand()])
submit("outbox queued", boxed, "candidates.create", body=[cand()], options={"validate": False})
call("outbox status", lambda out: lib.oreg_client_outbox(boxed, out))
call("outbox flush down", lambda out: lib.oreg_client_flush(boxed, 10, b'{"ignoreBackoff": true}', out))
call("outbox flush max 0", lambda out: lib.oreg_client_flush(boxed, 0, None, out))
call("outbox flush bad options", lambda out: lib.oreg_client_flush(boxed, 1, b'{"x": 1}', out))
for body in (b"{", b"{}", json.dumps({"mutationId": "mut_x", "status": "succeeded"}).encode()):
    call("outbox callback %r" % body[:10], lambda out: lib.oreg_client_outbox_callback(boxed, body, len(body), out))
lib.oreg_client_free(boxed)
wrong_box = new_client("new: outbox wrong key", {**base, "apiKey": WRONG, "outbox": {"path": outbox_path},
                                                 "baseUrl": down, "retry": {"maxRetries": 0}})
submit("outbox queued wrong key", wrong_box, "candidates.create", body=[cand()], options={"validate": False})
lib.oreg_client_free(wrong_box)
wrong_box = new_client("new: outbox wrong key up", {**base, "apiKey": WRONG, "outbox": {"path": outbox_path}})
call("outbox flush 401 (dead)", lambda out: lib.oreg_client_flush(wrong_box, 10, b'{"ignoreBackoff": true}', out))
call("outbox status dead", lambda out: lib.oreg_client_outbox(wrong_box, out))
lib.oreg_client_free(wrong_box)
up = new_client("new: outbox up", {**base, "outbox": {"path": outbox_path}})
call("outbox flush up", lambda out: lib.oreg_client_flush(up, 10, b'{"ignoreBackoff": true}', out))
call("outbox status up", lambda out: lib.oreg_client_outbox(up, out))
lib.oreg_client_free(up)
plain = new_client("new: no outbox", base)
call("flush without outbox", lambda out: lib.oreg_client_flush(plain, 1, None, out))
call("outbox without outbox", lambda out: lib.oreg_client_outbox(plain, out))
lib.oreg_client_free(plain)

# -- the verifier and signing --------------------------------------------------------------
def verifier(where, options):
    handle = ctypes.c_void_p()
    status = lib.oreg_verifier_new(json.dumps(options).encode(), ctypes.byref(handle))
    note(where, status, lib.oreg_last_error().decode("utf-8", "replace"))
    return handle if status == 0 else None

def sign(where, secret, ts, nonce, path=b"/hook", body=b"{}"):
    return call(where, lambda out: lib.oreg_callback_sign(secret.encode(), path, body, len(body), ts, nonce, out))

def verify(where, v, ts, nonce, signature, path=b"/hook", body=b"{}", now=0):
    status = lib.oreg_verifier_verify(v, path, body, len(body), ts, nonce, signature, now)
    note(where, status, lib.oreg_last_error().decode("utf-8", "replace"))
    return status

replay_path = os.path.join(work, "replay.db")
verifier("verifier: short secret", {"secrets": [SHORT]})
verifier("verifier: short among good", {"secrets": [SIGNING, SHORT]})
verifier("verifier: too many", {"secrets": [SIGNING] * 17})
verifier("verifier: not strings", {"secrets": [SIGNING, 1]})
verifier("verifier: unknown option", {"secrets": [SIGNING], "bogus": 1})
verifier("verifier: tolerance", {"secrets": [SIGNING], "toleranceSeconds": 0})
verifier("verifier: store dir missing", {"secrets": [SIGNING], "replayStore": {"path": os.path.join(work, "no", "r.db")}})
handle = ctypes.c_void_p()
status = lib.oreg_verifier_new(b'{"secrets": ["' + SIGNING.encode() + b'",]}', ctypes.byref(handle))
note("verifier: not JSON", status, lib.oreg_last_error().decode())
v = verifier("verifier: good", {"secrets": [SIGNING], "replayStore": {"path": replay_path}})
now = int(time.time())
ts = str(now).encode()
nonce = b"n" * 32
sign("sign: short secret", SHORT, ts, nonce)
sign("sign: empty secret", "", ts, nonce)
sign("sign: bad timestamp", SIGNING, b"12x", nonce)
sign("sign: bad nonce", SIGNING, ts, b"!")
sign("sign: bad path", SIGNING, ts, nonce, path=b"hook")
_, good = sign("sign: good", SIGNING, ts, nonce)
_, forged = sign("sign: other secret", "another-secret-0123456789", ts, nonce)
verify("verify: wrong secret", v, ts, nonce, forged.encode())
verify("verify: altered body", v, ts, nonce, good.encode(), body=b'{"a":1}')
verify("verify: missing", v, None, nonce, good.encode())
verify("verify: bad timestamp", v, b"abc", nonce, good.encode())
verify("verify: bad nonce", v, ts, b"short", good.encode())
verify("verify: no v2 entry", v, ts, nonce, b"v1=abc")
verify("verify: not base64", v, ts, nonce, b"v2=***")
verify("verify: over 8 KiB", v, ts, nonce, b"v2=" + b"A" * 9000)
verify("verify: too old", v, ts, nonce, good.encode(), now=now + 3600)
verify("verify: too new", v, ts, nonce, good.encode(), now=now - 3600)
verify("verify: good", v, ts, nonce, good.encode())
verify("verify: replayed", v, ts, nonce, good.encode())
verify("verify: bad path", v, ts, nonce, good.encode(), path=b"hook")
lib.oreg_verifier_free(v)
other_secret = verifier("verifier: other secret", {"secrets": ["another-secret-0123456789"]})
verify("verify: engine's signature, other secret", other_secret, ts, nonce, good.encode())
lib.oreg_verifier_free(other_secret)

# -- the Python binding -------------------------------------------------------------------
import onderwijsregio
from onderwijsregio import Client, Verifier, sign as py_sign

def record(where, fn):
    try:
        value = fn()
    except Exception as error:
        statuses[where] = type(error).__name__
        texts = [str(error), repr(error), repr(error.args), repr(getattr(error, "details", None)),
                 repr(vars(error)), json.dumps(getattr(error, "details", None), default=repr)]
        report = getattr(error, "report", None)
        if report is not None:
            texts.append(repr(report))
        for text in texts:
            seen.append([where, text])
    else:
        statuses[where] = "ok"
        seen.append([where, repr(value)])
        return value

py_base = dict(base_url=BASE, api_key=API_KEY, retry={"base_delay_ms": 5, "max_delay_ms": 20},
               timeouts={"request_ms": 2000}, schema_cache={"dir": cache})
record("py: unknown option", lambda: Client(**py_base, bogus=1))
record("py: bad apiKey", lambda: Client(**{**py_base, "api_key": API_KEY + "\n"}))
record("py: bad base url", lambda: Client(**{**py_base, "base_url": "http://example.org/x"}))
c = record("py: client", lambda: Client(**py_base))
seen.append(["py: client repr", repr(c)])
record("py: validate", lambda: c.validate({"email": "x"}))
record("py: invalid", lambda: c.create_candidates([{"email": "x"}]))
record("py: 422", lambda: c.create_candidates([{"email": "x"}], validate=False))
control("POST", "faults", {"path": "/api/*/candidates", "status": 503, "count": 4, "retryAfter": "0"})
record("py: 503", lambda: c.create_candidates([cand()]))
control("POST", "faults", {"path": "/api/*/candidates", "action": "drop", "count": 4})
record("py: dropped", lambda: c.create_candidates([cand()]))
record("py: 404", lambda: c.get_candidate("rec_missing"))
record("py: misuse", lambda: c.get("no-slash"))
record("py: flush without outbox", lambda: c.flush())
c.close()
seen.append(["py: closed client repr", repr(c)])
record("py: closed", lambda: c.schema())
w = Client(**{**py_base, "api_key": WRONG, "schema_cache": {}})
record("py: 401", lambda: w.schema())
record("py: 401 submit", lambda: w.create_candidates([cand()], validate=False))
w.close()
r = Client(**{**py_base, "api_key": READ_ONLY, "schema_cache": {}})
record("py: 403", lambda: r.create_candidates([cand()]))
r.close()
record("py: closed port", lambda: Client(**{**py_base, "base_url": "http://127.0.0.1:%d/api/v2" % free_port(),
                                           "retry": {"max_retries": 0}}).create_candidates([cand()], validate=False))
record("py: verifier short", lambda: Verifier([SHORT]))
record("py: verifier one string", lambda: Verifier(SIGNING))
pv = record("py: verifier", lambda: Verifier([SIGNING]))
seen.append(["py: verifier repr", repr(pv)])
record("py: sign short", lambda: py_sign(SHORT, "/hook", b"{}", now, "n" * 32))
record("py: sign bad nonce", lambda: py_sign(SIGNING, "/hook", b"{}", now, "!"))
headers = onderwijsregio.signed_headers("another-secret-0123456789", "/hook", b"{}")
record("py: verify wrong secret", lambda: pv.verify("/hook", b"{}", headers))
record("py: verify malformed", lambda: pv.verify("/hook", b"{}", {**headers, "x-mutationengine-timestamp": "x"}))
record("py: verify missing", lambda: pv.verify("/hook", b"{}", {}))
pv.close()
record("py: outbox corrupt", lambda: Client(**py_base, outbox=corrupt))

print("child done: %d texts, %d calls" % (len(seen), len(statuses)))
print("child stderr line", file=sys.stderr)
with open(os.path.join(work, "seen.json"), "w") as f:
    json.dump({"seen": seen, "statuses": statuses}, f)
'''


def test_secrets_never_leak_on_any_error_path(sim: SimControl, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    setup = {"apiKey": API_KEY, "signingSecret": SIGNING_SECRET, "shortSecret": SHORT_SECRET,
             "readOnlyKey": READ_ONLY_KEY, "wrongKey": WRONG_KEY, "baseUrl": sim.base_url, "root": sim.root,
             "host": sim.host, "port": sim.port}
    env = {**os.environ, "ONDERWIJSREGIO_LIB": str(LIB_PATH)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(LIB_PATH), str(Path(__file__).parent), str(BINDING),
                           json.dumps(setup), str(work)], capture_output=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    assert b"child done" in done.stdout
    # Nothing on the process's stdout or stderr.
    assert_no_leak(done.stdout, "the child's stdout")
    assert_no_leak(done.stderr, "the child's stderr")
    record = json.loads((work / "seen.json").read_text())
    seen, statuses = record["seen"], record["statuses"]
    # The error paths were really reached (a sample of the statuses they must give).
    expected = {
        "new: unknown option": MISUSE, "new: apiKey with newline": MISUSE, "new: not JSON": Status.OREG_ERR_JSON,
        "new: cache dir is a file": Status.OREG_ERR_IO, "new: corrupt outbox": Status.OREG_ERR_IO,
        "submit invalid payload": INVALID, "submit 422": HTTP, "submit 409": HTTP, "submit 500": HTTP,
        "submit 503": HTTP, "submit dropped": TRANSPORT, "submit deadline": Status.OREG_ERR_DEADLINE,
        "submit timeout": TRANSPORT, "submit 202 without mutation": Status.OREG_ERR_RESPONSE,
        "schema stale": Status.OREG_STALE, "schema 401": HTTP, "submit 403": HTTP, "submit closed port": TRANSPORT,
        "get tls to plain": TRANSPORT, "get sandbox refused": Status.OREG_ERR_SANDBOX, "get too long": MISUSE,
        "outbox queued": Status.OREG_QUEUED, "outbox flush 401 (dead)": OK, "flush without outbox": MISUSE,
        "verifier: short secret": MISUSE, "verifier: store dir missing": Status.OREG_ERR_IO,
        "sign: short secret": MISUSE, "sign: bad timestamp": HEADER_MALFORMED,
        "verify: wrong secret": Status.OREG_ERR_SIGNATURE, "verify: over 8 KiB": HEADER_MALFORMED,
        "verify: missing": Status.OREG_ERR_HEADER_MISSING, "verify: too old": Status.OREG_ERR_TOO_OLD,
        "verify: good": OK, "verify: replayed": Status.OREG_ERR_REPLAYED,
        "py: unknown option": "MisuseError", "py: 401": "ApiError", "py: 403": "ApiError", "py: 503": "ApiError",
        "py: dropped": "TransportError", "py: invalid": "ValidationError", "py: verify wrong secret": "SignatureError",
        "py: verify malformed": "HeaderMalformedError", "py: sign short": "MisuseError", "py: closed": "MisuseError",
    }
    wrong = {where: (statuses.get(where), int(want) if isinstance(want, int) else want)
             for where, want in expected.items()
             if statuses.get(where) != (int(want) if isinstance(want, int) else want)}
    assert not wrong, f"error paths not reached as expected (got, want): {wrong}"
    assert len(seen) > 150
    # No result, last error or exception text holds a secret.
    leaked = [(where, leaks(text), text[:300]) for where, text in seen if leaks(text)]
    assert not leaked, f"secrets in what callers see: {leaked[:8]}"
    # The simulator's logs as a client sees them (the key header is redacted there).
    for route in ("requests", "callbacks", "mutations"):
        assert_no_leak(json.dumps(sim.control("GET", route)), f"/__sim/{route}")
    # No file the library wrote (schema cache, lock files, outbox and replay store with their
    # journals, a corrupt file moved aside), nor any file name.
    files = [p for p in work.rglob("*") if p.is_file() and p.name != "seen.json"]
    names = {p.name for p in files}
    assert any(p.parent.name == "cache" for p in files), f"no schema cache file: {names}"
    assert "outbox.db" in names and "replay.db" in names, names
    assert any(".corrupt-" in name for name in names), names
    for path in files:
        assert_no_leak(str(path.relative_to(work)), "a file name")
        assert_no_leak(path.read_bytes(), f"the file {path.relative_to(work)}")


def test_base_url_credentials_are_not_echoed(lib: ctypes.CDLL) -> None:
    """A key put into the base URL's user information is refused, and the refusal must not
    print it back (it is printed today: see the report)."""
    echoed = []
    for url in (f"https://apikey:{API_KEY}@onderwijsregio.example/api/v2",
                f"https://{API_KEY}@onderwijsregio.example/api/v2",
                f"https://apikey:{API_KEY}@127.0.0.1:8443/api/v2"):
        status = lib.oreg_client_new(json.dumps({"apiKey": "k" * 20, "baseUrl": url}).encode(),
                                     ctypes.byref(ctypes.c_void_p()))
        error = last_error(lib)
        reset_last_error(lib)
        assert status == MISUSE, error
        if leaks(error["message"]):
            echoed.append(error["message"])
    assert not echoed, f"the refused URL's credentials are echoed: {echoed}"


# === 3. TLS =======================================================================================

ENVELOPE = {"statusCode": 200, "message": "Candidates", "data": [{"id": "rec_tls", "email": "tls@example.nl"}],
            "meta": {"requestId": "req_tls", "sandboxEnabled": False, "cursor": None}}


def make_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class TLSHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        found = self.path.split("?")[0] == "/api/v2/candidates"
        body = json.dumps(ENVELOPE if found else {"statusCode": 404, "message": "Not found", "error": "Not Found",
                                                  "meta": {"requestId": "req_404"}}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class QuietTLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass            # a refused handshake is expected here


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = make_certificate(tmp_path, "server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd = QuietTLSServer(("127.0.0.1", 0), TLSHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    TLSHandler.seen = []
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", cert
    finally:
        httpd.shutdown()
        httpd.server_close()


def tls_client(lib: ctypes.CDLL, host: str, **extra: Any) -> Client:
    outcome, client = new_client(lib, {"baseUrl": f"https://{host}/api/v2", "apiKey": API_KEY,
                                       "retry": {"maxRetries": 0}, "timeouts": {"connectMs": 3000, "requestMs": 5000},
                                       **extra})
    outcome.expect(OK)
    assert client is not None
    return client


def test_tls_default_configuration_refuses_self_signed(lib: ctypes.CDLL, https_server: tuple[str, Path]) -> None:
    host, _ = https_server
    client = tls_client(lib, host)
    try:
        outcome = client.get("/candidates").expect(TRANSPORT)
        assert re.search(r"certificate|SSL|TLS", outcome.error["message"], re.I), outcome.describe()
        assert "certificate" in outcome.error["message"].lower(), outcome.describe()
        assert TLSHandler.seen == [], "no request may be sent over an unverified connection"
        # A mutation is refused the same way, and keeps its key.
        error = client.submit("candidates.create", body=[candidate()], options={"validate": False}).expect(TRANSPORT).error
        assert error["idempotencyKey"] and error["retryable"] is True
    finally:
        client.free()


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_tls_with_ca_bundle_connects(lib: ctypes.CDLL, https_server: tuple[str, Path], name: str) -> None:
    host, cert = https_server
    client = tls_client(lib, host.replace("127.0.0.1", name), caBundle=str(cert))
    try:
        outcome = client.get("/candidates?pageSize=5").expect(OK)
        assert outcome.value["data"] == ENVELOPE["data"], outcome.describe()
        assert outcome.value["httpStatus"] == 200
        assert TLSHandler.seen == ["/api/v2/candidates?pageSize=5"]
    finally:
        client.free()


def test_tls_with_other_ca_bundle_refuses(lib: ctypes.CDLL, https_server: tuple[str, Path], tmp_path: Path) -> None:
    host, _ = https_server
    other, _ = make_certificate(tmp_path, "other")
    client = tls_client(lib, host, caBundle=str(other))
    try:
        outcome = client.get("/candidates").expect(TRANSPORT)
        assert "certificate" in outcome.error["message"].lower(), outcome.describe()
        assert TLSHandler.seen == []
    finally:
        client.free()


def test_tls_missing_ca_bundle_file(lib: ctypes.CDLL, https_server: tuple[str, Path], tmp_path: Path) -> None:
    host, _ = https_server
    outcome, client = new_client(lib, {"baseUrl": f"https://{host}/api/v2", "apiKey": API_KEY,
                                       "retry": {"maxRetries": 0}, "caBundle": str(tmp_path / "missing.pem")})
    if client is None:
        assert outcome.status in (MISUSE, Status.OREG_ERR_IO), outcome.describe()
        return
    try:
        client.get("/candidates").expect(TRANSPORT)
        assert TLSHandler.seen == []
    finally:
        client.free()


# === 4. limits ====================================================================================


def test_limit_max_response_bytes(make_client: Callable[..., Client], sim: SimControl) -> None:
    writer = make_client()
    writer.submit("candidates.create", body=[candidate() for _ in range(5)]).expect(OK)
    sim.drain()
    answer = writer.get("/candidates?pageSize=5").expect(OK).raw
    assert answer is not None and len(answer) > 600
    small = make_client(maxResponseBytes=500)
    error = small.get("/candidates?pageSize=5").expect(LIMIT).error
    assert "500" in error["message"] or "maxResponseBytes" in error["message"], error
    assert len(sim.requests("/api/*/candidates", "GET")) == 2, "an answer over the limit is not retried"
    large_enough = make_client(maxResponseBytes=1 << 20)
    large_enough.get("/candidates?pageSize=5").expect(OK)


def test_limit_max_request_bytes_sends_nothing(make_client: Callable[..., Client], sim: SimControl) -> None:
    client = make_client(maxRequestBytes=300)
    body = [candidate(motivation="x" * 400)]
    outcome = client.submit("candidates.create", body=body, options={"validate": False}).expect(LIMIT)
    assert "idempotencyKey" not in outcome.error or outcome.error["idempotencyKey"], outcome.describe()
    with_key = client.submit("candidates.create", body=body,
                             options={"validate": False, "idempotencyKey": "limit-key-1"}).expect(LIMIT)
    assert with_key.error.get("idempotencyKey") == "limit-key-1", with_key.describe()
    client.submit("candidates.create", body=body).expect(LIMIT)
    assert sim.requests("/api/*/candidates", "POST") == [], "a body over maxRequestBytes must never be sent"
    # Exactly at the limit it is sent.
    base = json.dumps([candidate(motivation="")]).encode()
    exact = base.replace(b'"motivation": ""', b'"motivation": "' + b"y" * (300 - len(base)) + b'"')
    assert len(exact) == 300
    client.submit("candidates.create", body=exact, options={"validate": False}).expect(OK)
    assert len(sim.requests("/api/*/candidates", "POST")) == 1


def test_limit_schema_compile_size_and_depth(lib: ctypes.CDLL) -> None:
    def compile_schema(document: bytes, options: bytes | None = None) -> oreg_ctypes.Outcome:
        handle = ctypes.c_void_p(oreg_ctypes.SENTINEL)
        status = lib.oreg_schema_compile(document, len(document), options, ctypes.byref(handle))
        outcome = oreg_ctypes.Outcome(f"compile({len(document)} bytes)", status, None, last_error(lib))
        assert handle.value != oreg_ctypes.SENTINEL, outcome.describe()
        assert (handle.value is None) == (status != OK), outcome.describe()
        lib.oreg_schema_free(handle)
        return outcome

    prefix, suffix = b'{"description":"', b'"}'
    over = prefix + b"x" * (MAX_DOCUMENT + 1 - len(prefix) - len(suffix)) + suffix
    assert len(over) == MAX_DOCUMENT + 1
    compile_schema(over).expect(LIMIT)
    del over
    # {"items": ...} nested: one object level each.
    def items(depth: int) -> bytes:
        return b'{"items":' * (depth - 1) + b"{}" + b"}" * (depth - 1)

    compile_schema(items(MAX_DEPTH + 1)).expect(LIMIT)
    compile_schema(b'{"const":' + nested(MAX_DEPTH) + b"}").expect(LIMIT)       # 513 levels
    compile_schema(items(1000)).expect(LIMIT)
    ok = compile_schema(b'{"const":' + nested(MAX_DEPTH - 1) + b"}")          # exactly 512 levels
    assert ok.status != LIMIT, ok.describe()
    ok.expect(OK)
    # The option maxDepth is a limit on validated documents, within 1..10000.
    for value in (0, 10001, -1):
        compile_schema(b"{}", json.dumps({"maxDepth": value}).encode()).expect(MISUSE)


@pytest.fixture
def schema_handle(lib: ctypes.CDLL) -> Iterator[Callable[..., ctypes.c_void_p]]:
    made: list[ctypes.c_void_p] = []

    def make(document: bytes = b"{}", options: dict | None = None) -> ctypes.c_void_p:
        handle = ctypes.c_void_p()
        status = lib.oreg_schema_compile(document, len(document), encode(options), ctypes.byref(handle))
        assert status == OK, last_error(lib)
        made.append(handle)
        return handle

    yield make
    for handle in made:
        lib.oreg_schema_free(handle)


def test_limit_schema_validate_payload_size_and_depth(lib: ctypes.CDLL,
                                                      schema_handle: Callable[..., ctypes.c_void_p]) -> None:
    schema = schema_handle()

    def validate(document: bytes, on: ctypes.c_void_p = schema) -> oreg_ctypes.Outcome:
        return oreg_ctypes.run_call(lib, f"validate({len(document)} bytes)",
                                    lambda out: lib.oreg_schema_validate(on, document, len(document), out))

    big = b'"' + b"x" * (MAX_DOCUMENT - 1) + b'"'
    assert len(big) == MAX_DOCUMENT + 1
    validate(big).expect(LIMIT)
    del big
    validate(nested(MAX_DEPTH + 1)).expect(LIMIT)
    validate(nested(MAX_DEPTH)).expect(OK)                                      # exactly 512 levels
    # And with the verdict only (out_report NULL).
    deep = nested(MAX_DEPTH + 1)
    assert lib.oreg_schema_validate(schema, deep, len(deep), None) == LIMIT
    shallow = schema_handle(b'{"items": {}}', {"maxDepth": 10})
    validate(nested(11), shallow).expect(LIMIT)
    validate(nested(10), shallow).expect(OK)


def test_limit_client_validate_payload_size_and_depth(make_client: Callable[..., Client]) -> None:
    client = make_client()
    client.schema("create").expect(OK)
    big = b'{"email":"' + b"x" * MAX_DOCUMENT + b'"}'
    client.validate("create", big).expect(LIMIT)
    client.validate("candidates.create", b"[" + big + b"]").expect(LIMIT)
    del big
    deep = b'{"email":' + nested(MAX_DEPTH) + b"}"                              # 513 levels
    client.validate("create", deep).expect(LIMIT)
    client.validate("candidates.create", nested(MAX_DEPTH + 1)).expect(LIMIT)
    verdict = client.lib.oreg_client_validate(client.handle, b"create", deep, len(deep), None)
    assert verdict == LIMIT, last_error(client.lib)
    # A document just within the depth limit is validated (and invalid).
    within = b'{"email":' + nested(MAX_DEPTH - 1) + b"}"
    client.validate("create", within).expect(INVALID)


def test_limit_signature_header_over_8_kib(lib: ctypes.CDLL) -> None:
    verifier = ctypes.c_void_p()
    assert lib.oreg_verifier_new(json.dumps({"secrets": [SIGNING_SECRET], "replayStore": False}).encode(),
                                 ctypes.byref(verifier)) == OK
    try:
        now = int(time.time())
        ts, nonce, body = str(now).encode(), b"N" * 32, b'{"ok":true}'
        out = ctypes.c_void_p()
        assert lib.oreg_callback_sign(SIGNING_SECRET.encode(), b"/hook", body, len(body), ts, nonce,
                                      ctypes.byref(out)) == OK
        entry = ctypes.string_at(out.value)
        lib.oreg_free(out)
        exactly = b"v1=" + b"x" * (8192 - len(entry) - 4) + b" " + entry
        assert len(exactly) == 8192
        assert lib.oreg_verifier_verify(verifier, b"/hook", body, len(body), ts, nonce, exactly, now) == OK
        over = b"v1=" + b"x" * (8192 - len(entry) - 3) + b" " + entry
        assert len(over) == 8193
        assert lib.oreg_verifier_verify(verifier, b"/hook", body, len(body), ts, nonce, over, now) == HEADER_MALFORMED
        error = last_error(lib)
        assert error["name"] == "OREG_ERR_HEADER_MALFORMED", error
        huge = b"v2=" + b"A" * (1 << 20)
        assert lib.oreg_verifier_verify(verifier, b"/hook", body, len(body), ts, nonce, huge, now) == HEADER_MALFORMED
    finally:
        lib.oreg_verifier_free(verifier)


def test_limit_path_and_query_8192_bytes(make_client: Callable[..., Client], sim: SimControl) -> None:
    client = make_client(retry={"maxRetries": 0})
    prefix = "/candidates?pageSize=5&x="
    exactly = prefix + "a" * (8192 - len(prefix))
    assert len(exactly) == 8192
    outcome = client.get(exactly)
    assert outcome.status in (OK, HTTP), outcome.describe()
    assert len(sim.requests("/api/*/candidates", "GET")) == 1, "a path of 8192 bytes is sent"
    client.get(exactly + "a").expect(MISUSE)
    client.get("/candidates?x=" + "a" * 100000).expect(MISUSE)
    assert len(sim.requests("/api/*/candidates", "GET")) == 1, "a longer path is never sent"


OUT_OF_RANGE = [
    ("timeouts", {"connectMs": 0}, "connectMs"),
    ("timeouts", {"connectMs": 3_600_001}, "connectMs"),
    ("timeouts", {"requestMs": 0}, "requestMs"),
    ("timeouts", {"requestMs": 86_400_001}, "requestMs"),
    ("timeouts", {"deadlineMs": 0}, "deadlineMs"),
    ("timeouts", {"deadlineMs": -5}, "deadlineMs"),
    ("timeouts", {"requestMs": 1.5}, "requestMs"),
    ("retry", {"maxRetries": -1}, "maxRetries"),
    ("retry", {"maxRetries": 101}, "maxRetries"),
    ("retry", {"baseDelayMs": -1}, "baseDelayMs"),
    ("retry", {"maxDelayMs": 3_600_001}, "maxDelayMs"),
    ("retry", {"maxRetryAfterSeconds": 86_401}, "maxRetryAfterSeconds"),
    ("retry", {"jitterSeed": -1}, "jitterSeed"),
    ("retry", {"baseDelayMs": 100, "maxDelayMs": 50}, "maxDelayMs"),
    ("schemaCache", {"ttlSeconds": -1}, "ttlSeconds"),
    ("schemaCache", {"ttlSeconds": 31_536_001}, "ttlSeconds"),
    ("maxResponseBytes", 0, "maxResponseBytes"),
    ("maxResponseBytes", (1 << 30) + 1, "maxResponseBytes"),
    ("maxRequestBytes", 0, "maxRequestBytes"),
    ("maxRequestBytes", (1 << 30) + 1, "maxRequestBytes"),
    ("maxRequestBytes", 1e40, "maxRequestBytes"),
    ("outbox", {"path": "/tmp/x.db", "leaseSeconds": 0}, "leaseSeconds"),
    ("outbox", {"path": "/tmp/x.db", "leaseSeconds": 86_401}, "leaseSeconds"),
    ("userAgentSuffix", "x" * 257, "userAgentSuffix"),
]


@pytest.mark.parametrize("name,value,named", OUT_OF_RANGE,
                         ids=[f"{n}-{json.dumps(v)[:30]}" for n, v, _ in OUT_OF_RANGE])
def test_limit_client_option_out_of_range_is_misuse(lib: ctypes.CDLL, name: str, value: Any, named: str) -> None:
    outcome, client = new_client(lib, {"apiKey": API_KEY, name: value})
    assert client is None
    outcome.expect(MISUSE)
    assert named in outcome.error["message"], outcome.describe()


IN_RANGE = [("timeouts", {"connectMs": 1, "requestMs": 86_400_000, "deadlineMs": 1}),
            ("retry", {"maxRetries": 100, "baseDelayMs": 0, "maxDelayMs": 3_600_000, "maxRetryAfterSeconds": 86_400,
                       "jitterSeed": 9_223_372_036_854_775_807}),
            ("schemaCache", {"ttlSeconds": 31_536_000}), ("maxResponseBytes", 1 << 30), ("maxRequestBytes", 1),
            ("userAgentSuffix", "x" * 256)]


@pytest.mark.parametrize("name,value", IN_RANGE, ids=[n for n, _ in IN_RANGE])
def test_limit_client_option_at_bounds_is_accepted(lib: ctypes.CDLL, name: str, value: Any) -> None:
    outcome, client = new_client(lib, {"apiKey": API_KEY, name: value})
    outcome.expect(OK)
    assert client is not None
    client.free()


@pytest.mark.parametrize("options,named", [
    ({"secrets": [SIGNING_SECRET], "toleranceSeconds": 0}, "toleranceSeconds"),
    ({"secrets": [SIGNING_SECRET], "toleranceSeconds": 86_401}, "toleranceSeconds"),
    ({"secrets": [SIGNING_SECRET], "replayStore": {"maxEntries": 0}}, "maxEntries"),
    ({"secrets": [SIGNING_SECRET], "replayStore": {"maxEntries": 100_000_001}}, "maxEntries"),
    ({"secrets": [SIGNING_SECRET] * 17}, "secrets"),
    ({"secrets": []}, "secrets"),
    ({"secrets": [SHORT_SECRET]}, "16"),
])
def test_limit_verifier_option_out_of_range_is_misuse(lib: ctypes.CDLL, options: dict, named: str) -> None:
    handle = ctypes.c_void_p(oreg_ctypes.SENTINEL)
    assert lib.oreg_verifier_new(json.dumps(options).encode(), ctypes.byref(handle)) == MISUSE
    assert handle.value is None
    error = last_error(lib)
    assert error["name"] == "OREG_ERR_MISUSE" and named in error["message"], error
    assert_no_leak(json.dumps(error), "oreg_last_error()")


def test_limit_flush_max_below_one_is_misuse(lib: ctypes.CDLL, tmp_path: Path) -> None:
    outcome, client = new_client(lib, {"apiKey": API_KEY, "outbox": {"path": str(tmp_path / "o.db")}})
    outcome.expect(OK)
    assert client is not None
    try:
        for value in (0, -1):
            oreg_ctypes.run_call(lib, f"flush({value})",
                                 lambda out, v=value: lib.oreg_client_flush(client.handle, v, None, out)).expect(MISUSE)
    finally:
        client.free()
