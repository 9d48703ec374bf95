#!/usr/bin/env python3
"""Bulk validation from Python: every line of a JSON Lines file validated against one compiled
schema, through the library and through jsonschema-rs.

    bench_bulk.py [-r REPS] [-w WARMUP] -l LIBRARY [-b BINDING_DIR] SCHEMA RECORDS_JSONL

The file is read once (untimed) and split into lines (bytes, as read from a file or a queue);
a pass validates every record in file order and counts the valid ones:

impl            variant  one record
oreg-ctypes     verdict  oreg_schema_validate(schema, line, len(line), NULL) == OREG_OK, through
                         the minimal ctypes wrapper of bench_validate.py
                all      the same with &report: the report string fetched and freed when invalid
oreg-binding    verdict  onderwijsregio.Schema.is_valid(line): the project's Python binding
                         (bindings/python, -b), bytes in
jsonschema-rs   verdict  validator.is_valid(json.loads(line)), validate_formats=True
                all      list(validator.iter_errors(json.loads(line)))

WARMUP untimed passes (the first also checks the valid count against the timed ones), then REPS
timed passes (perf_counter_ns, the cyclic GC off). Output lines as bench_bulk.c:
    impl variant file crc32 records valid bytes reps median_ns min_ns max_ns
"""
import json
import os
import statistics
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import gc_off, note, parse_options, version  # noqa: E402
from bench_validate import Oreg  # noqa: E402


def count_valid(fn, lines):
    valid = 0
    for line in lines:
        if fn(line):
            valid += 1
    return valid


def main():
    timing, opts, args = parse_options(sys.argv[1:], "l:b:")
    lib_path = opts.get("-l")
    if not lib_path or len(args) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    with open(args[0], "rb") as f:
        schema_bytes = f.read()
    with open(args[1], "rb") as f:
        data = f.read()
    lines = [line for line in data.split(b"\n") if line]
    name, crc, nbytes = os.path.basename(args[1]), "%08x" % zlib.crc32(data), sum(map(len, lines))
    del data

    impls = []
    oreg = Oreg(lib_path)
    handle = oreg.compile(schema_bytes)
    is_valid, validate = oreg.is_valid(handle), oreg.validate(handle)
    impls.append(("oreg-ctypes", "verdict", is_valid))
    impls.append(("oreg-ctypes", "all", lambda b: validate(b)[0] == 0))

    if opts.get("-b"):
        sys.path.insert(0, opts["-b"])
        os.environ.setdefault("ONDERWIJSREGIO_LIB", lib_path)
        try:
            import onderwijsregio
            schema = onderwijsregio.Schema.compile(schema_bytes)
        except Exception as e:  # noqa: BLE001 - a missing or broken binding leaves its row empty
            print("bench_bulk.py: the Python binding is not usable (%s): its row stays empty" % e, file=sys.stderr)
        else:
            note("oreg-binding", "onderwijsregio %s (bindings/python), Schema.is_valid(bytes)"
                 % getattr(onderwijsregio, "__version__", "?"))
            impls.append(("oreg-binding", "verdict", schema.is_valid))

    try:
        import jsonschema_rs
    except ImportError as e:
        print("bench_bulk.py: jsonschema-rs not importable (%s): its rows stay empty" % e, file=sys.stderr)
    else:
        rs = jsonschema_rs.validator_for(json.loads(schema_bytes), validate_formats=True)
        note("jsonschema-rs", "jsonschema-rs %s, validate_formats=True, json.loads per record"
             % version("jsonschema-rs"))
        loads, rs_is_valid, rs_iter = json.loads, rs.is_valid, rs.iter_errors
        impls.append(("jsonschema-rs", "verdict", lambda b: rs_is_valid(loads(b))))
        impls.append(("jsonschema-rs", "all", lambda b: not list(rs_iter(loads(b)))))

    for impl, variant, fn in impls:
        valid = count_valid(fn, lines)  # untimed: the count every timed pass must give again
        for _ in range(max(0, timing.warmup - 1)):
            count_valid(fn, lines)
        times = []
        with gc_off():
            for _ in range(timing.reps):
                t0 = time.perf_counter_ns()
                v = count_valid(fn, lines)
                times.append(time.perf_counter_ns() - t0)
                if v != valid:
                    sys.exit("bench_bulk.py: %s %s: passes counted %d and %d valid" % (impl, variant, valid, v))
        print("%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f"
              % (impl, variant, name, crc, len(lines), valid, nbytes, timing.reps, statistics.median(times),
                 min(times), max(times)), flush=True)


if __name__ == "__main__":
    main()
