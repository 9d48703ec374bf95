#ifndef OREG_COPENSSL_SHIM_H
#define OREG_COPENSSL_SHIM_H
/* libcrypto only: SHA-256 (HMAC is built on its SHA256_CTX states), RAND_bytes and CRYPTO_memcmp.
   No libssl: TLS belongs to libcurl. OpenSSL 3 marks the SHA256_* functions deprecated in favour
   of EVP, whose per-call context duplication costs more than the hashing here; they remain part of
   libcrypto 3's ABI. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#endif
