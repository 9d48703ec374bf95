#!/usr/bin/env python3
"""Times Python's JSON parsers on the same files as oreg-bench, with the same protocol.

    bench.py [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-o CANON_DIR] FILE...

Operations (the 'op' column; 'impl' says which library):
  py      check         json.loads(b)                       parse only, result dropped
                        (called directly, no wrapper: its figures include no extra frame)
  py      canonicalize  json.dumps(json.loads(b), sort_keys=True, separators=(",", ":"),
                                   ensure_ascii=False).encode()
  orjson  check         orjson.loads(b)                     only when orjson is importable
  orjson  canonicalize  orjson.dumps(orjson.loads(b), option=orjson.OPT_SORT_KEYS)

Neither "canonicalize" is RFC 8785: Python writes floats as repr() does (1e-07 where RFC 8785
has 1e-7, 1.0 for 1, 1e+16 for 10000000000000000), keeps integers exact instead of rounding
them to the nearest double, and sorts keys by code point rather than by UTF-16 code unit.
They are the closest stock equivalents, not the same function.

Batches are calibrated and timed exactly as in bench.c, and the output lines have the same
tab-separated format. The cyclic garbage collector is off while timing (as timeit does) and
run between operations, so the Python figures are its best case; the extra impl "py-gc" times
json.loads once more with the collector on, as a program runs by default.
"""
import os
import sys
import zlib

from bench_common import gc_off, parse_options, time_calls


def operations():
    import json

    def py_canon(b, loads=json.loads, dumps=json.dumps):
        return dumps(loads(b), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    ops = [("py", "check", json.loads), ("py", "canonicalize", py_canon),
           # The same json.loads with the collector left on, Python's default: reported apart.
           ("py-gc", "check", json.loads)]
    try:
        import orjson
    except ImportError:
        print("bench.py: orjson is not importable; its columns stay empty", file=sys.stderr)
    else:
        def orjson_canon(b, loads=orjson.loads, dumps=orjson.dumps, option=orjson.OPT_SORT_KEYS):
            return dumps(loads(b), option=option)

        ops += [("orjson", "check", orjson.loads), ("orjson", "canonicalize", orjson_canon)]
    return ops


def main():
    timing, opts, files = parse_options(sys.argv[1:], "o:")
    canon_dir = opts.get("-o")
    ops = operations()
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        digest = "%08x" % zlib.crc32(data)
        for impl, op, fn in ops:
            result = fn(data)  # untimed: fails loudly before timing, gives the output size
            out_bytes = len(result) if op == "canonicalize" else 0
            if canon_dir and op == "canonicalize":
                with open(os.path.join(canon_dir, "%s.%s" % (name, impl)), "wb") as f:
                    f.write(result)
            del result
            with gc_off(impl != "py-gc"):
                calls, median, low, high = time_calls(fn, data, timing)
            print("%s\t%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%d"
                  % (impl, op, name, len(data), digest, calls, timing.reps, median, low, high, out_bytes), flush=True)


if __name__ == "__main__":
    main()
