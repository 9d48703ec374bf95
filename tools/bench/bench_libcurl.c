/*
 * bench_libcurl.c - the floor under any libcurl-based client: the same GET and POST as
 * bench_client.c, written directly against libcurl with one easy handle (kept alive), for reference.
 *
 *   oreg-bench-libcurl -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP] [-k API_KEY]
 *
 *   get   GET  BASE_URL/candidates?pageSize=1                     x-api-key
 *   post  POST BASE_URL/candidates/upsert?idempotencyKey=<32 hex>  x-api-key, Content-Type
 * Each answer is collected into a growing buffer, its status checked (200, 202) and its body
 * checked to be JSON with oreg_json_check; nothing else is built. The idempotency key is 16 bytes
 * of getrandom() in hex (the library formats a UUID v4 from the same kind of randomness).
 * The handle is reused between calls as the library's client is (the same options set once, the
 * per-call ones reset each call).
 *
 * Runs and output as bench_client.c (impl "libcurl"): getrusage(RUSAGE_SELF) and CLOCK_MONOTONIC
 * per run of REQUESTS calls; "impl op run requests user_ns sys_ns wall_ns" lines.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "bench_util.h"
#pragma GCC diagnostic pop

struct buf {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *data, size_t size, size_t count, void *context) {
    struct buf *b = context;
    size_t n = size * count;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    return n;
}

static CURL *h;
static struct buf answer;
static struct curl_slist *get_headers, *post_headers;
static char get_url[1024], post_url[1100];
static size_t post_url_base;

static void perform(long want) {
    answer.n = 0;
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK || code != want) {
        fprintf(stderr, "oreg-bench-libcurl: %s, HTTP %ld (wanted %ld)\n", curl_easy_strerror(rc), code, want);
        exit(1);
    }
    if (oreg_json_check(answer.p, answer.n) != OREG_OK) {
        fprintf(stderr, "oreg-bench-libcurl: the answer is not JSON: %s\n", oreg_last_error());
        exit(1);
    }
}

static void do_get(void) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_URL, get_url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, get_headers);
    perform(200);
}

static void do_post(const char *body, size_t length) {
    unsigned char key[16];
    static const char hex[] = "0123456789abcdef";
    if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) exit(1);
    char *p = post_url + post_url_base;
    for (size_t i = 0; i < sizeof key; i++) {
        *p++ = hex[key[i] >> 4];
        *p++ = hex[key[i] & 15];
    }
    *p = 0;
    curl_easy_setopt(h, CURLOPT_URL, post_url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, post_headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    perform(202);
}

static void rusage_ns(long long *user, long long *sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (long long)ru.ru_utime.tv_sec * 1000000000LL + (long long)ru.ru_utime.tv_usec * 1000LL;
    *sys = (long long)ru.ru_stime.tv_sec * 1000000000LL + (long long)ru.ru_stime.tv_usec * 1000LL;
}

int main(int argc, char **argv) {
    const char *base = NULL, *body_path = NULL, *key = "bench-key";
    long requests = 2000, runs = 5, warmup = 100;
    int opt;
    while ((opt = getopt(argc, argv, "u:b:n:r:w:k:")) != -1) {
        switch (opt) {
        case 'u': base = optarg; break;
        case 'b': body_path = optarg; break;
        case 'n': requests = atol(optarg); break;
        case 'r': runs = atol(optarg); break;
        case 'w': warmup = atol(optarg); break;
        case 'k': key = optarg; break;
        default: base = NULL; break;
        }
    }
    if (!base || !body_path || requests < 1 || runs < 1 || warmup < 0 || strlen(base) > 900) {
        fprintf(stderr, "usage: %s -u BASE_URL -b BODY_FILE [-n REQUESTS] [-r RUNS] [-w WARMUP] [-k API_KEY]\n",
                argv[0]);
        return 2;
    }
    size_t length;
    char *body = read_file(body_path, &length);
    if (!body) {
        perror(body_path);
        return 1;
    }
    snprintf(get_url, sizeof get_url, "%s/candidates?pageSize=1", base);
    post_url_base = (size_t)snprintf(post_url, sizeof post_url, "%s/candidates/upsert?idempotencyKey=", base);
    char key_header[300];
    snprintf(key_header, sizeof key_header, "x-api-key: %s", key);
    get_headers = curl_slist_append(NULL, key_header);
    post_headers = curl_slist_append(curl_slist_append(NULL, key_header), "Content-Type: application/json");

    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bench-libcurl");
    printf("note\tlibcurl\t%s, one easy handle, answers checked with oreg_json_check\n", curl_version());
    fflush(stdout);

    for (long i = 0; i < warmup + 1; i++) {
        do_get();
        do_post(body, length);
    }
    for (long run = 0; run < runs; run++) {
        for (int op = 0; op < 2; op++) {
            long long u0, s0, u1, s1;
            rusage_ns(&u0, &s0);
            double w0 = now_ns();
            for (long i = 0; i < requests; i++) {
                if (op == 0) do_get();
                else do_post(body, length);
            }
            double w1 = now_ns();
            rusage_ns(&u1, &s1);
            printf("libcurl\t%s\t%ld\t%ld\t%lld\t%lld\t%.0f\n", op == 0 ? "get" : "post", run, requests, u1 - u0,
                   s1 - s0, w1 - w0);
            fflush(stdout);
        }
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(get_headers);
    curl_slist_free_all(post_headers);
    curl_global_cleanup();
    free(body);
    free(answer.p);
    return 0;
}
