/*
 * bench_client.c - client-side CPU per request of oreg_client_get and oreg_client_submit.
 *
 *   oreg-bench-client -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP] [-k API_KEY]
 *
 * One client, oreg_client_new({"baseUrl": BASE_URL, "apiKey": API_KEY}), against the local
 * endpoint (tools/bench/fast_endpoint.c), then the two calls bench_client.py makes with requests
 * and the curl command line:
 *   get   oreg_client_get(client, "/candidates?pageSize=1", &out); oreg_free(out)
 *   post  oreg_client_submit(client, "candidates.upsert", NULL, body, n, "{\"validate\":false}",
 *                            &out); oreg_free(out)
 * (validate false: no schema fetch, no validation, so only the transport, the idempotency key and
 * the envelope are measured). BODY_FILE is read as bytes, no NUL after them.
 *
 * WARMUP untimed calls of each kind first, then RUNS runs of REQUESTS gets followed by REQUESTS
 * posts. Each run is timed with getrusage(RUSAGE_SELF) (user and system CPU of the whole process,
 * every thread included) and CLOCK_MONOTONIC. Output, one tab-separated line per (op, run), the
 * format of bench_client.py, read by report_client.py:
 *   impl op run requests user_ns sys_ns wall_ns
 * plus "note<TAB>impl<TAB>text" lines (version, first call, threads, one result of each call).
 *
 * Exit status 0, or 1 when the client cannot be created or a call fails (the benchmark would then
 * be measuring the error path): the status and oreg_last_error() go to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* bench_client_util.h: the options and the timed runs; the other helpers of bench_util.h are for
   the other benchmarks. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "bench_client_util.h"
#pragma GCC diagnostic pop

static const char *IMPL = "oreg";
static const char *GET_PATH = "/candidates?pageSize=1";
static const char *SUBMIT_OPTIONS = "{\"validate\":false}";
static oreg_client *client;

static void die(const char *what, int status) {
    fprintf(stderr, "oreg-bench-client: %s returned %d (%s): %s\n", what, status, oreg_status_name(status),
            oreg_last_error());
    exit(1);
}

/* A note line: tabs and line breaks in the text become spaces. */
static void note(const char *fmt, const char *text) {
    char *copy = strdup(text ? text : "(null)");
    for (char *p = copy; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r') *p = ' ';
    printf("note\t%s\t", IMPL);
    printf(fmt, copy);
    printf("\n");
    fflush(stdout);
    free(copy);
}

static void do_get(char **keep) {
    char *out = NULL;
    int status = oreg_client_get(client, GET_PATH, &out);
    if (status != OREG_OK) die("oreg_client_get", status);
    if (!out) die("oreg_client_get (OREG_OK with no response)", status);
    if (keep) *keep = out;
    else oreg_free(out);
}

static void do_post(const struct client_bench *b, char **keep) {
    char *out = NULL;
    int status = oreg_client_submit(client, "candidates.upsert", NULL, b->body, b->length, SUBMIT_OPTIONS, &out);
    if (status != OREG_OK) die("oreg_client_submit", status);
    if (!out) die("oreg_client_submit (OREG_OK with no result)", status);
    if (keep) *keep = out;
    else oreg_free(out);
}

static void timed_get(const struct client_bench *b) {
    (void)b;
    do_get(NULL);
}

static void timed_post(const struct client_bench *b) {
    do_post(b, NULL);
}

static int threads_now(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1) break;
    fclose(f);
    return n;
}

int main(int argc, char **argv) {
    struct client_bench b;
    int usage = client_bench_options(argc, argv, &b);
    if (usage) return usage;

    char options[1024];
    snprintf(options, sizeof options, "{\"baseUrl\":\"%s\",\"apiKey\":\"%s\"}", b.base, b.key);
    note("libonderwijsregio %s through the C ABI, one client", oreg_version());

    double t0 = now_ns();
    int status = oreg_client_new(options, &client);
    if (status != OREG_OK) die("oreg_client_new", status);
    double t1 = now_ns();
    char *sample_get = NULL, *sample_post = NULL;
    do_get(&sample_get);
    double t2 = now_ns();
    do_post(&b, &sample_post);
    char text[128];
    snprintf(text, sizeof text, "oreg_client_new %.3f ms, first GET (connect included) %.2f ms", (t1 - t0) / 1e6,
             (t2 - t1) / 1e6);
    note("%s", text);
    note("GET result: %s", sample_get);
    note("POST result: %s", sample_post);
    oreg_free(sample_get);
    oreg_free(sample_post);

    for (long i = 0; i < b.warmup; i++) {
        do_get(NULL);
        do_post(&b, NULL);
    }
    snprintf(text, sizeof text, "%d", threads_now());
    note("threads in the process after warm-up: %s", text);

    client_bench_runs(IMPL, &b, timed_get, timed_post);
    oreg_client_free(client);
    free(b.body);
    return 0;
}
