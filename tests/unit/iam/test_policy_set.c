/* test_policy_set.c: building and compiling a policy set. */
#include "iam_test.h"

#define ID "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"

static void test_set_refuses_a_resource_policy_in_an_identity_layer(void **state)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    const char *rp = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "x", t_parse(rp, LC_IAM_POLICY_RESOURCE)), LC_EINVAL);
    assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_RESOURCE, "x", t_parse(ID, LC_IAM_POLICY_IDENTITY)), LC_EINVAL);
    lc_iam_policy_set_free(s);
}

static void test_set_is_read_only_once_compiled(void **state)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "a", t_parse(ID, LC_IAM_POLICY_IDENTITY)), 0);
    assert_int_equal(lc_iam_policy_set_compile(s), 0);
    assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "b", t_parse(ID, LC_IAM_POLICY_IDENTITY)), LC_EINVAL);
    lc_iam_policy_set_free(s);
}

static void test_deciding_statement_names_the_right_policy_among_many(void **state)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    const char *s3 = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}";
    const char *ddb = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"},"
                      "{\"Sid\":\"Reads\",\"Effect\":\"Allow\",\"Action\":\"dynamodb:Get*\",\"Resource\":\"*\"}]}";
    lc_iam_policy_set_add(s, LC_IAM_LAYER_BOUNDARY, "boundary", t_parse(ID, LC_IAM_POLICY_IDENTITY));
    lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "alice/S3", t_parse(s3, LC_IAM_POLICY_IDENTITY));
    lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "arn:aws:iam::" ACCT ":policy/Reads", t_parse(ddb, LC_IAM_POLICY_IDENTITY));
    lc_iam_policy_set_compile(s);
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), 0);
    assert_int_equal(d.kind, LC_IAM_ALLOWED);
    assert_string_equal(d.policy_label, "arn:aws:iam::" ACCT ":policy/Reads");
    assert_int_equal(d.statement_index, 1);
    assert_string_equal(d.sid, "Reads");
    lc_iam_request_free(r);
    lc_iam_policy_set_free(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_set_refuses_a_resource_policy_in_an_identity_layer),
    cmocka_unit_test(test_set_is_read_only_once_compiled),
    cmocka_unit_test(test_deciding_statement_names_the_right_policy_among_many),
};

LC_TEST_MAIN(tests)
