/*
 * signing_key.c: the derived SigV4 signing key and a small cache of them.
 *
 * A key is HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"): four
 * HMACs per request without a cache. Keys change once a day per (secret, region, service), so a
 * few dozen direct-mapped slots behind one mutex hold a server's whole working set. A slot also
 * keeps the key's HMAC pads already hashed (struct lc_hmac_sha256_key), so that the one HMAC a
 * verification still makes (over the string to sign) costs two SHA-256 blocks less.
 */
#include "auth/auth_internal.h"

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

#include <pthread.h>
#include <string.h>

#define KEY_CACHE_DEFAULT_SLOTS 64
#define KEY_CACHE_SECRET_MAX 128
#define KEY_CACHE_FIELD_MAX 64

struct slot {
    bool used;
    uint64_t hash;
    size_t secret_len, region_len, service_len;
    char secret[KEY_CACHE_SECRET_MAX];
    char date[8];
    char region[KEY_CACHE_FIELD_MAX];
    char service[KEY_CACHE_FIELD_MAX];
    uint8_t key[LC_SHA256_LEN];
    struct lc_hmac_sha256_key hmac; /* the same key, ready to MAC with */
};

struct lc_auth_key_cache {
    pthread_mutex_t lock;
    size_t nslots;
    uint64_t hits, misses;
    struct slot *slots;
};

struct lc_auth_key_cache *lc_auth_key_cache_new(size_t slots)
{
    struct lc_auth_key_cache *c = lc_calloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->nslots = slots ? slots : KEY_CACHE_DEFAULT_SLOTS;
    c->slots = lc_calloc(c->nslots, sizeof *c->slots);
    return c;
}

void lc_auth_key_cache_destroy(struct lc_auth_key_cache *c)
{
    if (!c)
        return;
    /* The slots hold secrets: wipe them before they return to the allocator. */
    memset(c->slots, 0, c->nslots * sizeof *c->slots);
    lc_free(c->slots);
    pthread_mutex_destroy(&c->lock);
    lc_free(c);
}

void lc_auth_key_cache_stats(struct lc_auth_key_cache *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->lock);
    if (hits)
        *hits = c->hits;
    if (misses)
        *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}

static void s_derive(struct lc_cur secret, struct lc_cur date, struct lc_cur region,
                     struct lc_cur service, uint8_t out32[32])
{
    uint8_t k[LC_SHA256_LEN];
    size_t klen = 4 + secret.len;
    char *k0 = lc_malloc(klen);
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret.ptr, secret.len);
    lc_hmac_sha256(k0, klen, date.ptr, date.len, k);
    memset(k0, 0, klen);
    lc_free(k0);
    lc_hmac_sha256(k, sizeof k, region.ptr, region.len, k);
    lc_hmac_sha256(k, sizeof k, service.ptr, service.len, k);
    lc_hmac_sha256(k, sizeof k, "aws4_request", 12, out32);
}

/*
 * Picks the slot (the full compare in s_matches decides). Eight bytes per multiply: a byte-wise
 * FNV over the ~70 bytes of (secret, date, region, service) was a serial chain of 70 multiplies,
 * slower natively than a SHA-256 block. The length goes in with the tail word, so that field
 * boundaries count ("ab","c" != "a","bc").
 */
static uint64_t s_mix(uint64_t h, struct lc_cur c)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    size_t i = 0;
    for (; i + 8 <= c.len; i += 8) {
        uint64_t w;
        memcpy(&w, c.ptr + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    if (c.len > i)
        memcpy(&tail, c.ptr + i, c.len - i);
    h = (h ^ tail ^ ((uint64_t)c.len << 56)) * k;
    return h ^ (h >> 29);
}

static bool s_matches(const struct slot *s, uint64_t hash, struct lc_cur secret, struct lc_cur date,
                      struct lc_cur region, struct lc_cur service)
{
    return s->used && s->hash == hash && s->secret_len == secret.len &&
           s->region_len == region.len && s->service_len == service.len &&
           memcmp(s->date, date.ptr, 8) == 0 && memcmp(s->region, region.ptr, region.len) == 0 &&
           memcmp(s->service, service.ptr, service.len) == 0 &&
           lc_const_eq(s->secret, secret.ptr, secret.len);
}

/* Either output may be NULL. */
static void s_signing_key(struct lc_auth_key_cache *c, struct lc_cur secret, struct lc_cur date,
                          struct lc_cur region, struct lc_cur service, uint8_t *out32,
                          struct lc_hmac_sha256_key *hmac)
{
    uint8_t key[LC_SHA256_LEN];
    if (!c || secret.len > KEY_CACHE_SECRET_MAX || date.len != 8 ||
        region.len > KEY_CACHE_FIELD_MAX || service.len > KEY_CACHE_FIELD_MAX) {
        s_derive(secret, date, region, service, key);
        if (out32)
            memcpy(out32, key, LC_SHA256_LEN);
        if (hmac)
            lc_hmac_sha256_key_init(hmac, key, sizeof key);
        memset(key, 0, sizeof key);
        return;
    }
    uint64_t h = 14695981039346656037ULL;
    h = s_mix(s_mix(s_mix(s_mix(h, secret), date), region), service);
    struct slot *s = &c->slots[h % c->nslots];
    pthread_mutex_lock(&c->lock);
    if (s_matches(s, h, secret, date, region, service)) {
        if (out32)
            memcpy(out32, s->key, LC_SHA256_LEN);
        if (hmac)
            *hmac = s->hmac;
        c->hits++;
        pthread_mutex_unlock(&c->lock);
        return;
    }
    c->misses++;
    pthread_mutex_unlock(&c->lock);
    /* Derive outside the lock; a racing thread may derive the same key, which is harmless. */
    struct lc_hmac_sha256_key derived;
    s_derive(secret, date, region, service, key);
    lc_hmac_sha256_key_init(&derived, key, sizeof key);
    if (out32)
        memcpy(out32, key, LC_SHA256_LEN);
    if (hmac)
        *hmac = derived;
    pthread_mutex_lock(&c->lock);
    s->used = true;
    s->hash = h;
    s->secret_len = secret.len;
    s->region_len = region.len;
    s->service_len = service.len;
    memcpy(s->secret, secret.ptr, secret.len);
    memcpy(s->date, date.ptr, 8);
    memcpy(s->region, region.ptr, region.len);
    memcpy(s->service, service.ptr, service.len);
    memcpy(s->key, key, LC_SHA256_LEN);
    s->hmac = derived;
    pthread_mutex_unlock(&c->lock);
    memset(key, 0, sizeof key);
    memset(&derived, 0, sizeof derived);
}

void lc_auth_signing_key(struct lc_auth_key_cache *c, struct lc_cur secret, struct lc_cur date,
                         struct lc_cur region, struct lc_cur service, uint8_t out32[32])
{
    s_signing_key(c, secret, date, region, service, out32, NULL);
}

void lc__auth_signing_hmac_key(struct lc_auth_key_cache *c, struct lc_cur secret,
                               struct lc_cur date, struct lc_cur region, struct lc_cur service,
                               struct lc_hmac_sha256_key *out)
{
    s_signing_key(c, secret, date, region, service, NULL, out);
}
