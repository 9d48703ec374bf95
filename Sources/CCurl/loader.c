#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The soname of libcurl 4, the ABI every libcurl since 7.16 keeps. */
static const char library_name[] = "libcurl.so.4";

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
} api;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded;

static int resolve(void *library, void **slot, const char *name) {
    *slot = dlsym(library, name);
    if (*slot != NULL) return 1;
    snprintf(load_error, sizeof load_error, "%s has no %s (libcurl 7.85 or later is needed)", library_name, name);
    return 0;
}

static void load(void) {
    void *library = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load %s (install libcurl4): %s", library_name,
                 reason != NULL ? reason : "unknown reason");
        return;
    }
    if (!resolve(library, (void **)&api.global_init, "curl_global_init") ||
        !resolve(library, (void **)&api.easy_init, "curl_easy_init") ||
        !resolve(library, (void **)&api.easy_cleanup, "curl_easy_cleanup") ||
        !resolve(library, (void **)&api.easy_perform, "curl_easy_perform") ||
        !resolve(library, (void **)&api.easy_strerror, "curl_easy_strerror") ||
        !resolve(library, (void **)&api.easy_setopt, "curl_easy_setopt") ||
        !resolve(library, (void **)&api.easy_getinfo, "curl_easy_getinfo")) {
        return;   /* the library stays mapped: harmless, and dlclose of libcurl is not safe anyway */
    }
    /* libcurl counts global initialisations, so a host that initialised it too is unaffected. */
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return;
    }
    loaded = 1;
}

const char *onderwijsregio_curl_load(void) {
    pthread_once(&load_once, load);
    return loaded ? NULL : load_error;
}

/* Every wrapper is reached only after onderwijsregio_curl_load() succeeded (a transport is made
   only then); the checks keep a wrong order from becoming a crash. */
CURL *onderwijsregio_curl_easy_init(void) { return loaded ? api.easy_init() : NULL; }
void onderwijsregio_curl_easy_cleanup(CURL *handle) { if (loaded && handle != NULL) api.easy_cleanup(handle); }
CURLcode onderwijsregio_curl_easy_perform(CURL *handle) { return loaded ? api.easy_perform(handle) : CURLE_FAILED_INIT; }
const char *onderwijsregio_curl_easy_strerror(CURLcode code) { return loaded ? api.easy_strerror(code) : "libcurl is not loaded"; }

CURLcode onderwijsregio_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return loaded ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode onderwijsregio_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value) {
    return loaded ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode onderwijsregio_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return loaded ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode onderwijsregio_curl_setopt_callback(CURL *handle, CURLoption option, onderwijsregio_curl_data_callback callback) {
    return loaded ? api.easy_setopt(handle, option, callback) : CURLE_FAILED_INIT;
}
CURLcode onderwijsregio_curl_setopt_prereq(CURL *handle, onderwijsregio_curl_prereq_callback callback) {
    return loaded ? api.easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback) : CURLE_FAILED_INIT;
}
CURLcode onderwijsregio_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return loaded ? api.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
