/* test_rule.c: Rules, as CDK's CheckBootstrapVersion uses them. */
#include "lc_test.h"

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

static const char *s_cdk_rules =
    "{\"Parameters\": {\"BootstrapVersion\": {\"Type\": \"AWS::SSM::Parameter::Value<String>\","
    "  \"Default\": \"/cdk-bootstrap/hnb659fds/version\"}},"
    " \"Rules\": {\"CheckBootstrapVersion\": {\"Assertions\": [{\"Assert\": {\"Fn::Not\": [{\"Fn::Contains\":"
    "  [[\"1\", \"2\", \"3\", \"4\", \"5\"], {\"Ref\": \"BootstrapVersion\"}]}]},"
    "  \"AssertDescription\": \"CDK bootstrap stack version 6 required.\"}]},"
    "  \"OnlyInProd\": {\"RuleCondition\": {\"Fn::Equals\": [{\"Ref\": \"AWS::Region\"}, \"eu-west-1\"]},"
    "   \"Assertions\": [{\"Assert\": {\"Fn::Equals\": [\"a\", \"b\"]}}]}},"
    " \"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}";

static json_t *s_check(const char *bootstrap)
{
    json_t *t = json_loads(s_cdk_rules, 0, NULL);
    json_t *problems = json_array();
    struct lc_cfn_eval ev = {.template = t, .region = "us-east-1", .account = "000000000000", .partition = "aws"};
    ev.params = lc_cfn_parameters_resolve(t, NULL, bootstrap, problems);
    struct lc_error err;
    assert_int_equal(lc_cfn_rules_check(&ev, problems, &err), 0);
    json_decref(ev.params);
    json_decref(ev.conditions);
    json_decref(t);
    return problems;
}

static void test_cdk_bootstrap_rule_passes_with_the_local_version(void **state)
{
    json_t *p = s_check(NULL);
    assert_int_equal(json_array_size(p), 0);
    json_decref(p);
}

static void test_cdk_bootstrap_rule_fails_with_an_old_version(void **state)
{
    json_t *p = s_check("5");
    assert_int_equal(json_array_size(p), 1);
    assert_string_equal(json_string_value(json_array_get(p, 0)), "CDK bootstrap stack version 6 required.");
    json_decref(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cdk_bootstrap_rule_passes_with_the_local_version),
    cmocka_unit_test(test_cdk_bootstrap_rule_fails_with_an_old_version),
};
LC_TEST_MAIN(tests)
