"""Shared by the Python benchmarks (bench.py, bench_validate.py, bench_verify.py, bench_client.py):
the timing options, the calibrated timing of bench.c, the garbage collector off while timing,
note lines and package versions."""
import contextlib
import gc
import getopt
import statistics
import time
from collections import namedtuple

# -r REPS (11), -w WARMUP (2), -t MIN_BATCH_MS (50): as bench.c.
Timing = namedtuple("Timing", "reps warmup min_batch_s")


def parse_options(argv, flags=""):
    """getopt over the timing options -r -w -t and the program's own `flags` ("l:d:"): returns
    (Timing, {flag: value} of the program's own options, the other arguments)."""
    opts, args = getopt.getopt(argv, "r:w:t:" + flags)
    reps, warmup, min_batch_s, own = 11, 2, 0.05, {}
    for flag, value in opts:
        if flag == "-r":
            reps = max(1, int(value))
        elif flag == "-w":
            warmup = max(0, int(value))
        elif flag == "-t":
            min_batch_s = float(value) / 1000
        else:
            own[flag] = value
    return Timing(reps, warmup, min_batch_s), own, args


def measure(timed, timing):
    """Calibrates and times as bench.c: timed(calls) runs a batch of `calls` calls and returns its
    nanoseconds. The batch grows until it lasts MIN_BATCH_MS, then WARMUP untimed and REPS timed
    batches run. Returns (calls, median, min, max) nanoseconds per call over the timed batches."""
    calls = 1
    while True:
        elapsed = timed(calls) / 1e9
        if elapsed >= timing.min_batch_s:
            break
        grow = 1.2 * timing.min_batch_s / elapsed if elapsed > 0 else 10.0
        calls = int(calls * min(10.0, max(1.5, grow))) + 1
    for _ in range(timing.warmup):
        timed(calls)
    per_call = sorted(timed(calls) / calls for _ in range(timing.reps))
    return calls, statistics.median(per_call), per_call[0], per_call[-1]


def run_batch(fn, data, calls):
    for _ in range(calls):
        fn(data)


def time_calls(fn, data, timing):
    """measure() of fn(data), called directly in a loop (no wrapper frame per call)."""
    def timed(calls):
        t0 = time.perf_counter_ns()
        run_batch(fn, data, calls)
        return time.perf_counter_ns() - t0
    return measure(timed, timing)


@contextlib.contextmanager
def gc_off(off=True):
    """Runs the cyclic garbage collector, then keeps it off for the block (as timeit does) unless
    `off` is false."""
    gc.collect()
    if off:
        gc.disable()
    try:
        yield
    finally:
        gc.enable()


def note(impl, text):
    """A line the report prints under its notes: "note", impl, text."""
    print("note\t%s\t%s" % (impl, text.replace("\t", " ").replace("\n", " ")), flush=True)


def version(dist):
    """The installed version of a distribution, or "?"."""
    try:
        from importlib.metadata import version as v
        return v(dist)
    except Exception:
        return "?"
