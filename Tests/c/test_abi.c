/* The C ABI of the built artefact, called as a C user would: every exported function, its
   results, its errors and its argument checks. Built with pkg-config against dist/. */
#include <onderwijsregio.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* Canonicalizes a NUL-terminated document; returns the status and stores the result. */
static int canonical(const char *json, char **out) {
    return oreg_json_canonicalize(json, strlen(json), out);
}

static void test_version_matches_header(void) {
    CHECK(strcmp(oreg_version(), OREG_VERSION) == 0);
    CHECK(oreg_version_number() == OREG_VERSION_NUMBER);
    CHECK(OREG_VERSION_NUMBER == OREG_VERSION_MAJOR * 1000000 + OREG_VERSION_MINOR * 1000 + OREG_VERSION_PATCH);
}

static void test_status_names(void) {
    CHECK(strcmp(oreg_status_name(OREG_OK), "OREG_OK") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_MISUSE), "OREG_ERR_MISUSE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_NOMEM), "OREG_ERR_NOMEM") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_JSON), "OREG_ERR_JSON") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_LIMIT), "OREG_ERR_LIMIT") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_RANGE), "OREG_ERR_RANGE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_INTERNAL), "OREG_ERR_INTERNAL") == 0);
    CHECK(strcmp(oreg_status_name(12345), "OREG_UNKNOWN") == 0);
    CHECK(strcmp(oreg_status_name(-2147483647 - 1), "OREG_UNKNOWN") == 0);
}

static void *fresh_thread_last_error(void *unused) {
    (void)unused;
    return (void *)(contains(oreg_last_error(), "\"status\":0") ? "ok" : NULL);
}

static void test_last_error_is_per_thread(void) {
    CHECK(oreg_json_check("[1,]", 4) == OREG_ERR_JSON);
    const char *error = oreg_last_error();
    CHECK(contains(error, "\"status\":-3"));
    CHECK(contains(error, "\"name\":\"OREG_ERR_JSON\""));
    CHECK(contains(error, "\"offset\":3"));
    CHECK(contains(error, "\"line\":1"));
    CHECK(contains(error, "\"column\":4"));
    pthread_t thread;
    void *result = NULL;
    CHECK(pthread_create(&thread, NULL, fresh_thread_last_error, NULL) == 0);
    CHECK(pthread_join(thread, &result) == 0);
    CHECK(result != NULL);
    /* A success leaves the description of the last failure in place. */
    CHECK(oreg_json_check("[1]", 3) == OREG_OK);
    CHECK(contains(oreg_last_error(), "OREG_ERR_JSON"));
}

static void test_canonicalize(void) {
    char *out = NULL;
    CHECK(canonical("{\"b\": [1.0, 1e21, 1E-7], \"a\": \"\\u00e9\"}", &out) == OREG_OK);
    CHECK(out != NULL && strcmp(out, "{\"a\":\"\xc3\xa9\",\"b\":[1,1e+21,1e-7]}") == 0);
    oreg_free(out);
}

static void test_buffers_need_no_terminator(void) {
    char *out = NULL;
    const char buffer[] = {'[', '7', ']', 'x', 'x'};
    CHECK(oreg_json_canonicalize(buffer, 3, &out) == OREG_OK);
    CHECK(out != NULL && strcmp(out, "[7]") == 0);
    oreg_free(out);
    const char with_nul[] = {'[', '7', ']', '\0'};
    CHECK(oreg_json_check(with_nul, sizeof with_nul) == OREG_ERR_JSON);
}

static void test_argument_checks(void) {
    char *out = (char *)"untouched";
    CHECK(oreg_json_canonicalize(NULL, 5, &out) == OREG_ERR_MISUSE);
    CHECK(out == NULL);
    CHECK(contains(oreg_last_error(), "OREG_ERR_MISUSE"));
    CHECK(oreg_json_canonicalize("[]", 2, NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_json_canonicalize(NULL, 0, &out) == OREG_ERR_JSON);
    CHECK(contains(oreg_last_error(), "empty document"));
    CHECK(oreg_json_check(NULL, 1) == OREG_ERR_MISUSE);
    CHECK(oreg_json_check("[]", (size_t)-1) == OREG_ERR_MISUSE);
    oreg_free(NULL);
}

static void test_bad_input(void) {
    char *out = NULL;
    CHECK(oreg_json_check("\"\xff\"", 3) == OREG_ERR_JSON);
    CHECK(contains(oreg_last_error(), "UTF-8"));
    CHECK(oreg_json_check("\"\\ud800\"", 8) == OREG_ERR_JSON);
    CHECK(contains(oreg_last_error(), "surrogate"));
    CHECK(canonical("{\"k\\u0000\":\"\\u0000\"}", &out) == OREG_OK);
    CHECK(out != NULL && strcmp(out, "{\"k\\u0000\":\"\\u0000\"}") == 0);
    oreg_free(out);
    CHECK(canonical("1e999999", &out) == OREG_ERR_RANGE);
    CHECK(out == NULL);
    CHECK(oreg_json_check("1e999999", 8) == OREG_OK);
}

static void test_nesting_and_size_limits(void) {
    size_t depth = 1000000;
    char *deep = malloc(depth);
    CHECK(deep != NULL);
    if (deep == NULL) return;
    memset(deep, '[', depth);
    CHECK(oreg_json_check(deep, depth) == OREG_ERR_LIMIT);
    CHECK(contains(oreg_last_error(), "nesting"));
    free(deep);

    size_t size = (64u << 20) + 1;
    char *big = malloc(size);
    CHECK(big != NULL);
    if (big == NULL) return;
    memset(big, ' ', size);
    big[0] = '1';
    CHECK(oreg_json_check(big, size) == OREG_ERR_LIMIT);
    CHECK(contains(oreg_last_error(), "exceeds the limit"));
    free(big);
}

int main(void) {
    RUN(test_version_matches_header);
    RUN(test_status_names);
    RUN(test_last_error_is_per_thread);
    RUN(test_canonicalize);
    RUN(test_buffers_need_no_terminator);
    RUN(test_argument_checks);
    RUN(test_bad_input);
    RUN(test_nesting_and_size_limits);
    return SUMMARY("c-abi");
}
