/*
 * onderwijsregio.h - the C interface of libonderwijsregio.
 *
 * libonderwijsregio is a client library for the Onderwijsregio API v2: the shared applicant
 * tracking system of the Dutch education regions. This header declares what the library
 * implements today; every declaration is documented right above itself.
 *
 * Conventions, for every function in this header:
 *
 *   - Names start with oreg_ (functions, types) or OREG_ (macros, constants).
 *   - A function that can fail returns an int status: OREG_OK (0) on success, a negative
 *     OREG_ERR_* code on failure. Results are written through out-parameters, which come
 *     last. An out-parameter is set to NULL first thing, so after a failure it never holds
 *     a stale or dangling pointer.
 *   - On failure, oreg_last_error() describes what went wrong on the calling thread.
 *   - Inputs are (pointer, length) pairs: the bytes need not be NUL-terminated and may
 *     contain NUL. A NULL pointer with length 0 is the empty input. No input may be longer
 *     than 64 MiB: a larger length is OREG_ERR_LIMIT before a single byte is read.
 *   - Buffers the library returns are allocated by it and released with oreg_free(), never
 *     with another allocator's free.
 *   - No input can crash the library: bad arguments, malformed JSON, invalid UTF-8, deep
 *     nesting and oversized documents all come back as statuses.
 *   - Messages never contain the API key or the signing secret.
 *
 * Thread safety: every function in this header may be called from any thread at any time.
 */
#ifndef ONDERWIJSREGIO_H
#define ONDERWIJSREGIO_H

/* PHP's FFI reads this header after `cc -E -P -DOREG_FFI_CDEF`; it has no preprocessor and
   knows size_t and int64_t itself, so includes and the C++ guard stay outside. */
#ifndef OREG_FFI_CDEF
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
#endif

/*
 * Version of this header. OREG_VERSION_NUMBER is major * 1000000 + minor * 1000 + patch.
 * Compare them with oreg_version() and oreg_version_number() to detect a header that does not
 * match the library loaded at run time.
 */
#ifndef OREG_FFI_CDEF
#define OREG_VERSION "0.1.0"
#define OREG_VERSION_MAJOR 0
#define OREG_VERSION_MINOR 1
#define OREG_VERSION_PATCH 0
#define OREG_VERSION_NUMBER 1000
#endif

/*
 * Status codes. Zero is success, negative values are failures. The numbers are stable: new
 * codes are added, existing ones never change.
 *
 *   OREG_OK            success.
 *   OREG_INVALID       (positive: not a failure of the call) the instance does not satisfy the
 *                      schema; the report says why. See oreg_schema_validate().
 *   OREG_ERR_MISUSE    the call itself was wrong: a required pointer was NULL, a length was
 *                      impossible. Fix the calling code.
 *   OREG_ERR_NOMEM     memory ran out.
 *   OREG_ERR_JSON      an input is not valid JSON (RFC 8259, strict). oreg_last_error() gives
 *                      the byte offset, line and column.
 *   OREG_ERR_LIMIT     an input exceeds a limit: larger than the maximum document size
 *                      (64 MiB) or nested deeper than the maximum depth (512).
 *   OREG_ERR_RANGE     a value is valid JSON but outside what the operation can represent,
 *                      such as a number beyond the IEEE 754 double range in
 *                      oreg_json_canonicalize().
 *   OREG_ERR_SCHEMA    a schema cannot be compiled: it is not a valid schema of its draft,
 *                      names an unknown $schema, holds an invalid regular expression, or has
 *                      a $ref that cannot be resolved. oreg_last_error() names the place.
 *   OREG_STALE         (positive: the call succeeded) the result is a cached copy served
 *                      because the service could not be reached; oreg_last_error() says why.
 *                      See oreg_client_schema().
 *   OREG_QUEUED        (positive: nothing is lost) the mutation could not be delivered and is
 *                      kept in the client's durable outbox, to be sent by oreg_client_flush().
 *   OREG_ERR_TRANSPORT the service could not be reached: connection refused or dropped, a
 *                      timeout, a TLS failure, a redirect (never followed), after the retries.
 *   OREG_ERR_HTTP      the service answered with an error status (4xx, or 5xx after the
 *                      retries); oreg_last_error() carries "httpStatus", the service's
 *                      "serviceMessage" and "issues".
 *   OREG_ERR_DEADLINE  the call's overall deadline ran out before an attempt succeeded.
 *   OREG_ERR_RESPONSE  the service answered 2xx with something the library cannot use: not
 *                      JSON, truncated, a 202 without a mutation, no schema.
 *   OREG_ERR_SANDBOX   sandbox mode is on, but the service answered from production data
 *                      (no "meta.sandboxEnabled": true on a /candidates route).
 *   OREG_ERR_IO        a local file could not be read or written (the schema cache directory,
 *                      the replay store).
 *   OREG_ERR_HEADER_MISSING    a callback lacks one of the x-mutationengine-* headers.
 *   OREG_ERR_HEADER_MALFORMED  a callback header is not in its format (timestamp not decimal
 *                      seconds, nonce not 16-128 of [A-Za-z0-9_-], no well-formed v2= entry,
 *                      a signature header over 8 KiB).
 *   OREG_ERR_SIGNATURE no signature entry matches any secret: forged or altered.
 *   OREG_ERR_TOO_OLD   the timestamp lies further in the past than the tolerance.
 *   OREG_ERR_TOO_NEW   the timestamp lies further in the future than the tolerance.
 *   OREG_ERR_REPLAYED  the nonce was accepted before: a replayed callback.
 *   OREG_ERR_INTERNAL  a bug in the library; please report it with oreg_last_error().
 *
 * Every failure of a mutation (oreg_client_submit) from the moment its idempotency key is
 * chosen carries "idempotencyKey" in oreg_last_error(): resubmitting with that key can never
 * apply the mutation twice. Argument errors found before (OREG_ERR_MISUSE, OREG_ERR_JSON,
 * OREG_ERR_LIMIT: nothing was sent) carry it only when the caller gave the key.
 */
enum oreg_status {
    OREG_OK = 0,
    OREG_INVALID = 1,
    OREG_ERR_MISUSE = -1,
    OREG_ERR_NOMEM = -2,
    OREG_ERR_JSON = -3,
    OREG_ERR_LIMIT = -4,
    OREG_ERR_RANGE = -5,
    OREG_ERR_SCHEMA = -6,
    OREG_STALE = 2,
    OREG_QUEUED = 3,
    OREG_ERR_TRANSPORT = -7,
    OREG_ERR_HTTP = -8,
    OREG_ERR_DEADLINE = -9,
    OREG_ERR_RESPONSE = -10,
    OREG_ERR_SANDBOX = -11,
    OREG_ERR_IO = -12,
    OREG_ERR_HEADER_MISSING = -13,
    OREG_ERR_HEADER_MALFORMED = -14,
    OREG_ERR_SIGNATURE = -15,
    OREG_ERR_TOO_OLD = -16,
    OREG_ERR_TOO_NEW = -17,
    OREG_ERR_REPLAYED = -18,
    OREG_ERR_INTERNAL = -99
};

/*
 * oreg_version - the library's version as text, for example "0.1.0".
 *
 * Returns a static string owned by the library: never free it. Never NULL.
 */
const char *oreg_version(void);

/*
 * oreg_version_number - the library's version as major * 1000000 + minor * 1000 + patch.
 */
int oreg_version_number(void);

/*
 * oreg_status_name - the name of a status code, for example "OREG_ERR_JSON".
 *
 * Returns a static string owned by the library: never free it. Never NULL: an unknown code
 * gives "OREG_UNKNOWN".
 */
const char *oreg_status_name(int status);

/*
 * oreg_last_error - describes the most recent failure on the calling thread.
 *
 * Returns a JSON object as a NUL-terminated UTF-8 string, always with the members
 *   "status"   the status code that was returned (number),
 *   "name"     its name (as oreg_status_name()),
 *   "message"  a sentence for humans (English),
 * and, depending on the failure, more members: "offset" (zero-based byte), "line" and
 * "column" (one-based; columns count bytes) for JSON input errors; "location" (a JSON Pointer
 * into the input) for values that could not be processed.
 *
 * Before any failure on this thread it returns {"status":0,"name":"OREG_OK","message":"no error"}.
 * Successful calls leave it unchanged.
 *
 * The string is owned by the library: do not free it. It stays valid until the next failing
 * call on the same thread, or until the thread exits; copy it to keep it longer. Each thread
 * has its own; reading it never blocks.
 */
const char *oreg_last_error(void);

/*
 * oreg_free - releases a buffer that this library returned through an out-parameter.
 *
 * NULL is allowed and does nothing. Passing anything else that did not come from this
 * library, or freeing a buffer twice, is undefined behaviour (as with free()).
 */
void oreg_free(void *pointer);

/*
 * oreg_json_check - tells whether a buffer holds one well-formed JSON document.
 *
 * The same strict parser and limits as every other function of the library (see
 * oreg_json_canonicalize), so a document that passes here is accepted everywhere. Useful to
 * refuse a malformed callback body or stored payload early, with a precise location.
 *
 * json, length   the document: UTF-8, need not be NUL-terminated.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE when json is NULL with a non-zero length; OREG_ERR_JSON
 * (with offset, line and column in oreg_last_error()) for input that is not JSON, including
 * the empty input; OREG_ERR_LIMIT beyond 64 MiB or 512 levels of nesting.
 */
int oreg_json_check(const char *json, size_t length);

/*
 * oreg_json_canonicalize - parses a JSON document and writes its RFC 8785 canonical form.
 *
 * The JSON Canonicalization Scheme gives one byte sequence per JSON value: object members
 * sorted by the UTF-16 code units of their names, no whitespace, numbers written as
 * ECMAScript writes the nearest IEEE 754 double (1.0 -> 1, 1e21 -> 1e+21), strings with
 * minimal escapes. Equal documents give equal bytes, so the result is fit for hashing and
 * signing.
 *
 * json, length   the document: UTF-8, need not be NUL-terminated. Parsed strictly
 *                (RFC 8259): no byte order mark, comments, trailing commas, NaN or lone
 *                surrogates. When a member name occurs twice the last value wins, as in
 *                JavaScript's JSON.parse.
 * out            receives a NUL-terminated string owned by the caller: release it with
 *                oreg_free(). Set to NULL on failure. Canonical JSON never contains a NUL
 *                byte (U+0000 is written as \u0000), so strlen() gives its length.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE when out is NULL, or json is NULL with a non-zero length;
 * OREG_ERR_JSON for input that is not JSON (including the empty input); OREG_ERR_LIMIT when
 * the input exceeds 64 MiB or nests deeper than 512 levels; OREG_ERR_RANGE for a number
 * beyond the double range (such as 1e400), which RFC 8785 cannot express.
 */
int oreg_json_canonicalize(const char *json, size_t length, char **out);

/*
 * A compiled JSON Schema. Opaque: created by oreg_schema_compile(), released by
 * oreg_schema_free(). Immutable once compiled, so one oreg_schema may be used by any number of
 * threads at the same time without locking.
 */
#ifndef OREG_ABI_CHECK
typedef struct oreg_schema oreg_schema;
#else
typedef void oreg_schema; /* the build's header check compares against Swift's untyped handles */
#endif

/*
 * oreg_schema_compile - compiles a JSON Schema for repeated validation.
 *
 * Supports drafts 2020-12, draft-07 and draft-04 (the targets Zod emits), chosen by the
 * schema's "$schema", else by the option "defaultDraft". Every keyword of those drafts is
 * implemented, including $ref/$dynamicRef, unevaluatedProperties/unevaluatedItems and exact
 * decimal arithmetic for multipleOf (0.3 is a multiple of 0.1). The schema is first checked
 * against its draft's metaschema (embedded: nothing is ever fetched), its regular expressions
 * are compiled (ECMA-262 syntax, PCRE2 with JIT) and its references resolved.
 *
 * json, length   the schema document (UTF-8 JSON; need not be NUL-terminated).
 * options_json   NULL for the defaults, or a NUL-terminated JSON object with any of:
 *                  "resources"        {"<uri>": <schema>, ...}  documents that $ref may
 *                                     name besides the schema itself (default none)
 *                  "formatAssertion"  true (default): "format" is checked, as the service
 *                                     does; false: annotation only (the 2020-12 default)
 *                  "defaultDraft"     "2020-12" (default) | "draft7" | "draft4"
 *                  "stopAtFirstError" false (default); true: reports hold one error
 *                  "validateSchema"   true (default): check the schema against its metaschema
 *                  "maxDepth"         nesting limit for validated documents (default 512,
 *                                     at most 10000)
 *                  "language"         "en" (default) or "nl": the language of the report's
 *                                     messages ("is missing the required property email" /
 *                                     "het verplichte veld email ontbreekt")
 *                An unknown option, or a known one with the wrong type, is OREG_ERR_MISUSE
 *                naming it.
 * out            receives the compiled schema, owned by the caller: release it with
 *                oreg_schema_free(). Set to NULL on failure.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (NULL out, bad options); OREG_ERR_JSON (the schema or the
 * options are not JSON); OREG_ERR_LIMIT (too large or too deep); OREG_ERR_SCHEMA (not a valid
 * schema: oreg_last_error() has "message" and, where known, "location", a JSON Pointer into
 * the schema).
 */
int oreg_schema_compile(const char *json, size_t length, const char *options_json, oreg_schema **out);

/*
 * oreg_schema_validate - validates a JSON document against a compiled schema.
 *
 * schema         from oreg_schema_compile(); may be shared by threads.
 * json, length   the instance (UTF-8 JSON; need not be NUL-terminated), parsed with the
 *                library's strict parser (duplicate member names: the last one wins).
 * out_report     may be NULL when only the verdict matters: validation then stops at the
 *                first error, the fastest way to an answer. Otherwise set to NULL when the
 *                instance is valid, and when it is not, to a NUL-terminated JSON report owned
 *                by the caller (release it with oreg_free()):
 *                  {"valid":false,"errors":[{"instanceLocation":"/email",
 *                    "keywordLocation":"/properties/email/pattern",
 *                    "keyword":"pattern","message":"must match the pattern ^...$"}, ...]}
 *                Locations are JSON Pointers. "absoluteKeywordLocation" (a URI) is added when
 *                the path crossed a $ref. anyOf, oneOf and not fail as one error at their own
 *                keyword, with their branches' errors nested under "errors"; every other
 *                keyword's errors are listed directly.
 *
 * Valid instances are checked on a fast path that builds no report.
 *
 * Returns OREG_OK (valid); OREG_INVALID (not valid; the report says why); OREG_ERR_MISUSE
 * (NULL schema, or NULL json with a non-zero length); OREG_ERR_JSON (the instance is not
 * JSON); OREG_ERR_LIMIT (the instance is too large or too deep, or validation had to stop: a
 * pattern exceeded its backtracking limit, or a cyclic $ref never consumed the instance).
 */
int oreg_schema_validate(const oreg_schema *schema, const char *json, size_t length, char **out_report);

/*
 * oreg_schema_free - releases a compiled schema. NULL is allowed and does nothing. The schema
 * must not be in use by another thread, and must not be used afterwards.
 */
void oreg_schema_free(oreg_schema *schema);

/*
 * A client of one region's API: its base URL, API key, sandbox flag, retry policy, one
 * libcurl connection (kept alive between calls) and the region's schema, fetched once and
 * cached. Opaque: created by oreg_client_new(), released by oreg_client_free().
 *
 * Thread safety: one client may be shared by any number of threads. Calls on it are safe at
 * the same time; their HTTP exchanges take turns on the client's one connection (a waiting
 * retry does not hold it). Threads that must send in parallel use a client each.
 */
#ifndef OREG_ABI_CHECK
typedef struct oreg_client oreg_client;
#else
typedef void oreg_client;
#endif

/*
 * oreg_client_new - creates a client from a JSON object of options.
 *
 * options_json   a NUL-terminated JSON object. Only "apiKey" is required:
 *   "baseUrl"      "https://onderwijsregio.onderwijsin.nl/api/v2" (default). http:// is
 *                  accepted for loopback hosts only (127.0.0.0/8, ::1, localhost), unless
 *                  "allowInsecureHttp" is true: the API key must not cross a network in clear.
 *   "apiKey"       the region's API key (sent as x-api-key). Never written anywhere else.
 *   "sandbox"      false (default); true: every request carries x-api-sandbox: true, and an
 *                  answer from /candidates without "meta.sandboxEnabled": true is refused with
 *                  OREG_ERR_SANDBOX.
 *   "timeouts"     {"connectMs": 10000, "requestMs": 30000, "deadlineMs": 120000}: connecting,
 *                  one whole attempt, and one whole call including every retry and wait.
 *   "retry"        {"maxRetries": 3, "baseDelayMs": 500, "maxDelayMs": 8000,
 *                  "maxRetryAfterSeconds": 60, "jitterSeed": <integer>}: attempt n waits
 *                  min(maxDelayMs, baseDelayMs * 2^(n-1)) times a random factor in [0.5, 1],
 *                  or the service's Retry-After. A Retry-After longer than
 *                  maxRetryAfterSeconds ends the retries (the error says how long the service
 *                  asked to wait). jitterSeed makes the factors repeatable (tests only).
 *   "schemaCache"  {"dir": "/var/cache/onderwijsregio", "ttlSeconds": 3600}: without "dir" the
 *                  schema is cached in the client's memory only; with it, also in that
 *                  directory, shared by every process using it (files 0600, written
 *                  atomically, named by a hash of base URL, sandbox flag, operation and a
 *                  SHA-256 of the API key; never the key). After the TTL the copy is
 *                  revalidated (If-None-Match when the service gave an ETag). When the
 *                  service cannot be reached, an expired copy is still served: OREG_STALE.
 *   "caBundle"     path of a PEM file of trusted CAs (default: the system's). Peer and host
 *                  verification cannot be turned off.
 *   "userAgentSuffix"  appended to "libonderwijsregio/<version>" (bindings name themselves).
 *   "maxResponseBytes" 33554432 (32 MiB, default): larger answers fail with OREG_ERR_LIMIT.
 *   "maxRequestBytes"  33554432 (32 MiB, default): larger bodies fail with OREG_ERR_LIMIT.
 *   "allowInsecureHttp" false (default), see baseUrl.
 *   "language"     "en" (default) or "nl": the language of validation reports' messages.
 *   "outbox"       {"path": "/var/lib/site/onderwijsregio-outbox.db", "leaseSeconds": N}: keep
 *                  mutations that cannot be delivered in this SQLite file (see
 *                  oreg_client_flush). The file may be shared by every process of the site;
 *                  entries are filed under the region (base URL, sandbox flag, API key hash)
 *                  and only ever sent by a client of the same region. leaseSeconds (default:
 *                  deadlineMs / 1000 + 60) is how long a flusher's claim on an entry lasts.
 *                Proxies come from the usual environment variables (https_proxy, no_proxy, ...).
 *                An unknown option, or a known one with a wrong type or value, is
 *                OREG_ERR_MISUSE naming it.
 * out            receives the client, owned by the caller: release it with oreg_client_free().
 *                Set to NULL on failure.
 *
 * No network traffic happens here. Returns OREG_OK; OREG_ERR_MISUSE (NULL arguments, bad
 * options); OREG_ERR_JSON (options not JSON); OREG_ERR_IO (the cache directory is not a
 * writable directory; the outbox cannot be opened, was written by a newer library version, or
 * is damaged: a damaged or foreign file is renamed to <path>.corrupt-<time>-<random>, never
 * deleted, and the message says where); OREG_ERR_NOMEM.
 */
int oreg_client_new(const char *options_json, oreg_client **out);

/*
 * oreg_client_schema - the region's JSON Schema for an operation (GET /schema).
 *
 * client         from oreg_client_new().
 * operation      "create" (required fields enforced) or "update" (every field optional).
 * out_schema_json receives the schema as NUL-terminated JSON (the bare schema, without the
 *                response envelope), owned by the caller: release it with oreg_free().
 *
 * Served from the client's memory, then the cache directory, then the service, in that
 * order (see "schemaCache" in oreg_client_new). The first call for a region can take seconds.
 *
 * Returns OREG_OK; OREG_STALE (the service could not be reached and an expired cached copy
 * was returned: oreg_last_error() says what failed); OREG_ERR_MISUSE; OREG_ERR_TRANSPORT,
 * OREG_ERR_HTTP, OREG_ERR_DEADLINE (no copy at all and the service failed);
 * OREG_ERR_RESPONSE (the answer holds no schema); OREG_ERR_SCHEMA (the service's schema
 * does not compile).
 */
int oreg_client_schema(oreg_client *client, const char *operation, char **out_schema_json);

/*
 * oreg_client_validate - validates a payload against the region's schema, as
 * oreg_client_submit() does before it sends anything.
 *
 * operation      "create" or "update" (one candidate payload), or a mutation name of
 *                oreg_client_submit(), which validates that mutation's whole body: for
 *                "candidates.create" an array of 1 to 10 create payloads (error locations
 *                start with the index), for "interactions.create" an array of interactions,
 *                for "attachments.add" {"field": ..., "files": [...]}, each against its part
 *                of the create schema.
 * json, length   the payload (UTF-8 JSON).
 * out_report     as in oreg_schema_validate(): NULL for the verdict only; else NULL when
 *                valid, a report owned by the caller (oreg_free()) when not.
 *
 * Fetches the schema first when the client has none (see oreg_client_schema). Returns
 * OREG_OK (valid); OREG_INVALID (the report says why); OREG_ERR_MISUSE (unknown operation,
 * or one whose body has no schema part, such as "candidates.delete"); OREG_ERR_JSON;
 * OREG_ERR_LIMIT; and the failures of oreg_client_schema().
 */
int oreg_client_validate(oreg_client *client, const char *operation, const char *json, size_t length,
                         char **out_report);

/*
 * oreg_client_submit - submits one mutation to the Mutation Engine, exactly once.
 *
 * mutation       one of
 *                  "candidates.create"    POST /candidates              body: [1..10 payloads]
 *                  "candidates.upsert"    POST /candidates/upsert       body: one payload
 *                  "candidates.update"    PATCH /candidates/{id}        body: fields to change
 *                  "candidates.archive"   POST /candidates/{id}/archive no body
 *                  "candidates.delete"    DELETE /candidates/{id}       no body
 *                  "interactions.create"  POST /candidates/{id}/interactions   body: [...]
 *                  "interactions.update"  PATCH /candidates/{id}/interactions/{sub}
 *                  "interactions.delete"  DELETE /candidates/{id}/interactions/{sub}
 *                  "attachments.add"      POST /candidates/{id}/attachments    body: {...}
 *                  "attachments.delete"   DELETE /candidates/{id}/attachments/{sub}
 * target_id      NULL for candidates.create and candidates.upsert; the candidate id for the
 *                others; "candidateId/subId" for the three that name an interaction or an
 *                attachment. Ids are percent-encoded into the path.
 * body_json, length  the body (UTF-8 JSON), or NULL with length 0 for the mutations that
 *                take none. At most "maxRequestBytes".
 * options_json   NULL, or a NUL-terminated JSON object with any of
 *                  "idempotencyKey"  the key to use (1-255 printable ASCII characters): give
 *                                    the key of an earlier failure to retry it safely.
 *                                    "content" derives the key from a SHA-256 of the
 *                                    mutation, target and RFC 8785 canonical body, so the
 *                                    same form submitted twice is applied once. Default: a
 *                                    random UUID (v4).
 *                  "callbackUrl"     where the engine POSTs the signed result: https, or
 *                                    http to a loopback host (for tests).
 *                  "validate"        true (default): validate the body against the region's
 *                                    schema first (see oreg_client_validate) and send
 *                                    nothing when it is invalid.
 * out_result     on OREG_OK receives a NUL-terminated JSON object owned by the caller
 *                (oreg_free()):
 *                  {"httpStatus":202,"mutationId":"mut_...","idempotencyKey":"...",
 *                   "operation":"candidate.create","mutationStatus":"queued",
 *                   "replayed":false,"requestId":"...","attempts":1,"data":{...},"meta":{...}}
 *                "replayed" is true when the service had already accepted this key (an
 *                earlier attempt got through). On OREG_INVALID it receives the validation
 *                report instead. Otherwise NULL.
 *
 * The idempotency key is chosen before the first attempt and sent with every retry
 * (connection failures, timeouts, 408, 429, 500, 502, 503, 504; never other 4xx), so a
 * mutation reaches the service at most once however often it is retried.
 *
 * With an outbox (option "outbox"), a mutation that cannot be delivered (the service
 * unreachable, a timeout, 408/429/5xx after the retries, the deadline, a lost answer; also when
 * the schema for validation cannot be fetched) is stored there with its key and OREG_QUEUED is
 * returned, *out_result then being {"queued":true,"outboxId":N,"idempotencyKey":"...",
 * "attempts":N,"lastError":{...}}. Validation failures and other 4xx are never queued. When the
 * outbox itself cannot store it (disk full) the original error is returned, saying so.
 *
 * Returns OREG_OK (202: valid and queued, not yet applied; the result arrives at the
 * callbackUrl); OREG_QUEUED (kept in the outbox); OREG_INVALID (the body does not match the schema; nothing was sent);
 * OREG_ERR_MISUSE (unknown mutation, missing or superfluous target or body, bad options,
 * callbackUrl not allowed); OREG_ERR_JSON; OREG_ERR_LIMIT; OREG_ERR_HTTP (for example 401,
 * 404, 409 when the key was used with another body, 422 with the service's "issues");
 * OREG_ERR_TRANSPORT; OREG_ERR_DEADLINE; OREG_ERR_RESPONSE; OREG_ERR_SANDBOX. On every
 * failure after the key was chosen (and on argument errors when the caller gave the key)
 * oreg_last_error() holds "idempotencyKey", "attempts", "retryable" (true when
 * resubmitting with the same key may succeed) and, when the service answered, "httpStatus",
 * "requestId", "serviceMessage", "error", "issues" (or "body", its first 4 KiB, when the
 * answer was not JSON) and "retryAfterSeconds".
 */
int oreg_client_submit(oreg_client *client, const char *mutation, const char *target_id,
                       const char *body_json, size_t length, const char *options_json, char **out_result);

/*
 * oreg_client_get - performs a read (GET) relative to the base URL.
 *
 * path_and_query  for example "/candidates?pageSize=50", "/candidates/rec123",
 *                 "/candidates/find?email=jan%40example.nl", "/candidates/rec123/interactions".
 *                 Must start with "/", hold no spaces, control characters or "#", and be
 *                 percent-encoded by the caller.
 * out_response    on OREG_OK receives a NUL-terminated JSON object owned by the caller
 *                 (oreg_free()):
 *                   {"httpStatus":200,"requestId":"...","attempts":1,"data":...,"meta":{...},
 *                    "cursor":"..." | null}
 *                 "cursor" is meta.cursor: pass it as &cursor= to get the next page; null on
 *                 the last page.
 *
 * Reads are retried like mutations. Returns OREG_OK; OREG_ERR_MISUSE; OREG_ERR_HTTP (404
 * for an unknown id, ...); OREG_ERR_TRANSPORT; OREG_ERR_DEADLINE; OREG_ERR_RESPONSE;
 * OREG_ERR_SANDBOX; OREG_ERR_LIMIT (answer larger than "maxResponseBytes").
 */
int oreg_client_get(oreg_client *client, const char *path_and_query, char **out_response);

/*
 * oreg_client_flush - sends mutations kept in the outbox, oldest first, each with its original
 * idempotency key (so an entry the service already took is not applied twice).
 *
 * max            how many entries to send at most in this call (>= 1).
 * options_json   NULL, or {"ignoreBackoff": true} to send entries still waiting for their next
 *                attempt (failed entries wait 30 s, doubling up to an hour).
 * out_report     receives (caller frees with oreg_free(); may be NULL)
 *                  {"delivered":N,"requeued":N,"dead":N,"remaining":N,
 *                   "entries":[{"id":…,"idempotencyKey":"…","mutation":"…","outcome":
 *                   "delivered"|"requeued"|"dead","mutationId":"…","error":"…"}]}
 *
 * Each entry is tried at most once per call. Safe when many processes flush the same file at once (PHP-FPM workers, cron): each entry is
 * claimed by one flusher. An entry whose flusher died (its process is gone, or its claim's
 * lease ran out) is claimed again. An entry the service refuses for good (4xx) becomes "dead",
 * kept with the answer for inspection and never sent again.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (no outbox configured, max < 1, bad options);
 * OREG_ERR_IO (the outbox file failed).
 */
int oreg_client_flush(oreg_client *client, int max, const char *options_json, char **out_report);

/*
 * oreg_client_outbox - the outbox's state, for monitoring: per state ("queued", "sending",
 * "delivered", "dead", "completed", "failed") the count and the oldest entries:
 *   {"path":"…","states":{"queued":{"count":2,"oldest":[{"id":1,"mutation":"…","targetId":…,
 *    "idempotencyKey":"…","createdAt":…,"attempts":…,"nextAttemptAt":…,"lastError":"…",
 *    "mutationId":…,"answer":…}]},…}}
 * Only this client's region is shown. out_json: caller frees with oreg_free().
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (no outbox, NULL out_json); OREG_ERR_IO.
 */
int oreg_client_outbox(oreg_client *client, char **out_json);

/*
 * oreg_client_outbox_callback - records a received (and verified!) callback in the outbox:
 * the entry of its mutation (matched by mutationId, else by idempotencyKey) becomes
 * "completed" or "failed", so the outbox also tells which submissions finished.
 *
 * body, length   the callback's raw body.
 * out_result     receives {"matched":true|false,"id":N|null,"state":"completed"|"failed"|null}
 *                (caller frees with oreg_free(); may be NULL). A callback of a mutation that
 *                was delivered directly (never queued) matches nothing.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (no outbox; a body without mutationId/idempotencyKey or
 * status); OREG_ERR_JSON; OREG_ERR_IO.
 */
int oreg_client_outbox_callback(oreg_client *client, const char *body, size_t length, char **out_result);

/*
 * oreg_client_free - closes the client's connection and releases it; the copy of the API key
 * it held is overwritten first. NULL is allowed and does nothing. No other thread may be
 * using the client, and it must not be used afterwards.
 */
void oreg_client_free(oreg_client *client);

/*
 * A verifier of the Mutation Engine's signed callbacks: the region's signing secrets, the
 * tolerance window and a replay store. Opaque: created by oreg_verifier_new(), released by
 * oreg_verifier_free(). May be shared by any number of threads.
 *
 * What is signed (api-contract.md section 8): the x-mutationengine-timestamp value, the
 * x-mutationengine-nonce value, the request target (path and query) and the raw body, joined
 * by line feeds, under HMAC-SHA256; the x-mutationengine-signature header carries one or more
 * space-separated "v2=<base64>" entries.
 *
 * VERIFY THE BYTES AS RECEIVED. The body must be the raw request body, never a decoded and
 * re-encoded copy (PHP: file_get_contents('php://input'), not json_encode($_POST); Python WSGI:
 * environ['wsgi.input'].read(int(environ['CONTENT_LENGTH'])), ASGI: await request.body()). The
 * target must be the request line's path and query exactly as sent, undecoded (PHP:
 * $_SERVER['REQUEST_URI']; WSGI: RAW_URI or REQUEST_URI where the server provides it, else
 * quote(PATH_INFO) plus '?' + QUERY_STRING). Anything re-serialised will not verify.
 */
#ifndef OREG_ABI_CHECK
typedef struct oreg_verifier oreg_verifier;
#else
typedef void oreg_verifier;
#endif

/*
 * oreg_verifier_new - creates a callback verifier.
 *
 * options_json   a NUL-terminated JSON object:
 *   "secrets"          ["…", …] 1 to 16 signing secrets, each at least 16 bytes (UTF-8 bytes
 *                      of the string are the HMAC key). Several: key rotation, any may match.
 *   "toleranceSeconds" 300 (default, 1 to 86400): how far the timestamp may lie from the clock,
 *                      in either direction.
 *   "replayStore"      where accepted nonces are remembered for twice the tolerance:
 *                      absent: in this verifier's memory (one process);
 *                      {"path": "/var/lib/site/oreg-replay.db"}: an SQLite file shared by
 *                      every process on the host (use this under PHP-FPM; created 0600; a
 *                      corrupt file is moved aside as <path>.corrupt-<time> and recreated);
 *                      "maxEntries" (default 100000) bounds either, oldest dropped first;
 *                      false: no replay protection (only if the caller dedupes by nonce).
 * out            receives the verifier, owned by the caller (oreg_verifier_free()); NULL on
 *                failure.
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (a secret shorter than 16 bytes, no secrets, an unknown
 * option, NULL arguments); OREG_ERR_JSON; OREG_ERR_IO (the replay store cannot be opened).
 * Messages never contain a secret.
 */
int oreg_verifier_new(const char *options_json, oreg_verifier **out);

/*
 * oreg_verifier_verify - verifies one received callback.
 *
 * verifier        from oreg_verifier_new(); may be shared by threads.
 * path_and_query  the request target as received, NUL-terminated, starting with "/"
 *                 ("/hooks/onderwijsregio?site=3"). Not a full URL.
 * body, length    the raw body bytes as received (may contain NUL; NULL with 0 is empty).
 * timestamp, nonce, signature  the values of the x-mutationengine-timestamp, -nonce and
 *                 -signature headers, NUL-terminated; NULL or "" when the header is absent.
 * now             the current Unix time in seconds, or 0 for the system clock (tests pass a
 *                 fixed clock).
 *
 * Checks, in this order: all three headers present; their formats; the signature (every v2=
 * entry against every secret, compared in constant time over the decoded bytes; malformed or
 * other-version entries are skipped, not fatal); the timestamp window (|now - timestamp| <=
 * tolerance); the nonce against the replay store (recorded only when everything else passed).
 * The work is bounded: headers over 8 KiB are refused unread.
 *
 * Returns OREG_OK (genuine and fresh: act on it); OREG_ERR_HEADER_MISSING;
 * OREG_ERR_HEADER_MALFORMED; OREG_ERR_SIGNATURE; OREG_ERR_TOO_OLD; OREG_ERR_TOO_NEW;
 * OREG_ERR_REPLAYED (answer 2xx anyway: the first delivery was processed); OREG_ERR_MISUSE
 * (NULL verifier or path_and_query, a path that does not start with "/"); OREG_ERR_IO (the
 * replay store failed: refuse the callback, the engine delivers it again later).
 * oreg_last_error() explains which check failed, without echoing any secret.
 */
int oreg_verifier_verify(oreg_verifier *verifier, const char *path_and_query, const char *body, size_t length,
                         const char *timestamp, const char *nonce, const char *signature, int64_t now);

/*
 * oreg_verifier_free - releases a verifier (and closes its replay store file). NULL is allowed
 * and does nothing. No other thread may be using it.
 */
void oreg_verifier_free(oreg_verifier *verifier);

/*
 * oreg_callback_sign - computes the x-mutationengine-signature value the engine would send,
 * for testing callback endpoints.
 *
 * secret          the signing secret, at least 16 bytes.
 * path_and_query, body, length, timestamp, nonce  as in oreg_verifier_verify(); the same
 *                 format rules apply to timestamp and nonce.
 * out_header_value receives "v2=<base64>", NUL-terminated, owned by the caller (oreg_free()).
 *
 * Returns OREG_OK; OREG_ERR_MISUSE (NULL arguments, short secret, bad path);
 * OREG_ERR_HEADER_MALFORMED (timestamp or nonce not in their formats).
 */
int oreg_callback_sign(const char *secret, const char *path_and_query, const char *body, size_t length,
                       const char *timestamp, const char *nonce, char **out_header_value);

#ifndef OREG_FFI_CDEF
#ifdef __cplusplus
}
#endif
#endif

#endif /* ONDERWIJSREGIO_H */
