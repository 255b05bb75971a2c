/* test_request.c: the request context. */
#include "iam_test.h"

static void test_context_keys_are_case_insensitive_and_multivalued(void **state)
{
    struct lc_iam_request *r = lc_iam_request_new();
    lc_iam_request_add_context(r, "dynamodb:Attributes", "id");
    lc_iam_request_add_context(r, "DynamoDB:attributes", "name");
    const char *const *v;
    assert_int_equal(lc_iam_request_get_context(r, "DYNAMODB:ATTRIBUTES", &v), 2);
    assert_string_equal(v[1], "name");
    assert_int_equal(lc_iam_request_get_context(r, "aws:username", &v), 0);
    lc_iam_request_reset(r);
    assert_int_equal(lc_iam_request_get_context(r, "dynamodb:Attributes", &v), 0);
    lc_iam_request_free(r);
}

static void test_principal_type_follows_the_arn(void **state)
{
    assert_int_equal(lc_iam_principal_type_of(ALICE), LC_IAM_PRINCIPAL_USER);
    assert_int_equal(lc_iam_principal_type_of(SESSION), LC_IAM_PRINCIPAL_ASSUMED_ROLE);
    assert_int_equal(lc_iam_principal_type_of("arn:aws:iam::" ACCT ":root"), LC_IAM_PRINCIPAL_ROOT);
    assert_int_equal(lc_iam_principal_type_of("lambda.amazonaws.com"), LC_IAM_PRINCIPAL_SERVICE);
    assert_int_equal(lc_iam_principal_type_of(NULL), LC_IAM_PRINCIPAL_ANONYMOUS);
}

static void test_account_comes_from_the_principal_arn(void **state)
{
    /* Same-account rules need it: a resource policy naming the account delegates to identity policies. */
    const char *rp = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\"},"
                     "\"Action\":\"*\",\"Resource\":\"*\"}}";
    const char *id = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    assert_int_equal(t_eval(t_set(id, rp, NULL, NULL), t_req(ALICE, "dynamodb:GetItem", TABLE)), LC_IAM_ALLOWED);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_context_keys_are_case_insensitive_and_multivalued),
    cmocka_unit_test(test_principal_type_follows_the_arn),
    cmocka_unit_test(test_account_comes_from_the_principal_arn),
};

LC_TEST_MAIN(tests)
