/* test_arn.c: ARN parsing and segment-wise matching. */
#include "iam_test.h"

static void test_arn_parse_splits_six_parts_and_keeps_colons_in_resource(void **state)
{
    const char *s = "arn:aws:lambda:us-east-1:" ACCT ":function:read-function";
    struct lc_iam_arn a;
    assert_int_equal(lc_iam_arn_parse(s, strlen(s), &a), 0);
    assert_memory_equal(a.service, "lambda", 6);
    assert_int_equal(a.account_len, 12);
    assert_int_equal(a.resource_len, strlen("function:read-function"));
}

static void test_arn_parse_refuses_non_arns(void **state)
{
    struct lc_iam_arn a;
    assert_int_equal(lc_iam_arn_parse("*", 1, &a), LC_EINVAL);
    assert_int_equal(lc_iam_arn_parse("arn:aws:s3", 10, &a), LC_EINVAL);
    assert_int_equal(lc_iam_arn_parse("urn:aws:s3:::b", 14, &a), LC_EINVAL);
}

static void test_arn_wildcard_in_region_does_not_cross_into_account(void **state)
{
    assert_true(lc_iam_arn_match("arn:aws:dynamodb:*:" ACCT ":table/orders", TABLE));
    assert_false(lc_iam_arn_match("arn:aws:dynamodb:*:table/orders", TABLE));
}

static void test_arn_service_is_case_insensitive_and_resource_case_sensitive(void **state)
{
    assert_true(lc_iam_arn_match("arn:aws:DynamoDB:US-EAST-1:" ACCT ":table/orders", TABLE));
    assert_false(lc_iam_arn_match("arn:aws:dynamodb:us-east-1:" ACCT ":table/Orders", TABLE));
}

static void test_arn_star_pattern_matches_anything(void **state)
{
    assert_true(lc_iam_arn_match("*", TABLE));
    assert_true(lc_iam_arn_match("*", "*"));
    assert_false(lc_iam_arn_match(TABLE, "*"));
}

static void test_arn_short_pattern_pads_missing_parts_with_wildcards(void **state)
{
    assert_true(lc_iam_arn_match("arn:aws:dynamodb", TABLE));
    assert_false(lc_iam_arn_match("arn:aws:s3", TABLE));
}

static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arn_parse_splits_six_parts_and_keeps_colons_in_resource),
        cmocka_unit_test(test_arn_parse_refuses_non_arns),
        cmocka_unit_test(test_arn_wildcard_in_region_does_not_cross_into_account),
        cmocka_unit_test(test_arn_service_is_case_insensitive_and_resource_case_sensitive),
        cmocka_unit_test(test_arn_star_pattern_matches_anything),
        cmocka_unit_test(test_arn_short_pattern_pads_missing_parts_with_wildcards),
};

LC_TEST_MAIN(tests)
