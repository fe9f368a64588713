#ifndef ASSENT_COPENSSL_SHIM_H
#define ASSENT_COPENSSL_SHIM_H
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but they skip the EVP
   dispatch that costs more than the hashing itself for the 65-byte inputs of Merkle nodes. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>

/// EVP_PKEY_Q_keygen is variadic, which Swift cannot call; this generates a P-256 key.
static inline EVP_PKEY *assent_generate_p256(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/// BIO_get_mem_data is a macro; this returns the bytes written to a memory BIO.
static inline long assent_bio_mem_data(BIO *bio, char **out) {
    return BIO_get_mem_data(bio, out);
}

/// Whether a key is an EC key on the named curve P-256.
static inline int assent_is_p256(const EVP_PKEY *key) {
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return 0;
    char name[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) != 1) return 0;
    return strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0;
}

/// A SHA-256 context of OpenSSL's low-level interface.
typedef struct assent_sha256 { SHA256_CTX context; } assent_sha256;

/// Starts a digest.
static inline void assent_sha256_init(assent_sha256 *state) { SHA256_Init(&state->context); }

/// Feeds `count` bytes.
static inline void assent_sha256_update(assent_sha256 *state, const void *bytes, size_t count) {
    SHA256_Update(&state->context, bytes, count);
}

/// Writes the 32-byte digest to `out` and starts a new digest.
static inline void assent_sha256_final(assent_sha256 *state, unsigned char *out) {
    SHA256_Final(out, &state->context);
    SHA256_Init(&state->context);
}
#endif
