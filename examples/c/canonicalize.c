/* Reads a JSON document on standard input and prints its RFC 8785 canonical form, or the
   library's description of what is wrong with it.

     cc canonicalize.c $(pkg-config --cflags --libs onderwijsregio) -o canonicalize
     echo '{"b": 1.0, "a": [1e21]}' | ./canonicalize      ->  {"a":[1e+21],"b":1}
*/
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t length = 0, capacity = 1 << 16;
    char *input = malloc(capacity);
    size_t got;
    while (input != NULL && (got = fread(input + length, 1, capacity - length, stdin)) > 0) {
        length += got;
        if (length == capacity) {
            char *grown = realloc(input, capacity *= 2);
            if (grown == NULL) free(input);
            input = grown;
        }
    }
    if (input == NULL) {
        fputs("out of memory\n", stderr);
        return 2;
    }
    char *canonical = NULL;
    int status = oreg_json_canonicalize(input, length, &canonical);
    free(input);
    if (status != OREG_OK) {
        fprintf(stderr, "%s\n", oreg_last_error());
        return 1;
    }
    puts(canonical);
    oreg_free(canonical);
    return 0;
}
