#!/usr/bin/env python3
"""Times callback verification from Python: the library through ctypes beside the webhook
verifiers Python projects use, and contract section 8 by hand with hmac.

    bench_verify.py [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -l LIBRARY -s SECRET -p PATH_AND_QUERY
                    -T TIMESTAMP BODY_FILE

The body is read as bytes, as a handler holds a request body; every verifier gets those bytes
and the header values as they arrive. Verifiers are set up once, before timing.

impl              variant  one timed call
oreg-ctypes       pure     lib.oreg_verifier_verify(v, path, body, len(body), ts, nonce, sig, now)
                           with argtypes set and bytes arguments, verifier
                           {"secrets":[SECRET],"replayStore":false}, the same callback every call
                  replay   the same on a verifier with the default in-memory replay store: before
                           each batch (untimed) as many callbacks as it makes calls are signed with
                           oreg_callback_sign, each with a fresh nonce
hmac-py           pure     section 8 by hand: timestamp digits, nonce regex, hmac.new(key, ts \\n
                           nonce \\n path \\n body, sha256).digest(), each "v2=" entry
                           base64-decoded (validate=True), hmac.compare_digest, the time window
standardwebhooks  verify   Webhook("whsec_" + base64(SECRET)).verify(body, headers): its own scheme
                           (webhook-id, webhook-timestamp, webhook-signature "v1,<base64>")
                  nojson   the same with json_parse=False
stripe            verify   stripe.WebhookSignature.verify_header(body, "t=...,v1=<hex>", SECRET, 300)
json.loads        body     json.loads(body) alone: a reference for what standardwebhooks adds

The library and hmac-py get TIMESTAMP with `now` fixed at it (no clock read); standardwebhooks
and stripe read the system clock themselves (they take no `now`), so their callbacks are signed
with the current time when their row starts. The same 32-byte SECRET is the HMAC key of all.

Correctness comes first, untimed, per row: the genuine callback verifies, the same with one
body byte changed is refused (and for replay: the genuine one again is refused as a replay);
each timed call checks its result, so no row times an error path.

Batches are calibrated as in bench.c (MIN_BATCH_MS, WARMUP untimed batches, REPS timed ones;
median, min, max per call); every row's timed loop has the same shape, a for loop over a list
of prepared arguments; the cyclic GC is off while timing. Output lines: see bench_verify.c.
"""
import base64
import binascii
import ctypes
import hashlib
import hmac
import json
import os
import re
import sys
import time
import zlib

from bench_common import gc_off, measure, note, parse_options, version

OREG_OK, OREG_ERR_SIGNATURE, OREG_ERR_REPLAYED = 0, -15, -18


class VerifyError(Exception):
    pass


class Oreg:
    """The minimal ctypes binding: argtypes set, bytes in, status out."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        c = ctypes
        lib.oreg_last_error.restype = c.c_char_p
        lib.oreg_last_error.argtypes = []
        lib.oreg_status_name.restype = c.c_char_p
        lib.oreg_status_name.argtypes = [c.c_int]
        lib.oreg_free.restype = None
        lib.oreg_free.argtypes = [c.c_void_p]
        lib.oreg_verifier_new.restype = c.c_int
        lib.oreg_verifier_new.argtypes = [c.c_char_p, c.POINTER(c.c_void_p)]
        lib.oreg_verifier_verify.restype = c.c_int
        lib.oreg_verifier_verify.argtypes = [c.c_void_p, c.c_char_p, c.c_char_p, c.c_size_t,
                                             c.c_char_p, c.c_char_p, c.c_char_p, c.c_int64]
        lib.oreg_verifier_free.restype = None
        lib.oreg_verifier_free.argtypes = [c.c_void_p]
        lib.oreg_callback_sign.restype = c.c_int
        lib.oreg_callback_sign.argtypes = [c.c_char_p, c.c_char_p, c.c_char_p, c.c_size_t, c.c_char_p, c.c_char_p,
                                           c.POINTER(c.c_void_p)]
        self.lib = lib

    def name(self, status):
        return self.lib.oreg_status_name(status).decode()

    def verifier(self, options):
        handle = ctypes.c_void_p()
        status = self.lib.oreg_verifier_new(json.dumps(options).encode(), ctypes.byref(handle))
        if status != OREG_OK:
            raise VerifyError("oreg_verifier_new: %s" % self.lib.oreg_last_error().decode())
        return handle

    def sign(self, secret, path, body, ts, nonce):
        out = ctypes.c_void_p()
        status = self.lib.oreg_callback_sign(secret, path, body, len(body), ts, nonce, ctypes.byref(out))
        if status != OREG_OK:
            raise VerifyError("oreg_callback_sign: %s" % self.lib.oreg_last_error().decode())
        value = ctypes.string_at(out.value)
        self.lib.oreg_free(out)
        return value


class Nonces:
    """Nonces never used before in this process: "bench-" and 26 digits (as bench_verify.c)."""

    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return b"bench-%026d" % self.n


def tamper(body):
    b = bytearray(body)
    b[len(b) // 2] ^= 0x01
    return bytes(b)


def bench(batch, make_items, timing):
    """Times batch(items) for lists from make_items(calls) (built untimed); per-call ns."""
    def timed(calls):
        items = make_items(calls)
        t0 = time.perf_counter_ns()
        batch(items)
        return time.perf_counter_ns() - t0
    return measure(timed, timing)


def rows(lib_path, secret, path, ts, body):
    """[(impl, variant, batch(items), make_items(calls), checks() -> str, latency or None)]"""
    out = []
    now = int(ts)
    nonces = Nonces()
    tampered = tamper(body)
    n = len(body)

    # --- the library through ctypes ------------------------------------------------------------
    oreg = Oreg(lib_path)
    verify = oreg.lib.oreg_verifier_verify

    def oreg_rows():
        for variant, options in (("pure", {"secrets": [secret.decode()], "replayStore": False}),
                                 ("replay", {"secrets": [secret.decode()]})):
            v = oreg.verifier(options)
            fresh = variant == "replay"

            def checks(v=v, fresh=fresh):
                nonce = nonces()
                sig = oreg.sign(secret, path, body, ts, nonce)
                got = [("genuine", verify(v, path, body, n, ts, nonce, sig, now), OREG_OK),
                       ("again", verify(v, path, body, n, ts, nonce, sig, now), OREG_ERR_REPLAYED if fresh else OREG_OK)]
                other = nonces()
                sig = oreg.sign(secret, path, body, ts, other)
                got += [("tamperedBody", verify(v, path, tampered, n, ts, other, sig, now), OREG_ERR_SIGNATURE),
                        ("thenGenuine", verify(v, path, body, n, ts, other, sig, now), OREG_OK)]
                for what, status, want in got:
                    if status != want:
                        raise VerifyError("oreg-ctypes %s: %s callback gave %s, not %s"
                                          % (variant, what, oreg.name(status), oreg.name(want)))
                return ",".join("%s=%s" % (what, oreg.name(status)) for what, status, _ in got)

            def batch(items, v=v):
                for t, nonce, sig in items:
                    if verify(v, path, body, n, t, nonce, sig, now):
                        raise VerifyError(oreg.lib.oreg_last_error().decode())

            if fresh:
                def make_items(calls):
                    items = []
                    for _ in range(calls):
                        nonce = nonces()
                        items.append((ts, nonce, oreg.sign(secret, path, body, ts, nonce)))
                    return items

                def latency(calls, v=v, make_items=make_items):
                    items = make_items(calls)
                    clock, single = time.perf_counter_ns, []
                    for t, nonce, sig in items:
                        t0 = clock()
                        status = verify(v, path, body, n, t, nonce, sig, now)
                        single.append(clock() - t0)
                        if status:
                            raise VerifyError(oreg.lib.oreg_last_error().decode())
                    return single, nonces.n
            else:
                nonce = nonces()
                one = (ts, nonce, oreg.sign(secret, path, body, ts, nonce))

                def make_items(calls, one=one):
                    return [one] * calls
                latency = None
            out.append(("oreg-ctypes", variant, batch, make_items, checks, latency))
    oreg_rows()

    # --- section 8 by hand -------------------------------------------------------------------------
    nonce_format = re.compile(rb"[A-Za-z0-9_-]{16,128}")
    new, sha256, compare, b64decode, B64Error = hmac.new, hashlib.sha256, hmac.compare_digest, base64.b64decode, binascii.Error

    def hand_verify(path, body, ts, nonce, sig, now, key=secret):
        if not ts or not nonce or not sig:
            raise VerifyError("missing header")
        if len(ts) > 19 or not ts.isdigit() or not nonce_format.fullmatch(nonce) or len(sig) > 8192:
            raise VerifyError("malformed header")
        mac = new(key, b"\n".join((ts, nonce, path, body)), sha256).digest()
        matched = entries = 0
        for entry in sig.split(b" "):
            if entry[:3] != b"v2=":
                continue
            try:
                decoded = b64decode(entry[3:], validate=True)
            except B64Error:
                continue
            entries += 1
            if compare(decoded, mac):
                matched = 1
        if not entries:
            raise VerifyError("malformed header")
        if not matched:
            raise VerifyError("signature")
        age = now - int(ts)
        if age > 300:
            raise VerifyError("too old")
        if age < -300:
            raise VerifyError("too new")

    def expect_refusal(fn):
        try:
            fn()
        except Exception as e:
            return type(e).__name__ + ("(%s)" % e if isinstance(e, VerifyError) else "")
        raise VerifyError("a tampered callback verified")

    nonce = nonces()
    hand_one = (ts, nonce, oreg.sign(secret, path, body, ts, nonce))

    def hand_checks():
        t, nonce, sig = hand_one
        hand_verify(path, body, t, nonce, sig, now)
        # The same signature as the library made: the two implementations agree on section 8.
        return "genuine=ok,tamperedBody=" + expect_refusal(lambda: hand_verify(path, tampered, t, nonce, sig, now))

    def hand_batch(items):
        for t, nonce, sig in items:
            hand_verify(path, body, t, nonce, sig, now)
    out.append(("hmac-py", "pure", hand_batch, lambda calls: [hand_one] * calls, hand_checks, None))

    # --- standardwebhooks ------------------------------------------------------------------------
    try:
        import standardwebhooks
    except ImportError as e:
        print("bench_verify.py: standardwebhooks not importable (%s): its rows stay empty" % e, file=sys.stderr)
    else:
        from datetime import datetime, timezone
        wh = standardwebhooks.Webhook("whsec_" + base64.b64encode(secret).decode())
        text = body.decode()
        state = {}

        def sw_headers():
            # Signed with the current time: verify() compares with the system clock, +-5 minutes.
            stamp = int(time.time())
            msg_id = "msg_2Lh9KsQxnFg5U7fG3pW1vYbC0dE"
            sig = wh.sign(msg_id, datetime.fromtimestamp(stamp, tz=timezone.utc), text)
            return {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": sig}

        def sw_make(calls):
            return [state["headers"]] * calls

        def sw_checks():
            state["headers"] = h = sw_headers()
            wh.verify(body, h)
            return "genuine=ok,tamperedBody=" + expect_refusal(lambda: wh.verify(tampered, h))

        def sw_batch(items, verify=wh.verify):
            for h in items:
                verify(body, h)

        def sw_batch_nojson(items, verify=wh.verify):
            for h in items:
                verify(body, h, json_parse=False)
        out.append(("standardwebhooks", "verify", sw_batch, sw_make, sw_checks, None))
        out.append(("standardwebhooks", "nojson", sw_batch_nojson, sw_make, sw_checks, None))
        note("standardwebhooks", "standardwebhooks %s: verify() decodes the body to str, lower-cases the header dict, "
             "parses the timestamp into a datetime and checks it against datetime.now() +-5 min, re-signs (hmac.new "
             "with the key each call, over id.timestamp.body re-encoded to bytes), base64-encodes that, formats "
             "'v1,...', splits and base64-decodes it again, splits the header, base64-decodes each v1 entry, "
             "compare_digest; then json.loads(body) and returns the document (variant verify; nojson: "
             "json_parse=False). No replay protection." % version("standardwebhooks"))

    # --- stripe --------------------------------------------------------------------------------------
    try:
        import stripe
    except ImportError as e:
        print("bench_verify.py: stripe not importable (%s): its rows stay empty" % e, file=sys.stderr)
    else:
        verify_header = stripe.WebhookSignature.verify_header
        text = body.decode()
        skey = secret.decode()
        st = {}

        def st_checks():
            st["header"] = h = stripe.WebhookSignature.generate_signature_header(text, skey, timestamp=int(time.time()))
            verify_header(body, h, skey, 300)
            return "genuine=ok,tamperedBody=" + expect_refusal(lambda: verify_header(tampered, h, skey, 300))

        def st_batch(items):
            for h in items:
                verify_header(body, h, skey, 300)
        out.append(("stripe", "verify", st_batch, lambda calls: [st["header"]] * calls, st_checks, None))
        note("stripe", "stripe %s: WebhookSignature.verify_header decodes the body to str, checks the secret is not "
             "blank, splits the 't=...,v1=...' header, formats '%%d.%%s' and re-encodes it, hmac.new(...).hexdigest() "
             "(key schedule each call), hmac.compare_digest on the hex strings, then the age against time.time() "
             "(too old only: it has no too-new check). No JSON parsing (construct_event adds json.loads and an "
             "Event object), no replay protection." % version("stripe"))

    # --- json.loads alone, for reference ---------------------------------------------------------
    def loads_batch(items, loads=json.loads):
        for b in items:
            loads(b)
    out.append(("json.loads", "body", loads_batch, lambda calls: [body] * calls,
                lambda: "parsed=%d keys" % len(json.loads(body)), None))
    return out


def main():
    timing, opts, args = parse_options(sys.argv[1:], "l:s:p:T:")
    lib_path = opts.get("-l")
    secret, path, ts = (opts[flag].encode() if flag in opts else None for flag in ("-s", "-p", "-T"))
    if not (lib_path and secret and path and ts) or len(args) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    with open(args[0], "rb") as f:
        body = f.read()
    name, digest = os.path.basename(args[0]), "%08x" % zlib.crc32(body)
    failures = 0
    for impl, variant, batch, make_items, checks, latency in rows(lib_path, secret, path, ts, body):
        try:
            checked = checks()  # untimed: the genuine callback verifies, a tampered one does not
            with gc_off():
                calls, median, low, high = bench(batch, make_items, timing)
                single = latency(max(1000, calls)) if latency else None
        except Exception as e:
            print("bench_verify.py: %s %s: %s: %s" % (impl, variant, type(e).__name__, e), file=sys.stderr)
            failures += 1
            continue
        if single:
            times, total = single
            times.sort()
            k = len(times)
            print("latency\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d"
                  % (impl, variant, k, times[k // 2], times[k * 99 // 100], times[k * 999 // 1000], times[-1],
                     sum(t > 1e6 for t in times), total), flush=True)
        print("%s\t%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s"
              % (impl, variant, name, len(body), digest, calls, timing.reps, median, low, high, checked), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
