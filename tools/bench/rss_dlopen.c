/*
 * rss_dlopen.c - resident memory that loading libonderwijsregio adds to a process.
 *
 *   oreg-rss-dlopen LIBRARY [SCHEMA PAYLOAD] [SMAPS_BEFORE SMAPS_AFTER]
 *
 * Links against libc (and libdl) only. Reads /proc/self/statm (resident pages) before
 * dlopen(LIBRARY, RTLD_NOW), after it, and, given SCHEMA and PAYLOAD, after a first use
 * (oreg_schema_compile of SCHEMA and one oreg_schema_validate of PAYLOAD, through dlsym).
 * Prints "rss<TAB>before_kB<TAB>after_dlopen_kB<TAB>after_use_kB" (after_use -1 without a use).
 * With SMAPS_BEFORE and SMAPS_AFTER, copies /proc/self/smaps there before dlopen and after the
 * use, so that coldstart.py can say which mappings (the library, its dependencies) hold the pages.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = -1;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void copy_smaps(const char *to) {
    FILE *in = fopen("/proc/self/smaps", "r"), *out = fopen(to, "w");
    char buf[65536];
    size_t n;
    if (in && out)
        while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    if (in) fclose(in);
    if (out) fclose(out);
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = buf ? fread(buf, 1, (size_t)len, f) : 0;
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4 && argc != 6) {
        fprintf(stderr, "usage: oreg-rss-dlopen LIBRARY [SCHEMA PAYLOAD] [SMAPS_BEFORE SMAPS_AFTER]\n");
        return 2;
    }
    size_t schema_n = 0, payload_n = 0;
    char *schema = argc >= 4 ? slurp(argv[2], &schema_n) : NULL;
    char *payload = argc >= 4 ? slurp(argv[3], &payload_n) : NULL;
    if (argc >= 4 && (!schema || !payload)) { fprintf(stderr, "oreg-rss-dlopen: cannot read the inputs\n"); return 1; }
    if (argc == 6) copy_smaps(argv[4]);
    long before = rss_kb();
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "oreg-rss-dlopen: %s\n", dlerror()); return 1; }
    long after = rss_kb(), used = -1;
    if (argc >= 4) {
        int (*compile)(const char *, size_t, const char *, void **) =
            (int (*)(const char *, size_t, const char *, void **))dlsym(lib, "oreg_schema_compile");
        int (*validate)(const void *, const char *, size_t, char **) =
            (int (*)(const void *, const char *, size_t, char **))dlsym(lib, "oreg_schema_validate");
        void *s = NULL;
        if (!compile || !validate || compile(schema, schema_n, NULL, &s) != 0 || validate(s, payload, payload_n, NULL) != 0) {
            fprintf(stderr, "oreg-rss-dlopen: the first use failed\n");
            return 1;
        }
        used = rss_kb();
    }
    if (argc == 6) copy_smaps(argv[5]);
    printf("rss\t%ld\t%ld\t%ld\n", before, after, used);
    return 0;
}
