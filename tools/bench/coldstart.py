#!/usr/bin/env python3
"""Cold start: what a fresh process pays for the library, its file size and the memory it adds.

    coldstart.py --out JSON --lib LIB --cdef CDEF --schema SCHEMA --payload PAYLOAD --body BODY
                 [--runs N] [--php PHP] [--php-args "ARGS"] [--draft04 FILE] [--autoload FILE]
                 [--bindings DIR] [--rss-bin PROGRAM] [--rss-runs N] [--smaps-dir DIR] [KEY=VALUE ...]

(a) PHP: fresh `php ARGS` processes (ARGS = those of the validation benchmark, BENCH_PHP_ARGS),
    each timed whole (spawn to exit, wall clock) and its CPU (user + sys) taken from wait4()
    (not its peak RSS: a child spawned with vfork or fork inherits the parent's high-water mark,
    so (d) measures memory instead): `php ARGS -r ';'` (nothing), coldstart.php load (FFI::cdef of the generated
    declarations, LIB), verify (the load, a verifier with its default replay store, one callback
    of BODY verified), validate (the load, SCHEMA compiled, PAYLOAD validated) and the
    alternatives a PHP user would pick: hmac (contract section 8 by hand with hash_hmac) and jr
    (justinrainbow/json-schema on the draft-04 copy, its autoloader required).
(b) Python: `python3 -c pass`, `import onderwijsregio` (PYTHONPATH=bindings/python,
    ONDERWIJSREGIO_LIB=LIB), the import + Schema.compile(SCHEMA) + is_valid(PAYLOAD), and the
    same with jsonschema-rs and with jsonschema.
    Every command runs once per round, in turn, for N + 1 rounds (the first is a warm-up and is
    dropped); medians over the N others. Added cost = the command's median - the baseline's.
(c) The library file: size in bytes of LIB's real file; whether it carries a symbol table
    (.symtab) or debug sections, i.e. whether it is stripped.
(d) Resident memory: RSS-BIN (rss_dlopen.c: a C program linked against libc only) reads
    /proc/self/statm around dlopen(LIB, RTLD_NOW) and after a first use (SCHEMA compiled, PAYLOAD
    validated); PHP reads VmRSS around FFI::cdef (and around the verify). Median of --rss-runs.
    With --smaps-dir, the mappings that grew are listed (the library and its dependencies).

Targets (environment, run.sh sets them): TARGET_PHP_ADDED_MS (3): PHP load + verify one callback
adds at most that many ms; TARGET_SIZE_BYTES (8000000, i.e. 8 MB decimal; the 8 MiB reading,
8388608, is printed beside it); TARGET_RSS_BYTES (8000000): RSS added by loading (dlopen, and
PHP's FFI::cdef). Prints the tables and writes JSON. Exits 0 unless nothing could run.
"""
import ctypes
import getopt
import json
import os
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_common import run_facts, table, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET, CB_PATH, TS, NONCE = "bench-secret-0123456789abcdefghi", "/hooks/onderwijsregio?site=3", "1796018269", \
    "coldstart-nonce-0000000001"


def sign(lib_path, body):
    lib = ctypes.CDLL(lib_path)
    lib.oreg_callback_sign.restype = ctypes.c_int
    lib.oreg_callback_sign.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                       ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.oreg_free.argtypes = [ctypes.c_void_p]
    out = ctypes.c_void_p()
    if lib.oreg_callback_sign(SECRET.encode(), CB_PATH.encode(), body, len(body), TS.encode(), NONCE.encode(),
                              ctypes.byref(out)) != 0:
        raise SystemExit("coldstart.py: oreg_callback_sign failed")
    value = ctypes.string_at(out.value).decode()
    lib.oreg_free(out)
    return value


def spawn(argv, env):
    """Runs argv to its end: (exit status, wall ns, CPU us)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        t0 = time.perf_counter_ns()
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter_ns() - t0
    finally:
        os.close(devnull)
    return os.waitstatus_to_exitcode(status), wall, (usage.ru_utime + usage.ru_stime) * 1e6


def elf_facts(path):
    """(has .symtab, has debug sections, section names) of an ELF64 little-endian file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None, None, []
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    stroff = headers[shstrndx][4]
    names = []
    for h in headers:
        start = stroff + h[0]
        names.append(data[start:data.index(b"\0", start)].decode())
    return ".symtab" in names, any(n.startswith(".debug") for n in names), names


def smaps_rss(path):
    """{mapping name: Rss kB} summed over a /proc/PID/smaps copy."""
    out, name = {}, None
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
                name = parts[5] if len(parts) > 5 else "[anonymous]"
            elif parts[0] == "Rss:" and name is not None:
                out[name] = out.get(name, 0) + int(parts[1])
    return out


def main():
    opts, rest = getopt.getopt(sys.argv[1:], "", [
        "out=", "lib=", "cdef=", "schema=", "payload=", "body=", "runs=", "php=", "php-args=", "draft04=",
        "autoload=", "bindings=", "rss-bin=", "rss-runs=", "smaps-dir=", "python="])
    o = dict((k[2:], v) for k, v in opts)
    meta = run_facts(rest)
    runs = max(1, int(o.get("runs", "30")))
    lib = o["lib"]
    lib_real = os.path.realpath(lib)
    php, php_args = o.get("php", "php"), o.get("php-args", "-d opcache.enable_cli=1").split()
    python = o.get("python", sys.executable)
    target_ms = float(os.environ.get("TARGET_PHP_ADDED_MS", "3"))
    target_size = int(os.environ.get("TARGET_SIZE_BYTES", "8000000"))
    target_rss = int(os.environ.get("TARGET_RSS_BYTES", "8000000"))
    with open(o["body"], "rb") as f:
        body = f.read()
    sig = sign(lib, body)

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    py_env = dict(env, PYTHONPATH=os.path.abspath(o.get("bindings", "bindings/python")),
                  ONDERWIJSREGIO_LIB=os.path.abspath(lib))
    script = os.path.join(HERE, "coldstart.php")
    ffi = ["--cdef", o["cdef"], "--lib", lib]
    cb = ["--body", o["body"], "--secret", SECRET, "--path", CB_PATH, "--ts", TS, "--nonce", NONCE, "--sig", sig]
    schema, payload = os.path.abspath(o["schema"]), os.path.abspath(o["payload"])
    # (group, id, label, argv, env, baseline id)
    cmds = []
    have_php = subprocess.run([php] + php_args + ["-r", 'exit(extension_loaded("ffi") ? 0 : 1);'],
                              capture_output=True).returncode == 0 if _which(php) else False
    if have_php:
        p = [php] + php_args
        cmds += [("PHP", "php-empty", "php -r ';' (nothing)", p + ["-r", ";"], env, None),
                 ("PHP", "php-load", "FFI::cdef only", p + [script, "load"] + ffi, env, "php-empty"),
                 ("PHP", "php-verify", "FFI::cdef + verify one callback", p + [script, "verify"] + ffi + cb, env,
                  "php-empty"),
                 ("PHP", "php-hmac", "alt.: section 8 by hand (hash_hmac)", p + [script, "hmac"] + cb, env,
                  "php-empty"),
                 ("PHP", "php-validate", "FFI::cdef + compile + validate one payload",
                  p + [script, "validate"] + ffi + ["--schema", schema, "--payload", payload], env, "php-empty")]
        if o.get("autoload") and os.path.exists(o["autoload"]) and o.get("draft04"):
            cmds.append(("PHP", "php-jr", "alt.: justinrainbow/json-schema validate one payload",
                         p + [script, "jr", "--autoload", o["autoload"], "--schema", o["draft04"], "--payload", payload],
                         env, "php-empty"))
    else:
        print("coldstart.py: %s with FFI not found: the PHP rows stay empty" % php, file=sys.stderr)
    val = ("import sys\nfrom onderwijsregio import Schema\n"
           "s = Schema.compile(open(sys.argv[1], 'rb').read())\n"
           "sys.exit(0 if s.is_valid(open(sys.argv[2], 'rb').read()) else 3)")
    rs = ("import sys, json, jsonschema_rs\n"
          "v = jsonschema_rs.validator_for(json.load(open(sys.argv[1], 'rb')), validate_formats=True)\n"
          "sys.exit(0 if v.is_valid(json.loads(open(sys.argv[2], 'rb').read())) else 3)")
    js = ("import sys, json, jsonschema\nc = jsonschema.Draft202012Validator\n"
          "v = c(json.load(open(sys.argv[1], 'rb')), format_checker=c.FORMAT_CHECKER)\n"
          "sys.exit(0 if v.is_valid(json.loads(open(sys.argv[2], 'rb').read())) else 3)")
    cmds += [("Python", "py-empty", "python3 -c pass (nothing)", [python, "-c", "pass"], py_env, None),
             ("Python", "py-import", "import onderwijsregio", [python, "-c", "import onderwijsregio"], py_env,
              "py-empty"),
             ("Python", "py-validate", "import + Schema.compile + is_valid one payload",
              [python, "-c", val, schema, payload], py_env, "py-empty"),
             ("Python", "py-rs", "alt.: jsonschema-rs, the same", [python, "-c", rs, schema, payload], py_env,
              "py-empty"),
             ("Python", "py-jsonschema", "alt.: jsonschema, the same", [python, "-c", js, schema, payload], py_env,
              "py-empty")]

    # Each command once first: it must succeed, else it is left out (and said so).
    usable, problems = [], []
    for c in cmds:
        code = spawn(c[3], c[4])[0]
        if code == 0:
            usable.append(c)
        else:
            problems.append("%s (%s) exited with %d: left out" % (c[1], " ".join(c[3][:4]), code))
    samples = {c[1]: [] for c in usable}
    for round_ in range(runs + 1):
        for c in usable:
            code, wall, cpu = spawn(c[3], c[4])
            if code != 0:
                problems.append("%s exited with %d in round %d" % (c[1], code, round_))
                continue
            if round_:
                samples[c[1]].append((wall, cpu))

    results = []
    med = {}
    for group, cid, label, argv, _, base in usable:
        s = samples[cid]
        if not s:
            continue
        walls = sorted(x[0] / 1e6 for x in s)
        d = {"group": group, "id": cid, "label": label, "baseline": base, "runs": len(s),
             "command": " ".join(a if len(a) < 60 and "\n" not in a else "'...'" for a in argv),
             "wallMs": {"median": statistics.median(walls), "min": walls[0], "max": walls[-1],
                        "p90": walls[min(len(walls) - 1, int(0.9 * len(walls)))]},
             "cpuMs": statistics.median(x[1] / 1e3 for x in s)}
        med[cid] = d
        results.append(d)
    for d in results:
        b = med.get(d["baseline"]) if d["baseline"] else None
        if b:
            d["addedWallMs"] = d["wallMs"]["median"] - b["wallMs"]["median"]
            d["addedCpuMs"] = d["cpuMs"] - b["cpuMs"]
            pairs = [a[0] - c[0] for a, c in zip(samples[d["id"]], samples[b["id"]])]
            d["addedWallMsPaired"] = statistics.median(pairs) / 1e6 if pairs else None

    print()
    print("Cold start: fresh processes, each timed whole (spawn to exit); %d rounds, every command once per round" % runs)
    print("in turn after a warm-up round; medians. added = the command's median - its baseline's (nothing).")
    rows = []
    for d in results:
        rows.append([d["group"], d["label"], "%.2f" % d["wallMs"]["median"], "%.2f" % d["wallMs"]["min"],
                     "%.2f" % d["wallMs"]["p90"],
                     "%+.2f" % d["addedWallMs"] if "addedWallMs" in d else "",
                     "%.2f" % d["cpuMs"], "%+.2f" % d["addedCpuMs"] if "addedCpuMs" in d else ""])
    table(["lang", "process does", "wall ms", "min", "p90", "added", "CPU ms", "added"], rows,
          ["<", "<", ">", ">", ">", ">", ">", ">"])
    print("  PHP: %s %s; Python: %s (PYTHONPATH=bindings/python, ONDERWIJSREGIO_LIB=%s)"
          % (php, " ".join(php_args), python, lib))

    # (c) size.
    size = os.path.getsize(lib_real)
    symtab, debug, _ = elf_facts(lib_real)
    stripped = symtab is False and debug is False
    print()
    print("Library file: %s, %s bytes (%.2f MB, %.2f MiB), %s"
          % (lib_real, "{:,}".format(size), size / 1e6, size / 2 ** 20,
             "stripped (no .symtab, no debug sections)" if stripped else
             "NOT stripped (.symtab %s, debug sections %s)" % (symtab, debug)))

    # (d) resident memory.
    rss = {}
    rss_runs = max(1, int(o.get("rss-runs", "5")))
    if o.get("rss-bin"):
        loads, uses = [], []
        smaps = o.get("smaps-dir")
        for i in range(rss_runs):
            extra = [os.path.join(smaps, "smaps-before"), os.path.join(smaps, "smaps-after")] if smaps and i == 0 else []
            r = subprocess.run([o["rss-bin"], lib, schema, payload] + extra, capture_output=True, text=True)
            line = next((ln for ln in r.stdout.splitlines() if ln.startswith("rss\t")), None)
            if r.returncode != 0 or not line:
                problems.append("rss_dlopen failed: %s" % r.stderr.strip())
                break
            before, after, used = (int(x) for x in line.split("\t")[1:4])
            loads.append(after - before)
            uses.append(used - before)
        if loads:
            rss["cDlopenKb"] = statistics.median(loads)
            rss["cFirstUseKb"] = statistics.median(uses)
        if smaps and os.path.exists(os.path.join(smaps, "smaps-after")):
            a, b = smaps_rss(os.path.join(smaps, "smaps-before")), smaps_rss(os.path.join(smaps, "smaps-after"))
            grew = sorted(((k, v - a.get(k, 0)) for k, v in b.items() if v - a.get(k, 0) > 0), key=lambda kv: -kv[1])
            rss["cByMapping"] = [{"mapping": k, "kb": v} for k, v in grew]
    if have_php:
        php_rss = {}
        for mode, extra in (("load", ffi), ("verify", ffi + cb)):
            vals = []
            for _ in range(rss_runs):
                r = subprocess.run([php] + php_args + [script, mode, "--rss"] + extra, capture_output=True, text=True)
                line = next((ln for ln in r.stdout.splitlines() if ln.startswith("rss\t")), None)
                if r.returncode == 0 and line:
                    _, _, before, after = line.split("\t")
                    vals.append(int(after) - int(before))
            if vals:
                php_rss[mode] = statistics.median(vals)
        if "load" in php_rss:
            rss["phpCdefKb"] = php_rss["load"]
        if "verify" in php_rss:
            rss["phpCdefVerifyKb"] = php_rss["verify"]
    print()
    print("Resident memory added (kB = 1024 bytes), median of %d runs:" % rss_runs)
    for key, text in (("cDlopenKb", "C program (libc only): dlopen(RTLD_NOW)"),
                      ("cFirstUseKb", "  the same + first use (schema compiled, one payload validated)"),
                      ("phpCdefKb", "PHP: FFI::cdef (VmRSS after - before)"),
                      ("phpCdefVerifyKb", "  the same + one callback verified")):
        if key in rss:
            print("  %-68s %8s kB  (%.2f MB)" % (text, "{:,}".format(int(rss[key])), rss[key] * 1024 / 1e6))
    if rss.get("cByMapping"):
        print("  where the dlopen + first use pages are (largest first):")
        for m in rss["cByMapping"][:8]:
            print("    %-66s %8s kB" % (m["mapping"], "{:,}".format(m["kb"])))

    # Targets.
    verdicts = []
    v = med.get("php-verify")
    if v and "addedWallMs" in v:
        verdicts.append({"id": "coldstart-php", "what": "PHP: fresh process, FFI load + verify one callback, added wall "
                         "time <= %g ms" % target_ms, "value": v["addedWallMs"], "unit": "ms",
                         "pass": v["addedWallMs"] <= target_ms})
    verdicts.append({"id": "artefact-size", "what": "library file <= %s bytes (8 MB decimal), stripped"
                     % "{:,}".format(target_size), "value": size, "unit": "bytes",
                     "pass": size <= target_size and stripped,
                     "note": "%s the 8 MiB reading (%s bytes)" % ("passes" if size <= 8388608 else "misses",
                                                                  "{:,}".format(8388608))})
    if "cDlopenKb" in rss:
        worst = max(rss["cDlopenKb"], rss.get("phpCdefKb", 0))
        verdicts.append({"id": "rss-load", "what": "resident memory added by loading <= %s bytes (dlopen in C; "
                         "FFI::cdef in PHP)" % "{:,}".format(target_rss), "value": worst * 1024, "unit": "bytes",
                         "pass": worst * 1024 <= target_rss,
                         "note": "after a first use (schema compiled + one validation): %s bytes"
                         % "{:,}".format(int(rss.get("cFirstUseKb", 0) * 1024))})
    print()
    print("Targets (issue):")
    for t in verdicts:
        print("  %-100s %s -> %s" % (t["what"], ("%.2f ms" % t["value"]) if t["unit"] == "ms" else
                                      "{:,}".format(int(t["value"])) + " bytes", "PASS" if t["pass"] else "MISS"))
        if t.get("note"):
            print("      (%s)" % t["note"])
    for p in problems:
        print("WARNING: " + p)

    doc = {"bench": "coldstart", "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "run": meta,
           "method": "fresh processes timed whole with posix_spawn + wait4 (wall clock; CPU from rusage); %d rounds after one warm-up round, every command once per round in turn; medians; "
                     "added = median - the baseline's median" % runs,
           "phpArgs": " ".join(php_args), "python": python,
           "results": results,
           "library": {"path": lib_real, "bytes": size, "stripped": stripped, "symtab": symtab, "debug": debug},
           "rss": rss, "target": {"phpAddedMs": target_ms, "sizeBytes": target_size, "rssBytes": target_rss,
                                  "verdicts": verdicts},
           "warnings": problems}
    write_json(o["out"], doc)


def _which(name):
    from shutil import which
    return which(name) is not None


if __name__ == "__main__":
    main()
