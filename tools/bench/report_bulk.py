#!/usr/bin/env python3
"""Prints the bulk-validation table and writes it as JSON.

    report_bulk.py RESULTS_TSV EXPECTED OUT_JSON [KEY=VALUE ...]

RESULTS_TSV  the lines of bench_bulk.c (impl c) and bench_bulk.py:
             "impl variant file crc32 records valid bytes reps median_ns min_ns max_ns" (ns per pass
             over every record) and "note<TAB>impl<TAB>text" lines
EXPECTED     gen_bulk.py's RECORDS.expected: "records intended_valid"
OUT_JSON     .build-bench/bulk.json
KEY=VALUE    facts about the run, copied into the JSON's "run" object

Records per second = records / median pass time. Ratios: the library's records per second / the
other's (>1: the library is faster). Agreement: every implementation must count the same valid
records, and the generator's intended count. Exits 0 unless there are no results.
"""
import sys
import time

from report_common import run_facts, table, write_json

COLUMNS = "impl variant file crc records valid bytes reps median min max".split()
ROWS = [
    ("C", "c", "verdict", "oreg (C ABI)", "oreg_schema_validate(s, line, n, NULL)"),
    ("C", "c", "all", "oreg (C ABI)", "oreg_schema_validate(s, line, n, &report), oreg_free"),
    ("Python", "oreg-ctypes", "verdict", "oreg via ctypes", "minimal ctypes wrapper, bytes in, status out"),
    ("Python", "oreg-ctypes", "all", "oreg via ctypes", "the same with the report fetched and freed"),
    ("Python", "oreg-binding", "verdict", "onderwijsregio binding", "onderwijsregio.Schema.is_valid(line)"),
    ("Python", "jsonschema-rs", "verdict", "jsonschema-rs", "validator.is_valid(json.loads(line))"),
    ("Python", "jsonschema-rs", "all", "jsonschema-rs", "list(validator.iter_errors(json.loads(line)))"),
]


def main():
    results, expected_path, out_json = sys.argv[1:4]
    meta = run_facts(sys.argv[4:])
    rows, notes = {}, []
    with open(results) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "note" and len(parts) == 3:
                notes.append({"impl": parts[1], "text": parts[2]})
            elif len(parts) == len(COLUMNS):
                row = dict(zip(COLUMNS, parts))
                try:
                    for key in ("records", "valid", "bytes", "reps"):
                        row[key] = int(row[key])
                    for key in ("median", "min", "max"):
                        row[key] = float(row[key])
                except ValueError:
                    continue
                rows[(row["impl"], row["variant"])] = row
    if not rows:
        print("bulk bench: no results")
        return
    intended = None
    try:
        with open(expected_path) as f:
            total, intended = (int(x) for x in f.read().split()[:2])
    except (OSError, ValueError):
        pass

    out, printed = [], []
    for lang, impl, variant, label, call in ROWS:
        r = rows.get((impl, variant))
        if not r:
            continue
        rps = r["records"] / (r["median"] / 1e9)
        d = {"language": lang, "impl": impl, "variant": variant, "label": label, "call": call,
             "file": r["file"], "crc32": r["crc"], "records": r["records"], "validCount": r["valid"],
             "bytes": r["bytes"], "passes": r["reps"],
             "passSeconds": {"median": r["median"] / 1e9, "min": r["min"] / 1e9, "max": r["max"] / 1e9},
             "recordsPerSecond": rps, "usPerRecord": r["median"] / 1e3 / r["records"],
             "mbPerSecond": r["bytes"] / (r["median"] / 1e9) / 1e6,
             "spreadPercent": (r["max"] - r["min"]) / r["median"] * 100}
        out.append(d)
        printed.append([lang, label, variant, "{:,.0f}".format(rps), "%.2f" % d["usPerRecord"],
                        "%.1f" % d["mbPerSecond"], "%.0f" % d["spreadPercent"], "%d" % r["reps"],
                        "{:,}".format(r["valid"]), call])
    get = lambda impl, variant: next((d for d in out if d["impl"] == impl and d["variant"] == variant), None)
    first = out[0]
    print()
    print("Bulk validation: %s records of %s (JSON Lines, %s bytes of records), one per line, one core;"
          % ("{:,}".format(first["records"]), first["file"], "{:,}".format(first["bytes"])))
    print("records per second over a whole pass, median of the timed passes (higher is better)")
    table(["lang", "validator", "variant", "records/s", "us/record", "MB/s", "+-%", "passes", "valid", "one record"],
          printed, ["<", "<", "<", ">", ">", ">", ">", ">", ">", "<"])
    print("  verdict = valid or not; all = every error of an invalid record described. +-% = (max - min) / median")
    print("  of the pass times. The Python figures include the interpreter's loop and call overhead.")

    ratios = []
    for lib, other, why in ((("c", "verdict"), ("jsonschema-rs", "verdict"), "C ABI vs jsonschema-rs from Python"),
                            (("oreg-ctypes", "verdict"), ("jsonschema-rs", "verdict"), "Python, verdict only"),
                            (("oreg-binding", "verdict"), ("jsonschema-rs", "verdict"), "Python, the binding"),
                            (("oreg-ctypes", "all"), ("jsonschema-rs", "all"), "Python, every error"),
                            (("c", "all"), ("jsonschema-rs", "all"), "C ABI vs jsonschema-rs, every error")):
        a, b = get(*lib), get(*other)
        if a and b:
            ratios.append({"library": "%s/%s" % lib, "vs": "%s/%s" % other, "why": why,
                           "ratio": a["recordsPerSecond"] / b["recordsPerSecond"]})
    if ratios:
        print()
        print("Ratios: the library's records per second / the other's (>1: the library is faster)")
        table(["library", "vs", "ratio", "context"],
              [[r["library"], r["vs"], "%.2fx" % r["ratio"], r["why"]] for r in ratios], ["<", "<", ">", "<"])

    counts = {"%s/%s" % (d["impl"], d["variant"]): d["validCount"] for d in out}
    agree = len(set(counts.values())) == 1 and (intended is None or intended in counts.values())
    problems = []
    if len({(d["crc32"], d["records"]) for d in out}) > 1:
        problems.append("the harnesses did not read the same file: %s" % sorted({(d["crc32"], d["records"]) for d in out}))
    print()
    print("Agreement on the valid count: %s%s -> %s"
          % (", ".join("%s %s" % (k, "{:,}".format(v)) for k, v in counts.items()),
             "; generator's intended count %s" % "{:,}".format(intended) if intended is not None else "",
             "all agree" if agree else "DISAGREE"))
    if not agree:
        problems.append("the validators do not count the same valid records")
    for n in notes:
        print("  note %-14s %s" % (n["impl"], n["text"]))
    for p in problems:
        print("WARNING: " + p)

    doc = {
        "bench": "bulk",
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run": meta,
        "unit": "records per second",
        "method": "one pass = every record of the JSON Lines file validated in file order (read into memory "
                  "beforehand, untimed); median, min, max pass time over the timed passes after warm-up passes",
        "intendedValid": intended,
        "validCounts": counts,
        "agree": agree,
        "results": out,
        "ratios": ratios,
        "notes": notes,
        "warnings": problems,
    }
    write_json(out_json, doc)


if __name__ == "__main__":
    main()
