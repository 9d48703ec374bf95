#!/usr/bin/env python3
"""The candidate schemas and payloads of ../shared/fixtures against their expected results.

../shared/fixtures/payloads/expected.json lists (schema, payload) pairs with whether the payload
is valid and the set of (instanceLocation, keyword) pairs of its top-level errors, as a reference
validator reports them with format assertion on. For each pair this script compiles the schema
through the real library (ctypes, $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so)
with {"formatAssertion": true}, validates the payload, and compares the verdict and the SET of
(instanceLocation, keyword) of the report's top-level "errors" with the expected set. Order and
messages do not matter; nested errors (under anyOf/oneOf/not) are not compared.

Schema and payload bytes go to the library exactly as they are on disk. The fixtures are read
from $ONDERWIJSREGIO_FIXTURES, by default ../shared/fixtures relative to the repository root.

The last line is "schema-fixtures: N passed, M failed" (one test per pair); exit status 1 when a
pair failed.
"""
from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path
from typing import Any

from schema_library import load_schema_library
from schema_library import validate as validate_with_report

SUITE_NAME = "schema-fixtures"
REPO = Path(__file__).resolve().parents[2]
LIB_PATH = Path(os.environ.get("ONDERWIJSREGIO_LIB") or REPO / "dist/lib/libonderwijsregio.so")
FIXTURES = Path(os.environ.get("ONDERWIJSREGIO_FIXTURES") or REPO.parent / "shared/fixtures")
EXPECTED = FIXTURES / "payloads/expected.json"
OPTIONS = json.dumps({"formatAssertion": True}).encode()

OREG_OK = 0
OREG_INVALID = 1

# Where expected.json disagrees with the JSON Schema test suite, the suite is the judge. Each
# entry adds an error the fixture's reference validator missed, with the suite test that demands
# it; the check stays exact otherwise (a missing entry here, or an extra one, still fails).
ERRATA: dict[tuple[str, tuple[str, str]], str] = {
    ("payloads/candidate-invalid-many.json", ("/email", "format")):
        '"jan..jansen@example" has two dots in a row in its local part; the suite\'s '
        'draft2020-12/optional/format/email.json "two subsequent dots inside local part are not valid" '
        'requires format "email" to reject it, so expected.json (which lists only "pattern") is short of one error',
}


def load_library() -> tuple[ctypes.CDLL | None, str]:
    return load_schema_library(LIB_PATH)


def last_error(lib: ctypes.CDLL) -> str:
    text = lib.oreg_last_error()
    return text.decode("utf-8", "replace") if text else "NULL"


def compile_schema(lib: ctypes.CDLL, schema: bytes) -> tuple[ctypes.c_void_p | None, str]:
    handle = ctypes.c_void_p()
    status = lib.oreg_schema_compile(schema, len(schema), OPTIONS, ctypes.byref(handle))
    if status != OREG_OK or handle.value is None:
        return None, f"oreg_schema_compile returned {status}: {last_error(lib)}"
    return handle, ""


def validate(lib: ctypes.CDLL, handle: ctypes.c_void_p, payload: bytes) -> tuple[bool | None, list[dict[str, Any]], str]:
    """Returns (valid, top-level errors, problem); valid is None when the call failed."""
    status, text = validate_with_report(lib, handle, payload)
    if status < 0:
        return None, [], f"oreg_schema_validate returned {status}: {last_error(lib)}"
    if status not in (OREG_OK, OREG_INVALID):
        return None, [], f"oreg_schema_validate returned unexpected status {status}"
    if text is None:
        if status == OREG_INVALID:
            return None, [], "OREG_INVALID without a report"
        return True, [], ""
    try:
        report = json.loads(text)
    except ValueError as error:
        return None, [], f"the report is not JSON ({error}): {text[:300]}"
    if not isinstance(report, dict) or report.get("valid") is not (status == OREG_OK):
        return None, [], f"status {status} does not match the report: {text[:300]}"
    errors = report.get("errors", [])
    if not isinstance(errors, list) or (status == OREG_INVALID and not errors):
        return None, [], f"OREG_INVALID but no errors in the report: {text[:300]}"
    return status == OREG_OK, errors, ""


def pair_of(error: Any) -> tuple[str, str]:
    if not isinstance(error, dict):
        return ("?", f"not an object: {error!r}")
    return (str(error.get("instanceLocation")), str(error.get("keyword")))


def main() -> int:
    print(f"library:  {LIB_PATH}")
    print(f"fixtures: {FIXTURES}")
    lib, why = load_library()
    if lib is None:
        print(f"{SUITE_NAME}: {why}")
        print(f"{SUITE_NAME}: 0 passed, 1 failed")
        return 1
    try:
        cases = json.loads(EXPECTED.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"{SUITE_NAME}: cannot read {EXPECTED}: {error} (set ONDERWIJSREGIO_FIXTURES)")
        print(f"{SUITE_NAME}: 0 passed, 1 failed")
        return 1

    passed = failed = 0
    compiled: dict[str, tuple[ctypes.c_void_p | None, str]] = {}
    try:
        for case in cases:
            name = f"{case['schema']} <- {case['payload']}"
            if case["schema"] not in compiled:
                compiled[case["schema"]] = compile_schema(lib, (FIXTURES / case["schema"]).read_bytes())
            handle, problem = compiled[case["schema"]]
            if handle is None:
                print(f"FAIL {name}\n     {problem}")
                failed += 1
                continue
            valid, errors, problem = validate(lib, handle, (FIXTURES / case["payload"]).read_bytes())
            if valid is None:
                print(f"FAIL {name}\n     {problem}")
                failed += 1
                continue
            expected = {(e["instanceLocation"], e["keyword"]) for e in case["errors"]}
            for (payload, pair), reason in ERRATA.items():
                if payload == case["payload"] and not case["valid"]:
                    expected.add(pair)
                    print(f"note {name}: also expecting {pair} — {reason}")
            got = {pair_of(e) for e in errors}
            if valid == case["valid"] and got == expected:
                print(f"ok   {name}: {'valid' if valid else f'invalid, {len(got)} top-level errors as expected'}")
                passed += 1
                continue
            failed += 1
            print(f"FAIL {name}")
            if valid != case["valid"]:
                print(f"     expected {'valid' if case['valid'] else 'invalid'}, got {'valid' if valid else 'invalid'}")
            for location, keyword in sorted(expected - got):
                print(f"     missing     {location or '(root)'!s:32} {keyword}")
            for location, keyword in sorted(got - expected):
                messages = [e.get("message", "") for e in errors if isinstance(e, dict) and pair_of(e) == (location, keyword)]
                print(f"     unexpected  {location or '(root)'!s:32} {keyword:20} {str(messages[0])[:120] if messages else ''}")
            if len(errors) != len(got):
                print(f"     note: {len(errors)} top-level errors for {len(got)} distinct (instanceLocation, keyword) pairs")
    finally:
        for handle, _ in compiled.values():
            if handle is not None:
                lib.oreg_schema_free(handle)

    if not cases:
        failed += 1
    print(f"{SUITE_NAME}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
