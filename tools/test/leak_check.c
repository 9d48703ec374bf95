/* Memory growth under load, natively (not under valgrind): 1,000,000 validations of the fixture
   payload (candidate-valid-full.json against candidate-create.schema.json, verdict only; every
   100th also the invalid fixture with a report) and 100,000 callback verifications (each signed
   with oreg_callback_sign, a fresh nonce, the in-memory replay store, the clock advancing one
   second per callback so the store stays at its steady size of twice the tolerance).

   The resident set size (/proc/self/statm) is sampled after a warm-up of 10% of the work and at
   the end; the growth must stay under LEAK_CHECK_MAX_GROWTH_KB (default 1024).
   Usage: leak_check <fixtures-dir>. Prints "leak-check: N passed, N failed". */
#define _GNU_SOURCE
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long resident_kb(void) {
    FILE *file = fopen("/proc/self/statm", "r");
    if (file == NULL) return -1;
    long size = 0, resident = 0;
    int fields = fscanf(file, "%ld %ld", &size, &resident);
    fclose(file);
    return fields == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static char *read_file(const char *directory, const char *name, size_t *length) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", directory, name);
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

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: leak_check <fixtures-dir>\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const long validations = getenv("LEAK_CHECK_VALIDATIONS") ? atol(getenv("LEAK_CHECK_VALIDATIONS")) : 1000000;
    const long every = 10;                      /* one verification per 10 validations: 100,000 */
    const long max_growth_kb = getenv("LEAK_CHECK_MAX_GROWTH_KB") ? atol(getenv("LEAK_CHECK_MAX_GROWTH_KB")) : 1024;
    int passed = 0, failed = 0;
#define RESULT(condition, ...)                                                    \
    do {                                                                          \
        if (condition) { passed++; printf("ok   "); } else { failed++; printf("FAIL "); } \
        printf(__VA_ARGS__);                                                      \
        printf("\n");                                                             \
    } while (0)

    size_t schema_length = 0, valid_length = 0, invalid_length = 0;
    char *schema_text = read_file(argv[1], "schema/candidate-create.schema.json", &schema_length);
    char *valid = read_file(argv[1], "payloads/candidate-valid-full.json", &valid_length);
    char *invalid = read_file(argv[1], "payloads/candidate-invalid-many.json", &invalid_length);
    if (schema_text == NULL || valid == NULL || invalid == NULL) return 2;
    oreg_schema *schema = NULL;
    oreg_verifier *verifier = NULL;
    const char *secret = "leak-check-secret-0123456789";
    if (oreg_schema_compile(schema_text, schema_length, NULL, &schema) != OREG_OK ||
        oreg_verifier_new("{\"secrets\":[\"leak-check-secret-0123456789\"]}", &verifier) != OREG_OK) {
        printf("setup failed: %s\nleak-check: 0 passed, 1 failed\n", oreg_last_error());
        return 1;
    }

    long wrong = 0, verified = 0, validated = 0, warm_kb = -1;
    char nonce[64], ts[32], body[128];
    const char *path = "/hooks/oreg";
    double start = seconds(), warm_at = 0;
    for (long i = 0; i < validations; i++) {
        if (i == validations / 10) { warm_kb = resident_kb(); warm_at = seconds(); }
        if (oreg_schema_validate(schema, valid, valid_length, NULL) != OREG_OK) wrong++;
        validated++;
        if (i % 100 == 0) {
            char *report = NULL;
            if (oreg_schema_validate(schema, invalid, invalid_length, &report) != OREG_INVALID || report == NULL) wrong++;
            oreg_free(report);
        }
        if (i % every == 0) {
            long n = i / every;
            long long now = 1800000000LL + n;
            snprintf(nonce, sizeof nonce, "leak-check-%010ld", n);
            snprintf(ts, sizeof ts, "%lld", now);
            int length = snprintf(body, sizeof body, "{\"mutationId\":\"mut_%ld\",\"status\":\"succeeded\"}", n);
            char *signature = NULL;
            if (oreg_callback_sign(secret, path, body, (size_t)length, ts, nonce, &signature) != OREG_OK) wrong++;
            else if (oreg_verifier_verify(verifier, path, body, (size_t)length, ts, nonce, signature, now) != OREG_OK) wrong++;
            oreg_free(signature);
            verified++;
        }
    }
    long end_kb = resident_kb();
    double elapsed = seconds() - start;
    printf("%ld validations (+%ld with a report), %ld sign+verify in %.1f s; RSS after warm-up (10%%, %.1f s) %ld KiB, "
           "at the end %ld KiB: growth %ld KiB\n", validated, (validations + 99) / 100, verified, elapsed, warm_at - start,
           warm_kb, end_kb, end_kb - warm_kb);
    RESULT(wrong == 0, "every validation and verification gave the expected status (%ld wrong)", wrong);
    RESULT(warm_kb > 0 && end_kb > 0 && end_kb - warm_kb < max_growth_kb, "RSS growth %ld KiB < %ld KiB", end_kb - warm_kb,
           max_growth_kb);
    oreg_verifier_free(verifier);
    oreg_schema_free(schema);
    free(schema_text);
    free(valid);
    free(invalid);
    printf("leak-check: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
