/*
 * validate_payload.c - validates candidate payloads against a region's JSON Schema, offline.
 *
 * Usage:
 *   validate_payload [-l nl|en] SCHEMA_FILE PAYLOAD_FILE...
 *
 * Prints "valid" or the field errors of each payload, in Dutch with -l nl. Exit status: 0 when
 * every payload is valid, 1 when one is not, 2 when something else went wrong (unreadable
 * file, not JSON, a schema that does not compile).
 *
 * The schema is compiled once and reused: compiling checks the whole schema, validating is
 * then a matter of microseconds per payload. (With an API client, oreg_client_validate()
 * fetches and caches the region's schema itself.)
 *
 * Build: cc validate_payload.c $(pkg-config --cflags --libs onderwijsregio)
 */
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; JSON may contain any byte, so its length is returned separately. */
static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t capacity = 4096, used = 0;
    char *data = malloc(capacity);
    while (data != NULL) {
        used += fread(data + used, 1, capacity - used, file);
        if (used < capacity) break;
        char *grown = realloc(data, capacity *= 2);
        if (grown == NULL) free(data);
        data = grown;
    }
    fclose(file);
    *length = used;
    return data;
}

/* Prints each error of a report as "location  message". The report is the library's compact
   JSON; a real program would hand it to its JSON library. This scan only looks for the two
   string members it prints and relies on the library escaping quotes inside them. */
static void print_errors(const char *report) {
    const char *cursor = report;
    while ((cursor = strstr(cursor, "\"instanceLocation\":\"")) != NULL) {
        cursor += strlen("\"instanceLocation\":\"");
        const char *end = strchr(cursor, '"');
        const char *message = strstr(cursor, "\"message\":\"");
        if (end == NULL || message == NULL) return;
        message += strlen("\"message\":\"");
        const char *message_end = message;
        while (*message_end != '\0' && !(*message_end == '"' && message_end[-1] != '\\')) message_end++;
        if (end == cursor) {
            printf("    %-24s %.*s\n", "(payload)", (int)(message_end - message), message);
        } else {
            printf("    %-24.*s %.*s\n", (int)(end - cursor), cursor, (int)(message_end - message), message);
        }
        cursor = message_end;
    }
}

int main(int argc, char **argv) {
    const char *language = "en";
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-l") == 0) {
        language = argv[2];
        first = 3;
    }
    if (argc - first < 2) {
        fprintf(stderr, "usage: %s [-l nl|en] SCHEMA_FILE PAYLOAD_FILE...\n", argv[0]);
        return 2;
    }

    size_t length = 0;
    char *text = read_file(argv[first], &length);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[first]);
        return 2;
    }
    char options[64];
    snprintf(options, sizeof options, "{\"language\":\"%s\"}", strcmp(language, "nl") == 0 ? "nl" : "en");
    oreg_schema *schema = NULL;
    int status = oreg_schema_compile(text, length, options, &schema);
    free(text);
    if (status != OREG_OK) {
        fprintf(stderr, "%s: %s\n", argv[first], oreg_last_error());
        return 2;
    }

    int result = 0;
    for (int i = first + 1; i < argc; i++) {
        char *payload = read_file(argv[i], &length);
        if (payload == NULL) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            result = 2;
            continue;
        }
        char *report = NULL;
        status = oreg_schema_validate(schema, payload, length, &report);
        free(payload);
        if (status == OREG_OK) {
            printf("%s: valid\n", argv[i]);
        } else if (status == OREG_INVALID) {
            printf("%s: not valid\n", argv[i]);
            print_errors(report);
            if (result == 0) result = 1;
        } else {
            printf("%s: %s %s\n", argv[i], oreg_status_name(status), oreg_last_error());
            result = 2;
        }
        oreg_free(report);
    }
    oreg_schema_free(schema);
    return result;
}
