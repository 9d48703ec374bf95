/*
 * bench_verify_libcrypto.c - the floor for bench_verify.c: contract section 8 verified by hand in
 * C with libcrypto (OpenSSL 3), no library, for reference.
 *
 *   oreg-bench-verify-libcrypto [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -s SECRET -p PATH_AND_QUERY
 *                               -T TIMESTAMP BODY_FILE
 *
 * One timed call (variant 'pure', no replay store) does what oreg_verifier_verify does on its
 * success path, with the same HMAC setup: timestamp digits and window (fixed now), nonce
 * alphabet and length, the signature header split on spaces, each "v2=" entry base64-decoded
 * (EVP_DecodeBlock, padding checked), HMAC-SHA256 over timestamp \n nonce \n path \n body by
 * duplicating an EVP_MAC context keyed once (EVP_MAC_CTX_dup, seven EVP_MAC_update, final), and
 * CRYPTO_memcmp against every entry. What it leaves out: the library's argument checks, its
 * UTF-8 validation of the header strings and its error messages.
 *
 * The signature it verifies is made with oreg_callback_sign (so both sides agree on the
 * string to sign); correctness is checked first as in bench_verify.c. Output: the lines of
 * bench_verify.c, impl "libcrypto".
 */
#define _POSIX_C_SOURCE 200809L
#include <onderwijsregio.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

struct ctx {
    EVP_MAC_CTX *keyed;
    const char *path, *timestamp;
    int64_t now, tolerance;
};

static int verify(const struct ctx *c, const char *body, size_t length, const char *nonce, const char *signature) {
    /* Timestamp: digits only, at most 19, inside the window. */
    size_t tn = strlen(c->timestamp);
    if (tn == 0 || tn > 19 || strspn(c->timestamp, "0123456789") != tn) return -14;
    int64_t sent = strtoll(c->timestamp, NULL, 10);
    /* Nonce: 16 to 128 of [A-Za-z0-9_-]. */
    size_t nn = strlen(nonce);
    if (nn < 16 || nn > 128 ||
        strspn(nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != nn) return -14;
    /* The MAC. */
    EVP_MAC_CTX *m = EVP_MAC_CTX_dup(c->keyed);
    if (!m) return -2;
    size_t pn = strlen(c->path);
    EVP_MAC_update(m, (const unsigned char *)c->timestamp, tn);
    EVP_MAC_update(m, (const unsigned char *)"\n", 1);
    EVP_MAC_update(m, (const unsigned char *)nonce, nn);
    EVP_MAC_update(m, (const unsigned char *)"\n", 1);
    EVP_MAC_update(m, (const unsigned char *)c->path, pn);
    EVP_MAC_update(m, (const unsigned char *)"\n", 1);
    EVP_MAC_update(m, (const unsigned char *)body, length);
    unsigned char mac[32];
    size_t mac_len = 0;
    int ok = EVP_MAC_final(m, mac, &mac_len, sizeof mac);
    EVP_MAC_CTX_free(m);
    if (!ok || mac_len != 32) return -2;
    /* Every well-formed v2= entry against the MAC. */
    int matched = 0, entries = 0;
    size_t sn = strlen(signature);
    if (sn > 8192) return -14;
    for (const char *p = signature; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 47 && memcmp(p, "v2=", 3) == 0 && p[46] == '=') { /* 44 base64 characters of 32 bytes */
            unsigned char decoded[33];
            if (EVP_DecodeBlock(decoded, (const unsigned char *)p + 3, 44) == 33) {
                entries++;
                matched |= CRYPTO_memcmp(decoded, mac, 32) == 0;
            }
        }
        p += n;
        while (*p == ' ') p++;
    }
    if (!entries) return -14;
    if (!matched) return -15;
    if (c->now - sent > c->tolerance) return -16;
    if (sent - c->now > c->tolerance) return -17;
    return 0;
}

int main(int argc, char **argv) {
    int reps = 11, warmup = 2, opt;
    double min_batch_ns = 50e6;
    const char *secret = NULL;
    struct ctx c = {.tolerance = 300};
    while ((opt = getopt(argc, argv, "r:w:t:s:p:T:")) != -1) {
        switch (opt) {
        case 'r': reps = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 't': min_batch_ns = atof(optarg) * 1e6; break;
        case 's': secret = optarg; break;
        case 'p': c.path = optarg; break;
        case 'T': c.timestamp = optarg; break;
        default: goto usage;
        }
    }
    if (reps < 1) reps = 1;
    if (warmup < 0) warmup = 0;
    if (argc - optind != 1 || !secret || !c.path || !c.timestamp) goto usage;
    c.now = strtoll(c.timestamp, NULL, 10);
    size_t length = 0;
    char *body = read_file(argv[optind], &length);
    if (!body) {
        fprintf(stderr, "oreg-bench-verify-libcrypto: cannot read %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c.keyed = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    if (!c.keyed || EVP_MAC_init(c.keyed, (const unsigned char *)secret, strlen(secret), params) != 1) {
        fprintf(stderr, "oreg-bench-verify-libcrypto: HMAC-SHA256 setup failed\n");
        return 1;
    }
    const char *nonce = "bench-00000000000000000000000001";
    char *signature = NULL;
    int status = oreg_callback_sign(secret, c.path, body, length, c.timestamp, nonce, &signature);
    if (status != OREG_OK) {
        fprintf(stderr, "oreg-bench-verify-libcrypto: oreg_callback_sign: %s\n", oreg_last_error());
        return 1;
    }
    /* Correctness first. */
    char *tampered = malloc(length ? length : 1);
    if (!tampered) return 1;
    memcpy(tampered, body, length);
    tampered[length / 2] ^= 0x01;
    int genuine = verify(&c, body, length, nonce, signature), bad = verify(&c, tampered, length, nonce, signature);
    free(tampered);
    if (genuine != 0 || bad != -15) {
        fprintf(stderr, "oreg-bench-verify-libcrypto: genuine gave %s, tampered %s\n", oreg_status_name(genuine),
                oreg_status_name(bad));
        return 1;
    }

    long calls = 1;
    for (;;) {
        double t0 = now_ns();
        for (long i = 0; i < calls; i++)
            if (verify(&c, body, length, nonce, signature) != 0) return 1;
        double elapsed = now_ns() - t0;
        if (elapsed >= min_batch_ns) break;
        calls = next_batch_size(calls, elapsed, min_batch_ns);
    }
    for (int w = 0; w < warmup; w++)
        for (long i = 0; i < calls; i++)
            if (verify(&c, body, length, nonce, signature) != 0) return 1;
    double *per_call = calloc((size_t)reps, sizeof *per_call);
    if (!per_call) return 1;
    for (int r = 0; r < reps; r++) {
        double t0 = now_ns();
        for (long i = 0; i < calls; i++)
            if (verify(&c, body, length, nonce, signature) != 0) return 1;
        per_call[r] = (now_ns() - t0) / (double)calls;
    }
    qsort(per_call, (size_t)reps, sizeof *per_call, cmp_double);
    double median = reps % 2 ? per_call[reps / 2] : (per_call[reps / 2 - 1] + per_call[reps / 2]) / 2;
    printf("libcrypto\tpure\t%s\t%zu\t%08lx\t%ld\t%d\t%.1f\t%.1f\t%.1f\tgenuine=OREG_OK,tamperedBody=%s\n",
           base_name(argv[optind]), length, (unsigned long)crc32_ieee((const unsigned char *)body, length), calls,
           reps, median, per_call[0], per_call[reps - 1], oreg_status_name(bad));
    printf("note\tlibcrypto\t%s\n", OpenSSL_version(OPENSSL_VERSION));
    free(per_call);
    oreg_free(signature);
    EVP_MAC_CTX_free(c.keyed);
    EVP_MAC_free(hmac);
    free(body);
    return 0;
usage:
    fprintf(stderr, "usage: %s [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] -s SECRET -p PATH_AND_QUERY -T TIMESTAMP BODY\n",
            argv[0]);
    return 2;
}
