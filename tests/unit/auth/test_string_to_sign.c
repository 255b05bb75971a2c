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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_string_to_sign_has_four_lines),
};
LC_TEST_MAIN(tests)
