/* test_explain.c: AWS's access-denied sentences (AWS-BEHAVIOUR.md §2.1), byte for byte. */
#include "iam_test.h"

#include "leastcloud/alloc.h"

static char *s_sentence(const char *who, const char *action, const char *resource, enum lc_iam_decision_kind k,
                        enum lc_iam_layer layer)
{
    struct lc_iam_request *r = t_req(who, action, resource);
    struct lc_iam_decision d = {.kind = k, .layer = layer, .statement_index = -1, .sid = ""};
    struct lc_buf b;
    lc_buf_init(&b, 4096);
    assert_int_equal(lc_iam_denial_message(r, &d, &b), 0);
    lc_iam_request_free(r);
    return lc_buf_detach(&b, NULL);
}

static void test_seed_put_item_denial_is_awss_exact_sentence(void **state)
{
    const char *pol = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":[\"dynamodb:BatchGetItem\",\"dynamodb:GetRecords\","
                      "\"dynamodb:GetShardIterator\",\"dynamodb:Query\",\"dynamodb:GetItem\",\"dynamodb:Scan\","
                      "\"dynamodb:ConditionCheckItem\",\"dynamodb:DescribeTable\"],\"Effect\":\"Allow\","
                      "\"Resource\":[\"arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable\"]}]}";
    struct lc_iam_policy_set *s = t_set(pol, NULL, NULL, NULL);
    struct lc_iam_request *r = t_req("arn:aws:iam::000000000000:user/read-table-user", "dynamodb:PutItem",
                                     "arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable");
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), 0);
    struct lc_buf b;
    lc_buf_init(&b, 4096);
    assert_int_equal(lc_iam_denial_message(r, &d, &b), 0);
    assert_string_equal(b.data, "User: arn:aws:iam::000000000000:user/read-table-user is not authorized to perform: "
                                "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable "
                                "because no identity-based policy allows the dynamodb:PutItem action");
    lc_buf_free(&b);
    lc_iam_request_free(r);
    lc_iam_policy_set_free(s);
}

static void test_explicit_deny_sentence_for_assumed_role_keeps_user_prefix(void **state)
{
    char *m = s_sentence("arn:aws:sts::583541782477:assumed-role/uacs-gitlab-runner-role-1/i-0da1b3e8ffe8e22b7",
                         "iam:CreateRole", "arn:aws:iam::583541782477:role/eks132-dev-adot", LC_IAM_EXPLICITLY_DENIED,
                         LC_IAM_LAYER_IDENTITY);
    assert_string_equal(m, "User: arn:aws:sts::583541782477:assumed-role/uacs-gitlab-runner-role-1/i-0da1b3e8ffe8e22b7 is "
                           "not authorized to perform: iam:CreateRole on resource: arn:aws:iam::583541782477:role/eks132-dev-adot "
                           "with an explicit deny in an identity-based policy");
    lc_free(m);
}

static void test_layer_phrases_name_boundary_session_and_resource_policies(void **state)
{
    char *m = s_sentence(ALICE, "dynamodb:GetItem", TABLE, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_SESSION);
    assert_non_null(strstr(m, "because no session policy allows the dynamodb:GetItem action"));
    lc_free(m);
    m = s_sentence(ALICE, "dynamodb:GetItem", TABLE, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_BOUNDARY);
    assert_non_null(strstr(m, "because no permissions boundary allows the dynamodb:GetItem action"));
    lc_free(m);
    m = s_sentence(ALICE, "dynamodb:GetItem", TABLE, LC_IAM_EXPLICITLY_DENIED, LC_IAM_LAYER_RESOURCE);
    assert_non_null(strstr(m, "with an explicit deny in a resource-based policy"));
    lc_free(m);
    m = s_sentence(ALICE, "dynamodb:GetItem", TABLE, LC_IAM_EXPLICITLY_DENIED, LC_IAM_LAYER_BOUNDARY);
    assert_non_null(strstr(m, "with an explicit deny in a permissions boundary"));
    lc_free(m);
}

static void test_account_level_action_names_star_as_resource(void **state)
{
    char *m = s_sentence(ALICE, "dynamodb:ListTables", "*", LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_IDENTITY);
    assert_non_null(strstr(m, "perform: dynamodb:ListTables on resource: * because"));
    lc_free(m);
}

static void test_allowed_decision_has_no_denial_sentence(void **state)
{
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    struct lc_iam_decision d = {.kind = LC_IAM_ALLOWED};
    struct lc_buf b;
    lc_buf_init(&b, 4096);
    assert_int_equal(lc_iam_denial_message(r, &d, &b), LC_EINVAL);
    assert_int_equal(b.len, 0);
    lc_buf_free(&b);
    lc_iam_request_free(r);
    assert_string_equal(lc_iam_decision_name(LC_IAM_EXPLICITLY_DENIED), "ExplicitlyDenied");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_put_item_denial_is_awss_exact_sentence),
    cmocka_unit_test(test_explicit_deny_sentence_for_assumed_role_keeps_user_prefix),
    cmocka_unit_test(test_layer_phrases_name_boundary_session_and_resource_policies),
    cmocka_unit_test(test_account_level_action_names_star_as_resource),
    cmocka_unit_test(test_allowed_decision_has_no_denial_sentence),
};

LC_TEST_MAIN(tests)
