/* Stress: 8 threads share ONE compiled schema, ONE callback verifier and ONE client, as a
   threaded web server would, and check every result. Built by tools/sanitize/run.sh with
   -fsanitize=address or -fsanitize=thread against a sanitized build of the library, so data
   races, use-after-free, overflows and leaks in the shared objects are reported.

   Usage: stress <fixtures-dir> <base-url>      (the simulator: key sim-api-key)
   Environment: STRESS_ITERATIONS (default 200) per thread; every 10th iteration also uses the
   client (a GET, a validation and a submission). */
#define _GNU_SOURCE
#include <onderwijsregio.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 8

static oreg_schema *schema;
static oreg_verifier *verifier;
static oreg_client *client;
static const char *secret = "stress-signing-secret-0123456789";

struct payload { const char *name; char *bytes; size_t length; int expected; const char *in_report; };
static struct payload payloads[4] = {
    {"candidate-valid-full.json", NULL, 0, OREG_OK, NULL},
    {"candidate-valid-minimal.json", NULL, 0, OREG_OK, NULL},
    {"candidate-invalid-many.json", NULL, 0, OREG_INVALID, "\"keyword\":\"multipleOf\""},
    {"candidate-update-valid.json", NULL, 0, OREG_INVALID, "\"keyword\":\"required\""},
};

struct counts { long validations, verifications, gets, submits, client_validations, failures; };

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) { perror(path); return NULL; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    if (bytes == NULL || fread(bytes, 1, (size_t)size, file) != (size_t)size) { fclose(file); free(bytes); return NULL; }
    fclose(file);
    bytes[size] = '\0';
    *length = (size_t)size;
    return bytes;
}

static int iterations = 200;

#define FAIL(counts, ...)                                                       \
    do {                                                                        \
        fprintf(stderr, __VA_ARGS__);                                           \
        fprintf(stderr, "  (last error: %s)\n", oreg_last_error());             \
        (counts)->failures++;                                                   \
    } while (0)

static void *work(void *argument) {
    long id = (long)(intptr_t)argument;
    struct counts *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    char nonce[96], ts[32], body[256], key[96];
    const char *path = "/hooks/oreg?site=3";
    for (int i = 0; i < iterations; i++) {
        /* Validation on the shared schema: verdict only, and with a report. */
        for (int p = 0; p < 4; p++) {
            struct payload *payload = &payloads[p];
            int status = oreg_schema_validate(schema, payload->bytes, payload->length, NULL);
            if (status != payload->expected) FAIL(c, "thread %ld: %s verdict %d\n", id, payload->name, status);
            char *report = NULL;
            status = oreg_schema_validate(schema, payload->bytes, payload->length, &report);
            if (status != payload->expected) FAIL(c, "thread %ld: %s status %d\n", id, payload->name, status);
            if (payload->in_report && (report == NULL || strstr(report, payload->in_report) == NULL))
                FAIL(c, "thread %ld: %s report lacks %s\n", id, payload->name, payload->in_report);
            if (!payload->in_report && report != NULL) FAIL(c, "thread %ld: report for a valid payload\n", id);
            oreg_free(report);
            c->validations += 2;
        }
        /* Verification on the shared verifier: distinct nonces, then a replay and a forgery. */
        snprintf(nonce, sizeof nonce, "stress-%d-t%02ld-i%06d", (int)getpid(), id, i);
        snprintf(ts, sizeof ts, "%lld", 1800000000LL + i);
        int length = snprintf(body, sizeof body, "{\"mutationId\":\"mut_%ld_%d\",\"status\":\"succeeded\"}", id, i);
        char *signature = NULL;
        if (oreg_callback_sign(secret, path, body, (size_t)length, ts, nonce, &signature) != OREG_OK) {
            FAIL(c, "thread %ld: sign failed\n", id);
        } else {
            int64_t now = 1800000000LL + i;
            int status = oreg_verifier_verify(verifier, path, body, (size_t)length, ts, nonce, signature, now);
            if (status != OREG_OK) FAIL(c, "thread %ld: genuine callback %d\n", id, status);
            status = oreg_verifier_verify(verifier, path, body, (size_t)length, ts, nonce, signature, now);
            if (status != OREG_ERR_REPLAYED) FAIL(c, "thread %ld: replay %d\n", id, status);
            status = oreg_verifier_verify(verifier, path, body, (size_t)length - 1, ts, nonce, signature, now);
            if (status != OREG_ERR_SIGNATURE) FAIL(c, "thread %ld: forgery %d\n", id, status);
            c->verifications += 3;
        }
        oreg_free(signature);
        /* The shared client, against the simulator. */
        if (i % 10 == 0) {
            char *response = NULL;
            int status = oreg_client_get(client, "/candidates?pageSize=5", &response);
            if (status != OREG_OK || response == NULL || strstr(response, "\"httpStatus\":200") == NULL)
                FAIL(c, "thread %ld: get %d\n", id, status);
            oreg_free(response);
            c->gets++;

            char *report = NULL;
            status = oreg_client_validate(client, "create", payloads[0].bytes, payloads[0].length, &report);
            if (status != OREG_OK || report != NULL) FAIL(c, "thread %ld: client validate %d\n", id, status);
            oreg_free(report);
            c->client_validations++;

            length = snprintf(body, sizeof body,
                              "[{\"email\":\"t%ld.i%d.p%d@example.nl\",\"firstName\":\"T\",\"lastName\":\"S\",\"privacyConsent\":true}]",
                              id, i, (int)getpid());
            snprintf(key, sizeof key, "{\"idempotencyKey\":\"stress-%d-%ld-%d\"}", (int)getpid(), id, i);
            char *result = NULL;
            status = oreg_client_submit(client, "candidates.create", NULL, body, (size_t)length, key, &result);
            if (status != OREG_OK || result == NULL || strstr(result, "\"mutationId\":\"mut_") == NULL)
                FAIL(c, "thread %ld: submit %d: %s\n", id, status, result ? result : "(no result)");
            oreg_free(result);
            c->submits++;
        }
    }
    return c;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: stress <fixtures-dir> <base-url>\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *environment = getenv("STRESS_ITERATIONS");
    if (environment != NULL && atoi(environment) > 0) iterations = atoi(environment);
    char path[4096];
    size_t schema_length = 0;
    snprintf(path, sizeof path, "%s/schema/candidate-create.schema.json", argv[1]);
    char *schema_text = read_file(path, &schema_length);
    if (schema_text == NULL) return 2;
    for (int p = 0; p < 4; p++) {
        snprintf(path, sizeof path, "%s/payloads/%s", argv[1], payloads[p].name);
        payloads[p].bytes = read_file(path, &payloads[p].length);
        if (payloads[p].bytes == NULL) return 2;
    }
    int passed = 0, failed = 0;
#define SETUP(description, condition)                                                         \
    do {                                                                                      \
        if (condition) { passed++; printf("ok   %s\n", description); }                        \
        else { failed++; printf("FAIL %s: %s\n", description, oreg_last_error()); }           \
    } while (0)
    SETUP("compile the fixture schema", oreg_schema_compile(schema_text, schema_length, NULL, &schema) == OREG_OK);
    SETUP("create the verifier (in-memory replay store)",
          oreg_verifier_new("{\"secrets\":[\"stress-signing-secret-0123456789\"]}", &verifier) == OREG_OK);
    char options[1024];
    snprintf(options, sizeof options,
             "{\"apiKey\":\"sim-api-key\",\"baseUrl\":\"%s\",\"retry\":{\"maxRetries\":3,\"baseDelayMs\":10,\"maxDelayMs\":100}}",
             argv[2]);
    SETUP("create the client", oreg_client_new(options, &client) == OREG_OK);
    if (failed) {
        printf("stress: %d passed, %d failed\n", passed, failed);
        return 1;
    }

    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, work, (void *)(intptr_t)t) != 0) { perror("pthread_create"); return 2; }
    struct counts total = {0};
    int threads_ok = 1;
    for (int t = 0; t < THREADS; t++) {
        struct counts *c = NULL;
        pthread_join(threads[t], (void **)&c);
        if (c == NULL) { threads_ok = 0; continue; }
        total.validations += c->validations;
        total.verifications += c->verifications;
        total.gets += c->gets;
        total.submits += c->submits;
        total.client_validations += c->client_validations;
        total.failures += c->failures;
        free(c);
    }
    long expected_validations = (long)THREADS * iterations * 8;
    long expected_client_calls = (long)THREADS * ((iterations + 9) / 10);
    printf("%d threads x %d iterations: %ld validations, %ld verifications, %ld gets, %ld client validations, "
           "%ld submissions; %ld wrong results\n", THREADS, iterations, total.validations, total.verifications,
           total.gets, total.client_validations, total.submits, total.failures);
    SETUP("every thread finished", threads_ok);
    SETUP("every validation on the shared schema gave the expected verdict and report",
          total.failures == 0 && total.validations == expected_validations);
    SETUP("every verification on the shared verifier: genuine once, replay and forgery refused",
          total.failures == 0 && total.verifications == (long)THREADS * iterations * 3);
    SETUP("every call on the shared client succeeded (get, validate, submit)",
          total.failures == 0 && total.gets == expected_client_calls && total.submits == expected_client_calls);

    oreg_client_free(client);
    oreg_verifier_free(verifier);
    oreg_schema_free(schema);
    free(schema_text);
    for (int p = 0; p < 4; p++) free(payloads[p].bytes);
    printf("stress: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
