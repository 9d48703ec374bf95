/* Helpers shared by the C benchmarks (bench.c, bench_validate.c): a clock, the CRC-32 that the
   reports compare across languages, and reading input files without a terminating NUL. */
#ifndef OREG_BENCH_UTIL_H
#define OREG_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* CRC-32 (IEEE 802.3): the value of Python's zlib.crc32 and PHP's crc32(), so the reports can
   check that every benchmark timed the same bytes. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n) {
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Reads a whole file into a buffer of exactly its size: no NUL after the bytes. */
static char *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) { fclose(f); return NULL; }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        char *bigger = realloc(buf, cap);
        if (!bigger) { free(buf); buf = NULL; continue; }
        buf = bigger;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) { free(buf); return NULL; }
    char *exact = malloc(n ? n : 1);
    if (!exact) { free(buf); return NULL; }
    memcpy(exact, buf, n);
    free(buf);
    *length = n;
    return exact;
}


/* Calibration: the batch size to try next when `calls` calls took `elapsed_ns`, aiming a little
   past `min_batch_ns` while growing at least 1.5x and at most 10x per step. */
static long next_batch_size(long calls, double elapsed_ns, double min_batch_ns) {
    double grow = elapsed_ns > 0 ? 1.2 * min_batch_ns / elapsed_ns : 10.0;
    if (grow > 10.0) grow = 10.0;
    if (grow < 1.5) grow = 1.5;
    return (long)(calls * grow) + 1;
}

#endif
