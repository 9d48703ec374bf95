#!/usr/bin/env python3
"""Prints the client benchmark's tables and writes them as JSON.

    report_client.py RESULTS_TSV OUT_JSON [KEY=VALUE ...]

RESULTS_TSV  the lines of bench_client.c (impl oreg), bench_libcurl.c (libcurl) and bench_client.py
             (requests, curl): "impl op run requests user_ns sys_ns wall_ns", their
             "note<TAB>impl<TAB>text" lines, and the endpoint's counters that run.sh fetched
             around each run of a program: "server<TAB>impl<TAB>before|after<TAB>{...}" (GET
             /__stats of fast_endpoint.c), summed per program
OUT_JSON     where the same figures go as JSON (.build-bench/client.json)
KEY=VALUE    facts about the run, copied into the JSON's "run" object (library, CPUs, ...)

CPU per request = (user + sys) / requests of one run; the table gives the median over the runs and
the spread (max - min) / median. For oreg, libcurl and requests it is the CPU of the process making
the calls; for the curl command line, that of its processes (RUSAGE_CHILDREN), one per request.

Target (issue): the library's CPU per request lower than requests' (TARGET_REQUESTS_RATIO, default 1:
requests' CPU / the library's > 1), for the GET and the POST. Exits 0 unless the results are
unusable: a benchmark is not a test.
"""
import json
import os
import statistics
import sys
import time

from report_common import run_facts, table, write_json

COLUMNS = "impl op run requests user_ns sys_ns wall_ns".split()
# (impl, language, label, what one call is), in table order.
IMPLS = [
    ("oreg", "C", "oreg (C ABI)", {"get": 'oreg_client_get("/candidates?pageSize=1"), oreg_free',
                                   "post": 'oreg_client_submit("candidates.upsert", validate false), oreg_free'}),
    ("libcurl", "C", "libcurl (reference)", {"get": "curl_easy_perform, one handle, oreg_json_check",
                                             "post": "curl_easy_perform, one handle, oreg_json_check"}),
    ("requests", "Python", "requests.Session", {"get": "session.get(url), .json()",
                                                "post": "session.post(url, params, data=bytes), .json()"}),
    ("curl", "shell", "curl CLI", {"get": "curl -sS --fail URL (one process)",
                                   "post": "curl -sS --fail -X POST --data-binary @file (one process)"}),
]
OPS = ("get", "post")


def load(path):
    runs, notes, server = {}, [], {}
    pending = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "note" and len(parts) == 3:
                notes.append((parts[1], parts[2]))
            elif parts[0] == "server" and len(parts) == 4:
                try:
                    counters = json.loads(parts[3])
                except ValueError:
                    continue
                impl = parts[1]
                if parts[2] == "before":
                    pending[impl] = counters
                elif parts[2] == "after" and impl in pending:
                    before = pending.pop(impl)
                    total = server.setdefault(impl, {})
                    for key, value in counters.items():
                        if isinstance(value, int) and isinstance(before.get(key), int):
                            total[key] = total.get(key, 0) + value - before[key]
                    total["processes"] = total.get("processes", 0) + 1
                    total["connections"] -= 1  # the /__stats request of 'after' came on its own connection
                    total["reads"] = total.get("reads", 0) - 1  # and was one read ...
                    total["writes"] = total.get("writes", 0) - 1  # ... and one write
            elif len(parts) == len(COLUMNS):
                row = dict(zip(COLUMNS, parts))
                try:
                    for key in COLUMNS[2:]:
                        row[key] = int(float(row[key]))
                except ValueError:
                    continue
                runs.setdefault((row["impl"], row["op"]), []).append(row)
    return runs, notes, server


def summarize(rows):
    per = lambda key: [r[key] / r["requests"] / 1e3 for r in rows]  # microseconds per request
    cpu = [(r["user_ns"] + r["sys_ns"]) / r["requests"] / 1e3 for r in rows]
    wall = per("wall_ns")
    med = statistics.median(cpu)
    return {
        "runs": len(rows),
        "requestsPerRun": rows[0]["requests"],
        "cpuUs": {"median": med, "min": min(cpu), "max": max(cpu), "all": cpu},
        "userUs": statistics.median(per("user_ns")),
        "sysUs": statistics.median(per("sys_ns")),
        "wallUs": {"median": statistics.median(wall), "min": min(wall), "max": max(wall)},
        "spreadPercent": (max(cpu) - min(cpu)) / med * 100 if med else None,
    }


def main():
    results, out_json = sys.argv[1], sys.argv[2]
    meta = run_facts(sys.argv[3:])
    target = float(os.environ.get("TARGET_REQUESTS_RATIO", "1"))
    runs, notes, server = load(results)
    if not runs:
        print("client bench: no results")
        return

    # Endpoint counters per program (all its runs, warm-up included): connections it opened,
    # requests, Expect: 100-continue exchanges, recv() calls, the endpoint's CPU.
    endpoint = {}
    for impl, _, _, _ in IMPLS:
        d = server.get(impl)
        if not d:
            continue
        if d.get("requests"):
            d["serverCpuUsPerRequest"] = d["cpuNs"] / d["requests"] / 1e3
            d["readsPerRequest"] = d.get("reads", 0) / d["requests"]
        endpoint[impl] = d

    # The same note from every run of a program once (numbers aside, the first one stands).
    seen, unique = set(), []
    for impl, text in notes:
        shape = (impl, "".join("#" if ch.isdigit() else ch for ch in text)[:60])
        if shape not in seen:
            seen.add(shape)
            unique.append((impl, text))
    notes = unique

    results_out = []
    rows = []
    for impl, lang, label, calls in IMPLS:
        for op in OPS:
            r = runs.get((impl, op))
            if not r:
                continue
            s = summarize(r)
            s.update({"impl": impl, "language": lang, "label": label, "op": op, "call": calls[op]})
            results_out.append(s)
            rows.append([lang, label, op, "%dx%d" % (s["runs"], s["requestsPerRun"]),
                         "%.1f" % s["cpuUs"]["median"], "%.1f" % s["userUs"], "%.1f" % s["sysUs"],
                         "%.0f" % s["spreadPercent"], "%.1f" % s["cpuUs"]["min"], "%.1f" % s["wallUs"]["median"]])
    get = lambda impl, op: next((s for s in results_out if s["impl"] == impl and s["op"] == op), None)

    print()
    print("Client overhead per request: CPU of the client side, user + sys (getrusage), microseconds per")
    print("request, median of the runs (lower is better); against a loopback HTTP/1.1 keep-alive endpoint")
    print("(tools/bench/fast_endpoint.c) that answers at once with a small fixed JSON body, on another core.")
    table(["lang", "client", "op", "runs x n", "CPU us", "user", "sys", "+-%", "min CPU", "wall us"],
          rows, ["<", "<", "<", ">", ">", ">", ">", ">", ">", ">"])
    print("  CPU us = median (user + sys) per request; user, sys = their medians; +-% = (max - min) / median")
    print("  of CPU per request over the runs; min CPU = the best run; wall us = elapsed time per request")
    print("  (the round trip to the endpoint included). sys includes the kernel's loopback TCP work, which")
    print("  also delivers each request to the endpoint's socket: the same for every client.")
    for impl, lang, label, calls in IMPLS:
        if any(get(impl, op) for op in OPS):
            print("  %-20s get: %s" % (label, calls["get"]))
            print("  %-20s post: %s" % ("", calls["post"]))
    if endpoint:
        print()
        print("What the endpoint saw from each client (every run, warm-up included):")
        erows = []
        for impl, lang, label, _ in IMPLS:
            e = endpoint.get(impl)
            if not e or not e.get("requests"):
                continue
            erows.append([label, "%d" % e["requests"], "%d" % e["connections"], "%.2f" % e["readsPerRequest"],
                          "%d" % e.get("expect100", 0), "%d" % e.get("missingApiKey", 0),
                          "%.1f" % e["serverCpuUsPerRequest"]])
        table(["client", "requests", "connections", "recv()/request", "100-continue", "no x-api-key",
               "endpoint CPU us/req"], erows, ["<", ">", ">", ">", ">", ">", ">"])
        print("  recv()/request: how many reads a request took (2 or more: head and body came in separate")
        print("  segments); the endpoint's CPU is not counted in any client's figure.")

    ratios = []
    for other in ("requests", "curl", "libcurl"):
        for op in OPS:
            ours, theirs = get("oreg", op), get(other, op)
            if ours and theirs:
                ratios.append({"vs": other, "op": op,
                               "cpu": theirs["cpuUs"]["median"] / ours["cpuUs"]["median"],
                               "wall": theirs["wallUs"]["median"] / ours["wallUs"]["median"]})
    if ratios:
        print()
        print("Ratios: the other client's median / the library's (>1: the library spends less)")
        table(["library vs", "op", "CPU", "wall"],
              [[r["vs"] + (" (reference floor)" if r["vs"] == "libcurl" else ""), r["op"],
                "%.2fx" % r["cpu"], "%.2fx" % r["wall"]] for r in ratios],
              ["<", "<", ">", ">"])

    print()
    print("Target (issue): the library's CPU per request lower than requests' (one Session, keep-alive):")
    verdicts = []
    for op in OPS:
        ours, theirs = get("oreg", op), get("requests", op)
        if not (ours and theirs):
            print("  %s: no %s result -> cannot judge" % (op, "library" if not ours else "requests"))
            continue
        value = theirs["cpuUs"]["median"] / ours["cpuUs"]["median"]
        ok = value > target
        verdicts.append({"op": op, "libraryCpuUs": ours["cpuUs"]["median"], "requestsCpuUs": theirs["cpuUs"]["median"],
                         "ratio": value, "pass": ok})
        print("  %-4s oreg %.1f us vs requests %.1f us: %.2fx > %gx -> %s"
              % (op, ours["cpuUs"]["median"], theirs["cpuUs"]["median"], value, target, "PASS" if ok else "MISS"))

    problems = []
    for impl, e in endpoint.items():
        if e.get("missingApiKey"):
            problems.append("%s: %d requests reached the endpoint without x-api-key" % (impl, e["missingApiKey"]))
        if e.get("badRequests"):
            problems.append("%s: the endpoint could not parse %d requests" % (impl, e["badRequests"]))
        n = sum(s["runs"] * s["requestsPerRun"] for s in results_out if s["impl"] == impl)
        if e.get("requests", 0) < n:
            problems.append("%s: the endpoint saw %d requests, fewer than the %d timed" % (impl, e["requests"], n))
    for impl in ("oreg", "libcurl", "requests"):
        e = endpoint.get(impl, {})
        if e.get("connections", 0) > e.get("processes", 0):
            problems.append("%s: %d connections for %d requests from %d processes: the connection was not kept alive"
                            % (impl, e["connections"], e["requests"], e["processes"]))
    if notes:
        print()
        print("Notes:")
        for impl, text in notes:
            print("  %-9s %s" % (impl, text if len(text) <= 240 else text[:240] + "..."))
    for problem in problems:
        print("WARNING: " + problem)
    if verdicts:
        print("Summary: client CPU per request vs requests: %s"
              % ", ".join("%s %s" % (v["op"], "PASS" if v["pass"] else "MISS") for v in verdicts))

    doc = {
        "bench": "client",
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run": meta,
        "unit": "microseconds per request",
        "method": "CPU = getrusage user + sys of the calling process (RUSAGE_CHILDREN for the curl command line), "
                  "per run of n requests; median, min, max over the runs",
        "results": results_out,
        "endpoint": endpoint,
        "ratios": ratios,
        "target": {"what": "library CPU per request lower than requests'", "ratioAbove": target, "verdicts": verdicts},
        "notes": [{"impl": i, "text": t} for i, t in notes],
        "warnings": problems,
    }
    write_json(out_json, doc)


if __name__ == "__main__":
    main()
