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
 *   OREG_ERR_INTERNAL  a bug in the library; please report it with oreg_last_error().
 */
enum oreg_status {
    OREG_OK = 0,
    OREG_ERR_MISUSE = -1,
    OREG_ERR_NOMEM = -2,
    OREG_ERR_JSON = -3,
    OREG_ERR_LIMIT = -4,
    OREG_ERR_RANGE = -5,
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

#ifndef OREG_FFI_CDEF
#ifdef __cplusplus
}
#endif
#endif

#endif /* ONDERWIJSREGIO_H */
