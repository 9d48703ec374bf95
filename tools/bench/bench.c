/*
 * bench.c - times oreg_json_check and oreg_json_canonicalize through the C ABI.
 *
 *   oreg-bench [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-o CANON_DIR] FILE...
 *
 * For every FILE and operation: a batch is as many calls as take at least MIN_BATCH_MS
 * (calibrated first, which also warms caches, the allocator and the branch predictors), then
 * WARMUP untimed batches, then REPS timed batches. Each timed batch gives one wall-clock time
 * per call (CLOCK_MONOTONIC); the output has the median, min and max of those.
 *
 * Output, one tab-separated line per (operation, file), the format tools/bench/bench.py also
 * writes and tools/bench/report.py reads:
 *   impl  op  file  bytes  crc32  calls_per_batch  reps  median_ns  min_ns  max_ns  out_bytes
 * crc32 is the checksum of the bytes that were timed, so the report can check that C and Python
 * saw the same input. With -o, the canonical form of each file is written to CANON_DIR/NAME.c.
 *
 * Exit status 0, or 1 when a file cannot be read or a call fails (the benchmark would then be
 * measuring the error path).
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

enum op { OP_CHECK, OP_CANONICALIZE };

/* Runs `calls` calls; returns the first failing status, or OREG_OK. */
static int run_batch(enum op op, const char *doc, size_t length, long calls) {
    for (long i = 0; i < calls; i++) {
        int status;
        if (op == OP_CHECK) {
            status = oreg_json_check(doc, length);
        } else {
            char *out;
            status = oreg_json_canonicalize(doc, length, &out);
            oreg_free(out);
        }
        if (status != OREG_OK) return status;
    }
    return OREG_OK;
}

struct config {
    int reps, warmup;
    double min_batch_ns;
};

static int bench(const struct config *cfg, enum op op, const char *path, const char *doc, size_t length,
                 size_t out_bytes) {
    const char *op_name = op == OP_CHECK ? "check" : "canonicalize";
    /* Calibrate: grow the batch until it takes at least min_batch_ns. */
    long calls = 1;
    for (;;) {
        double t0 = now_ns();
        int status = run_batch(op, doc, length, calls);
        double elapsed = now_ns() - t0;
        if (status != OREG_OK) {
            fprintf(stderr, "oreg-bench: %s(%s) failed: %s\n", op_name, path, oreg_last_error());
            return 1;
        }
        if (elapsed >= cfg->min_batch_ns) break;
        calls = next_batch_size(calls, elapsed, cfg->min_batch_ns);
    }
    for (int i = 0; i < cfg->warmup; i++) run_batch(op, doc, length, calls);
    double *per_call = calloc((size_t)cfg->reps, sizeof *per_call);
    if (!per_call) return 1;
    for (int r = 0; r < cfg->reps; r++) {
        double t0 = now_ns();
        run_batch(op, doc, length, calls);
        per_call[r] = (now_ns() - t0) / (double)calls;
    }
    qsort(per_call, (size_t)cfg->reps, sizeof *per_call, cmp_double);
    double median = cfg->reps % 2 ? per_call[cfg->reps / 2]
                                  : (per_call[cfg->reps / 2 - 1] + per_call[cfg->reps / 2]) / 2;
    printf("c\t%s\t%s\t%zu\t%08lx\t%ld\t%d\t%.1f\t%.1f\t%.1f\t%zu\n", op_name, base_name(path), length,
           (unsigned long)crc32_ieee((const unsigned char *)doc, length), calls, cfg->reps, median, per_call[0],
           per_call[cfg->reps - 1], out_bytes);
    fflush(stdout);
    free(per_call);
    return 0;
}

int main(int argc, char **argv) {
    struct config cfg = {.reps = 11, .warmup = 2, .min_batch_ns = 50e6};
    const char *canon_dir = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "r:w:t:o:")) != -1) {
        switch (opt) {
        case 'r': cfg.reps = atoi(optarg); break;
        case 'w': cfg.warmup = atoi(optarg); break;
        case 't': cfg.min_batch_ns = atof(optarg) * 1e6; break;
        case 'o': canon_dir = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-o CANON_DIR] FILE...\n", argv[0]);
            return 2;
        }
    }
    if (cfg.reps < 1) cfg.reps = 1;
    if (cfg.warmup < 0) cfg.warmup = 0;
    if (strcmp(oreg_version(), OREG_VERSION) != 0) {
        fprintf(stderr, "oreg-bench: header %s but library %s\n", OREG_VERSION, oreg_version());
        return 1;
    }
    int failures = 0;
    for (int i = optind; i < argc; i++) {
        size_t length = 0;
        char *doc = read_file(argv[i], &length);
        if (!doc) {
            fprintf(stderr, "oreg-bench: cannot read %s: %s\n", argv[i], strerror(errno));
            failures++;
            continue;
        }
        /* One untimed canonicalization: its size goes into the report, its bytes into CANON_DIR. */
        char *canonical = NULL;
        size_t out_bytes = 0;
        if (oreg_json_canonicalize(doc, length, &canonical) != OREG_OK) {
            fprintf(stderr, "oreg-bench: oreg_json_canonicalize(%s) failed: %s\n", argv[i], oreg_last_error());
            failures++;
            free(doc);
            continue;
        }
        out_bytes = strlen(canonical);
        if (canon_dir) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.c", canon_dir, base_name(argv[i]));
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(canonical, 1, out_bytes, f) != out_bytes || fclose(f) != 0) {
                fprintf(stderr, "oreg-bench: cannot write %s\n", path);
                failures++;
            }
        }
        oreg_free(canonical);
        failures += bench(&cfg, OP_CHECK, argv[i], doc, length, 0);
        failures += bench(&cfg, OP_CANONICALIZE, argv[i], doc, length, out_bytes);
        free(doc);
    }
    return failures ? 1 : 0;
}
