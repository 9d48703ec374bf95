"""Outbox tests of the built libonderwijsregio: the client option "outbox", OREG_QUEUED from
oreg_client_submit, oreg_client_flush, oreg_client_outbox and oreg_client_outbox_callback,
loaded with ctypes and exercised over real HTTP on loopback against the local API simulator
(tools/simulator/server.py).

The service is made unreachable by pointing the client at a free port, then started on that
very port (--port N) to flush; it is made to fail with fault rules (/__sim/faults). What was
applied is checked on the simulator's side (/__sim/mutations, /__sim/requests): every queued
mutation must be applied exactly once, also when a flushing process is killed with SIGKILL and
when four processes submit and flush one outbox file at the same time. Damaged, foreign and
newer outbox files must be refused with OREG_ERR_IO and never deleted; a full disk must never
lose a mutation silently.

Child processes run CHILD below: they import oreg_ctypes from this directory, so they load the
same library ($ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so).
"""
from __future__ import annotations

import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import oreg_ctypes
from oreg_ctypes import Status, encode
from simulator import SimControl, launch, terminate

TESTS_DIR = Path(__file__).resolve().parent

# Distinctive strings, so that a leak of any of them into a result, message or file is found.
API_KEY = "outbox-test-key-Rw8Kd3Zp5Jm1"
OTHER_KEY = "outbox-other-key-Tc6Vn2Hq9Lx4"
SECRETS = (API_KEY, OTHER_KEY)

SIM_ARGS = ["--queue-delay-ms", "20", "--rate-limit", "0", "--callback-backoff-ms", "50",
            "--callback-timeout-ms", "1000", "--callback-attempts", "2"]

FAST_RETRY = {"maxRetries": 1, "baseDelayMs": 10, "maxDelayMs": 20, "jitterSeed": 1}
TIMEOUTS = {"connectMs": 1000, "requestMs": 5000, "deadlineMs": 15000}
STATES = ("queued", "sending", "delivered", "dead", "completed", "failed")
CANDIDATE_WRITES = "/api/*/candidates*"
APPLICATION_ID = 0x4F524547             # PRAGMA application_id of an outbox: "OREG" (1330791751)

OK = Status.OREG_OK
QUEUED = Status.OREG_QUEUED
INVALID = Status.OREG_INVALID
MISUSE = Status.OREG_ERR_MISUSE
JSON_ERROR = Status.OREG_ERR_JSON
TRANSPORT = Status.OREG_ERR_TRANSPORT
HTTP = Status.OREG_ERR_HTTP
IO = Status.OREG_ERR_IO


# --- the library's side -------------------------------------------------------------------------


def assert_no_secret(text: str | None, where: str) -> None:
    oreg_ctypes.assert_no_secret(text, where, SECRETS)


class Outcome(oreg_ctypes.Outcome):
    """One library call: its status, the out-parameter's text (freed already) and the calling
    thread's oreg_last_error() read right after it."""

    check_name = False
    output_limit = 800


class Client(oreg_ctypes.ClientHandle):
    secrets = SECRETS
    outcome_type = Outcome

    def flush(self, max_entries: int = 100, options: Any = None) -> Outcome:
        opts = encode(options)
        return self.call(f"flush({max_entries}, {options})",
                         lambda out: self.lib.oreg_client_flush(self.handle, max_entries, opts, out))

    def outbox(self) -> Outcome:
        return self.call("outbox()", lambda out: self.lib.oreg_client_outbox(self.handle, out))

    def status(self) -> dict:
        """oreg_client_outbox, which must succeed."""
        value = self.outbox().expect(OK).value
        assert set(value["states"]) >= set(STATES), value
        return value

    def counts(self) -> dict[str, int]:
        states = self.status()["states"]
        return {state: states[state]["count"] for state in STATES}

    def callback(self, body: Any) -> Outcome:
        data = encode(body)
        return self.call("outbox_callback()",
                         lambda out: self.lib.oreg_client_outbox_callback(self.handle, data, len(data or b""), out))


def new_client(lib: ctypes.CDLL, options: Any) -> tuple[Outcome, Client | None]:
    return oreg_ctypes.new_client(lib, options, Client)


def options_for(base_url: str, outbox: Path | str | None, key: str = API_KEY, **extra: Any) -> dict:
    options: dict[str, Any] = {"baseUrl": base_url, "apiKey": key, "retry": dict(FAST_RETRY),
                               "timeouts": dict(TIMEOUTS)}
    if outbox is not None:
        options["outbox"] = {"path": str(outbox)}
    options.update(extra)
    return options


def queued_result(outcome: Outcome) -> dict:
    """Checks an OREG_QUEUED outcome's result and returns it."""
    outcome.expect(QUEUED)
    result = outcome.value
    assert result.get("queued") is True, outcome.describe()
    assert isinstance(result.get("outboxId"), int) and result["outboxId"] > 0, outcome.describe()
    assert isinstance(result.get("idempotencyKey"), str) and result["idempotencyKey"], outcome.describe()
    assert isinstance(result.get("attempts"), int), outcome.describe()
    assert isinstance(result.get("lastError"), dict) and result["lastError"].get("message"), outcome.describe()
    return result


def report_of(outcome: Outcome) -> dict:
    outcome.expect(OK)
    report = outcome.value
    for name in ("delivered", "requeued", "dead", "remaining"):
        assert isinstance(report.get(name), int), outcome.describe()
    assert isinstance(report.get("entries"), list), outcome.describe()
    assert len(report["entries"]) == report["delivered"] + report["requeued"] + report["dead"], outcome.describe()
    return report


def file_bytes(path: Path) -> bytes:
    """The outbox's files (database, WAL, journal, lock) together, for looking for secrets."""
    data = b""
    for name in glob.glob(str(path) + "*"):
        if os.path.isfile(name):
            data += Path(name).read_bytes()
    return data


# --- the simulator's side ---------------------------------------------------------------------


class Sim(SimControl):
    def sent_with(self, key: str) -> list[dict]:
        """The API requests that carried idempotency key `key`."""
        return [r for r in self.requests() if key_of(r) == key]


def key_of(request: dict) -> str | None:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["target"]).query)
    return query.get("idempotencyKey", [None])[0]


def start_simulator(port: int = 0, keys: tuple[str, ...] = SECRETS, read_only: tuple[str, ...] = ()) -> Sim:
    args = list(SIM_ARGS)
    for key in keys:
        args += ["--api-key", key]
    for key in read_only:
        args += ["--read-only-key", key]
    return Sim(*launch(args, port))


def stop_simulator(sim: Sim) -> int:
    return terminate(sim.process)


@pytest.fixture(scope="session")
def server() -> Iterator[Sim]:
    sim = start_simulator()
    yield sim
    assert stop_simulator(sim) == 0


@pytest.fixture
def sim(server: Sim) -> Sim:
    server.reset()
    return server


@pytest.fixture
def simulators() -> Iterator[Callable[..., Sim]]:
    """simulators(port, keys=..., read_only=...): a simulator of this test, stopped after it."""
    started: list[Sim] = []

    def start(port: int = 0, keys: tuple[str, ...] = SECRETS, read_only: tuple[str, ...] = ()) -> Sim:
        sim = start_simulator(port, keys, read_only)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        stop_simulator(sim)


@pytest.fixture
def clients(lib: ctypes.CDLL) -> Iterator[Callable[[dict], Client]]:
    """clients(options): a client that must be created, freed after the test."""
    made: list[Client] = []

    def make(options: dict) -> Client:
        outcome, client = new_client(lib, options)
        outcome.expect(OK)
        assert client is not None
        made.append(client)
        return client

    yield make
    for client in made:
        client.free()


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def down_url() -> tuple[int, str]:
    """A loopback base URL where nothing listens (yet)."""
    port = free_port()
    return port, f"http://127.0.0.1:{port}/api/v2"


def candidate(**extra: Any) -> dict:
    payload = {"email": f"kandidaat-{uuid.uuid4().hex[:12]}@example.nl", "firstName": "Test",
               "lastName": "Kandidaat", "privacyConsent": True}
    payload.update(extra)
    return payload


def assert_applied_once(sim: Sim, key: str, operation: str = "candidate.create") -> dict:
    sim.drain()
    applied = sim.applied(key)
    assert len(applied) == 1, f"key {key!r} applied {len(applied)} times: {applied}"
    assert applied[0]["operation"] == operation, applied
    assert applied[0]["status"] == "succeeded", applied
    return applied[0]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def outbox_503(count: int) -> dict:
    """Enough 503s on candidate writes to exhaust a submit's retries (FAST_RETRY: 2 attempts)."""
    return {"method": "*", "path": CANDIDATE_WRITES, "status": 503, "count": count}


def queue_via_503(sim: Sim, client: Client, mutation: str = "candidates.create", target: str | None = None,
                  body: Any = None, options: Any = None) -> dict:
    sim.faults(outbox_503(FAST_RETRY["maxRetries"] + 1))
    if body is None and mutation == "candidates.create":
        body = [candidate()]
    result = queued_result(client.submit(mutation, target, body, options))
    sim.clear_faults()
    return result


# --- child processes ----------------------------------------------------------------------------

# argv[1]: a JSON object {"options", "steps", "fsizeLimit", "setuid"}. Every step prints one JSON
# line {"step", "status", "out", "error"} and is flushed at once, so that the parent can follow.
CHILD = r"""
import ctypes, json, os, resource, signal, sys, time
sys.path.insert(0, sys.argv[2])
from oreg_ctypes import load_library, last_error
spec = json.loads(sys.argv[1])
if spec.get("setuid"):
    os.setgid(spec["setuid"]); os.setuid(spec["setuid"])
lib = load_library()

def emit(step, status, out=None, error=None):
    print(json.dumps({"step": step, "status": status, "out": out, "error": error}), flush=True)

def call(fn, *args):
    out = ctypes.c_void_p()
    status = fn(*args, ctypes.byref(out))
    error = json.loads(lib.oreg_last_error().decode())
    text = None
    if out.value:
        text = ctypes.string_at(out.value).decode()
        lib.oreg_free(out)
    return status, (json.loads(text) if text else None), error

handle = ctypes.c_void_p()
status = lib.oreg_client_new(json.dumps(spec["options"]).encode(), ctypes.byref(handle))
emit("new", status, None, json.loads(lib.oreg_last_error().decode()))
if status != 0:
    sys.exit(0)
if spec.get("fsizeLimit") is not None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec["fsizeLimit"], resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
for step in spec["steps"]:
    kind = step[0]
    if kind == "submit":
        _, mutation, target, body, options = step
        data = json.dumps(body).encode() if body is not None else None
        s, out, err = call(lib.oreg_client_submit, handle, mutation.encode(), target.encode() if target else None,
                           data, len(data or b""), json.dumps(options).encode() if options is not None else None)
        emit(step, s, out, err)
    elif kind == "flush":
        _, max_entries, options = step
        s, out, err = call(lib.oreg_client_flush, handle, max_entries,
                           json.dumps(options).encode() if options is not None else None)
        emit(step, s, out, err)
    elif kind == "flush_until_empty":
        _, timeout = step
        deadline = time.monotonic() + timeout
        delivered = []
        while True:
            s, out, err = call(lib.oreg_client_flush, handle, 5, b'{"ignoreBackoff": true}')
            if s != 0:
                emit(step, s, out, err)
                break
            delivered += [e for e in out["entries"] if e["outcome"] == "delivered"]
            if out["remaining"] == 0 or time.monotonic() > deadline:
                emit(step, s, {"delivered": delivered, "remaining": out["remaining"]}, err)
                break
            time.sleep(0.05)
    elif kind == "outbox":
        s, out, err = call(lib.oreg_client_outbox, handle)
        emit(step, s, out, err)
    elif kind == "sleep":
        time.sleep(step[1])
lib.oreg_client_free(handle)
"""


def child_command(options: dict, steps: list, **extra: Any) -> list[str]:
    spec = {"options": options, "steps": steps, **extra}
    return [sys.executable, "-c", CHILD, json.dumps(spec), str(TESTS_DIR)]


def run_child(options: dict, steps: list, timeout: float = 60, **extra: Any) -> list[dict]:
    done = subprocess.run(child_command(options, steps, **extra), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"child failed ({done.returncode}): {done.stdout} {done.stderr}"
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    for line in lines:
        assert_no_secret(json.dumps(line), "a child's output")
    return lines


def spawn_child(options: dict, steps: list, **extra: Any) -> subprocess.Popen:
    return subprocess.Popen(child_command(options, steps, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# === queueing while the service is down, delivering after it is back ============================


def test_stopped_service_queues_and_flush_after_restart_applies_once(
        lib: ctypes.CDLL, simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    payload = [candidate()]
    queued = queued_result(client.submit("candidates.create", body=payload, options={"callbackUrl": "http://127.0.0.1:9/hook"}))
    key = queued["idempotencyKey"]
    assert queued["lastError"]["message"]
    counts = client.counts()
    assert counts == {"queued": 1, "sending": 0, "delivered": 0, "dead": 0, "completed": 0, "failed": 0}, counts
    entry = client.status()["states"]["queued"]["oldest"][0]
    assert entry["id"] == queued["outboxId"] and entry["idempotencyKey"] == key, entry
    assert entry["mutation"] == "candidates.create" and entry["targetId"] is None, entry
    assert entry["lastError"], entry
    assert client.status()["path"] == str(outbox_path)

    # Still down: the flush keeps it (max 1: test_flush_tries_each_entry_once_per_call covers more).
    report = report_of(client.flush(1, {"ignoreBackoff": True}))
    assert (report["delivered"], report["requeued"], report["remaining"]) == (0, 1, 1), report

    sim = simulators(port)
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert (report["delivered"], report["requeued"], report["dead"], report["remaining"]) == (1, 0, 0, 0), report
    line = report["entries"][0]
    assert line["outcome"] == "delivered" and line["idempotencyKey"] == key, report
    assert line["id"] == queued["outboxId"] and line["mutation"] == "candidates.create", report
    applied = assert_applied_once(sim, key)
    assert line["mutationId"] == applied["mutationId"], (report, applied)
    assert applied["body"] == payload, applied
    posts = sim.sent_with(key)
    assert len(posts) == 1, posts
    assert "callbackUrl=http%3A%2F%2F127.0.0.1%3A9%2Fhook" in posts[0]["target"], posts  # kept with the entry

    # Nothing more to send, ever.
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert (report["delivered"], report["remaining"], report["entries"]) == (0, 0, []), report
    counts = client.counts()
    assert counts["delivered"] == 1 and counts["queued"] == 0 and counts["sending"] == 0, counts
    delivered = client.status()["states"]["delivered"]["oldest"][0]
    assert delivered["mutationId"] == applied["mutationId"] and delivered["idempotencyKey"] == key, delivered
    assert len(sim.sent_with(key)) == 1
    assert len(sim.applied(key)) == 1
    for secret in SECRETS:
        assert secret.encode() not in file_bytes(outbox_path), "the API key was written to the outbox"


def test_every_kind_of_mutation_is_queued_and_flushed_in_order(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    created = client.submit("candidates.create", body=[candidate()]).expect(OK).value
    sim.drain()
    candidate_id = sim.applied(created["idempotencyKey"])[0]["resource"]["ids"][0]

    submitted = [
        ("candidates.update", candidate_id, {"firstName": "Anders"}, None, "candidate.update"),
        ("candidates.upsert", None, candidate(), {"validate": False}, "candidate.upsert"),
        ("candidates.archive", candidate_id, None, None, "candidate.archive"),
    ]
    sim.faults({"method": "*", "path": CANDIDATE_WRITES, "status": 503, "count": 1000})
    keys = []
    for mutation, target, body, options, _ in submitted:
        keys.append(queued_result(client.submit(mutation, target, body, options))["idempotencyKey"])
    sim.clear_faults()
    assert client.counts()["queued"] == len(submitted)
    oldest = client.status()["states"]["queued"]["oldest"]
    assert [e["mutation"] for e in oldest] == [m for m, *_ in submitted], oldest
    assert [e["targetId"] for e in oldest] == [t for _, t, *_ in submitted], oldest

    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert [e["idempotencyKey"] for e in report["entries"]] == keys, "not sent oldest first"
    assert report["remaining"] == 0, report
    sim.drain()
    assert report["delivered"] == len(submitted), report
    for line, (mutation, target, body, _, operation) in zip(report["entries"], submitted):
        applied = assert_applied_once(sim, line["idempotencyKey"], operation)
        assert line["mutationId"] == applied["mutationId"], (line, applied)
        assert len(sim.sent_with(line["idempotencyKey"])) == FAST_RETRY["maxRetries"] + 2
        if body is not None:
            assert applied["body"] == body, applied


def test_stopped_service_queues_a_mutation_without_body(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    queued = queued_result(client.submit("candidates.delete", "recNotYetThere01"))
    sim = simulators(port)
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    # The simulator is empty after its restart: the service refuses the target for good.
    assert report["dead"] == 1 and report["entries"][0]["idempotencyKey"] == queued["idempotencyKey"], report
    requests = sim.sent_with(queued["idempotencyKey"])
    assert [r["method"] for r in requests] == ["DELETE"], requests
    assert requests[0]["path"].endswith("/candidates/recNotYetThere01"), requests


def test_same_key_submitted_twice_while_down_is_one_entry(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    body = [candidate()]
    first = queued_result(client.submit("candidates.create", body=body, options={"idempotencyKey": "content"}))
    second = queued_result(client.submit("candidates.create", body=body, options={"idempotencyKey": "content"}))
    assert first["idempotencyKey"] == second["idempotencyKey"]
    assert first["outboxId"] == second["outboxId"], (first, second)
    assert client.counts()["queued"] == 1
    sim = simulators(port)
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["delivered"] == 1, report
    assert_applied_once(sim, first["idempotencyKey"])


@pytest.mark.parametrize("fault", [
    {"status": 503},
    {"status": 429, "retryAfter": "0"},
    {"status": 500},
    {"action": "drop"},
    {"action": "drop", "when": "after"},
], ids=["503", "429", "500", "dropped", "answer-lost"])
def test_retryable_failure_after_retries_is_queued_then_delivered_once(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path, fault: dict) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    sim.faults({"method": "POST", "path": CANDIDATE_WRITES, "count": FAST_RETRY["maxRetries"] + 1, **fault})
    payload = [candidate()]
    queued = queued_result(client.submit("candidates.create", body=payload))
    key = queued["idempotencyKey"]
    assert queued["attempts"] == FAST_RETRY["maxRetries"] + 1, queued
    assert len(sim.sent_with(key)) == FAST_RETRY["maxRetries"] + 1
    if "status" in fault:
        assert queued["lastError"].get("httpStatus") == fault["status"], queued
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["delivered"] == 1 and report["remaining"] == 0, report
    applied = assert_applied_once(sim, key)
    assert applied["body"] == payload
    assert report["entries"][0]["mutationId"] == applied["mutationId"]


# === what is never queued ======================================================================


def test_invalid_body_is_not_queued(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    outcome = client.submit("candidates.create", body=[{"email": "not-an-email", "firstName": "", "lastName": "X",
                                                         "privacyConsent": True}])
    outcome.expect(INVALID)
    assert client.counts()["queued"] == 0
    assert sim.requests(CANDIDATE_WRITES, "POST") == []


@pytest.mark.parametrize("case", ["401", "403", "404", "409", "422"])
def test_refused_4xx_is_not_queued(sim: Sim, simulators: Callable[..., Sim], clients: Callable[[dict], Client],
                                   outbox_path: Path, case: str) -> None:
    target = sim
    client = clients(options_for(sim.base_url, outbox_path))
    mutation, target_id, body, options = "candidates.create", None, [candidate()], None
    if case == "401":
        target = simulators(0, keys=(OTHER_KEY,))
        client = clients(options_for(target.base_url, outbox_path))
        options = {"validate": False}
    elif case == "403":
        target = simulators(0, keys=(OTHER_KEY,), read_only=(API_KEY,))
        client = clients(options_for(target.base_url, outbox_path))
    elif case == "404":
        mutation, target_id, body = "candidates.update", "recDoesNotExist0", {"firstName": "X"}
    elif case == "409":
        client.submit("candidates.create", body=[candidate()], options={"idempotencyKey": "outbox-409"}).expect(OK)
        options = {"idempotencyKey": "outbox-409"}
    elif case == "422":
        body, options = [{"email": "not-an-email", "privacyConsent": True}], {"validate": False}
    outcome = client.submit(mutation, target_id, body, options)
    outcome.expect(HTTP)
    assert outcome.error.get("httpStatus") == int(case), outcome.describe()
    assert outcome.error.get("idempotencyKey"), outcome.describe()
    assert client.counts() == dict.fromkeys(STATES, 0), client.counts()
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["entries"] == [] and report["remaining"] == 0, report


# === dead entries ===============================================================================


def test_flush_refused_with_422_becomes_dead_with_the_answer(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    key = queue_via_503(sim, client)["idempotencyKey"]
    sim.faults({"method": "POST", "path": CANDIDATE_WRITES, "status": 422, "count": 1})
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert (report["delivered"], report["requeued"], report["dead"], report["remaining"]) == (0, 0, 1, 0), report
    assert report["entries"][0]["outcome"] == "dead" and report["entries"][0]["error"], report
    sent = len(sim.sent_with(key))
    states = client.status()["states"]
    assert states["dead"]["count"] == 1, states
    dead = states["dead"]["oldest"][0]
    assert dead["idempotencyKey"] == key and dead["lastError"], dead
    assert isinstance(dead["answer"], dict), f"the service's answer is not kept: {dead}"
    assert dead["answer"].get("httpStatus") == 422, dead
    # Never sent again, not even when ignoring the backoff.
    for options in (None, {"ignoreBackoff": True}):
        report = report_of(client.flush(10, options))
        assert report["entries"] == [] and report["dead"] == 0, report
    assert len(sim.sent_with(key)) == sent
    sim.drain()
    assert sim.applied(key) == []


def test_flush_with_the_key_refused_becomes_dead(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    key = queued_result(client.submit("candidates.create", body=[candidate()]))["idempotencyKey"]
    sim = simulators(port, keys=(OTHER_KEY,))          # the region's key was revoked meanwhile
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["dead"] == 1 and report["remaining"] == 0, report
    dead = client.status()["states"]["dead"]["oldest"][0]
    assert dead["idempotencyKey"] == key and dead["answer"].get("httpStatus") == 401, dead
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["entries"] == [], report
    assert len(sim.sent_with(key)) == 1
    sim.drain()
    assert sim.mutations() == []


# === backoff ===================================================================================


def test_requeue_waits_with_growing_backoff(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    queued = queued_result(client.submit("candidates.create", body=[candidate()], options={"validate": False}))
    key = queued["idempotencyKey"]
    before = client.status()["states"]["queued"]["oldest"][0]

    waits = []
    attempts = [before["attempts"]]
    for _ in range(2):
        started = int(time.time())
        report = report_of(client.flush(1, {"ignoreBackoff": True}))
        assert report["requeued"] == 1 and report["remaining"] == 1, report
        assert report["entries"][0]["outcome"] == "requeued" and report["entries"][0]["error"], report
        entry = client.status()["states"]["queued"]["oldest"][0]
        assert entry["idempotencyKey"] == key and entry["lastError"], entry
        assert entry["attempts"] > attempts[-1], (attempts, entry)
        attempts.append(entry["attempts"])
        assert entry["nextAttemptAt"] > started + 10, entry
        waits.append(entry["nextAttemptAt"] - started)
    assert waits[1] > waits[0], f"the backoff does not grow: {waits}"

    # While waiting, a flush without ignoreBackoff sends nothing, even when the service is back.
    sim = simulators(port)
    report = report_of(client.flush(10))
    assert (report["delivered"], report["requeued"], report["entries"], report["remaining"]) == (0, 0, [], 1), report
    assert sim.requests() == []
    report = report_of(client.flush(10, {"ignoreBackoff": False}))
    assert report["entries"] == [], report
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["delivered"] == 1, report
    assert_applied_once(sim, key)


def test_flush_tries_each_entry_once_per_call(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    """A flush while the service is still down requeues each entry once: it does not claim the
    entry it just requeued again (ignoreBackoff) until `max` is used up."""
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    keys = [queued_result(client.submit("candidates.create", body=[candidate()], options={"validate": False}))["idempotencyKey"]
            for _ in range(2)]
    attempts = {e["idempotencyKey"]: e["attempts"] for e in client.status()["states"]["queued"]["oldest"]}
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    sent = [e["idempotencyKey"] for e in report["entries"]]
    assert sorted(sent) == sorted(keys), f"entries tried {len(sent)} times for {len(keys)} entries: {sent}"
    assert (report["delivered"], report["requeued"], report["remaining"]) == (0, 2, 2), report
    for entry in client.status()["states"]["queued"]["oldest"]:
        assert entry["attempts"] == attempts[entry["idempotencyKey"]] + FAST_RETRY["maxRetries"] + 1, (attempts, entry)


# === monitoring ================================================================================


def test_outbox_counts_and_max(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    assert client.counts() == dict.fromkeys(STATES, 0)
    keys = [queue_via_503(sim, client)["idempotencyKey"] for _ in range(3)]
    status = client.status()
    assert status["states"]["queued"]["count"] == 3
    oldest = status["states"]["queued"]["oldest"]
    assert [e["idempotencyKey"] for e in oldest] == keys, oldest
    assert [e["id"] for e in oldest] == sorted(e["id"] for e in oldest)
    for entry in oldest:
        for name in ("id", "mutation", "targetId", "idempotencyKey", "createdAt", "attempts", "nextAttemptAt",
                     "lastError", "mutationId", "answer"):
            assert name in entry, (name, entry)
        assert abs(entry["createdAt"] - time.time()) < 120, entry

    report = report_of(client.flush(1, {"ignoreBackoff": True}))
    assert report["delivered"] == 1 and report["remaining"] == 2, report
    assert report["entries"][0]["idempotencyKey"] == keys[0], "not oldest first"
    counts = client.counts()
    assert (counts["queued"], counts["delivered"]) == (2, 1), counts
    report = report_of(client.flush(5, {"ignoreBackoff": True}))
    assert report["delivered"] == 2 and report["remaining"] == 0, report
    counts = client.counts()
    assert (counts["queued"], counts["delivered"]) == (0, 3), counts
    for key in keys:
        assert_applied_once(sim, key)


def test_flush_report_may_be_null(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path, lib: ctypes.CDLL) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    key = queue_via_503(sim, client)["idempotencyKey"]
    assert lib.oreg_client_flush(client.handle, 10, b'{"ignoreBackoff": true}', None) == OK
    assert_applied_once(sim, key)
    assert client.counts()["delivered"] == 1


def test_outbox_shows_only_this_region(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    mine = clients(options_for(sim.base_url, outbox_path))
    theirs = clients(options_for(sim.base_url, outbox_path, key=OTHER_KEY))
    sandbox = clients(options_for(sim.base_url, outbox_path, sandbox=True))
    queue_via_503(sim, mine)
    assert mine.counts()["queued"] == 1
    assert theirs.counts()["queued"] == 0
    assert sandbox.counts()["queued"] == 0


# === callbacks =================================================================================


def callback_body(sim: Sim, mutation_id: str) -> str:
    sim.drain(callbacks=True)
    deliveries = wait_for(lambda: sim.callbacks(mutationId=mutation_id), 10, "the callback")
    return deliveries[0]["body"]


def test_outbox_callback_marks_entries_completed_and_failed(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    hook = {"callbackUrl": f"http://127.0.0.1:{free_port()}/hook"}
    client = clients(options_for(sim.base_url, outbox_path))
    # A candidate to update, created directly (never queued).
    direct = client.submit("candidates.create", body=[candidate()], options=hook).expect(OK).value
    sim.drain()
    candidate_id = sim.applied(direct["idempotencyKey"])[0]["resource"]["ids"][0]

    succeeded_key = queue_via_503(sim, client, options=hook)["idempotencyKey"]
    failing_key = queue_via_503(sim, client, "candidates.update", candidate_id, {"firstName": "Later"}, hook)["idempotencyKey"]
    # The update is accepted (the candidate exists) but runs after the delete: it fails.
    sim.configure(queueDelayMs=600)
    client.submit("candidates.delete", candidate_id).expect(OK)
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["delivered"] == 2, report
    ids = {e["idempotencyKey"]: e["mutationId"] for e in report["entries"]}
    sim.drain()
    assert sim.applied(failing_key)[0]["status"] == "failed", sim.applied(failing_key)

    body = callback_body(sim, ids[succeeded_key])
    assert json.loads(body)["status"] == "succeeded"
    result = client.callback(body).expect(OK).value
    entry_ids = {e["idempotencyKey"]: e["id"] for e in report["entries"]}
    assert result == {"matched": True, "id": entry_ids[succeeded_key], "state": "completed"}, result

    body = callback_body(sim, ids[failing_key])
    assert json.loads(body)["status"] == "failed"
    result = client.callback(body).expect(OK).value
    assert result == {"matched": True, "id": entry_ids[failing_key], "state": "failed"}, result
    counts = client.counts()
    assert (counts["completed"], counts["failed"], counts["delivered"]) == (1, 1, 0), counts
    completed = client.status()["states"]["completed"]["oldest"][0]
    assert completed["idempotencyKey"] == succeeded_key and completed["mutationId"] == ids[succeeded_key], completed

    # A mutation delivered directly was never in the outbox.
    body = callback_body(sim, direct["mutationId"])
    result = client.callback(body).expect(OK).value
    assert result == {"matched": False, "id": None, "state": None}, result
    assert client.callback(body.encode()).expect(OK).value["matched"] is False


def test_outbox_callback_matches_by_idempotency_key(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    hook = {"callbackUrl": f"http://127.0.0.1:{free_port()}/hook"}
    client = clients(options_for(sim.base_url, outbox_path))
    queued = queue_via_503(sim, client, options=hook)
    # The real callback body without its mutationId: only the idempotency key can match.
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    mutation_id = report["entries"][0]["mutationId"]
    real = json.loads(callback_body(sim, mutation_id))
    without_id = {name: value for name, value in real.items() if name != "mutationId"}
    result = client.callback(without_id).expect(OK).value
    assert result == {"matched": True, "id": queued["outboxId"], "state": "completed"}, result
    unknown = dict(real, mutationId="mut_unknown", idempotencyKey="no-such-key")
    assert client.callback(unknown).expect(OK).value == {"matched": False, "id": None, "state": None}


def test_outbox_callback_refuses_bad_bodies(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path,
                                            lib: ctypes.CDLL) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    client.callback(b"{not json").expect(JSON_ERROR)
    client.callback({"status": "succeeded"}).expect(MISUSE)
    client.callback({"mutationId": "mut_1"}).expect(MISUSE)
    assert client.callback({"mutationId": "mut_1", "status": "succeeded"}).expect(OK).value["matched"] is False
    plain = clients(options_for(sim.base_url, None))
    plain.callback({"mutationId": "mut_1", "status": "succeeded"}).expect(MISUSE)


# === misuse ====================================================================================


def test_flush_and_outbox_misuse(sim: Sim, clients: Callable[[dict], Client], outbox_path: Path, lib: ctypes.CDLL) -> None:
    plain = clients(options_for(sim.base_url, None))
    outcome = plain.flush(10).expect(MISUSE)
    assert "outbox" in outcome.error["message"], outcome.describe()
    plain.outbox().expect(MISUSE)

    client = clients(options_for(sim.base_url, outbox_path))
    for max_entries in (0, -1):
        client.flush(max_entries).expect(MISUSE)
    for options in ({"colour": 1}, {"ignoreBackoff": "yes"}, {"ignoreBackoff": None}, [], 3):
        client.flush(10, options).expect(MISUSE)
    outcome = client.flush(10, {"colour": 1})
    assert "colour" in outcome.error["message"], outcome.describe()
    outcome = client.flush(10, b"{")
    assert outcome.status in (MISUSE, JSON_ERROR), outcome.describe()   # the header names MISUSE only
    assert lib.oreg_client_outbox(client.handle, None) == MISUSE
    assert lib.oreg_client_flush(None, 10, None, None) == MISUSE
    assert lib.oreg_client_outbox(None, None) == MISUSE
    assert sim.requests() == []
    report = report_of(client.flush(10))
    assert report["entries"] == [] and report["remaining"] == 0


@pytest.mark.parametrize("outbox, named", [
    ("/tmp/outbox.db", "outbox"),
    ({}, "path"),
    ({"path": ""}, "path"),
    ({"path": 5}, "path"),
    ({"path": "/tmp/x.db", "leaseSeconds": "10"}, "leaseSeconds"),
    ({"path": "/tmp/x.db", "leaseSeconds": 0}, "leaseSeconds"),
    ({"path": "/tmp/x.db", "colour": 1}, "colour"),
], ids=["string", "no-path", "empty-path", "number-path", "lease-string", "lease-zero", "unknown"])
def test_new_refuses_bad_outbox_options(lib: ctypes.CDLL, outbox: Any, named: str) -> None:
    outcome, client = new_client(lib, {"apiKey": API_KEY, "baseUrl": "http://127.0.0.1:1/api/v2", "outbox": outbox})
    outcome.expect(MISUSE)
    assert client is None
    assert named in outcome.error["message"], outcome.describe()


# === a flusher killed, a flusher still busy, a lease run out ======================================


DELAYED = {"method": "POST", "path": CANDIDATE_WRITES, "action": "none", "delayMs": 3000, "when": "after", "count": 1}
SLOW_TIMEOUTS = {"connectMs": 1000, "requestMs": 10000, "deadlineMs": 20000}


def test_flusher_killed_with_sigkill_mid_flush_loses_nothing_and_applies_once(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    queued = queue_via_503(sim, client)
    key = queued["idempotencyKey"]
    sim.faults(DELAYED)
    child = spawn_child(options_for(sim.base_url, outbox_path, timeouts=SLOW_TIMEOUTS),
                        [["flush", 1, {"ignoreBackoff": True}]])
    try:
        # The write was processed (the mutation applied) while its answer is held back.
        wait_for(lambda: sim.applied(key), 10, "the mutation to be applied")
        assert client.counts()["sending"] == 1, client.status()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    child.stdout.close()
    child.stderr.close()
    counts = client.counts()
    assert counts["sending"] == 1 and counts["delivered"] == 0, f"the entry was lost: {client.status()}"

    # A new process (the owner is gone): the entry is reclaimed and resent with its key.
    lines = run_child(options_for(sim.base_url, outbox_path), [["flush", 10, None]])
    assert lines[0]["status"] == OK, lines
    report = lines[1]["out"]
    assert lines[1]["status"] == OK and report["delivered"] == 1 and report["remaining"] == 0, lines
    assert report["entries"][0]["idempotencyKey"] == key, report
    applied = assert_applied_once(sim, key)
    assert report["entries"][0]["mutationId"] == applied["mutationId"], (report, applied)
    wait_for(lambda: len(sim.sent_with(key)) >= 4, 10, "the delayed answer to be logged")
    assert len(sim.sent_with(key)) == 4, sim.sent_with(key)   # 2 queued it, 1 killed, 1 resent
    counts = client.counts()
    assert (counts["sending"], counts["queued"], counts["delivered"]) == (0, 0, 1), counts
    time.sleep(0.3)
    assert len(sim.applied(key)) == 1


def test_entry_claimed_by_a_live_flusher_is_not_sent_twice(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    key = queue_via_503(sim, client)["idempotencyKey"]
    sim.faults(DELAYED)
    child = spawn_child(options_for(sim.base_url, outbox_path, timeouts=SLOW_TIMEOUTS),
                        [["flush", 1, {"ignoreBackoff": True}]])
    try:
        wait_for(lambda: sim.applied(key), 10, "the mutation to be applied")
        report = report_of(client.flush(10, {"ignoreBackoff": True}))
        assert report["entries"] == [] and report["remaining"] == 1, f"an entry being sent was claimed twice: {report}"
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, stderr
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert lines[1]["status"] == OK and lines[1]["out"]["delivered"] == 1, lines
    assert len(sim.sent_with(key)) == 3      # 2 queued it, 1 flushed
    assert_applied_once(sim, key)
    assert client.counts()["delivered"] == 1


def test_entry_whose_lease_ran_out_is_claimed_again(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    client = clients(options_for(sim.base_url, outbox_path))
    key = queue_via_503(sim, client)["idempotencyKey"]
    sim.faults(dict(DELAYED, delayMs=4000))
    options = options_for(sim.base_url, outbox_path, timeouts=SLOW_TIMEOUTS)
    options["outbox"]["leaseSeconds"] = 1
    child = spawn_child(options, [["flush", 1, {"ignoreBackoff": True}]])
    try:
        wait_for(lambda: sim.applied(key), 10, "the mutation to be applied")
        time.sleep(2.2)
        report = report_of(client.flush(10))
        assert report["delivered"] == 1, f"an entry whose lease ran out was not claimed again: {report}"
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, stderr
    assert_applied_once(sim, key)
    assert client.counts()["delivered"] == 1


# === four processes at once, with faults ==========================================================


def test_four_processes_submitting_and_flushing_apply_every_mutation_once(
        sim: Sim, clients: Callable[[dict], Client], outbox_path: Path) -> None:
    per_process = 6
    sim.faults(
        {"method": "POST", "path": CANDIDATE_WRITES, "status": 503, "count": 10},
        {"method": "POST", "path": CANDIDATE_WRITES, "action": "drop", "count": 4},
        {"method": "POST", "path": CANDIDATE_WRITES, "action": "drop", "when": "after", "count": 4},
        {"method": "POST", "path": CANDIDATE_WRITES, "status": 503, "when": "after", "count": 4},
        {"method": "POST", "path": CANDIDATE_WRITES, "action": "truncate", "when": "after", "count": 2},
        {"method": "POST", "path": CANDIDATE_WRITES, "status": 429, "retryAfter": "0", "count": 4},
    )
    bodies = [[[candidate()] for _ in range(per_process)] for _ in range(4)]
    options = options_for(sim.base_url, outbox_path)
    children = []
    for process_bodies in bodies:
        steps: list = []
        for body in process_bodies:
            steps.append(["submit", "candidates.create", None, body, None])
            steps.append(["flush", 2, {"ignoreBackoff": True}])
        steps.append(["flush_until_empty", 30])
        children.append(spawn_child(options, steps))
    outputs = []
    try:
        for child in children:
            stdout, stderr = child.communicate(timeout=120)
            assert child.returncode == 0, stderr
            outputs.append([json.loads(line) for line in stdout.splitlines()])
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()

    keys: dict[str, str] = {}                # idempotency key -> email
    queued = 0
    for lines, process_bodies in zip(outputs, bodies):
        assert lines[0]["status"] == OK, lines[0]
        submits = [line for line in lines if line["step"][0] == "submit"]
        assert len(submits) == per_process
        for line, body in zip(submits, process_bodies):
            assert line["status"] in (OK, QUEUED), f"a submit failed: {line}"
            queued += line["status"] == QUEUED
            keys[line["out"]["idempotencyKey"]] = body[0]["email"]
        for line in lines[1:]:
            if line["step"][0] != "submit":
                assert line["status"] == OK, f"a flush failed: {line}"
    assert len(keys) == 4 * per_process
    assert queued > 0, "no fault made anything queue: the test proves nothing"

    # Whatever is left (a process may have stopped while another held an entry) is flushed here.
    sim.clear_faults()
    client = clients(options)
    wait_for(lambda: report_of(client.flush(100, {"ignoreBackoff": True}))["remaining"] == 0, 30, "an empty outbox")
    counts = client.counts()
    assert (counts["queued"], counts["sending"], counts["dead"]) == (0, 0, 0), client.status()
    assert counts["delivered"] == queued, counts
    sim.drain()
    mutations = sim.mutations()
    applied: dict[str, list[dict]] = {}
    for mutation in mutations:
        applied.setdefault(mutation["idempotencyKey"], []).append(mutation)
    assert set(applied) == set(keys), f"missing {set(keys) - set(applied)}, unexpected {set(applied) - set(keys)}"
    for key, email in keys.items():
        assert len(applied[key]) == 1, f"{key} applied {len(applied[key])} times"
        assert applied[key][0]["body"][0]["email"] == email, applied[key]
        assert applied[key][0]["status"] == "succeeded", applied[key]


# === two regions on one file ===================================================================


def test_two_api_keys_on_one_outbox_never_send_with_the_other_key(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    mine = clients(options_for(url, outbox_path))
    theirs = clients(options_for(url, outbox_path, key=OTHER_KEY))
    my_keys = [queued_result(mine.submit("candidates.create", body=[candidate()]))["idempotencyKey"] for _ in range(2)]
    their_keys = [queued_result(theirs.submit("candidates.create", body=[candidate()]))["idempotencyKey"] for _ in range(2)]
    assert mine.counts()["queued"] == 2 and theirs.counts()["queued"] == 2
    assert {e["idempotencyKey"] for e in mine.status()["states"]["queued"]["oldest"]} == set(my_keys)

    # Only my key may write: anything of theirs sent with mine would be applied.
    sim = simulators(port, keys=(API_KEY,), read_only=(OTHER_KEY,))
    report = report_of(mine.flush(10, {"ignoreBackoff": True}))
    assert report["delivered"] == 2 and report["remaining"] == 0, report
    assert {e["idempotencyKey"] for e in report["entries"]} == set(my_keys), report
    for key in their_keys:
        assert sim.sent_with(key) == [], f"another region's entry was sent by this client: {sim.sent_with(key)}"
    assert theirs.counts()["queued"] == 2

    # Theirs go out with their own key, which may not write here: 403, dead; never applied.
    report = report_of(theirs.flush(10, {"ignoreBackoff": True}))
    assert report["dead"] == 2 and {e["idempotencyKey"] for e in report["entries"]} == set(their_keys), report
    for entry in theirs.status()["states"]["dead"]["oldest"]:
        assert entry["answer"].get("httpStatus") == 403, entry
    sim.drain()
    assert {m["idempotencyKey"] for m in sim.mutations()} == set(my_keys)
    assert mine.counts()["dead"] == 0 and mine.counts()["delivered"] == 2
    data = file_bytes(outbox_path)
    for secret in SECRETS:
        assert secret.encode() not in data, "an API key was written to the outbox"


# === damaged, foreign and newer files ============================================================


def corrupt_copies(path: Path) -> list[str]:
    return sorted(glob.glob(str(path) + ".corrupt-*"))


@pytest.mark.parametrize("junk", [
    b"this is not a database at all\n" * 200,
    b"SQLite format 3\x00" + b"\xff" * 4080,
    os.urandom(8192),
], ids=["text", "damaged-header", "random"])
def test_corrupt_outbox_is_kept_aside_not_deleted(lib: ctypes.CDLL, outbox_path: Path, junk: bytes,
                                                 clients: Callable[[dict], Client]) -> None:
    outbox_path.write_bytes(junk)
    outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", outbox_path))
    outcome.expect(IO)
    assert client is None
    copies = corrupt_copies(outbox_path)
    assert len(copies) == 1, f"kept aside as {copies}"
    assert Path(copies[0]).read_bytes() == junk, "the damaged file was altered"
    assert copies[0] in outcome.error["message"], f"the message does not name the kept-aside file: {outcome.describe()}"
    assert str(outbox_path) in outcome.error["message"], outcome.describe()
    # The next start gets a new, empty outbox.
    client = clients(options_for("http://127.0.0.1:1/api/v2", outbox_path))
    assert client.counts() == dict.fromkeys(STATES, 0)
    assert Path(copies[0]).read_bytes() == junk
    assert corrupt_copies(outbox_path) == copies


def test_foreign_sqlite_database_is_kept_aside(lib: ctypes.CDLL, outbox_path: Path,
                                               clients: Callable[[dict], Client]) -> None:
    with sqlite3.connect(outbox_path) as db:
        db.execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT)")
        db.execute("INSERT INTO orders(customer) VALUES('somebody else')")
    db.close()
    original = outbox_path.read_bytes()
    outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", outbox_path))
    outcome.expect(IO)
    copies = corrupt_copies(outbox_path)
    assert len(copies) == 1 and copies[0] in outcome.error["message"], outcome.describe()
    with sqlite3.connect(copies[0]) as db:
        assert db.execute("SELECT customer FROM orders").fetchall() == [("somebody else",)]
    db.close()
    assert Path(copies[0]).read_bytes() == original, "the foreign database was altered (not only renamed)"
    clients(options_for("http://127.0.0.1:1/api/v2", outbox_path))


def test_outbox_of_a_newer_library_is_refused_untouched(lib: ctypes.CDLL, outbox_path: Path) -> None:
    with sqlite3.connect(outbox_path) as db:
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("PRAGMA user_version=99")
        db.execute("CREATE TABLE future(x)")
    db.close()
    before = outbox_path.read_bytes()
    listing = sorted(os.listdir(outbox_path.parent))
    for _ in range(2):
        outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", outbox_path))
        outcome.expect(IO)
        assert client is None
        assert "newer" in outcome.error["message"], outcome.describe()
        assert str(outbox_path) in outcome.error["message"], outcome.describe()
    assert outbox_path.read_bytes() == before, "the newer outbox was modified"
    assert corrupt_copies(outbox_path) == [], "a newer outbox was moved aside"
    with sqlite3.connect(outbox_path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (99,)
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    db.close()
    extra = set(os.listdir(outbox_path.parent)) - set(listing)
    assert not any(name.startswith(outbox_path.name + ".corrupt") for name in extra), extra


# === unwritable paths and a full disk =============================================================


def test_unusable_outbox_paths(lib: ctypes.CDLL, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    a_dir = tmp_path / "a-dir"
    a_dir.mkdir()
    for path in (a_file / "outbox.db", tmp_path / "missing" / "outbox.db", a_dir):
        outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", path))
        outcome.expect(IO)
        assert client is None
        assert str(path) in outcome.error["message"], outcome.describe()
    assert a_file.read_text() == "x"
    assert a_dir.is_dir() and list(a_dir.iterdir()) == []


@pytest.fixture
def nobody_dir() -> Iterator[Path]:
    """A directory the user nobody may enter but not write (tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="oreg-outbox-"))
    os.chmod(base, 0o755)
    target = base / "read-only"
    target.mkdir()
    os.chmod(target, 0o555)
    yield target
    os.chmod(target, 0o755)
    shutil.rmtree(base)


def test_unwritable_directory_is_refused(lib: ctypes.CDLL, nobody_dir: Path, tmp_path: Path) -> None:
    path = nobody_dir / "outbox.db"
    if os.geteuid() != 0:
        outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", path))
        outcome.expect(IO)
        assert str(path) in outcome.error["message"], outcome.describe()
        return
    lines = run_child(options_for("http://127.0.0.1:1/api/v2", path), [], setuid=65534)
    assert lines[0]["status"] == IO, lines
    assert str(path) in lines[0]["error"]["message"], lines
    assert list(nobody_dir.iterdir()) == []


def test_read_only_outbox_never_loses_a_mutation(lib: ctypes.CDLL, nobody_dir: Path) -> None:
    """An outbox file the process may read but not write: refused at once, or every mutation
    it cannot keep fails with its own error; never OREG_QUEUED."""
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another user")
    os.chmod(nobody_dir, 0o755)
    path = nobody_dir / "outbox.db"
    outcome, client = new_client(lib, options_for("http://127.0.0.1:1/api/v2", path))
    outcome.expect(OK)
    client.free()
    for name in glob.glob(str(path) + "*"):
        os.chmod(name, 0o644)
    os.chmod(nobody_dir, 0o555)
    _, url = down_url()
    lines = run_child(options_for(url, path), [["submit", "candidates.create", None, [candidate()], {"validate": False}]],
                      setuid=65534)
    if lines[0]["status"] == IO:
        assert str(path) in lines[0]["error"]["message"], lines
        return
    assert lines[0]["status"] == OK, lines
    submit = lines[1]
    assert submit["status"] == TRANSPORT, f"a mutation the outbox could not keep: {submit}"
    assert "outbox" in submit["error"]["message"] and submit["error"].get("idempotencyKey"), submit


def test_full_disk_returns_the_original_error_and_the_key(lib: ctypes.CDLL, outbox_path: Path,
                                                         clients: Callable[[dict], Client]) -> None:
    _, url = down_url()
    steps = [["submit", "candidates.create", None, [candidate()], {"validate": False}],
             ["submit", "candidates.create", None, [candidate()], None]]
    lines = run_child(options_for(url, outbox_path), steps, fsizeLimit=1)
    assert lines[0]["status"] == OK, lines
    for line in lines[1:]:
        assert line["status"] == TRANSPORT, f"expected the original OREG_ERR_TRANSPORT: {line}"
        assert line["out"] is None, line
        error = line["error"]
        assert error["name"] == "OREG_ERR_TRANSPORT", error
        assert "outbox" in error["message"], f"the message does not say the outbox failed: {error}"
        assert isinstance(error.get("idempotencyKey"), str) and error["idempotencyKey"], error
    # Nothing half-stored: the outbox is whole and holds nothing.
    client = clients(options_for(url, outbox_path))
    assert client.counts() == dict.fromkeys(STATES, 0)


def test_full_disk_while_flushing_keeps_the_entry(
        simulators: Callable[..., Sim], clients: Callable[[dict], Client], outbox_path: Path) -> None:
    port, url = down_url()
    client = clients(options_for(url, outbox_path))
    key = queued_result(client.submit("candidates.create", body=[candidate()], options={"validate": False}))["idempotencyKey"]
    client.free()
    sim = simulators(port)
    lines = run_child(options_for(url, outbox_path), [["flush", 10, {"ignoreBackoff": True}]], fsizeLimit=1)
    assert lines[0]["status"] == OK, lines
    assert lines[1]["status"] in (OK, IO), lines
    if lines[1]["status"] == IO:
        assert "outbox" in lines[1]["error"]["message"], lines
    # Whatever happened, a later flush with room delivers it once (or knows it was delivered).
    client = clients(options_for(url, outbox_path))
    report = report_of(client.flush(10, {"ignoreBackoff": True}))
    assert report["remaining"] == 0, report
    counts = client.counts()
    assert counts["delivered"] == 1 and counts["queued"] == 0 and counts["sending"] == 0, client.status()
    assert_applied_once(sim, key)
