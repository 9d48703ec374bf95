#!/usr/bin/env python3
"""Writes the one benchmark report, BENCHMARKS.md and benchmarks.json, from the parts' JSON files.

    write_report.py --dir .build-bench --run-id ID [--markdown BENCHMARKS.md] [--json benchmarks.json]
                    [--python python3] [--php php] [--php-args "ARGS"]

Reads .build-bench/{validate,bulk,verify,parse,coldstart,client}.json (written by the parts of
tools/bench/run.sh) and writes, at the top of the repository:
  BENCHMARKS.md    machine facts, one section per row (the library beside the alternatives a user
                   would pick, medians, ratios), and the issue's targets with PASS/MISS
  benchmarks.json  the same as data: {"machine", "parts": {name: {"status", ...the part's JSON}},
                   "targets": [...], "headline": [...]}
A part's status is "this run" when its runId is ID, "earlier run" when its file comes from another
run (BENCH_ONLY ran other parts; its figures are shown, marked), "not run" when there is no file.
"""
import getopt
import json
import os
import platform
import subprocess
import sys
import time

from report_common import write_json

PARTS = [("validate", "1. Validation of one payload (fixture create schema)"),
         ("bulk", "2. Bulk validation (JSON Lines)"),
         ("verify", "3. Callback verification, 1 KiB body"),
         ("parse", "4. JSON parse throughput"),
         ("coldstart", "5. Cold start, artefact size, resident memory"),
         ("client", "6. Client overhead per request")]


def sh(argv, default="not found"):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return default
    text = (r.stdout or r.stderr).strip()
    return text.splitlines()[0].strip() if r.returncode == 0 and text else default


def machine(python, php, php_args):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    os_name = "?"
    try:
        with open("/etc/os-release") as f:
            os_name = next((ln.split("=", 1)[1].strip().strip('"') for ln in f if ln.startswith("PRETTY_NAME=")), "?")
    except OSError:
        pass
    pyv = lambda dist: sh([python, "-c", "import importlib.metadata as m; print(m.version(%r))" % dist], "not installed")
    lib_version = "?"
    try:
        with open("dist/lib/pkgconfig/onderwijsregio.pc") as f:
            lib_version = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("Version:")), "?")
    except OSError:
        pass
    commit = sh(["git", "rev-parse", "--short=12", "HEAD"], "?")
    if commit != "?" and sh(["git", "status", "--porcelain", "--untracked-files=no"], "") not in ("", "not found"):
        commit += " (with uncommitted changes)"
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpuModel": cpu, "cpusOnline": os.cpu_count(), "cpusAllowed": len(os.sched_getaffinity(0)),
        "kernel": platform.release(), "os": os_name, "libc": " ".join(platform.libc_ver()),
        "library": lib_version, "commit": commit,
        "swift": sh(["swift", "--version"]),
        "cc": sh([os.environ.get("CC", "cc"), "--version"]),
        "python": sh([python, "-c", "import sys; print(sys.version.split()[0])"]),
        "php": sh([php] + php_args + ["-r", "echo PHP_VERSION;"]) + " " + " ".join(php_args),
        "alternatives": {
            "jsonschema-rs": pyv("jsonschema-rs"), "jsonschema": pyv("jsonschema"),
            "fastjsonschema": pyv("fastjsonschema"), "orjson": pyv("orjson"), "requests": pyv("requests"),
            "standardwebhooks": pyv("standardwebhooks"), "stripe": pyv("stripe"),
            "php-json-schema (justinrainbow/json-schema)": sh(["dpkg-query", "-W", "-f", "${Version}",
                                                               "php-json-schema"], "not installed"),
            "curl": sh(["curl", "--version"]).split(" ")[1] if sh(["curl", "--version"]) != "not found" else "not found",
            "libcrypto (OpenSSL)": sh(["openssl", "version"]),
        },
    }


def md_table(headers, rows, aligns=None):
    aligns = aligns or ["l"] * len(headers)
    out = ["| " + " | ".join(headers) + " |",
           "| " + " | ".join("---:" if a == "r" else "---" for a in aligns) + " |"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def f2(v, spec="%.2f"):
    return spec % v if v is not None else "-"


def x(v):
    return "%.2fx" % v if v is not None else "-"


def section_validate(d):
    lines = []
    vp, ip = d.get("validPayload", "valid"), d.get("invalidPayload", "invalid")
    by = {}
    for r in d["results"]:
        by.setdefault((r["language"], r["label"], r["path"], r["call"]), {})[r["file"]] = r
    rows = []
    for (lang, label, path, call), files in by.items():
        rows.append([lang, label, path, call, f2(files.get(vp, {}).get("us", {}).get("median")),
                     f2(files.get(ip, {}).get("us", {}).get("median"))])
    lines += ["Schema `%s`, each payload handed over as bytes; median microseconds per call (lower is better). "
              "`verdict` = valid or not; `first` = stop at the first error; `all` = every error described."
              % d.get("schema", "?"), ""]
    lines += md_table(["lang", "validator", "path", "one call", "%s µs" % vp, "%s µs" % ip], rows,
                      ["l", "l", "l", "l", "r", "r"])
    rat = {}
    for r in d.get("ratios", []):
        rat.setdefault((r["language"], "%s %s" % (r["library"], r["libraryPath"]), r["vs"], r["vsPath"]), {})[r["file"]] = r["ratio"]
    if rat:
        lines += ["", "Ratios: the other's time / the library's (>1: the library is faster), same language, same bytes.", ""]
        lines += md_table(["lang", "library", "vs", "path", vp, ip],
                          [[k[0], k[1], k[2], k[3], x(v.get(vp)), x(v.get(ip))] for k, v in rat.items()],
                          ["l", "l", "l", "l", "r", "r"])
    lines += ["", "Agreement: every timed variant gives the verdict of the fixtures' expected.json: %s."
              % ("yes" if d.get("agreement") else "NO (see warnings)")]
    counted = d.get("instructions")
    if counted:
        lines += ["", "Instructions per `oreg_schema_validate` call, counted by callgrind (the library and what it "
                  "calls; the same build, unstripped): a figure a slow or busy machine does not move "
                  "(`bash tools/bench/count_instructions.sh`).", ""]
        lines += md_table(["payload", "path", "instructions"],
                          [[c["file"], c["path"], "{:,}".format(c["instructions"])] for c in counted["counts"]],
                          ["l", "l", "r"])
    return lines


def section_bulk(d):
    lines = []
    first = d["results"][0] if d["results"] else {}
    lines += ["%s records (`%s`, %s bytes of records; seed %s, about %s%% with one defect), one JSON document per "
              "line, each validated against the create schema; a pass = the whole file in order, in memory; median "
              "of the timed passes (higher is better)." % (
                  "{:,}".format(first.get("records", 0)), os.path.basename(d["run"].get("records", first.get("file", "?"))),
                  "{:,}".format(first.get("bytes", 0)), d["run"].get("seed", "?"), d["run"].get("invalidPercent", "?")), ""]
    lines += md_table(["lang", "validator", "variant", "one record", "records/s", "µs/record", "valid records"],
                      [[r["language"], r["label"], r["variant"], r["call"], "{:,.0f}".format(r["recordsPerSecond"]),
                        "%.2f" % r["usPerRecord"], "{:,}".format(r["validCount"])] for r in d["results"]],
                      ["l", "l", "l", "l", "r", "r", "r"])
    if d.get("ratios"):
        lines += ["", "Ratios: the library's records/s / the other's (>1: the library is faster).", ""]
        lines += md_table(["library", "vs", "ratio", "context"],
                          [[r["library"], r["vs"], x(r["ratio"]), r["why"]] for r in d["ratios"]], ["l", "l", "r", "l"])
    lines += ["", "Agreement on the count of valid records: %s (generator's intended count %s)." % (
        "all validators agree" if d.get("agree") else "DISAGREE: %s" % d.get("validCounts"),
        "{:,}".format(d["intendedValid"]) if d.get("intendedValid") is not None else "?")]
    return lines


def section_verify(d):
    lines = ["Microseconds per verification of one signed callback with a 1,024-byte body, median (lower is better).", ""]
    lines += md_table(["lang", "verifier", "variant", "one call", "µs"],
                      [[r["language"], r["label"], r["variant"], r["call"], "%.2f" % r["us"]["median"]]
                       for r in d["results"]], ["l", "l", "l", "l", "r"])
    if d.get("ratios"):
        lines += ["", "Ratios: the other's median / the library's (>1: the library is faster).", ""]
        lines += md_table(["library", "vs", "ratio", "context"],
                          [[r["library"], r["vs"], x(r["ratio"]), r["why"]] for r in d["ratios"]], ["l", "l", "r", "l"])
    return lines


def section_parse(d):
    large = d.get("largeFile")
    lines = ["Throughput on the generated document `%s`, MB/s (10^6 input bytes per second), median (higher is better). "
             "`check` = parse only (oreg_json_check vs json.loads); `canonicalize` = parse + canonical re-serialisation "
             "(RFC 8785 vs json.dumps(json.loads(b), sort_keys=True), not the same function)." % large, ""]
    names = {"c": "oreg (C ABI)", "py": "Python json", "py-gc": "Python json, GC on", "orjson": "orjson"}
    rows = [[names.get(r["impl"], r["impl"]), r["op"], "{:,}".format(r["bytes"]), "%.1f" % r["mbPerSecond"]]
            for r in d["results"] if r["file"] == large]
    lines += md_table(["parser", "op", "bytes", "MB/s"], rows, ["l", "l", "r", "r"])
    if d.get("ratios"):
        lines += ["", "Ratios: the library's MB/s / the other's.", ""]
        lines += md_table(["op", "library vs", "ratio"], [[r["op"], names.get(r["vs"], r["vs"]), x(r["ratio"])]
                                                          for r in d["ratios"]], ["l", "l", "r"])
    return lines


def section_coldstart(d):
    lines = ["Fresh processes timed whole (spawn to exit), %s; median wall time; *added* = the median minus that "
             "of the same interpreter doing nothing. PHP options: `%s`." % (d.get("method", ""), d.get("phpArgs", "")), ""]
    lines += md_table(["lang", "fresh process does", "wall ms", "added ms", "CPU ms", "added CPU ms"],
                      [[r["group"], r["label"], "%.2f" % r["wallMs"]["median"], f2(r.get("addedWallMs"), "%+.2f"),
                        "%.2f" % r["cpuMs"], f2(r.get("addedCpuMs"), "%+.2f")] for r in d["results"]],
                      ["l", "l", "r", "r", "r", "r"])
    lib = d.get("library", {})
    lines += ["", "Library file `%s`: **%s bytes** (%.2f MB, %.2f MiB), %s." % (
        os.path.basename(lib.get("path", "?")), "{:,}".format(lib.get("bytes", 0)), lib.get("bytes", 0) / 1e6,
        lib.get("bytes", 0) / 2 ** 20, "stripped" if lib.get("stripped") else "NOT stripped")]
    rss = d.get("rss", {})
    rows = []
    for key, text in (("cDlopenKb", "C program (libc only): dlopen(RTLD_NOW)"),
                      ("cFirstUseKb", "C program: dlopen + first use (schema compiled, one payload validated)"),
                      ("phpCdefKb", "PHP: FFI::cdef"),
                      ("phpCdefVerifyKb", "PHP: FFI::cdef + one callback verified")):
        if key in rss:
            rows.append([text, "{:,}".format(int(rss[key])), "%.2f" % (rss[key] * 1024 / 1e6)])
    if rows:
        lines += ["", "Resident memory added (RSS after - before; kB = 1024 bytes):", ""]
        lines += md_table(["measured in", "kB", "MB"], rows, ["l", "r", "r"])
        if rss.get("cByMapping"):
            lines += ["", "Where the C program's added pages are: " + ", ".join(
                "%s %s kB" % (os.path.basename(m["mapping"]), "{:,}".format(m["kb"])) for m in rss["cByMapping"][:6]) + "."]
    return lines


def section_client(d):
    lines = ["CPU of the client side (getrusage user + sys) per request against a local keep-alive HTTP/1.1 endpoint "
             "on another core, median of the runs (lower is better).", ""]
    lines += md_table(["lang", "client", "op", "one call", "CPU µs", "wall µs"],
                      [[r["language"], r["label"], r["op"], r["call"], "%.1f" % r["cpuUs"]["median"],
                        "%.1f" % r["wallUs"]["median"]] for r in d["results"]], ["l", "l", "l", "l", "r", "r"])
    if d.get("ratios"):
        lines += ["", "Ratios: the other client's median / the library's (>1: the library spends less).", ""]
        lines += md_table(["library vs", "op", "CPU", "wall"],
                          [[r["vs"], r["op"], x(r["cpu"]), x(r["wall"])] for r in d["ratios"]], ["l", "l", "r", "r"])
    return lines


SECTIONS = {"validate": section_validate, "bulk": section_bulk, "verify": section_verify, "parse": section_parse,
            "coldstart": section_coldstart, "client": section_client}


def targets(parts):
    """[(id, target, measured text, pass or None, part)] in the issue's order."""
    out = []
    v = parts.get("validate")
    labels = {"T1": ("validation-c", "Validation in process (C ABI) ≤ 5 µs per valid fixture payload", "us", max),
              "T2": ("validation-rs", "Python (ctypes) ≥ 1.0× jsonschema-rs, like for like", "x", min),
              "T3": ("validation-jsonschema", "Python (ctypes) ≥ 30× jsonschema, like for like", "x", min),
              "T4": ("validation-php", "PHP (FFI) ≥ 20× php-json-schema (justinrainbow)", "x", min)}
    got = {}
    if v:
        for t in v["target"]["verdicts"]:
            got[t["what"].split()[0]] = t
    for key, (tid, text, unit, worst) in labels.items():
        t = got.get(key)
        if not t:
            out.append((tid, text, "not measured", None, "validate"))
            continue
        value = worst(c["value"] for c in t["checks"])
        out.append((tid, text, ("worst %.2f µs" if unit == "us" else "worst %.2fx") % value
                    + " (%d checks)" % len(t["checks"]), t["pass"], "validate"))
    vf = parts.get("verify")
    vv = {t["what"]: t for t in vf["target"]["verdicts"]} if vf else {}
    cs = [t for w, t in vv.items() if w.startswith("C ")]
    out.append(("verify-c", "Verification in process (C ABI) ≤ 2 µs",
                "; ".join("%s %.2f µs" % (t["what"].split(" <=")[0], t["value"]) for t in cs) or "not measured",
                all(t["pass"] for t in cs) if cs else None, "verify"))
    ps = [t for w, t in vv.items() if w.startswith("ctypes")]
    out.append(("verify-python", "Python verification faster than standardwebhooks and stripe",
                "; ".join("%.2fx vs %s" % (t["value"], t["what"].split("faster than ")[1]) for t in ps) or "not measured",
                all(t["pass"] for t in ps) if ps else None, "verify"))
    c = parts.get("coldstart")
    cv = {t["id"]: t for t in c["target"]["verdicts"]} if c else {}
    for tid, text in (("coldstart-php", "Cold start: PHP fresh process, load + verify one callback ≤ 3 ms added"),
                      ("artefact-size", "Artefact ≤ 8 MB stripped (8,000,000 bytes)"),
                      ("rss-load", "Resident memory added by loading ≤ 8 MB (8,000,000 bytes)")):
        t = cv.get(tid)
        if not t:
            out.append((tid, text, "not measured", None, "coldstart"))
            continue
        value = ("%.2f ms" % t["value"]) if t["unit"] == "ms" else "{:,} bytes".format(int(t["value"]))
        out.append((tid, text, value + (" (%s)" % t["note"] if t.get("note") else ""), t["pass"], "coldstart"))
    cl = parts.get("client")
    cvs = cl["target"]["verdicts"] if cl else []
    out.append(("client", "Client CPU per request lower than requests (Session)",
                "; ".join("%s %.1f vs %.1f µs (%.2fx)" % (t["op"], t["libraryCpuUs"], t["requestsCpuUs"], t["ratio"])
                          for t in cvs) or "not measured", all(t["pass"] for t in cvs) if cvs else None, "client"))
    p = parts.get("parse")
    pv = p["target"]["verdicts"] if p else []
    out.append(("parse", "JSON parse ≥ 1.5× Python json.loads (part 4's own target)",
                "; ".join("%.2fx" % t["value"] for t in pv) or "not measured",
                all(t["pass"] for t in pv) if pv else None, "parse"))
    return out


def headline(parts):
    """A few ratios, from this report's data."""
    out = []
    b = parts.get("bulk")
    if b:
        for r in b.get("ratios", []):
            if r["library"] == "oreg-ctypes/verdict":
                out.append(("Bulk validation, Python: library via ctypes vs jsonschema-rs (records/s)", r["ratio"]))
    v = parts.get("validate")
    if v:
        for r in v.get("ratios", []):
            if r["libraryPath"] == "verdict" and r["vs"] == "jsonschema" and r["file"] == v.get("validPayload"):
                out.append(("Validation, Python: library via ctypes vs jsonschema (valid payload, verdict)", r["ratio"]))
        php = [r for r in v.get("ratios", []) if r["language"] == "PHP" and r["libraryPath"] == "all"
               and r["file"] == v.get("validPayload")]
        if php:
            best = min(php, key=lambda r: r["ratio"])
            out.append(("Validation, PHP: library via FFI vs justinrainbow/json-schema (valid payload, %s)"
                        % best["vs"], best["ratio"]))
    f = parts.get("verify")
    if f:
        for r in f.get("ratios", []):
            if r["library"] == "oreg-ctypes/pure" and r["vs"] in ("stripe/verify", "standardwebhooks/verify"):
                out.append(("Callback verification, Python: library vs %s" % r["vs"].split("/")[0], r["ratio"]))
    c = parts.get("client")
    if c:
        for r in c.get("ratios", []):
            if r["vs"] == "requests":
                out.append(("Client CPU per request, %s: requests / library" % r["op"].upper(), r["cpu"]))
    p = parts.get("parse")
    if p:
        for r in p.get("ratios", []):
            if r["op"] == "check" and r["vs"] == "py":
                out.append(("JSON parse: library vs json.loads (MB/s)", r["ratio"]))
    return out


def main():
    opts, _ = getopt.getopt(sys.argv[1:], "", ["dir=", "run-id=", "markdown=", "json=", "python=", "php=", "php-args="])
    o = dict((k[2:], v) for k, v in opts)
    bench_dir, run_id = o.get("dir", ".build-bench"), o.get("run-id", "")
    php_args = o.get("php-args", "-d opcache.enable_cli=1").split()
    parts, status = {}, {}
    for name, _ in PARTS:
        path = os.path.join(bench_dir, name + ".json")
        try:
            with open(path) as f:
                d = json.load(f)
        except (OSError, ValueError):
            status[name] = "not run"
            continue
        parts[name] = d
        status[name] = "this run" if d.get("run", {}).get("runId") == run_id else \
            "earlier run (%s)" % d.get("generated", "?")
    m = machine(o.get("python", "python3"), o.get("php", "php"), php_args)
    this = [d for n, d in parts.items() if status[n] == "this run"]
    quick = any(d.get("run", {}).get("quick") == "1" for d in this)
    sha = sorted({d.get("run", {}).get("librarySha256", "?") for d in parts.values()})
    cpu_pin = sorted({d.get("run", {}).get("cpu", "") for d in this} - {""})
    tgt = targets(parts)
    heads = headline(parts)

    md = ["# Benchmarks", "",
          "Written by `make bench` (`bash tools/bench/run.sh`, then `tools/bench/write_report.py`) on %s; "
          "machine-readable twin: [benchmarks.json](benchmarks.json). Every figure in a row comes from the same run, "
          "on one core, and is a median of repeated measurements; ratios are taken within the run." % m["date"], ""]
    if quick:
        md += ["> **BENCH_QUICK=1 run**: fewer repetitions; the figures are noisier than a full run's.", ""]
    not_this = [n for n, _ in PARTS if status[n] != "this run"]
    if not_this:
        md += ["> **Parts not run in this run**: %s. Their sections show %s." % (
            ", ".join("%s (%s)" % (n, status[n]) for n in not_this),
            "the figures of an earlier run, marked as such, or nothing"), ""]
    md += ["## Machine", ""]
    md += md_table(["", ""], [
        ["Date (UTC)", m["date"]], ["CPU", "%s; %s online, %s allowed; pinned to CPU %s (taskset)"
                                   % (m["cpuModel"], m["cpusOnline"], m["cpusAllowed"], ", ".join(cpu_pin) or "?")],
        ["Kernel / OS", "%s / %s (%s)" % (m["kernel"], m["os"], m["libc"])],
        ["libonderwijsregio", "%s, commit %s; library sha256 %s" % (m["library"], m["commit"], ", ".join(sha))],
        ["Swift", m["swift"]], ["C compiler", m["cc"]], ["Python", m["python"]], ["PHP", m["php"]],
    ] + [[k, v] for k, v in m["alternatives"].items()])
    md += ["", "## Targets", ""]
    md += md_table(["target", "measured", "verdict", "from"],
                   [[t[1], t[2], "**PASS**" if t[3] else ("**MISS**" if t[3] is False else "not measured"),
                     "%s (%s)" % (t[4], status.get(t[4], "?"))] for t in tgt], ["l", "l", "l", "l"])
    if heads:
        md += ["", "Headline ratios (>1: the library is faster or spends less):", ""]
        md += ["- %s: **%.2fx**" % (h[0], h[1]) for h in heads]
    for name, title in PARTS:
        md += ["", "## %s" % title, "", "Part `%s` (`BENCH_ONLY=%s`): **%s**." % (name, name, status[name]), ""]
        d = parts.get(name)
        if not d:
            md += ["Not run: no `.build-bench/%s.json`." % name]
            continue
        try:
            md += SECTIONS[name](d)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            md += ["(the part's JSON could not be rendered: %s: %s)" % (type(e).__name__, e)]
        for w in d.get("warnings", []):
            md += ["", "Warning: %s" % w]
    md += ["", "## How to run", "",
           "`make bench` runs every part (about 3 minutes on the machine above); `BENCH_QUICK=1 make bench` "
           "shrinks every part's repetitions (about 1 minute, noisier figures); `BENCH_ONLY=<part>` runs one part "
           "(parse, validate, bulk, client, verify, coldstart) and rewrites this report with the other parts "
           "marked. Method and options: the header of `tools/bench/run.sh`.", ""]
    with open(o.get("markdown", "BENCHMARKS.md") + ".tmp", "w") as f:
        f.write("\n".join(md))
    os.replace(o.get("markdown", "BENCHMARKS.md") + ".tmp", o.get("markdown", "BENCHMARKS.md"))
    print("Written: %s" % o.get("markdown", "BENCHMARKS.md"))

    doc = {"generated": m["date"], "runId": run_id, "quick": quick, "machine": m,
           "targets": [{"id": t[0], "target": t[1], "measured": t[2], "pass": t[3], "part": t[4],
                        "partStatus": status.get(t[4])} for t in tgt],
           "headline": [{"what": h[0], "ratio": h[1]} for h in heads],
           "parts": {n: dict({"status": status[n]}, **parts.get(n, {})) for n, _ in PARTS}}
    write_json(o.get("json", "benchmarks.json"), doc)
    print()
    print("Targets:")
    for t in tgt:
        print("  %-80s %-10s %s" % (t[1], "PASS" if t[3] else ("MISS" if t[3] is False else "-"), t[2]))


if __name__ == "__main__":
    main()
