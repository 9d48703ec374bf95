"""The real libonderwijsregio through ctypes, with the prototypes the conformance scripts use.

Shared by json_schema_suite.py and fixtures_expected.py (scripts in this folder import it).
"""
from __future__ import annotations

import ctypes
from pathlib import Path


def load_schema_library(path: Path) -> tuple[ctypes.CDLL | None, str]:
    """Returns (library, "") or (None, why it cannot be used)."""
    if not path.exists():
        return None, f"{path} does not exist: run `make dist` or set ONDERWIJSREGIO_LIB"
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as error:
        return None, f"cannot load {path}: {error}"
    for name in ("oreg_schema_compile", "oreg_schema_validate", "oreg_schema_free"):
        if not hasattr(lib, name):
            return None, f"library lacks {name} ({path}): the JSON Schema validator is not built in yet"
    prototypes = {
        "oreg_last_error": ([], ctypes.c_char_p),
        "oreg_status_name": ([ctypes.c_int], ctypes.c_char_p),
        "oreg_free": ([ctypes.c_void_p], None),
        "oreg_schema_compile": ([ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)], ctypes.c_int),
        "oreg_schema_validate": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)], ctypes.c_int),
        "oreg_schema_free": ([ctypes.c_void_p], None),
    }
    for name, (argtypes, restype) in prototypes.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype
    return lib, ""


def validate(lib: ctypes.CDLL, handle: ctypes.c_void_p, data: bytes) -> tuple[int, str | None]:
    """Validates with a report requested: (status, report text or None), the report freed.

    The out-parameter starts as a non-NULL dummy, so a library that failed to reset it would
    show up as a bogus report instead of passing unnoticed.
    """
    report = ctypes.c_void_p(0xDEADBEEF)
    status = lib.oreg_schema_validate(handle, data, len(data), ctypes.byref(report))
    text = None
    if report.value is not None:
        try:
            text = ctypes.string_at(report.value).decode("utf-8", "replace")
        finally:
            lib.oreg_free(report)
    return status, text
