#ifndef OREG_COPENSSL_SHIM_H
#define OREG_COPENSSL_SHIM_H
/* libcrypto only: HMAC (EVP_MAC), RAND_bytes, SHA-256 and CRYPTO_memcmp. No libssl: TLS belongs to libcurl. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#endif
