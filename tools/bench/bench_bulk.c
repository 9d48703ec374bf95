/*
 * bench_bulk.c - bulk validation through the C ABI: every line of a JSON Lines file validated
 * against one compiled schema, in process.
 *
 *   oreg-bench-bulk [-r REPS] [-w WARMUP] SCHEMA RECORDS_JSONL
 *
 * The file is read into memory once (untimed) and split at '\n'; a pass validates every record in
 * file order, handing over its bytes (no NUL after them, as they sit in the buffer):
 *   verdict  oreg_schema_validate(schema, line, n, NULL)                 valid or not, no report
 *   all      oreg_schema_validate(schema, line, n, &report); oreg_free   every error described
 * and counts the valid ones. WARMUP untimed passes, then REPS timed ones (CLOCK_MONOTONIC).
 * Output, one tab-separated line per variant (read by report_bulk.py):
 *   impl variant file crc32 records valid bytes reps median_ns min_ns max_ns
 * with nanoseconds per pass (all records); bytes = the records' bytes without the newlines, crc32
 * that of the whole file (bench_bulk.py prints the same, so the report can check both read it). Exit status 1 when a file cannot be read, the schema
 * does not compile, a call fails, or two passes count differently.
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

struct line { const char *p; size_t n; };

static long pass(const oreg_schema *schema, const struct line *lines, long count, int with_report, int *failed) {
    long valid = 0;
    for (long i = 0; i < count; i++) {
        int status;
        if (with_report) {
            char *report = NULL;
            status = oreg_schema_validate(schema, lines[i].p, lines[i].n, &report);
            oreg_free(report);
        } else {
            status = oreg_schema_validate(schema, lines[i].p, lines[i].n, NULL);
        }
        if (status == OREG_OK) valid++;
        else if (status != OREG_INVALID) {
            fprintf(stderr, "oreg-bench-bulk: record %ld: %s: %s\n", i + 1, oreg_status_name(status), oreg_last_error());
            *failed = 1;
            return -1;
        }
    }
    return valid;
}

int main(int argc, char **argv) {
    int reps = 5, warmup = 1, opt;
    while ((opt = getopt(argc, argv, "r:w:t:")) != -1) {
        if (opt == 'r') reps = atoi(optarg) > 0 ? atoi(optarg) : 1;
        else if (opt == 'w') warmup = atoi(optarg) >= 0 ? atoi(optarg) : 0;
        else if (opt != 't') { fprintf(stderr, "usage: oreg-bench-bulk [-r REPS] [-w WARMUP] SCHEMA RECORDS\n"); return 2; }
    }
    if (argc - optind != 2) { fprintf(stderr, "usage: oreg-bench-bulk [-r REPS] [-w WARMUP] SCHEMA RECORDS\n"); return 2; }
    size_t schema_n, data_n;
    char *schema_text = read_file(argv[optind], &schema_n);
    char *data = read_file(argv[optind + 1], &data_n);
    if (!schema_text || !data) { fprintf(stderr, "oreg-bench-bulk: cannot read the inputs\n"); return 1; }
    oreg_schema *schema = NULL;
    if (oreg_schema_compile(schema_text, schema_n, NULL, &schema) != OREG_OK) {
        fprintf(stderr, "oreg-bench-bulk: schema: %s\n", oreg_last_error());
        return 1;
    }
    long count = 0, cap = 1024;
    struct line *lines = malloc(sizeof *lines * (size_t)cap);
    size_t bytes = 0;
    for (size_t at = 0; at < data_n;) {
        const char *nl = memchr(data + at, '\n', data_n - at);
        size_t end = nl ? (size_t)(nl - data) : data_n;
        if (end > at) {
            if (count == cap) lines = realloc(lines, sizeof *lines * (size_t)(cap *= 2));
            if (!lines) return 1;
            lines[count].p = data + at;
            lines[count].n = end - at;
            bytes += end - at;
            count++;
        }
        at = end + 1;
    }
    (void)next_batch_size;
    uint32_t crc = crc32_ieee((const unsigned char *)data, data_n);
    double *t = malloc(sizeof *t * (size_t)reps);
    for (int with_report = 0; with_report < 2; with_report++) {
        int failed = 0;
        long valid = -1;
        for (int w = 0; w < warmup; w++) valid = pass(schema, lines, count, with_report, &failed);
        for (int r = 0; r < reps && !failed; r++) {
            double t0 = now_ns();
            long v = pass(schema, lines, count, with_report, &failed);
            t[r] = now_ns() - t0;
            if (valid >= 0 && v != valid) { fprintf(stderr, "oreg-bench-bulk: passes disagree\n"); return 1; }
            valid = v;
        }
        if (failed) return 1;
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        double median = reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
        printf("c\t%s\t%s\t%08x\t%ld\t%ld\t%zu\t%d\t%.0f\t%.0f\t%.0f\n", with_report ? "all" : "verdict",
               base_name(argv[optind + 1]), (unsigned)crc, count, valid, bytes, reps, median, t[0], t[reps - 1]);
        fflush(stdout);
    }
    oreg_schema_free(schema);
    free(lines);
    free(t);
    free(data);
    free(schema_text);
    return 0;
}
