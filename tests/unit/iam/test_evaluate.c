/*
 * test_evaluate.c: AWS's policy evaluation logic, one test per rule of
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
#include "iam_test.h"

#define ALLOW_ALL "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"
#define ALLOW_GET "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"}}"
#define ALLOW_S3 "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"
#define DENY_GET "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," \
                 "{\"Sid\":\"NoGets\",\"Effect\":\"Deny\",\"Action\":\"dynamodb:Get*\",\"Resource\":\"*\"}]}"
#define RP(principal, effect) "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"" effect "\",\"Principal\":" principal \
                              ",\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"}}"

static enum lc_iam_decision_kind s_eval(const char *id, const char *rp, const char *pb, const char *sp, const char *who,
                                        struct lc_iam_decision *out)
{
    struct lc_iam_policy_set *s = t_set(id, rp, pb, sp);
    struct lc_iam_request *r = t_req(who, "dynamodb:GetItem", TABLE);
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), 0);
    if (out) {
        /* The label and Sid are borrowed from the set, which is freed below: keep copies. */
        static char label[256], sid[256];
        *out = d;
        snprintf(label, sizeof label, "%s", d.policy_label ? d.policy_label : "");
        snprintf(sid, sizeof sid, "%s", d.sid ? d.sid : "");
        out->policy_label = d.policy_label ? label : NULL;
        out->sid = sid;
    }
    lc_iam_request_free(r);
    lc_iam_policy_set_free(s);
    return d.kind;
}

static void test_nothing_allows_means_implicit_deny_by_identity_layer(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_S3, NULL, NULL, NULL, ALICE, &d), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_IDENTITY);
    assert_null(d.policy_label);
    assert_int_equal(d.statement_index, -1);
}

static void test_identity_allow_allows_and_names_the_statement(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_GET, NULL, NULL, NULL, ALICE, &d), LC_IAM_ALLOWED);
    assert_string_equal(d.policy_label, "alice/inline");
    assert_int_equal(d.statement_index, 0);
}

static void test_deny_overrides_allow(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(DENY_GET, NULL, NULL, NULL, ALICE, &d), LC_IAM_EXPLICITLY_DENIED);
    assert_int_equal(d.statement_index, 1);
    assert_string_equal(d.sid, "NoGets");
}

static void test_deny_in_resource_policy_overrides_identity_allow(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_ALL, RP("\"*\"", "Deny"), NULL, NULL, ALICE, &d), LC_IAM_EXPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_RESOURCE);
}

static void test_deny_in_boundary_overrides_everything(void **state)
{
    const char *pb = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                     "{\"Effect\":\"Deny\",\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"}]}";
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_ALL, NULL, pb, NULL, ALICE, &d), LC_IAM_EXPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_BOUNDARY);
}

static void test_boundary_must_also_allow(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_ALL, NULL, ALLOW_S3, NULL, ALICE, &d), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_BOUNDARY);
    assert_int_equal(s_eval(ALLOW_GET, NULL, ALLOW_ALL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
}

static void test_boundary_alone_grants_nothing(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_S3, NULL, ALLOW_ALL, NULL, ALICE, &d), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_IDENTITY);
}

static void test_session_policy_must_also_allow(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(ALLOW_ALL, NULL, NULL, ALLOW_S3, SESSION, &d), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_SESSION);
    assert_int_equal(s_eval(ALLOW_ALL, NULL, NULL, ALLOW_GET, SESSION, NULL), LC_IAM_ALLOWED);
}

static void test_same_account_resource_policy_naming_the_user_allows_alone(void **state)
{
    struct lc_iam_decision d;
    assert_int_equal(s_eval(NULL, RP("{\"AWS\":\"" ALICE "\"}", "Allow"), NULL, NULL, ALICE, &d), LC_IAM_ALLOWED);
    assert_int_equal(d.layer, LC_IAM_LAYER_RESOURCE);
    assert_string_equal(d.policy_label, "table-policy");
}

static void test_resource_policy_naming_the_user_is_not_limited_by_the_boundary(void **state)
{
    assert_int_equal(s_eval(NULL, RP("{\"AWS\":\"" ALICE "\"}", "Allow"), ALLOW_S3, NULL, ALICE, NULL), LC_IAM_ALLOWED);
}

static void test_resource_policy_naming_the_role_is_limited_by_boundary_and_session(void **state)
{
    const char *rp = RP("{\"AWS\":\"arn:aws:iam::" ACCT ":role/Reader\"}", "Allow");
    assert_int_equal(s_eval(NULL, rp, NULL, NULL, SESSION, NULL), LC_IAM_ALLOWED);
    assert_int_equal(s_eval(NULL, rp, ALLOW_S3, NULL, SESSION, NULL), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(s_eval(NULL, rp, NULL, ALLOW_S3, SESSION, NULL), LC_IAM_IMPLICITLY_DENIED);
}

static void test_resource_policy_naming_the_session_is_not_limited_by_session_policy(void **state)
{
    assert_int_equal(s_eval(NULL, RP("{\"AWS\":\"" SESSION "\"}", "Allow"), NULL, ALLOW_S3, SESSION, NULL), LC_IAM_ALLOWED);
}

static void test_resource_policy_naming_the_account_delegates_to_identity_policies(void **state)
{
    const char *rp = RP("{\"AWS\":\"" ACCT "\"}", "Allow");
    assert_int_equal(s_eval(NULL, rp, NULL, NULL, ALICE, NULL), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(s_eval(ALLOW_GET, rp, NULL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
}

static void test_resource_policy_for_another_principal_does_not_apply(void **state)
{
    assert_int_equal(s_eval(NULL, RP("{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"}", "Allow"), NULL, NULL, ALICE, NULL),
                     LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(s_eval(ALLOW_ALL, RP("{\"AWS\":\"arn:aws:iam::" ACCT ":user/bob\"}", "Deny"), NULL, NULL, ALICE, NULL),
                     LC_IAM_ALLOWED);
}

static void test_not_principal_deny_applies_to_everyone_else(void **state)
{
    const char *rp = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" ACCT
                     ":user/bob\"},\"Action\":\"*\",\"Resource\":\"*\"}}";
    assert_int_equal(s_eval(ALLOW_ALL, rp, NULL, NULL, ALICE, NULL), LC_IAM_EXPLICITLY_DENIED);
}

static void test_not_principal_deny_ignores_the_list_for_a_principal_with_a_boundary(void **state)
{
    const char *rp = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" ACCT
                     "\"},\"Action\":\"*\",\"Resource\":\"*\"}}";
    assert_int_equal(s_eval(ALLOW_ALL, rp, NULL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
    assert_int_equal(s_eval(ALLOW_ALL, rp, ALLOW_ALL, NULL, ALICE, NULL), LC_IAM_EXPLICITLY_DENIED);
}

static void test_cross_account_needs_both_identity_and_resource_policy(void **state)
{
    const char *other = "arn:aws:iam::444455556666:user/mallory";
    const char *rp = RP("{\"AWS\":\"444455556666\"}", "Allow");
    assert_int_equal(s_eval(ALLOW_GET, NULL, NULL, NULL, other, NULL), LC_IAM_IMPLICITLY_DENIED);
    struct lc_iam_decision d;
    assert_int_equal(s_eval(NULL, rp, NULL, NULL, other, &d), LC_IAM_IMPLICITLY_DENIED);
    assert_int_equal(d.layer, LC_IAM_LAYER_IDENTITY);
    assert_int_equal(s_eval(ALLOW_GET, rp, NULL, NULL, other, NULL), LC_IAM_ALLOWED);
}

static void test_not_action_allows_everything_else(void **state)
{
    const char *p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}";
    assert_int_equal(s_eval(p, NULL, NULL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
    p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"dynamodb:*\",\"Resource\":\"*\"}}";
    assert_int_equal(s_eval(p, NULL, NULL, NULL, ALICE, NULL), LC_IAM_IMPLICITLY_DENIED);
}

static void test_not_resource_allows_every_other_resource(void **state)
{
    const char *p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":\"" TABLE "\"}}";
    assert_int_equal(s_eval(p, NULL, NULL, NULL, ALICE, NULL), LC_IAM_IMPLICITLY_DENIED);
    p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":\"arn:aws:s3:::*\"}}";
    assert_int_equal(s_eval(p, NULL, NULL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
}

static void test_actions_match_case_insensitively(void **state)
{
    const char *p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"DynamoDB:getitem\",\"Resource\":\"*\"}}";
    assert_int_equal(s_eval(p, NULL, NULL, NULL, ALICE, NULL), LC_IAM_ALLOWED);
}

static void test_account_level_action_needs_resource_star(void **state)
{
    const char *p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:ListTables\",\"Resource\":\"" TABLE "\"}}";
    struct lc_iam_policy_set *s = t_set(p, NULL, NULL, NULL);
    assert_int_equal(t_eval(s, t_req(ALICE, "dynamodb:ListTables", "*")), LC_IAM_IMPLICITLY_DENIED);
    s = t_set(ALLOW_ALL, NULL, NULL, NULL);
    assert_int_equal(t_eval(s, t_req(ALICE, "dynamodb:ListTables", "*")), LC_IAM_ALLOWED);
}

static void test_evaluate_refuses_an_uncompiled_set(void **state)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), LC_EINVAL);
    lc_iam_request_free(r);
    lc_iam_policy_set_free(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_nothing_allows_means_implicit_deny_by_identity_layer),
    cmocka_unit_test(test_identity_allow_allows_and_names_the_statement),
    cmocka_unit_test(test_deny_overrides_allow),
    cmocka_unit_test(test_deny_in_resource_policy_overrides_identity_allow),
    cmocka_unit_test(test_deny_in_boundary_overrides_everything),
    cmocka_unit_test(test_boundary_must_also_allow),
    cmocka_unit_test(test_boundary_alone_grants_nothing),
    cmocka_unit_test(test_session_policy_must_also_allow),
    cmocka_unit_test(test_same_account_resource_policy_naming_the_user_allows_alone),
    cmocka_unit_test(test_resource_policy_naming_the_user_is_not_limited_by_the_boundary),
    cmocka_unit_test(test_resource_policy_naming_the_role_is_limited_by_boundary_and_session),
    cmocka_unit_test(test_resource_policy_naming_the_session_is_not_limited_by_session_policy),
    cmocka_unit_test(test_resource_policy_naming_the_account_delegates_to_identity_policies),
    cmocka_unit_test(test_resource_policy_for_another_principal_does_not_apply),
    cmocka_unit_test(test_not_principal_deny_applies_to_everyone_else),
    cmocka_unit_test(test_not_principal_deny_ignores_the_list_for_a_principal_with_a_boundary),
    cmocka_unit_test(test_cross_account_needs_both_identity_and_resource_policy),
    cmocka_unit_test(test_not_action_allows_everything_else),
    cmocka_unit_test(test_not_resource_allows_every_other_resource),
    cmocka_unit_test(test_actions_match_case_insensitively),
    cmocka_unit_test(test_account_level_action_needs_resource_star),
    cmocka_unit_test(test_evaluate_refuses_an_uncompiled_set),
};

LC_TEST_MAIN(tests)
