/* test_string_to_sign.c: step 2 and the final HMAC, against the suite's get-vanilla case. */
#include "lc_test.h"

#include "auth/auth_internal.h"

#define CREQ                                                                                       \
    "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"       \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_string_to_sign_has_four_lines(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_string_to_sign(&b, lc_cur_from_str("20150830T123600Z"),
                                             lc_cur_from_str("20150830/us-east-1/service/"
                                                             "aws4_request"),
                                             lc_cur_from_str(CREQ)),
                     0);
    assert_string_equal(b.data, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                                "aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25"
                                "292927e63");
    uint8_t key[32];
    lc_auth_signing_key(NULL, lc_cur_from_str("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                        lc_cur_from_str("20150830"), lc_cur_from_str("us-east-1"),
                        lc_cur_from_str("service"), key);
    char sig[65];
    lc__auth_signature_hex(key, lc_buf_cur(&b), sig);
    assert_string_equal(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    lc_buf_free(&b);
}

static void test_piecewise_signature_equals_the_mac_of_the_built_string(void **state)
{
    /* The verifier never builds the string to sign: it must MAC exactly what the signer builds. */
    struct lc_cur date = lc_cur_from_str("20150830T123600Z");
    struct lc_cur scope = lc_cur_from_str("20150830/us-east-1/service/aws4_request");
    uint8_t key[32], mac[32];
    lc_auth_signing_key(NULL, lc_cur_from_str("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                        lc_cur_from_str("20150830"), lc_cur_from_str("us-east-1"),
                        lc_cur_from_str("service"), key);
    struct lc_hmac_sha256_key hk;
    lc_hmac_sha256_key_init(&hk, key, sizeof key);
    lc__auth_signature_of(&hk, date, scope, lc_cur_from_str(CREQ), mac);
    char hex[65];
    lc_hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    assert_int_equal(lc__auth_string_to_sign_len(date, scope),
                     strlen("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                            "aws4_request\n") + 64);
}

static void test_signature_matches_only_its_exact_lower_case_hex(void **state)
{
    uint8_t mac[32];
    for (int i = 0; i < 32; i++)
        mac[i] = (uint8_t)(i * 37 + 11);
    char hex[65];
    lc_hex_encode(mac, 32, hex);
    assert_true(lc__auth_signature_matches(mac, lc_cur_from_str(hex)));
    assert_false(lc__auth_signature_matches(mac, lc_cur_make(hex, 63)));
    assert_false(lc__auth_signature_matches(mac, lc_cur_make("", 0)));
    char other[66];
    memcpy(other, hex, 65);
    other[63] = other[63] == '0' ? '1' : '0'; /* the last digit: every byte is compared */
    assert_false(lc__auth_signature_matches(mac, lc_cur_from_str(other)));
    memcpy(other, hex, 65);
    for (int i = 0; i < 64; i++) /* upper-case hex is a different signature, as AWS reads it */
        if (other[i] >= 'a' && other[i] <= 'f')
            other[i] = (char)(other[i] - 32);
    assert_false(lc__auth_signature_matches(mac, lc_cur_from_str(other)));
    memcpy(other, hex, 65);
    other[10] = 'g';
    assert_false(lc__auth_signature_matches(mac, lc_cur_from_str(other)));
    memcpy(other, hex, 65);
    other[64] = '0';
    other[65] = '\0';
    assert_false(lc__auth_signature_matches(mac, lc_cur_from_str(other)));
}

static void test_string_to_sign_over_the_limit_is_refused_whole(void **state)
{
    struct lc_buf b;
    struct lc_cur date = lc_cur_from_str("20150830T123600Z");
    struct lc_cur scope = lc_cur_from_str("20150830/us-east-1/service/aws4_request");
    size_t need = lc__auth_string_to_sign_len(date, scope);
    lc_buf_init(&b, need - 1);
    assert_int_equal(lc__auth_string_to_sign(&b, date, scope, lc_cur_from_str(CREQ)), LC_ELIMIT);
    assert_int_equal(b.len, 0);
    lc_buf_free(&b);
    lc_buf_init(&b, need);
    assert_int_equal(lc__auth_string_to_sign(&b, date, scope, lc_cur_from_str(CREQ)), 0);
    assert_int_equal(b.len, need);
    lc_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_string_to_sign_has_four_lines),
    cmocka_unit_test(test_piecewise_signature_equals_the_mac_of_the_built_string),
    cmocka_unit_test(test_signature_matches_only_its_exact_lower_case_hex),
    cmocka_unit_test(test_string_to_sign_over_the_limit_is_refused_whole),
};
LC_TEST_MAIN(tests)
