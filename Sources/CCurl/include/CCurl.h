#ifndef ONDERWIJSREGIO_CCURL_H
#define ONDERWIJSREGIO_CCURL_H
/* libcurl, loaded on first use. Loading libcurl and the dozens of libraries it depends on (TLS,
   HTTP/2, SSH, LDAP, IDN, ...) costs milliseconds, which a PHP request that only validates or
   verifies a callback should not pay. So the library does not link libcurl: the first client
   dlopen()s it and these wrappers call through the loaded functions. curl_easy_setopt and
   curl_easy_getinfo are variadic, which Swift cannot call: the wrappers are typed.
   Names avoid the oreg_ prefix, which the library's version script exports. */
#include <curl/curl.h>

typedef size_t (*onderwijsregio_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*onderwijsregio_curl_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port, int local_port);

/* Loads libcurl and runs curl_global_init once per process. NULL when it is ready, otherwise a
   static description of what failed (every later call gets the same answer). */
const char *onderwijsregio_curl_load(void);

CURL *onderwijsregio_curl_easy_init(void);
void onderwijsregio_curl_easy_cleanup(CURL *handle);
CURLcode onderwijsregio_curl_easy_perform(CURL *handle);
const char *onderwijsregio_curl_easy_strerror(CURLcode code);
CURLcode onderwijsregio_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode onderwijsregio_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value);
CURLcode onderwijsregio_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode onderwijsregio_curl_setopt_callback(CURL *handle, CURLoption option, onderwijsregio_curl_data_callback callback);
CURLcode onderwijsregio_curl_setopt_prereq(CURL *handle, onderwijsregio_curl_prereq_callback callback);
CURLcode onderwijsregio_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
#endif
