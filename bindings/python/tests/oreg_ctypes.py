"""ctypes scaffolding shared by the Python test files: where the library, header and fixtures
are, the status codes of include/onderwijsregio.h, the prototype of every exported function and
a loader that applies them. The pytest fixture `lib` built on it lives in conftest.py.

Plain Python without pytest, so that a child process can import it too (test_client.py does).

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so of this
repository (run `make dist` first). The shared fixtures come from $ONDERWIJSREGIO_FIXTURES, by
default ../shared/fixtures next to this repository.
"""
from __future__ import annotations

import ctypes
import json
import os
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
