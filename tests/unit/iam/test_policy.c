/* test_policy.c: parsing and IAM's validation of policy documents (MalformedPolicyDocument). */
#include "iam_test.h"

static void s_expect_error(const char *json, enum lc_iam_policy_kind kind, const char *where, const char *what)
{
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_iam_policy *p = lc_iam_policy_parse(json, strlen(json), kind, &err);
    if (p)
        fail_msg("accepted: %s", json);
    assert_string_equal(err.aws_code, "MalformedPolicyDocument");
    assert_int_equal(err.http_status, 400);
    if (strncmp(err.message, where, strlen(where)) != 0 || !strstr(err.message, what))
        fail_msg("message '%s' lacks '%s' ... '%s'", err.message, where, what);
}

static void test_policy_accepts_statement_object_or_array_and_both_versions(void **state)
{
    struct lc_iam_policy *p = t_parse("{\"Version\":\"2008-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}",
                                      LC_IAM_POLICY_IDENTITY);
    assert_int_equal(lc_iam_policy_statement_count(p), 1);
    lc_iam_policy_free(p);
    p = t_parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"*\"]},"
                "{\"Sid\":\"B\",\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"NotResource\":\"arn:aws:s3:::b/*\"}]}",
                LC_IAM_POLICY_IDENTITY);
    assert_int_equal(lc_iam_policy_statement_count(p), 2);
    assert_string_equal(lc_iam_policy_statement_sid(p, 1), "B");
    lc_iam_policy_free(p);
}

static void test_policy_error_names_the_statement_and_action_index(void **state)
{
    s_expect_error("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},"
                   "{\"Effect\":\"Allow\",\"Action\":[\"GetItem\"],\"Resource\":\"*\"}]}",
                   LC_IAM_POLICY_IDENTITY, "Statement[1].Action[0]: ", "prefaced by a vendor");
}

static void test_policy_requires_actions_resources_and_a_valid_effect(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}", LC_IAM_POLICY_IDENTITY, "Statement[0]",
                   "must contain actions");
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}}", LC_IAM_POLICY_IDENTITY, "Statement[0]",
                   "must contain resources");
    s_expect_error("{\"Statement\":{\"Effect\":\"Alow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", LC_IAM_POLICY_IDENTITY,
                   "Statement[0].Effect", "Invalid effect");
}

static void test_policy_resource_must_be_an_arn_or_star(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[\"*\",\"bucket\"]}}",
                   LC_IAM_POLICY_IDENTITY, "Statement[0].Resource[1]", "must be in ARN format or \"*\"");
}

static void test_policy_identity_policy_must_not_name_a_principal(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                   LC_IAM_POLICY_IDENTITY, "Statement[0]", "should not specify a principal");
}

static void test_policy_resource_policy_needs_a_principal(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", LC_IAM_POLICY_RESOURCE,
                   "Statement[0]", "Principal");
    struct lc_iam_policy *p = t_parse("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ACCT "\","
                                      "\"Service\":[\"lambda.amazonaws.com\"]},\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                                      LC_IAM_POLICY_RESOURCE);
    lc_iam_policy_free(p);
}

static void test_policy_rejects_both_action_and_not_action(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"NotAction\":\"s3:Get*\",\"Resource\":\"*\"}}",
                   LC_IAM_POLICY_IDENTITY, "Statement[0]", "both Action and NotAction");
}

static void test_policy_sids_must_be_unique_and_alphanumeric(void **state)
{
    s_expect_error("{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
                   "{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
                   LC_IAM_POLICY_IDENTITY, "Statement[1].Sid", "must be unique");
    s_expect_error("{\"Statement\":{\"Sid\":\"a-b\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                   LC_IAM_POLICY_IDENTITY, "Statement[0].Sid", "alpha-numeric");
}

static void test_policy_rejects_unknown_elements_and_versions(void **state)
{
    s_expect_error("{\"Statement\":{\"Effect\":\"Allow\",\"action\":\"s3:*\",\"Resource\":\"*\"}}", LC_IAM_POLICY_IDENTITY,
                   "Statement[0].action", "Unknown element");
    s_expect_error("{\"Version\":\"2012-10-18\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                   LC_IAM_POLICY_IDENTITY, "Version", "valid version");
}

static void test_policy_rejects_unknown_condition_operators(void **state)
{
    s_expect_error(T_COND_POLICY("{\"StringEqualz\":{\"aws:username\":\"a\"}}"), LC_IAM_POLICY_IDENTITY,
                   "Statement[0].Condition.StringEqualz", "Invalid Condition type");
    s_expect_error(T_COND_POLICY("{\"NullIfExists\":{\"aws:username\":\"true\"}}"), LC_IAM_POLICY_IDENTITY,
                   "Statement[0].Condition.NullIfExists", "Invalid Condition type");
}

static void test_policy_json_syntax_error_is_malformed(void **state)
{
    struct lc_error err;
    assert_null(lc_iam_policy_parse("{\"Statement\":", 13, LC_IAM_POLICY_IDENTITY, &err));
    assert_string_equal(err.aws_code, "MalformedPolicyDocument");
    assert_non_null(strstr(err.message, "Syntax errors in policy"));
}

static void test_policy_size_quota_counts_characters_without_whitespace(void **state)
{
    const char *ws = " { \"a\" :\n 1 } ";
    assert_int_equal(lc_iam_policy_size(ws, strlen(ws)), 7);
    size_t n = 12000;
    char *big = malloc(n + 200);
    int off = snprintf(big, 200, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::");
    memset(big + off, 'x', n);
    memcpy(big + off + n, "\"}}", 4);
    struct lc_error err;
    assert_null(lc_iam_policy_parse(big, strlen(big), LC_IAM_POLICY_IDENTITY, &err));
    assert_string_equal(err.aws_code, "LimitExceeded");
    free(big);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_policy_accepts_statement_object_or_array_and_both_versions),
    cmocka_unit_test(test_policy_error_names_the_statement_and_action_index),
    cmocka_unit_test(test_policy_requires_actions_resources_and_a_valid_effect),
    cmocka_unit_test(test_policy_resource_must_be_an_arn_or_star),
    cmocka_unit_test(test_policy_identity_policy_must_not_name_a_principal),
    cmocka_unit_test(test_policy_resource_policy_needs_a_principal),
    cmocka_unit_test(test_policy_rejects_both_action_and_not_action),
    cmocka_unit_test(test_policy_sids_must_be_unique_and_alphanumeric),
    cmocka_unit_test(test_policy_rejects_unknown_elements_and_versions),
    cmocka_unit_test(test_policy_rejects_unknown_condition_operators),
    cmocka_unit_test(test_policy_json_syntax_error_is_malformed),
    cmocka_unit_test(test_policy_size_quota_counts_characters_without_whitespace),
};

LC_TEST_MAIN(tests)
