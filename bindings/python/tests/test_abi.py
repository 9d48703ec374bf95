"""ABI tests of the built libonderwijsregio: loads the real shared library with ctypes and calls
every exported function of include/onderwijsregio.h, checking results, statuses and
oreg_last_error().

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so of this
repository (run `make dist` first). The schema tests read the shared fixtures from
$ONDERWIJSREGIO_FIXTURES, by default ../shared/fixtures next to this repository.
"""
from __future__ import annotations

import ctypes
import json
import mmap
import random
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from oreg_ctypes import FIXTURES, HEADER_PATH, Status, last_error

VERSION = "0.1.0"
VERSION_NUMBER = 1000
MAX_DOCUMENT = 64 * 1024 * 1024
MAX_DEPTH = 512
SIZE_MAX = 2**64 - 1

with localcontext() as exact:
    exact.prec = 2000
    HALF_MIN_SUBNORMAL = format(Decimal(2) ** -1075, "f")  # half-way between 0 and 5e-324
    HALF_WAY_TO_OVERFLOW = format(Decimal(2) ** 1024 - Decimal(2) ** 970, "f")  # max double + half an ulp

NO_ERROR = {"status": 0, "name": "OREG_OK", "message": "no error"}


# --- helpers -------------------------------------------------------------------------------


def check(lib: ctypes.CDLL, data: bytes | None, length: int | None = None) -> int:
    return lib.oreg_json_check(data, len(data or b"") if length is None else length)


def canonicalize(lib: ctypes.CDLL, data: bytes | None, length: int | None = None) -> tuple[int, bytes | None]:
    """Calls oreg_json_canonicalize; returns (status, canonical bytes or None) and frees the buffer.

    The out-parameter starts as a non-NULL sentinel to prove the library resets it on failure.
    """
    out = ctypes.c_void_p(0xDEADBEEF)
    status = lib.oreg_json_canonicalize(data, len(data or b"") if length is None else length, ctypes.byref(out))
    if status != Status.OREG_OK:
        assert out.value is None, f"out is {out.value:#x} after status {status}, not NULL"
        return status, None
    assert out.value is not None, "OREG_OK but out is NULL"
    try:
        return status, ctypes.string_at(out.value)
    finally:
        lib.oreg_free(out)


def canonical(lib: ctypes.CDLL, data: bytes) -> bytes:
    status, result = canonicalize(lib, data)
    assert status == Status.OREG_OK, f"{data[:80]!r}: {Status(status).name} {last_error(lib)}"
    assert result is not None
    return result


def assert_error(lib: ctypes.CDLL, status: int, expected: Status, **members: Any) -> dict[str, Any]:
    """Asserts the returned status and that oreg_last_error() describes it, with `members`."""
    error = last_error(lib)
    assert status == expected, f"got {Status(status).name}, expected {expected.name}: {error}"
    assert error["status"] == int(expected)
    assert error["name"] == expected.name
    assert isinstance(error["message"], str) and error["message"]
    for name, value in members.items():
        assert error.get(name) == value, f"{name}: {error}"
    return error


def assert_json_error(lib: ctypes.CDLL, status: int, offset: int, line: int, column: int) -> None:
    assert_error(lib, status, Status.OREG_ERR_JSON, offset=offset, line=line, column=column)


def both_reject(lib: ctypes.CDLL, data: bytes | None, expected: Status, length: int | None = None) -> None:
    """Asserts that oreg_json_check and oreg_json_canonicalize both fail with `expected`."""
    assert_error(lib, check(lib, data, length), expected)
    assert_error(lib, canonicalize(lib, data, length)[0], expected)


def ecmascript_number(value: float) -> str:
    """Number::toString of ECMAScript (what RFC 8785 prescribes), from Python's shortest repr."""
    if value == 0:
        return "0"
    if value < 0:
        return "-" + ecmascript_number(-value)
    _, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = exponent + k  # value = digits * 10^(n - k)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def reference_canonical(value: Any) -> str:
    """RFC 8785 in Python, as an oracle for generated documents (no duplicate member names)."""
    if isinstance(value, dict):
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return "{" + ",".join(f"{reference_canonical(k)}:{reference_canonical(v)}" for k, v in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(reference_canonical, value)) + "]"
    if isinstance(value, float):
        return ecmascript_number(value)
    # str, bool, None: Python's json writes exactly RFC 8785's minimal escapes.
    return json.dumps(value, ensure_ascii=False)


def random_double(rng: random.Random) -> float:
    while True:
        value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if value == value and abs(value) != float("inf"):
            return value


def random_string(rng: random.Random) -> str:
    pools = [(0, 0x7F), (0, 0x1F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)]
    return "".join(chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randint(0, 8)))


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind == 1:
        return random_double(rng)
    if kind == 2:
        return float(rng.randint(-(2**53), 2**53))
    if kind in (3, 4):
        return random_string(rng)
    if kind == 5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_string(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


@contextmanager
def guarded_buffer(data: bytes) -> Iterator[ctypes.c_char_p]:
    """`data` placed right before an inaccessible page: reading one byte too far crashes."""
    page = mmap.PAGESIZE
    size = (len(data) // page + 1) * page
    region = mmap.mmap(-1, size + page)
    anchor = ctypes.c_char.from_buffer(region)
    try:
        base = ctypes.addressof(anchor)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        if libc.mprotect(base + size, page, 0) != 0:  # PROT_NONE
            pytest.skip(f"mprotect failed: errno {ctypes.get_errno()}")
        start = base + size - len(data)
        ctypes.memmove(start, data, len(data))
        yield ctypes.cast(start, ctypes.c_char_p)
    finally:
        del anchor
        region.close()


def timed(function: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    status = function()
    return status, time.perf_counter() - start


def in_thread(function: Callable[[], Any]) -> Any:
    """Runs `function` on a new thread and returns its result (or raises its exception)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = function()
        except BaseException as error:  # re-raised on the calling thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# --- version and status names --------------------------------------------------------------


def test_version_matches_header(lib: ctypes.CDLL) -> None:
    assert lib.oreg_version() == VERSION.encode()
    assert lib.oreg_version_number() == VERSION_NUMBER
    header = HEADER_PATH.read_text()
    assert re.search(r'#define OREG_VERSION "([^"]*)"', header)[1] == VERSION
    assert int(re.search(r"#define OREG_VERSION_NUMBER (\d+)", header)[1]) == VERSION_NUMBER
    major, minor, patch = map(int, VERSION.split("."))
    assert VERSION_NUMBER == major * 1000000 + minor * 1000 + patch


def test_status_codes_match_header() -> None:
    enum_body = re.search(r"enum oreg_status \{(.*?)\};", HEADER_PATH.read_text(), re.S)[1]
    declared = {name: int(value) for name, value in re.findall(r"(OREG_\w+) = (-?\d+)", enum_body)}
    assert declared == {status.name: int(status) for status in Status}


@pytest.mark.parametrize("status", list(Status), ids=lambda status: status.name)
def test_status_name(lib: ctypes.CDLL, status: Status) -> None:
    assert lib.oreg_status_name(status) == status.name.encode()


@pytest.mark.parametrize("code", [4, -19, -98, -100, 2**31 - 1, -(2**31)])
def test_status_name_of_unknown_code(lib: ctypes.CDLL, code: int) -> None:
    assert lib.oreg_status_name(code) == b"OREG_UNKNOWN"


# --- oreg_last_error -----------------------------------------------------------------------


def test_last_error_before_any_failure_is_ok_object(lib: ctypes.CDLL) -> None:
    def fresh_thread() -> tuple[bytes, dict[str, Any]]:
        return lib.oreg_last_error(), last_error(lib)

    raw, error = in_thread(fresh_thread)
    assert raw == b'{"status":0,"name":"OREG_OK","message":"no error"}'
    assert error == NO_ERROR


def test_last_error_describes_json_error(lib: ctypes.CDLL) -> None:
    assert_json_error(lib, check(lib, b"[1,]"), offset=3, line=1, column=4)
    assert_json_error(lib, canonicalize(lib, b"[1,]")[0], offset=3, line=1, column=4)
    assert set(last_error(lib)) == {"status", "name", "message", "offset", "line", "column"}


@pytest.mark.parametrize(
    ("document", "offset", "line", "column"),
    [
        (b'{"a":\n [1,\n  2,]}', 15, 3, 5),
        (b"[\r\n1,\r\n,]", 7, 3, 1),
        (b'{\n"a":\n\n   x}', 11, 4, 4),
        (b"\n\n\n", 3, 4, 1),
        (b'["\xc3\xa9", x]', 7, 1, 8),  # columns count bytes, not characters
        (b"", 0, 1, 1),
        (b"1 2", 2, 1, 3),
        (b'"abc', 0, 1, 1),
    ],
)
def test_last_error_location(lib: ctypes.CDLL, document: bytes, offset: int, line: int, column: int) -> None:
    assert_json_error(lib, check(lib, document), offset, line, column)
    assert_json_error(lib, canonicalize(lib, document)[0], offset, line, column)


def test_last_error_describes_misuse_without_location(lib: ctypes.CDLL) -> None:
    error = assert_error(lib, check(lib, None, 5), Status.OREG_ERR_MISUSE)
    assert set(error) == {"status", "name", "message"}


def test_last_error_survives_successful_calls(lib: ctypes.CDLL) -> None:
    check(lib, b"[1,]")
    before = lib.oreg_last_error()
    assert check(lib, b"[1]") == Status.OREG_OK
    assert canonical(lib, b'{"b":1,"a":2}') == b'{"a":2,"b":1}'
    lib.oreg_version()
    lib.oreg_status_name(0)
    assert lib.oreg_last_error() == before


def test_last_error_pointer_stays_valid_until_next_failure(lib: ctypes.CDLL) -> None:
    check(lib, b"[1,]")
    lib.oreg_last_error.restype = ctypes.c_void_p
    try:
        pointer = lib.oreg_last_error()
    finally:
        lib.oreg_last_error.restype = ctypes.c_char_p
    expected = lib.oreg_last_error()
    canonical(lib, b"[1]")
    assert ctypes.string_at(pointer) == expected


def test_last_error_is_per_thread(lib: ctypes.CDLL) -> None:
    other_failed = threading.Event()
    main_failed = threading.Event()
    seen: dict[str, dict[str, Any]] = {}

    def other() -> None:
        seen["fresh"] = last_error(lib)
        check(lib, b"{}}")  # offset 2
        other_failed.set()
        main_failed.wait(10)
        seen["after"] = last_error(lib)

    assert_json_error(lib, check(lib, b"[1,]"), offset=3, line=1, column=4)
    thread = threading.Thread(target=other)
    thread.start()
    other_failed.wait(10)
    assert_json_error(lib, check(lib, b"[1,]"), offset=3, line=1, column=4)  # untouched by the other thread
    assert_error(lib, check(lib, None, 1), Status.OREG_ERR_MISUSE)
    main_failed.set()
    thread.join()
    assert seen["fresh"] == NO_ERROR  # the main thread's failure is not visible there
    assert (seen["after"]["name"], seen["after"]["offset"]) == ("OREG_ERR_JSON", 2)
    assert last_error(lib)["name"] == "OREG_ERR_MISUSE"


def test_last_error_under_concurrent_failures(lib: ctypes.CDLL) -> None:
    thread_count, rounds = 8, 300
    barrier = threading.Barrier(thread_count)
    mismatches: list[str] = []

    def worker(index: int) -> None:
        document = b" " * index + b"]"  # fails at byte `index`
        barrier.wait()
        for _ in range(rounds):
            check(lib, document)
            canonical(lib, b'{"z":[1.5,"\\u20ac"],"a":null}')
            offset = last_error(lib)["offset"]
            if offset != index:
                mismatches.append(f"thread {index} saw offset {offset}")

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(thread_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []


# --- oreg_free -----------------------------------------------------------------------------


def test_free_null_is_harmless(lib: ctypes.CDLL) -> None:
    lib.oreg_free(None)
    lib.oreg_free(ctypes.c_void_p())


# --- oreg_json_check -----------------------------------------------------------------------

VALID_DOCUMENTS = [
    b"{}", b"[]", b"0", b"-0", b"1.5e-7", b'""', b"true", b"false", b"null", b" \t\r\n[1] \n",
    b'{"a":[1,{"b":null}],"c":"\\u00e9\\n"}', b'"\xf0\x9f\x98\x80"', b'{"a":1,"a":2}', b"1e999999",
]
INVALID_DOCUMENTS = [
    b"", b" ", b"[1,]", b'{"a":1,}', b"{a:1}", b"'a'", b"01", b"1.", b".1", b"+1", b"-", b"1e", b"NaN",
    b"Infinity", b"tru", b"[1 2]", b"1 2", b"[1]/**/", b"\xef\xbb\xbf1", b"\x0c1", b'"\x00"', b'"\x1f"',
    b'"\\x41"', b'"\\u00"', b'"abc', b"[", b"]",
]


@pytest.mark.parametrize("document", VALID_DOCUMENTS)
def test_check_accepts(lib: ctypes.CDLL, document: bytes) -> None:
    assert check(lib, document) == Status.OREG_OK


@pytest.mark.parametrize("document", INVALID_DOCUMENTS)
def test_check_rejects(lib: ctypes.CDLL, document: bytes) -> None:
    assert_error(lib, check(lib, document), Status.OREG_ERR_JSON)
    error = last_error(lib)
    assert 0 <= error["offset"] <= len(document)


# --- oreg_json_canonicalize ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b'{"b":2,"a":1}', b'{"a":1,"b":2}'),
        (b"1.0", b"1"),
        (b"1e21", b"1e+21"),
        (b"1E-7", b"1e-7"),
        (b"0.000001", b"0.000001"),
        (b"-0", b"0"),
        (b"1e20", b"100000000000000000000"),
        (b"123e-20", b"1.23e-18"),
        (b"9007199254740993", b"9007199254740992"),
        (b"[0.1e1, 1e0, -0.0e0, 100e-2]", b"[1,1,0,1]"),
        (b" \n{ \"a\" : [ true , false , null ] }\t", b'{"a":[true,false,null]}'),
        (b'{"a":1,"\\u0061":2}', b'{"a":2}'),  # duplicate names: the last wins
        (b'{"a":{"c":1,"b":[{"z":0,"y":1}]}}', b'{"a":{"b":[{"y":1,"z":0}],"c":1}}'),
        (b'{"ab":1,"a":2,"":3,"b":0}', b'{"":3,"a":2,"ab":1,"b":0}'),
        (b'"\\u001f\\/\\b\\f\\n\\r\\t\\"\\\\ \\u00e9\x7f"', b'"\\u001f/\\b\\f\\n\\r\\t\\"\\\\ \xc3\xa9\x7f"'),
        (b'"\\ud83d\\ude00"', b'"\xf0\x9f\x98\x80"'),
        (b'{"a\\u0000b":"x\\u0000y"}', b'{"a\\u0000b":"x\\u0000y"}'),
        (b'{"\\u0000":1,"":2," ":3}', b'{"":2,"\\u0000":1," ":3}'),
    ],
)
def test_canonicalize(lib: ctypes.CDLL, document: bytes, expected: bytes) -> None:
    assert canonical(lib, document) == expected


def test_canonicalize_sorts_by_utf16_code_units(lib: ctypes.CDLL) -> None:
    """RFC 8785 section 3.2.3."""
    document = (
        b'{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",'
        b'"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",'
        b'"\\u00f6":"Latin Small Letter O With Diaeresis"}'
    )
    names = list(json.loads(canonical(lib, document)))
    assert names == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_canonicalize_rfc8785_example(lib: ctypes.CDLL) -> None:
    """RFC 8785 section 3.2.2 (numbers, literals, strings)."""
    document = (
        b'{\n  "numbers": [333333333.33333329, 1E30, 4.50,\n                2e-3, 0.000000000000000000000000001],\n'
        b'  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        b'  "literals": [null, true, false]\n}'
    )
    expected = (
        b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical(lib, document) == expected


# RFC 8785 appendix B: IEEE 754 bit patterns and their ECMAScript text.
RFC8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC8785_NUMBERS, ids=[bits for bits, _ in RFC8785_NUMBERS])
def test_canonicalize_rfc8785_numbers(lib: ctypes.CDLL, bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert ecmascript_number(value) == expected  # the oracle agrees with the RFC
    for text in (repr(value), f"{value:.17e}", str(Decimal(value))):  # shortest, 17 digits, exact
        assert canonical(lib, text.encode()) == expected.encode(), text


def test_canonicalize_random_doubles(lib: ctypes.CDLL) -> None:
    """Each double, written shortest, with 17 digits and exactly, comes back as ECMAScript writes it."""
    rng = random.Random(8785)
    mismatches = []
    for _ in range(2000):
        value = random_double(rng)
        for text in (repr(value), f"{value:.17e}", str(Decimal(value))):
            result = canonical(lib, text.encode())
            if result != ecmascript_number(value).encode():
                mismatches.append((text, result))
    assert mismatches[:10] == []


def test_canonicalize_random_documents(lib: ctypes.CDLL) -> None:
    rng = random.Random(3339)
    for _ in range(300):
        value = {random_string(rng): random_value(rng) for _ in range(rng.randint(0, 6))}
        document = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 0, 2]))
        assert canonical(lib, document.encode()) == reference_canonical(value).encode(), document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"2.4703282292062327e-324", b"0"),  # just below half the smallest subnormal
        (b"2.4703282292062328e-324", b"5e-324"),
        (HALF_MIN_SUBNORMAL.encode(), b"0"),  # exactly half: ties to even
        (HALF_MIN_SUBNORMAL.encode() + b"1", b"5e-324"),  # a hair above half
        (b"2.2250738585072011e-308", b"2.225073858507201e-308"),
        (b"2.2250738585072012e-308", b"2.2250738585072014e-308"),
        (b"1.7976931348623158e308", b"1.7976931348623157e+308"),  # below the overflow threshold
        (b"1" + b"0" * 400 + b"e-400", b"1"),
        (b"0." + b"0" * 400 + b"1e400", b"0.1"),
        (b"1e-400", b"0"),
        # -1e-10001 is far below the smallest subnormal (about 4.9e-324): the nearest double
        # is -0, which ECMAScript writes as 0. Not a range error: it is representable.
        (b"-0." + b"0" * 10000 + b"1", b"0"),
    ],
    ids=["below-half-min", "above-half-min", "half-min", "above-exact-half-min", "subnormal-max",
         "normal-min", "max-rounded", "long-mantissa", "long-fraction", "underflow", "negative-underflow"],
)
def test_canonicalize_rounds_to_nearest_double(lib: ctypes.CDLL, document: bytes, expected: bytes) -> None:
    assert canonical(lib, document) == expected


@pytest.mark.parametrize(
    ("document", "location"),
    [
        (b"1e999999", ""),
        (b"1e400", ""),
        (b"-1e400", ""),
        (b"1.7976931348623159e308", ""),
        (HALF_WAY_TO_OVERFLOW.encode(), ""),  # ties to even: rounds up to 2^1024
        (b"[1.5e308, -1e309]", "/1"),
        (b'{"a/b":{"c~d":1e400}}', "/a~1b/c~0d"),
    ],
)
def test_canonicalize_out_of_range(lib: ctypes.CDLL, document: bytes, location: str) -> None:
    assert check(lib, document) == Status.OREG_OK  # valid JSON
    assert_error(lib, canonicalize(lib, document)[0], Status.OREG_ERR_RANGE, location=location)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 5, SIZE_MAX])
def test_null_json_with_length_is_misuse(lib: ctypes.CDLL, length: int) -> None:
    both_reject(lib, None, Status.OREG_ERR_MISUSE, length)


@pytest.mark.parametrize("length", [2**63, SIZE_MAX])
def test_impossible_length_is_misuse(lib: ctypes.CDLL, length: int) -> None:
    both_reject(lib, b"1", Status.OREG_ERR_MISUSE, length)


@pytest.mark.parametrize("document", [b"1", b"", None, b"[1,]"])
def test_null_out_is_misuse(lib: ctypes.CDLL, document: bytes | None) -> None:
    assert_error(lib, lib.oreg_json_canonicalize(document, len(document or b""), None), Status.OREG_ERR_MISUSE)


def test_null_json_with_length_zero_is_empty_document(lib: ctypes.CDLL) -> None:
    assert_json_error(lib, check(lib, None, 0), offset=0, line=1, column=1)
    assert_json_error(lib, canonicalize(lib, None, 0)[0], offset=0, line=1, column=1)


@pytest.mark.parametrize(
    "document",
    [
        b'"\xff"',  # never valid in UTF-8
        b'"\xc0\xaf"',  # overlong '/'
        b'"\xe0\x80\xaf"',  # overlong '/', three bytes
        b'"\xed\xa0\x80"',  # encoded surrogate U+D800
        b'"\xf4\x90\x80\x80"',  # beyond U+10FFFF
        b'"\xe2\x82"',  # truncated
        b'"\x80"',  # lone continuation byte
    ],
)
def test_invalid_utf8_is_json_error(lib: ctypes.CDLL, document: bytes) -> None:
    for status in (check(lib, document), canonicalize(lib, document)[0]):
        assert_json_error(lib, status, offset=1, line=1, column=2)


@pytest.mark.parametrize("document", [b'"\\ud800"', b'"\\udc00"', b'"\\ud800\\u0041"', b'"\\ude00\\ud83d"', b'{"\\ud800":1}'])
def test_lone_surrogate_escape_is_json_error(lib: ctypes.CDLL, document: bytes) -> None:
    both_reject(lib, document, Status.OREG_ERR_JSON)


def test_nul_after_document_is_json_error(lib: ctypes.CDLL) -> None:
    assert_json_error(lib, check(lib, b"[1]\x00"), offset=3, line=1, column=4)
    assert_json_error(lib, canonicalize(lib, b"[1]\x00")[0], offset=3, line=1, column=4)


def test_length_limits_the_input(lib: ctypes.CDLL) -> None:
    buffer = ctypes.create_string_buffer(b"[1]]]]", 6)  # not NUL-terminated within 6 bytes
    assert check(lib, buffer, 3) == Status.OREG_OK
    assert canonicalize(lib, buffer, 3) == (Status.OREG_OK, b"[1]")
    assert_error(lib, check(lib, buffer, 4), Status.OREG_ERR_JSON, offset=3)


def test_input_is_not_read_beyond_its_length(lib: ctypes.CDLL) -> None:
    for document in (b"[1]", b'{"a":"\xe2\x82\xac"}', b"123", b"[1,"):
        with guarded_buffer(document) as pointer:
            check(lib, pointer, len(document))
            canonicalize(lib, pointer, len(document))
    with guarded_buffer(b"-12.5e3") as pointer:
        assert canonicalize(lib, pointer, 7) == (Status.OREG_OK, b"-12500")


def test_deep_nesting_is_limit_error_quickly(lib: ctypes.CDLL) -> None:
    document = b"[" * 1000000
    status, seconds = timed(lambda: check(lib, document))
    assert_error(lib, status, Status.OREG_ERR_LIMIT, offset=MAX_DEPTH)
    assert seconds < 1
    status, seconds = timed(lambda: canonicalize(lib, document)[0])
    assert_error(lib, status, Status.OREG_ERR_LIMIT)
    assert seconds < 1


def test_nesting_up_to_the_limit_is_accepted(lib: ctypes.CDLL) -> None:
    arrays = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    objects = b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH
    assert canonical(lib, arrays) == arrays
    assert canonical(lib, objects) == objects
    both_reject(lib, b"[" + arrays + b"]", Status.OREG_ERR_LIMIT)
    both_reject(lib, b'{"a":' + objects + b"}", Status.OREG_ERR_LIMIT)


def test_document_over_64_mib_is_limit_error(lib: ctypes.CDLL) -> None:
    document = b" " * MAX_DOCUMENT + b"1"
    both_reject(lib, document, Status.OREG_ERR_LIMIT)
    assert check(lib, document, MAX_DOCUMENT) == Status.OREG_ERR_JSON  # only whitespace, but within the limit
    assert canonicalize(lib, document[1:]) == (Status.OREG_OK, b"1")  # exactly 64 MiB


# --- JSON Schema: helpers ------------------------------------------------------------------

CREATE_SCHEMA = "schema/candidate-create.schema.json"
ERROR_MEMBERS = ("instanceLocation", "keywordLocation", "keyword", "message")
CYCLIC_SCHEMA = b'{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}'
SENTINEL = 0xDEADBEEF


def fixture(relative: str) -> bytes:
    path = FIXTURES / relative
    if not path.exists():
        pytest.fail(f"{path} does not exist: set ONDERWIJSREGIO_FIXTURES to the shared fixtures")
    return path.read_bytes()


def expected_verdicts(schema: str) -> dict[str, dict[str, Any]]:
    """payloads/expected.json for one schema: payload file name -> its entry."""
    entries = json.loads(fixture("payloads/expected.json"))
    return {Path(entry["payload"]).name: entry for entry in entries if entry["schema"] == schema}


def payload_names() -> list[str]:
    directory = FIXTURES / "payloads"
    return sorted(path.name for path in directory.glob("*.json") if path.name != "expected.json") if directory.is_dir() else []


def compile_schema(
    lib: ctypes.CDLL, schema: bytes | None, options: bytes | None = None, length: int | None = None
) -> tuple[int, int | None]:
    """Calls oreg_schema_compile; returns (status, handle or None). The caller frees the handle.

    The out-parameter starts as a non-NULL sentinel to prove the library resets it on failure.
    """
    out = ctypes.c_void_p(SENTINEL)
    status = lib.oreg_schema_compile(schema, len(schema or b"") if length is None else length, options, ctypes.byref(out))
    if status != Status.OREG_OK:
        assert out.value is None, f"out is {out.value:#x} after status {status}, not NULL"
        return status, None
    assert out.value is not None, "OREG_OK but out is NULL"
    return status, out.value


@contextmanager
def compiled(lib: ctypes.CDLL, schema: bytes, options: bytes | None = None) -> Iterator[int]:
    status, handle = compile_schema(lib, schema, options)
    assert status == Status.OREG_OK, f"{schema[:80]!r} {options!r}: {Status(status).name} {last_error(lib)}"
    try:
        yield handle
    finally:
        lib.oreg_schema_free(handle)


def validate(
    lib: ctypes.CDLL, schema: int | None, instance: bytes | None, length: int | None = None
) -> tuple[int, dict[str, Any] | None]:
    """Calls oreg_schema_validate with a report; returns (status, parsed report or None).

    The report starts as a non-NULL sentinel: it must be NULL afterwards unless the status is
    OREG_INVALID, and then it is a NUL-terminated JSON document, released here with oreg_free.
    """
    report = ctypes.c_void_p(SENTINEL)
    status = lib.oreg_schema_validate(schema, instance, len(instance or b"") if length is None else length, ctypes.byref(report))
    if status != Status.OREG_INVALID:
        assert report.value is None, f"report is {report.value:#x} after status {status}, not NULL"
        return status, None
    assert report.value is not None, "OREG_INVALID but the report is NULL"
    try:
        text = ctypes.string_at(report.value)
    finally:
        lib.oreg_free(report)
    return status, json.loads(text.decode("utf-8"))


def verdict(lib: ctypes.CDLL, schema: int, instance: bytes) -> int:
    """oreg_schema_validate without a report (out_report NULL)."""
    return lib.oreg_schema_validate(schema, instance, len(instance), None)


def assert_valid(lib: ctypes.CDLL, schema: int, instance: bytes) -> None:
    status, report = validate(lib, schema, instance)
    assert status == Status.OREG_OK, f"{instance[:80]!r}: {Status(status).name} {report or last_error(lib)}"
    assert verdict(lib, schema, instance) == Status.OREG_OK


def assert_error_shape(error: Any, where: str) -> None:
    assert isinstance(error, dict), where
    for member in ERROR_MEMBERS:
        assert isinstance(error.get(member), str), f"{where}: {member} is not a string: {error}"
    assert error["message"], f"{where}: empty message"
    for member in ("instanceLocation", "keywordLocation"):  # JSON Pointers
        assert error[member] == "" or error[member].startswith("/"), f"{where}: {member}: {error}"
    if error["keyword"] != "false":  # the schema false fails at its own location
        assert error["keywordLocation"].endswith("/" + error["keyword"]), f"{where}: keyword not at keywordLocation: {error}"
    if "absoluteKeywordLocation" in error:
        assert isinstance(error["absoluteKeywordLocation"], str), where
    for index, nested in enumerate(error.get("errors", [])):
        assert_error_shape(nested, f"{where}/errors/{index}")


def assert_invalid(lib: ctypes.CDLL, schema: int, instance: bytes) -> list[dict[str, Any]]:
    """Asserts OREG_INVALID with a well-formed report (and without one); returns its errors."""
    status, report = validate(lib, schema, instance)
    assert status == Status.OREG_INVALID, f"{instance[:80]!r}: {Status(status).name} {last_error(lib)}"
    assert report is not None
    assert set(report) == {"valid", "errors"}, report
    assert report["valid"] is False
    assert isinstance(report["errors"], list) and report["errors"], report
    for index, error in enumerate(report["errors"]):
        assert_error_shape(error, f"errors/{index}")
    assert verdict(lib, schema, instance) == Status.OREG_INVALID
    return report["errors"]


@pytest.fixture(scope="module")
def candidate_schema(lib: ctypes.CDLL) -> Iterator[int]:
    with compiled(lib, fixture(CREATE_SCHEMA)) as handle:
        yield handle


# --- JSON Schema: the shared fixtures ------------------------------------------------------


def test_fixture_payloads_all_have_expectations() -> None:
    names = payload_names()
    assert names, f"no payloads in {FIXTURES / 'payloads'}"
    assert sorted(expected_verdicts(CREATE_SCHEMA)) == names


@pytest.mark.parametrize("payload", payload_names())
def test_fixture_payload(lib: ctypes.CDLL, candidate_schema: int, payload: str) -> None:
    expected = expected_verdicts(CREATE_SCHEMA)[payload]
    instance = fixture(f"payloads/{payload}")
    if expected["valid"]:
        assert_valid(lib, candidate_schema, instance)
        return
    errors = assert_invalid(lib, candidate_schema, instance)
    reported = {(error["instanceLocation"], error["keyword"]) for error in errors}
    missing = {(error["instanceLocation"], error["keyword"]) for error in expected["errors"]} - reported
    assert missing == set(), f"top-level errors of expected.json not reported: {sorted(missing)}"


def test_report_points_into_schema_and_instance(lib: ctypes.CDLL, candidate_schema: int) -> None:
    errors = assert_invalid(lib, candidate_schema, fixture("payloads/candidate-invalid-many.json"))
    by_place = {(error["instanceLocation"], error["keyword"]): error for error in errors}
    assert by_place[("/firstName", "minLength")]["keywordLocation"] == "/properties/firstName/minLength"
    phone = by_place[("/phone", "anyOf")]
    assert phone["keywordLocation"] == "/properties/phone/anyOf"
    assert {nested["keywordLocation"] for nested in phone["errors"]} >= {
        "/properties/phone/anyOf/0/pattern", "/properties/phone/anyOf/1/type"}
    crossed_ref = by_place[("/interactions/0/performedAt", "pattern")]
    assert "$ref" in crossed_ref["keywordLocation"]
    assert isinstance(crossed_ref.get("absoluteKeywordLocation"), str)


def test_report_escapes_pointers_and_names(lib: ctypes.CDLL) -> None:
    with compiled(lib, b'{"properties":{"a/b~c":{"type":"string"}}}') as handle:
        [error] = assert_invalid(lib, handle, b'{"a/b~c":1}')
        assert (error["instanceLocation"], error["keywordLocation"]) == ("/a~1b~0c", "/properties/a~1b~0c/type")
    with compiled(lib, b'{"additionalProperties":false}') as handle:
        # the member name q"\<LF><NUL>é😀, escaped in the instance and again in the report
        instance = b'{"q\\"\\\\\\n\\u0000\\u00e9\\ud83d\\ude00":1}'
        assert json.loads(instance) == {'q"\\\n\0é\U0001f600': 1}
        [error] = assert_invalid(lib, handle, instance)
        assert error["keyword"] == "additionalProperties"
        assert 'q"\\\n\0é\U0001f600' in error["message"], error


def test_boolean_schemas(lib: ctypes.CDLL) -> None:
    with compiled(lib, b"true") as handle:
        for instance in (b"1", b"null", b'{"a":[]}'):
            assert_valid(lib, handle, instance)
    with compiled(lib, b"false") as handle:
        [error] = assert_invalid(lib, handle, b"1")
        assert (error["instanceLocation"], error["keywordLocation"]) == ("", "")
    with compiled(lib, b'{"properties":{"a":false}}') as handle:
        assert_valid(lib, handle, b'{"b":1}')
        [error] = assert_invalid(lib, handle, b'{"a":1}')
        assert (error["instanceLocation"], error["keywordLocation"]) == ("/a", "/properties/a")


def test_invalid_is_not_a_failure(lib: ctypes.CDLL, candidate_schema: int) -> None:
    """OREG_INVALID is positive, not a failure: oreg_last_error() stays as it was."""
    check(lib, b"[1,]")
    before = lib.oreg_last_error()
    assert_invalid(lib, candidate_schema, fixture("payloads/candidate-invalid-many.json"))
    assert_valid(lib, candidate_schema, fixture("payloads/candidate-valid-minimal.json"))
    assert lib.oreg_last_error() == before


def test_reports_are_released_with_oreg_free(lib: ctypes.CDLL, candidate_schema: int) -> None:
    instance = fixture("payloads/candidate-invalid-many.json")
    first = validate(lib, candidate_schema, instance)
    for _ in range(200):
        assert validate(lib, candidate_schema, instance) == first  # deterministic, and freed each time


# --- JSON Schema: options ------------------------------------------------------------------


def test_null_options_are_the_defaults(lib: ctypes.CDLL) -> None:
    schema = b'{"type":"string","format":"email"}'
    for options in (None, b"{}"):
        with compiled(lib, schema, options) as handle:
            assert_valid(lib, handle, b'"a@b.nl"')
            [error] = assert_invalid(lib, handle, b'"not an address"')  # format asserted by default
            assert (error["keyword"], error["keywordLocation"]) == ("format", "/format")


def test_format_assertion_false_makes_format_an_annotation(lib: ctypes.CDLL) -> None:
    with compiled(lib, b'{"type":"string","format":"email"}', b'{"formatAssertion":false}') as handle:
        assert_valid(lib, handle, b'"not an address"')
        assert_invalid(lib, handle, b"12")  # other keywords still count
    with compiled(lib, b'{"format":"date"}', b'{"formatAssertion":true}') as handle:
        assert_invalid(lib, handle, b'"1994-02-30"')


def test_stop_at_first_error_reports_one_error(lib: ctypes.CDLL) -> None:
    schema, instance = fixture(CREATE_SCHEMA), fixture("payloads/candidate-invalid-many.json")
    with compiled(lib, schema) as handle:
        assert len(assert_invalid(lib, handle, instance)) > 1
    with compiled(lib, schema, b'{"stopAtFirstError":true}') as handle:
        assert len(assert_invalid(lib, handle, instance)) == 1
        assert_valid(lib, handle, fixture("payloads/candidate-valid-full.json"))
    with compiled(lib, b'{"properties":{"a":{"type":"string"},"b":{"type":"string"}}}', b'{"stopAtFirstError":true}') as handle:
        assert len(assert_invalid(lib, handle, b'{"a":1,"b":2}')) == 1


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (b'{"bogus":1}', "bogus"),
        (b'{"formatAssertion":false,"stopAtFirstEror":true}', "stopAtFirstEror"),
        (b'{"stopAtFirstError":"yes"}', "stopAtFirstError"),
        (b'{"formatAssertion":1}', "formatAssertion"),
        (b'{"formatAssertion":null}', "formatAssertion"),
        (b'{"validateSchema":"false"}', "validateSchema"),
        (b'{"defaultDraft":7}', "defaultDraft"),
        (b'{"defaultDraft":"draft99"}', "defaultDraft"),
        (b'{"resources":[]}', "resources"),
        (b'{"maxDepth":"3"}', "maxDepth"),
        (b'{"maxDepth":20000}', "maxDepth"),
        (b'{"maxDepth":0}', "maxDepth"),
        (b'{"language":"xx"}', "language"),
    ],
)
def test_bad_option_is_misuse_naming_it(lib: ctypes.CDLL, options: bytes, named: str) -> None:
    status, _ = compile_schema(lib, b'{"type":"object"}', options)
    error = assert_error(lib, status, Status.OREG_ERR_MISUSE)
    assert named in error["message"], error


@pytest.mark.parametrize("options", [b"[]", b'"formatAssertion"', b"null"])
def test_options_not_an_object_is_misuse(lib: ctypes.CDLL, options: bytes) -> None:
    assert_error(lib, compile_schema(lib, b"{}", options)[0], Status.OREG_ERR_MISUSE)


def test_options_not_json_is_json_error(lib: ctypes.CDLL) -> None:
    assert_error(lib, compile_schema(lib, b"{}", b'{"formatAssertion":false,}')[0], Status.OREG_ERR_JSON)


def test_default_draft_7_reads_items_array(lib: ctypes.CDLL) -> None:
    schema = b'{"items":[{"type":"integer"},{"type":"string"}]}'
    assert_error(lib, compile_schema(lib, schema)[0], Status.OREG_ERR_SCHEMA)  # not 2020-12
    with compiled(lib, schema, b'{"defaultDraft":"draft7"}') as handle:
        assert_valid(lib, handle, b'[1,"a"]')
        assert_valid(lib, handle, b'[1,"a",null]')  # no additionalItems
        errors = assert_invalid(lib, handle, b'["a",1]')
        assert {error["keywordLocation"] for error in errors} == {"/items/0/type", "/items/1/type"}


def test_resources_resolve_refs(lib: ctypes.CDLL) -> None:
    options = b'{"resources":{"https://example.com/s.json":{"type":"integer"}}}'
    with compiled(lib, b'{"$ref":"https://example.com/s.json"}', options) as handle:
        assert_valid(lib, handle, b"42")
        [error] = assert_invalid(lib, handle, b'"42"')
        assert error["keyword"] == "type"
        assert error["absoluteKeywordLocation"].startswith("https://example.com/s.json")
        assert_invalid(lib, handle, b"1.5")


def test_referenced_resource_is_checked_against_its_metaschema(lib: ctypes.CDLL) -> None:
    """A resource that $ref leads to is part of the schema: with validateSchema (the default) it
    must be checked like the same subschema written inline, which fails at /properties/q/title."""
    inline = b'{"properties":{"q":{"title":12,"type":"string"}}}'
    assert_error(lib, compile_schema(lib, inline)[0], Status.OREG_ERR_SCHEMA, location="/properties/q/title")
    options = b'{"resources":{"https://example.com/q.json":{"title":12,"type":"string"}}}'
    status, handle = compile_schema(lib, b'{"properties":{"q":{"$ref":"https://example.com/q.json"}}}', options)
    lib.oreg_schema_free(handle)
    error = assert_error(lib, status, Status.OREG_ERR_SCHEMA)
    assert "https://example.com/q.json" in error["message"], error


def test_invalid_resource_error_names_the_resource(lib: ctypes.CDLL) -> None:
    """"location" is a JSON Pointer into the schema; a problem inside a registered resource must
    say which resource it is in (as the unknown-$schema error of a resource already does)."""
    options = b'{"resources":{"https://example.com/q.json":{"minLength":-1}}}'
    status, handle = compile_schema(lib, b'{"properties":{"q":{"$ref":"https://example.com/q.json"}}}', options)
    lib.oreg_schema_free(handle)
    error = assert_error(lib, status, Status.OREG_ERR_SCHEMA)
    assert "https://example.com/q.json" in error["message"], error


def test_max_depth_option(lib: ctypes.CDLL) -> None:
    with compiled(lib, b"{}", b'{"maxDepth":3}') as handle:
        assert_valid(lib, handle, b"[[[1]]]")
        assert_error(lib, validate(lib, handle, b"[[[[1]]]]")[0], Status.OREG_ERR_LIMIT)


# --- JSON Schema: bad input ----------------------------------------------------------------


def test_schema_not_json_is_json_error(lib: ctypes.CDLL) -> None:
    assert_json_error(lib, compile_schema(lib, b'{"type":"string",}')[0], offset=17, line=1, column=18)
    assert_json_error(lib, compile_schema(lib, b"")[0], offset=0, line=1, column=1)


def test_invalid_schema_names_its_location(lib: ctypes.CDLL) -> None:
    assert_error(lib, compile_schema(lib, b'{"type":12}')[0], Status.OREG_ERR_SCHEMA, location="/type")
    assert_error(lib, compile_schema(lib, b'{"properties":{"a":{"minLength":-1}}}')[0], Status.OREG_ERR_SCHEMA,
                 location="/properties/a/minLength")


def test_unknown_schema_uri_is_schema_error(lib: ctypes.CDLL) -> None:
    status, _ = compile_schema(lib, b'{"$schema":"https://example.com/my-draft","type":"string"}')
    error = assert_error(lib, status, Status.OREG_ERR_SCHEMA)
    assert "https://example.com/my-draft" in error["message"]


def test_supported_schema_uris_compile(lib: ctypes.CDLL) -> None:
    for uri in (b"https://json-schema.org/draft/2020-12/schema", b"http://json-schema.org/draft-07/schema#",
                b"http://json-schema.org/draft-04/schema#"):
        with compiled(lib, b'{"$schema":"' + uri + b'","type":"integer"}') as handle:
            assert_valid(lib, handle, b"1")
            assert_invalid(lib, handle, b'"1"')


@pytest.mark.parametrize("pattern", [b"((", b"[a-", b"a{2,1}", b"(?<n>a)(?<n>b)"])
def test_invalid_pattern_is_schema_error(lib: ctypes.CDLL, pattern: bytes) -> None:
    status, _ = compile_schema(lib, b'{"properties":{"p":{"pattern":"' + pattern + b'"}}}')
    assert_error(lib, status, Status.OREG_ERR_SCHEMA, location="/properties/p/pattern")


def test_unresolvable_ref_is_schema_error_naming_it(lib: ctypes.CDLL) -> None:
    status, _ = compile_schema(lib, b'{"properties":{"a":{"$ref":"https://example.com/missing.json"}}}')
    error = assert_error(lib, status, Status.OREG_ERR_SCHEMA)
    assert "https://example.com/missing.json" in error["message"], error
    status, _ = compile_schema(lib, b'{"$ref":"#/$defs/missing"}')
    error = assert_error(lib, status, Status.OREG_ERR_SCHEMA)
    assert "/$defs/missing" in error["message"], error


def test_compile_null_out_is_misuse(lib: ctypes.CDLL) -> None:
    for schema in (b"{}", b'{"type":12}', b"nope"):
        assert_error(lib, lib.oreg_schema_compile(schema, len(schema), None, None), Status.OREG_ERR_MISUSE)


def test_compile_null_json_with_length_is_misuse(lib: ctypes.CDLL) -> None:
    assert_error(lib, compile_schema(lib, None, length=5)[0], Status.OREG_ERR_MISUSE)
    assert_error(lib, compile_schema(lib, None, length=0)[0], Status.OREG_ERR_JSON)  # the empty input


def test_validate_null_schema_is_misuse(lib: ctypes.CDLL) -> None:
    assert_error(lib, validate(lib, None, b"1")[0], Status.OREG_ERR_MISUSE)
    assert_error(lib, lib.oreg_schema_validate(None, b"1", 1, None), Status.OREG_ERR_MISUSE)


def test_validate_null_json_with_length_is_misuse(lib: ctypes.CDLL, candidate_schema: int) -> None:
    assert_error(lib, validate(lib, candidate_schema, None, 5)[0], Status.OREG_ERR_MISUSE)
    assert_json_error(lib, validate(lib, candidate_schema, None, 0)[0], offset=0, line=1, column=1)


def test_instance_not_json_is_json_error(lib: ctypes.CDLL, candidate_schema: int) -> None:
    assert_json_error(lib, validate(lib, candidate_schema, b'{"email":"a@b.nl",}')[0], offset=18, line=1, column=19)
    assert_json_error(lib, lib.oreg_schema_validate(candidate_schema, b"[1,]", 4, None), offset=3, line=1, column=4)


def test_instance_length_limits_the_input(lib: ctypes.CDLL) -> None:
    with compiled(lib, b'{"type":"array"}') as handle:
        buffer = ctypes.create_string_buffer(b"[1]]]]", 6)
        assert validate(lib, handle, buffer, 3) == (Status.OREG_OK, None)
        with guarded_buffer(b"[1,2]") as pointer:
            assert validate(lib, handle, pointer, 5) == (Status.OREG_OK, None)


def test_deep_instance_is_limit_error(lib: ctypes.CDLL, candidate_schema: int) -> None:
    document = b"[" * 100000 + b"]" * 100000
    status, seconds = timed(lambda: validate(lib, candidate_schema, document)[0])
    assert_error(lib, status, Status.OREG_ERR_LIMIT, offset=MAX_DEPTH)
    assert seconds < 1
    with compiled(lib, b"{}") as handle:
        assert_error(lib, validate(lib, handle, b"[" * 100000)[0], Status.OREG_ERR_LIMIT)
        assert_valid(lib, handle, b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)


def test_catastrophic_pattern_is_limit_error_quickly(lib: ctypes.CDLL) -> None:
    with compiled(lib, b'{"pattern":"^(a+)+$"}') as handle:
        assert_valid(lib, handle, b'"aaaa"')
        status, seconds = timed(lambda: validate(lib, handle, b'"' + b"a" * 5000 + b'b"')[0])
        assert_error(lib, status, Status.OREG_ERR_LIMIT)
        assert seconds < 1, f"took {seconds:.2f} s"
        status, seconds = timed(lambda: verdict(lib, handle, b'"' + b"a" * 5000 + b'b"'))
        assert_error(lib, status, Status.OREG_ERR_LIMIT)
        assert seconds < 1, f"took {seconds:.2f} s without a report"


@pytest.mark.parametrize("instance", [b"1", b"{}", b'[{"a":[]}]'])
def test_cyclic_ref_is_limit_error(lib: ctypes.CDLL, instance: bytes) -> None:
    with compiled(lib, CYCLIC_SCHEMA) as handle:
        assert_error(lib, validate(lib, handle, instance)[0], Status.OREG_ERR_LIMIT)
        assert_error(lib, verdict(lib, handle, instance), Status.OREG_ERR_LIMIT)


def test_cyclic_ref_on_a_small_stack_is_limit_error(lib: ctypes.CDLL) -> None:
    """A thread with a 256 KiB stack: the library must stop before the stack runs out."""
    with compiled(lib, CYCLIC_SCHEMA) as handle:
        previous = threading.stack_size(256 * 1024)
        try:
            status, error = in_thread(lambda: (verdict(lib, handle, b"1"), last_error(lib)))
        finally:
            threading.stack_size(previous)
    assert status == Status.OREG_ERR_LIMIT, error
    assert error["name"] == "OREG_ERR_LIMIT"


def test_schema_free_null_is_harmless(lib: ctypes.CDLL) -> None:
    lib.oreg_schema_free(None)
    lib.oreg_schema_free(ctypes.c_void_p())


@pytest.mark.parametrize(
    ("multiple_of", "instance", "valid"),
    [
        (b"0.1", b"0.3", True),
        (b"0.1", b"0.7", True),
        (b"0.1", b"3", True),
        (b"0.1", b"-1.1", True),
        (b"0.1", b"0.35", False),
        (b"0.1", b"0.30000000000000004", False),
        (b"0.01", b"19.99", True),
        (b"0.25", b"32.5", True),
        (b"0.25", b"32.3", False),
        (b"1e-8", b"0.00000003", True),
    ],
)
def test_multiple_of_uses_exact_decimals(lib: ctypes.CDLL, multiple_of: bytes, instance: bytes, valid: bool) -> None:
    with compiled(lib, b'{"multipleOf":' + multiple_of + b"}") as handle:
        if valid:
            assert_valid(lib, handle, instance)
        else:
            [error] = assert_invalid(lib, handle, instance)
            assert error["keyword"] == "multipleOf"


# --- JSON Schema: threads ------------------------------------------------------------------


def test_one_schema_shared_by_threads(lib: ctypes.CDLL, candidate_schema: int) -> None:
    thread_count, rounds = 8, 100
    valid = fixture("payloads/candidate-valid-full.json")
    invalid = fixture("payloads/candidate-invalid-many.json")
    _, reference = validate(lib, candidate_schema, invalid)
    assert reference is not None
    barrier = threading.Barrier(thread_count)
    problems: list[str] = []

    def worker(index: int) -> None:
        broken = b" " * index + b"}"  # not JSON at byte `index`
        barrier.wait()
        for round_ in range(rounds):
            status, _ = validate(lib, candidate_schema, broken)
            if status != Status.OREG_ERR_JSON:
                problems.append(f"thread {index} round {round_}: broken gave {status}")
            if validate(lib, candidate_schema, valid) != (Status.OREG_OK, None):
                problems.append(f"thread {index} round {round_}: valid payload rejected")
            if validate(lib, candidate_schema, invalid) != (Status.OREG_INVALID, reference):
                problems.append(f"thread {index} round {round_}: report differs")
            if verdict(lib, candidate_schema, invalid) != Status.OREG_INVALID:
                problems.append(f"thread {index} round {round_}: verdict without report differs")
            error = last_error(lib)
            if (error["name"], error.get("offset")) != ("OREG_ERR_JSON", index):
                problems.append(f"thread {index} round {round_}: last error {error}")

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(thread_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems[:10] == []


def test_schemas_compiled_and_freed_by_threads(lib: ctypes.CDLL) -> None:
    schema = fixture(CREATE_SCHEMA)
    valid = fixture("payloads/candidate-valid-minimal.json")
    problems: list[str] = []

    def worker(index: int) -> None:
        for _ in range(10):
            status, handle = compile_schema(lib, schema, b'{"stopAtFirstError":true}' if index % 2 else None)
            if status != Status.OREG_OK:
                problems.append(f"thread {index}: compile gave {status}")
                return
            try:
                if validate(lib, handle, valid) != (Status.OREG_OK, None):
                    problems.append(f"thread {index}: valid payload rejected")
            finally:
                lib.oreg_schema_free(handle)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
