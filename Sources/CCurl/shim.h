#ifndef OREG_CCURL_SHIM_H
#define OREG_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
   These typed wrappers are the only way the core reaches them. */
typedef size_t (*oreg_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*oreg_curl_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port, int local_port);

static inline CURLcode oreg_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode oreg_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode oreg_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode oreg_curl_setopt_prereq(CURL *h, oreg_curl_prereq_callback f) { return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, f); }
static inline CURLcode oreg_curl_setopt_callback(CURL *h, CURLoption o, oreg_curl_data_callback f) { return curl_easy_setopt(h, o, f); }
/* CURL_GLOBAL_DEFAULT is a macro expression Swift does not import. */
static inline CURLcode oreg_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
static inline CURLcode oreg_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
#endif
