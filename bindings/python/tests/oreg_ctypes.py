"""ctypes scaffolding shared by the Python test files: where the library, header and fixtures
are, the status codes of include/onderwijsregio.h, the prototype of every exported function and
a loader that applies them, and the call wrappers (Outcome, run_call, ClientHandle, new_client)
that test_client.py and test_outbox.py build on. The pytest fixture `lib` built on it lives in
conftest.py.

Plain Python without pytest, so that a child process can import it too (test_client.py does).

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so of this
repository (run `make dist` first). The shared fixtures come from $ONDERWIJSREGIO_FIXTURES, by
default ../shared/fixtures next to this repository.
"""
from __future__ import annotations

import ctypes
import json
import os
import time
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
LIB_PATH = Path(os.environ.get("ONDERWIJSREGIO_LIB") or REPO / "dist/lib/libonderwijsregio.so")
FIXTURES = Path(os.environ.get("ONDERWIJSREGIO_FIXTURES") or REPO.parent / "shared/fixtures")
HEADER_PATH = REPO / "include/onderwijsregio.h"


class Status(IntEnum):
    """enum oreg_status; test_abi.py checks it against the header."""

    OREG_OK = 0
    OREG_INVALID = 1
    OREG_STALE = 2
    OREG_QUEUED = 3
    OREG_ERR_MISUSE = -1
    OREG_ERR_NOMEM = -2
    OREG_ERR_JSON = -3
    OREG_ERR_LIMIT = -4
    OREG_ERR_RANGE = -5
    OREG_ERR_SCHEMA = -6
    OREG_ERR_TRANSPORT = -7
    OREG_ERR_HTTP = -8
    OREG_ERR_DEADLINE = -9
    OREG_ERR_RESPONSE = -10
    OREG_ERR_SANDBOX = -11
    OREG_ERR_IO = -12
    OREG_ERR_HEADER_MISSING = -13
    OREG_ERR_HEADER_MALFORMED = -14
    OREG_ERR_SIGNATURE = -15
    OREG_ERR_TOO_OLD = -16
    OREG_ERR_TOO_NEW = -17
    OREG_ERR_REPLAYED = -18
    OREG_ERR_INTERNAL = -99


_OUT = ctypes.POINTER(ctypes.c_void_p)
# name: (argtypes, restype). The opaque oreg_schema * and oreg_client * handles and the returned
# buffers are c_void_p, so that buffers can go back to oreg_free.
PROTOTYPES: dict[str, tuple[list[Any], Any]] = {
    "oreg_version": ([], ctypes.c_char_p),
    "oreg_version_number": ([], ctypes.c_int),
    "oreg_status_name": ([ctypes.c_int], ctypes.c_char_p),
    "oreg_last_error": ([], ctypes.c_char_p),
    "oreg_free": ([ctypes.c_void_p], None),
    "oreg_json_check": ([ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    "oreg_json_canonicalize": ([ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int),
    "oreg_schema_compile": ([ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_schema_validate": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int),
    "oreg_schema_free": ([ctypes.c_void_p], None),
    "oreg_client_new": ([ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_client_schema": ([ctypes.c_void_p, ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_client_validate": (
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int),
    "oreg_client_submit": (
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
         ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_client_get": ([ctypes.c_void_p, ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_client_flush": ([ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_client_outbox": ([ctypes.c_void_p, _OUT], ctypes.c_int),
    "oreg_client_outbox_callback": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, _OUT], ctypes.c_int),
    "oreg_client_free": ([ctypes.c_void_p], None),
    "oreg_verifier_new": ([ctypes.c_char_p, _OUT], ctypes.c_int),
    "oreg_verifier_verify": (
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
         ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int64], ctypes.c_int),
    "oreg_verifier_free": ([ctypes.c_void_p], None),
    "oreg_callback_sign": (
        [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
         ctypes.c_char_p, _OUT], ctypes.c_int),
}


def load_library(path: Path = LIB_PATH) -> ctypes.CDLL:
    """Loads the library and sets every prototype; AttributeError names a missing function."""
    library = ctypes.CDLL(str(path))
    for name, (argtypes, restype) in PROTOTYPES.items():
        function = getattr(library, name)
        function.argtypes = argtypes
        function.restype = restype
    return library


def last_error(lib: ctypes.CDLL) -> dict[str, Any]:
    """The calling thread's oreg_last_error(), parsed."""
    text = lib.oreg_last_error()
    assert text is not None
    return json.loads(text.decode("utf-8"))


# --- calls through a client handle, shared by test_client.py and test_outbox.py -------------------

SENTINEL = 0xDEADBEEF


def encode(value: Any) -> bytes | None:
    """None stays NULL; str and bytes are sent as they are; anything else as JSON."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")


def assert_no_secret(text: str | None, where: str, secrets: tuple[str, ...]) -> None:
    for secret in secrets:
        assert text is None or secret not in text, f"an API key appears in {where}: {text[:500]}"


class Outcome:
    """What one library call gave: its status, the out-parameter's text (freed already) and
    the calling thread's oreg_last_error() read right after the call."""

    check_name = True           # expect() also checks the last error's "name"
    output_limit = 600          # characters of the output that describe() shows

    def __init__(self, what: str, status: int, raw: str | None, error: dict[str, Any], elapsed: float = 0.0):
        self.what = what
        self.status = status
        self.raw = raw
        self.error = error
        self.elapsed = elapsed

    @property
    def value(self) -> Any:
        assert self.raw is not None, f"{self.what}: no output ({self.describe()})"
        return json.loads(self.raw)

    def describe(self) -> str:
        try:
            name = Status(self.status).name
        except ValueError:
            name = str(self.status)
        text = f"{self.what} -> {name}; last error {json.dumps(self.error)}"
        if self.raw is not None:
            text += f"; output {self.raw[:self.output_limit]}"
        return text

    def expect(self, status: Status) -> Outcome:
        assert self.status == status, f"expected {status.name}: {self.describe()}"
        if status < 0:
            assert self.error.get("status") == int(status), f"last error does not describe it: {self.describe()}"
            if self.check_name:
                assert self.error["name"] == status.name, self.describe()
            assert isinstance(self.error.get("message"), str) and self.error["message"], self.describe()
        return self


def run_call(lib: ctypes.CDLL, what: str, call: Callable[[Any], int], secrets: tuple[str, ...] = (),
             outcome_type: type[Outcome] = Outcome) -> Outcome:
    """Calls `call(byref(out))` with out preset to a sentinel, proves it was set, frees it, and
    checks that none of `secrets` is in the output or the last error."""
    out = ctypes.c_void_p(SENTINEL)
    started = time.monotonic()
    status = call(ctypes.byref(out))
    elapsed = time.monotonic() - started
    error = last_error(lib)
    assert out.value != SENTINEL, f"{what}: the out-parameter was never set (status {status})"
    raw = None
    if out.value is not None:
        try:
            raw = ctypes.string_at(out.value).decode("utf-8")
        finally:
            lib.oreg_free(out)
    outcome = outcome_type(what, status, raw, error, elapsed)
    assert_no_secret(raw, f"the output of {what}", secrets)
    assert_no_secret(json.dumps(error), f"oreg_last_error() after {what}", secrets)
    if status < 0:
        assert raw is None, f"{what} failed but the out-parameter holds a buffer: {outcome.describe()}"
    return outcome


class ClientHandle:
    """An oreg_client handle: submit and free; subclasses add the other C functions and set
    `secrets` (never to appear in an output or last error) and `outcome_type`."""

    secrets: tuple[str, ...] = ()
    outcome_type: type[Outcome] = Outcome

    def __init__(self, lib: ctypes.CDLL, handle: int, options: dict | None = None):
        self.lib = lib
        self.handle = ctypes.c_void_p(handle)
        self.options = options if options is not None else {}

    def call(self, what: str, call: Callable[[Any], int]) -> Outcome:
        return run_call(self.lib, what, call, self.secrets, self.outcome_type)

    def submit(self, mutation: str | None, target: str | None = None, body: Any = None,
               options: Any = None, *, length: int | None = None) -> Outcome:
        name, target_bytes, data, opts = encode(mutation), encode(target), encode(body), encode(options)
        size = len(data or b"") if length is None else length
        return self.call(f"submit({mutation}, {target})",
                         lambda out: self.lib.oreg_client_submit(self.handle, name, target_bytes, data, size,
                                                                 opts, out))

    def free(self) -> None:
        if self.handle.value is not None:
            self.lib.oreg_client_free(self.handle)
            self.handle = ctypes.c_void_p()


def new_client(lib: ctypes.CDLL, options: Any, client_type: type[ClientHandle] = ClientHandle
               ) -> tuple[Outcome, Any]:
    """oreg_client_new; the outcome and, on OREG_OK, a `client_type` (the caller frees it)."""
    text = options if isinstance(options, (bytes, type(None))) else encode(options)
    handle = ctypes.c_void_p(SENTINEL)
    status = lib.oreg_client_new(text, ctypes.byref(handle))
    error = last_error(lib)
    assert handle.value != SENTINEL, f"oreg_client_new never set out (status {status})"
    outcome = client_type.outcome_type("oreg_client_new", status, None, error)
    assert_no_secret(json.dumps(error), "oreg_last_error() after oreg_client_new", client_type.secrets)
    if status != Status.OREG_OK:
        assert handle.value is None, f"oreg_client_new failed but out is {handle.value:#x}"
        return outcome, None
    assert handle.value is not None, "oreg_client_new: OREG_OK but out is NULL"
    return outcome, client_type(lib, handle.value, options if isinstance(options, dict) else None)
