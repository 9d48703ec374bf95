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
 *     contain NUL. A NULL pointer with length 0 is the empty input.
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
 *   OREG_ERR_INTERNAL  a bug in the library; please report it with oreg_last_error().
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
 *                  "language"         "en" (the only language so far)
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

#ifndef OREG_FFI_CDEF
#ifdef __cplusplus
}
#endif
#endif

#endif /* ONDERWIJSREGIO_H */
