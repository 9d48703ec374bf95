/* ABI abuse: every function of onderwijsregio.h called with what a careless or hostile caller
   passes: NULL pointers, empty input, buffers that are not NUL-terminated (a length shorter than
   the text; a buffer that ends exactly where a PROT_NONE guard page begins, so that reading one
   byte too far crashes), invalid UTF-8, absurd lengths (SIZE_MAX; SIZE_MAX / 2 and 64 MiB + 1
   with a small real buffer: they must be refused, not read), NULL out-parameters and
   oreg_free(NULL)-style releases. The header promises statuses, never a crash.

   Calls that could crash the process run in a forked child (CHECK_ISOLATED), so a crash is
   reported as a failed check naming the call instead of ending the run.

   The client calls need no service: the clients point at http://127.0.0.1:9 (nothing listens)
   with maxRetries 0. Usage: abuse [scratch-dir] (default: a fresh directory under /tmp). */
#define _GNU_SOURCE
#include <onderwijsregio.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* The status of a call, checked against the expected one; prints the actual status and the
   last error when they differ. */
#define EXPECT(expected, call)                                                                   \
    do {                                                                                         \
        int expect_status_ = (call);                                                             \
        if (expect_status_ != (expected)) {                                                      \
            fprintf(stderr, "  %s:%d: %s returned %s (%d), expected %s\n    last error: %s\n",   \
                    __FILE__, __LINE__, #call, oreg_status_name(expect_status_), expect_status_, \
                    #expected, oreg_last_error());                                              \
            checks_failed_in_test++;                                                             \
        }                                                                                        \
    } while (0)

/* Runs `call` in a forked child: the check fails when the child crashes (the signal is named)
   or when `accept(status)` is false. Used for the calls that read caller memory with lengths
   the caller cannot have meant. */
#define CHECK_ISOLATED(accept_expression, call)                                                  \
    do {                                                                                         \
        fflush(NULL);                                                                            \
        pid_t isolated_pid_ = fork();                                                            \
        if (isolated_pid_ == 0) {                                                                \
            int status = (call);                                                                 \
            if (!(accept_expression)) {                                                          \
                fprintf(stderr, "  %s:%d: %s returned %s (%d), not accepted by %s\n"              \
                        "    last error: %s\n", __FILE__, __LINE__, #call,                      \
                        oreg_status_name(status), status, #accept_expression, oreg_last_error()); \
                fflush(NULL);                                                                    \
                _exit(1);                                                                        \
            }                                                                                    \
            _exit(0);                                                                            \
        }                                                                                        \
        int isolated_wait_ = 0;                                                                  \
        if (isolated_pid_ < 0 || waitpid(isolated_pid_, &isolated_wait_, 0) != isolated_pid_) {  \
            fprintf(stderr, "  %s:%d: fork/waitpid failed: %s\n", __FILE__, __LINE__,           \
                    strerror(errno));                                                            \
            checks_failed_in_test++;                                                             \
        } else if (WIFSIGNALED(isolated_wait_)) {                                                \
            fprintf(stderr, "  %s:%d: %s CRASHED the process with signal %d (%s)\n", __FILE__,   \
                    __LINE__, #call, WTERMSIG(isolated_wait_), strsignal(WTERMSIG(isolated_wait_))); \
            checks_failed_in_test++;                                                             \
        } else if (WEXITSTATUS(isolated_wait_) != 0) {                                           \
            fprintf(stderr, "  %s:%d: %s: child exited with %d\n", __FILE__, __LINE__, #call,    \
                    WEXITSTATUS(isolated_wait_));                                                \
            checks_failed_in_test++;                                                             \
        }                                                                                        \
    } while (0)

/* A refusal: any failure status except the library's own bug report. */
#define REFUSED(status) ((status) < 0 && (status) != OREG_ERR_INTERNAL)

/* ---- guarded buffers ------------------------------------------------------------------------ */

/* Copies `length` bytes so that they end exactly at the start of a PROT_NONE page: reading a
   byte past the end faults. Release with unguard(). */
struct guarded { char *mapping; size_t size; };
static struct guarded guards[256];
static int guard_count;

static const char *guard(const void *bytes, size_t length) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (length + page - 1) / page;
    if (data_pages == 0) data_pages = 1;
    size_t size = (data_pages + 1) * page;
    char *mapping = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) { perror("mmap"); abort(); }
    char *guard_page = mapping + data_pages * page;
    if (mprotect(guard_page, page, PROT_NONE) != 0) { perror("mprotect"); abort(); }
    char *start = guard_page - length;
    if (length) memcpy(start, bytes, length);
    if (guard_count < (int)(sizeof guards / sizeof guards[0])) guards[guard_count++] = (struct guarded){mapping, size};
    return start;
}

/* A NUL-terminated string whose terminator is the last readable byte. */
static const char *guard_string(const char *text) { return guard(text, strlen(text) + 1); }

static void unguard_all(void) {
    for (int i = 0; i < guard_count; i++) munmap(guards[i].mapping, guards[i].size);
    guard_count = 0;
}

static char scratch[4096];
static const char *secret = "abuse-signing-secret-0123456789";
static const char *closed_port = "http://127.0.0.1:9/api/v2";

static const char *const known_bad_utf8[] = {
    "\"\xff\"",                 /* a byte that never occurs in UTF-8 */
    "\"\x80\"",                 /* a lone continuation byte */
    "\"\xc0\xaf\"",             /* overlong "/" */
    "\"\xe0\x80\xaf\"",         /* overlong, three bytes */
    "\"\xed\xa0\x80\"",         /* an encoded surrogate (U+D800) */
    "\"\xf4\x90\x80\x80\"",     /* beyond U+10FFFF */
    "\"\xc3\"",                 /* a sequence cut short by the closing quote */
    "\"\xe2\x82\"",
    "{\"\xff\":1}",             /* in a member name */
    "\xef\xbb\xbf{}",           /* a byte order mark */
    "[\xff]",                   /* outside a string */
};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_static_functions(void) {
    CHECK(oreg_version() != NULL && strcmp(oreg_version(), OREG_VERSION) == 0);
    CHECK(oreg_version_number() == OREG_VERSION_NUMBER);
    const int codes[] = {INT_MIN, INT_MIN + 1, -100, -99, -19, -1, 0, 1, 2, 3, 4, 99, INT_MAX};
    for (size_t i = 0; i < COUNT(codes); i++) {
        const char *name = oreg_status_name(codes[i]);
        CHECK(name != NULL && strncmp(name, "OREG_", 5) == 0);
    }
    CHECK(strcmp(oreg_status_name(INT_MIN), "OREG_UNKNOWN") == 0);
    CHECK(strcmp(oreg_status_name(-19), "OREG_UNKNOWN") == 0);
    /* The last error is always one JSON document, on a fresh thread as after a failure. */
    const char *error = oreg_last_error();
    CHECK(error != NULL && oreg_json_check(error, strlen(error)) == OREG_OK);
}

static void test_release_null_and_after_failures(void) {
    oreg_free(NULL);
    oreg_free(NULL);
    oreg_schema_free(NULL);
    oreg_client_free(NULL);
    oreg_verifier_free(NULL);
    /* Out-parameters are NULL after every failure: releasing them is always safe. */
    char *text = (char *)scratch;
    oreg_schema *schema = (oreg_schema *)scratch;
    oreg_client *client = (oreg_client *)scratch;
    oreg_verifier *verifier = (oreg_verifier *)scratch;
    EXPECT(OREG_ERR_JSON, oreg_json_canonicalize("[", 1, &text));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{", 1, NULL, &schema));
    EXPECT(OREG_ERR_JSON, oreg_client_new("{", &client));
    EXPECT(OREG_ERR_JSON, oreg_verifier_new("{", &verifier));
    CHECK(text == NULL && schema == NULL && client == NULL && verifier == NULL);
    oreg_free(text);
    oreg_schema_free(schema);
    oreg_client_free(client);
    oreg_verifier_free(verifier);
}

/* Documents that end at a guard page: the parser must stop at the length. */
static const char *const valid_tails[] = {"123", "-0", "1e5", "1.5", "true", "false", "null", "[]", "{}",
                                          "\"x\"", "\"\\u00e9\"", "[1,[2,{\"a\":3}]]", "0"};
static const char *const truncated[] = {"[1", "\"abc", "tru", "fals", "nul", "1.", "1e", "1e+", "-", "{\"a\"",
                                        "{\"a\":", "\"\\u12", "\"\\", "[1,", "{", "[", "\"\xc3", "\"\xe2\x82",
                                        "\"\xf0\x9f\x98", " ", "{\"a\":1,"};

static void test_json_check(void) {
    EXPECT(OREG_ERR_JSON, oreg_json_check(NULL, 0));
    EXPECT(OREG_ERR_MISUSE, oreg_json_check(NULL, 1));
    EXPECT(OREG_ERR_MISUSE, oreg_json_check(NULL, SIZE_MAX));
    EXPECT(OREG_ERR_JSON, oreg_json_check("", 0));
    EXPECT(OREG_ERR_JSON, oreg_json_check(guard("", 0), 0));
    /* Absurd lengths with a small real buffer: refused before a byte is read. */
    const char *small = guard("[1]", 3);
    EXPECT(OREG_ERR_MISUSE, oreg_json_check(small, SIZE_MAX));
    EXPECT(OREG_ERR_LIMIT, oreg_json_check(small, SIZE_MAX / 2));
    EXPECT(OREG_ERR_MISUSE, oreg_json_check(small, SIZE_MAX / 2 + 1));   /* beyond any object size */
    EXPECT(OREG_ERR_LIMIT, oreg_json_check(small, (64u << 20) + 1));
    /* A length shorter than the text: only the prefix counts. */
    EXPECT(OREG_ERR_JSON, oreg_json_check("[1,2]", 3));
    EXPECT(OREG_ERR_JSON, oreg_json_check("true", 3));
    EXPECT(OREG_OK, oreg_json_check("12345", 2));
    EXPECT(OREG_OK, oreg_json_check("[7]garbage", 3));
    EXPECT(OREG_ERR_JSON, oreg_json_check("\"abc\"", 4));
    /* Embedded NUL: part of the input, not a terminator. */
    EXPECT(OREG_ERR_JSON, oreg_json_check("[1]\0", 4));
    EXPECT(OREG_ERR_JSON, oreg_json_check("\"a\0b\"", 5));
    EXPECT(OREG_OK, oreg_json_check("\"a\\u0000b\"", 10));
    /* At the guard page. */
    for (size_t i = 0; i < COUNT(valid_tails); i++)
        EXPECT(OREG_OK, oreg_json_check(guard(valid_tails[i], strlen(valid_tails[i])), strlen(valid_tails[i])));
    for (size_t i = 0; i < COUNT(truncated); i++)
        EXPECT(OREG_ERR_JSON, oreg_json_check(guard(truncated[i], strlen(truncated[i])), strlen(truncated[i])));
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++) {
        size_t length = strlen(known_bad_utf8[i]);
        EXPECT(OREG_ERR_JSON, oreg_json_check(known_bad_utf8[i], length));
        EXPECT(OREG_ERR_JSON, oreg_json_check(guard(known_bad_utf8[i], length), length));
    }
    /* Deep nesting that runs into the guard page. */
    char deep[4096];
    memset(deep, '[', sizeof deep);
    EXPECT(OREG_ERR_LIMIT, oreg_json_check(guard(deep, sizeof deep), sizeof deep));
    memset(deep, '{', sizeof deep);
    EXPECT(OREG_ERR_JSON, oreg_json_check(guard(deep, 3), 3));
    unguard_all();
}

static void test_json_canonicalize(void) {
    char *out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_json_canonicalize("[]", 2, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_json_canonicalize(NULL, 0, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_json_canonicalize(NULL, 7, &out));
    CHECK(out == NULL);
    out = (char *)scratch;
    EXPECT(OREG_ERR_JSON, oreg_json_canonicalize(NULL, 0, &out));
    CHECK(out == NULL);
    const char *small = guard("[1]", 3);
    EXPECT(OREG_ERR_MISUSE, oreg_json_canonicalize(small, SIZE_MAX, &out));
    EXPECT(OREG_ERR_LIMIT, oreg_json_canonicalize(small, SIZE_MAX / 2, &out));
    EXPECT(OREG_ERR_LIMIT, oreg_json_canonicalize(small, (64u << 20) + 1, &out));
    CHECK(out == NULL);
    EXPECT(OREG_OK, oreg_json_canonicalize("[1.0, 2]xyz", 8, &out));
    CHECK(out != NULL && strcmp(out, "[1,2]") == 0);
    oreg_free(out);
    for (size_t i = 0; i < COUNT(valid_tails); i++) {
        size_t length = strlen(valid_tails[i]);
        out = NULL;
        EXPECT(OREG_OK, oreg_json_canonicalize(guard(valid_tails[i], length), length, &out));
        CHECK(out != NULL);
        oreg_free(out);
    }
    const char number[] = {'1', 'e', '4', '0', '0'};
    EXPECT(OREG_ERR_RANGE, oreg_json_canonicalize(guard(number, sizeof number), sizeof number, &out));
    CHECK(out == NULL);
    for (size_t i = 0; i < COUNT(truncated); i++) {
        out = (char *)scratch;
        EXPECT(OREG_ERR_JSON, oreg_json_canonicalize(guard(truncated[i], strlen(truncated[i])), strlen(truncated[i]), &out));
        CHECK(out == NULL);
    }
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++) {
        out = (char *)scratch;
        EXPECT(OREG_ERR_JSON, oreg_json_canonicalize(known_bad_utf8[i], strlen(known_bad_utf8[i]), &out));
        CHECK(out == NULL);
    }
    unguard_all();
}

static const char small_schema[] =
    "{\"type\":\"object\",\"required\":[\"email\"],\"properties\":{\"email\":{\"type\":\"string\",\"format\":\"email\"},"
    "\"name\":{\"type\":\"string\",\"pattern\":\"^[A-Z]\"}}}";

static void test_schema_compile(void) {
    oreg_schema *schema = (oreg_schema *)scratch;
    size_t length = strlen(small_schema);
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile(small_schema, length, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile(NULL, 0, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile(NULL, 4, NULL, &schema));
    CHECK(schema == NULL);
    EXPECT(OREG_ERR_JSON, oreg_schema_compile(NULL, 0, NULL, &schema));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("", 0, NULL, &schema));
    const char *small = guard("{}", 2);
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile(small, SIZE_MAX, NULL, &schema));
    EXPECT(OREG_ERR_LIMIT, oreg_schema_compile(small, SIZE_MAX / 2, NULL, &schema));
    EXPECT(OREG_ERR_LIMIT, oreg_schema_compile(small, (64u << 20) + 1, NULL, &schema));
    CHECK(schema == NULL);
    /* Shorter than the text, and at the guard page. */
    EXPECT(OREG_ERR_JSON, oreg_schema_compile(small_schema, length - 1, NULL, &schema));
    EXPECT(OREG_OK, oreg_schema_compile(guard(small_schema, length), length, NULL, &schema));
    oreg_schema_free(schema);
    schema = NULL;
    EXPECT(OREG_OK, oreg_schema_compile(guard("true", 4), 4, NULL, &schema));
    oreg_schema_free(schema);
    EXPECT(OREG_OK, oreg_schema_compile("{}", 2, guard_string("{\"language\":\"nl\",\"maxDepth\":10000}"), &schema));
    oreg_schema_free(schema);
    /* Invalid UTF-8 in the schema and in the options. */
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++)
        EXPECT(OREG_ERR_JSON, oreg_schema_compile(known_bad_utf8[i], strlen(known_bad_utf8[i]), NULL, &schema));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{\"pattern\":\"\xff\"}", 15, NULL, &schema));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{}", 2, "{\"language\":\"\xc3\"}", &schema));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{}", 2, "{\"\xff\":1}", &schema));
    /* Options that are not an object of known members of the right type. */
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{}", 2, "", &schema));
    EXPECT(OREG_ERR_JSON, oreg_schema_compile("{}", 2, "{", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "null", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "[]", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"maxDepth\":0}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"maxDepth\":10001}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"maxDepth\":1e400}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"maxDepth\":-9223372036854775809}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"maxDepth\":1.5}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"defaultDraft\":\"draft3\"}", &schema));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_compile("{}", 2, "{\"resources\":[]}", &schema));
    CHECK(schema == NULL);
    /* Schemas that are JSON but not schemas, or hostile ones. */
    EXPECT(OREG_ERR_SCHEMA, oreg_schema_compile("{\"pattern\":\"(\"}", 15, NULL, &schema));
    EXPECT(OREG_ERR_SCHEMA, oreg_schema_compile("{\"$schema\":\"x\"}", 15, NULL, &schema));
    const char *dangling = "{\"$ref\":\"#/$defs/\\u0000\"}";
    EXPECT(OREG_ERR_SCHEMA, oreg_schema_compile(dangling, strlen(dangling), NULL, &schema));
    EXPECT(OREG_ERR_SCHEMA, oreg_schema_compile("12", 2, NULL, &schema));
    const char *cyclic = "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}";
    int status = oreg_schema_compile(cyclic, strlen(cyclic), NULL, &schema);
    CHECK(status == OREG_OK || status == OREG_ERR_SCHEMA);
    if (status == OREG_OK) {
        EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, "1", 1, NULL));
        char *report = (char *)scratch;
        EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, "1", 1, &report));
        CHECK(report == NULL);
        oreg_schema_free(schema);
    }
    unguard_all();
}

static void test_schema_validate(void) {
    oreg_schema *schema = NULL;
    EXPECT(OREG_OK, oreg_schema_compile(small_schema, strlen(small_schema), NULL, &schema));
    if (schema == NULL) return;
    const char *valid = "{\"email\":\"jan@example.nl\",\"name\":\"Jan\"}";
    const size_t length = strlen(valid);
    char *report = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_schema_validate(NULL, valid, length, &report));
    CHECK(report == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_schema_validate(NULL, valid, length, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_validate(NULL, NULL, 0, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_schema_validate(schema, NULL, 3, &report));
    EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, NULL, 0, &report));
    EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, "", 0, NULL));
    const char *small = guard("{}", 2);
    EXPECT(OREG_ERR_MISUSE, oreg_schema_validate(schema, small, SIZE_MAX, &report));
    EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, small, SIZE_MAX / 2, &report));
    EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, small, SIZE_MAX / 2, NULL));
    EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, small, (64u << 20) + 1, NULL));
    CHECK(report == NULL);
    /* At the guard page, with and without a report. */
    EXPECT(OREG_OK, oreg_schema_validate(schema, guard(valid, length), length, &report));
    CHECK(report == NULL);
    EXPECT(OREG_OK, oreg_schema_validate(schema, guard(valid, length), length, NULL));
    const char *invalid = "{\"email\":\"x\",\"name\":\"jan\"}";
    EXPECT(OREG_INVALID, oreg_schema_validate(schema, guard(invalid, strlen(invalid)), strlen(invalid), &report));
    CHECK(contains(report, "\"valid\":false") && report != NULL && oreg_json_check(report, strlen(report)) == OREG_OK);
    oreg_free(report);
    /* Shorter than the text: "{}" lacks the required email. */
    EXPECT(OREG_INVALID, oreg_schema_validate(schema, "{}{\"email\":\"a@b.nl\"}", 2, NULL));
    EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, valid, length - 1, NULL));
    for (size_t i = 0; i < COUNT(truncated); i++) {
        report = (char *)scratch;
        EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, guard(truncated[i], strlen(truncated[i])), strlen(truncated[i]), &report));
        CHECK(report == NULL);
    }
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++) {
        report = (char *)scratch;
        EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, known_bad_utf8[i], strlen(known_bad_utf8[i]), &report));
        CHECK(report == NULL);
    }
    /* Invalid UTF-8 where the pattern and the format look. */
    EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, "{\"email\":\"\xff@b.nl\"}", 17, NULL));
    EXPECT(OREG_ERR_JSON, oreg_schema_validate(schema, "{\"email\":\"a@b.nl\",\"name\":\"\xc0\xaf\"}", 30, NULL));
    char deep[2000];
    memset(deep, '[', sizeof deep);
    EXPECT(OREG_ERR_LIMIT, oreg_schema_validate(schema, guard(deep, sizeof deep), sizeof deep, &report));
    CHECK(report == NULL);
    oreg_schema_free(schema);
    unguard_all();
}

static void test_client_new(void) {
    oreg_client *client = (oreg_client *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_new(NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new(NULL, &client));
    CHECK(client == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\"}", NULL));
    EXPECT(OREG_ERR_JSON, oreg_client_new("", &client));
    EXPECT(OREG_ERR_JSON, oreg_client_new("{\"apiKey\":\"\xff\"}", &client));
    EXPECT(OREG_ERR_JSON, oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"http://127.0.0.1/\xc3\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("[]", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":7}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"with space\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\\u0000\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"baseUrl\":\"http://example.com/api\"}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"retry\":{\"maxRetries\":-1}}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"retry\":{\"maxRetries\":1e400}}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"timeouts\":{\"connectMs\":-5}}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"timeouts\":{\"deadlineMs\":18446744073709551616}}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"maxResponseBytes\":-1}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"outbox\":{}}", &client));
    EXPECT(OREG_ERR_MISUSE, oreg_client_new("{\"apiKey\":\"k\",\"outbox\":{\"path\":\"\"}}", &client));
    EXPECT(OREG_ERR_IO, oreg_client_new("{\"apiKey\":\"k\",\"outbox\":{\"path\":\"/nonexistent-dir/x/outbox.db\"}}", &client));
    EXPECT(OREG_ERR_IO, oreg_client_new("{\"apiKey\":\"k\",\"schemaCache\":{\"dir\":\"/nonexistent-dir/x\"}}", &client));
    CHECK(client == NULL);
    /* Options that end at a guard page (the terminator is the last readable byte). */
    EXPECT(OREG_OK, oreg_client_new(guard_string("{\"apiKey\":\"k\",\"baseUrl\":\"http://127.0.0.1:9/api/v2\"}"), &client));
    oreg_client_free(client);
    unguard_all();
}

static oreg_client *closed_client(const char *extra) {
    char options[1024];
    snprintf(options, sizeof options,
             "{\"apiKey\":\"abuse-key\",\"baseUrl\":\"%s\",\"retry\":{\"maxRetries\":0},"
             "\"timeouts\":{\"connectMs\":2000,\"requestMs\":5000,\"deadlineMs\":10000}%s}",
             closed_port, extra ? extra : "");
    oreg_client *client = NULL;
    EXPECT(OREG_OK, oreg_client_new(options, &client));
    return client;
}

static void test_client_schema(void) {
    oreg_client *client = closed_client(NULL);
    if (client == NULL) return;
    char *out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(NULL, "create", &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(NULL, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, "create", NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, "", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, "cre\xff", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, "create ", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_schema(client, guard_string("delete"), &out));
    out = (char *)scratch;
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_schema(client, guard_string("create"), &out));
    CHECK(out == NULL);
    oreg_client_free(client);
    unguard_all();
}

static void test_client_validate(void) {
    oreg_client *client = closed_client(NULL);
    if (client == NULL) return;
    char *report = (char *)scratch;
    const char *body = "{\"email\":\"a@b.nl\"}";
    size_t length = strlen(body);
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(NULL, "create", body, length, &report));
    CHECK(report == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(NULL, NULL, NULL, 0, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(client, NULL, body, length, &report));
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(client, "\xc3(", body, length, &report));
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(client, "create", NULL, 3, &report));
    EXPECT(OREG_ERR_JSON, oreg_client_validate(client, "create", NULL, 0, &report));
    const char *small = guard("{}", 2);
    EXPECT(OREG_ERR_MISUSE, oreg_client_validate(client, "create", small, SIZE_MAX, &report));
    EXPECT(OREG_ERR_LIMIT, oreg_client_validate(client, "create", small, SIZE_MAX / 2, &report));
    EXPECT(OREG_ERR_LIMIT, oreg_client_validate(client, "create", small, (64u << 20) + 1, NULL));
    EXPECT(OREG_ERR_JSON, oreg_client_validate(client, "create", body, length - 1, &report));
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++)
        EXPECT(OREG_ERR_JSON, oreg_client_validate(client, "create", known_bad_utf8[i], strlen(known_bad_utf8[i]), &report));
    for (size_t i = 0; i < COUNT(truncated); i++)
        EXPECT(OREG_ERR_JSON, oreg_client_validate(client, "create", guard(truncated[i], strlen(truncated[i])), strlen(truncated[i]), NULL));
    CHECK(report == NULL);
    /* Well-formed: the schema must be fetched first, and nothing listens. */
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_validate(client, "create", guard(body, length), length, &report));
    CHECK(report == NULL);
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_validate(client, "create", body, length, NULL));
    oreg_client_free(client);
    unguard_all();
}

static void test_client_submit(void) {
    oreg_client *client = closed_client(NULL);
    if (client == NULL) return;
    char *out = (char *)scratch;
    const char *body = "[{\"email\":\"a@b.nl\",\"firstName\":\"A\",\"lastName\":\"B\",\"privacyConsent\":true}]";
    size_t length = strlen(body);
    const char *no_validation = "{\"validate\":false,\"idempotencyKey\":\"abuse-1\"}";
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(NULL, "candidates.create", NULL, body, length, NULL, &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(NULL, NULL, NULL, NULL, 0, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, NULL, NULL, body, length, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "", NULL, body, length, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create\xff", NULL, body, length, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.archive", "rec\xff", NULL, 0, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.archive", NULL, NULL, 0, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.archive", "", NULL, 0, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", "rec1", body, length, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, NULL, 5, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, NULL, 0, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, SIZE_MAX, NULL, &out));
    EXPECT(OREG_ERR_JSON, oreg_client_submit(client, "candidates.create", NULL, body, length - 1, no_validation, &out));
    EXPECT(OREG_ERR_JSON, oreg_client_submit(client, "candidates.create", NULL, "[{\"email\":\"\xff\"}]", 15, no_validation, &out));
    for (size_t i = 0; i < COUNT(truncated); i++)
        EXPECT(OREG_ERR_JSON, oreg_client_submit(client, "candidates.create", NULL, guard(truncated[i], strlen(truncated[i])),
                                                 strlen(truncated[i]), no_validation, &out));
    /* Options: not JSON, invalid UTF-8, wrong shapes. */
    EXPECT(OREG_ERR_JSON, oreg_client_submit(client, "candidates.create", NULL, body, length, "", &out));
    EXPECT(OREG_ERR_JSON, oreg_client_submit(client, "candidates.create", NULL, body, length, "{\"idempotencyKey\":\"\xff\"}", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, "[]", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, "{\"idempotencyKey\":7}", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, "{\"idempotencyKey\":\"a\\u0001b\"}", &out));
    char long_key[400];
    snprintf(long_key, sizeof long_key, "{\"idempotencyKey\":\"%0256d\"}", 0);
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, long_key, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, "{\"callbackUrl\":\"javascript:x\"}", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_submit(client, "candidates.create", NULL, body, length, "{\"validate\":\"no\"}", &out));
    CHECK(out == NULL);
    /* At the guard page, body, target and options: nothing listens, so a transport failure. */
    out = (char *)scratch;
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_submit(client, guard_string("candidates.create"), NULL, guard(body, length), length,
                                                  guard_string(no_validation), &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_submit(client, "candidates.archive", guard_string("rec/../../x?y#z"), NULL, 0, NULL, NULL));
    oreg_client_free(client);
    unguard_all();
}

static void test_client_get(void) {
    oreg_client *client = closed_client(NULL);
    if (client == NULL) return;
    char *out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(NULL, "/candidates", &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(NULL, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/candidates", NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "candidates", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/cand idates", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/candidates\r\nx-api-key: stolen", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/candidates\x7f", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/candidates\xff", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "/candidates#frag", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_get(client, "//evil.example/x", &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_TRANSPORT, oreg_client_get(client, guard_string("/candidates?pageSize=5"), &out));
    CHECK(out == NULL);
    /* A very long path: refused or attempted, never a crash. */
    size_t long_length = 1 << 20;
    char *long_path = malloc(long_length + 1);
    if (long_path != NULL) {
        long_path[0] = '/';
        memset(long_path + 1, 'a', long_length - 1);
        long_path[long_length] = '\0';
        int status = oreg_client_get(client, guard_string(long_path), &out);
        CHECK(status == OREG_ERR_MISUSE || status == OREG_ERR_LIMIT || status == OREG_ERR_TRANSPORT);
        CHECK(out == NULL);
        free(long_path);
    }
    oreg_client_free(client);
    unguard_all();
}

static char outbox_path[PATH_MAX + 64];

static void test_client_outbox_functions(void) {
    /* Without an outbox: every outbox function is misuse, whatever else is wrong. */
    oreg_client *plain = closed_client(NULL);
    if (plain == NULL) return;
    char *out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(NULL, 1, NULL, &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(NULL, 0, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(plain, 10, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(plain, 10, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox(NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox(NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox(plain, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox(plain, NULL));
    const char *callback = "{\"mutationId\":\"mut_1\",\"status\":\"succeeded\"}";
    size_t callback_length = strlen(callback);
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(NULL, callback, callback_length, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(NULL, NULL, 0, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(plain, callback, callback_length, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(plain, NULL, 9, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(plain, callback, SIZE_MAX, &out));
    CHECK(out == NULL);
    oreg_client_free(plain);

    /* With an outbox. */
    char extra[PATH_MAX + 128];
    snprintf(extra, sizeof extra, ",\"outbox\":{\"path\":\"%s\"}", outbox_path);
    oreg_client *client = closed_client(extra);
    if (client == NULL) return;
    const char *body = "[{\"email\":\"a@b.nl\",\"firstName\":\"A\",\"lastName\":\"B\",\"privacyConsent\":true}]";
    out = NULL;
    EXPECT(OREG_QUEUED, oreg_client_submit(client, "candidates.create", NULL, guard(body, strlen(body)), strlen(body),
                                           "{\"validate\":false,\"idempotencyKey\":\"abuse-queued\"}", &out));
    CHECK(contains(out, "\"queued\":true"));
    oreg_free(out);
    out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, 0, NULL, &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, -1, NULL, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, INT_MIN, NULL, &out));
    EXPECT(OREG_ERR_JSON, oreg_client_flush(client, 1, "", &out));
    EXPECT(OREG_ERR_JSON, oreg_client_flush(client, 1, "{\"\xff\":true}", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, 1, "[]", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, 1, "{\"ignoreBackoff\":1}", &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_flush(client, 1, "{\"colour\":true}", &out));
    CHECK(out == NULL);
    EXPECT(OREG_OK, oreg_client_flush(client, INT_MAX, guard_string("{\"ignoreBackoff\":true}"), &out));
    CHECK(contains(out, "\"requeued\":1"));
    oreg_free(out);
    EXPECT(OREG_OK, oreg_client_flush(client, 1, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox(client, NULL));
    out = NULL;
    EXPECT(OREG_OK, oreg_client_outbox(client, &out));
    CHECK(contains(out, "abuse-queued"));
    oreg_free(out);
    out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(client, NULL, 9, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(client, callback, SIZE_MAX, &out));
    EXPECT(OREG_ERR_JSON, oreg_client_outbox_callback(client, NULL, 0, &out));
    EXPECT(OREG_ERR_JSON, oreg_client_outbox_callback(client, callback, callback_length - 1, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(client, "{}", 2, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(client, "[]", 2, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_client_outbox_callback(client, "{\"mutationId\":1,\"status\":2}", 27, &out));
    for (size_t i = 0; i < COUNT(known_bad_utf8); i++)
        EXPECT(OREG_ERR_JSON, oreg_client_outbox_callback(client, known_bad_utf8[i], strlen(known_bad_utf8[i]), &out));
    for (size_t i = 0; i < COUNT(truncated); i++)
        EXPECT(OREG_ERR_JSON, oreg_client_outbox_callback(client, guard(truncated[i], strlen(truncated[i])), strlen(truncated[i]), &out));
    CHECK(out == NULL);
    EXPECT(OREG_OK, oreg_client_outbox_callback(client, guard(callback, callback_length), callback_length, &out));
    CHECK(contains(out, "\"matched\":false"));
    oreg_free(out);
    const char *ours = "{\"idempotencyKey\":\"abuse-queued\",\"status\":\"failed\"}";
    EXPECT(OREG_OK, oreg_client_outbox_callback(client, guard(ours, strlen(ours)), strlen(ours), NULL));
    oreg_client_free(client);
    unguard_all();
}

static void test_verifier_new(void) {
    oreg_verifier *verifier = (oreg_verifier *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new(NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new(NULL, &verifier));
    CHECK(verifier == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"]}", NULL));
    EXPECT(OREG_ERR_JSON, oreg_verifier_new("", &verifier));
    EXPECT(OREG_ERR_JSON, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-\xff\"]}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("[]", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[]}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":\"abuse-signing-secret-0123456789\"}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"0123456789abcde\"]}", &verifier));   /* 15 bytes */
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[null]}", &verifier));
    char many[2048] = "{\"secrets\":[";
    for (int i = 0; i < 17; i++) strcat(many, i ? ",\"abuse-signing-secret-0123456789\"" : "\"abuse-signing-secret-0123456789\"");
    strcat(many, "]}");
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new(many, &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"toleranceSeconds\":0}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"toleranceSeconds\":86401}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"toleranceSeconds\":-9223372036854775808}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"toleranceSeconds\":1e400}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"replayStore\":7}", &verifier));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"replayStore\":{\"maxEntries\":0}}", &verifier));
    EXPECT(OREG_ERR_IO, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"],"
                                          "\"replayStore\":{\"path\":\"/nonexistent-dir/x/replay.db\"}}", &verifier));
    CHECK(verifier == NULL);
    EXPECT(OREG_OK, oreg_verifier_new(guard_string("{\"secrets\":[\"abuse-signing-secret-0123456789\"],\"replayStore\":false}"), &verifier));
    oreg_verifier_free(verifier);
    unguard_all();
}

static void test_callback_sign(void) {
    const char *body = "{\"status\":\"succeeded\"}";
    size_t length = strlen(body);
    const char *ts = "1800000000", *nonce = "abuse-nonce-0123456789";
    char *out = (char *)scratch;
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(NULL, "/hook", body, length, ts, nonce, &out));
    CHECK(out == NULL);
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(NULL, NULL, NULL, 0, NULL, NULL, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "/hook", body, length, ts, nonce, NULL));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign("", "/hook", body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign("0123456789abcde", "/hook", body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign("abuse-signing-secret-\xff\xfe", "/hook", body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, NULL, body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "", body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "hook", body, length, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "/hook", NULL, 3, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "/hook", body, SIZE_MAX, ts, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "/hook", body, length, NULL, nonce, &out));
    EXPECT(OREG_ERR_MISUSE, oreg_callback_sign(secret, "/hook", body, length, ts, NULL, &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, "", nonce, &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, "-1", nonce, &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, "99999999999999999999", nonce, &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, "18\xff", nonce, &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, ts, "short", &out));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_callback_sign(secret, "/hook", body, length, ts, "abuse-nonce-\xff\xff\xff\xff\xff\xff", &out));
    CHECK(out == NULL);
    /* The body need not be terminated; the empty body and NULL with 0 sign alike. */
    char *a = NULL, *b = NULL, *c = NULL;
    EXPECT(OREG_OK, oreg_callback_sign(guard_string(secret), guard_string("/hook?x=1"), guard(body, length), length,
                                       guard_string(ts), guard_string(nonce), &a));
    EXPECT(OREG_OK, oreg_callback_sign(secret, "/hook?x=1", body, length, ts, nonce, &b));
    CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
    oreg_free(a);
    oreg_free(b);
    a = b = NULL;
    EXPECT(OREG_OK, oreg_callback_sign(secret, "/hook", NULL, 0, ts, nonce, &a));
    EXPECT(OREG_OK, oreg_callback_sign(secret, "/hook", guard("", 0), 0, ts, nonce, &b));
    EXPECT(OREG_OK, oreg_callback_sign(secret, "/hook", "ignored", 0, ts, nonce, &c));
    CHECK(a != NULL && b != NULL && c != NULL && strcmp(a, b) == 0 && strcmp(a, c) == 0);
    oreg_free(a);
    oreg_free(b);
    oreg_free(c);
    unguard_all();
}

static void test_verifier_verify(void) {
    oreg_verifier *verifier = NULL;
    EXPECT(OREG_OK, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"]}", &verifier));
    if (verifier == NULL) return;
    const char *body = "{\"status\":\"succeeded\"}";
    size_t length = strlen(body);
    const char *ts = "1800000000", *nonce = "abuse-verify-0123456789", *path = "/hook?x=1";
    const int64_t now = 1800000000;
    char *signature = NULL;
    EXPECT(OREG_OK, oreg_callback_sign(secret, path, body, length, ts, nonce, &signature));
    if (signature == NULL) { oreg_verifier_free(verifier); return; }

    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(NULL, path, body, length, ts, nonce, signature, now));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(NULL, NULL, NULL, 0, NULL, NULL, NULL, 0));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(verifier, NULL, body, length, ts, nonce, signature, now));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(verifier, "", body, length, ts, nonce, signature, now));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(verifier, "hook?x=1", body, length, ts, nonce, signature, now));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(verifier, path, NULL, 4, ts, nonce, signature, now));
    EXPECT(OREG_ERR_MISUSE, oreg_verifier_verify(verifier, path, body, SIZE_MAX, ts, nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MISSING, oreg_verifier_verify(verifier, path, body, length, NULL, nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MISSING, oreg_verifier_verify(verifier, path, body, length, ts, NULL, signature, now));
    EXPECT(OREG_ERR_HEADER_MISSING, oreg_verifier_verify(verifier, path, body, length, ts, nonce, NULL, now));
    EXPECT(OREG_ERR_HEADER_MISSING, oreg_verifier_verify(verifier, path, body, length, "", "", "", now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, "abc", nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, "-1800000000", nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, "99999999999999999999", nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, "1800000000\xff", nonce, signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, "short", signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, "abuse verify 0123456789", signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, "abuse-verify-\xc3\xa9-0123456789", signature, now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, nonce, "v1=abc", now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, nonce, "v2=!!!!", now));
    EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, nonce, "v2=\xff\xfe", now));
    EXPECT(OREG_ERR_SIGNATURE, oreg_verifier_verify(verifier, path, body, length, ts, nonce,
                                                    "v2=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", now));
    /* A signature header over 8 KiB is refused unread. */
    size_t huge = 64 * 1024;
    char *big = malloc(huge + 1);
    if (big != NULL) {
        for (size_t i = 0; i < huge; i += 48) {
            size_t n = huge - i < 48 ? huge - i : 48;
            memcpy(big + i, "v2=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ", n);
        }
        big[huge] = '\0';
        EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, nonce, guard_string(big), now));
        memset(big, '1', huge);
        EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, guard_string(big), nonce, signature, now));
        memset(big, 'n', huge);
        EXPECT(OREG_ERR_HEADER_MALFORMED, oreg_verifier_verify(verifier, path, body, length, ts, guard_string(big), signature, now));
        free(big);
    }
    /* Clocks at the ends of int64: no overflow, just too old / too new. */
    EXPECT(OREG_ERR_TOO_OLD, oreg_verifier_verify(verifier, path, body, length, ts, nonce, signature, INT64_MAX));
    EXPECT(OREG_ERR_TOO_NEW, oreg_verifier_verify(verifier, path, body, length, ts, nonce, signature, INT64_MIN));
    EXPECT(OREG_ERR_TOO_NEW, oreg_verifier_verify(verifier, path, body, length, ts, nonce, signature, -1));
    char *max_signature = NULL;
    EXPECT(OREG_OK, oreg_callback_sign(secret, path, body, length, "9223372036854775807", nonce, &max_signature));
    if (max_signature != NULL) {
        EXPECT(OREG_ERR_TOO_NEW, oreg_verifier_verify(verifier, path, body, length, "9223372036854775807", nonce, max_signature, INT64_MIN));
        EXPECT(OREG_ERR_TOO_NEW, oreg_verifier_verify(verifier, path, body, length, "9223372036854775807", nonce, max_signature, 1));
        oreg_free(max_signature);
    }
    int status = oreg_verifier_verify(verifier, path, body, length, "9223372036854775808", nonce, signature, now);
    CHECK(status == OREG_ERR_HEADER_MALFORMED);
    /* Everything at guard pages, then genuine, then replayed. */
    EXPECT(OREG_ERR_SIGNATURE, oreg_verifier_verify(verifier, path, guard(body, length - 1), length - 1, ts, nonce, signature, now));
    EXPECT(OREG_OK, oreg_verifier_verify(verifier, guard_string(path), guard(body, length), length, guard_string(ts),
                                         guard_string(nonce), guard_string(signature), now));
    EXPECT(OREG_ERR_REPLAYED, oreg_verifier_verify(verifier, path, body, length, ts, nonce, signature, now));
    oreg_free(signature);
    oreg_verifier_free(verifier);
    unguard_all();
}

/* ---- absurd body lengths with a small real buffer ------------------------------------------
   The functions whose body is not parsed first (it is copied or hashed) must still refuse a
   length no buffer of the caller can have: SIZE_MAX / 2 and 64 MiB + 1 given with a 2-byte
   buffer before a guard page. Each call runs in a forked child: a crash is a library bug. */

static void test_absurd_length_client_submit(void) {
    oreg_client *client = closed_client(NULL);
    if (client == NULL) return;
    const char *no_validation = "{\"validate\":false,\"idempotencyKey\":\"abuse-2\"}";
    const char *small = guard("[{}]", 4);
    char *out = NULL;
    CHECK_ISOLATED(REFUSED(status), oreg_client_submit(client, "candidates.create", NULL, small, SIZE_MAX / 2, no_validation, &out));
    CHECK_ISOLATED(REFUSED(status), oreg_client_submit(client, "candidates.create", NULL, small, (64u << 20) + 1, no_validation, &out));
    CHECK_ISOLATED(REFUSED(status), oreg_client_submit(client, "candidates.create", NULL, small, SIZE_MAX / 2, NULL, NULL));
    oreg_client_free(client);
    unguard_all();
}

static void test_absurd_length_client_outbox_callback(void) {
    oreg_client *plain = closed_client(NULL);
    char extra[PATH_MAX + 128];
    snprintf(extra, sizeof extra, ",\"outbox\":{\"path\":\"%s\"}", outbox_path);
    oreg_client *client = closed_client(extra);
    const char *small = guard("{}", 2);
    char *out = NULL;
    if (plain != NULL) CHECK_ISOLATED(REFUSED(status), oreg_client_outbox_callback(plain, small, SIZE_MAX / 2, &out));
    if (client != NULL) {
        CHECK_ISOLATED(REFUSED(status), oreg_client_outbox_callback(client, small, SIZE_MAX / 2, &out));
        CHECK_ISOLATED(REFUSED(status), oreg_client_outbox_callback(client, small, (64u << 20) + 1, NULL));
    }
    oreg_client_free(plain);
    oreg_client_free(client);
    unguard_all();
}

static void test_absurd_length_callback_sign(void) {
    const char *small = guard("{}", 2);
    char *out = NULL;
    CHECK_ISOLATED(REFUSED(status), oreg_callback_sign(secret, "/hook", small, SIZE_MAX / 2, "1800000000", "abuse-nonce-0123456789", &out));
    CHECK_ISOLATED(REFUSED(status), oreg_callback_sign(secret, "/hook", small, (64u << 20) + 1, "1800000000", "abuse-nonce-0123456789", &out));
    unguard_all();
}

static void test_absurd_length_verifier_verify(void) {
    oreg_verifier *verifier = NULL;
    EXPECT(OREG_OK, oreg_verifier_new("{\"secrets\":[\"abuse-signing-secret-0123456789\"]}", &verifier));
    char *signature = NULL;
    EXPECT(OREG_OK, oreg_callback_sign(secret, "/hook", "{}", 2, "1800000000", "abuse-nonce-0123456789", &signature));
    if (verifier != NULL && signature != NULL) {
        const char *small = guard("{}", 2);
        CHECK_ISOLATED(REFUSED(status), oreg_verifier_verify(verifier, "/hook", small, SIZE_MAX / 2, "1800000000",
                                                             "abuse-nonce-0123456789", signature, 1800000000));
        CHECK_ISOLATED(REFUSED(status), oreg_verifier_verify(verifier, "/hook", small, (64u << 20) + 1, "1800000000",
                                                             "abuse-nonce-0123456789", signature, 1800000000));
    }
    oreg_free(signature);
    oreg_verifier_free(verifier);
    unguard_all();
}

/* Failures on one thread never show up in another's last error, and the text stays valid JSON. */
static void *abuse_on_thread(void *argument) {
    (void)argument;
    for (int i = 0; i < 200; i++) {
        if (oreg_json_check("[1,]", 4) != OREG_ERR_JSON) return NULL;
        const char *error = oreg_last_error();
        if (!contains(error, "\"offset\":3") || oreg_json_check(error, strlen(error)) != OREG_OK) return NULL;
        char *out = NULL;
        if (oreg_json_canonicalize(NULL, 9, &out) != OREG_ERR_MISUSE || out != NULL) return NULL;
        if (!contains(oreg_last_error(), "OREG_ERR_MISUSE")) return NULL;
    }
    return (void *)"ok";
}

static void test_errors_on_many_threads(void) {
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, abuse_on_thread, NULL) == 0);
    for (int i = 0; i < 4; i++) {
        void *result = NULL;
        CHECK(pthread_join(threads[i], &result) == 0);
        CHECK(result != NULL);
    }
}

int main(int argc, char **argv) {
    char directory[PATH_MAX];
    if (argc > 1) {
        snprintf(directory, sizeof directory, "%s", argv[1]);
        mkdir(directory, 0700);
    } else {
        snprintf(directory, sizeof directory, "/tmp/oreg-abuse-XXXXXX");
        if (mkdtemp(directory) == NULL) { perror("mkdtemp"); return 2; }
    }
    snprintf(outbox_path, sizeof outbox_path, "%s/outbox-%ld.db", directory, (long)getpid());
    unlink(outbox_path);

    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    RUN(test_static_functions);
    RUN(test_release_null_and_after_failures);
    RUN(test_json_check);
    RUN(test_json_canonicalize);
    RUN(test_schema_compile);
    RUN(test_schema_validate);
    RUN(test_client_new);
    RUN(test_client_schema);
    RUN(test_client_validate);
    RUN(test_client_submit);
    RUN(test_client_get);
    RUN(test_client_outbox_functions);
    RUN(test_verifier_new);
    RUN(test_callback_sign);
    RUN(test_verifier_verify);
    RUN(test_errors_on_many_threads);
    RUN(test_absurd_length_client_submit);
    RUN(test_absurd_length_client_outbox_callback);
    RUN(test_absurd_length_callback_sign);
    RUN(test_absurd_length_verifier_verify);
    unlink(outbox_path);
    return SUMMARY("c-abuse");
}
