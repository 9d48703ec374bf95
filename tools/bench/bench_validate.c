/*
 * bench_validate.c - times oreg_schema_validate through the C ABI, in process.
 *
 *   oreg-bench-validate [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-p PATH] SCHEMA PAYLOAD...
 *
 * The schema is compiled once with the default options (format assertion on) and once more with
 * {"stopAtFirstError":true}. Each PAYLOAD is read as bytes, exactly as a web handler holds a
 * request body (no NUL after them), and validated on three paths, the 'path' column:
 *   verdict  oreg_schema_validate(schema, bytes, n, NULL)                   valid or not, no report
 *   first    oreg_schema_validate(first_schema, bytes, n, &report); oreg_free(report)
 *                                                                  stopAtFirstError: one error
 *   all      oreg_schema_validate(schema, bytes, n, &report); oreg_free(report)
 *                                                                  every error, as the service
 * (For a valid payload the report stays NULL, so 'first' and 'all' do the same work as 'verdict'
 * plus the out-parameter.) -p times one path only (for profiling: tools/bench/profile_validate.sh).
 *
 * Batches are calibrated and timed as in bench.c (wall clock, CLOCK_MONOTONIC: a batch is as many
 * calls as take MIN_BATCH_MS, WARMUP untimed batches, then REPS timed ones; median, min, max per
 * call). Output, one tab-separated line per (path, payload), the format of bench_validate.py and
 * bench_validate.php, read by report_validate.py:
 *   impl path file bytes crc32 calls reps median_ns min_ns max_ns verdict errors
 * verdict is "valid" or "invalid"; errors is the report of one untimed call on that path (JSON,
 * or null when there is none).
 *
 * Exit status 0, or 1 when a file cannot be read, the schema does not compile or a call fails
 * (the benchmark would then be measuring the error path).
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

enum path { PATH_VERDICT, PATH_FIRST, PATH_ALL };
static const char *const PATH_NAMES[] = {"verdict", "first", "all"};

struct target {
    const oreg_schema *schema;
    int with_report;
};

/* Runs `calls` validations; returns the first status that differs from `expect`, else expect. */
static int run_batch(const struct target *t, const char *doc, size_t length, long calls, int expect) {
    for (long i = 0; i < calls; i++) {
        int status;
        if (t->with_report) {
            char *report;
            status = oreg_schema_validate(t->schema, doc, length, &report);
            oreg_free(report);
        } else {
            status = oreg_schema_validate(t->schema, doc, length, NULL);
        }
        if (status != expect) return status;
    }
    return expect;
}

struct config {
    int reps, warmup;
    double min_batch_ns;
};

static int bench(const struct config *cfg, enum path path, const struct target *t, const char *file,
                 const char *doc, size_t length) {
    /* One untimed call: the verdict every timed call must repeat, and the report for the table. */
    char *report = NULL;
    int expect = oreg_schema_validate(t->schema, doc, length, t->with_report ? &report : NULL);
    if (expect != OREG_OK && expect != OREG_INVALID) {
        fprintf(stderr, "oreg-bench-validate: %s(%s): %s: %s\n", PATH_NAMES[path], file, oreg_status_name(expect),
                oreg_last_error());
        return 1;
    }
    long calls = 1;
    for (;;) {
        double t0 = now_ns();
        int status = run_batch(t, doc, length, calls, expect);
        double elapsed = now_ns() - t0;
        if (status != expect) {
            fprintf(stderr, "oreg-bench-validate: %s(%s) returned %s, then %s\n", PATH_NAMES[path], file,
                    oreg_status_name(expect), oreg_status_name(status));
            oreg_free(report);
            return 1;
        }
        if (elapsed >= cfg->min_batch_ns) break;
        calls = next_batch_size(calls, elapsed, cfg->min_batch_ns);
    }
    for (int i = 0; i < cfg->warmup; i++) run_batch(t, doc, length, calls, expect);
    double *per_call = calloc((size_t)cfg->reps, sizeof *per_call);
    if (!per_call) { oreg_free(report); return 1; }
    for (int r = 0; r < cfg->reps; r++) {
        double t0 = now_ns();
        run_batch(t, doc, length, calls, expect);
        per_call[r] = (now_ns() - t0) / (double)calls;
    }
    qsort(per_call, (size_t)cfg->reps, sizeof *per_call, cmp_double);
    double median = cfg->reps % 2 ? per_call[cfg->reps / 2]
                                  : (per_call[cfg->reps / 2 - 1] + per_call[cfg->reps / 2]) / 2;
    /* The report is compact JSON: no tab or newline can break the line. */
    printf("c\t%s\t%s\t%zu\t%08lx\t%ld\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\n", PATH_NAMES[path], file, length,
           (unsigned long)crc32_ieee((const unsigned char *)doc, length), calls, cfg->reps, median, per_call[0],
           per_call[cfg->reps - 1], expect == OREG_OK ? "valid" : "invalid", report ? report : "null");
    fflush(stdout);
    oreg_free(report);
    free(per_call);
    return 0;
}

int main(int argc, char **argv) {
    struct config cfg = {.reps = 11, .warmup = 2, .min_batch_ns = 50e6};
    int opt, only = -1;
    while ((opt = getopt(argc, argv, "r:w:t:p:")) != -1) {
        switch (opt) {
        case 'r': cfg.reps = atoi(optarg); break;
        case 'w': cfg.warmup = atoi(optarg); break;
        case 't': cfg.min_batch_ns = atof(optarg) * 1e6; break;
        case 'p':
            for (int p = PATH_VERDICT; p <= PATH_ALL; p++)
                if (strcmp(optarg, PATH_NAMES[p]) == 0) only = p;
            if (only < 0) {
                fprintf(stderr, "%s: -p takes verdict, first or all\n", argv[0]);
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: %s [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-p PATH] SCHEMA PAYLOAD...\n", argv[0]);
            return 2;
        }
    }
    if (cfg.reps < 1) cfg.reps = 1;
    if (cfg.warmup < 0) cfg.warmup = 0;
    if (argc - optind < 2) {
        fprintf(stderr, "usage: %s [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] [-p PATH] SCHEMA PAYLOAD...\n", argv[0]);
        return 2;
    }
    if (strcmp(oreg_version(), OREG_VERSION) != 0) {
        fprintf(stderr, "oreg-bench-validate: header %s but library %s\n", OREG_VERSION, oreg_version());
        return 1;
    }
    size_t schema_length = 0;
    char *schema_text = read_file(argv[optind], &schema_length);
    if (!schema_text) {
        fprintf(stderr, "oreg-bench-validate: cannot read %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    oreg_schema *schema = NULL, *first_schema = NULL;
    if (oreg_schema_compile(schema_text, schema_length, NULL, &schema) != OREG_OK ||
        oreg_schema_compile(schema_text, schema_length, "{\"stopAtFirstError\":true}", &first_schema) != OREG_OK) {
        fprintf(stderr, "oreg-bench-validate: cannot compile %s: %s\n", argv[optind], oreg_last_error());
        return 1;
    }
    free(schema_text);
    const struct target targets[] = {
        [PATH_VERDICT] = {schema, 0},
        [PATH_FIRST] = {first_schema, 1},
        [PATH_ALL] = {schema, 1},
    };
    int failures = 0;
    for (int i = optind + 1; i < argc; i++) {
        size_t length = 0;
        char *doc = read_file(argv[i], &length);
        if (!doc) {
            fprintf(stderr, "oreg-bench-validate: cannot read %s: %s\n", argv[i], strerror(errno));
            failures++;
            continue;
        }
        for (int p = PATH_VERDICT; p <= PATH_ALL; p++) {
            if (only < 0 || only == p)
                failures += bench(&cfg, (enum path)p, &targets[p], base_name(argv[i]), doc, length);
        }
        free(doc);
    }
    oreg_schema_free(first_schema);
    oreg_schema_free(schema);
    return failures ? 1 : 0;
}
