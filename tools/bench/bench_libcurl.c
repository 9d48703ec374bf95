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
#include <sys/types.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "bench_client_util.h"
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

static void do_get(const struct client_bench *b) {
    (void)b;
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_URL, get_url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, get_headers);
    perform(200);
}

static void do_post(const struct client_bench *b) {
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
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->length);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, b->body);
    perform(202);
}

int main(int argc, char **argv) {
    struct client_bench b;
    int usage = client_bench_options(argc, argv, &b);
    if (usage) return usage;
    snprintf(get_url, sizeof get_url, "%s/candidates?pageSize=1", b.base);
    post_url_base = (size_t)snprintf(post_url, sizeof post_url, "%s/candidates/upsert?idempotencyKey=", b.base);
    char key_header[300];
    snprintf(key_header, sizeof key_header, "x-api-key: %s", b.key);
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

    for (long i = 0; i < b.warmup + 1; i++) {
        do_get(&b);
        do_post(&b);
    }
    client_bench_runs("libcurl", &b, do_get, do_post);
    curl_easy_cleanup(h);
    curl_slist_free_all(get_headers);
    curl_slist_free_all(post_headers);
    curl_global_cleanup();
    free(b.body);
    free(answer.p);
    return 0;
}
