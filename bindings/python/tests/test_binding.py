"""Tests of the Python binding (bindings/python/onderwijsregio) against the built library and the
local API simulator (tools/simulator/server.py, one per session, reset before every test that uses
it), as a user of the package sees it: Schema, Client, Verifier, sign, the exceptions and their
fields, pagination, the context managers, verify_wsgi with real callbacks received by a WSGI
server, the command line (subprocess), the examples, the wheel installed into a fresh venv, bad
input, and no leaks over 100,000 calls.

The library comes from $ONDERWIJSREGIO_LIB, by default dist/lib/libonderwijsregio.so of this
repository (run `make dist` first).
"""
from __future__ import annotations

import base64
import ctypes
import dataclasses
import datetime
import email.message
import gc
import hashlib
import hmac
import http.client
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

REPO = Path(__file__).resolve().parents[3]
BINDING = REPO / "bindings/python"
EXAMPLES = REPO / "examples/python"
FIXTURES = Path(os.environ.get("ONDERWIJSREGIO_FIXTURES") or REPO.parent / "shared/fixtures")
os.environ.setdefault("ONDERWIJSREGIO_LIB", str(REPO / "dist/lib/libonderwijsregio.so"))
LIB = os.environ["ONDERWIJSREGIO_LIB"]
if str(BINDING) not in sys.path:
    sys.path.insert(0, str(BINDING))

import onderwijsregio  # noqa: E402
from onderwijsregio import (ApiError, Client, DeadlineError, FlushReport, HeaderMalformedError,  # noqa: E402
                            HeaderMissingError, JsonError, OutboxStatus, LibraryNotFoundError, LimitError, MisuseError, MutationResult,
                            OnderwijsregioError, ReplayError, SandboxError, Schema, SchemaError, SignatureError,
                            Status, StorageError, TimestampError, TransportError, ValidationError, Verifier)
from onderwijsregio import _native  # noqa: E402
from simulator import SimControl, launch  # noqa: E402

# Distinctive secrets, so that a leak of either into any output is found.
API_KEY = "binding-test-key-Vw3Qz8Lm5Rt2"
SIGNING_SECRET = "binding-signing-secret-Kp4Xn7Hd2Yb9"
OTHER_SECRET = "binding-other-secret-Ju6Gc1Sf8Wq3"
SECRETS = (API_KEY, SIGNING_SECRET, OTHER_SECRET)
SIM_ARGS = ["--api-key", API_KEY, "--signing-secret", SIGNING_SECRET, "--queue-delay-ms", "20", "--rate-limit", "0",
            "--callback-backoff-ms", "50", "--callback-timeout-ms", "2000", "--callback-attempts", "3"]
FAST = {"retry": {"base_delay_ms": 10, "max_delay_ms": 50, "jitter_seed": 1},
        "timeouts": {"connect_ms": 2000, "request_ms": 5000, "deadline_ms": 30000}}
PERFORMED_AT = "2026-11-02T10:30:00+01:00"
UUID_V4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def assert_no_secret(*texts: str | bytes | None) -> None:
    for text in texts:
        if text is None:
            continue
        value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        for secret in SECRETS:
            assert secret not in value, f"a secret leaked: {value[:500]}"


def candidate(**extra: Any) -> dict[str, Any]:
    value = {"email": f"kandidaat-{uuid.uuid4().hex[:10]}@example.nl", "firstName": "Zoë", "lastName": "Çelik-de Vries",
             "privacyConsent": True}
    value.update(extra)
    return value


# --- the simulator ---------------------------------------------------------------------------------


class Sim(SimControl):
    """The simulator process (simulator.py, started with this file's SIM_ARGS) and its control routes."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(*launch(SIM_ARGS, port))


@pytest.fixture(scope="session")
def server() -> Iterator[Sim]:
    sim = Sim()
    yield sim
    sim.stop()


@pytest.fixture
def sim(server: Sim) -> Sim:
    server.reset()
    return server


@pytest.fixture
def make_client(sim: Sim) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(**overrides: Any) -> Client:
        options: dict[str, Any] = {**FAST, **overrides}
        client = Client(base_url=options.pop("base_url", sim.base_url), api_key=options.pop("api_key", API_KEY),
                        **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


def created_id(sim: Sim, result: MutationResult) -> str:
    sim.drain()
    [applied] = sim.mutations(mutationId=result.mutation_id)
    assert applied["status"] == "succeeded", applied
    return applied["resource"]["ids"][0]


# --- package, library discovery -----------------------------------------------------------------------


def test_versions_agree() -> None:
    assert onderwijsregio.__version__ == "0.1.0"
    assert onderwijsregio.library_version() == onderwijsregio.__version__
    pyproject = (BINDING / "pyproject.toml").read_text()
    assert f'version = "{onderwijsregio.__version__}"' in pyproject
    assert 'requires-python = ">=3.10"' in pyproject
    assert 'onderwijsregio = "onderwijsregio.cli:main"' in pyproject
    assert (BINDING / "onderwijsregio/py.typed").exists()
    assert Path(onderwijsregio.library_path()) == Path(LIB)


def run_python(code: str, env: dict[str, str | None], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in env}
    environment.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run([sys.executable, "-c", code], env=environment, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def copy_package(tmp_path: Path) -> Path:
    """A copy of the package without a bundled library, importable from tmp_path."""
    target = tmp_path / "pkg"
    target.mkdir()
    import shutil

    shutil.copytree(BINDING / "onderwijsregio", target / "onderwijsregio",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
    return target


def test_library_not_found_lists_every_place(tmp_path: Path) -> None:
    # In a clean process (this one has the library loaded, so its soname resolves here).
    probe = run_python("import ctypes, ctypes.util\ntry:\n    ctypes.CDLL('libonderwijsregio.so.0'); print(1)\n"
                       "except OSError:\n    print(1 if ctypes.util.find_library('onderwijsregio') else 0)",
                       {"LD_LIBRARY_PATH": None, "ONDERWIJSREGIO_LIB": None})
    if probe.stdout.strip() != "0":
        pytest.skip("a libonderwijsregio is installed on this host: the search cannot fail here")
    pkg = copy_package(tmp_path)
    code = ("import onderwijsregio, sys\n"
            "try:\n    onderwijsregio.Schema.compile({})\n"
            "except onderwijsregio.LibraryNotFoundError as e:\n"
            "    assert isinstance(e, ImportError) and isinstance(e, onderwijsregio.OnderwijsregioError)\n"
            "    print(e); print(len(e.tried)); sys.exit(3)\n")
    result = run_python(code, {"ONDERWIJSREGIO_LIB": str(tmp_path / "nowhere.so"), "PYTHONPATH": str(pkg),
                               "LD_LIBRARY_PATH": None, "PKG_CONFIG_PATH": None}, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    text = result.stdout
    assert "$ONDERWIJSREGIO_LIB" in text and str(tmp_path / "nowhere.so") in text
    assert "bundled" in text and "_lib/libonderwijsregio.so.0" in text
    assert "ldconfig" in text and "libonderwijsregio.so.0" in text
    # importing alone does not need the library
    result = run_python("import onderwijsregio; print(onderwijsregio.__version__)",
                        {"ONDERWIJSREGIO_LIB": "/nonexistent", "PYTHONPATH": str(pkg)}, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "0.1.0", result.stderr


def test_validating_imports_only_what_it_needs() -> None:
    # Start-up cost: validation needs neither the client nor the verifier, and a library found
    # through $ONDERWIJSREGIO_LIB needs no system search (ldconfig and pkg-config child processes).
    code = ("import sys, onderwijsregio\n"
            "assert onderwijsregio.Schema.compile({'type': 'object'}).is_valid({})\n"
            "print(sorted(m for m in ('onderwijsregio.client', 'onderwijsregio.verifier', 'ctypes.util', 'subprocess')"
            " if m in sys.modules))\n"
            "print(onderwijsregio.Client.__name__, onderwijsregio.sign.__name__, onderwijsregio.TIMESTAMP_HEADER)\n"
            "print('Verifier' in dir(onderwijsregio))\n")
    result = run_python(code, {"ONDERWIJSREGIO_LIB": LIB, "PYTHONPATH": str(BINDING)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "Client sign x-mutationengine-timestamp", "True"]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        getattr(onderwijsregio, "Nope")


def test_library_found_by_directory_and_by_loader(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    libdir = str(Path(LIB).resolve().parent)
    code = "import onderwijsregio; print(onderwijsregio.library_path()); print(onderwijsregio.library_version())"
    by_dir = run_python(code, {"ONDERWIJSREGIO_LIB": libdir, "PYTHONPATH": str(pkg)}, cwd=tmp_path)
    assert by_dir.returncode == 0, by_dir.stderr
    assert by_dir.stdout.splitlines() == [f"{libdir}/libonderwijsregio.so.0", "0.1.0"]
    by_loader = run_python(code, {"ONDERWIJSREGIO_LIB": None, "PYTHONPATH": str(pkg), "LD_LIBRARY_PATH": libdir},
                           cwd=tmp_path)
    assert by_loader.returncode == 0, by_loader.stderr
    assert by_loader.stdout.splitlines()[1] == "0.1.0"
    pc_dir = Path(libdir) / "pkgconfig"
    if pc_dir.is_dir():
        by_pkg_config = run_python(code, {"ONDERWIJSREGIO_LIB": None, "PYTHONPATH": str(pkg), "LD_LIBRARY_PATH": None,
                                          "PKG_CONFIG_PATH": str(pc_dir)}, cwd=tmp_path)
        assert by_pkg_config.returncode == 0, by_pkg_config.stderr
        found = Path(by_pkg_config.stdout.splitlines()[0])
        assert found.resolve() == (Path(libdir) / "libonderwijsregio.so.0").resolve(), found


def test_bundled_copy_is_preferred_over_the_system(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    bundled = pkg / "onderwijsregio/_lib/libonderwijsregio.so.0"
    bundled.write_bytes(Path(LIB).resolve().read_bytes())
    result = run_python("import onderwijsregio; print(onderwijsregio.library_path())",
                        {"ONDERWIJSREGIO_LIB": None, "PYTHONPATH": str(pkg), "LD_LIBRARY_PATH": None}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(bundled)


class _FakeFunction:
    def __init__(self, value: Any) -> None:
        self.value = value
        self.argtypes: Any = None
        self.restype: Any = None

    def __call__(self) -> Any:
        return self.value


def test_version_check_refuses_other_major() -> None:
    for number, accepted in ((1000, True), (1005, True), (2000, True), (999, False), (1000000, False)):
        fake = type("Fake", (), {})()
        for name in _native.PROTOTYPES:
            setattr(fake, name, _FakeFunction(b"x.y.z" if name == "oreg_version" else number))
        if accepted:
            _native._check(fake)  # type: ignore[arg-type]
        else:
            with pytest.raises(LibraryNotFoundError, match="does not fit this binding"):
                _native._check(fake)  # type: ignore[arg-type]
    fake = type("Fake", (), {})()
    with pytest.raises(AttributeError):
        _native._check(fake)  # type: ignore[arg-type]


def test_status_enum_matches_the_header() -> None:
    header = (REPO / "include/onderwijsregio.h").read_text()
    import re

    declared = dict(re.findall(r"^\s*OREG_([A-Z_]+) = (-?\d+),?$", header, re.M))
    assert declared, "no status codes found in the header"
    assert {name: int(value) for name, value in declared.items()} == {s.name: s.value for s in Status}
    lib = _native.load()
    for status in Status:
        assert lib.oreg_status_name(status.value).decode() == "OREG_" + status.name


# --- Schema -----------------------------------------------------------------------------------------


PERSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "naam": {"type": "string", "minLength": 1, "pattern": "^\\p{Letter}[\\p{Letter} '-]*$"},
        "telefoon": {"anyOf": [{"type": "string", "pattern": "^\\+?[0-9 ]{6,20}$"}, {"type": "null"}]},
        "leeftijd": {"type": "integer", "minimum": 16},
        "straße": {"type": "string", "maxLength": 3},
    },
    "required": ["email", "naam"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def person() -> Iterator[Schema]:
    with Schema.compile(PERSON) as schema:
        yield schema


def test_schema_compile_inputs(tmp_path: Path) -> None:
    text = json.dumps(PERSON)
    path = tmp_path / "person.schema.json"
    path.write_text(text)
    good = {"email": "zoe@example.nl", "naam": "Zoë Çelik"}
    for source in (PERSON, text, text.encode(), path):
        with Schema.compile(source) as schema:   # type: ignore[arg-type]
            assert schema.is_valid(good)
            assert not schema.is_valid({"email": "x"})
    with Schema.compile(True) as anything:
        assert anything.is_valid([1, "two", None])


def test_validate_report_fields(person: Schema) -> None:
    report = person.validate({"email": "geen-adres", "naam": "", "telefoon": "bel me", "extra": 1})
    assert report.valid is False and not report
    by_keyword = {issue.keyword: issue for issue in report.errors}
    assert set(by_keyword) == {"format", "minLength", "pattern", "anyOf", "additionalProperties"}, report.errors
    email = by_keyword["format"]
    assert email.instance_location == "/email"
    assert email.keyword_location == "/properties/email/format"
    assert email.message and isinstance(email.message, str)
    any_of = by_keyword["anyOf"]
    assert any_of.instance_location == "/telefoon"
    assert {nested.keyword for nested in any_of.errors} == {"pattern", "type"}
    assert all(isinstance(nested, onderwijsregio.ValidationIssue) for nested in any_of.errors)
    flat = list(report.iter_errors())
    assert len(flat) == len(report.errors) + len(any_of.errors)
    assert report.raw is not None and report.raw["valid"] is False
    assert "/telefoon" in report.format() and "  - " in report.format()
    with pytest.raises(ValidationError) as caught:
        report.raise_for_errors()
    assert caught.value.report is report and caught.value.errors == report.errors
    assert caught.value.status == Status.INVALID and caught.value.status_name == "OREG_INVALID"
    valid = person.validate({"email": "a@b.nl", "naam": "An"})
    assert valid.valid and valid and valid.errors == [] and valid.raw is None
    valid.raise_for_errors()


def test_payload_kinds_agree(person: Schema) -> None:
    good = {"email": "a@b.nl", "naam": "Ëlise"}
    text = json.dumps(good, ensure_ascii=False)
    for payload in (good, text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert person.validate(payload).valid
        assert person.is_valid(payload)
    assert person.validate([good]).valid is False          # a list is serialised: not an object
    assert not person.is_valid("[]") and not person.is_valid(b"null")
    assert person.validate(None).valid is False and person.validate(5).valid is False


def test_non_ascii_everywhere(person: Schema) -> None:
    report = person.validate({"email": "ü@example.nl", "naam": "Zoë 李", "straße": "Königsallee", "😀": "x"})
    locations = {issue.instance_location for issue in report.errors}
    assert "/straße" in locations, report.errors
    assert any(issue.keyword == "additionalProperties" for issue in report.errors)
    assert any("😀" in issue.message for issue in report.errors), report.errors
    with Schema.compile({"type": "object", "properties": {"naïve": {"const": "café"}}}) as schema:
        assert schema.is_valid({"naïve": "café"})
        [issue] = schema.validate('{"naïve": "cafe"}').errors
        assert issue.instance_location == "/naïve" and issue.keyword == "const"
        assert schema.is_valid('{"na\\u00efve": "caf\\u00e9"}'.encode())


def test_schema_options(tmp_path: Path) -> None:
    email = {"type": "string", "format": "email"}
    with Schema.compile(email) as asserted, Schema.compile(email, format_assertion=False) as annotated:
        assert not asserted.is_valid('"no"') and annotated.is_valid('"no"')
    many = {"type": "object", "required": ["a", "b"], "properties": {"c": {"type": "string"}}}
    with Schema.compile(many) as full, Schema.compile(many, stop_at_first_error=True) as first:
        assert len(full.validate({"c": 1}).errors) == 2
        assert len(first.validate({"c": 1}).errors) == 1
    draft4 = {"maximum": 5, "exclusiveMaximum": True}
    with Schema.compile(draft4, default_draft="draft4") as schema:
        assert schema.is_valid(4) and not schema.is_valid(5)
    with pytest.raises(SchemaError):
        Schema.compile(draft4)                 # 2020-12: exclusiveMaximum must be a number
    with Schema.compile({"type": "array"}, max_depth=3) as shallow:
        assert shallow.is_valid([[1]])
        with pytest.raises(LimitError):
            shallow.validate([[[[[1]]]]])
    with Schema.compile({"$ref": "https://example.nl/naam.json"},
                        resources={"https://example.nl/naam.json": {"type": "string", "minLength": 2}}) as ref:
        assert ref.is_valid('"Jo"')
        [issue] = ref.validate('"J"').errors
        assert issue.keyword == "minLength"
        assert issue.absolute_keyword_location and issue.absolute_keyword_location.startswith("https://example.nl/naam.json")
    with Schema.compile({"type": "object", "required": ["email"]}, validate_schema=False) as unchecked:
        assert unchecked.is_valid({"email": 1})
    with pytest.raises(MisuseError) as caught:
        Schema.compile({}, default_draft="draft3")
    assert isinstance(caught.value, ValueError) and caught.value.status == Status.ERR_MISUSE


def test_schema_language_passes_through() -> None:
    schema = {"type": "object", "required": ["email"]}
    with Schema.compile(schema, language="en") as english:
        [issue] = english.validate({}).errors
        assert "email" in issue.message
    try:
        dutch = Schema.compile(schema, language="nl")
    except MisuseError as error:          # a library without Dutch yet: it must name the option
        assert "language" in str(error)
        pytest.skip(f"this library has no Dutch messages yet: {error}")
    with dutch:
        [nl] = dutch.validate({}).errors
        assert "email" in nl.message and nl.message != issue.message, nl.message
    with pytest.raises(MisuseError, match="language"):
        Schema.compile(schema, language="de")


def test_schema_errors() -> None:
    with pytest.raises(SchemaError) as caught:
        Schema.compile({"type": "niets", "properties": {"a": {"minLength": -1}}})
    error = caught.value
    assert error.status == Status.ERR_SCHEMA and error.status_name == "OREG_ERR_SCHEMA"
    assert error.location is not None and error.details["name"] == "OREG_ERR_SCHEMA"
    with pytest.raises(JsonError) as bad_json:
        Schema.compile('{"type": "string",}')
    assert bad_json.value.offset == 18 and bad_json.value.line == 1 and bad_json.value.column == 19
    with pytest.raises(SchemaError):
        Schema.compile({"pattern": "(unclosed"})


def test_validate_failures(person: Schema) -> None:
    with pytest.raises(JsonError) as caught:
        person.validate('{"email": "a@b.nl",\n "naam": NaN}')
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, OnderwijsregioError)
    assert (error.line, error.column) == (2, 10) and error.offset == 29
    assert error.details["status"] == Status.ERR_JSON
    with pytest.raises(JsonError):
        person.is_valid(b"\xff\xfe")
    with pytest.raises(JsonError):
        person.validate("")
    with pytest.raises(LimitError):
        person.validate("[" * 600 + "]" * 600)
    with Schema.compile({"type": "string", "pattern": "^(a+)+$"}) as evil:
        with pytest.raises(LimitError):
            evil.validate('"' + "a" * 40000 + 'b"')


def test_type_errors_before_any_call(person: Schema) -> None:
    with Schema.compile({}) as schema:
        pass
    assert schema.closed
    for bad in ({"a": object()}, {"a": float("nan")}, {"a": {1, 2}}, {"a": b"bytes"}, object(), {1j: 1}):
        with pytest.raises(TypeError):
            schema.validate(bad)          # closed: a library call would be MisuseError
        with pytest.raises(TypeError):
            schema.is_valid(bad)
    circular: dict[str, Any] = {}
    circular["self"] = circular
    with pytest.raises(TypeError):
        person.validate(circular)
    with pytest.raises(TypeError):
        Schema.compile({"type": object()})
    with pytest.raises(ValueError):
        person.validate("\ud800")        # a lone surrogate cannot be UTF-8
    with pytest.raises(MisuseError, match="closed"):
        schema.validate({})


def test_schema_lifecycle() -> None:
    schema = Schema.compile({"type": "string"})
    assert "open" in repr(schema)
    schema.close()
    schema.close()
    assert schema.closed and "closed" in repr(schema)
    with pytest.raises(MisuseError):
        schema.is_valid('"x"')
    with pytest.raises(MisuseError):
        with schema:
            pass
    for _ in range(200):                 # collected without close(): __del__ frees
        Schema.compile({"type": "string"})
    gc.collect()


def test_schema_shared_by_threads(person: Schema) -> None:
    failures: list[str] = []

    def work(index: int) -> None:
        for i in range(300):
            try:
                if (i + index) % 3 == 0:
                    with pytest.raises(JsonError) as caught:
                        person.validate("{" * (1 + index))
                    assert caught.value.offset is not None
                elif (i + index) % 3 == 1:
                    assert person.validate({"email": "x", "naam": "Jan"}).errors[0].instance_location == "/email"
                else:
                    assert person.is_valid({"email": "a@b.nl", "naam": "Jan"})
            except AssertionError as error:  # pragma: no cover - reported below
                failures.append(str(error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_shared_fixtures_agree() -> None:
    expected = json.loads((FIXTURES / "payloads/expected.json").read_text())
    schemas: dict[str, Schema] = {}
    try:
        for case in expected:
            schema = schemas.get(case["schema"]) or schemas.setdefault(case["schema"],
                                                                       Schema.compile(FIXTURES / case["schema"]))
            report = schema.validate((FIXTURES / case["payload"]).read_bytes())
            assert report.valid == case["valid"], (case["payload"], report.format())
            if not case["valid"]:
                assert report.errors
    finally:
        for schema in schemas.values():
            schema.close()


def test_json_helpers() -> None:
    assert onderwijsregio.canonicalize('{"b": 1.0, "a": [1e21], "é": "\\u00e9"}') == '{"a":[1e+21],"b":1,"é":"é"}'
    assert onderwijsregio.canonicalize({"z": 1, "a": None}) == '{"a":null,"z":1}'
    onderwijsregio.check_json(b'{"a": 1}')
    with pytest.raises(JsonError):
        onderwijsregio.check_json("[1,]")
    with pytest.raises(onderwijsregio.RangeError):
        onderwijsregio.canonicalize("1e400")


# --- Client: construction, schema, validation ---------------------------------------------------------


def test_client_options_and_user_agent(sim: Sim, make_client: Callable[..., Client]) -> None:
    client = make_client(user_agent_suffix="mijn-site/2")
    assert sim.requests() == [], "creating a client must not touch the network"
    assert client.schema() == json.loads(sim.request("GET", "/api/v2/schema", headers={"x-api-key": API_KEY})[1])["data"]
    [request] = [r for r in sim.requests("/api/*/schema", "GET") if "libonderwijsregio" in r["headers"].get("user-agent", "")]
    agent = request["headers"]["user-agent"]
    assert agent.startswith("libonderwijsregio/0.1.0"), agent
    assert f"python-onderwijsregio/{onderwijsregio.__version__} mijn-site/2" in agent
    assert request["headers"]["x-api-key"] == "[redacted]"
    assert "x-api-sandbox" not in request["headers"]
    assert API_KEY not in repr(client) and API_KEY not in str(vars(client))


def test_client_snake_case_options_reach_the_library(sim: Sim, make_client: Callable[..., Client]) -> None:
    sim.fault(method="GET", path="/api/*/schema", count=1, status=503)
    no_retry = make_client(retry={"max_retries": 0})
    with pytest.raises(ApiError) as caught:
        no_retry.schema()
    assert caught.value.http_status == 503 and caught.value.attempts == 1 and caught.value.retryable
    sim.fault(method="GET", path="/api/*/schema", count=1, status=503)
    retrying = make_client(retry={"max_retries": 2, "base_delay_ms": 5, "max_delay_ms": 10})
    assert retrying.schema()["type"] == "object"
    assert len(sim.requests("/api/*/schema", "GET")) == 3
    with pytest.raises(MisuseError, match="connectMss|connect_mss|timeouts"):
        make_client(timeouts={"connect_mss": 5})
    with pytest.raises(MisuseError, match="colour|unknown"):
        make_client(favourite_colour="blue")
    with pytest.raises(MisuseError):
        make_client(base_url="http://example.nl/api/v2")   # plain http leaves loopback: refused
    with pytest.raises(MisuseError, match="apiKey"):
        Client(base_url=sim.base_url)
    with pytest.raises(TypeError):
        make_client(timeouts={"connect_ms": object()})


def test_client_schema_cache_and_language(sim: Sim, make_client: Callable[..., Client], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    client = make_client(schema_cache={"dir": str(cache), "ttl_seconds": 60})
    update = client.schema("update")
    assert "required" not in update or update.get("required") in ([], None)
    files = list(cache.iterdir())
    not_a_directory = tmp_path / "bestand"
    not_a_directory.write_text("x")
    assert files and all(API_KEY not in f.name and API_KEY.encode() not in f.read_bytes() for f in files if f.is_file())
    with pytest.raises(StorageError) as caught:
        make_client(schema_cache={"dir": str(not_a_directory)})
    assert isinstance(caught.value, OSError) and caught.value.status == Status.ERR_IO
    with pytest.raises(MisuseError):
        client.schema("delete")      # type: ignore[arg-type]
    try:
        dutch = make_client(language="nl")
    except MisuseError as error:
        pytest.skip(f"this library has no client option language yet: {error}")
    report = dutch.validate({"email": "a@b.nl"})
    assert not report.valid and report.errors


def test_client_validate(client: Client) -> None:
    good = candidate()
    assert client.validate(good).valid and client.is_valid(good)
    report = client.validate({"email": "jan..jansen@example", "firstName": "Jan"})
    assert not report.valid
    assert {"/email", ""} <= {issue.instance_location for issue in report.errors}
    batch = client.validate([good, {"email": 3}], "candidates.create")
    assert not batch.valid and all(issue.instance_location.startswith("/1") for issue in batch.errors)
    assert client.validate({"phase": "employed"}, "update").valid
    assert not client.is_valid({"phase": "slapend"}, "update")
    assert client.validate([{"type": "intake", "performedAt": PERFORMED_AT}], "interactions.create").valid
    with pytest.raises(MisuseError):
        client.validate({}, "candidates.delete")
    with pytest.raises(JsonError):
        client.validate("{nee}")
    with pytest.raises(TypeError):
        client.validate({"datum": datetime.date.today()})


# --- Client: mutations --------------------------------------------------------------------------------


def test_create_candidates_result(sim: Sim, client: Client) -> None:
    import re

    result = client.create_candidates([candidate(), candidate()])
    assert isinstance(result, MutationResult)
    assert result.http_status == 202 and result.mutation_id.startswith("mut_")
    assert re.match(UUID_V4, result.idempotency_key, re.I), result.idempotency_key
    assert result.operation == "candidate.create" and result.status == "queued"
    assert result.replayed is False and result.attempts == 1 and result.request_id
    assert result.data["itemCount"] == 2 and isinstance(result.meta, dict)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.mutation_id = "x"  # type: ignore[misc]
    sim.drain()
    [applied] = sim.mutations(mutationId=result.mutation_id)
    assert applied["status"] == "succeeded" and len(applied["resource"]["ids"]) == 2


def test_idempotency_keys(sim: Sim, client: Client) -> None:
    payload = candidate()
    first = client.create_candidates([payload], idempotency_key="formulier-42")
    again = client.create_candidates([payload], idempotency_key="formulier-42")
    assert first.idempotency_key == again.idempotency_key == "formulier-42"
    assert again.replayed and again.mutation_id == first.mutation_id
    content = client.create_candidates([payload], idempotency_key="content")
    same = client.create_candidates((payload,), idempotency_key="content")
    assert content.idempotency_key.startswith("sha256-") and same.replayed
    assert same.mutation_id == content.mutation_id
    with pytest.raises(ApiError) as caught:
        client.create_candidates([candidate()], idempotency_key="formulier-42")
    error = caught.value
    assert error.http_status == 409 and error.idempotency_key == "formulier-42" and not error.retryable
    sim.drain()
    assert len(sim.mutations(idempotencyKey="formulier-42")) == 1


def test_validation_error_sends_nothing(sim: Sim, client: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_candidates([{"email": "geen"}], idempotency_key="ongeldig-1", callback_url="http://127.0.0.1:9/x")
    error = caught.value
    assert error.idempotency_key == "ongeldig-1" and not error.retryable
    assert not error.report.valid and error.report.errors[0].instance_location.startswith("/0")
    assert "does not match" in str(error)
    with pytest.raises(ValidationError) as caught:
        client.update_candidate("recX", {"phase": "slapend"})
    assert caught.value.idempotency_key is None    # nothing was sent: no key was used
    assert sim.requests("/api/*/candidates*", "POST") == [] and sim.requests("/api/*/candidates*", "PATCH") == []


def test_api_errors_carry_their_fields(sim: Sim, client: Client) -> None:
    import re

    with pytest.raises(ApiError) as caught:
        client.update_candidate("recBestaatNiet", {"phase": "employed"})
    error = caught.value
    assert error.http_status == 404 and error.status == Status.ERR_HTTP and error.status_name == "OREG_ERR_HTTP"
    assert re.match(UUID_V4, error.idempotency_key or "", re.I) and error.retryable is False
    assert error.request_id and error.request_id.startswith("req_")
    assert error.service_message and "recBestaatNiet" in error.service_message
    assert error.issues == [] and error.details["httpStatus"] == 404
    with pytest.raises(ApiError) as invalid:
        client.create_candidates([{"email": "geen"}], validate=False, idempotency_key="door-naar-service")
    assert invalid.value.http_status == 422 and invalid.value.issues
    assert invalid.value.idempotency_key == "door-naar-service"
    assert {"keyword", "instanceLocation", "message"} <= set(invalid.value.issues[0])
    assert_no_secret(str(error), json.dumps(error.details), str(invalid.value), json.dumps(invalid.value.details))


def test_failed_mutation_can_be_retried_with_its_key(sim: Sim, make_client: Callable[..., Client]) -> None:
    client = make_client(retry={"max_retries": 1, "base_delay_ms": 5, "max_delay_ms": 10})
    client.schema()
    sim.fault(method="POST", path="/api/*/candidates", count=5, status=503)
    payload = candidate()
    with pytest.raises(ApiError) as caught:
        client.create_candidates([payload])
    error = caught.value
    assert error.http_status == 503 and error.retryable and error.idempotency_key
    sim.control("DELETE", "faults")
    result = client.create_candidates([payload], idempotency_key=error.idempotency_key)
    assert result.idempotency_key == error.idempotency_key
    sim.drain()
    assert len(sim.mutations(idempotencyKey=error.idempotency_key)) == 1


def test_transport_errors(sim: Sim, make_client: Callable[..., Client]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    offline = make_client(base_url=f"http://127.0.0.1:{closed_port}/api/v2",
                          retry={"max_retries": 1, "base_delay_ms": 5, "max_delay_ms": 10})
    with pytest.raises(TransportError) as caught:
        offline.create_candidates([candidate()], validate=False)
    error = caught.value
    assert error.status == Status.ERR_TRANSPORT and error.retryable and error.idempotency_key
    assert error.attempts == 2
    with pytest.raises(TransportError) as schema_error:
        offline.schema()
    assert schema_error.value.idempotency_key is None
    # a delay longer than the deadline: DeadlineError, a TransportError
    slow = make_client(timeouts={"connect_ms": 1000, "request_ms": 300, "deadline_ms": 500},
                       retry={"max_retries": 5, "base_delay_ms": 50, "max_delay_ms": 100})
    slow.schema()
    sim.fault(method="POST", path="/api/*/candidates", count=10, action="none", delayMs=400)
    with pytest.raises(TransportError) as late:
        slow.create_candidates([candidate()], idempotency_key="te-laat")
    assert late.value.idempotency_key == "te-laat" and late.value.retryable
    assert isinstance(late.value, DeadlineError) or late.value.status == Status.ERR_TRANSPORT
    # the delayed requests are still processed by the simulator: let them finish inside this test
    sim.control("DELETE", "faults")
    time.sleep(0.8)
    sim.drain()


def test_sandbox_error(sim: Sim, make_client: Callable[..., Client]) -> None:
    client = make_client(sandbox=True)
    assert client.sandbox and "sandbox" in repr(client)
    assert client.list_candidates().items == []
    [request] = sim.requests("/api/*/candidates", "GET")
    assert request["headers"].get("x-api-sandbox") == "true"
    body = json.dumps({"statusCode": 200, "message": "ok", "data": [], "meta": {"sandboxEnabled": False}})
    sim.fault(method="GET", path="/api/*/candidates", count=1, status=200, body=body)
    with pytest.raises(SandboxError) as caught:
        client.list_candidates()
    assert caught.value.status == Status.ERR_SANDBOX


def test_response_error(sim: Sim, client: Client) -> None:
    client.schema()
    sim.fault(method="POST", path="/api/*/candidates", count=1, status=202, body="geen json",
              contentType="text/plain")
    with pytest.raises(onderwijsregio.ResponseError) as caught:
        client.create_candidates([candidate()], idempotency_key="rare-reactie")
    assert caught.value.status == Status.ERR_RESPONSE and caught.value.idempotency_key == "rare-reactie"


# --- the durable outbox ---------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second simulator on a fixed port, stopped: ``start()`` brings it (back) up on that port."""
    port = free_port()
    state: dict[str, Any] = {"port": port, "base_url": f"http://127.0.0.1:{port}/api/v2", "sim": None,
                             "outbox": tmp_path / "outbox.db"}

    def start() -> Sim:
        state["sim"] = Sim(port)
        assert state["sim"].base_url == state["base_url"]
        return state["sim"]

    state["start"] = start
    yield state
    if state["sim"] is not None:
        state["sim"].stop()


def test_outbox_queues_while_down_and_flush_delivers_once(outage: dict[str, Any],
                                                           make_client: Callable[..., Client]) -> None:
    client = make_client(base_url=outage["base_url"], outbox={"path": outage["outbox"], "lease_seconds": 30},
                         retry={"max_retries": 1, "base_delay_ms": 5, "max_delay_ms": 10})
    payload = candidate()
    # down: the schema cannot be fetched for validation, nor the mutation sent: kept, not raised
    kept = client.create_candidates([payload], idempotency_key="outbox-1")
    assert isinstance(kept, MutationResult) and kept.queued
    assert kept.idempotency_key == "outbox-1" and isinstance(kept.outbox_id, int)
    assert kept.mutation_id is None and kept.http_status is None and kept.status is None
    assert kept.last_error and "message" in kept.last_error
    other = client.upsert_candidate(candidate(), validate=False)
    assert other.queued and other.outbox_id != kept.outbox_id
    import re
    assert re.match(UUID_V4, other.idempotency_key)
    refused = client.update_candidate("recOnbekend", {"phase": "left"}, idempotency_key="outbox-dead", validate=False)
    assert refused.queued
    status = client.outbox_status()
    assert isinstance(status, OutboxStatus) and status.path == str(outage["outbox"])
    assert status.queued == 3 and status.dead == 0 and status.counts["delivered"] == 0
    assert {e["idempotencyKey"] for e in status.oldest["queued"]} == {"outbox-1", other.idempotency_key, "outbox-dead"}
    # still down, within the backoff: nothing is tried
    waiting = client.flush()
    assert isinstance(waiting, FlushReport)
    assert (waiting.delivered, waiting.dead, waiting.remaining, waiting.entries) == (0, 0, 3, [])
    # back up on the same port: every entry goes out once, with its own key
    sim = outage["start"]()
    report = client.flush(ignore_backoff=True)
    outcomes = {entry.idempotency_key: entry for entry in report.entries}
    assert report.delivered == 2 and report.dead == 1 and report.remaining == 0, report
    assert outcomes["outbox-1"].outcome == "delivered" and outcomes["outbox-1"].mutation_id.startswith("mut_")
    assert outcomes["outbox-dead"].outcome == "dead" and outcomes["outbox-dead"].error
    assert client.flush(ignore_backoff=True) == FlushReport(0, 0, 0, 0, [])
    sim.drain()
    [applied] = sim.mutations(idempotencyKey="outbox-1")
    assert applied["mutationId"] == outcomes["outbox-1"].mutation_id and applied["status"] == "succeeded"
    assert applied["body"][0]["email"] == payload["email"]
    assert len(sim.mutations(idempotencyKey=other.idempotency_key)) == 1
    status = client.outbox_status()
    assert (status.queued, status.delivered, status.dead) == (0, 2, 1)
    # callbacks (verified first, in real life) mark entries completed or failed
    mutation_id = outcomes["outbox-1"].mutation_id
    assert client.record_callback(json.dumps({"mutationId": mutation_id, "status": "succeeded"}).encode()) is True
    assert client.record_callback({"mutationId": "mut_nooit_gezien", "status": "succeeded"}) is False
    status = client.outbox_status()
    assert status.completed == 1 and status.delivered == 1
    with pytest.raises(MisuseError):
        client.record_callback(b"{}")
    with pytest.raises(JsonError):
        client.record_callback(b'{"mutationId": ')
    with pytest.raises(TypeError):
        client.record_callback(42)  # type: ignore[arg-type]
    # up: a delivered mutation is a normal result, and validation failures are never queued
    direct = client.create_candidates([candidate()])
    assert not direct.queued and direct.outbox_id is None and direct.mutation_id.startswith("mut_")
    with pytest.raises(ValidationError):
        client.create_candidates([{"email": "geen adres"}])
    assert client.outbox_status().queued == 0


def test_outbox_misuse(sim: Sim, client: Client, make_client: Callable[..., Client], tmp_path: Path) -> None:
    for call in (lambda: client.flush(), client.outbox_status, lambda: client.record_callback(b'{"status": "x"}')):
        with pytest.raises(MisuseError, match="outbox"):
            call()
    with_outbox = make_client(outbox=tmp_path / "shorthand.db")     # a path alone is enough
    assert with_outbox.outbox_status().path == str(tmp_path / "shorthand.db")
    assert with_outbox.flush(max=1) == FlushReport(0, 0, 0, 0, [])
    with pytest.raises(MisuseError):
        with_outbox.flush(max=0)
    with pytest.raises(TypeError):
        with_outbox.flush(max="10")  # type: ignore[arg-type]
    with pytest.raises(MisuseError, match="outbox"):
        make_client(outbox={"path": str(tmp_path / "x.db"), "lease_secs": 5})
    with pytest.raises(StorageError):
        make_client(outbox={"path": str(tmp_path / "no such dir" / "outbox.db")})
    with_outbox.close()
    with pytest.raises(MisuseError, match="closed"):
        with_outbox.flush()


@pytest.mark.parametrize("status", [s for s in Status if s < 0])
def test_every_status_has_its_exception(status: Status) -> None:
    details = {"status": int(status), "name": "OREG_" + status.name, "message": "zo ging het mis: ë",
               "idempotencyKey": "k-1", "retryable": True, "httpStatus": 503, "offset": 3, "location": "/a"}
    error = onderwijsregio.errors.error_for_status(int(status), details)
    expected = {
        Status.ERR_MISUSE: MisuseError, Status.ERR_NOMEM: onderwijsregio.OutOfMemoryError, Status.ERR_JSON: JsonError,
        Status.ERR_LIMIT: LimitError, Status.ERR_RANGE: onderwijsregio.RangeError, Status.ERR_SCHEMA: SchemaError,
        Status.ERR_TRANSPORT: TransportError, Status.ERR_HTTP: ApiError, Status.ERR_DEADLINE: DeadlineError,
        Status.ERR_RESPONSE: onderwijsregio.ResponseError, Status.ERR_SANDBOX: SandboxError,
        Status.ERR_IO: StorageError, Status.ERR_HEADER_MISSING: HeaderMissingError,
        Status.ERR_HEADER_MALFORMED: HeaderMalformedError, Status.ERR_SIGNATURE: SignatureError,
        Status.ERR_TOO_OLD: TimestampError, Status.ERR_TOO_NEW: TimestampError, Status.ERR_REPLAYED: ReplayError,
        Status.ERR_INTERNAL: onderwijsregio.InternalError}[status]
    assert type(error) is expected and isinstance(error, OnderwijsregioError)
    assert error.status == status and error.status_name == "OREG_" + status.name
    assert error.message == "zo ging het mis: ë" and str(error) == f"zo ging het mis: ë (OREG_{status.name})"
    assert error.idempotency_key == "k-1" and error.retryable is True and error.details == details
    assert isinstance(error, DeadlineError) == (status == Status.ERR_DEADLINE)
    unknown = onderwijsregio.errors.error_for_status(-77, {})
    assert type(unknown) is onderwijsregio.InternalError and unknown.status_name == "OREG_UNKNOWN"


def test_every_mutation_and_read(sim: Sim, client: Client) -> None:
    email = f"Lotte.{uuid.uuid4().hex[:8]}@Example.nl"
    created = client.create_candidates([candidate(email=email, phone="+31 6 1234 5678")])
    candidate_id = created_id(sim, created)
    record = client.get_candidate(candidate_id)
    assert record["id"] == candidate_id and record["firstName"] == "Zoë" and record["lastName"] == "Çelik-de Vries"
    assert [c["id"] for c in client.find_candidate(email=email.lower())] == [candidate_id]
    assert [c["id"] for c in client.find_candidate(phone="0031-6-12345678".replace("0031-", "+31"))] == [candidate_id]
    assert client.find_candidate(email="niemand+tag@example.nl") == []
    with pytest.raises(TypeError):
        client.find_candidate()
    with pytest.raises(TypeError):
        client.find_candidate(email="a@b.nl", phone="0612345678")

    upserted = client.upsert_candidate(candidate(email=email.upper(), motivation="Ik wil lesgeven — écht!"))
    assert created_id(sim, upserted) == candidate_id
    assert client.get_candidate(candidate_id)["motivation"] == "Ik wil lesgeven — écht!"

    with pytest.raises(ValidationError):
        client.update_candidate(candidate_id, {"motivation": None})     # not nullable
    updated = client.update_candidate(candidate_id, {"phase": "orienting", "phone": None})
    assert updated.operation == "candidate.update"
    sim.drain()
    record = client.get_candidate(candidate_id)
    assert record["phase"] == "orienting" and "phone" not in record and record["motivation"]

    added = client.add_interactions(candidate_id, [{"type": "intake", "performedAt": PERFORMED_AT, "summary": "Eerste gesprek ☕"},
                                                   {"type": "phone_call", "performedAt": PERFORMED_AT}])
    sim.drain()
    assert sim.mutations(mutationId=added.mutation_id)[0]["status"] == "succeeded"
    interactions = client.list_interactions(candidate_id)
    assert len(interactions) == 2 and {i["type"] for i in interactions} == {"intake", "phone_call"}
    intake = next(i for i in interactions if i["type"] == "intake")
    client.update_interaction(candidate_id, intake["id"], {"durationMinutes": 45})
    sim.drain()
    intake = next(i for i in client.list_interactions(candidate_id) if i["id"] == intake["id"])
    assert intake["durationMinutes"] == 45 and intake["summary"] == "Eerste gesprek ☕"
    client.delete_interaction(candidate_id, intake["id"])
    sim.drain()
    assert [i["type"] for i in client.list_interactions(candidate_id)] == ["phone_call"]

    files = [{"url": "https://example.nl/cv-zo%C3%AB.pdf"},
             {"base64": base64.b64encode(b"%PDF-1.4 cv").decode(), "filename": "cv Zoë.pdf", "contentType": "application/pdf"}]
    attached = client.add_attachments(candidate_id, "curriculumVitae", files)
    sim.drain()
    [applied] = sim.mutations(mutationId=attached.mutation_id)
    assert applied["status"] == "succeeded" and len(applied["resource"]["ids"]) == 2
    attachment_id = applied["resource"]["ids"][0]
    client.delete_attachment(candidate_id, attachment_id)
    sim.drain()
    assert [a["id"] for a in client.get_candidate(candidate_id)["curriculumVitae"]] == applied["resource"]["ids"][1:]
    with pytest.raises(ValidationError):
        client.add_attachments(candidate_id, "curriculumVitae", [{"url": "geen url", "filename": "x"}])

    archived = client.archive_candidate(candidate_id)
    sim.drain()
    assert client.get_candidate(candidate_id)["archived"] is True
    deleted = client.delete_candidate(candidate_id, idempotency_key="weg-ermee", callback_url="http://127.0.0.1:9/hook")
    assert deleted.idempotency_key == "weg-ermee"
    sim.drain()
    with pytest.raises(ApiError) as gone:
        client.get_candidate(candidate_id)
    assert gone.value.http_status == 404 and gone.value.idempotency_key is None
    operations = [m["operation"] for m in sim.mutations()]
    assert operations == ["candidate.create", "candidate.upsert", "candidate.update", "interaction.create",
                          "interaction.update", "interaction.delete", "attachment.add", "attachment.delete",
                          "candidate.archive", "candidate.delete"], operations
    assert archived.operation == "candidate.archive"


def test_ids_are_url_encoded(sim: Sim, client: Client) -> None:
    for weird in ("a b", "x/y", "é?&#%", "../candidates"):
        with pytest.raises(ApiError) as caught:
            client.get_candidate(weird)
        assert caught.value.http_status == 404, weird
    targets = [r["target"] for r in sim.requests("/api/*/candidates/*", "GET")]
    assert "/api/v2/candidates/a%20b" in targets and "/api/v2/candidates/x%2Fy" in targets
    assert "/api/v2/candidates/%C3%A9%3F%26%23%25" in targets and "/api/v2/candidates/..%2Fcandidates" in targets
    assert client.find_candidate(email="a+b&c=d@example.nl") == []
    [find] = sim.requests("/api/*/candidates/find", "GET")
    assert find["target"].endswith("?email=a%2Bb%26c%3Dd%40example.nl"), find["target"]
    with pytest.raises(MisuseError):
        client.update_interaction("a/b", "c", {"durationMinutes": 1})
    with pytest.raises(MisuseError):
        client.delete_attachment("abc", "")
    with pytest.raises(MisuseError):
        client.get_candidate("")
    with pytest.raises(TypeError):
        client.archive_candidate(5)  # type: ignore[arg-type]


def test_pagination(sim: Sim, client: Client) -> None:
    emails = [f"pagina-{n}-{uuid.uuid4().hex[:6]}@example.nl" for n in range(7)]
    for start in range(0, 7, 3):
        client.create_candidates([candidate(email=e) for e in emails[start:start + 3]])
    sim.drain()
    seen = [c["email"] for c in client.iter_candidates(page_size=2)]
    assert seen == emails
    pages = list(client.iter_pages(page_size=3))
    assert [len(p.items) for p in pages] == [3, 3, 1] and pages[-1].cursor is None
    assert all(p.cursor for p in pages[:-1])
    gets = sim.requests("/api/*/candidates", "GET")
    assert len(gets) == 4 + 3 and "pageSize=2" in gets[0]["target"]
    assert any("cursor=" in g["target"] for g in gets)
    assert [c["email"] for c in client.iter_candidates()] == emails
    page = client.list_candidates(page_size=5)
    again = client.list_candidates(page_size=5, cursor=page.cursor)
    assert [c["email"] for c in page.items + again.items] == emails
    with pytest.raises(ApiError):
        client.list_candidates(page_size=0)
    with pytest.raises(TypeError):
        client.list_candidates(page_size="10")  # type: ignore[arg-type]


def test_client_context_manager_and_close(sim: Sim) -> None:
    with Client(base_url=sim.base_url, api_key=API_KEY, **FAST) as client:
        assert not client.closed and client.schema()
    assert client.closed and "closed" in repr(client)
    with pytest.raises(MisuseError, match="closed"):
        client.schema()
    with pytest.raises(MisuseError):
        client.create_candidates([candidate()])
    client.close()
    with pytest.raises(MisuseError):
        with client:
            pass
    try:
        with Client(base_url=sim.base_url, api_key=API_KEY) as failing:
            raise KeyError("boom")
    except KeyError:
        pass
    assert failing.closed
    for _ in range(50):
        Client(base_url=sim.base_url, api_key=API_KEY)
    gc.collect()


def test_handles_freed_at_interpreter_exit(tmp_path: Path, server: Sim) -> None:
    code = f"""
import onderwijsregio, sys
c = onderwijsregio.Client(base_url={server.base_url!r}, api_key={API_KEY!r})
s = onderwijsregio.Schema.compile({{"type": "string"}})
v = onderwijsregio.Verifier([{SIGNING_SECRET!r}], replay_store={str(tmp_path / 'r.db')!r})
cycle = [c, s, v]; cycle.append(cycle)
assert c.schema()["type"] == "object"
print("done")
"""
    result = run_python(code, {"PYTHONPATH": str(BINDING)})
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr
    assert result.stderr == ""


# --- Verifier and sign ---------------------------------------------------------------------------------

TS = 1767225600
NONCE = "nonce-Abc_123-xyz-0123456789"
TARGET = "/hooks/onderwijsregio?site=3&naam=Zo%C3%AB"
BODY = json.dumps({"mutationId": "mut_1", "status": "succeeded", "note": "Zoë ☕"}, ensure_ascii=False).encode()


def py_sign(secret: str, timestamp: int | str, nonce: str, target: str | bytes, body: bytes) -> str:
    """An independent implementation of api-contract.md section 8."""
    raw_target = target.encode() if isinstance(target, str) else target
    message = str(timestamp).encode() + b"\n" + nonce.encode() + b"\n" + raw_target + b"\n" + body
    return "v2=" + base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def headers_for(signature: str, timestamp: int | str = TS, nonce: str = NONCE) -> dict[str, str]:
    return {"X-MutationEngine-Timestamp": str(timestamp), "x-mutationengine-nonce": nonce,
            "X-MUTATIONENGINE-SIGNATURE": signature}


def test_sign_matches_an_independent_implementation() -> None:
    assert onderwijsregio.sign(SIGNING_SECRET, TARGET, BODY, TS, NONCE) == py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    assert onderwijsregio.sign(SIGNING_SECRET.encode(), TARGET.encode(), BODY, str(TS), NONCE) == \
        py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    assert onderwijsregio.sign("geheim-met-ë-en-☕-x", "/h", b"", TS, NONCE) == py_sign("geheim-met-ë-en-☕-x", TS, NONCE, "/h", b"")
    with pytest.raises(TypeError):
        onderwijsregio.sign(SIGNING_SECRET, TARGET, BODY.decode(), TS, NONCE)  # type: ignore[arg-type]
    with pytest.raises(MisuseError):
        onderwijsregio.sign("te-kort", TARGET, BODY, TS, NONCE)
    with pytest.raises(HeaderMalformedError):
        onderwijsregio.sign(SIGNING_SECRET, TARGET, BODY, TS, "kort")
    with pytest.raises(MisuseError):
        onderwijsregio.sign(SIGNING_SECRET, "hooks", BODY, TS, NONCE)
    headers = onderwijsregio.signed_headers(SIGNING_SECRET, TARGET, BODY)
    assert abs(int(headers[onderwijsregio.TIMESTAMP_HEADER]) - time.time()) < 5
    assert headers[onderwijsregio.SIGNATURE_HEADER] == py_sign(SIGNING_SECRET, headers["x-mutationengine-timestamp"],
                                                                headers["x-mutationengine-nonce"], TARGET, BODY)


def test_verify_accepts_any_header_container() -> None:
    signature = py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    with Verifier([SIGNING_SECRET], replay_store=False) as verifier:
        assert verifier.verify(TARGET, BODY, headers_for(signature), now=TS) is None
        message = email.message.Message()
        for name, value in headers_for(signature).items():
            message[name] = value
        verifier.verify(TARGET, BODY, message, now=TS + 10)
        asgi = [(name.lower().encode(), value.encode()) for name, value in headers_for(signature).items()]
        verifier.verify(TARGET.encode(), bytearray(BODY), asgi, now=TS - 10)
        verifier.verify(TARGET, memoryview(BODY), {**headers_for(signature), "content-type": "application/json"},
                        now=datetime.datetime.fromtimestamp(TS, datetime.timezone.utc))
        # two signature headers (rotation): any entry may match
        verifier.verify(TARGET, BODY, [("x-mutationengine-timestamp", str(TS)), ("x-mutationengine-nonce", NONCE),
                                       ("x-mutationengine-signature", py_sign(OTHER_SECRET, TS, NONCE, TARGET, BODY)),
                                       ("x-mutationengine-signature", signature)], now=TS)
        with pytest.raises(HeaderMalformedError):
            verifier.verify(TARGET, BODY, [("x-mutationengine-timestamp", str(TS)), ("x-mutationengine-timestamp", "1"),
                                           ("x-mutationengine-nonce", NONCE), ("x-mutationengine-signature", signature)],
                            now=TS)


def test_verify_failures_map_to_exceptions(tmp_path: Path) -> None:
    signature = py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    with Verifier([OTHER_SECRET, SIGNING_SECRET], tolerance=60) as verifier:
        with pytest.raises(TypeError, match="raw"):
            verifier.verify(TARGET, BODY.decode(), headers_for(signature), now=TS)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            verifier.verify(TARGET, json.loads(BODY), headers_for(signature), now=TS)  # type: ignore[arg-type]
        with pytest.raises(SignatureError) as forged:
            verifier.verify(TARGET, BODY.replace(b"succeeded", b"failed"), headers_for(signature), now=TS)
        assert type(forged.value) is SignatureError and forged.value.status == Status.ERR_SIGNATURE
        assert forged.value.status_name == "OREG_ERR_SIGNATURE" and forged.value.details["message"]
        with pytest.raises(SignatureError):
            verifier.verify("/hooks/onderwijsregio?site=3&naam=Zoë", BODY, headers_for(signature), now=TS)
        with pytest.raises(HeaderMissingError):
            verifier.verify(TARGET, BODY, {"x-mutationengine-signature": signature}, now=TS)
        with pytest.raises(HeaderMissingError):
            verifier.verify(TARGET, BODY, {}, now=TS)
        with pytest.raises(HeaderMalformedError):
            verifier.verify(TARGET, BODY, headers_for(signature, timestamp="gisteren"), now=TS)
        with pytest.raises(TimestampError) as old:
            verifier.verify(TARGET, BODY, headers_for(signature), now=TS + 61)
        assert old.value.too_old and not old.value.too_new and old.value.status == Status.ERR_TOO_OLD
        with pytest.raises(TimestampError) as new:
            verifier.verify(TARGET, BODY, headers_for(signature), now=TS - 61)
        assert new.value.too_new and isinstance(new.value, SignatureError)
        verifier.verify(TARGET, BODY, headers_for(signature), now=TS + 60)
        with pytest.raises(ReplayError) as replayed:
            verifier.verify(TARGET, BODY, headers_for(signature), now=TS + 1)
        assert isinstance(replayed.value, SignatureError) and replayed.value.status == Status.ERR_REPLAYED
        with pytest.raises(MisuseError):
            verifier.verify("hooks", BODY, headers_for(signature), now=TS)
        with pytest.raises(TypeError):
            verifier.verify(TARGET, BODY, "x-mutationengine-nonce: x", now=TS)
        with pytest.raises(TypeError):
            verifier.verify(TARGET, BODY, headers_for(signature), now=True)  # type: ignore[arg-type]
        for error in (forged.value, old.value, replayed.value):
            assert_no_secret(str(error), json.dumps(error.details))
    with pytest.raises(MisuseError):
        verifier.verify(TARGET, BODY, headers_for(signature), now=TS)


def test_verifier_options(tmp_path: Path) -> None:
    with pytest.raises(MisuseError) as short:
        Verifier(["kort"])
    assert_no_secret(str(short.value))
    with pytest.raises(TypeError):
        Verifier(SIGNING_SECRET)  # type: ignore[arg-type]
    with pytest.raises(MisuseError):
        Verifier([])
    with pytest.raises(MisuseError):
        Verifier([SIGNING_SECRET], tolerance=0)
    with pytest.raises(StorageError):
        Verifier([SIGNING_SECRET], replay_store=tmp_path / "geen-map" / "replay.db")
    signature = py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    store = tmp_path / "replay.db"
    with Verifier([SIGNING_SECRET], replay_store=store) as first, \
            Verifier([SIGNING_SECRET], replay_store=str(store), max_entries=10) as second:
        first.verify(TARGET, BODY, headers_for(signature), now=TS)
        with pytest.raises(ReplayError):
            second.verify(TARGET, BODY, headers_for(signature), now=TS)   # shared through the file
    assert store.exists() and (store.stat().st_mode & 0o777) == 0o600
    with Verifier([SIGNING_SECRET], replay_store=False) as none:
        for _ in range(3):
            none.verify(TARGET, BODY, headers_for(signature), now=TS)
    with Verifier([SIGNING_SECRET], max_entries=1) as bounded:
        other_nonce = "another-nonce-0123456789"
        bounded.verify(TARGET, BODY, headers_for(signature), now=TS)
        bounded.verify(TARGET, BODY, headers_for(py_sign(SIGNING_SECRET, TS, other_nonce, TARGET, BODY), nonce=other_nonce), now=TS)
        bounded.verify(TARGET, BODY, headers_for(signature), now=TS)       # the first was dropped
    with Verifier([SIGNING_SECRET], replay_store={"max_entries": 5}) as mapped:
        mapped.verify(TARGET, BODY, headers_for(signature), now=TS)
    with pytest.raises(MisuseError):
        Verifier([SIGNING_SECRET], replay_store=False, max_entries=3)


def environ_for(target: str, body: bytes, headers: dict[str, str], **extra: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": urllib.parse.unquote(path, "latin-1"),
                               "QUERY_STRING": query, "SCRIPT_NAME": "", "CONTENT_LENGTH": str(len(body)),
                               "wsgi.input": io.BytesIO(body)}
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    environ.update(extra)
    return environ


def test_verify_wsgi_targets() -> None:
    target = "/hooks/zo%C3%AB%20en%20co/x?site=3&naam=Zo%C3%AB&lege="
    signature = py_sign(SIGNING_SECRET, TS, NONCE, target, BODY)
    with Verifier([SIGNING_SECRET], replay_store=False) as verifier:
        verifier.verify_wsgi(environ_for(target, BODY, headers_for(signature)), BODY, now=TS)
        # RAW_URI (gunicorn) and REQUEST_URI (uWSGI, mod_wsgi) win over PATH_INFO
        wrong = environ_for("/ergens/anders", BODY, headers_for(signature))
        verifier.verify_wsgi({**wrong, "RAW_URI": target}, BODY, now=TS)
        verifier.verify_wsgi({**wrong, "REQUEST_URI": target}, BODY, now=TS)
        with pytest.raises(SignatureError):
            verifier.verify_wsgi(wrong, BODY, now=TS)
        # mounted under a SCRIPT_NAME
        mounted = environ_for("/x?site=3&naam=Zo%C3%AB&lege=", BODY, headers_for(signature),
                              SCRIPT_NAME=urllib.parse.unquote("/hooks/zo%C3%AB%20en%20co", "latin-1"))
        verifier.verify_wsgi(mounted, BODY, now=TS)
        plain = "/hook"
        verifier.verify_wsgi(environ_for(plain, b"", headers_for(py_sign(SIGNING_SECRET, TS, NONCE, plain, b""))), b"", now=TS)
        with pytest.raises(HeaderMissingError):
            verifier.verify_wsgi({"PATH_INFO": "/hook", "REQUEST_METHOD": "POST"}, b"", now=TS)
        with pytest.raises(TypeError):
            verifier.verify_wsgi(environ_for(target, BODY, headers_for(signature)), BODY.decode(), now=TS)  # type: ignore[arg-type]
        scope = {"type": "http", "raw_path": b"/hooks/zo%C3%AB%20en%20co/x", "query_string": b"site=3&naam=Zo%C3%AB&lege=",
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers_for(signature).items()]}
        verifier.verify_asgi(scope, BODY, now=TS)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class CallbackEndpoint:
    """examples/python/callback_wsgi.py's application served by wsgiref in a thread: the real WSGI
    receiver of the simulator's callbacks. Records every request's answer and every processed body."""

    def __init__(self, verifier: Verifier) -> None:
        spec = importlib.util.spec_from_file_location("callback_wsgi_example", EXAMPLES / "callback_wsgi.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.processed: list[dict[str, Any]] = []
        self.answers: list[tuple[str, str]] = []   # (target, status)
        self.changed = threading.Condition()
        app = module.make_app(verifier, self.processed.append)

        def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                with self.changed:
                    self.answers.append((environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""), status))
                    self.changed.notify_all()
                return start_response(status, headers, *exc)
            return app(environ, start)

        self.server = make_server("127.0.0.1", 0, recording, server_class=WSGIServer, handler_class=QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, target: str) -> str:
        return f"http://127.0.0.1:{self.port}{target}"

    def wait(self, count: int, timeout: float = 20) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.answers) >= count, timeout), self.answers

    def post(self, target: str, body: bytes, headers: dict[str, str]) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_verify_wsgi_with_real_callbacks(sim: Sim, client: Client, tmp_path: Path) -> None:
    target = "/hooks/onderwijsregio/zo%C3%AB?site=3&a=%20b&naam=%C3%A9%F0%9F%98%80"
    with Verifier([SIGNING_SECRET], replay_store=tmp_path / "replay.db") as verifier:
        endpoint = CallbackEndpoint(verifier)
        try:
            accepted = client.create_candidates([candidate(motivation="Waarom? Omdat ☕ & 😀")],
                                                callback_url=endpoint.url(target))
            endpoint.wait(1)
            sim.drain(callbacks=True)
            assert [status for _, status in endpoint.answers] == ["204 No Content"], endpoint.answers
            [payload] = endpoint.processed
            assert payload["mutationId"] == accepted.mutation_id and payload["status"] == "succeeded"
            [delivery] = sim.callbacks(mutationId=accepted.mutation_id)
            assert delivery["responseStatus"] == 204 and delivery["delivered"] is True
            assert delivery["path"] if "path" in delivery else True
            raw_body = delivery["body"].encode() if isinstance(delivery["body"], str) else json.dumps(delivery["body"]).encode()
            headers = {k: v for k, v in delivery["headers"].items() if k.lower().startswith("x-mutationengine-")}
            # the same callback again (a replay): acknowledged, not processed again
            assert endpoint.post(target, raw_body, headers) == 204
            # tampered body, tampered target, missing header: 401, nothing processed
            assert endpoint.post(target, raw_body.replace(b"succeeded", b"failed"), headers) == 401
            assert endpoint.post(target.replace("site=3", "site=4"), raw_body, headers) == 401
            assert endpoint.post(target, raw_body, {k: v for k, v in headers.items() if "nonce" not in k.lower()}) == 401
            fresh = onderwijsregio.signed_headers(OTHER_SECRET, target, raw_body)
            assert endpoint.post(target, raw_body, fresh) == 401
            # a correctly signed new delivery (fresh nonce) is processed
            good = onderwijsregio.signed_headers(SIGNING_SECRET, target, raw_body)
            assert endpoint.post(target, raw_body, good) == 204
            assert len(endpoint.processed) == 2
        finally:
            endpoint.close()


# --- the command line ----------------------------------------------------------------------------------


def cli(*args: str, env: dict[str, str | None] | None = None, stdin: bytes | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(BINDING)
    for name in ("ONDERWIJSREGIO_API_KEY", "ONDERWIJSREGIO_BASE_URL", "ONDERWIJSREGIO_SIGNING_SECRET"):
        environment.pop(name, None)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    result = subprocess.run([sys.executable, "-m", "onderwijsregio", *args], env=environment, input=stdin,
                            capture_output=True, timeout=60, cwd=cwd)
    completed = subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8"),
                                            result.stderr.decode("utf-8"))
    assert_no_secret(completed.stdout, completed.stderr)
    return completed


def api_env(sim: Sim) -> dict[str, str | None]:
    return {"ONDERWIJSREGIO_API_KEY": API_KEY, "ONDERWIJSREGIO_BASE_URL": sim.base_url}


def test_cli_help_and_version() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("schema", "validate", "submit", "verify", "sign", "sim", "outbox"):
        assert command in result.stdout
    assert "ONDERWIJSREGIO_API_KEY" in result.stdout
    assert cli("--version").stdout.strip() == f"onderwijsregio {onderwijsregio.__version__}"
    assert cli().returncode == 2
    assert cli("submit", "candidates.explode", "x.json").returncode == 2


def test_cli_validate(sim: Sim, tmp_path: Path) -> None:
    good = tmp_path / "goed.json"
    good.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "fout ë.json"
    bad.write_text(json.dumps({"email": "geen", "firstName": "Zoë", "😀": 1}, ensure_ascii=False), encoding="utf-8")
    broken = tmp_path / "kapot.json"
    broken.write_bytes(b'{"email": ')
    ok = cli("validate", str(good), env=api_env(sim))
    assert ok.returncode == 0 and ok.stdout.strip() == f"{good}: valid", ok.stderr
    invalid = cli("validate", str(good), str(bad), env=api_env(sim))
    assert invalid.returncode == 1, invalid.stderr
    lines = invalid.stdout.splitlines()
    assert lines[0] == f"{good}: valid" and lines[1].startswith(f"{bad}: invalid (")
    assert any(line.strip().startswith("- /email:") for line in lines), invalid.stdout
    assert "😀" in invalid.stdout
    as_json = cli("validate", str(good), str(bad), str(broken), "--json", env=api_env(sim))
    assert as_json.returncode == 1
    verdict = json.loads(as_json.stdout)
    assert verdict["valid"] is False and [f["valid"] for f in verdict["files"]] == [True, False, False]
    assert verdict["files"][1]["errors"][0]["instanceLocation"] is not None
    assert "not" in verdict["files"][2]["error"] or "JSON" in verdict["files"][2]["error"]
    update = cli("validate", "-", "--operation", "update", env=api_env(sim), stdin=b'{"phase": "employed"}')
    assert update.returncode == 0, update.stderr
    batch = cli("validate", "-", "--operation", "candidates.create", "--json", env=api_env(sim),
                stdin=json.dumps([candidate(), {"email": 1}]).encode())
    assert batch.returncode == 1 and json.loads(batch.stdout)["files"][0]["errors"][0]["instanceLocation"].startswith("/1")
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(PERSON, ensure_ascii=False), encoding="utf-8")
    offline = cli("validate", "--schema", str(schema_file), str(bad))
    assert offline.returncode == 1 and "/email" in offline.stdout
    missing_key = cli("validate", str(good))
    assert missing_key.returncode == 2 and "ONDERWIJSREGIO_API_KEY" in missing_key.stderr
    missing_file = cli("validate", str(tmp_path / "nergens.json"), env=api_env(sim))
    assert missing_file.returncode == 2 and "cannot read" in missing_file.stderr


def test_cli_schema_submit_get(sim: Sim, tmp_path: Path) -> None:
    schema = cli("schema", "--operation", "update", env=api_env(sim))
    assert schema.returncode == 0, schema.stderr
    served = json.loads(sim.request("GET", "/api/v2/schema?operation=update", headers={"x-api-key": API_KEY})[1])["data"]
    assert json.loads(schema.stdout) == served
    payload = tmp_path / "kandidaat.json"
    payload.write_text(json.dumps([candidate()], ensure_ascii=False), encoding="utf-8")
    submitted = cli("submit", "candidates.create", str(payload), "--idempotency-key", "cli-1",
                    "--callback-url", "http://127.0.0.1:9/hook", env=api_env(sim))
    assert submitted.returncode == 0, submitted.stderr
    result = json.loads(submitted.stdout)
    assert result["idempotencyKey"] == "cli-1" and result["mutationId"].startswith("mut_") and not result["replayed"]
    replay = json.loads(cli("submit", "candidates.create", str(payload), "--idempotency-key", "cli-1",
                            "--callback-url", "http://127.0.0.1:9/hook", env=api_env(sim)).stdout)
    assert replay["replayed"] and replay["mutationId"] == result["mutationId"]
    sim.drain()
    candidate_id = sim.mutations(mutationId=result["mutationId"])[0]["resource"]["ids"][0]
    archived = cli("submit", "candidates.archive", "--target", candidate_id, env=api_env(sim))
    assert archived.returncode == 0 and json.loads(archived.stdout)["operation"] == "candidate.archive"
    invalid = cli("submit", "candidates.update", "-", "--target", candidate_id, env=api_env(sim), stdin=b'{"phase": "x"}')
    assert invalid.returncode == 1 and "nothing was sent" in invalid.stderr and "/phase" in invalid.stderr
    refused = cli("submit", "candidates.update", "-", "--target", "recOnbekend", env=api_env(sim), stdin=b'{"phase": "left"}')
    assert refused.returncode == 1
    assert "HTTP status: 404" in refused.stderr and "idempotency key: " in refused.stderr
    sim.drain()
    got = cli("get", f"/candidates/{candidate_id}", env=api_env(sim))
    assert got.returncode == 0 and json.loads(got.stdout)["data"]["archived"] is True
    misuse = cli("submit", "candidates.delete", env=api_env(sim))
    assert misuse.returncode == 2 and "target" in misuse.stderr


def test_cli_outbox(outage: dict[str, Any], tmp_path: Path) -> None:
    db = str(outage["outbox"])
    env: dict[str, str | None] = {"ONDERWIJSREGIO_API_KEY": API_KEY, "ONDERWIJSREGIO_BASE_URL": outage["base_url"],
                                  "ONDERWIJSREGIO_OUTBOX": db}
    empty = cli("outbox", "status", env=env)
    assert empty.returncode == 0 and empty.stdout.startswith(f"outbox {db}: 0 queued"), empty.stderr
    payload = tmp_path / "kandidaat.json"
    payload.write_text(json.dumps([candidate()], ensure_ascii=False), encoding="utf-8")
    kept = cli("submit", "candidates.create", str(payload), "--idempotency-key", "cli-outbox-1", "--no-validate",
               env=env)
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["queued"] is True and json.loads(kept.stdout)["idempotencyKey"] == "cli-outbox-1"
    assert "outbox" in kept.stderr
    status = cli("outbox", "status", "--json", env=env)
    assert status.returncode == 1, status.stderr
    states = json.loads(status.stdout)["states"]
    assert states["queued"]["count"] == 1 and states["queued"]["oldest"][0]["idempotencyKey"] == "cli-outbox-1"
    down = cli("outbox", "flush", "--max", "1", "--ignore-backoff", env=env)
    assert down.returncode == 1 and down.stdout.strip() == \
        "outbox flush: 0 delivered, 1 requeued, 0 dead; left: 1 queued, 0 dead", down.stdout + down.stderr
    sim = outage["start"]()
    flushed = cli("outbox", "flush", "--ignore-backoff", "--outbox", db,
                  env={**env, "ONDERWIJSREGIO_OUTBOX": str(tmp_path / "not-this-one.db")})
    assert flushed.returncode == 0, flushed.stderr
    assert flushed.stdout.strip() == "outbox flush: 1 delivered, 0 requeued, 0 dead; left: 0 queued, 0 dead"
    assert cli("outbox", "status", env=env).returncode == 0
    sim.drain()
    assert len(sim.mutations(idempotencyKey="cli-outbox-1")) == 1
    as_json = cli("outbox", "flush", "--json", env=env)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["remaining"] == 0
    no_path = cli("outbox", "flush", env={**env, "ONDERWIJSREGIO_OUTBOX": None})
    assert no_path.returncode == 2 and "ONDERWIJSREGIO_OUTBOX" in no_path.stderr
    assert cli("outbox", env=env).returncode == 2


def test_cli_sign_and_verify(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(BODY)
    env = {"ONDERWIJSREGIO_SIGNING_SECRET": SIGNING_SECRET}
    signed = cli("sign", "--path", TARGET, "--body", str(body), "--timestamp", str(TS), "--nonce", NONCE, "--json", env=env)
    assert signed.returncode == 0, signed.stderr
    headers = json.loads(signed.stdout)
    assert headers["x-mutationengine-signature"] == py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    plain = cli("sign", "--path", TARGET, "--body", "-", env=env, stdin=BODY)
    assert plain.returncode == 0 and plain.stdout.count("x-mutationengine-") == 3
    args = ["verify", "--path", TARGET, "--body", str(body), "--timestamp", str(TS), "--nonce", NONCE,
            "--signature", headers["x-mutationengine-signature"]]
    ok = cli(*args, "--now", str(TS), env=env)
    assert ok.returncode == 0 and ok.stdout.strip() == "valid", ok.stderr
    stale = cli(*args, env=env)     # the system clock: far from 2026-01-01? only if the clock moved on
    assert stale.returncode in (0, 1)
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(BODY + b" ")
    forged = cli("verify", "--path", TARGET, "--body", str(tampered), "--timestamp", str(TS), "--nonce", NONCE,
                 "--signature", headers["x-mutationengine-signature"], "--now", str(TS), env=env)
    assert forged.returncode == 1 and forged.stdout.startswith("invalid:") and "OREG_ERR_SIGNATURE" in forged.stdout
    no_secret = cli(*args)
    assert no_secret.returncode == 2 and "ONDERWIJSREGIO_SIGNING_SECRET" in no_secret.stderr
    short = cli(*args, env={"ONDERWIJSREGIO_SIGNING_SECRET": "kort"})
    assert short.returncode == 2 and "kort" not in short.stderr


def test_cli_sim(tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPATH=str(BINDING))
    process = subprocess.Popen([sys.executable, "-m", "onderwijsregio", "sim", "--port", "0", "--api-key", API_KEY],
                               env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        assert line.startswith("http://127.0.0.1:") and line.endswith("/api/v2"), line
        with Client(base_url=line, api_key=API_KEY) as client:
            assert client.schema()["type"] == "object"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
    missing = cli("sim", env={"ONDERWIJSREGIO_SIMULATOR": str(tmp_path / "nergens")}, cwd=tmp_path)
    assert missing.returncode == 2 and "tools/simulator/server.py" in missing.stderr


# --- the examples ------------------------------------------------------------------------------------


def run_example(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PYTHONPATH=str(BINDING), **(env or {}))
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=environment, capture_output=True,
                            text=True, timeout=60)
    assert_no_secret(result.stdout, result.stderr)
    return result


def test_examples(sim: Sim, tmp_path: Path) -> None:
    good = FIXTURES / "payloads/candidate-valid-full.json"
    bad = FIXTURES / "payloads/candidate-invalid-many.json"
    schema = FIXTURES / "schema/candidate-create.schema.json"
    offline = run_example("validate_payload.py", "--schema", str(schema), str(good), str(bad))
    assert offline.returncode == 1 and f"{good}: valid" in offline.stdout and f"{bad}: invalid" in offline.stdout
    online = run_example("validate_payload.py", str(good), env={"ONDERWIJSREGIO_API_KEY": API_KEY,
                                                                 "ONDERWIJSREGIO_BASE_URL": sim.base_url})
    assert online.returncode == 0, online.stderr
    dutch = run_example("validate_payload.py", "--language", "nl", "--schema", str(schema), str(bad))
    assert dutch.returncode == 1
    env = {"ONDERWIJSREGIO_API_KEY": API_KEY, "ONDERWIJSREGIO_BASE_URL": sim.base_url}
    first = run_example("submit_candidate.py", env=env)
    assert first.returncode == 0 and first.stdout.startswith("queued: mut_"), first.stderr
    second = run_example("submit_candidate.py", env=env)
    assert "replayed" in second.stdout, second.stdout
    invalid_file = tmp_path / "fout.json"
    invalid_file.write_text('{"email": "geen"}')
    invalid = run_example("submit_candidate.py", str(invalid_file), env=env)
    assert invalid.returncode == 1 and "invalid, nothing sent" in invalid.stdout
    assert sim.requests("/api/*/candidates", "POST").__len__() == 2
    assert run_example("callback_wsgi.py").returncode == 2


# --- the wheel ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path(LIB).exists():
        pytest.skip("no built library")
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(["bash", str(REPO / "tools/build/wheel.sh"), str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    [built] = out.glob("onderwijsregio-*.whl")
    assert result.stdout.strip() == str(built)
    return built


def test_wheel_contents(wheel: Path) -> None:
    import platform

    version = onderwijsregio.__version__
    assert wheel.name == f"onderwijsregio-{version}-py3-none-linux_{platform.machine()}.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"onderwijsregio-{version}.dist-info"
        assert {"onderwijsregio/__init__.py", "onderwijsregio/py.typed", "onderwijsregio/_lib/libonderwijsregio.so.0",
                f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD", f"{info}/entry_points.txt"} <= names
        assert archive.read("onderwijsregio/_lib/libonderwijsregio.so.0") == Path(LIB).resolve().read_bytes()
        assert (archive.getinfo("onderwijsregio/_lib/libonderwijsregio.so.0").external_attr >> 16) & 0o111
        wheel_text = archive.read(f"{info}/WHEEL").decode()
        assert "Root-Is-Purelib: false" in wheel_text and f"Tag: py3-none-linux_{platform.machine()}" in wheel_text
        metadata = archive.read(f"{info}/METADATA").decode()
        assert f"Version: {version}" in metadata and "Requires-Python: >=3.10" in metadata
        assert "onderwijsregio = onderwijsregio.cli:main" in archive.read(f"{info}/entry_points.txt").decode()
        import csv

        rows = list(csv.reader(io.StringIO(archive.read(f"{info}/RECORD").decode())))
        assert {row[0] for row in rows} == names
        for name, digest, size in rows:
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == expected and int(size) == len(data), name
        assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_wheel_installs_into_a_fresh_venv(wheel: Path, tmp_path: Path, server: Sim) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=180)
    python = venv / "bin/python"
    env = {k: v for k, v in os.environ.items() if k not in ("ONDERWIJSREGIO_LIB", "PYTHONPATH", "LD_LIBRARY_PATH")}
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--disable-pip-version-check", "-q",
                              str(wheel)], env=env, capture_output=True, text=True, timeout=180)
    assert install.returncode == 0, install.stderr
    helped = subprocess.run([str(venv / "bin/onderwijsregio"), "--help"], env=env, capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert helped.returncode == 0 and "validate" in helped.stdout, helped.stderr
    code = ("import onderwijsregio as o, sys\n"
            "print(o.library_path()); print(o.library_version())\n"
            "s = o.Schema.compile({'type': 'object', 'required': ['naam']})\n"
            "print(s.is_valid({'naam': 'Zoë'}), s.validate({}).errors[0].keyword)\n"
            f"c = o.Client(base_url={server.base_url!r}, api_key={API_KEY!r})\n"
            "print(c.schema()['type']); c.close()\n")
    used = subprocess.run([str(python), "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert used.returncode == 0, used.stderr
    lines = used.stdout.splitlines()
    assert lines[0].startswith(str(venv)) and lines[0].endswith("onderwijsregio/_lib/libonderwijsregio.so.0")
    assert lines[1:] == [onderwijsregio.__version__, "True required", "object"]
    module = subprocess.run([str(python), "-m", "onderwijsregio", "--version"], env=env, capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert module.stdout.strip() == f"onderwijsregio {onderwijsregio.__version__}"
    typed = subprocess.run([str(python), "-c", "import onderwijsregio, pathlib; "
                            "print((pathlib.Path(onderwijsregio.__file__).parent / 'py.typed').exists())"],
                           env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert typed.stdout.strip() == "True"


# --- no leaks ------------------------------------------------------------------------------------------


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth(work: Callable[[], None], rounds: int = 100_000, warmup: int = 10_000) -> int:
    for _ in range(warmup):
        work()
    gc.collect()
    before = rss_bytes()
    for _ in range(rounds):
        work()
    gc.collect()
    return rss_bytes() - before


LIMIT_BYTES = 2 * 1024 * 1024


def test_no_leak_validating(person: Schema) -> None:
    invalid = {"email": "geen", "naam": "", "telefoon": "bel"}
    valid = b'{"email": "a@b.nl", "naam": "Zo\xc3\xab"}'

    def work() -> None:
        assert not person.validate(invalid).valid       # a report is allocated, copied and freed
        assert person.is_valid(valid)

    grown = growth(work)
    assert grown < LIMIT_BYTES, f"RSS grew by {grown} bytes over 100,000 validations"


def test_no_leak_failing_through_exceptions(person: Schema) -> None:
    def work() -> None:
        try:
            person.validate(b'{"email": ')                # JsonError: last error read and parsed
        except JsonError:
            pass
        try:
            person.validate({"email": 1}).raise_for_errors()
        except ValidationError:
            pass

    grown = growth(work)
    assert grown < LIMIT_BYTES, f"RSS grew by {grown} bytes over 100,000 failing validations"


def test_no_leak_client_validate(client: Client) -> None:
    client.schema()
    invalid = [{"email": "geen", "firstName": "Zoë"}]
    good = candidate()

    def work() -> None:
        assert not client.validate(invalid, "candidates.create").valid
        assert client.is_valid(good)
        try:
            client.validate(b"[")
        except JsonError:
            pass

    grown = growth(work, rounds=50_000, warmup=5_000)
    assert grown < LIMIT_BYTES, f"RSS grew by {grown} bytes over 50,000 client validations"


def test_no_leak_verifying() -> None:
    signature = py_sign(SIGNING_SECRET, TS, NONCE, TARGET, BODY)
    with Verifier([SIGNING_SECRET], replay_store=False) as verifier:
        def work() -> None:
            verifier.verify(TARGET, BODY, headers_for(signature), now=TS)
            try:
                verifier.verify(TARGET, BODY + b"x", headers_for(signature), now=TS)
            except SignatureError:
                pass

        grown = growth(work, rounds=50_000, warmup=5_000)
    assert grown < LIMIT_BYTES, f"RSS grew by {grown} bytes over 50,000 verifications"
