#!/usr/bin/env python3
"""Prints the validation benchmark's tables from the lines of bench_validate.{c,py,php}.

    report_validate.py RESULTS_TSV EXPECTED_JSON SCHEMA_REL DRAFT_NOTES VALID_PAYLOAD INVALID_PAYLOAD
                       [OUT_JSON [KEY=VALUE ...]]

RESULTS_TSV    the output lines of the three programs (format in bench_validate.c) and their
               "note<TAB>impl<TAB>text" lines
EXPECTED_JSON  payloads/expected.json of the fixtures: the verdict and top-level errors a
               reference validator gives each (schema, payload) pair
SCHEMA_REL     the schema as expected.json names it ("schema/candidate-create.schema.json")
DRAFT_NOTES    schema-drafts.txt from schema_drafts.py (what the older-draft copies rewrote)
OUT_JSON       where the figures also go as JSON (.build-bench/validate.json); KEY=VALUE facts
               about the run go to its "run" object

Targets come from the environment (run.sh sets them): TARGET_C_US (5), TARGET_RS_RATIO (1),
TARGET_JSONSCHEMA_RATIO (30), TARGET_PHP_RATIO (20). A ratio is the other validator's median
time divided by the library's: 2.00x means the library takes half the time.

Exits 0 unless the results are unusable: a benchmark is not a test.
"""
import json
import os
import sys
import textwrap
import time

from report_common import run_facts, table, write_json

COLUMNS = "impl path file bytes crc calls reps median min max verdict errors".split()

# (language, impl, label) in table order.
IMPLS = [
    ("C", "c", "oreg (in process)"),
    ("Python", "oreg-ctypes", "oreg via ctypes"),
    ("Python", "jsonschema-rs", "jsonschema-rs"),
    ("Python", "jsonschema", "jsonschema"),
    ("Python", "fastjsonschema", "fastjsonschema"),
    ("PHP", "oreg-ffi", "oreg via FFI"),
    ("PHP", "justinrainbow", "justinrainbow"),
    ("PHP", "justinrainbow-cached", "justinrainbow cached"),
]
# What one timed call does (bytes in; the Python and PHP alternatives decode the JSON inside it).
CALLS = {
    ("c", "verdict"): "validate(s, b, n, NULL)",
    ("c", "first"): "stopAtFirstError, &report, oreg_free",
    ("c", "all"): "validate(s, b, n, &report), oreg_free",
    ("oreg-ctypes", "verdict"): "status only (out_report NULL)",
    ("oreg-ctypes", "first"): "stopAtFirstError, report fetched, freed",
    ("oreg-ctypes", "all"): "status, report fetched, freed",
    ("jsonschema-rs", "verdict"): "loads + is_valid",
    ("jsonschema-rs", "first"): "loads + validate (raises 1st error)",
    ("jsonschema-rs", "all"): "loads + list(iter_errors)",
    ("jsonschema", "verdict"): "loads + is_valid",
    ("jsonschema", "first"): "loads + next(iter_errors, None)",
    ("jsonschema", "all"): "loads + list(iter_errors)",
    ("fastjsonschema", "verdict"): "loads + validate, fast_fail",
    ("fastjsonschema", "first"): "loads + validate, fast_fail, detailed",
    ("fastjsonschema", "all"): "loads + validate, fast_fail=False",
    ("oreg-ffi", "verdict"): "status only (out_report NULL)",
    ("oreg-ffi", "all"): "status, report FFI::string, freed",
    ("justinrainbow", "all"): "decode, new Validator, validate(schema)",
    ("justinrainbow-cached", "all"): "decode, new Validator(factory), $ref",
}
PATHS = ("verdict", "first", "all")


def load(path):
    rows, notes = {}, []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "note" and len(parts) == 3:
                notes.append((parts[1], parts[2]))
                continue
            if len(parts) != len(COLUMNS):
                continue
            row = dict(zip(COLUMNS, parts))
            for key in ("bytes", "calls", "reps"):
                row[key] = int(row[key])
            for key in ("median", "min", "max"):
                row[key] = float(row[key])
            errors = json.loads(row["errors"])
            if isinstance(errors, dict):  # the library's own report (bench_validate.c)
                errors = [[e["instanceLocation"], e["keyword"]] for e in errors.get("errors", [])]
            row["errors"] = errors
            rows[(row["impl"], row["path"], row["file"])] = row
    return rows, notes


def main():
    results, expected_path, schema_rel, draft_notes, valid_name, invalid_name = sys.argv[1:7]
    target_c = float(os.environ.get("TARGET_C_US", "5"))
    target_rs = float(os.environ.get("TARGET_RS_RATIO", "1"))
    target_js = float(os.environ.get("TARGET_JSONSCHEMA_RATIO", "30"))
    target_php = float(os.environ.get("TARGET_PHP_RATIO", "20"))
    rows, notes = load(results)
    if not rows:
        print("validation bench: no results")
        return
    files = [valid_name, invalid_name]
    get = lambda impl, path, name: rows.get((impl, path, name))
    us = lambda r: r["median"] / 1e3

    expected = {}
    try:
        with open(expected_path) as f:
            for case in json.load(f):
                if case["schema"] == schema_rel:
                    expected[os.path.basename(case["payload"])] = (
                        case["valid"], {(e["instanceLocation"], e["keyword"]) for e in case["errors"]})
    except (OSError, ValueError, KeyError) as e:
        print("  (cannot read %s: %s; verdicts are compared between validators only)" % (expected_path, e))

    problems = []
    for name in files:
        seen = {(r["bytes"], r["crc"]) for k, r in rows.items() if k[2] == name}
        if len(seen) > 1:
            problems.append("%s: the programs did not time the same bytes: %s" % (name, sorted(seen)))
        if not seen:
            problems.append("%s: no results" % name)

    # Verdicts: every variant against expected.json (or, without it, against the C library).
    def want(name):
        if name in expected:
            return expected[name][0]
        c = get("c", "all", name)
        return c["verdict"] == "valid" if c else None

    def verdict_cell(row, name):
        if not row:
            return "-"
        ok = want(name)
        got = row["verdict"] == "valid"
        if ok is None:
            return row["verdict"]
        if got != ok:
            problems.append("%s %s on %s says %s, expected %s" % (row["impl"], row["path"], name, row["verdict"],
                                                                   "valid" if ok else "invalid"))
            return row["verdict"] + " WRONG"
        return row["verdict"] + " ok"

    def as_expected(row, name):
        """The row's (location, keyword) pairs; for the draft-04 copy, where const became enum, enum
        errors at a location where expected.json has const count as const."""
        got = {tuple(p) for p in row["errors"]}
        if row["impl"].startswith("justinrainbow") and name in expected:
            want_set = expected[name][1]
            got = {(loc, "const") if kw == "enum" and (loc, "const") in want_set and (loc, "enum") not in want_set
                   else (loc, kw) for loc, kw in got}
        return got

    def errors_cell(row, name):
        if not row or row["errors"] is None:
            return ""
        got = as_expected(row, name)
        if name not in expected:
            return "%d" % len(row["errors"])
        want_set = expected[name][1]
        if row["path"] == "first":
            return "%d (%s)" % (len(got), "one of expected" if got <= want_set else "not in expected")
        missing = want_set - got
        extra = got - want_set
        return "%d: %d/%d expected%s" % (len(row["errors"]), len(want_set & got), len(want_set),
                                         ", +%d other" % len(extra) if extra else "") + (
            " (missing %d)" % len(missing) if missing else "")

    print()
    print("JSON Schema validation: median microseconds per call (lower is better); the schema compiled once,")
    print("each payload handed over as the bytes a web handler holds. +-% = (max - min) / median over the")
    print("timed repetitions. 'ok' = the verdict expected.json gives; errors = top-level errors reported,")
    print("and how many of expected.json's (instanceLocation, keyword) pairs are among them.")
    headers = ["lang", "validator", "path", "one call", "full us", "+-%", "verdict",
               "many us", "+-%", "verdict", "errors (many)"]
    aligns = ["<", "<", "<", "<", ">", ">", "<", ">", ">", "<", "<"]
    out = []
    for lang, impl, label in IMPLS:
        for path in PATHS:
            cells_rows = [get(impl, path, n) for n in files]
            if not any(cells_rows):
                continue
            cells = [lang, label, path, CALLS.get((impl, path), "")]
            for r, n in zip(cells_rows, files):
                cells += ["%.2f" % us(r) if r else "-",
                          "%.0f" % ((r["max"] - r["min"]) / r["median"] * 100) if r else "-",
                          verdict_cell(r, n)]
            cells.append(errors_cell(cells_rows[1], files[1]))
            out.append(cells)
    table(headers, out, aligns)
    print("  full = %s (%s bytes), many = %s (%s bytes)" % (
        valid_name, next((r["bytes"] for k, r in rows.items() if k[2] == valid_name), "?"),
        invalid_name, next((r["bytes"] for k, r in rows.items() if k[2] == invalid_name), "?")))
    print("  paths: verdict = valid or not, nothing else; first = stop at and describe the first error;")
    print("         all = every error described (the library's JSON report, or the validator's error objects)")

    # Ratios.
    def ratio(other, ours):
        return other["median"] / ours["median"] if other and ours else None

    def rcell(value):
        return "%.2fx" % value if value is not None else "-"

    print()
    print("Ratios: the other validator's time / the library's time, same language, same payload bytes")
    print("(>1: the library is faster). Like-for-like paths: verdict vs verdict, first vs first, all vs all.")
    headers = ["lang", "library path", "vs", "path", "full", "many"]
    aligns = ["<", "<", "<", "<", ">", ">"]
    out = []
    pairs = [("Python", "oreg-ctypes", other, p, p) for other in ("jsonschema-rs", "jsonschema", "fastjsonschema")
             for p in PATHS]
    pairs += [("Python", "oreg-ctypes", "jsonschema-rs", "all", "first")]
    pairs += [("PHP", "oreg-ffi", other, p, "all") for other in ("justinrainbow", "justinrainbow-cached")
              for p in ("verdict", "all")]
    for lang, ours, other, our_path, other_path in pairs:
        values = [ratio(get(other, other_path, n), get(ours, our_path, n)) for n in files]
        if all(v is None for v in values):
            continue
        out.append([lang, "%s %s" % (ours, our_path), other, other_path] + [rcell(v) for v in values])
    table(headers, out, aligns)

    # Targets.
    print()
    print("Targets (issue), one core:")
    verdicts = []
    judged = []

    def judge(label, checks):
        """checks: [(text, value, passed)]; a target passes when every check passes."""
        usable = [c for c in checks if c[1] is not None]
        if not usable:
            print("  %s: no results -> cannot judge" % label)
            return
        passed = all(c[2] for c in usable)
        verdicts.append((label, passed))
        judged.append({"what": label, "pass": passed,
                       "checks": [{"text": t, "value": v, "pass": ok} for t, v, ok in usable]})
        print("  %s -> %s" % (label, "PASS" if passed else "MISS"))
        for text, _, ok in usable:
            print("      %-104s %s" % (text, "PASS" if ok else "MISS"))

    c_all, c_verdict = get("c", "all", valid_name), get("c", "verdict", valid_name)
    checks = []
    for r, what in ((c_all, "with out_report (the handler's call)"), (c_verdict, "verdict only (out_report NULL)")):
        if r:
            checks.append(("C %s, %s: %.2f us <= %.1f us" % (what, valid_name, us(r), target_c), us(r), us(r) <= target_c))
    judge("T1  C in process: <= %.1f us per valid full payload" % target_c, checks)

    def ratio_checks(ours_impl, other_impl, path_pairs, target, other_label):
        checks = []
        for our_path, other_path in path_pairs:
            for n in files:
                ours, other = get(ours_impl, our_path, n), get(other_impl, other_path, n)
                value = ratio(other, ours)
                if value is None:
                    continue
                checks.append(("%s %s %.2f us vs %s %s %.2f us on %s: %.2fx >= %gx (needs <= %.2f us)"
                               % (ours_impl, our_path, us(ours), other_label, other_path, us(other),
                                  n.replace("candidate-", "").replace(".json", ""), value, target,
                                  us(other) / target),
                               value, value >= target))
        return checks

    judge("T2  Python via ctypes at least as fast as jsonschema-rs (json.loads + validate), like for like",
          ratio_checks("oreg-ctypes", "jsonschema-rs", [("verdict", "verdict"), ("first", "first"), ("all", "all")],
                       target_rs, "rs"))
    literal = ratio_checks("oreg-ctypes", "jsonschema-rs", [("all", "first")], target_rs, "rs")
    if literal:
        print("      (for reference, the library's full report against jsonschema-rs's validate(), which stops at")
        print("       the first error: %s)" % "; ".join("%s %.2fx" % (t.split(" on ")[1].split(":")[0], v)
                                                     for t, v, _ in literal))
    judge("T3  Python via ctypes >= %gx faster than jsonschema (json.loads + is_valid / iter_errors), like for like"
          % target_js, ratio_checks("oreg-ctypes", "jsonschema", [("verdict", "verdict"), ("first", "first"),
                                                                  ("all", "all")], target_js, "jsonschema"))
    # PHP: against the faster of the two justinrainbow set-ups, whichever that is per payload.
    checks = []
    for n in files:
        candidates = [r for r in (get("justinrainbow", "all", n), get("justinrainbow-cached", "all", n)) if r]
        ours = get("oreg-ffi", "all", n)
        if not candidates or not ours:
            continue
        best = min(candidates, key=lambda r: r["median"])
        value = ratio(best, ours)
        checks.append(("oreg-ffi all %.2f us vs %s %.2f us on %s: %.2fx >= %gx (needs <= %.2f us)"
                       % (us(ours), best["impl"], us(best), n.replace("candidate-", "").replace(".json", ""),
                          value, target_php, us(best) / target_php), value, value >= target_php))
    judge("T4  PHP via FFI >= %gx faster than justinrainbow/json-schema (json_decode + validate, faster set-up)"
          % target_php, checks)

    print()
    print("What each validator checks here (same schema; older-draft copies where needed):")
    print("  library         draft 2020-12 original; format asserted (email, uri, date, date-time); ECMA-262")
    print("                  patterns (PCRE2, JIT); exact decimal multipleOf; anyOf branch errors nested")
    by_impl = {}
    for impl, text in notes:
        by_impl.setdefault(impl, []).append(text)
    def say(impl, text):
        lines = textwrap.wrap(text, 84) or [""]
        print("  %-15s %s" % (impl, lines[0]))
        for more in lines[1:]:
            print("  %-15s %s" % ("", more))

    for impl in ("jsonschema-rs", "jsonschema", "fastjsonschema"):
        for text in by_impl.get(impl, []):
            say(impl, text)
    try:
        with open(draft_notes) as f:
            drafts = [line.rstrip("\n").split("\t", 1) for line in f if "\t" in line]
    except OSError:
        drafts = []
    d07 = [t for d, t in drafts if d == "draft07"]
    d04 = [t for d, t in drafts if d == "draft04"]
    if d07:
        say("fastjsonschema", "draft-07 copy: %s" % "; ".join(d07))
    say("justinrainbow", "justinrainbow/json-schema 5.2 knows drafts 03/04 only, so it gets a draft-04 copy%s"
        % ((": " + "; ".join(d04)) if d04 else ""))
    print("  %-15s It checks type, required, properties, additionalProperties, enum, min/maxLength," % "")
    print("  %-15s pattern (preg_match), min/maxItems, uniqueItems, anyOf, $ref, minimum/maximum," % "")
    print("  %-15s exclusiveMinimum (draft-04 boolean), multipleOf (fmod, floating point) and the formats" % "")
    print("  %-15s email (filter_var FILTER_VALIDATE_EMAIL), uri (FILTER_VALIDATE_URL), date (DateTime Y-m-d)," % "")
    print("  %-15s date-time (its RFC 3339 regex). It does not know const, numeric exclusiveMinimum or $defs" % "")
    print("  %-15s (hence the rewrites) and reports anyOf branch errors flat beside the anyOf error, so its" % "")
    print("  %-15s error count is higher; 'required' is mapped to the object's location, 'additionalProp' to" % "")
    print("  %-15s additionalProperties, and an enum error where expected.json has const counts as const." % "")
    for impl in ("justinrainbow",):
        for text in by_impl.get(impl, []):
            say(impl, text)
    if invalid_name in expected:
        want_set = expected[invalid_name][1]
        extras = {}
        for lang, impl, _ in IMPLS:
            row = get(impl, "all", invalid_name)
            if row and row["errors"]:
                extra = tuple(sorted(as_expected(row, invalid_name) - want_set))
                if extra:
                    extras.setdefault(extra, []).append(impl)
        if extras:
            print("  Errors beyond expected.json's on %s (expected.json lists a reference validator's):"
                  % invalid_name)
            for extra, impls in extras.items():
                say("", "%s: %s" % (", ".join(impls), ", ".join("%s %s" % (loc or "(root)", kw) for loc, kw in extra)))

    print()
    agree = not any("WRONG" in p or "says" in p for p in problems)
    for problem in problems:
        print("WARNING: " + problem)
    n_variants = len({(k[0], k[1]) for k in rows})
    if agree:
        print("Agreement: all %d timed variants give the expected verdict on both payloads (valid / invalid)."
              % n_variants)
    print("Summary: " + ", ".join("%s %s" % (label.split()[0], "PASS" if ok else "MISS") for label, ok in verdicts))
    if not all(ok for _, ok in verdicts):
        print("Where the library spends its time: bash tools/bench/profile_validate.sh [PAYLOAD] [verdict|first|all]")
    if len(sys.argv) > 7:
        labels = {impl: (lang, label) for lang, impl, label in IMPLS}
        results_out = [{"language": labels.get(r["impl"], ("?", r["impl"]))[0], "impl": r["impl"],
                        "label": labels.get(r["impl"], ("?", r["impl"]))[1], "path": r["path"], "file": r["file"],
                        "call": CALLS.get((r["impl"], r["path"]), ""), "bytes": r["bytes"], "crc32": r["crc"],
                        "callsPerBatch": r["calls"], "reps": r["reps"],
                        "us": {"median": r["median"] / 1e3, "min": r["min"] / 1e3, "max": r["max"] / 1e3},
                        "spreadPercent": (r["max"] - r["min"]) / r["median"] * 100 if r["median"] else None,
                        "verdict": r["verdict"]} for r in rows.values()]
        ratios_out = []
        for lang, ours, other, our_path, other_path in pairs:
            for n in files:
                value = ratio(get(other, other_path, n), get(ours, our_path, n))
                if value is not None:
                    ratios_out.append({"language": lang, "library": ours, "libraryPath": our_path, "vs": other,
                                       "vsPath": other_path, "file": n, "ratio": value})
        write_json(sys.argv[7], {
            "bench": "validate", "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "run": run_facts(sys.argv[8:]), "unit": "microseconds per call",
            "method": "wall clock per batch of calls (calibrated to a minimum batch duration), warm-up batches, "
                      "median, min, max over the timed batches; Python's GC off while timing",
            "schema": schema_rel, "validPayload": valid_name, "invalidPayload": invalid_name,
            "results": results_out, "ratios": ratios_out,
            "target": {"cMaxUs": target_c, "rsRatio": target_rs, "jsonschemaRatio": target_js, "phpRatio": target_php,
                       "verdicts": judged},
            "agreement": agree, "notes": [{"impl": i, "text": t} for i, t in notes], "warnings": problems})


if __name__ == "__main__":
    main()
