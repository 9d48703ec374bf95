#!/usr/bin/env python3
"""Prints the callback verification benchmark's tables and writes them as JSON.

    report_verify.py RESULTS_TSV OUT_JSON [KEY=VALUE ...]

RESULTS_TSV  the lines of bench_verify.c (impl c), bench_verify_libcrypto.c (libcrypto),
             bench_verify.py and bench_verify.php (format in bench_verify.c):
             "impl variant file bytes crc32 calls reps median_ns min_ns max_ns checks", their
             "latency ..." lines and "note<TAB>impl<TAB>text" lines
OUT_JSON     where the same figures go as JSON (.build-bench/verify.json)
KEY=VALUE    facts about the run, copied into the JSON's "run" object (library, CPU, ...)

Targets come from the environment (run.sh sets them): TARGET_C_US (2): the library's C call at
most that many microseconds per verification (the pure and the replay-store variant are judged
apart); the library through ctypes faster than standardwebhooks' Webhook.verify (both
variants) and stripe's WebhookSignature.verify_header. A ratio is the other's median divided by
the library's: 2.00x means the library takes half the time.

Exits 0 unless the results are unusable: a benchmark is not a test.
"""
import os
import sys
import time

from report_common import run_facts, table, write_json

COLUMNS = "impl variant file bytes crc calls reps median min max checks".split()
LATENCY = "tag impl variant calls p50 p99 p999 max over1ms nonces".split()

# (language, impl, variant, label, what one timed call does), in table order.
ROWS = [
    ("C", "c", "pure", "oreg (C ABI)", "oreg_verifier_verify, replayStore false, same callback"),
    ("C", "c", "replay", "oreg (C ABI)", "the same, default in-memory replay store, fresh nonce each"),
    ("C", "c", "replay-large", "oreg (C ABI)", "the same, replay store maxEntries 1e8 (never prunes here)"),
    ("C", "libcrypto", "pure", "libcrypto by hand", "floor: section 8 in C, EVP_MAC dup + CRYPTO_memcmp"),
    ("Python", "oreg-ctypes", "pure", "oreg via ctypes", "direct ctypes call, bytes args, replayStore false"),
    ("Python", "oreg-ctypes", "replay", "oreg via ctypes", "the same, default replay store, fresh nonce each"),
    ("Python", "hmac-py", "pure", "hmac by hand", "section 8: hmac.new().digest, b64decode, compare_digest"),
    ("Python", "standardwebhooks", "verify", "standardwebhooks", "Webhook.verify(body, headers): + json.loads"),
    ("Python", "standardwebhooks", "nojson", "standardwebhooks", "Webhook.verify(..., json_parse=False)"),
    ("Python", "stripe", "verify", "stripe", "WebhookSignature.verify_header(body, header, secret, 300)"),
    ("Python", "json.loads", "body", "json.loads (ref.)", "json.loads(body) alone, for reference"),
    ("PHP", "oreg-ffi", "pure", "oreg via FFI", "$ffi->oreg_verifier_verify, replayStore false"),
    ("PHP", "oreg-ffi", "replay", "oreg via FFI", "the same, default replay store, fresh nonce each"),
    ("PHP", "hash_hmac-php", "pure", "hash_hmac by hand", "section 8: hash_hmac, base64_encode, hash_equals"),
]


def load(path):
    rows, latency, notes = {}, {}, []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "note" and len(parts) == 3:
                notes.append((parts[1], parts[2]))
            elif parts[0] == "latency" and len(parts) == len(LATENCY):
                d = dict(zip(LATENCY, parts))
                for key in LATENCY[3:]:
                    d[key] = float(d[key])
                latency[(d["impl"], d["variant"])] = d
            elif len(parts) == len(COLUMNS):
                row = dict(zip(COLUMNS, parts))
                try:
                    for key in ("bytes", "calls", "reps"):
                        row[key] = int(row[key])
                    for key in ("median", "min", "max"):
                        row[key] = float(row[key])
                except ValueError:
                    continue
                rows[(row["impl"], row["variant"])] = row
    return rows, latency, notes


def main():
    results, out_json = sys.argv[1], sys.argv[2]
    meta = run_facts(sys.argv[3:])
    target_us = float(os.environ.get("TARGET_C_US", "2"))
    rows, latency, notes = load(results)
    if not rows:
        print("verify bench: no results")
        return

    out, printed = [], []
    for lang, impl, variant, label, call in ROWS:
        r = rows.get((impl, variant))
        if not r:
            continue
        us = lambda ns: ns / 1e3
        d = {"language": lang, "impl": impl, "variant": variant, "label": label, "call": call,
             "file": r["file"], "bytes": r["bytes"], "crc32": r["crc"], "callsPerBatch": r["calls"], "reps": r["reps"],
             "us": {"median": us(r["median"]), "min": us(r["min"]), "max": us(r["max"])},
             "spreadPercent": (r["max"] - r["min"]) / r["median"] * 100 if r["median"] else None,
             "checks": r["checks"]}
        lat = latency.get((impl, variant))
        if lat:
            d["singleCallLatencyUs"] = {"calls": int(lat["calls"]), "p50": lat["p50"] / 1e3, "p99": lat["p99"] / 1e3,
                                        "p999": lat["p999"] / 1e3, "max": lat["max"] / 1e3,
                                        "callsOver1ms": int(lat["over1ms"]), "noncesInTotal": int(lat["nonces"])}
        out.append(d)
        printed.append([lang, label, variant, "%.2f" % d["us"]["median"], "%.2f" % d["us"]["min"],
                        "%.2f" % d["us"]["max"], "%.0f" % d["spreadPercent"], "%dx%d" % (r["calls"], r["reps"]), call])
    get = lambda impl, variant: next((d for d in out if d["impl"] == impl and d["variant"] == variant), None)

    body = out[0]
    print()
    print("Callback verification (api-contract.md section 8): microseconds per verification of one callback with")
    print("a %d-byte body (%s, crc32 %s), median of the timed batches (lower is better)"
          % (body["bytes"], body["file"], body["crc32"]))
    table(["lang", "verifier", "variant", "us", "min", "max", "+-%", "calls x reps", "one call"],
          printed, ["<", "<", "<", ">", ">", ">", ">", ">", "<"])
    print("  us = median per-call time of the timed batches; min, max = the fastest and slowest batch;")
    print("  +-% = (max - min) / median. 'replay' variants sign a fresh callback per call before each batch")
    print("  (untimed) and verify them on one verifier created once; every timed call is checked to succeed.")

    lat_rows = [d for d in out if "singleCallLatencyUs" in d]
    if lat_rows:
        print()
        print("Replay-store variants, single calls timed one by one after the batches (clock read included):")
        table(["lang", "verifier", "variant", "calls", "p50 us", "p99 us", "p99.9 us", "max us", "> 1 ms", "nonces seen"],
              [[d["language"], d["label"], d["variant"], "%d" % d["singleCallLatencyUs"]["calls"],
                "%.1f" % d["singleCallLatencyUs"]["p50"], "%.1f" % d["singleCallLatencyUs"]["p99"],
                "%.1f" % d["singleCallLatencyUs"]["p999"], "%.0f" % d["singleCallLatencyUs"]["max"],
                "%d" % d["singleCallLatencyUs"]["callsOver1ms"], "%d" % d["singleCallLatencyUs"]["noncesInTotal"]]
               for d in lat_rows],
              ["<", "<", "<", ">", ">", ">", ">", ">", ">", ">"])
        print("  nonces seen: distinct nonces this verifier (this process, for Python and PHP) handled by then;")
        print("  the default store keeps at most 100000 and prunes itself beyond that (a fixed clock: none expire).")

    ratios = []

    def ratio(lib, other, why):
        a, b = get(*lib), get(*other)
        if a and b:
            ratios.append({"library": "%s/%s" % lib, "vs": "%s/%s" % other, "why": why,
                           "ratio": b["us"]["median"] / a["us"]["median"]})
    for other in (("hmac-py", "pure"), ("stripe", "verify"), ("standardwebhooks", "nojson"),
                  ("standardwebhooks", "verify")):
        ratio(("oreg-ctypes", "pure"), other, "Python, no replay store on either side")
    for other in (("stripe", "verify"), ("standardwebhooks", "verify")):
        ratio(("oreg-ctypes", "replay"), other, "Python, the library with its replay store")
    ratio(("oreg-ffi", "pure"), ("hash_hmac-php", "pure"), "PHP, no replay store on either side")
    ratio(("oreg-ffi", "replay"), ("hash_hmac-php", "pure"), "PHP, the library with its replay store")
    ratio(("c", "pure"), ("libcrypto", "pure"), "C: the floor / the library (<1: the library's overhead)")
    if ratios:
        print()
        print("Ratios: the other's median / the library's (>1: the library is faster)")
        table(["library", "vs", "ratio", "context"],
              [[r["library"], r["vs"], "%.2fx" % r["ratio"], r["why"]] for r in ratios], ["<", "<", ">", "<"])

    c_pure = get("c", "pure")
    overhead = []
    for impl, what in (("oreg-ctypes", "ctypes"), ("oreg-ffi", "PHP FFI")):
        d = get(impl, "pure")
        if d and c_pure:
            overhead.append("%s +%.2f us" % (what, d["us"]["median"] - c_pure["us"]["median"]))
    floor = get("libcrypto", "pure")
    if c_pure and floor:
        overhead.insert(0, "library over libcrypto by hand +%.2f us" % (c_pure["us"]["median"] - floor["us"]["median"]))
    if overhead:
        print("  Cost of the layers (medians): " + "; ".join(overhead))

    print()
    print("Targets (issue):")
    verdicts = []
    for variant in ("pure", "replay"):
        d = get("c", variant)
        if not d:
            print("  C %s: no result -> cannot judge" % variant)
            continue
        ok = d["us"]["median"] <= target_us
        verdicts.append({"what": "C %s <= %g us" % (variant, target_us), "value": d["us"]["median"], "pass": ok})
        print("  C ABI, %-6s %.2f us per verification <= %g us -> %s"
              % (variant, d["us"]["median"], target_us, "PASS" if ok else "MISS"))
    lib = get("oreg-ctypes", "pure")
    for impl, variant in (("standardwebhooks", "verify"), ("standardwebhooks", "nojson"), ("stripe", "verify")):
        other = get(impl, variant)
        if not (lib and other):
            print("  Python: no %s result -> cannot judge" % ("library" if not lib else "%s %s" % (impl, variant)))
            continue
        value = other["us"]["median"] / lib["us"]["median"]
        ok = value > 1
        verdicts.append({"what": "ctypes pure faster than %s %s" % (impl, variant), "value": value, "pass": ok})
        print("  Python, oreg via ctypes %.2f us vs %s %s %.2f us: %.2fx > 1x -> %s"
              % (lib["us"]["median"], impl, variant, other["us"]["median"], value, "PASS" if ok else "MISS"))

    problems = []
    sizes = {(d["bytes"], d["crc32"]) for d in out}
    if len(sizes) > 1:
        problems.append("the harnesses timed different bodies: %s" % sorted(sizes))
    for d in out:
        if d["spreadPercent"] is not None and d["spreadPercent"] > 25:
            problems.append("%s %s: the batches spread %.0f%% around the median" % (d["impl"], d["variant"],
                                                                                   d["spreadPercent"]))
    for lang, impl, variant, _, _ in ROWS:
        if (impl, variant) not in rows:
            problems.append("no %s %s result (%s)" % (impl, variant, lang))
    if notes:
        print()
        print("Notes:")
        for impl, text in notes:
            print("  %-16s %s" % (impl, text))
    for problem in problems:
        print("WARNING: " + problem)
    if verdicts:
        print("Summary: " + ", ".join("%s %s" % (v["what"], "PASS" if v["pass"] else "MISS") for v in verdicts))

    doc = {
        "bench": "verify",
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run": meta,
        "unit": "microseconds per verification",
        "method": "wall clock per batch of calls (calibrated to a minimum batch duration), warm-up batches, "
                  "median, min, max over the timed batches; replay variants sign fresh callbacks before each batch",
        "results": out,
        "ratios": ratios,
        "target": {"cMaxUs": target_us, "verdicts": verdicts},
        "notes": [{"impl": i, "text": t} for i, t in notes],
        "warnings": problems,
    }
    write_json(out_json, doc)


if __name__ == "__main__":
    main()
