"""Callback verification tests of the built libonderwijsregio: oreg_verifier_new,
oreg_verifier_verify, oreg_verifier_free and oreg_callback_sign, loaded with ctypes.

Two kinds of input:
- real callbacks: mutations are submitted through the library's own client (oreg_client_submit)
  to the local API simulator (tools/simulator/server.py), whose engine signs its callbacks with
  its own implementation (tools/simulator/signing.py, Python's hmac); a small HTTP receiver in
  this process captures each POST exactly as it arrived (request target from the request line,
  raw body bytes, the three x-mutationengine-* headers) and the library verifies it;
- signed here: `py_sign` below is a third, independent implementation of contract section 8
  (api-contract.md), used to build callbacks with precisely chosen headers, and to check
  oreg_callback_sign against.

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so of this
repository (run `make dist` first).
"""
from __future__ import annotations

import base64
import ctypes
import glob
import hashlib
import hmac
import http.server
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oreg_ctypes import Status, last_error
from simulator import launch, terminate

TESTS_DIR = Path(__file__).resolve().parent

OK = Status.OREG_OK
MISUSE = Status.OREG_ERR_MISUSE
JSON_ERROR = Status.OREG_ERR_JSON
IO = Status.OREG_ERR_IO
MISSING = Status.OREG_ERR_HEADER_MISSING
MALFORMED = Status.OREG_ERR_HEADER_MALFORMED
SIGNATURE = Status.OREG_ERR_SIGNATURE
TOO_OLD = Status.OREG_ERR_TOO_OLD
TOO_NEW = Status.OREG_ERR_TOO_NEW
REPLAYED = Status.OREG_ERR_REPLAYED

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

# Distinctive secrets, so that a leak of any of them into a message is found.
SIM_DEFAULT_SECRET = "sim-signing-secret-0123456789abcdef"     # the simulator's default
ROTATE_OLD = "rotation-old-secret-Tq8Vz2Lp5Wk7"
ROTATE_NEW = "rotation-new-secret-Hm3Yc9Rb4Nd6"
SECRET = "verifier-test-secret-Gx5Jq2Wn8Pf4"
OTHER_SECRET = "verifier-other-secret-Zs7Kd1Lt3Bv9"
WRONG_SECRET = "verifier-wrong-secret-Ue6Mh4Xa2Rc8"
SHORT_SECRET = "Sh0rt-Qz7Xk2Wm"                               # 14 bytes
SECRETS = (SIM_DEFAULT_SECRET, ROTATE_OLD, ROTATE_NEW, SECRET, OTHER_SECRET, WRONG_SECRET, SHORT_SECRET)

API_KEY = "verifier-test-api-key-Rw4Nc8Ha"
SIM_ARGS = ["--api-key", API_KEY, "--queue-delay-ms", "300", "--rate-limit", "0",
            "--callback-backoff-ms", "50", "--callback-timeout-ms", "3000", "--callback-attempts", "3"]
CLIENT_RETRY = {"baseDelayMs": 10, "maxDelayMs": 50, "jitterSeed": 1}
CLIENT_TIMEOUTS = {"connectMs": 2000, "requestMs": 5000, "deadlineMs": 30000}
CALLBACK_TARGET = "/hooks/x?site=3&a=%20b"

TS = "1767225600"                   # 2026-01-01T00:00:00Z
TS_INT = int(TS)
NONCE = "nonce-Abc_123-xyz-0123456789"
PATH = "/hooks/onderwijsregio?site=3&a=%20b"
BODY = (b'{"mutationId":"mut_0123456789abcdef01234567","idempotencyKey":"k-1","operation":'
        b'"candidate.create","status":"succeeded","resource":{"type":"candidate","ids":["rec1"]},'
        b'"error":null,"completedAt":"2026-01-01T00:00:00.000Z"}')
NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
SENTINEL = 0xDEADBEEF


# --- an independent implementation of contract section 8 ----------------------------------------


def raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def py_mac(secret: str | bytes, timestamp: str | bytes, nonce: str | bytes, path: str | bytes,
           body: bytes) -> bytes:
    message = raw(timestamp) + b"\n" + raw(nonce) + b"\n" + raw(path) + b"\n" + body
    return hmac.new(raw(secret), message, hashlib.sha256).digest()


def py_sign(secret: str | bytes, timestamp: str | bytes, nonce: str | bytes, path: str | bytes,
            body: bytes) -> str:
    """The x-mutationengine-signature value: "v2=" + standard base64 with padding."""
    return "v2=" + base64.b64encode(py_mac(secret, timestamp, nonce, path, body)).decode("ascii")


def b64(value: str) -> str:
    """The base64 part of a "v2=..." entry."""
    assert value.startswith("v2=")
    return value[3:]


# --- the library's side -------------------------------------------------------------------------


def arg(value: str | bytes | None) -> bytes | None:
    return None if value is None else raw(value)


def assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a signing secret appears in {where}: {text[:500]}"


class Result:
    def __init__(self, what: str, status: int, error: dict, elapsed: float = 0.0):
        self.what = what
        self.status = status
        self.error = error
        self.elapsed = elapsed
        assert_no_secret(json.dumps(error), f"oreg_last_error() after {what}")

    def name(self) -> str:
        try:
            return Status(self.status).name
        except ValueError:
            return str(self.status)

    def describe(self) -> str:
        return f"{self.what} -> {self.name()}; last error {json.dumps(self.error)[:400]}"

    def expect(self, *allowed: Status) -> Result:
        assert self.status in allowed, f"expected {'/'.join(s.name for s in allowed)}: {self.describe()}"
        if self.status < 0:
            assert self.error["status"] == self.status, f"last error does not describe it: {self.describe()}"
            assert self.error["name"] == Status(self.status).name, self.describe()
            assert isinstance(self.error.get("message"), str) and self.error["message"], self.describe()
        return self


class Verifier:
    def __init__(self, lib: ctypes.CDLL, handle: int):
        self.lib = lib
        self.handle = ctypes.c_void_p(handle)

    def verify(self, path: str | bytes | None = PATH, body: bytes | None = BODY,
               timestamp: str | bytes | None = TS, nonce: str | bytes | None = NONCE,
               signature: str | bytes | None = None, now: int = TS_INT, *,
               length: int | None = None) -> Result:
        size = len(body or b"") if length is None else length
        args = (arg(path), body, size, arg(timestamp), arg(nonce), arg(signature), now)
        started = time.perf_counter()
        status = self.lib.oreg_verifier_verify(self.handle, *args)
        elapsed = time.perf_counter() - started
        return Result("oreg_verifier_verify", status, last_error(self.lib), elapsed)

    def check(self, callback: Callback, now: int | None = None) -> Result:
        return self.verify(callback.path, callback.body, callback.timestamp, callback.nonce,
                           callback.signature, int(callback.timestamp) if now is None else now)

    def free(self) -> None:
        if self.handle.value is not None:
            self.lib.oreg_verifier_free(self.handle)
            self.handle = ctypes.c_void_p()


def new_verifier(lib: ctypes.CDLL, options: Any) -> tuple[Result, Verifier | None]:
    text = options if isinstance(options, (bytes, type(None))) else json.dumps(options).encode("utf-8")
    handle = ctypes.c_void_p(SENTINEL)
    status = lib.oreg_verifier_new(text, ctypes.byref(handle))
    result = Result("oreg_verifier_new", status, last_error(lib))
    assert handle.value != SENTINEL, f"oreg_verifier_new never set out ({result.describe()})"
    if status != OK:
        assert handle.value is None, f"oreg_verifier_new failed but out is {handle.value:#x}"
        return result, None
    assert handle.value is not None, "oreg_verifier_new: OREG_OK but out is NULL"
    return result, Verifier(lib, handle.value)


@pytest.fixture
def make_verifier(lib: ctypes.CDLL) -> Iterator[Any]:
    """make_verifier(secrets..., **options): a verifier (freed after the test)."""
    made: list[Verifier] = []

    def make(*secrets: str, **options: Any) -> Verifier:
        result, verifier = new_verifier(lib, {"secrets": list(secrets or (SECRET,)), **options})
        result.expect(OK)
        assert verifier is not None
        made.append(verifier)
        return verifier

    yield make
    for verifier in made:
        verifier.free()


def lib_sign(lib: ctypes.CDLL, secret: str | bytes | None, path: str | bytes | None = PATH,
             body: bytes | None = BODY, timestamp: str | bytes | None = TS,
             nonce: str | bytes | None = NONCE, *, length: int | None = None) -> tuple[Result, str | None]:
    size = len(body or b"") if length is None else length
    out = ctypes.c_void_p(SENTINEL)
    status = lib.oreg_callback_sign(arg(secret), arg(path), body, size, arg(timestamp), arg(nonce),
                                    ctypes.byref(out))
    result = Result("oreg_callback_sign", status, last_error(lib))
    assert out.value != SENTINEL, f"oreg_callback_sign never set its out-parameter ({result.describe()})"
    if status != OK:
        assert out.value is None, f"oreg_callback_sign failed but returned a buffer ({result.describe()})"
        return result, None
    assert out.value is not None
    try:
        value = ctypes.string_at(out.value).decode("utf-8")
    finally:
        lib.oreg_free(out)
    assert_no_secret(value, "the output of oreg_callback_sign")
    return result, value


class Callback:
    """One callback as received: request target, raw body and the three header values."""

    def __init__(self, path: str, body: bytes, timestamp: str | None, nonce: str | None,
                 signature: str | None):
        self.path = path
        self.body = body
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return (f"Callback({self.path!r}, {self.body[:80]!r}..., ts={self.timestamp!r}, "
                f"nonce={self.nonce!r}, sig={self.signature!r})")


def signed(secret: str = SECRET, *, path: str = PATH, body: bytes = BODY, timestamp: str = TS,
           nonce: str | None = None) -> Callback:
    nonce = nonce or "n" + uuid.uuid4().hex
    return Callback(path, body, timestamp, nonce, py_sign(secret, timestamp, nonce, path, body))


# --- real callbacks: the simulator and a receiver -----------------------------------------------


class Receiver:
    """An HTTP server on loopback that captures every POST exactly as it arrived."""

    def __init__(self) -> None:
        self.callbacks: list[Callback] = []
        self.targets: list[str] = []
        self.changed = threading.Condition()
        self.fail_first: set[str] = set()      # mutationIds whose first delivery gets a 500
        self.failed: set[str] = set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                callback = Callback(self.path, body, self.headers.get("x-mutationengine-timestamp"),
                                    self.headers.get("x-mutationengine-nonce"),
                                    self.headers.get("x-mutationengine-signature"))
                try:
                    mutation = json.loads(body).get("mutationId")
                except ValueError:
                    mutation = None
                status = 200
                with receiver.changed:
                    if mutation in receiver.fail_first and mutation not in receiver.failed:
                        receiver.failed.add(mutation)
                        status = 500
                    receiver.callbacks.append(callback)
                    receiver.targets.append(self.requestline)
                    receiver.changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_TARGET}"

    def wait_for(self, mutation_id: str, count: int = 1, timeout: float = 20) -> list[Callback]:
        def found() -> list[Callback]:
            return [c for c in self.callbacks if c.payload.get("mutationId") == mutation_id]

        with self.changed:
            assert self.changed.wait_for(lambda: len(found()) >= count, timeout), \
                f"{count} callback(s) of {mutation_id} did not arrive: {self.callbacks}"
            return found()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Sim:
    def __init__(self, lib: ctypes.CDLL, signing_secrets: list[str]):
        args = list(SIM_ARGS)
        for secret in signing_secrets:
            args += ["--signing-secret", secret]
        self.process, line = launch(args)
        self.base_url = line
        self.lib = lib
        options = {"baseUrl": line, "apiKey": API_KEY, "retry": CLIENT_RETRY, "timeouts": CLIENT_TIMEOUTS}
        handle = ctypes.c_void_p()
        status = lib.oreg_client_new(json.dumps(options).encode(), ctypes.byref(handle))
        assert status == OK, f"oreg_client_new: {status} {last_error(lib)}"
        self.client = handle

    def submit(self, mutation: str, target: str | None, body: Any, callback_url: str) -> dict:
        data = None if body is None else json.dumps(body).encode()
        options = json.dumps({"callbackUrl": callback_url}).encode()
        out = ctypes.c_void_p()
        status = self.lib.oreg_client_submit(self.client, mutation.encode(), arg(target), data,
                                             len(data or b""), options, ctypes.byref(out))
        assert status == OK, f"oreg_client_submit({mutation}, {target}): {status} {last_error(self.lib)}"
        try:
            return json.loads(ctypes.string_at(out.value))
        finally:
            self.lib.oreg_free(out)

    def stop(self) -> None:
        self.lib.oreg_client_free(self.client)
        terminate(self.process)


def new_candidate() -> dict:
    return {"email": f"callback-{uuid.uuid4().hex[:12]}@example.nl", "firstName": "Call",
            "lastName": "Back", "privacyConsent": True}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def sim_default(lib: ctypes.CDLL) -> Iterator[Sim]:
    """A simulator with its default signing secret."""
    sim = Sim(lib, [])
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def sim_rotating(lib: ctypes.CDLL) -> Iterator[Sim]:
    """A simulator in key rotation: every callback carries one v2= entry per secret."""
    sim = Sim(lib, [ROTATE_OLD, ROTATE_NEW])
    yield sim
    sim.stop()


def real_callbacks(sim: Sim, receiver: Receiver) -> list[Callback]:
    """Three creates (the first delivered twice: its first attempt gets a 500), then a delete
    and an update of the same candidate queued behind it, so that the update fails. Returns
    every delivery received."""
    first = sim.submit("candidates.create", None, [new_candidate()], receiver.url)
    receiver.fail_first.add(first["mutationId"])
    others = [sim.submit("candidates.create", None, [new_candidate()], receiver.url) for _ in range(2)]
    deliveries = receiver.wait_for(first["mutationId"], count=2)
    assert deliveries[0].body == deliveries[1].body, "a redelivery must carry the same body bytes"
    assert deliveries[0].nonce != deliveries[1].nonce, "a redelivery must carry a fresh nonce"
    for accepted in others:
        deliveries += receiver.wait_for(accepted["mutationId"])
    created = deliveries[-1].payload
    assert created["status"] == "succeeded", created
    candidate_id = created["resource"]["ids"][0]
    deleted = sim.submit("candidates.delete", candidate_id, None, receiver.url)
    updated = sim.submit("candidates.update", candidate_id, {"phase": "employed"}, receiver.url)
    deliveries += receiver.wait_for(deleted["mutationId"])
    failed = receiver.wait_for(updated["mutationId"])
    assert failed[0].payload["status"] == "failed", failed[0].payload
    deliveries += failed
    for callback in deliveries:
        assert callback.path == CALLBACK_TARGET, f"the receiver saw another target: {callback.path!r}"
    return deliveries


@pytest.fixture(scope="module")
def captured(sim_default: Sim, receiver: Receiver) -> Callback:
    """One genuine callback of the simulator, as received."""
    accepted = sim_default.submit("candidates.create", None, [new_candidate()], receiver.url)
    callback = receiver.wait_for(accepted["mutationId"])[0]
    assert callback.timestamp and callback.nonce and callback.signature, callback
    return callback


# --- real callbacks -------------------------------------------------------------------------------


def test_real_callbacks_verify(make_verifier: Any, sim_default: Sim, receiver: Receiver) -> None:
    deliveries = real_callbacks(sim_default, receiver)
    assert len(deliveries) >= 6
    assert {c.payload["status"] for c in deliveries} == {"succeeded", "failed"}
    verifier = make_verifier(SIM_DEFAULT_SECRET)                # in-memory replay store
    for callback in deliveries:
        # now = 0: the system clock (the callbacks were signed seconds ago).
        verifier.check(callback, now=0).expect(OK)
    for callback in deliveries:
        verifier.check(callback, now=0).expect(REPLAYED)
    make_verifier(WRONG_SECRET).check(deliveries[0], now=0).expect(SIGNATURE)
    # The target exactly as it was on the request line, not decoded.
    decoded = urllib.parse.unquote(CALLBACK_TARGET)
    make_verifier(SIM_DEFAULT_SECRET).check(
        Callback(decoded, deliveries[0].body, deliveries[0].timestamp, deliveries[0].nonce,
                 deliveries[0].signature), now=0).expect(SIGNATURE)
    # The body as received, not re-serialised.
    reserialised = json.dumps(deliveries[0].payload).encode()
    assert reserialised != deliveries[0].body
    make_verifier(SIM_DEFAULT_SECRET).check(
        Callback(deliveries[0].path, reserialised, deliveries[0].timestamp, deliveries[0].nonce,
                 deliveries[0].signature), now=0).expect(SIGNATURE)


def test_real_callbacks_key_rotation(make_verifier: Any, sim_rotating: Sim, receiver: Receiver) -> None:
    deliveries = real_callbacks(sim_rotating, receiver)
    for callback in deliveries:
        assert callback.signature is not None and len(callback.signature.split(" ")) == 2, callback
    old, new = make_verifier(ROTATE_OLD), make_verifier(ROTATE_NEW)
    both = make_verifier(WRONG_SECRET, ROTATE_NEW)
    wrong = make_verifier(WRONG_SECRET, replayStore=False)
    for callback in deliveries:
        old.check(callback, now=0).expect(OK)
        new.check(callback, now=0).expect(OK)
        both.check(callback, now=0).expect(OK)
        wrong.check(callback, now=0).expect(SIGNATURE)
        # Either entry alone verifies too.
        first, second = callback.signature.split(" ")
        for entry, secret in ((first, ROTATE_OLD), (second, ROTATE_NEW)):
            make_verifier(secret, replayStore=False).check(
                Callback(callback.path, callback.body, callback.timestamp, callback.nonce, entry),
                now=0).expect(OK)


# --- any single changed byte fails ----------------------------------------------------------------


def flipped(text: str | bytes, position: int, mask: int) -> bytes:
    data = bytearray(raw(text))
    data[position] ^= mask
    return bytes(data)


def test_genuine_callback_verifies_repeatedly(make_verifier: Any, captured: Callback) -> None:
    verifier = make_verifier(SIM_DEFAULT_SECRET, replayStore=False)
    for _ in range(3):
        verifier.check(captured).expect(OK)


@pytest.mark.parametrize("mask", [0x01, 0x80, 0x20])
def test_flipping_a_byte_of_the_target(make_verifier: Any, captured: Callback, mask: int) -> None:
    verifier = make_verifier(SIM_DEFAULT_SECRET, replayStore=False)
    target = captured.path.encode()
    assert b"?" in target
    for position in range(len(target)):
        path = flipped(target, position, mask)
        result = verifier.verify(path, captured.body, captured.timestamp, captured.nonce,
                                 captured.signature, int(captured.timestamp))
        where = f"target byte {position} ^ {mask:#x} ({path!r})"
        assert result.status != OK, f"{where}: accepted"
        if position == 0 or mask == 0x80:
            result.expect(SIGNATURE, MISUSE)      # no longer starts with "/", or not UTF-8
        else:
            result.expect(SIGNATURE)
    verifier.check(captured).expect(OK)


@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_flipping_a_byte_of_the_body(make_verifier: Any, captured: Callback, mask: int) -> None:
    verifier = make_verifier(SIM_DEFAULT_SECRET, replayStore=False)
    body = captured.body
    positions = sorted(set(range(len(body))) if len(body) <= 4096 else
                       {0, len(body) - 1, *range(0, len(body), max(1, len(body) // 128))})
    assert len(positions) >= 64 and positions[0] == 0 and positions[-1] == len(body) - 1
    for position in positions:
        result = verifier.verify(captured.path, flipped(body, position, mask), captured.timestamp,
                                 captured.nonce, captured.signature, int(captured.timestamp))
        assert result.status != OK, f"body byte {position} ^ {mask:#x}: accepted"
        result.expect(SIGNATURE)
    # One byte more or less.
    for changed in (body[:-1], body + b" ", b" " + body, body + b"\x00", body[1:]):
        verifier.verify(captured.path, changed, captured.timestamp, captured.nonce,
                        captured.signature, int(captured.timestamp)).expect(SIGNATURE)


@pytest.mark.parametrize("header", ["timestamp", "nonce", "signature"])
@pytest.mark.parametrize("mask", [0x01, 0x02, 0x80])
def test_flipping_a_byte_of_a_header(make_verifier: Any, captured: Callback, header: str, mask: int) -> None:
    verifier = make_verifier(SIM_DEFAULT_SECRET, replayStore=False)
    value = getattr(captured, header).encode()
    for position in range(len(value)):
        headers = {"timestamp": captured.timestamp, "nonce": captured.nonce, "signature": captured.signature}
        headers[header] = flipped(value, position, mask)
        result = verifier.verify(captured.path, captured.body, headers["timestamp"], headers["nonce"],
                                 headers["signature"], int(captured.timestamp))
        assert result.status != OK, f"{header} byte {position} ^ {mask:#x} ({headers[header]!r}): accepted"
        result.expect(MALFORMED, SIGNATURE)
    verifier.check(captured).expect(OK)


# --- secrets and options --------------------------------------------------------------------------


def test_wrong_secret_fails(make_verifier: Any) -> None:
    callback = signed(SECRET)
    make_verifier(SECRET, replayStore=False).check(callback).expect(OK)
    result = make_verifier(WRONG_SECRET, replayStore=False).check(callback).expect(SIGNATURE)
    assert WRONG_SECRET not in result.error["message"] and SECRET not in result.error["message"]
    # A secret that differs only in its last byte, or is a prefix of the right one.
    make_verifier(SECRET[:-1] + "X", replayStore=False).check(callback).expect(SIGNATURE)
    make_verifier(SECRET[:-1], replayStore=False).check(callback).expect(SIGNATURE)
    make_verifier(SECRET + "!", replayStore=False).check(callback).expect(SIGNATURE)


def test_secret_is_its_utf8_bytes(make_verifier: Any, lib: ctypes.CDLL) -> None:
    accented = "\u00e9" * 8                     # 8 characters, 16 UTF-8 bytes: long enough
    callback = signed(accented)
    make_verifier(accented, replayStore=False).check(callback).expect(OK)
    result, value = lib_sign(lib, accented, callback.path, callback.body, callback.timestamp, callback.nonce)
    result.expect(OK)
    assert value == callback.signature
    # A NUL inside the secret (only expressible in JSON) is part of the key.
    with_nul = "secret-with-nul-\u0000-inside"
    make_verifier(with_nul, replayStore=False).check(signed(with_nul)).expect(OK)
    make_verifier("secret-with-nul-", replayStore=False).check(signed(with_nul)).expect(SIGNATURE)


@pytest.mark.parametrize("secret", [SHORT_SECRET, "", "0123456789abcde", "\u00e9" * 7 + "x", "\u20ac" * 5])
def test_short_secret_refused(lib: ctypes.CDLL, secret: str) -> None:
    assert len(secret.encode("utf-8")) < 16
    result, verifier = new_verifier(lib, {"secrets": [secret]})
    result.expect(MISUSE)
    assert verifier is None
    if secret:
        assert secret not in json.dumps(result.error, ensure_ascii=False), result.error
    # One short secret among good ones is refused too.
    result, verifier = new_verifier(lib, {"secrets": [SECRET, secret]})
    result.expect(MISUSE)
    assert verifier is None
    result, value = lib_sign(lib, secret)
    result.expect(MISUSE)
    assert value is None


def test_sixteen_byte_secret_accepted(make_verifier: Any, lib: ctypes.CDLL) -> None:
    secret = "0123456789abcdef"
    make_verifier(secret, replayStore=False).check(signed(secret)).expect(OK)
    result, value = lib_sign(lib, secret)
    result.expect(OK)
    assert value == py_sign(secret, TS, NONCE, PATH, BODY)


@pytest.mark.parametrize("options", [
    {}, {"secrets": []}, {"secrets": None}, {"secrets": SECRET}, {"secrets": [5]}, {"secrets": [None]},
    {"secrets": [SECRET] * 17},
    {"secrets": [SECRET], "secret": SECRET},
    {"secrets": [SECRET], "tolerance": 5},
    {"secrets": [SECRET], "toleranceSeconds": 0},
    {"secrets": [SECRET], "toleranceSeconds": -1},
    {"secrets": [SECRET], "toleranceSeconds": 86401},
    {"secrets": [SECRET], "toleranceSeconds": 1.5},
    {"secrets": [SECRET], "toleranceSeconds": "300"},
    {"secrets": [SECRET], "replayStore": True},
    {"secrets": [SECRET], "replayStore": "memory"},
    {"secrets": [SECRET], "replayStore": {"file": "/tmp/x.db"}},
    {"secrets": [SECRET], "replayStore": {"path": ""}},
    {"secrets": [SECRET], "replayStore": {"path": 5}},
    {"secrets": [SECRET], "replayStore": {"maxEntries": 0}},
    {"secrets": [SECRET], "replayStore": {"maxEntries": -5}},
    {"secrets": [SECRET], "replayStore": {"maxEntries": "10"}},
    [SECRET], "secrets", None,
], ids=lambda o: json.dumps(o)[:60])
def test_bad_options_refused(lib: ctypes.CDLL, options: Any) -> None:
    text = b"null" if options is None else None
    result, verifier = new_verifier(lib, text if text is not None else options)
    result.expect(MISUSE)
    assert verifier is None


def test_options_edge_cases(lib: ctypes.CDLL, make_verifier: Any, tmp_path: Path) -> None:
    result, verifier = new_verifier(lib, None)
    result.expect(MISUSE)
    result, verifier = new_verifier(lib, b'{"secrets": [')
    result.expect(JSON_ERROR)
    assert verifier is None
    assert lib.oreg_verifier_new(json.dumps({"secrets": [SECRET]}).encode(), None) == MISUSE
    make_verifier(*[f"{SECRET}-{i:02d}" for i in range(16)])   # 16 secrets: the maximum
    make_verifier(SECRET, toleranceSeconds=1)
    make_verifier(SECRET, toleranceSeconds=86400)
    make_verifier(SECRET, replayStore={"maxEntries": 1})
    make_verifier(SECRET, replayStore={"path": str(tmp_path / "r.db"), "maxEntries": 10})
    lib.oreg_verifier_free(None)                 # allowed, does nothing


def test_error_text_never_contains_a_secret(lib: ctypes.CDLL, make_verifier: Any) -> None:
    """Result() checks every message for every secret; here every failure kind is produced
    with secrets that also differ from each other only a little."""
    secrets = [SECRET, OTHER_SECRET]
    verifier = make_verifier(*secrets, replayStore=False)
    callback = signed(WRONG_SECRET)
    for result in (
        verifier.check(callback),
        verifier.check(callback, now=TS_INT + 10_000),
        verifier.verify(signature="v2=" + "A" * 43),
        verifier.verify(timestamp="x"), verifier.verify(nonce="x"), verifier.verify(signature=None),
        verifier.verify(path="nope", signature=callback.signature),
        new_verifier(lib, {"secrets": [SECRET, SHORT_SECRET]})[0],
        new_verifier(lib, {"secrets": [SECRET], "unknownOption": SECRET})[0],
        new_verifier(lib, {"secrets": [SECRET, 5]})[0],
        new_verifier(lib, {"secrets": [SECRET] * 17})[0],
        lib_sign(lib, SHORT_SECRET)[0],
        lib_sign(lib, SECRET, timestamp="x")[0],
    ):
        assert result.status < 0, result.describe()
        text = json.dumps(result.error, ensure_ascii=False)
        for secret in (*secrets, WRONG_SECRET, SHORT_SECRET):
            assert secret not in text, f"{result.describe()} shows a secret"


# --- the tolerance window ----------------------------------------------------------------------


@pytest.mark.parametrize("tolerance", [None, 1, 5, 300, 3600, 86400])
def test_window_edges(make_verifier: Any, tolerance: int | None) -> None:
    options = {"replayStore": False}
    if tolerance is not None:
        options["toleranceSeconds"] = tolerance
    window = 300 if tolerance is None else tolerance
    verifier = make_verifier(SECRET, **options)
    callback = signed()
    for now in (TS_INT, TS_INT - window, TS_INT + window, TS_INT + window // 2):
        verifier.check(callback, now=now).expect(OK)
    verifier.check(callback, now=TS_INT + window + 1).expect(TOO_OLD)
    verifier.check(callback, now=TS_INT - window - 1).expect(TOO_NEW)
    verifier.check(callback, now=TS_INT + 10 * window + 7).expect(TOO_OLD)
    verifier.check(callback, now=TS_INT - 10 * window - 7).expect(TOO_NEW)


def test_window_uses_system_clock_when_now_is_zero(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET, replayStore=False, toleranceSeconds=60)
    now = int(time.time())
    verifier.check(signed(timestamp=str(now)), now=0).expect(OK)
    verifier.check(signed(timestamp=str(now - 600)), now=0).expect(TOO_OLD)
    verifier.check(signed(timestamp=str(now + 600)), now=0).expect(TOO_NEW)


def test_extreme_clocks(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET, replayStore=False)
    callback = signed()
    verifier.check(callback, now=INT64_MIN).expect(TOO_NEW)
    verifier.check(callback, now=INT64_MAX).expect(TOO_OLD)
    verifier.check(callback, now=-1).expect(TOO_NEW)
    for timestamp in ("1", str(INT64_MAX)):
        extreme = signed(timestamp=timestamp)
        verifier.check(extreme, now=INT64_MIN).expect(TOO_NEW)
        verifier.check(extreme, now=INT64_MAX).expect(OK if timestamp == str(INT64_MAX) else TOO_OLD)
        verifier.check(extreme, now=int(timestamp)).expect(OK)
    for store in ({}, {"replayStore": {"maxEntries": 10}}):
        remembering = make_verifier(SECRET, **store)
        remembering.check(signed(), now=INT64_MIN).expect(TOO_NEW)
        remembering.check(signed(), now=INT64_MAX).expect(TOO_OLD)
        remembering.check(signed(timestamp=str(INT64_MAX)), now=INT64_MAX).expect(OK)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_replay_detected_at_the_largest_clock(make_verifier: Any, tmp_path: Path, store: str) -> None:
    """A callback accepted at now = INT64_MAX (expiry saturates at INT64_MAX) must still be
    refused when replayed at the same instant."""
    options = {"replayStore": {"path": str(tmp_path / "replay.db")}} if store == "sqlite" else {}
    verifier = make_verifier(SECRET, **options)
    near = signed(timestamp=str(INT64_MAX - 100))
    verifier.check(near, now=INT64_MAX - 100).expect(OK)
    verifier.check(near, now=INT64_MAX - 50).expect(REPLAYED)
    late = signed(timestamp=str(INT64_MAX))
    verifier.check(late, now=INT64_MAX).expect(OK)
    verifier.check(late, now=INT64_MAX).expect(REPLAYED)


def test_checks_run_in_the_documented_order(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET, replayStore=False)
    forged = signed(WRONG_SECRET)
    # A forged callback outside the window is a signature failure, not a window one.
    verifier.check(forged, now=TS_INT + 100_000).expect(SIGNATURE)
    # A missing header comes before a malformed one.
    verifier.verify(timestamp="x", nonce=None, signature="v2=" + "A" * 43).expect(MISSING)
    verifier.verify(timestamp="x", nonce=NONCE, signature=forged.signature).expect(MALFORMED)


# --- replay protection ------------------------------------------------------------------------


def test_replay_in_memory(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET)
    callbacks = [signed() for _ in range(20)]
    for callback in callbacks:
        verifier.check(callback).expect(OK)
    for callback in callbacks:
        verifier.check(callback).expect(REPLAYED)
        verifier.check(callback, now=TS_INT + 250).expect(REPLAYED)
    # Another verifier has its own memory.
    make_verifier(SECRET).check(callbacks[0]).expect(OK)
    # replayStore false: no memory at all.
    forgetful = make_verifier(SECRET, replayStore=False)
    for _ in range(3):
        forgetful.check(callbacks[0]).expect(OK)


def test_nonce_recorded_only_when_everything_else_passed(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET)
    nonce = "only-after-all-checks-0001"
    verifier.check(signed(WRONG_SECRET, nonce=nonce)).expect(SIGNATURE)
    genuine = signed(nonce=nonce)
    verifier.check(genuine, now=TS_INT + 301).expect(TOO_OLD)
    verifier.check(genuine, now=TS_INT - 301).expect(TOO_NEW)
    verifier.check(genuine).expect(OK)
    verifier.check(genuine).expect(REPLAYED)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_replay_window_is_twice_the_tolerance(make_verifier: Any, tmp_path: Path, store: str) -> None:
    options: dict = {"toleranceSeconds": 100}
    if store == "sqlite":
        options["replayStore"] = {"path": str(tmp_path / "replay.db")}
    verifier = make_verifier(SECRET, **options)
    nonce = "replay-window-nonce-0001"
    verifier.check(signed(nonce=nonce, timestamp=str(TS_INT)), now=TS_INT).expect(OK)
    # The same nonce with a fresh, validly signed timestamp inside twice the tolerance: a replay.
    for later in (1, 100, 199):
        again = signed(nonce=nonce, timestamp=str(TS_INT + later))
        verifier.check(again, now=TS_INT + later).expect(REPLAYED)
    # Well after twice the tolerance the nonce may be forgotten.
    verifier.check(signed(nonce=nonce, timestamp=str(TS_INT + 201)), now=TS_INT + 201).expect(OK)


CHILD = textwrap.dedent("""
    import ctypes, json, os, sys, time
    sys.path.insert(0, {tests!r})
    from oreg_ctypes import load_library
    job = json.loads(sys.stdin.read())
    lib = load_library()
    while time.time() < job.get("openAt", 0):
        time.sleep(0.0005)
    handle = ctypes.c_void_p()
    status = lib.oreg_verifier_new(json.dumps(job["options"]).encode(), ctypes.byref(handle))
    if status != 0:
        print(json.dumps({{"new": status, "error": lib.oreg_last_error().decode()}}))
        sys.exit(0)
    while time.time() < job.get("startAt", 0):
        time.sleep(0.001)
    statuses = []
    for c in job["callbacks"]:
        body = c["body"].encode()
        statuses.append(lib.oreg_verifier_verify(handle, c["path"].encode(), body, len(body),
                        c["timestamp"].encode(), c["nonce"].encode(), c["signature"].encode(), c["now"]))
    lib.oreg_verifier_free(handle)
    print(json.dumps({{"new": 0, "statuses": statuses}}))
""").format(tests=str(TESTS_DIR))


def child_job(options: dict, callbacks: list[Callback], start_at: float = 0) -> dict:
    return {"options": options, "startAt": start_at,
            "callbacks": [{"path": c.path, "body": c.body.decode(), "timestamp": c.timestamp,
                           "nonce": c.nonce, "signature": c.signature, "now": int(c.timestamp)}
                          for c in callbacks]}


def start_child(job: dict) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdin is not None
    process.stdin.write(json.dumps(job))
    process.stdin.close()
    process.stdin = None          # written: communicate() only reads
    return process


def child_result(process: subprocess.Popen) -> list[int]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, f"child failed ({process.returncode}): {err[-2000:]}"
    answer = json.loads(out)
    assert answer["new"] == 0, f"oreg_verifier_new failed in the child: {answer}"
    return answer["statuses"]


def test_replay_across_processes(tmp_path: Path) -> None:
    store = tmp_path / "replay.db"
    options = {"secrets": [SECRET], "replayStore": {"path": str(store)}}
    callbacks = [signed() for _ in range(3)]
    assert child_result(start_child(child_job(options, callbacks))) == [OK] * 3
    assert child_result(start_child(child_job(options, callbacks))) == [REPLAYED] * 3
    assert child_result(start_child(child_job(options, callbacks + [signed()]))) == [REPLAYED] * 3 + [OK]
    mode = stat.S_IMODE(store.stat().st_mode)
    assert mode == 0o600, f"the replay store was created {oct(mode)}, not 0600"


def test_replay_store_shared_with_this_process(make_verifier: Any, tmp_path: Path) -> None:
    store = str(tmp_path / "replay.db")
    first = make_verifier(SECRET, replayStore={"path": store})
    second = make_verifier(SECRET, replayStore={"path": store})
    callback = signed()
    first.check(callback).expect(OK)
    second.check(callback).expect(REPLAYED)
    first.check(callback).expect(REPLAYED)
    assert child_result(start_child(child_job({"secrets": [SECRET], "replayStore": {"path": store}},
                                              [callback]))) == [REPLAYED]


def test_replay_concurrent_processes(tmp_path: Path) -> None:
    store = tmp_path / "replay.db"
    options = {"secrets": [SECRET], "replayStore": {"path": str(store)}}
    callbacks = [signed() for _ in range(50)]
    start_at = time.time() + 1.5           # every child loads the library first, then all start
    children = []
    for index in range(4):
        order = list(callbacks)
        if index % 2:
            random.Random(index).shuffle(order)
        children.append((order, start_child(child_job(options, order, start_at))))
    accepted: dict[str, int] = {c.nonce: 0 for c in callbacks}
    for order, process in children:
        statuses = child_result(process)
        assert len(statuses) == 50
        assert set(statuses) <= {OK, REPLAYED}, f"unexpected statuses: {sorted(set(statuses))}"
        for callback, status in zip(order, statuses):
            accepted[callback.nonce] += status == OK
    wrong = {nonce: count for nonce, count in accepted.items() if count != 1}
    assert not wrong, f"nonces not accepted exactly once: {wrong}"


def concurrent_round(store: Path, processes: int, callbacks: list[Callback]) -> tuple[list[str], dict[str, int]]:
    """`processes` children open the store at the same instant, then verify `callbacks`:
    (the failures of oreg_verifier_new, how often each nonce was accepted)."""
    job = child_job({"secrets": [SECRET], "replayStore": {"path": str(store)}}, callbacks)
    job["openAt"] = time.time() + 0.8
    job["startAt"] = job["openAt"] + 0.3
    children = [start_child(job) for _ in range(processes)]
    failures: list[str] = []
    accepted = {c.nonce: 0 for c in callbacks}
    for process in children:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-2000:]
        answer = json.loads(out)
        if answer["new"] != 0:
            failures.append(answer["error"])
            continue
        assert set(answer["statuses"]) <= {OK, REPLAYED}, answer["statuses"]
        for callback, status in zip(callbacks, answer["statuses"]):
            accepted[callback.nonce] += status == OK
    return failures, accepted


def test_concurrent_first_open_of_a_new_store(tmp_path: Path) -> None:
    """PHP-FPM workers starting together on a host without a store yet: every one gets a
    verifier, and they share one store."""
    for round_ in range(6):
        store = tmp_path / f"round-{round_}" / "replay.db"
        store.parent.mkdir()
        failures, accepted = concurrent_round(store, 8, [signed() for _ in range(20)])
        assert not failures, f"round {round_}: oreg_verifier_new failed in {len(failures)} of 8: {failures[0]}"
        counts = sorted(accepted.values())
        assert counts == [1] * 20, (f"round {round_}: nonces not accepted exactly once (times accepted: "
                                    f"{counts}); files: {sorted(os.listdir(store.parent))}")


def test_corrupt_store_recovered_by_concurrent_processes(tmp_path: Path) -> None:
    """Workers that find the same corrupt store together: every one gets a verifier, they end
    up sharing one new store (no nonce accepted twice), and the junk is kept."""
    problems = []
    for round_ in range(4):
        store = tmp_path / f"round-{round_}" / "replay.db"
        store.parent.mkdir()
        junk = b"junk of round %d\n" % round_ * 500
        store.write_bytes(junk)
        failures, accepted = concurrent_round(store, 6, [signed() for _ in range(20)])
        twice = sum(1 for count in accepted.values() if count > 1)
        if failures:
            problems.append(f"round {round_}: oreg_verifier_new failed in {len(failures)} of 6: {failures[0]}")
        if twice:
            problems.append(f"round {round_}: {twice} of 20 nonces accepted more than once (the processes "
                            f"ended up on different store files)")
        kept = [Path(p).read_bytes() == junk for p in glob.glob(str(store) + ".corrupt-*")]
        if not any(kept):
            problems.append(f"round {round_}: the corrupt file is not kept: {os.listdir(store.parent)}")
    assert not problems, "\n".join(problems)


def test_two_corrupt_files_are_both_kept(make_verifier: Any, tmp_path: Path) -> None:
    """A store found corrupt twice (within the same second) keeps both corrupt files aside."""
    store = tmp_path / "replay.db"
    junks = [b"first junk\n" * 300, b"second junk\n" * 300]
    for junk in junks:
        for leftover in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
            leftover.unlink(missing_ok=True)
        store.write_bytes(junk)
        verifier = make_verifier(SECRET, replayStore={"path": str(store)})
        verifier.check(signed()).expect(OK)
        verifier.free()
    kept = sorted(Path(p).read_bytes() for p in glob.glob(str(store) + ".corrupt-*"))
    assert kept == sorted(junks), f"kept aside: {os.listdir(tmp_path)}"


def test_replay_concurrent_threads(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET)
    callbacks = [signed() for _ in range(50)]
    results: list[list[int]] = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def run(index: int) -> None:
        barrier.wait()
        for callback in callbacks:
            results[index].append(verifier.check(callback).status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for i, callback in enumerate(callbacks):
        statuses = [r[i] for r in results]
        assert sorted(statuses) == sorted([OK] + [REPLAYED] * 7), f"{callback.nonce}: {statuses}"


@pytest.mark.parametrize("junk", [b"this is not an SQLite database\n" * 200, os.urandom(4096), b"x"],
                         ids=["text", "random", "one-byte"])
def test_corrupt_store_is_moved_aside(make_verifier: Any, tmp_path: Path, junk: bytes) -> None:
    store = tmp_path / "replay.db"
    store.write_bytes(junk)
    verifier = make_verifier(SECRET, replayStore={"path": str(store)})
    callback = signed()
    verifier.check(callback).expect(OK)
    verifier.check(callback).expect(REPLAYED)
    aside = glob.glob(str(store) + ".corrupt-*")
    assert len(aside) == 1, f"the corrupt file was not kept aside: {os.listdir(tmp_path)}"
    assert Path(aside[0]).read_bytes() == junk
    assert store.exists() and store.read_bytes() != junk
    # The new store works across processes too.
    assert child_result(start_child(child_job({"secrets": [SECRET], "replayStore": {"path": str(store)}},
                                              [callback]))) == [REPLAYED]


def test_foreign_database_is_not_written(make_verifier: Any, tmp_path: Path) -> None:
    store = tmp_path / "replay.db"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE users(name TEXT)")
        db.execute("INSERT INTO users VALUES ('someone')")
    db.close()
    verifier = make_verifier(SECRET, replayStore={"path": str(store)})
    verifier.check(signed()).expect(OK)
    aside = glob.glob(str(store) + ".corrupt-*")
    assert len(aside) == 1, os.listdir(tmp_path)
    with sqlite3.connect(aside[0]) as db:
        assert db.execute("SELECT name FROM users").fetchall() == [("someone",)]
    db.close()


def test_store_that_cannot_be_opened(lib: ctypes.CDLL, tmp_path: Path) -> None:
    for path in (tmp_path / "missing-dir" / "replay.db", tmp_path):
        result, verifier = new_verifier(lib, {"secrets": [SECRET], "replayStore": {"path": str(path)}})
        result.expect(IO)
        assert verifier is None


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_max_entries_bound(make_verifier: Any, tmp_path: Path, store: str) -> None:
    path = tmp_path / "replay.db"
    replay: dict = {"maxEntries": 5}
    if store == "sqlite":
        replay["path"] = str(path)
    verifier = make_verifier(SECRET, replayStore=replay)
    callbacks = [signed(timestamp=str(TS_INT + i)) for i in range(300)]
    for callback in callbacks:
        verifier.check(callback).expect(OK)
    # The newest are kept: a replay of the last one is still refused.
    verifier.check(callbacks[-1]).expect(REPLAYED)
    if store == "sqlite":
        with sqlite3.connect(path) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            assert len(tables) == 1, tables
            rows = db.execute(f"SELECT count(*) FROM {tables[0]}").fetchone()[0]
        db.close()
        assert rows < 100, f"{rows} nonces kept with maxEntries 5 after 300 callbacks"


# --- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"\x00", b"a\x00b\x00\x00c", b"\x00" * 1000, bytes(range(256)),
                                  b"\n\n", os.urandom(1 << 20)],
                         ids=["empty", "nul", "nuls", "1000-nuls", "all-bytes", "newlines", "1MB"])
def test_bodies(lib: ctypes.CDLL, make_verifier: Any, body: bytes) -> None:
    nonce = "body-nonce-" + uuid.uuid4().hex
    result, value = lib_sign(lib, SECRET, PATH, body, TS, nonce)
    result.expect(OK)
    expected = py_sign(SECRET, TS, nonce, PATH, body)
    assert value == expected
    verifier = make_verifier(SECRET, replayStore=False)
    verifier.verify(PATH, body, TS, nonce, value).expect(OK)
    verifier.verify(PATH, body, TS, nonce, expected).expect(OK)
    if body:
        # One byte less, or only the part before the first NUL: not the same body.
        verifier.verify(PATH, body, TS, nonce, value, length=len(body) - 1).expect(SIGNATURE)
    if b"\x00" in body:
        verifier.verify(PATH, body.split(b"\x00")[0], TS, nonce, value).expect(SIGNATURE)


def test_empty_body_as_null(lib: ctypes.CDLL, make_verifier: Any) -> None:
    expected = py_sign(SECRET, TS, NONCE, PATH, b"")
    result, value = lib_sign(lib, SECRET, PATH, None, TS, NONCE, length=0)
    result.expect(OK)
    assert value == expected
    verifier = make_verifier(SECRET, replayStore=False)
    verifier.verify(PATH, None, TS, NONCE, expected, length=0).expect(OK)
    verifier.verify(PATH, None, TS, NONCE, expected, length=5).expect(MISUSE)
    lib_sign(lib, SECRET, PATH, None, TS, NONCE, length=5)[0].expect(MISUSE)


# --- header parsing -----------------------------------------------------------------------------


def good() -> str:
    return py_sign(SECRET, TS, NONCE, PATH, BODY)


@pytest.fixture
def verifier(make_verifier: Any) -> Verifier:
    return make_verifier(SECRET, replayStore=False)


def test_genuine_header(verifier: Verifier) -> None:
    verifier.verify(signature=good()).expect(OK)


@pytest.mark.parametrize("header", [
    "garbage {good}", "v2=!!!! {good}", "v1=xxx {good}", "v1=xxx v3=yyy {good}", "{good} v1=xxx",
    "v2= {good}", "v2 {good}", "= {good}", "v2=AAAA {good}", "V2=x {good}",
    "{good}  ", "  {good}", "v1=xxx   {good}",
    "v2={zeros} {good}", "{good} v2={zeros}", "{other} {good}", "{good} {other}",
    "{unpadded}", "v2={zeros} {unpadded}",
    "v2=\u00e9\u00e9\u00e9 {good}", "\u00fc\u00f1\u00ef\u00e7\u00f8d\u00e9 {good}",
], ids=lambda h: h[:40])
def test_signature_header_good_entry_found(verifier: Verifier, header: str) -> None:
    sig = b64(good())
    value = header.format(good=good(), zeros=base64.b64encode(bytes(32)).decode(),
                          other=py_sign(OTHER_SECRET, TS, NONCE, PATH, BODY), unpadded=f"v2={sig.rstrip('=')}")
    verifier.verify(signature=value).expect(OK)


def base64_variants() -> dict[str, str]:
    """Spellings of (almost) the genuine MAC that a strict decoder must refuse."""
    sig = b64(good())
    assert len(sig) == 44 and sig.endswith("=") and not sig.endswith("==")
    digest = base64.b64decode(sig)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(sig[42]) ^ 1]           # the 43rd symbol's unused low bits
    return {
        "double-padding": sig + "=",
        "padding-too-early": sig[:-2] + "==",
        "triple-padding": sig[:-1] + "===",
        "padding-inside": sig[:20] + "=" + sig[21:],
        "star": "*" + sig[1:],
        "dot": sig[:10] + "." + sig[11:],
        "space-inside": sig[:10] + " " + sig[11:],
        "tab-inside": sig[:10] + "\t" + sig[11:],
        "non-ascii": sig[:-2] + "\u00e9=",
        "31-bytes": base64.b64encode(digest[:31]).decode(),
        "33-bytes": base64.b64encode(digest + b"\x00").decode(),
        "64-bytes": base64.b64encode(digest * 2).decode(),
        "empty": "",
        "only-padding": "=" * 44,
        "non-zero-unused-bits": sig[:42] + last + "=",
        "non-zero-unused-bits-unpadded": sig[:42] + last,
        "one-symbol-more": sig[:-1] + "A",
        "one-symbol-less": sig[:-2],
    }


@pytest.mark.parametrize("name", list(base64_variants()))
def test_signature_header_invalid_base64_skipped(verifier: Verifier, name: str) -> None:
    variant = base64_variants()[name]
    verifier.verify(signature="v2=" + variant).expect(MALFORMED)
    # A skipped entry never hides a good one, before or after it.
    verifier.verify(signature=f"v2={variant} {good()}").expect(OK)
    verifier.verify(signature=f"{good()} v2={variant}").expect(OK)


def test_signature_header_unpadded_accepted(verifier: Verifier) -> None:
    verifier.verify(signature=good().rstrip("=")).expect(OK)
    assert good().rstrip("=") != good()


def test_signature_header_url_safe_alphabet_refused(make_verifier: Any) -> None:
    verifier = make_verifier(SECRET, replayStore=False)
    for i in range(1000):
        nonce = f"url-safe-nonce-{i:04d}"
        value = py_sign(SECRET, TS, nonce, PATH, BODY)
        if "+" in value or "/" in value:
            break
    else:
        pytest.fail("no signature with + or / found")
    url_safe = value.replace("+", "-").replace("/", "_")
    verifier.verify(nonce=nonce, signature=value).expect(OK)
    verifier.verify(nonce=nonce, signature=url_safe).expect(MALFORMED)
    verifier.verify(nonce=nonce, signature=url_safe + " " + value).expect(OK)


@pytest.mark.parametrize("header", ["v2=!!!!", "v1=xxx", "v1=" + "A" * 43 + "=", "v3=x v4=y", "garbage",
                                    "   ", "v2", "v2==", "v2=" + "A" * 44, "v2=" + "A" * 45,
                                    "v2\u00e9=x", "\u00e9" * 20],
                         ids=lambda h: h[:20])
def test_signature_header_only_malformed(verifier: Verifier, header: str) -> None:
    verifier.verify(signature=header).expect(MALFORMED)


def test_signature_header_wrong_mac_well_formed(verifier: Verifier) -> None:
    verifier.verify(signature="v2=" + base64.b64encode(bytes(32)).decode()).expect(SIGNATURE)
    verifier.verify(signature="v2=" + base64.b64encode(bytes(32)).decode().rstrip("=")).expect(SIGNATURE)


def test_signature_header_invalid_utf8_entry_skipped(verifier: Verifier) -> None:
    """Contract: malformed entries are skipped, not fatal, so one bad entry cannot hide a good
    one; an entry holding bytes that are not UTF-8 (obs-text, legal in an HTTP header value)
    is such a malformed entry."""
    verifier.verify(signature=b"v2=\xff\xfe\xfd " + good().encode()).expect(OK)
    verifier.verify(signature=good().encode() + b" \xc3").expect(OK)


def test_signature_header_invalid_utf8_alone(verifier: Verifier) -> None:
    verifier.verify(signature=b"v2=\xff\xfe\xfd").expect(MALFORMED)
    verifier.verify(signature=b"\x80" * 50).expect(MALFORMED)


def timed(verifier: Verifier, signature: str | bytes, *allowed: Status, limit: float = 0.05) -> Result:
    result = verifier.verify(signature=signature)
    result.expect(*allowed)
    assert result.elapsed < limit, f"{len(signature)} byte header took {result.elapsed * 1000:.1f} ms"
    return result


def test_huge_signature_header_refused_quickly(make_verifier: Any) -> None:
    verifier = make_verifier(*[f"{SECRET}-{i:02d}" for i in range(15)], SECRET, replayStore=False)
    hundred_kb = good() + " " + "v2=" + "A" * (100 * 1024)
    timed(verifier, hundred_kb, MALFORMED)
    timed(verifier, ("v2=" + base64.b64encode(bytes(32)).decode() + " ") * 2200 + good(), MALFORMED)
    timed(verifier, "v1=x " * 20000 + good(), MALFORMED)
    timed(verifier, "A" * (1 << 20), MALFORMED, limit=0.1)


def test_signature_header_size_limit(verifier: Verifier) -> None:
    entry = good()
    exactly = "v1=" + "x" * (8192 - len(entry) - 4) + " " + entry
    assert len(exactly) == 8192
    verifier.verify(signature=exactly).expect(OK)
    over = "v1=" + "x" * (8192 - len(entry) - 3) + " " + entry
    assert len(over) == 8193
    verifier.verify(signature=over).expect(MALFORMED)


def test_thousands_of_entries_bounded(make_verifier: Any) -> None:
    verifier = make_verifier(*[f"{SECRET}-{i:02d}" for i in range(15)], SECRET, replayStore=False)
    zeros = "v2=" + base64.b64encode(bytes(32)).decode()
    many_wrong = " ".join([zeros] * (8192 // (len(zeros) + 1)))
    assert len(many_wrong) <= 8192
    timed(verifier, many_wrong, SIGNATURE)
    tiny = " ".join(["v"] * 4000) + " " + good()
    assert len(tiny) <= 8192
    timed(verifier, tiny, OK)
    timed(verifier, " ".join(["v2=A"] * 1600) + " " + good(), OK)
    timed(verifier, " " * 8000 + good(), OK)


@pytest.mark.parametrize("timestamp", [
    "abc", "+1767225600", "-1767225600", "-1", " 1767225600", "1767225600 ", "1767 225600",
    "1767225600.0", "1.7e9", "0x69556D00", "1767225600\t", "\u0661\u0667\u0666\u0667",
    "\uff11\uff17\uff16\uff17\uff12\uff12\uff15\uff16\uff10\uff10", "17672256OO",
    "17672256000000000000", "99999999999999999999999999999", "9223372036854775808",
    "18446744073709551616", "١٧٦٧٢٢٥٦٠٠", "1767225600\u00e9", "1" * 1000,
], ids=lambda t: repr(t)[:30])
def test_malformed_timestamp(lib: ctypes.CDLL, verifier: Verifier, timestamp: str) -> None:
    signature = py_sign(SECRET, timestamp, NONCE, PATH, BODY)
    verifier.verify(timestamp=timestamp, signature=signature).expect(MALFORMED)
    lib_sign(lib, SECRET, timestamp=timestamp)[0].expect(MALFORMED)


def test_malformed_timestamp_bytes(verifier: Verifier) -> None:
    for timestamp in (b"\xff1767225600", b"1767225600\x80", b"\xd9\xa1"):
        verifier.verify(timestamp=timestamp, signature=good()).expect(MALFORMED)


def test_largest_timestamp(lib: ctypes.CDLL, verifier: Verifier) -> None:
    timestamp = str(INT64_MAX)
    result, value = lib_sign(lib, SECRET, timestamp=timestamp)
    result.expect(OK)
    assert value == py_sign(SECRET, timestamp, NONCE, PATH, BODY)
    verifier.verify(timestamp=timestamp, signature=value, now=INT64_MAX).expect(OK)


@pytest.mark.parametrize("nonce", [
    "a" * 15, "a" * 129, "a" * 1000, "abcdefghijklmnop.", "abcdefghijklmnop+", "abcdefghijklmnop/",
    "abcdefghijklmnop=", "abcdefgh ijklmnop", "abcdefghijklmnop~", "abcdefghijklmnop!",
    " abcdefghijklmnop", "abcdefghijklmnop\t", "abcdefghijklmnop\u00e9", "\u00e9" * 16, "abcdefghijklmno\u0430",
    "abcdefghijklmnop\n", "abcdefghijklmnop%20",
], ids=lambda n: repr(n)[:30])
def test_malformed_nonce(lib: ctypes.CDLL, verifier: Verifier, nonce: str) -> None:
    signature = py_sign(SECRET, TS, nonce, PATH, BODY)
    verifier.verify(nonce=nonce, signature=signature).expect(MALFORMED)
    lib_sign(lib, SECRET, nonce=nonce)[0].expect(MALFORMED)


def test_malformed_nonce_bytes(verifier: Verifier) -> None:
    for nonce in (b"abcdefghijklmnop\xff", b"\x80" * 20):
        verifier.verify(nonce=nonce, signature=good()).expect(MALFORMED)


@pytest.mark.parametrize("nonce", ["a" * 16, "Z" * 128, "_" * 16, "-" * 16, NONCE_ALPHABET[:64],
                                   NONCE_ALPHABET + NONCE_ALPHABET])
def test_nonce_edges_accepted(lib: ctypes.CDLL, verifier: Verifier, nonce: str) -> None:
    signature = py_sign(SECRET, TS, nonce, PATH, BODY)
    verifier.verify(nonce=nonce, signature=signature).expect(OK)
    result, value = lib_sign(lib, SECRET, nonce=nonce)
    result.expect(OK)
    assert value == signature


@pytest.mark.parametrize("which", ["timestamp", "nonce", "signature"])
@pytest.mark.parametrize("value", [None, "", b""])
def test_missing_header(verifier: Verifier, which: str, value: Any) -> None:
    headers: dict[str, Any] = {"timestamp": TS, "nonce": NONCE, "signature": good()}
    headers[which] = value
    verifier.verify(**headers).expect(MISSING)


def test_all_headers_missing(verifier: Verifier) -> None:
    verifier.verify(timestamp=None, nonce=None, signature=None).expect(MISSING)


def test_misuse(lib: ctypes.CDLL, verifier: Verifier) -> None:
    status = lib.oreg_verifier_verify(None, PATH.encode(), BODY, len(BODY), TS.encode(), NONCE.encode(),
                                      good().encode(), TS_INT)
    assert status == MISUSE
    assert last_error(lib)["status"] == MISUSE
    verifier.verify(path=None, signature=good()).expect(MISUSE)
    for path in ("", "hooks/onderwijsregio?site=3", "http://127.0.0.1/hooks/x", " /hooks/x", "?site=3",
                 "https://example.nl" + PATH, "*"):
        signature = py_sign(SECRET, TS, NONCE, path, BODY)
        verifier.verify(path=path, signature=signature).expect(MISUSE)
        lib_sign(lib, SECRET, path=path)[0].expect(MISUSE)
    # Misuse is reported before the headers are looked at.
    verifier.verify(path="nope", timestamp=None, nonce=None, signature=None).expect(MISUSE)


def test_sign_misuse(lib: ctypes.CDLL) -> None:
    lib_sign(lib, None)[0].expect(MISUSE)
    lib_sign(lib, SECRET, path=None)[0].expect(MISUSE)
    lib_sign(lib, SECRET, timestamp=None)[0].expect(MISUSE, MALFORMED)
    lib_sign(lib, SECRET, nonce=None)[0].expect(MISUSE, MALFORMED)
    status = lib.oreg_callback_sign(SECRET.encode(), PATH.encode(), BODY, len(BODY), TS.encode(),
                                    NONCE.encode(), None)
    assert status == MISUSE
    assert SECRET not in json.dumps(last_error(lib))


def test_raw_target_bytes(verifier: Verifier) -> None:
    """A request target holding bytes that are not UTF-8 (possible on the wire): verified over
    the bytes as given, or refused as misuse, but never confused with another byte."""
    signature = py_sign(SECRET, TS, NONCE, b"/h?x=\xff", BODY)
    verifier.verify(path=b"/h?x=\xff", signature=signature).expect(OK, MISUSE)
    for other in (b"/h?x=\xfe", b"/h?x=\xef\xbf\xbd", b"/h?x=", b"/h?x=\xff\xff"):
        verifier.verify(path=other, signature=signature).expect(SIGNATURE, MISUSE)


def test_paths_verify_as_given(verifier: Verifier) -> None:
    for path in ("/", "/hooks", "/hooks/x?", "/hooks/x?a=1&a=2", "/h%C3%A9/x?q=%E2%82%AC",
                 "/h\u00e9/x?q=\u20ac", "/hooks/x?site=3#frag", "//double", "/" + "p" * 8000):
        signature = py_sign(SECRET, TS, NONCE, path, BODY)
        verifier.verify(path=path, signature=signature).expect(OK)
    # Percent-encoded and decoded spellings are different targets.
    signature = py_sign(SECRET, TS, NONCE, "/h%C3%A9/x", BODY)
    verifier.verify(path="/h\u00e9/x", signature=signature).expect(SIGNATURE)
    verifier.verify(path="/h%c3%a9/x", signature=signature).expect(SIGNATURE)


# --- oreg_callback_sign against Python's hmac ------------------------------------------------------


def random_case(rng: random.Random) -> tuple[str, str, bytes, str, str]:
    secret_chars = [chr(c) for c in range(0x21, 0x7F)] + ["\u00e9", "\u20ac", "\U0001F600", " "]
    secret = "".join(rng.choice(secret_chars) for _ in range(rng.randint(16, 80)))
    path_chars = [chr(c) for c in range(0x21, 0x7F) if chr(c) != "#"] + ["\u00e9", "\u4e2d"]
    path = "/" + "".join(rng.choice(path_chars) for _ in range(rng.randint(0, 200)))
    body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 2, 63, 64, 65, rng.randint(0, 5000)])))
    timestamp = str(rng.choice([1, rng.randint(1, 10 ** 10), rng.randint(1, INT64_MAX), INT64_MAX]))
    nonce = "".join(rng.choice(NONCE_ALPHABET) for _ in range(rng.randint(16, 128)))
    return secret, path, body, timestamp, nonce


def test_sign_matches_python_hmac(lib: ctypes.CDLL) -> None:
    rng = random.Random(20261130)
    for case in range(100):
        secret, path, body, timestamp, nonce = random_case(rng)
        result, value = lib_sign(lib, secret, path, body, timestamp, nonce)
        result.expect(OK)
        assert value == py_sign(secret, timestamp, nonce, path, body), \
            f"case {case}: {secret!r} {path!r} {body[:40]!r} {timestamp} {nonce}"
        result, verifier = new_verifier(lib, {"secrets": [secret], "replayStore": False})
        result.expect(OK)
        assert verifier is not None
        try:
            verifier.verify(path, body, timestamp, nonce, value, int(timestamp)).expect(OK)
            verifier.verify(path, body + b"!", timestamp, nonce, value, int(timestamp)).expect(SIGNATURE)
        finally:
            verifier.free()
