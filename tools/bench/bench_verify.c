/*
 * bench_verify.c - times oreg_verifier_verify through the C ABI, in process: one signed callback
 * (api-contract.md section 8) with the body of BODY_FILE (1 KiB in run.sh).
 *
 *   oreg-bench-verify [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -s SECRET -p PATH_AND_QUERY
 *                     -T TIMESTAMP [-v VARIANT] BODY_FILE
 *
 * Variants (the 'variant' column), each with one verifier created once, before timing:
 *   pure    {"secrets":[SECRET],"replayStore":false}: the same genuine callback every call, so
 *           the cost of verification alone (header checks, HMAC-SHA256 over timestamp \n nonce \n
 *           path \n body, base64 decode, constant-time compare, time window).
 *   replay  {"secrets":[SECRET]}: the default in-memory replay store. Every call needs a nonce
 *           never seen before, so before each batch (untimed) as many callbacks as the batch
 *           makes calls are signed with oreg_callback_sign, each with a fresh nonce; the batch
 *           then verifies them in turn. Nonces are unique over the whole run: the store grows
 *           as it would in a busy process, and once it holds more than its default maxEntries
 *           (100000) it prunes itself, and that cost falls on the calls that trigger it.
 *   replay-large  the same with {"replayStore":{"maxEntries":100000000}}: a store that never
 *           prunes during the run (growth only), to tell pruning from insertion.
 * -v runs one variant only (for profiling).
 *
 * `now` is fixed at TIMESTAMP (the clock the header describes for tests), so no call reads
 * the system clock and every call lies inside the window. Before timing, each variant checks
 * that it is timing the success path: the genuine callback verifies (OREG_OK), the same with
 * one body byte changed fails with OREG_ERR_SIGNATURE, and (replay variants) the genuine one
 * sent again fails with OREG_ERR_REPLAYED; every timed call must return OREG_OK.
 *
 * Batches are calibrated and timed as in bench.c (wall clock, CLOCK_MONOTONIC; a batch is as
 * many calls as take MIN_BATCH_MS, WARMUP untimed batches, then REPS timed ones; median, min,
 * max per call). Output, one tab-separated line per variant, the format of bench_verify.py and
 * bench_verify.php, read by report_verify.py:
 *   impl variant file bytes crc32 calls reps median_ns min_ns max_ns checks
 * checks: what the untimed correctness calls returned ("genuine=OREG_OK,tamperedBody=...").
 * The replay variants add a line of single-call latencies, measured after the timed batches
 * over max(1000, calls) more fresh callbacks, each call timed on its own (clock included):
 *   latency impl variant calls p50_ns p99_ns p999_ns max_ns calls_over_1ms nonces_in_total
 * nonces_in_total: the distinct nonces the verifier accepted over the whole variant.
 * Lines "note<TAB>impl<TAB>text" carry remarks.
 *
 * Exit status 0, or 1 when the body cannot be read, the verifier cannot be created, a check
 * gives an unexpected status or a timed call fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define NONCE_SIZE 33 /* 32 characters of [A-Za-z0-9_-] and the NUL */

struct config {
    int reps, warmup;
    double min_batch_ns;
    const char *secret, *path, *timestamp;
    int64_t now;
    const char *body, *file;
    size_t length;
};

/* One callback as received: its nonce and signature header (the timestamp is the run's). */
struct callback {
    char nonce[NONCE_SIZE];
    char *signature;
};

static unsigned long long nonce_counter;

/* A nonce never used before in this process: "bench-" and 26 digits. */
static void fresh_nonce(char *out) {
    snprintf(out, NONCE_SIZE, "bench-%026llu", ++nonce_counter);
}

static int sign(const struct config *cfg, const char *body, const char *nonce, char **out) {
    int status = oreg_callback_sign(cfg->secret, cfg->path, body, cfg->length, cfg->timestamp, nonce, out);
    if (status != OREG_OK)
        fprintf(stderr, "oreg-bench-verify: oreg_callback_sign: %s: %s\n", oreg_status_name(status), oreg_last_error());
    return status;
}

static int verify(oreg_verifier *v, const struct config *cfg, const char *body, const char *nonce, const char *sig) {
    return oreg_verifier_verify(v, cfg->path, body, cfg->length, cfg->timestamp, nonce, sig, cfg->now);
}

/* Signs `calls` fresh callbacks into *cbs (grown as needed). Untimed. */
static int prepare(const struct config *cfg, struct callback **cbs, long *capacity, long calls) {
    if (calls > *capacity) {
        struct callback *bigger = realloc(*cbs, (size_t)calls * sizeof **cbs);
        if (!bigger) return -1;
        *cbs = bigger;
        *capacity = calls;
    }
    for (long i = 0; i < calls; i++) {
        fresh_nonce((*cbs)[i].nonce);
        if (sign(cfg, cfg->body, (*cbs)[i].nonce, &(*cbs)[i].signature) != OREG_OK) {
            while (i-- > 0) oreg_free((*cbs)[i].signature);
            return -1;
        }
    }
    return 0;
}

static void release(struct callback *cbs, long calls) {
    for (long i = 0; i < calls; i++) oreg_free(cbs[i].signature);
}

/* One batch of `calls` verifications; returns the first status that is not OREG_OK, else OREG_OK. */
static int run_batch(oreg_verifier *v, const struct config *cfg, const struct callback *fixed,
                     const struct callback *cbs, long calls) {
    if (fixed) {
        for (long i = 0; i < calls; i++) {
            int status = verify(v, cfg, cfg->body, fixed->nonce, fixed->signature);
            if (status != OREG_OK) return status;
        }
    } else {
        for (long i = 0; i < calls; i++) {
            int status = verify(v, cfg, cfg->body, cbs[i].nonce, cbs[i].signature);
            if (status != OREG_OK) return status;
        }
    }
    return OREG_OK;
}

/* Times one batch of `calls`: signs them first when every call needs a fresh nonce. */
static int timed_batch(oreg_verifier *v, const struct config *cfg, const struct callback *fixed,
                       struct callback **cbs, long *capacity, long calls, double *elapsed) {
    if (!fixed && prepare(cfg, cbs, capacity, calls) != 0) return OREG_ERR_NOMEM;
    double t0 = now_ns();
    int status = run_batch(v, cfg, fixed, *cbs, calls);
    *elapsed = now_ns() - t0;
    if (!fixed) release(*cbs, calls);
    return status;
}

static int expect(const char *variant, const char *what, int got, int want, char *checks, size_t size) {
    size_t used = strlen(checks);
    snprintf(checks + used, size - used, "%s%s=%s", used ? "," : "", what, oreg_status_name(got));
    if (got == want) return 0;
    fprintf(stderr, "oreg-bench-verify: %s: %s callback gave %s (%s), not %s\n", variant, what, oreg_status_name(got),
            got == OREG_OK ? "" : oreg_last_error(), oreg_status_name(want));
    return 1;
}

static int bench(const struct config *cfg, const char *variant, const char *options, int fresh) {
    oreg_verifier *v = NULL;
    int status = oreg_verifier_new(options, &v);
    if (status != OREG_OK) {
        fprintf(stderr, "oreg-bench-verify: %s: oreg_verifier_new: %s: %s\n", variant, oreg_status_name(status),
                oreg_last_error());
        return 1;
    }
    /* Correctness first: the genuine callback verifies, a tampered one does not, a replay does
       not when there is a store. */
    char checks[256] = "";
    int failed = 0;
    struct callback fixed;
    fresh_nonce(fixed.nonce);
    if (sign(cfg, cfg->body, fixed.nonce, &fixed.signature) != OREG_OK) {
        oreg_verifier_free(v);
        return 1;
    }
    char *tampered = malloc(cfg->length ? cfg->length : 1);
    if (!tampered) return 1;
    memcpy(tampered, cfg->body, cfg->length);
    tampered[cfg->length / 2] ^= 0x01;
    failed += expect(variant, "genuine", verify(v, cfg, cfg->body, fixed.nonce, fixed.signature), OREG_OK, checks,
                     sizeof checks);
    failed += expect(variant, "again", verify(v, cfg, cfg->body, fixed.nonce, fixed.signature),
                     fresh ? OREG_ERR_REPLAYED : OREG_OK, checks, sizeof checks);
    /* A second genuine callback, sent first with one body byte changed, then as signed: the
       store records a nonce only when everything else passed. */
    char other[NONCE_SIZE], *other_signature = NULL;
    fresh_nonce(other);
    if (sign(cfg, cfg->body, other, &other_signature) != OREG_OK) failed++;
    else {
        failed += expect(variant, "tamperedBody", verify(v, cfg, tampered, other, other_signature),
                         OREG_ERR_SIGNATURE, checks, sizeof checks);
        failed += expect(variant, "thenGenuine", verify(v, cfg, cfg->body, other, other_signature), OREG_OK, checks,
                         sizeof checks);
    }
    oreg_free(other_signature);
    free(tampered);
    if (failed) {
        oreg_free(fixed.signature);
        oreg_verifier_free(v);
        return 1;
    }

    struct callback *cbs = NULL;
    long capacity = 0, calls = 1, total = 0;
    const struct callback *one = fresh ? NULL : &fixed;
    double elapsed = 0;
    int result = 1;
    double *per_call = calloc((size_t)cfg->reps, sizeof *per_call);
    if (!per_call) goto done;
    for (;;) {
        status = timed_batch(v, cfg, one, &cbs, &capacity, calls, &elapsed);
        total += calls;
        if (status != OREG_OK) goto failed_call;
        if (elapsed >= cfg->min_batch_ns) break;
        calls = next_batch_size(calls, elapsed, cfg->min_batch_ns);
    }
    for (int i = 0; i < cfg->warmup; i++) {
        status = timed_batch(v, cfg, one, &cbs, &capacity, calls, &elapsed);
        total += calls;
        if (status != OREG_OK) goto failed_call;
    }
    for (int r = 0; r < cfg->reps; r++) {
        status = timed_batch(v, cfg, one, &cbs, &capacity, calls, &elapsed);
        total += calls;
        if (status != OREG_OK) goto failed_call;
        per_call[r] = elapsed / (double)calls;
    }
    /* Fresh nonces: the batches' averages hide pauses (a store pruning itself), so time some
       more calls one at a time, untimed for the table, and note their latency distribution. */
    if (fresh) {
        long probe = calls < 1000 ? 1000 : calls;
        double *single = malloc((size_t)probe * sizeof *single);
        if (single && prepare(cfg, &cbs, &capacity, probe) == 0) {
            status = OREG_OK;
            for (long i = 0; i < probe && status == OREG_OK; i++) {
                double t0 = now_ns();
                status = verify(v, cfg, cfg->body, cbs[i].nonce, cbs[i].signature);
                single[i] = now_ns() - t0;
            }
            release(cbs, probe);
            if (status != OREG_OK) {
                free(single);
                goto failed_call;
            }
            total += probe;
            qsort(single, (size_t)probe, sizeof *single, cmp_double);
            long slow = 0;
            for (long i = 0; i < probe; i++) slow += single[i] > 1e6;
            printf("latency\tc\t%s\t%ld\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%ld\n", variant, probe, single[probe / 2],
                   single[probe * 99 / 100], single[probe * 999 / 1000], single[probe - 1], slow, total + 1);
        }
        free(single);
    }
    qsort(per_call, (size_t)cfg->reps, sizeof *per_call, cmp_double);
    double median = cfg->reps % 2 ? per_call[cfg->reps / 2]
                                  : (per_call[cfg->reps / 2 - 1] + per_call[cfg->reps / 2]) / 2;
    printf("c\t%s\t%s\t%zu\t%08lx\t%ld\t%d\t%.1f\t%.1f\t%.1f\t%s\n", variant, cfg->file, cfg->length,
           (unsigned long)crc32_ieee((const unsigned char *)cfg->body, cfg->length), calls, cfg->reps, median,
           per_call[0], per_call[cfg->reps - 1], checks);
    fflush(stdout);
    result = 0;
    goto done;
failed_call:
    fprintf(stderr, "oreg-bench-verify: %s: a timed call returned %s: %s\n", variant, oreg_status_name(status),
            oreg_last_error());
done:
    free(per_call);
    free(cbs);
    oreg_free(fixed.signature);
    oreg_verifier_free(v);
    return result;
}

int main(int argc, char **argv) {
    struct config cfg = {.reps = 11, .warmup = 2, .min_batch_ns = 50e6};
    const char *only = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "r:w:t:s:p:T:v:")) != -1) {
        switch (opt) {
        case 'r': cfg.reps = atoi(optarg); break;
        case 'w': cfg.warmup = atoi(optarg); break;
        case 't': cfg.min_batch_ns = atof(optarg) * 1e6; break;
        case 's': cfg.secret = optarg; break;
        case 'p': cfg.path = optarg; break;
        case 'T': cfg.timestamp = optarg; break;
        case 'v': only = optarg; break;
        default: goto usage;
        }
    }
    if (cfg.reps < 1) cfg.reps = 1;
    if (cfg.warmup < 0) cfg.warmup = 0;
    if (argc - optind != 1 || !cfg.secret || !cfg.path || !cfg.timestamp) goto usage;
    if (strcmp(oreg_version(), OREG_VERSION) != 0) {
        fprintf(stderr, "oreg-bench-verify: header %s but library %s\n", OREG_VERSION, oreg_version());
        return 1;
    }
    if (strpbrk(cfg.secret, "\"\\") || strlen(cfg.secret) > 200) {
        fprintf(stderr, "oreg-bench-verify: the secret must not contain '\"' or '\\' (it goes into JSON as is)\n");
        return 2;
    }
    cfg.now = strtoll(cfg.timestamp, NULL, 10);
    char *body = read_file(argv[optind], &cfg.length);
    if (!body) {
        fprintf(stderr, "oreg-bench-verify: cannot read %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    cfg.body = body;
    cfg.file = base_name(argv[optind]);

    char pure[320], replay[320], large[400];
    snprintf(pure, sizeof pure, "{\"secrets\":[\"%s\"],\"replayStore\":false}", cfg.secret);
    snprintf(replay, sizeof replay, "{\"secrets\":[\"%s\"]}", cfg.secret);
    snprintf(large, sizeof large, "{\"secrets\":[\"%s\"],\"replayStore\":{\"maxEntries\":100000000}}", cfg.secret);
    const struct {
        const char *name, *options;
        int fresh;
    } variants[] = {{"pure", pure, 0}, {"replay", replay, 1}, {"replay-large", large, 1}};
    int failures = 0, ran = 0;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (only && strcmp(only, variants[i].name) != 0) continue;
        ran++;
        failures += bench(&cfg, variants[i].name, variants[i].options, variants[i].fresh);
    }
    free(body);
    if (!ran) {
        fprintf(stderr, "oreg-bench-verify: -v takes pure, replay or replay-large\n");
        return 2;
    }
    return failures ? 1 : 0;
usage:
    fprintf(stderr, "usage: %s [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -s SECRET -p PATH_AND_QUERY -T TIMESTAMP "
                    "[-v VARIANT] BODY_FILE\n", argv[0]);
    return 2;
}
