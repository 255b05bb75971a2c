/*
 * hash.h: digests, MACs, encodings and randomness over OpenSSL libcrypto and zlib.
 * Every output buffer is the caller's, with its size in the name (out32 = 32 bytes).
 */
#ifndef LEASTCLOUD_HASH_H
#define LEASTCLOUD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LC_SHA256_LEN 32
#define LC_SHA256_HEX_LEN 64

void lc_sha256(const void *data, size_t len, uint8_t out32[LC_SHA256_LEN]);
/* out65 receives 64 lower-case hex digits and a NUL. */
void lc_sha256_hex(const void *data, size_t len, char out65[LC_SHA256_HEX_LEN + 1]);
void lc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    uint8_t out32[LC_SHA256_LEN]);
/*
 * Incremental SHA-256, for a digest over several pieces without joining them first. The context is
 * plain memory on the caller's side (no allocation, nothing to free); copying it forks the digest.
 * These run on libcrypto's low-level SHA-256 (same assembly as the one-shot calls, SHA-NI included)
 * without the EVP dispatch, which costs about as much as hashing a short string.
 */
struct lc_sha256_ctx {
    uint64_t opaque[16];
};
void lc_sha256_init(struct lc_sha256_ctx *ctx);
void lc_sha256_update(struct lc_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void lc_sha256_final(struct lc_sha256_ctx *ctx, uint8_t out32[LC_SHA256_LEN]);

/*
 * An HMAC-SHA256 key with its two padded key blocks already hashed: a key that signs many messages
 * (SigV4's daily signing key) then costs two SHA-256 blocks less per MAC. Holds key material:
 * wipe it (memset) when done. Same results as lc_hmac_sha256().
 */
struct lc_hmac_sha256_key {
    struct lc_sha256_ctx inner; /* after hashing key ^ ipad */
    struct lc_sha256_ctx outer; /* after hashing key ^ opad */
};
void lc_hmac_sha256_key_init(struct lc_hmac_sha256_key *hk, const void *key, size_t key_len);
/* Starts a MAC: *ctx becomes a copy of hk->inner; feed the message with lc_sha256_update. */
void lc_hmac_sha256_start(const struct lc_hmac_sha256_key *hk, struct lc_sha256_ctx *ctx);
/* Ends the MAC started on *ctx (which is wiped) and writes it to out32. */
void lc_hmac_sha256_finish(const struct lc_hmac_sha256_key *hk, struct lc_sha256_ctx *ctx,
                           uint8_t out32[LC_SHA256_LEN]);

/* Lower-case hex; out must hold 2*len+1 bytes. */
void lc_hex_encode(const uint8_t *data, size_t len, char *out);
/* Compares in time that depends only on len (for signatures and secrets). */
bool lc_const_eq(const void *a, const void *b, size_t len);
/* Cryptographically strong random bytes; returns 0 or LC_EINTERNAL. */
int lc_random_bytes(void *out, size_t len);
/* Standard base64 with padding. Caller frees the result with lc_free. */
char *lc_base64_encode(const void *data, size_t len);
/* Returns the decoded bytes (caller frees with lc_free) or NULL when the input is not base64. */
uint8_t *lc_base64_decode(const char *text, size_t text_len, size_t *out_len);
uint32_t lc_crc32(const void *data, size_t len);

#endif
