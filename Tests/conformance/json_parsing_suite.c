/* Feeds every file of the JSON parsing test suite (json-test-suite/test_parsing) to the
   library's parser through the C ABI: y_ files must be accepted, n_ files rejected; i_ files
   (implementation-defined) are reported, not judged.
   Usage: json_parsing_suite CONFORMANCE_DIR */
#include <onderwijsregio.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t capacity = 4096, used = 0;
    char *data = malloc(capacity);
    while (data != NULL) {
        used += fread(data + used, 1, capacity - used, file);
        if (used < capacity) break;
        capacity *= 2;
        char *grown = realloc(data, capacity);
        if (grown == NULL) { free(data); data = NULL; }
        else data = grown;
    }
    fclose(file);
    *length = used;
    return data;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONFORMANCE_DIR\n", argv[0]);
        return 2;
    }
    char directory[4096];
    snprintf(directory, sizeof directory, "%s/json-test-suite/test_parsing", argv[1]);
    DIR *dir = opendir(directory);
    if (dir == NULL) {
        fprintf(stderr, "cannot open %s (set ONDERWIJSREGIO_CONFORMANCE)\n", directory);
        return 2;
    }
    char *names[2048];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 2048) {
        if (entry->d_name[0] == '.') continue;
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);

    int y_total = 0, y_ok = 0, n_total = 0, n_ok = 0, i_accepted = 0, i_rejected = 0, unreadable = 0;
    for (size_t i = 0; i < count; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", directory, names[i]);
        size_t length = 0;
        char *data = read_file(path, &length);
        if (data == NULL) {
            printf("unreadable: %s\n", names[i]);
            unreadable++;
            free(names[i]);
            continue;
        }
        int accepted = oreg_json_check(data, length) == OREG_OK;
        switch (names[i][0]) {
        case 'y':
            y_total++;
            if (accepted) y_ok++;
            else printf("FAIL rejected %s: %s\n", names[i], oreg_last_error());
            break;
        case 'n':
            n_total++;
            if (!accepted) n_ok++;
            else printf("FAIL accepted %s\n", names[i]);
            break;
        default:
            if (accepted) i_accepted++;
            else i_rejected++;
            printf("info %s %s\n", accepted ? "accepted" : "rejected", names[i]);
        }
        free(data);
        free(names[i]);
    }
    printf("json-test-suite test_parsing: y_ %d/%d accepted, n_ %d/%d rejected, i_ %d accepted %d rejected\n",
           y_ok, y_total, n_ok, n_total, i_accepted, i_rejected);
    int passed = y_ok + n_ok;
    int failed = (y_total - y_ok) + (n_total - n_ok) + unreadable;
    if (y_total + n_total == 0) failed++;
    printf("json-test-suite: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
