#!/usr/bin/env python3
"""Times JSON Schema validation from Python: the library through ctypes beside the Python validators.

    bench_validate.py [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -l LIBRARY -d DRAFT07_SCHEMA SCHEMA PAYLOAD...

Every payload is read as bytes, as a web handler holds a request body; each validator gets
those bytes and does whatever it needs to get from bytes to a verdict (the Python validators
json.loads them first, inside the timed call). Schemas are compiled once, before timing.

impl            path     one timed call
oreg-ctypes     verdict  oreg_schema_validate(schema, b, len(b), NULL) == OREG_OK
                first    the same on a schema compiled with {"stopAtFirstError":true}, with
                         out_report: its report string fetched (bytes -> str) and oreg_free()d
                all      oreg_schema_validate(schema, b, len(b), &report): every error, the report
                         string fetched and freed (what a handler answering 422 needs)
jsonschema-rs   verdict  validator.is_valid(json.loads(b))
                first    validator.validate(json.loads(b)): None, or raises the first error
                all      list(validator.iter_errors(json.loads(b))): every error
jsonschema      verdict  validator.is_valid(json.loads(b))    Draft202012Validator + FormatChecker
                first    next(validator.iter_errors(json.loads(b)), None): iteration stops there
                all      list(validator.iter_errors(json.loads(b)))
fastjsonschema  verdict  validate(json.loads(b)), fast_fail, detailed_exceptions=False, the
                         exception caught (on the draft-07 copy of the schema; where that option
                         does not compile, with detailed exceptions, and a note says so)
                first    the same with detailed exceptions (the first error, with its message)
                all      fast_fail=False: every error (JsonSchemaValuesException)

The ctypes wrapper is deliberately minimal (below: class Oreg): bytes in, status out, the
report only when asked for; no JSON parsing of the report. Formats are asserted everywhere:
the library by default, jsonschema-rs with validate_formats=True, jsonschema with its
FormatChecker (which checks only the formats whose optional packages are installed),
fastjsonschema by default. fastjsonschema runs with use_default=False (otherwise it writes
defaults into the instance, which no other validator here does) and with handlers that refuse
to fetch any remote $ref.

Batches are calibrated and timed as in bench.py (bench_common.time_calls); the cyclic GC is
off while timing. Output lines: see bench_validate.c. The 'errors' column here holds the
top-level errors of one untimed call as [instanceLocation, keyword] pairs, or null.
"""
import ctypes
import json
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Same calibration and timing as the parse benchmark (bench.py).
from bench_common import gc_off, note, parse_options, time_calls, version  # noqa: E402

OREG_OK, OREG_INVALID = 0, 1


class OregError(Exception):
    pass


class Oreg:
    """The minimal ctypes wrapper: one compiled schema, bytes in, status (and report) out."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.oreg_last_error.restype = ctypes.c_char_p
        lib.oreg_last_error.argtypes = []
        lib.oreg_free.restype = None
        lib.oreg_free.argtypes = [ctypes.c_void_p]
        lib.oreg_schema_compile.restype = ctypes.c_int
        lib.oreg_schema_compile.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                            ctypes.POINTER(ctypes.c_void_p)]
        lib.oreg_schema_validate.restype = ctypes.c_int
        lib.oreg_schema_validate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                             ctypes.POINTER(ctypes.c_void_p)]
        lib.oreg_schema_free.restype = None
        lib.oreg_schema_free.argtypes = [ctypes.c_void_p]
        self.lib = lib

    def compile(self, schema_bytes, options=None):
        handle = ctypes.c_void_p()
        status = self.lib.oreg_schema_compile(schema_bytes, len(schema_bytes), options, ctypes.byref(handle))
        if status != OREG_OK:
            raise OregError(self.lib.oreg_last_error().decode())
        return handle

    def is_valid(self, handle):
        """bytes -> bool, no report."""
        fn = self.lib.oreg_schema_validate

        def is_valid(data):
            status = fn(handle, data, len(data), None)
            if status < 0:
                raise OregError(self.lib.oreg_last_error().decode())
            return status == OREG_OK
        return is_valid

    def validate(self, handle):
        """bytes -> (status, report str or None); the report is fetched and freed at once."""
        lib, fn = self.lib, self.lib.oreg_schema_validate
        byref, c_void_p, string_at, free = ctypes.byref, ctypes.c_void_p, ctypes.string_at, lib.oreg_free

        def validate(data):
            out = c_void_p()
            status = fn(handle, data, len(data), byref(out))
            if status == OREG_INVALID:
                report = string_at(out.value).decode()
                free(out)
                return status, report
            if status < 0:
                raise OregError(lib.oreg_last_error().decode())
            return status, None
        return validate


def formats_in(schema):
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                found.add(node["format"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    return found


def pointer(parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def implementations(lib_path, schema_bytes, draft07_bytes):
    """[(impl, path, timed fn(bytes), untimed fn(bytes) -> (verdict, errors or None))]"""
    out = []
    oreg = Oreg(lib_path)
    handle = oreg.compile(schema_bytes)
    first_handle = oreg.compile(schema_bytes, b'{"stopAtFirstError":true}')
    is_valid, validate, validate_first = oreg.is_valid(handle), oreg.validate(handle), oreg.validate(first_handle)

    def oreg_errors(fn):
        def probe(b):
            status, report = fn(b)
            if report is None:
                return status == OREG_OK, None
            return False, [[e["instanceLocation"], e["keyword"]] for e in json.loads(report)["errors"]]
        return probe

    out += [("oreg-ctypes", "verdict", is_valid, lambda b: (is_valid(b), None)),
            ("oreg-ctypes", "first", validate_first, oreg_errors(validate_first)),
            ("oreg-ctypes", "all", validate, oreg_errors(validate))]

    schema = json.loads(schema_bytes)
    loads = json.loads
    try:
        import jsonschema_rs
    except ImportError as e:
        print("bench_validate.py: jsonschema-rs not importable (%s): its columns stay empty" % e, file=sys.stderr)
    else:
        rs = jsonschema_rs.validator_for(schema, validate_formats=True)
        note("jsonschema-rs", "jsonschema-rs %s, validate_formats=True: asserts %s"
             % (version("jsonschema-rs"), ", ".join(sorted(formats_in(schema)))))
        rs_is_valid, rs_validate, rs_iter = rs.is_valid, rs.validate, rs.iter_errors
        RsError = jsonschema_rs.ValidationError

        def rs_first(b):
            try:
                rs_validate(loads(b))
            except RsError as e:
                return e
            return None

        def rs_pairs(errors):
            return [[pointer(e.instance_path), str(e.schema_path[-1]) if e.schema_path else ""] for e in errors]

        def rs_first_probe(b):
            e = rs_first(b)
            return (e is None, rs_pairs([e]) if e is not None else None)

        def rs_all_probe(b):
            errors = list(rs_iter(loads(b)))
            return (not errors, rs_pairs(errors) if errors else None)

        out += [("jsonschema-rs", "verdict", lambda b: rs_is_valid(loads(b)), lambda b: (rs_is_valid(loads(b)), None)),
                ("jsonschema-rs", "first", rs_first, rs_first_probe),
                ("jsonschema-rs", "all", lambda b: list(rs_iter(loads(b))), rs_all_probe)]

    try:
        import jsonschema
    except ImportError as e:
        print("bench_validate.py: jsonschema not importable (%s): its columns stay empty" % e, file=sys.stderr)
    else:
        cls = jsonschema.Draft202012Validator
        js = cls(schema, format_checker=cls.FORMAT_CHECKER)
        js_is_valid, js_iter = js.is_valid, js.iter_errors
        used = formats_in(schema)
        checked = used & set(cls.FORMAT_CHECKER.checkers)
        note("jsonschema", "jsonschema %s, Draft202012Validator + FORMAT_CHECKER: asserts %s%s"
             % (version("jsonschema"), ", ".join(sorted(checked)) or "no format",
                "; does NOT check %s (its optional format packages are not installed)"
                % ", ".join(sorted(used - checked)) if used - checked else ""))
        if "email" in checked:
            note("jsonschema", "its 'email' check only looks for an '@'")

        def js_all_probe(b):
            errors = list(js_iter(loads(b)))
            return (not errors, [[pointer(e.absolute_path), e.validator] for e in errors] or None)

        def js_first_probe(b):
            e = next(js_iter(loads(b)), None)
            return (e is None, [[pointer(e.absolute_path), e.validator]] if e is not None else None)

        out += [("jsonschema", "verdict", lambda b: js_is_valid(loads(b)), lambda b: (js_is_valid(loads(b)), None)),
                ("jsonschema", "first", lambda b: next(js_iter(loads(b)), None), js_first_probe),
                ("jsonschema", "all", lambda b: list(js_iter(loads(b))), js_all_probe)]

    try:
        import fastjsonschema
    except ImportError as e:
        print("bench_validate.py: fastjsonschema not importable (%s): its columns stay empty" % e, file=sys.stderr)
    else:
        d07 = json.loads(draft07_bytes)

        def refuse(uri):
            raise ValueError("bench: remote $ref refused: %s" % uri)
        handlers = {"http": refuse, "https": refuse, "file": refuse}
        fj_first = fastjsonschema.compile(d07, handlers=handlers, use_default=False)
        used = formats_in(d07)
        try:
            from fastjsonschema.draft07 import CodeGeneratorDraft07
            known = set(CodeGeneratorDraft07.FORMAT_REGEXS)
        except (ImportError, AttributeError):
            known = used
        note("fastjsonschema", "fastjsonschema %s on the draft-07 copy, use_default=False: asserts %s%s; "
             "patterns run on Python's re (\\d also matches non-ASCII digits)"
             % (version("fastjsonschema"), ", ".join(sorted(used & known)) or "no format",
                "; does NOT check %s" % ", ".join(sorted(used - known)) if used - known else ""))
        try:
            fj_verdict = fastjsonschema.compile(d07, handlers=handlers, use_default=False, detailed_exceptions=False)
        except Exception as e:  # 2.22.3: KeyError 'definition_rule' while generating "const"
            fj_verdict = fj_first
            note("fastjsonschema", "verdict: detailed_exceptions=False does not compile this schema (%s: %s); "
                 "timed with detailed exceptions, as 'first'" % (type(e).__name__, e))
        fj_all = fastjsonschema.compile(d07, handlers=handlers, use_default=False, fast_fail=False)
        FjError = fastjsonschema.JsonSchemaException
        FjValue, FjValues = fastjsonschema.JsonSchemaValueException, fastjsonschema.JsonSchemaValuesException

        def fj_call(fn):
            def call(b):
                try:
                    fn(loads(b))
                except FjError as e:
                    return e
                return None
            return call

        def fj_pairs(e):
            errors = e.errors if isinstance(e, FjValues) else [e]
            return [[pointer((e.path or ["data"])[1:]), e.rule] for e in errors if isinstance(e, FjValue)]

        def fj_probe(call, with_errors):
            def probe(b):
                e = call(b)
                if e is None:
                    return True, None
                return False, (fj_pairs(e) if with_errors else None)
            return probe

        for path, fn, with_errors in (("verdict", fj_verdict, False), ("first", fj_first, True), ("all", fj_all, True)):
            call = fj_call(fn)
            out.append(("fastjsonschema", path, call, fj_probe(call, with_errors)))
    return out


def main():
    timing, opts, args = parse_options(sys.argv[1:], "l:d:")
    lib_path, draft07 = opts.get("-l"), opts.get("-d")
    if not lib_path or not draft07 or len(args) < 2:
        sys.exit(__doc__.split("\n\n")[1])
    with open(args[0], "rb") as f:
        schema_bytes = f.read()
    with open(draft07, "rb") as f:
        draft07_bytes = f.read()
    impls = implementations(lib_path, schema_bytes, draft07_bytes)
    for path in args[1:]:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        digest = "%08x" % zlib.crc32(data)
        for impl, kind, fn, probe in impls:
            verdict, errors = probe(data)  # untimed: the verdict and the errors for the report
            with gc_off():
                calls, median, low, high = time_calls(fn, data, timing)
            print("%s\t%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s"
                  % (impl, kind, name, len(data), digest, calls, timing.reps, median, low, high,
                     "valid" if verdict else "invalid", json.dumps(errors, separators=(",", ":"))), flush=True)


if __name__ == "__main__":
    main()
