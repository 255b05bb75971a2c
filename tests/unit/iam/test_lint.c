/* test_lint.c: findings of `leastcloud iam lint`. */
#include "iam_test.h"

/* Lints an identity policy; returns how many findings carry `code`. */
static size_t s_count(const char *json, const char *code, enum lc_iam_severity *sev)
{
    struct lc_iam_policy *p = t_parse(json, LC_IAM_POLICY_IDENTITY);
    struct lc_iam_findings f = {0};
    assert_int_equal(lc_iam_lint(p, &f), 0);
    size_t n = 0;
    for (size_t i = 0; i < f.count; i++) {
        if (strcmp(f.items[i].code, code) == 0) {
            n++;
            if (sev)
                *sev = f.items[i].severity;
        }
    }
    lc_iam_findings_free(&f);
    lc_iam_policy_free(p);
    return n;
}

#define P(action, resource) "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":" action ",\"Resource\":" resource "}}"

static void test_lint_flags_action_star_as_error(void **state)
{
    enum lc_iam_severity sev;
    assert_int_equal(s_count(P("\"*\"", "\"*\""), "action-wildcard", &sev), 1);
    assert_int_equal(sev, LC_IAM_ERROR);
}

static void test_lint_flags_service_wildcards(void **state)
{
    assert_int_equal(s_count(P("\"dynamodb:*\"", "\"" TABLE "\""), "service-wildcard", NULL), 1);
    assert_int_equal(s_count(P("\"dynamodb:Get*\"", "\"" TABLE "\""), "service-wildcard", NULL), 0);
}

static void test_lint_flags_write_actions_on_every_resource(void **state)
{
    assert_int_equal(s_count(P("[\"dynamodb:PutItem\"]", "\"*\""), "write-on-all-resources", NULL), 1);
    assert_int_equal(s_count(P("[\"dynamodb:GetItem\"]", "\"*\""), "write-on-all-resources", NULL), 0);
}

static void test_lint_flags_allow_with_not_action(void **state)
{
    assert_int_equal(s_count("{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}",
                             "allow-not-action", NULL), 1);
    assert_int_equal(s_count("{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}",
                             "allow-not-action", NULL), 0);
}

static void test_lint_flags_unknown_actions_and_services(void **state)
{
    assert_int_equal(s_count(P("[\"dynamodb:GetItems\",\"dynamodb:Get*\"]", "\"*\""), "unknown-action", NULL), 1);
    assert_int_equal(s_count(P("\"dynamodb:Frobnicate*\"", "\"*\""), "unknown-action", NULL), 1);
    assert_int_equal(s_count(P("\"dynamobd:GetItem\"", "\"*\""), "unknown-service", NULL), 1);
}

static void test_lint_flags_stream_actions_granted_on_the_table_arn(void **state)
{
    /* CDK's grant_read_data: GetRecords and GetShardIterator act on stream ARNs only. */
    const char *p = P("[\"dynamodb:GetItem\",\"dynamodb:GetRecords\",\"dynamodb:GetShardIterator\"]",
                      "[\"arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable\"]");
    assert_int_equal(s_count(p, "action-resource-mismatch", NULL), 2);
    p = P("[\"dynamodb:GetRecords\"]", "[\"arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable/stream/*\"]");
    assert_int_equal(s_count(p, "action-resource-mismatch", NULL), 0);
}

static void test_lint_flags_account_level_actions_on_a_specific_resource(void **state)
{
    assert_int_equal(s_count(P("\"dynamodb:ListTables\"", "\"" TABLE "\""), "action-resource-mismatch", NULL), 1);
}

static void test_action_table_knows_services_and_actions_case_insensitively(void **state)
{
    assert_true(lc_iam_action_known("DynamoDB:getitem"));
    assert_false(lc_iam_action_known("dynamodb:GetItems"));
    assert_true(lc_iam_service_known("dynamodb", 8));
    assert_false(lc_iam_service_known("dynamo", 6));
    assert_string_equal(lc_iam_action_resource_arns("dynamodb:ListTables"), "");
    assert_non_null(strstr(lc_iam_action_resource_arns("dynamodb:GetRecords"), "/stream/"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lint_flags_action_star_as_error),
    cmocka_unit_test(test_lint_flags_service_wildcards),
    cmocka_unit_test(test_lint_flags_write_actions_on_every_resource),
    cmocka_unit_test(test_lint_flags_allow_with_not_action),
    cmocka_unit_test(test_lint_flags_unknown_actions_and_services),
    cmocka_unit_test(test_lint_flags_stream_actions_granted_on_the_table_arn),
    cmocka_unit_test(test_lint_flags_account_level_actions_on_a_specific_resource),
    cmocka_unit_test(test_action_table_knows_services_and_actions_case_insensitively),
};

LC_TEST_MAIN(tests)
