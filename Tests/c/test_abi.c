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
    CHECK(strcmp(oreg_status_name(OREG_INVALID), "OREG_INVALID") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_SCHEMA), "OREG_ERR_SCHEMA") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_MISUSE), "OREG_ERR_MISUSE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_NOMEM), "OREG_ERR_NOMEM") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_JSON), "OREG_ERR_JSON") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_LIMIT), "OREG_ERR_LIMIT") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_RANGE), "OREG_ERR_RANGE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_INTERNAL), "OREG_ERR_INTERNAL") == 0);
    CHECK(strcmp(oreg_status_name(OREG_STALE), "OREG_STALE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_QUEUED), "OREG_QUEUED") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_TRANSPORT), "OREG_ERR_TRANSPORT") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_HTTP), "OREG_ERR_HTTP") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_DEADLINE), "OREG_ERR_DEADLINE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_RESPONSE), "OREG_ERR_RESPONSE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_SANDBOX), "OREG_ERR_SANDBOX") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_IO), "OREG_ERR_IO") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_HEADER_MISSING), "OREG_ERR_HEADER_MISSING") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_HEADER_MALFORMED), "OREG_ERR_HEADER_MALFORMED") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_SIGNATURE), "OREG_ERR_SIGNATURE") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_TOO_OLD), "OREG_ERR_TOO_OLD") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_TOO_NEW), "OREG_ERR_TOO_NEW") == 0);
    CHECK(strcmp(oreg_status_name(OREG_ERR_REPLAYED), "OREG_ERR_REPLAYED") == 0);
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

static const char candidate_schema[] =
    "{\"type\":\"object\",\"required\":[\"email\"],\"additionalProperties\":false,"
    "\"properties\":{\"email\":{\"type\":\"string\",\"format\":\"email\"},"
    "\"hours\":{\"type\":\"number\",\"multipleOf\":0.1,\"maximum\":40}}}";

static oreg_schema *compile_candidate(void) {
    oreg_schema *schema = NULL;
    CHECK(oreg_schema_compile(candidate_schema, strlen(candidate_schema), NULL, &schema) == OREG_OK);
    return schema;
}

static void test_schema_validate(void) {
    oreg_schema *schema = compile_candidate();
    if (schema == NULL) return;
    const char *valid = "{\"email\":\"jan@example.nl\",\"hours\":0.3}";
    char *report = (char *)"untouched";
    CHECK(oreg_schema_validate(schema, valid, strlen(valid), &report) == OREG_OK);
    CHECK(report == NULL);
    CHECK(oreg_schema_validate(schema, valid, strlen(valid), NULL) == OREG_OK);

    const char *invalid = "{\"email\":\"not an address\",\"hours\":41,\"extra\":1}";
    CHECK(oreg_schema_validate(schema, invalid, strlen(invalid), &report) == OREG_INVALID);
    CHECK(contains(report, "\"valid\":false"));
    CHECK(contains(report, "\"keywordLocation\":\"/properties/email/format\""));
    CHECK(contains(report, "\"instanceLocation\":\"/hours\""));
    CHECK(contains(report, "\"keyword\":\"additionalProperties\""));
    oreg_free(report);
    CHECK(oreg_schema_validate(schema, invalid, strlen(invalid), NULL) == OREG_INVALID);
    oreg_schema_free(schema);
}

static void test_schema_errors(void) {
    oreg_schema *schema = (oreg_schema *)&schema;
    CHECK(oreg_schema_compile("{\"type\":12}", 11, NULL, &schema) == OREG_ERR_SCHEMA);
    CHECK(schema == NULL);
    CHECK(contains(oreg_last_error(), "\"location\":\"/type\""));
    const char *unresolvable = "{\"$ref\":\"https://example.com/x.json\"}";
    CHECK(oreg_schema_compile(unresolvable, strlen(unresolvable), NULL, &schema) == OREG_ERR_SCHEMA);
    CHECK(contains(oreg_last_error(), "https://example.com/x.json"));
    CHECK(oreg_schema_compile("{", 1, NULL, &schema) == OREG_ERR_JSON);
    CHECK(oreg_schema_compile("{}", 2, "{\"colour\":1}", &schema) == OREG_ERR_MISUSE);
    CHECK(contains(oreg_last_error(), "colour"));
    CHECK(oreg_schema_compile("{}", 2, "{\"formatAssertion\":\"yes\"}", &schema) == OREG_ERR_MISUSE);
    CHECK(oreg_schema_compile("{}", 2, NULL, NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_schema_validate(NULL, "1", 1, NULL) == OREG_ERR_MISUSE);
    oreg_schema_free(NULL);

    const char *catastrophic = "{\"pattern\":\"^(a+)+$\"}";
    CHECK(oreg_schema_compile(catastrophic, strlen(catastrophic), NULL, &schema) == OREG_OK);
    char subject[5004];
    subject[0] = '"';
    memset(subject + 1, 'a', 5000);
    subject[5001] = 'b';
    subject[5002] = '"';
    CHECK(oreg_schema_validate(schema, subject, 5003, NULL) == OREG_ERR_LIMIT);
    CHECK(contains(oreg_last_error(), "backtracking"));
    oreg_schema_free(schema);
}

struct shared_validation { oreg_schema *schema; int failures; };

static void *validate_many(void *argument) {
    struct shared_validation *shared = argument;
    const char *valid = "{\"email\":\"jan@example.nl\"}";
    const char *invalid = "{\"hours\":1}";
    for (int i = 0; i < 2000; i++) {
        char *report = NULL;
        if (oreg_schema_validate(shared->schema, valid, strlen(valid), NULL) != OREG_OK) shared->failures++;
        if (oreg_schema_validate(shared->schema, invalid, strlen(invalid), &report) != OREG_INVALID || !contains(report, "required"))
            shared->failures++;
        oreg_free(report);
    }
    return NULL;
}

static void test_schema_shared_by_threads(void) {
    oreg_schema *schema = compile_candidate();
    if (schema == NULL) return;
    pthread_t threads[8];
    struct shared_validation work[8];
    for (int i = 0; i < 8; i++) {
        work[i] = (struct shared_validation){schema, 0};
        CHECK(pthread_create(&threads[i], NULL, validate_many, &work[i]) == 0);
    }
    for (int i = 0; i < 8; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(work[i].failures == 0);
    }
    oreg_schema_free(schema);
}

/* The client's argument checks need no service: nothing here reaches the network. */
static void test_client_argument_checks(void) {
    oreg_client *client = (oreg_client *)1;
    char *out = (char *)1;
    CHECK(oreg_client_new(NULL, &client) == OREG_ERR_MISUSE);
    CHECK(client == NULL);
    CHECK(oreg_client_new("{\"apiKey\":\"k\"}", NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_client_new("{\"apiKey\":", &client) == OREG_ERR_JSON);
    CHECK(oreg_client_new("{\"apiKey\":\"k\",\"colour\":1}", &client) == OREG_ERR_MISUSE);
    CHECK(contains(oreg_last_error(), "colour"));
    CHECK(oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"gopher://h\"}", &client) == OREG_ERR_MISUSE);
    CHECK(oreg_client_new("{\"apiKey\":\"k\",\"schemaCache\":{\"dir\":\"/proc/version\"}}", &client) == OREG_ERR_IO);
    CHECK(client == NULL);
    oreg_client_free(NULL);

    CHECK(oreg_client_schema(NULL, "create", &out) == OREG_ERR_MISUSE);
    CHECK(out == NULL);
    CHECK(oreg_client_get(NULL, "/candidates", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(NULL, "candidates.create", NULL, "[]", 2, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_validate(NULL, "create", "{}", 2, &out) == OREG_ERR_MISUSE);

    /* A client pointing at a closed port: misuse is caught before any connection is tried. */
    CHECK(oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"http://127.0.0.1:9/api/v2\"}", &client) == OREG_OK);
    if (client == NULL) return;
    CHECK(oreg_client_schema(client, "delete", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_schema(client, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_schema(client, "create", NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_client_get(client, "candidates", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_get(client, "/candidates#x", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_get(client, "/candidates", NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.explode", NULL, "[]", 2, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.update", NULL, "{}", 2, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.delete", "rec1", "{}", 2, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.create", NULL, "[", 1, NULL, &out) == OREG_ERR_JSON);
    CHECK(oreg_client_submit(client, "candidates.create", NULL, "{}", 2, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.create", NULL, "[{}]", 4,
                             "{\"callbackUrl\":\"http://example.com/hook\"}", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.create", NULL, "[{}]", 4, "{\"idempotencyKey\":\"\"}", &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_submit(client, "candidates.create", NULL, NULL, 4, NULL, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_validate(client, "candidates.delete", "{}", 2, &out) == OREG_ERR_MISUSE);
    CHECK(oreg_client_flush(client, 10, NULL, &out) == OREG_ERR_MISUSE);   /* no outbox configured */
    CHECK(contains(oreg_last_error(), "outbox"));
    CHECK(oreg_client_outbox(client, &out) == OREG_ERR_MISUSE);
    CHECK(out == NULL);

    /* The closed port: a transport failure after the retries, carrying the key. */
    oreg_client_free(client);
    CHECK(oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"http://127.0.0.1:9/api/v2\","
                          "\"retry\":{\"maxRetries\":1,\"baseDelayMs\":1,\"maxDelayMs\":1}}", &client) == OREG_OK);
    if (client == NULL) return;
    CHECK(oreg_client_submit(client, "candidates.archive", "rec1", NULL, 0, "{\"idempotencyKey\":\"retry-me\"}", &out)
          == OREG_ERR_TRANSPORT);
    CHECK(contains(oreg_last_error(), "\"idempotencyKey\":\"retry-me\""));
    CHECK(contains(oreg_last_error(), "\"attempts\":2"));
    CHECK(contains(oreg_last_error(), "\"retryable\":true"));
    oreg_client_free(client);
}

static void test_verifier(void) {
    const char *secret = "c-test-secret-0123456789";
    const char body[] = "{\"status\":\"succeeded\"}\0tail";   /* raw bytes, NUL included */
    const size_t length = sizeof body - 1;
    char *signature = NULL;
    CHECK(oreg_callback_sign(secret, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", &signature) == OREG_OK);
    CHECK(signature != NULL && strncmp(signature, "v2=", 3) == 0 && strlen(signature) == 47);
    if (signature == NULL) return;

    oreg_verifier *verifier = (oreg_verifier *)1;
    CHECK(oreg_verifier_new("{\"secrets\":[\"too-short\"]}", &verifier) == OREG_ERR_MISUSE);
    CHECK(verifier == NULL);
    CHECK(!contains(oreg_last_error(), "too-short"));
    CHECK(oreg_verifier_new(NULL, &verifier) == OREG_ERR_MISUSE);
    CHECK(oreg_verifier_new("{\"secrets\":[\"c-test-secret-0123456789\"]}", NULL) == OREG_ERR_MISUSE);
    CHECK(oreg_verifier_new("{\"secrets\":[\"c-test-secret-0123456789\"]}", &verifier) == OREG_OK);
    if (verifier == NULL) { oreg_free(signature); return; }

    const int64_t now = 1800000000;
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length - 1, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_ERR_SIGNATURE);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=2", body, length, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_ERR_SIGNATURE);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", signature, now + 301)
          == OREG_ERR_TOO_OLD);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", signature, now - 301)
          == OREG_ERR_TOO_NEW);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, NULL, "nonce-0123456789ab", signature, now)
          == OREG_ERR_HEADER_MISSING);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, "18e8", "nonce-0123456789ab", signature, now)
          == OREG_ERR_HEADER_MALFORMED);
    CHECK(oreg_verifier_verify(verifier, "https://site/hook?a=1", body, length, "1800000000", "nonce-0123456789ab",
                               signature, now) == OREG_ERR_MISUSE);
    CHECK(oreg_verifier_verify(NULL, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_ERR_MISUSE);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", NULL, 5, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_ERR_MISUSE);
    /* The failures above recorded nothing: the genuine callback is accepted once, then refused. */
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_OK);
    CHECK(oreg_verifier_verify(verifier, "/hook?a=1", body, length, "1800000000", "nonce-0123456789ab", signature, now)
          == OREG_ERR_REPLAYED);

    char *unused = (char *)1;
    CHECK(oreg_callback_sign("short", "/hook", "", 0, "1", "nonce-0123456789ab", &unused) == OREG_ERR_MISUSE);
    CHECK(unused == NULL);
    CHECK(oreg_callback_sign(secret, "/hook", "", 0, "1", "bad nonce", &unused) == OREG_ERR_HEADER_MALFORMED);
    CHECK(oreg_callback_sign(secret, "/hook", "", 0, "1", "nonce-0123456789ab", NULL) == OREG_ERR_MISUSE);
    oreg_verifier_free(verifier);
    oreg_verifier_free(NULL);
    oreg_free(signature);
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
    RUN(test_schema_validate);
    RUN(test_schema_errors);
    RUN(test_schema_shared_by_threads);
    RUN(test_client_argument_checks);
    RUN(test_verifier);
    return SUMMARY("c-abi");
}
