/* test_hash.c: digests, HMAC, encodings (vectors from RFC 4231, RFC 4648 and FIPS 180-2). */
#include "lc_test.h"

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

static void test_sha256_hex_of_abc_matches_fips_vector(void **state)
{
    char hex[65];
    lc_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    lc_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_sha256_matches_rfc4231_case_2(void **state)
{
    uint8_t mac[32];
    char hex[65];
    const char *data = "what do ya want for nothing?";
    lc_hmac_sha256("Jefe", 4, data, strlen(data), mac);
    lc_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_sha256_incremental_matches_one_shot_whatever_the_split(void **state)
{
    /* 200 bytes: crosses block boundaries at every split point tried. */
    uint8_t data[200], want[32], got[32];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    lc_sha256(data, sizeof data, want);
    for (size_t split = 0; split <= sizeof data; split += 13) {
        struct lc_sha256_ctx c;
        lc_sha256_init(&c);
        lc_sha256_update(&c, data, split);
        lc_sha256_update(&c, NULL, 0);
        lc_sha256_update(&c, data + split, sizeof data - split);
        lc_sha256_final(&c, got);
        assert_memory_equal(got, want, 32);
    }
    struct lc_sha256_ctx c;
    char hex[65];
    lc_sha256_init(&c);
    lc_sha256_update(&c, "a", 1);
    lc_sha256_update(&c, "bc", 2);
    lc_sha256_final(&c, got);
    lc_hex_encode(got, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_context_copy_forks_the_digest(void **state)
{
    uint8_t a[32], b[32], want[32];
    struct lc_sha256_ctx c, fork;
    lc_sha256_init(&c);
    lc_sha256_update(&c, "prefix-", 7);
    fork = c;
    lc_sha256_update(&c, "one", 3);
    lc_sha256_final(&c, a);
    lc_sha256_update(&fork, "two", 3);
    lc_sha256_final(&fork, b);
    lc_sha256("prefix-one", 10, want);
    assert_memory_equal(a, want, 32);
    lc_sha256("prefix-two", 10, want);
    assert_memory_equal(b, want, 32);
}

static void test_hmac_sha256_key_matches_one_shot_hmac_for_short_and_long_keys(void **state)
{
    /* RFC 4231 case 2 (short key) and case 6 (131-byte key, hashed first). */
    uint8_t mac[32], want[32];
    char hex[65];
    struct lc_hmac_sha256_key hk;
    struct lc_sha256_ctx c;
    lc_hmac_sha256_key_init(&hk, "Jefe", 4);
    lc_hmac_sha256_start(&hk, &c);
    lc_sha256_update(&c, "what do ya want ", 16);
    lc_sha256_update(&c, "for nothing?", 12);
    lc_hmac_sha256_finish(&hk, &c, mac);
    lc_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* The key is reusable: a second MAC under it gives the same answer. */
    lc_hmac_sha256_start(&hk, &c);
    lc_sha256_update(&c, "what do ya want for nothing?", 28);
    memset(hex, 0, sizeof hex);
    lc_hmac_sha256_finish(&hk, &c, mac);
    lc_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    uint8_t long_key[131];
    memset(long_key, 0xaa, sizeof long_key);
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    lc_hmac_sha256_key_init(&hk, long_key, sizeof long_key);
    lc_hmac_sha256_start(&hk, &c);
    lc_sha256_update(&c, msg, strlen(msg));
    lc_hmac_sha256_finish(&hk, &c, mac);
    lc_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    lc_hmac_sha256(long_key, sizeof long_key, msg, strlen(msg), want);
    assert_memory_equal(mac, want, 32);
}

static void test_base64_round_trips_rfc4648_vectors(void **state)
{
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char *e = lc_base64_encode(in[i], strlen(in[i]));
        assert_string_equal(e, out[i]);
        size_t n;
        uint8_t *d = lc_base64_decode(e, strlen(e), &n);
        assert_non_null(d);
        assert_int_equal(n, strlen(in[i]));
        assert_memory_equal(d, in[i], n);
        lc_free(d);
        lc_free(e);
    }
}

static void test_base64_decode_rejects_garbage(void **state)
{
    size_t n;
    assert_null(lc_base64_decode("Zm9", 3, &n));
    assert_null(lc_base64_decode("Zm!v", 4, &n));
    assert_null(lc_base64_decode("Z=9v", 4, &n));
}

static void test_const_eq_compares_all_bytes(void **state)
{
    assert_true(lc_const_eq("abcdef", "abcdef", 6));
    assert_false(lc_const_eq("abcdef", "abcdeg", 6));
    assert_false(lc_const_eq("xbcdef", "abcdef", 6));
}

static void test_crc32_matches_known_value(void **state)
{
    /* CRC-32 of "123456789" is the standard check value. */
    assert_int_equal(lc_crc32("123456789", 9), 0xCBF43926u);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sha256_hex_of_abc_matches_fips_vector),
    cmocka_unit_test(test_hmac_sha256_matches_rfc4231_case_2),
    cmocka_unit_test(test_sha256_incremental_matches_one_shot_whatever_the_split),
    cmocka_unit_test(test_sha256_context_copy_forks_the_digest),
    cmocka_unit_test(test_hmac_sha256_key_matches_one_shot_hmac_for_short_and_long_keys),
    cmocka_unit_test(test_base64_round_trips_rfc4648_vectors),
    cmocka_unit_test(test_base64_decode_rejects_garbage),
    cmocka_unit_test(test_const_eq_compares_all_bytes),
    cmocka_unit_test(test_crc32_matches_known_value),
};
LC_TEST_MAIN(tests)
