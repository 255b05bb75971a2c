/* hash.c: thin, checked wrappers over libcrypto and zlib. */
/* lc_sha256_ctx sits on libcrypto's low-level SHA256_* (deprecated in OpenSSL 3 in favour of EVP, but
 * still exported and the only way to copy a digest state without an allocation). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "leastcloud/hash.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SHA256_BLOCK 64

/* SHA-256 runs on libcrypto's low-level SHA256_* functions: the one-shot EVP and HMAC calls of
 * OpenSSL 3 look the algorithm up under a lock on every call, and a digest state on the stack can be
 * copied (lc_hmac_sha256_key keeps a MAC key's two padded blocks already hashed). */
void lc_sha256(const void *data, size_t len, uint8_t out32[LC_SHA256_LEN])
{
    struct lc_sha256_ctx ctx;
    lc_sha256_init(&ctx);
    lc_sha256_update(&ctx, data, len);
    lc_sha256_final(&ctx, out32);
}

void lc_sha256_hex(const void *data, size_t len, char out65[LC_SHA256_HEX_LEN + 1])
{
    uint8_t d[LC_SHA256_LEN];
    lc_sha256(data, len, d);
    lc_hex_encode(d, sizeof d, out65);
}

void lc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    uint8_t out32[LC_SHA256_LEN])
{
    struct lc_hmac_sha256_key hk;
    struct lc_sha256_ctx ctx;
    lc_hmac_sha256_key_init(&hk, key, key_len);
    lc_hmac_sha256_start(&hk, &ctx);
    lc_sha256_update(&ctx, data, len);
    lc_hmac_sha256_finish(&hk, &ctx, out32);
    OPENSSL_cleanse(&hk, sizeof hk);
}

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct lc_sha256_ctx), "lc_sha256_ctx too small");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(struct lc_sha256_ctx), "lc_sha256_ctx misaligned");

void lc_sha256_init(struct lc_sha256_ctx *ctx)
{
    if (SHA256_Init((SHA256_CTX *)ctx) != 1)
        abort(); /* cannot fail: it only sets constants */
}

void lc_sha256_update(struct lc_sha256_ctx *ctx, const void *data, size_t len)
{
    if (len && SHA256_Update((SHA256_CTX *)ctx, data, len) != 1)
        abort();
}

void lc_sha256_final(struct lc_sha256_ctx *ctx, uint8_t out32[LC_SHA256_LEN])
{
    if (SHA256_Final(out32, (SHA256_CTX *)ctx) != 1)
        abort();
    /* The caller's memory, so not a dead store: the state of a MAC's inner hash is key material. */
    memset(ctx, 0, sizeof *ctx);
}

void lc_hmac_sha256_key_init(struct lc_hmac_sha256_key *hk, const void *key, size_t key_len)
{
    uint8_t k[SHA256_BLOCK] = {0}, pad[SHA256_BLOCK];
    if (key_len > SHA256_BLOCK)
        lc_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    lc_sha256_init(&hk->inner);
    lc_sha256_update(&hk->inner, pad, sizeof pad);
    for (size_t i = 0; i < SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    lc_sha256_init(&hk->outer);
    lc_sha256_update(&hk->outer, pad, sizeof pad);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

void lc_hmac_sha256_start(const struct lc_hmac_sha256_key *hk, struct lc_sha256_ctx *ctx)
{
    *ctx = hk->inner;
}

void lc_hmac_sha256_finish(const struct lc_hmac_sha256_key *hk, struct lc_sha256_ctx *ctx,
                           uint8_t out32[LC_SHA256_LEN])
{
    uint8_t inner[LC_SHA256_LEN];
    lc_sha256_final(ctx, inner);
    struct lc_sha256_ctx outer = hk->outer;
    lc_sha256_update(&outer, inner, sizeof inner);
    lc_sha256_final(&outer, out32);
}

void lc_hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

bool lc_const_eq(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

int lc_random_bytes(void *out, size_t len)
{
    return RAND_bytes(out, (int)len) == 1 ? 0 : LC_EINTERNAL;
}

char *lc_base64_encode(const void *data, size_t len)
{
    char *out = lc_malloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

static int s_b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

uint8_t *lc_base64_decode(const char *text, size_t text_len, size_t *out_len)
{
    if (text_len % 4)
        return NULL;
    uint8_t *out = lc_malloc(text_len / 4 * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < text_len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)text[i + k];
            if (c == '=' && i + 4 == text_len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad || (v[k] = s_b64_value(c)) < 0) {
                lc_free(out);
                return NULL;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[n++] = (uint8_t)(w >> 16);
        if (pad < 2)
            out[n++] = (uint8_t)(w >> 8);
        if (pad < 1)
            out[n++] = (uint8_t)w;
    }
    *out_len = n;
    return out;
}

uint32_t lc_crc32(const void *data, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const Bytef *p = data;
    while (len) {
        uInt chunk = len > 1u << 30 ? 1u << 30 : (uInt)len;
        c = crc32(c, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return (uint32_t)c;
}
