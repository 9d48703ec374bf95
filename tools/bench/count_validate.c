/*
 * count_validate.c - calls oreg_schema_validate a fixed number of times, for counting the
 * instructions one validation takes (tools/bench/count_instructions.sh runs it under callgrind).
 *
 *   oreg-count-validate SCHEMA PAYLOAD all|verdict CALLS
 *
 * One untimed call comes first, so one-time work (lazy metadata, the first regex match data)
 * is not counted against the rest; callgrind then counts CALLS + 1 calls of oreg_schema_validate.
 * Exit status 0, or 1 when a file cannot be read or the schema does not compile.
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    char *data = NULL;
    if (fseek(file, 0, SEEK_END) == 0) {
        long size = ftell(file);
        if (size >= 0 && fseek(file, 0, SEEK_SET) == 0 && (data = malloc((size_t)size + 1))) {
            *length = fread(data, 1, (size_t)size, file);
        }
    }
    fclose(file);
    return data;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s SCHEMA PAYLOAD all|verdict CALLS\n", argv[0]);
        return 1;
    }
    size_t schema_length = 0, payload_length = 0;
    char *schema_text = read_file(argv[1], &schema_length);
    char *payload = read_file(argv[2], &payload_length);
    int with_report = strcmp(argv[3], "all") == 0;
    long calls = atol(argv[4]);
    oreg_schema *schema = NULL;
    if (!schema_text || !payload || oreg_schema_compile(schema_text, schema_length, NULL, &schema) != OREG_OK) {
        fprintf(stderr, "count_validate: cannot read the files or compile the schema\n");
        return 1;
    }
    int status = 0;
    for (long i = 0; i <= calls; i++) {
        char *report = NULL;
        status = oreg_schema_validate(schema, payload, payload_length, with_report ? &report : NULL);
        oreg_free(report);
    }
    printf("%s\n", status == OREG_OK ? "valid" : status == OREG_INVALID ? "invalid" : "error");
    oreg_schema_free(schema);
    free(schema_text);
    free(payload);
    return 0;
}
