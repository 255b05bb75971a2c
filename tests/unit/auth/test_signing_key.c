/* test_signing_key.c: key derivation and the thread-safe key cache. */
#include "lc_test.h"

#include "auth/auth_internal.h"
#include "leastcloud/auth.h"
#include "leastcloud/hash.h"

#include <pthread.h>

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static void s_key_hex(struct lc_auth_key_cache *c, const char *secret, const char *date,
                      const char *region, const char *service, char out[65])
{
    uint8_t k[32];
    lc_auth_signing_key(c, lc_cur_from_str(secret), lc_cur_from_str(date),
                        lc_cur_from_str(region), lc_cur_from_str(service), k);
    lc_hex_encode(k, 32, out);
}

static void test_signing_key_matches_aws_documentation_example(void **state)
{
    /* AWS General Reference, "Examples of how to derive a signing key for Signature Version 4". */
    char hex[65];
    s_key_hex(NULL, SECRET, "20120215", "us-east-1", "iam", hex);
    assert_string_equal(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void test_cache_returns_the_same_key_and_counts_hits(void **state)
{
    struct lc_auth_key_cache *c = lc_auth_key_cache_new(8);
    char a[65], b[65], plain[65];
    s_key_hex(NULL, SECRET, "20120215", "us-east-1", "iam", plain);
    s_key_hex(c, SECRET, "20120215", "us-east-1", "iam", a);
    s_key_hex(c, SECRET, "20120215", "us-east-1", "iam", b);
    assert_string_equal(a, plain);
    assert_string_equal(b, plain);
    uint64_t hits, misses;
    lc_auth_key_cache_stats(c, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    lc_auth_key_cache_destroy(c);
}

/* The MAC of "msg" under the cached HMAC form of a signing key, in hex. */
static void s_hmac_hex(struct lc_auth_key_cache *c, const char *date, const char *service,
                       char out[65])
{
    struct lc_hmac_sha256_key hk;
    struct lc_sha256_ctx ctx;
    uint8_t mac[32];
    lc__auth_signing_hmac_key(c, lc_cur_from_str(SECRET), lc_cur_from_str(date),
                              lc_cur_from_str("us-east-1"), lc_cur_from_str(service), &hk);
    lc_hmac_sha256_start(&hk, &ctx);
    lc_sha256_update(&ctx, "msg", 3);
    lc_hmac_sha256_finish(&hk, &ctx, mac);
    lc_hex_encode(mac, 32, out);
}

static void test_cached_hmac_key_macs_like_the_derived_key(void **state)
{
    struct lc_auth_key_cache *c = lc_auth_key_cache_new(1);
    uint8_t key[32], mac[32];
    char want[65], other_want[65], got[65];
    lc_auth_signing_key(NULL, lc_cur_from_str(SECRET), lc_cur_from_str("20120215"),
                        lc_cur_from_str("us-east-1"), lc_cur_from_str("iam"), key);
    lc_hmac_sha256(key, 32, "msg", 3, mac);
    lc_hex_encode(mac, 32, want);
    lc_auth_signing_key(NULL, lc_cur_from_str(SECRET), lc_cur_from_str("20120215"),
                        lc_cur_from_str("us-east-1"), lc_cur_from_str("sts"), key);
    lc_hmac_sha256(key, 32, "msg", 3, mac);
    lc_hex_encode(mac, 32, other_want);
    s_hmac_hex(NULL, "20120215", "iam", got); /* no cache */
    assert_string_equal(got, want);
    s_hmac_hex(c, "20120215", "iam", got);    /* miss */
    assert_string_equal(got, want);
    s_hmac_hex(c, "20120215", "iam", got);    /* hit */
    assert_string_equal(got, want);
    s_hmac_hex(c, "20120215", "sts", got);    /* evicts the one slot */
    assert_string_equal(got, other_want);
    char hex[65];
    s_key_hex(c, SECRET, "20120215", "us-east-1", "sts", hex); /* the plain key, same slot: a hit */
    lc_hex_encode(key, 32, want);
    assert_string_equal(hex, want);
    uint64_t hits, misses;
    lc_auth_key_cache_stats(c, &hits, &misses);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 2);
    lc_auth_key_cache_destroy(c);
}

static void test_cache_distinguishes_every_part_of_the_key(void **state)
{
    struct lc_auth_key_cache *c = lc_auth_key_cache_new(1); /* one slot: every entry collides */
    char base[65], other[65];
    s_key_hex(c, SECRET, "20120215", "us-east-1", "iam", base);
    s_key_hex(c, SECRET "x", "20120215", "us-east-1", "iam", other);
    assert_string_not_equal(base, other);
    s_key_hex(c, SECRET, "20120216", "us-east-1", "iam", other);
    assert_string_not_equal(base, other);
    s_key_hex(c, SECRET, "20120215", "us-west-2", "iam", other);
    assert_string_not_equal(base, other);
    s_key_hex(c, SECRET, "20120215", "us-east-1", "sts", other);
    assert_string_not_equal(base, other);
    s_key_hex(c, SECRET, "20120215", "us-east-1", "iam", other);
    assert_string_equal(base, other);
    uint64_t hits;
    lc_auth_key_cache_stats(c, &hits, NULL);
    assert_int_equal(hits, 0);
    lc_auth_key_cache_destroy(c);
}

static void test_oversized_inputs_bypass_the_cache(void **state)
{
    struct lc_auth_key_cache *c = lc_auth_key_cache_new(4);
    char long_secret[300];
    memset(long_secret, 'k', sizeof long_secret - 1);
    long_secret[sizeof long_secret - 1] = '\0';
    char a[65], b[65];
    s_key_hex(c, long_secret, "20120215", "us-east-1", "iam", a);
    s_key_hex(NULL, long_secret, "20120215", "us-east-1", "iam", b);
    assert_string_equal(a, b);
    uint64_t hits, misses;
    lc_auth_key_cache_stats(c, &hits, &misses);
    assert_int_equal(hits + misses, 0);
    lc_auth_key_cache_destroy(c);
}

struct worker {
    struct lc_auth_key_cache *cache;
    int id;
    int bad;
};

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    const char *services[] = {"iam", "sts", "dynamodb", "lambda"};
    for (int i = 0; i < 2000; i++) {
        const char *svc = services[(i + w->id) % 4];
        char a[65], b[65];
        s_key_hex(w->cache, SECRET, "20120215", "us-east-1", svc, a);
        s_key_hex(NULL, SECRET, "20120215", "us-east-1", svc, b);
        if (strcmp(a, b) != 0)
            w->bad++;
    }
    return NULL;
}

static void test_cache_is_safe_under_concurrent_use(void **state)
{
    struct lc_auth_key_cache *c = lc_auth_key_cache_new(2);
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){c, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, s_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    lc_auth_key_cache_destroy(c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cached_hmac_key_macs_like_the_derived_key),
    cmocka_unit_test(test_signing_key_matches_aws_documentation_example),
    cmocka_unit_test(test_cache_returns_the_same_key_and_counts_hits),
    cmocka_unit_test(test_cache_distinguishes_every_part_of_the_key),
    cmocka_unit_test(test_oversized_inputs_bypass_the_cache),
    cmocka_unit_test(test_cache_is_safe_under_concurrent_use),
};
LC_TEST_MAIN(tests)
