/* test_variable.c: policy variables in Resource and condition values. */
#include "iam_test.h"

#define RES_POLICY(res) "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\",\"Resource\":\"" res "\"}}"

static enum lc_iam_decision_kind s_res(const char *policy, const char *resource, const char *user)
{
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", resource);
    if (user)
        lc_iam_request_add_context(r, "aws:username", user);
    return t_eval(t_set(policy, NULL, NULL, NULL), r);
}

static void test_username_variable_is_substituted_in_resource(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username}");
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/alice", "alice"), LC_IAM_ALLOWED);
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/bob", "alice"), LC_IAM_IMPLICITLY_DENIED);
}

static void test_variable_without_value_matches_nothing(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username}");
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username}", NULL), LC_IAM_IMPLICITLY_DENIED);
}

static void test_default_value_is_used_when_the_key_is_absent(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username, 'shared'}");
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/shared", NULL), LC_IAM_ALLOWED);
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/alice", "alice"), LC_IAM_ALLOWED);
}

static void test_special_characters_are_literal(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/a${*}b${?}c${$}");
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/a*b?c$", NULL), LC_IAM_ALLOWED);
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/aXXbYc$", NULL), LC_IAM_IMPLICITLY_DENIED);
}

static void test_substituted_value_wildcards_are_literal(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username}");
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/anything", "*"), LC_IAM_IMPLICITLY_DENIED);
}

static void test_version_2008_treats_variables_as_text(void **state)
{
    const char *p = "{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:*\","
                    "\"Resource\":\"arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:username}\"}}";
    assert_int_equal(s_res(p, "arn:aws:dynamodb:us-east-1:" ACCT ":table/alice", "alice"), LC_IAM_IMPLICITLY_DENIED);
}

static void test_variable_in_condition_value(void **state)
{
    const char *p = T_COND_POLICY("{\"StringLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/${aws:username}\"}}");
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    lc_iam_request_add_context(r, "aws:username", "alice");
    lc_iam_request_add_context(r, "aws:PrincipalArn", ALICE);
    assert_int_equal(t_eval(t_set(p, NULL, NULL, NULL), r), LC_IAM_ALLOWED);
}

static void test_principal_tag_variable(void **state)
{
    const char *p = RES_POLICY("arn:aws:dynamodb:us-east-1:" ACCT ":table/${aws:PrincipalTag/team}-*");
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" ACCT ":table/ops-logs");
    lc_iam_request_add_context(r, "aws:PrincipalTag/team", "ops");
    assert_int_equal(t_eval(t_set(p, NULL, NULL, NULL), r), LC_IAM_ALLOWED);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_username_variable_is_substituted_in_resource),
    cmocka_unit_test(test_variable_without_value_matches_nothing),
    cmocka_unit_test(test_default_value_is_used_when_the_key_is_absent),
    cmocka_unit_test(test_special_characters_are_literal),
    cmocka_unit_test(test_substituted_value_wildcards_are_literal),
    cmocka_unit_test(test_version_2008_treats_variables_as_text),
    cmocka_unit_test(test_variable_in_condition_value),
    cmocka_unit_test(test_principal_tag_variable),
};

LC_TEST_MAIN(tests)
