/* test_auth_header.c: splitting the Authorization header. */
#include "lc_test.h"

#include "auth/auth_internal.h"

static void s_parse(const char *v, struct lc__auth_fields *f)
{
    lc__auth_fields_init(f);
    lc__auth_parse_authorization(lc_cur_from_str(v), f);
}

static void test_header_fields_are_split_on_commas_and_spaces(void **state)
{
    struct lc__auth_fields f;
    s_parse("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc",
            &f);
    assert_true(lc_cur_eq_str(f.algorithm, "AWS4-HMAC-SHA256"));
    assert_true(lc_cur_eq_str(f.credential, "AKID/20150830/us-east-1/iam/aws4_request"));
    assert_true(lc_cur_eq_str(f.signed_headers, "host;x-amz-date"));
    assert_true(lc_cur_eq_str(f.signature, "abc"));
    assert_true(f.have_credential && f.have_signed_headers && f.have_signature);
    assert_int_equal(f.bad_pair.len, 0);
    lc__auth_fields_clean_up(&f);
}

static void test_header_fields_accept_odd_spacing_and_order(void **state)
{
    struct lc__auth_fields f;
    s_parse("  AWS4-HMAC-SHA256   Signature=s,,Credential=c  SignedHeaders=h ", &f);
    assert_true(lc_cur_eq_str(f.algorithm, "AWS4-HMAC-SHA256"));
    assert_true(lc_cur_eq_str(f.credential, "c"));
    assert_true(lc_cur_eq_str(f.signed_headers, "h"));
    assert_true(lc_cur_eq_str(f.signature, "s"));
    lc__auth_fields_clean_up(&f);
}

static void test_empty_values_count_as_missing(void **state)
{
    struct lc__auth_fields f;
    s_parse("AWS4-HMAC-SHA256 Credential=, SignedHeaders=h", &f);
    assert_false(f.have_credential);
    assert_true(f.have_signed_headers);
    assert_false(f.have_signature);
    lc__auth_fields_clean_up(&f);
}

static void test_first_pair_without_equal_sign_is_remembered(void **state)
{
    struct lc__auth_fields f;
    s_parse("AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders", &f);
    assert_true(lc_cur_eq_str(f.bad_pair, "Credential"));
    lc__auth_fields_clean_up(&f);
}

static void test_first_occurrence_of_a_field_wins(void **state)
{
    struct lc__auth_fields f;
    s_parse("AWS4-HMAC-SHA256 Signature=first, Signature=second", &f);
    assert_true(lc_cur_eq_str(f.signature, "first"));
    lc__auth_fields_clean_up(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_header_fields_are_split_on_commas_and_spaces),
    cmocka_unit_test(test_header_fields_accept_odd_spacing_and_order),
    cmocka_unit_test(test_empty_values_count_as_missing),
    cmocka_unit_test(test_first_pair_without_equal_sign_is_remembered),
    cmocka_unit_test(test_first_occurrence_of_a_field_wins),
};
LC_TEST_MAIN(tests)
