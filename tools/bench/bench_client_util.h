/* Helpers shared by the client benchmarks bench_client.c (the library) and bench_libcurl.c
   (libcurl by hand): their command line and their timed runs, so that both measure alike. */
#ifndef OREG_BENCH_CLIENT_UTIL_H
#define OREG_BENCH_CLIENT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_util.h"

struct client_bench {
    const char *base, *key;
    long requests, runs, warmup;
    char *body; /* BODY_FILE's bytes, no NUL after them */
    size_t length;
};

/* Parses -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP] [-k API_KEY] (BASE_URL at
   most 900 bytes) and reads BODY_FILE. Returns 0, or the exit status: 2 after printing the usage,
   1 when BODY_FILE cannot be read. */
static int client_bench_options(int argc, char **argv, struct client_bench *b) {
    const char *body_path = NULL;
    *b = (struct client_bench){.key = "bench-key", .requests = 2000, .runs = 5, .warmup = 100};
    int opt;
    while ((opt = getopt(argc, argv, "u:b:n:r:w:k:")) != -1) {
        switch (opt) {
        case 'u': b->base = optarg; break;
        case 'b': body_path = optarg; break;
        case 'n': b->requests = atol(optarg); break;
        case 'r': b->runs = atol(optarg); break;
        case 'w': b->warmup = atol(optarg); break;
        case 'k': b->key = optarg; break;
        default: b->base = NULL; break;
        }
    }
    if (!b->base || !body_path || b->requests < 1 || b->runs < 1 || b->warmup < 0 || strlen(b->base) > 900) {
        fprintf(stderr, "usage: %s -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP] [-k API_KEY]\n",
                argv[0]);
        return 2;
    }
    b->body = read_file(body_path, &b->length);
    if (!b->body) {
        perror(body_path);
        return 1;
    }
    return 0;
}

/* User and system CPU of the whole process (every thread) so far, in nanoseconds. */
static void rusage_ns(long long *user, long long *sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (long long)ru.ru_utime.tv_sec * 1000000000LL + (long long)ru.ru_utime.tv_usec * 1000LL;
    *sys = (long long)ru.ru_stime.tv_sec * 1000000000LL + (long long)ru.ru_stime.tv_usec * 1000LL;
}

/* The timed runs: RUNS times, REQUESTS calls of get() and then REQUESTS calls of post(), each
   series timed with getrusage(RUSAGE_SELF) and CLOCK_MONOTONIC and printed as one line
   "impl op run requests user_ns sys_ns wall_ns" (read by report_client.py). */
static void client_bench_runs(const char *impl, const struct client_bench *b,
                              void (*get)(const struct client_bench *), void (*post)(const struct client_bench *)) {
    for (long run = 0; run < b->runs; run++) {
        for (int op = 0; op < 2; op++) {
            void (*call)(const struct client_bench *) = op == 0 ? get : post;
            long long u0, s0, u1, s1;
            rusage_ns(&u0, &s0);
            double w0 = now_ns();
            for (long i = 0; i < b->requests; i++) call(b);
            double w1 = now_ns();
            rusage_ns(&u1, &s1);
            printf("%s\t%s\t%ld\t%ld\t%lld\t%lld\t%.0f\n", impl, op == 0 ? "get" : "post", run, b->requests, u1 - u0,
                   s1 - s0, w1 - w0);
            fflush(stdout);
        }
    }
}

#endif
