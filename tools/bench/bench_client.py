#!/usr/bin/env python3
"""Client-side CPU per request of the alternatives to oreg_client_get / oreg_client_submit.

    bench_client.py requests|curl -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP]

Against the local endpoint (tools/bench/fast_endpoint.c), the same two calls bench_client.c makes
through the library:
  get   GET  BASE_URL/candidates?pageSize=1                     x-api-key
  post  POST BASE_URL/candidates/upsert?idempotencyKey=<uuid4>  x-api-key, Content-Type:
        application/json, BODY_FILE's bytes as the body
and each answer's status checked and its JSON body decoded, as a caller has to.

  requests  one requests.Session (keep-alive, the x-api-key in its headers), in this process: the
            CPU is this process's (getrusage RUSAGE_SELF, user + sys)
  curl      the curl command line, a fresh process per request as a shell script runs it
            (curl -sS --fail ..., its output read through a pipe): the CPU is the children's
            (getrusage RUSAGE_CHILDREN, user + sys), so the driver's own work is not counted

WARMUP untimed requests of each kind first, then RUNS runs of REQUESTS gets followed by REQUESTS
posts. Output, one tab-separated line per (op, run), the format of bench_client.c, read by
report_client.py:
  impl op run requests user_ns sys_ns wall_ns
plus "note<TAB>impl<TAB>text" lines. Exit status 1 when a request fails (the benchmark would
then be measuring the error path).
"""
import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import uuid

from bench_common import version


def rusage_ns(who):
    ru = resource.getrusage(who)
    return int(ru.ru_utime * 1e9), int(ru.ru_stime * 1e9)


def fail(what):
    print("bench_client.py: %s" % what, file=sys.stderr)
    sys.exit(1)


def make_requests(base, body, key):
    import requests

    session = requests.Session()
    session.headers["x-api-key"] = key
    get_url = base + "/candidates?pageSize=1"
    post_url = base + "/candidates/upsert"
    post_headers = {"Content-Type": "application/json"}

    def get():
        r = session.get(get_url)
        if r.status_code != 200:
            fail("GET answered %d: %s" % (r.status_code, r.text[:200]))
        return r.json()

    def post():
        r = session.post(post_url, params={"idempotencyKey": str(uuid.uuid4())}, data=body, headers=post_headers)
        if r.status_code != 202:
            fail("POST answered %d: %s" % (r.status_code, r.text[:200]))
        return r.json()

    note = "requests %s, urllib3 %s, one Session (keep-alive)" % (requests.__version__, version("urllib3"))
    return get, post, resource.RUSAGE_SELF, note


def make_curl(base, body_file, key):
    get_cmd = ["curl", "-sS", "--fail", "-H", "x-api-key: " + key, base + "/candidates?pageSize=1"]
    post_head = ["curl", "-sS", "--fail", "-X", "POST", "-H", "x-api-key: " + key,
                 "-H", "Content-Type: application/json", "--data-binary", "@" + body_file]

    def run(cmd):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            fail("%s exited %d: %s" % (" ".join(cmd[:3]), p.returncode, p.stderr.decode(errors="replace")[:200]))
        return json.loads(p.stdout)

    def get():
        return run(get_cmd)

    def post():
        return run(post_head + [base + "/candidates/upsert?idempotencyKey=" + str(uuid.uuid4())])

    version = subprocess.run(["curl", "--version"], stdout=subprocess.PIPE).stdout.decode().split("\n")[0]
    note = "%s; one process per request (fork/exec from this driver)" % " ".join(version.split()[:2])
    return get, post, resource.RUSAGE_CHILDREN, note


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("impl", choices=("requests", "curl"))
    ap.add_argument("-u", "--base-url", required=True)
    ap.add_argument("-b", "--body", required=True)
    ap.add_argument("-k", "--api-key", default="bench-key")
    ap.add_argument("-n", "--requests", type=int, default=2000)
    ap.add_argument("-r", "--runs", type=int, default=5)
    ap.add_argument("-w", "--warmup", type=int, default=100)
    args = ap.parse_args()
    with open(args.body, "rb") as f:
        body = f.read()
    base = args.base_url.rstrip("/")
    if args.impl == "requests":
        get, post, who, note = make_requests(base, body, args.api_key)
    else:
        get, post, who, note = make_curl(base, args.body, args.api_key)
    print("note\t%s\t%s" % (args.impl, note), flush=True)

    first = time.perf_counter_ns()
    sample_get = get()
    first_ms = (time.perf_counter_ns() - first) / 1e6
    sample_post = post()
    if not isinstance(sample_get, dict) or "data" not in sample_get:
        fail("GET answer has no data: %r" % sample_get)
    if not isinstance(sample_post, dict) or "data" not in sample_post:
        fail("POST answer has no data: %r" % sample_post)
    print("note\t%s\tfirst GET (connect included) %.2f ms" % (args.impl, first_ms), flush=True)
    for _ in range(args.warmup):
        get()
        post()

    gc.collect()
    gc.disable()  # as the other Python benchmarks: no collection inside a timed run
    for run in range(args.runs):
        for op, call in (("get", get), ("post", post)):
            u0, s0 = rusage_ns(who)
            t0 = time.perf_counter_ns()
            for _ in range(args.requests):
                call()
            t1 = time.perf_counter_ns()
            u1, s1 = rusage_ns(who)
            print("%s\t%s\t%d\t%d\t%d\t%d\t%d" % (args.impl, op, run, args.requests, u1 - u0, s1 - s0, t1 - t0),
                  flush=True)
        gc.collect()
    gc.enable()


if __name__ == "__main__":
    main()
