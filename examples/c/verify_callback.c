/*
 * verify_callback.c - checks that a callback really comes from the Mutation Engine.
 *
 * A callback endpoint is a public URL: anyone can POST to it. Before acting on a callback,
 * verify it with the region's signing secret, over the bytes exactly as they arrived.
 *
 * Usage:
 *   ONDERWIJSREGIO_SIGNING_SECRET=... verify_callback PATH_AND_QUERY BODY_FILE TIMESTAMP NONCE SIGNATURE
 *
 *   PATH_AND_QUERY  the request target as received, e.g. "/hooks/onderwijsregio?site=3"
 *   BODY_FILE       a file holding the raw request body, byte for byte
 *   TIMESTAMP, NONCE, SIGNATURE  the x-mutationengine-timestamp, -nonce and -signature headers
 *
 * It verifies the callback, then shows what an attacker would get: the same callback with one
 * body byte changed, and the genuine callback sent a second time (a replay).
 * Exit status: 0 when the genuine callback verified, 1 when it did not, 2 on a usage error.
 *
 * Build: cc verify_callback.c $(pkg-config --cflags --libs onderwijsregio)
 */
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; the body may contain any byte, so its length is returned separately. */
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

static int verify(oreg_verifier *verifier, const char *what, const char *path, const char *body, size_t length,
                  const char *timestamp, const char *nonce, const char *signature) {
    /* now = 0: the system clock. The signature, the time window and the nonce are all checked. */
    int status = oreg_verifier_verify(verifier, path, body, length, timestamp, nonce, signature, 0);
    if (status == OREG_OK) {
        printf("  %-32s genuine (OREG_OK)\n", what);
    } else {
        printf("  %-32s refused: %s\n  %-32s %s\n", what, oreg_status_name(status), "", oreg_last_error());
    }
    return status;
}

int main(int argc, char **argv) {
    const char *secret = getenv("ONDERWIJSREGIO_SIGNING_SECRET");
    if (argc != 6 || secret == NULL) {
        fprintf(stderr, "usage: ONDERWIJSREGIO_SIGNING_SECRET=... %s PATH_AND_QUERY BODY_FILE TIMESTAMP NONCE SIGNATURE\n",
                argv[0]);
        return 2;
    }
    const char *path = argv[1], *timestamp = argv[3], *nonce = argv[4], *signature = argv[5];
    size_t length = 0;
    char *body = read_file(argv[2], &length);
    if (body == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 2;
    }

    /* The secret goes in through the options JSON. A real site builds this with its JSON
       library; the demo's secret has no characters that need escaping. */
    char options[512];
    snprintf(options, sizeof options, "{\"secrets\":[\"%s\"],\"toleranceSeconds\":300}", secret);
    oreg_verifier *verifier = NULL;
    if (oreg_verifier_new(options, &verifier) != OREG_OK) {
        fprintf(stderr, "oreg_verifier_new: %s\n", oreg_last_error());
        free(body);
        return 2;
    }

    int genuine = verify(verifier, "the callback as received:", path, body, length, timestamp, nonce, signature);

    if (length > 0) {
        body[length / 2] ^= 0x01;   /* an attacker changes one bit of the body */
        verify(verifier, "with one body bit flipped:", path, body, length, timestamp, nonce, signature);
        body[length / 2] ^= 0x01;
    }
    verify(verifier, "the same callback again:", path, body, length, timestamp, nonce, signature);

    oreg_verifier_free(verifier);
    free(body);
    return genuine == OREG_OK ? 0 : 1;
}
