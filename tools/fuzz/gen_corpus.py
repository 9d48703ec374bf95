#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses into OUT/<harness>/ (never into the repository).

Usage: gen_corpus.py OUT [CONFORMANCE] [FIXTURES]
  CONFORMANCE  ../shared/conformance: json-test-suite/test_parsing/*.json (every y_, n_ and i_ file),
               json-schema-test-suite/tests/{draft2020-12,draft7}/*.json and remotes/
  FIXTURES     ../shared/fixtures: schema/*.schema.json and payloads/*.json
Either directory may be missing: the hand-written seeds below are always written. Files are named
by their SHA-1, as libFuzzer names what it adds, so regenerating is idempotent.
"""
import base64
import hashlib
import hmac
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
conformance = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
fixtures = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else None
counts = {}


def seed(harness, data):
    if isinstance(data, str):
        data = data.encode()
    directory = out / harness
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)
        counts[harness] = counts.get(harness, 0) + 1


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


DRAFT7 = "http://json-schema.org/draft-07/schema#"

# --- JSON documents: the parsing suite as is, and every schema and instance below.
if conformance and (conformance / "json-test-suite/test_parsing").is_dir():
    for path in sorted((conformance / "json-test-suite/test_parsing").glob("*.json")):
        seed("FuzzJSON", path.read_bytes())

# --- Schemas and (schema, instance) pairs from the JSON-Schema-Test-Suite.
suite = conformance / "json-schema-test-suite" if conformance else None
if suite and suite.is_dir():
    for draft, flags in (("draft2020-12", 0), ("draft7", 1)):
        for path in sorted((suite / "tests" / draft).glob("**/*.json")):
            try:
                groups = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for group in groups:
                schema = group["schema"]
                if draft == "draft7" and isinstance(schema, dict) and "$schema" not in schema:
                    schema = {"$schema": DRAFT7, **schema}
                text = dumps(schema)
                seed("FuzzSchemaCompile", text)
                seed("FuzzJSON", text)
                for test in group["tests"][:4]:
                    instance = dumps(test["data"])
                    seed("FuzzValidate", text.encode() + b"\0" + instance.encode() + b"\0" + bytes([flags]))
                    seed("FuzzJSON", instance)
    for path in sorted((suite / "remotes").glob("**/*.json")):
        seed("FuzzSchemaCompile", path.read_bytes())

# --- The project's fixtures: the service's schemas and candidate payloads.
if fixtures and fixtures.is_dir():
    schemas = sorted((fixtures / "schema").glob("*.json"))
    payloads = [p for p in sorted((fixtures / "payloads").glob("*.json")) if p.name != "expected.json"]
    for path in schemas + payloads:
        seed("FuzzJSON", path.read_bytes())
    for path in schemas:
        seed("FuzzSchemaCompile", path.read_bytes())
        for payload in payloads:
            for flags in (0, 16, 32, 8):
                seed("FuzzValidate", path.read_bytes() + b"\0" + payload.read_bytes() + b"\0" + bytes([flags]))
        # The envelope the service wraps a schema in.
        seed("FuzzEnvelope", b"\0content-type: application/json\nx-request-id: r-1\0"
             + b'{"data":' + path.read_bytes() + b',"meta":{"requestId":"r-2"}}')

# --- Hand-written JSON and schema corner cases (always present).
for text in ['{"a":[1,2.5e-3,-0,"\\u00e9\\ud83d\\ude00"],"b":{"c":null,"d":true}}', '1E400', '-1e-400',
             '[' * 600 + ']' * 600, '"\\u0000"', '{"":{"":[]}}', '123456789012345678901234567890',
             '0.1', '9007199254740993', '{"a":1,"a":2}']:
    seed("FuzzJSON", text)
for schema, instance in [
    ('{"type":"object","properties":{"a":{"type":"integer","minimum":0}},"required":["a"]}', '{"a":-1}'),
    ('{"pattern":"^(a+)+$"}', '"' + "a" * 40 + 'b"'),
    ('{"$ref":"#"}', '1'),
    ('{"$defs":{"x":{"$ref":"#/$defs/x"}},"$ref":"#/$defs/x"}', '{}'),
    ('{"format":"email"}', '"a@b"'),
    ('{"format":"date-time"}', '"2024-02-30T10:00:00Z"'),
    ('{"format":"uri"}', '"http://[::1]:80/a?b#c"'),
    ('{"format":"ipv6"}', '"1::2:3:4:5:6:7"'),
    ('{"format":"regex"}', '"(?<n>a)\\\\k<n>"'),
    ('{"uniqueItems":true}', '[1,1.0,{"a":1},{"a":1.0}]'),
    ('{"multipleOf":0.01}', '1e308'),
    ('{"$dynamicAnchor":"t","items":{"$dynamicRef":"#t"}}', '[[[]]]'),
    ('{"unevaluatedProperties":false,"anyOf":[{"properties":{"a":true}}]}', '{"a":1,"b":2}'),
    ('{"id":"http://x/","properties":{"a":{"$ref":"#/definitions/b"}},"definitions":{"b":{"type":"string"}}}', '{"a":1}'),
]:
    seed("FuzzSchemaCompile", schema)
    for flags in (0, 1, 2, 4 | 16):
        seed("FuzzValidate", schema.encode() + b"\0" + instance.encode() + b"\0" + bytes([flags]))

# --- Signed callbacks: timestamp NUL nonce NUL signature NUL path NUL body. The secrets are the
# harness's (tools/fuzz/Sources/FuzzCallback), so signatures made here verify there.
SECRETS = ["fuzzing-secret-0123456789abcdef", "another-secret-fedcba9876543210"]


def sign(secret, timestamp, nonce, path, body):
    mac = hmac.new(secret.encode(), b"\n".join([timestamp, nonce, path]) + b"\n" + body, hashlib.sha256).digest()
    return b"v2=" + base64.b64encode(mac)


for timestamp, nonce, path, body in [
    (b"1750000000", b"0123456789abcdef", b"/callbacks/mutation", b'{"mutationId":"m-1","status":"applied"}'),
    (b"1749999700", b"nonce_with-dash_and_underscore", b"/cb?x=1&y=%20", b""),
    (b"0", b"A" * 128, b"/", b"\0\xff binary body"),
    (b"9223372036854775807", b"Z" * 16, b"/a", b"{}"),
]:
    for secret in SECRETS:
        signature = sign(secret, timestamp, nonce, path, body)
        seed("FuzzCallback", b"\0".join([timestamp, nonce, signature, path, body]))
        seed("FuzzCallback", b"\0".join([timestamp, nonce, b"v1=old " + signature + b" v2=" + signature[3:-1], path, body]))
    seed("FuzzCallback", b"\0".join([timestamp, nonce, b"v2=" + base64.b64encode(b"\0" * 32).rstrip(b"="), path, body]))
for header in [b"", b"v2=", b"v2====", b"v2=" + b"A" * 44, b" " * 10, b"v2=" + b"A" * 8200, b"v3=abc  v2=abc"]:
    seed("FuzzCallback", b"\0".join([b"1750000000", b"0123456789abcdef", header, b"/p", b"body"]))
for timestamp in [b"", b"-1", b"+1", b"17500000000000000000", b"1750000000.5", b"01750000000"]:
    seed("FuzzCallback", b"\0".join([timestamp, b"0123456789abcdef", b"v2=" + b"A" * 43 + b"=", b"/p", b""]))
for nonce in [b"short", b"x" * 129, b"0123456789abcde!", b"0123456789abcdef\xc3\xa9"]:
    seed("FuzzCallback", b"\0".join([b"1750000000", nonce, b"v2=" + b"A" * 43 + b"=", b"/p", b""]))
seed("FuzzCallback", b"1750000000\0only-two-parts")

# --- Retry-After values, HTTP-dates, headers and envelopes: text NUL headers NUL body.
for value in ["120", "0", " 5\t", "99999999999999999999999", "-1", "1.5", "",
              "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
              "Fri, 31 Dec 9999 23:59:60 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 29 Feb 2021 12:00:00 GMT",
              "Wed, 18 Jun 2025 15:06:40 GMT", "Sat, 07 Nov 2099 08:49:37 GMT", "06 Nov 1994 08:49:37",
              "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov +1994 08:49:37 GMT"]:
    seed("FuzzEnvelope", value)
for headers, body in [
    ("x-request-id: abc", '{"data":{"id":"m-1"},"meta":{"requestId":"r"}}'),
    ("content-type: application/json", '{"message":"Invalid input","error":"ValidationError","issues":[{"path":["a"],"message":"x"}]}'),
    ("retry-after: 30\nx-request-id: a\nx-request-id: b", "<html>Service Unavailable</html>"),
    ("", '{"requestId":"top","data":true}'),
    ("", '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}'),
    ("", '{"data":[1,2]}'),
    ("", b"\xff\xfe not utf-8"),
]:
    seed("FuzzEnvelope", b"Mon, 16 Jun 2025 10:00:00 GMT\0" + headers.encode() + b"\0" + (body if isinstance(body, bytes) else body.encode()))

for harness in ("FuzzJSON", "FuzzSchemaCompile", "FuzzValidate", "FuzzCallback", "FuzzEnvelope"):
    (out / harness).mkdir(parents=True, exist_ok=True)
    total = sum(1 for _ in (out / harness).iterdir())
    print(f"{harness}: {total} seeds ({counts.get(harness, 0)} new)")
