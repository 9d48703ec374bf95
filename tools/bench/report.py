#!/usr/bin/env python3
"""Prints the benchmark tables from the result lines of oreg-bench (C) and bench.py (Python).

    report.py RESULTS_TSV CANON_DIR LARGE_FILE_NAME TARGET_RATIO [OUT_JSON [KEY=VALUE ...]]

RESULTS_TSV holds the lines of both programs (format in bench.c). The report checks that C
and Python timed the same bytes, compares the canonical forms they wrote to CANON_DIR, and
ends with PASS or MISS against the target. It always exits 0 unless the results are unusable:
a benchmark is not a test. With OUT_JSON (.build-bench/parse.json) the figures also go there as
JSON, the KEY=VALUE facts about the run in its "run" object.
"""
import json
import os
import sys
import time

from report_common import run_facts, table, write_json

COLUMNS = "impl op file bytes crc calls reps median min max out".split()


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != len(COLUMNS):
                continue
            row = dict(zip(COLUMNS, parts))
            for key in ("bytes", "calls", "reps", "out"):
                row[key] = int(row[key])
            for key in ("median", "min", "max"):
                row[key] = float(row[key])
            rows[(row["impl"], row["op"], row["file"])] = row
    return rows


def mbps(row):
    return row["bytes"] / row["median"] * 1e3 if row else None  # bytes/ns * 1e3 = MB/s (10^6)


def spread(row):
    return (row["max"] - row["min"]) / row["median"] * 100 if row else None


def fmt(value, spec, width):
    return ("%" + spec) % value if value is not None else "-".rjust(width)


def main():
    results, canon_dir, large, target = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    rows = load(results)
    files = []
    for (_, _, name), row in rows.items():
        if name not in files:
            files.append(name)
    # Large document first, then the fixtures by name.
    files.sort(key=lambda n: (n != large, n))
    get = lambda impl, op, name: rows.get((impl, op, name))
    has_orjson = any(k[0] == "orjson" for k in rows)

    problems = []
    for name in files:
        seen = {(r["bytes"], r["crc"]) for k, r in rows.items() if k[2] == name}
        if len(seen) != 1:
            problems.append("%s: C and Python did not time the same bytes: %s" % (name, sorted(seen)))
        for impl in ("c", "py") + (("orjson",) if has_orjson else ()):
            for op in ("check", "canonicalize"):
                if not get(impl, op, name):
                    problems.append("%s: no %s %s result" % (name, impl, op))

    for op, title, py_label, note in (
        ("check", "Parse only", "json.loads", "oreg_json_check vs json.loads(b)"),
        ("canonicalize", "Parse + canonical re-serialisation", "py dumps(loads)",
         "oreg_json_canonicalize (RFC 8785) vs json.dumps(json.loads(b), sort_keys=True, "
         "separators=(',', ':'), ensure_ascii=False).encode()"),
    ):
        print()
        print("%s: median throughput, MB/s (10^6 input bytes per second); %s" % (title, note))
        headers = ["input", "bytes", "C (oreg)", "+-%", py_label, "+-%", "C/py"]
        aligns = ["<", ">", ">", ">", ">", ">", ">"]
        if has_orjson:
            headers += ["orjson (extra)", "+-%", "C/orjson"]
            aligns += [">", ">", ">"]
        out = []
        for name in files:
            c, p, o = get("c", op, name), get("py", op, name), get("orjson", op, name)
            cells = [name, "{:,}".format((c or p)["bytes"]),
                     fmt(mbps(c), ".1f", 1), fmt(spread(c), ".0f", 1),
                     fmt(mbps(p), ".1f", 1), fmt(spread(p), ".0f", 1),
                     fmt(mbps(c) / mbps(p) if c and p else None, ".2fx", 1)]
            if has_orjson:
                cells += [fmt(mbps(o), ".1f", 1), fmt(spread(o), ".0f", 1),
                          fmt(mbps(c) / mbps(o) if c and o else None, ".2fx", 1)]
            out.append(cells)
        table(headers, out, aligns)
        if op == "canonicalize":
            print("  Not the same function: Python's form is not RFC 8785 (floats as repr(): 1e-07 not 1e-7,")
            print("  1.0 not 1; integers kept exact, not rounded to doubles; keys sorted by code point, not UTF-16).")
            if has_orjson:
                print("  orjson (extra) = orjson.dumps(orjson.loads(b), option=orjson.OPT_SORT_KEYS), also not RFC 8785.")
    print("  +-% = (max - min) / median over the timed repetitions.")

    small = [n for n in files if n != large]
    if small:
        print()
        print("Per-call latency on the fixture payloads, median microseconds per call (lower is better)")
        headers = ["input", "bytes", "C check", "json.loads", "C canon", "py dumps(loads)"]
        aligns = ["<", ">", ">", ">", ">", ">"]
        if has_orjson:
            headers += ["orjson.loads (extra)", "orjson canon (extra)"]
            aligns += [">", ">"]
        out = []
        us = lambda r: r["median"] / 1e3 if r else None
        for name in small:
            cells = [name, "{:,}".format(get("c", "check", name)["bytes"] if get("c", "check", name) else 0),
                     fmt(us(get("c", "check", name)), ".2f", 1), fmt(us(get("py", "check", name)), ".2f", 1),
                     fmt(us(get("c", "canonicalize", name)), ".2f", 1),
                     fmt(us(get("py", "canonicalize", name)), ".2f", 1)]
            if has_orjson:
                cells += [fmt(us(get("orjson", "check", name)), ".2f", 1),
                          fmt(us(get("orjson", "canonicalize", name)), ".2f", 1)]
            out.append(cells)
        table(headers, out, aligns)
        print("  Python figures include the interpreter's call overhead (the C loop has none): that is what a")
        print("  Python caller pays; a Python caller of the library through ctypes/cffi would pay it too.")

    print()
    print("Canonical forms (written once, untimed, compared byte for byte):")
    for name in files:
        c_path = os.path.join(canon_dir, name + ".c")
        py_path = os.path.join(canon_dir, name + ".py")
        if not (os.path.exists(c_path) and os.path.exists(py_path)):
            continue
        with open(c_path, "rb") as f:
            c_bytes = f.read()
        with open(py_path, "rb") as f:
            py_bytes = f.read()
        if c_bytes == py_bytes:
            verdict = "identical"
        elif json.loads(c_bytes) == json.loads(py_bytes):
            at = next((i for i, (a, b) in enumerate(zip(c_bytes, py_bytes)) if a != b), min(len(c_bytes), len(py_bytes)))
            verdict = ("same values, bytes differ (number spelling; first at byte %d: C %r, py %r)"
                       % (at, c_bytes[max(0, at - 12):at + 8].decode(errors="replace"),
                          py_bytes[max(0, at - 12):at + 8].decode(errors="replace")))
        else:
            at = next((i for i, (a, b) in enumerate(zip(c_bytes, py_bytes)) if a != b), min(len(c_bytes), len(py_bytes)))
            verdict = "differ from byte %d: C %r, py %r" % (at, c_bytes[max(0, at - 20):at + 20], py_bytes[max(0, at - 20):at + 20])
        print("  %-32s C %s bytes, py %s bytes: %s" % (name, "{:,}".format(len(c_bytes)), "{:,}".format(len(py_bytes)), verdict))

    print()
    c, p = get("c", "check", large), get("py", "check", large)
    for problem in problems:
        print("WARNING: " + problem)
    doc = None
    if len(sys.argv) > 5:
        doc = {"bench": "parse", "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "run": run_facts(sys.argv[6:]), "unit": "MB/s (10^6 input bytes per second); ns per call",
               "method": "wall clock per batch of calls (calibrated to a minimum batch duration), warm-up batches, "
                         "median, min, max over the timed batches; Python's GC off while timing",
               "largeFile": large,
               "results": [{"impl": r["impl"], "op": r["op"], "file": r["file"], "bytes": r["bytes"], "crc32": r["crc"],
                            "callsPerBatch": r["calls"], "reps": r["reps"],
                            "ns": {"median": r["median"], "min": r["min"], "max": r["max"]},
                            "mbPerSecond": mbps(r), "spreadPercent": spread(r)} for r in rows.values()],
               "ratios": [{"op": op, "file": large, "vs": other, "ratio": mbps(get("c", op, large)) / mbps(get(other, op, large))}
                          for op in ("check", "canonicalize") for other in ("py", "orjson", "py-gc")
                          if get("c", op, large) and get(other, op, large)],
               "target": {"ratio": target, "verdicts": []}, "warnings": problems}
    if not (c and p):
        print("Target: no result for %s; cannot judge" % large)
        if doc:
            write_json(sys.argv[5], doc)
        return
    ratio = mbps(c) / mbps(p)
    print("Target (issue): oreg_json_check >= %.1fx Python json.loads on %s, one core" % (target, large))
    print("  oreg_json_check %.1f MB/s, json.loads %.1f MB/s (GC off while timing): %.2fx -> %s"
          % (mbps(c), mbps(p), ratio, "PASS" if ratio >= target else "MISS"))
    g = get("py-gc", "check", large)
    if g:
        print("  for reference, json.loads with Python's GC on (its default): %.1f MB/s, ratio %.2fx"
              " (the verdict above uses the stricter GC-off figure)" % (mbps(g), mbps(c) / mbps(g)))
    if doc:
        doc["target"]["verdicts"].append({"what": "oreg_json_check >= %gx json.loads on %s" % (target, large),
                                          "value": ratio, "pass": ratio >= target})
        write_json(sys.argv[5], doc)


if __name__ == "__main__":
    main()
