/* test_parameter.c: parameter values, defaults, types and constraints. */
#include "lc_test.h"

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/json.h"

static json_t *s_resolve(const char *tmpl_json, const char *given_json, const char *bootstrap, json_t **problems)
{
    json_t *t = json_loads(tmpl_json, 0, NULL);
    json_t *g = given_json ? json_loads(given_json, 0, NULL) : NULL;
    *problems = json_array();
    json_t *out = lc_cfn_parameters_resolve(t, g, bootstrap, *problems);
    json_decref(t);
    json_decref(g);
    return out;
}

static bool s_has(const json_t *problems, const char *fragment)
{
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) if (strstr(json_string_value(p), fragment)) return true;
    return false;
}

static void test_cdk_bootstrap_version_is_answered_locally(void **state)
{
    json_t *problems;
    json_t *v = s_resolve("{\"Parameters\": {\"BootstrapVersion\": {\"Type\": \"AWS::SSM::Parameter::Value<String>\","
                          " \"Default\": \"/cdk-bootstrap/hnb659fds/version\"}}}", NULL, NULL, &problems);
    assert_int_equal(json_array_size(problems), 0);
    assert_string_equal(lc_json_str(v, "BootstrapVersion"), "30");
    json_decref(v);
    json_decref(problems);
}

static void test_other_ssm_parameters_are_not_found(void **state)
{
    json_t *problems;
    json_t *v = s_resolve("{\"Parameters\": {\"Ami\": {\"Type\": \"AWS::SSM::Parameter::Value<String>\","
                          " \"Default\": \"/aws/service/ami\"}}}", NULL, NULL, &problems);
    assert_true(s_has(problems, "Unable to fetch parameters [/aws/service/ami] from parameter store"));
    json_decref(v);
    json_decref(problems);
}

static void test_given_values_defaults_and_lists(void **state)
{
    json_t *problems;
    json_t *v = s_resolve("{\"Parameters\": {\"A\": {\"Type\": \"String\", \"Default\": \"x\"},"
                          " \"B\": {\"Type\": \"Number\"}, \"C\": {\"Type\": \"CommaDelimitedList\", \"Default\": \"a, b,c\"}}}",
                          "{\"B\": \"42\"}", NULL, &problems);
    assert_int_equal(json_array_size(problems), 0);
    char *s = lc_json_stringify(v, 0);
    assert_string_equal(s, "{\"A\":\"x\",\"B\":\"42\",\"C\":[\"a\",\"b\",\"c\"]}");
    lc_free(s);
    json_decref(v);
    json_decref(problems);
}

static void test_every_constraint_is_checked(void **state)
{
    json_t *problems;
    json_t *v = s_resolve("{\"Parameters\": {"
                          " \"Missing\": {\"Type\": \"String\"},"
                          " \"NotNumber\": {\"Type\": \"Number\", \"Default\": \"ten\"},"
                          " \"Allowed\": {\"Type\": \"String\", \"Default\": \"c\", \"AllowedValues\": [\"a\", \"b\"]},"
                          " \"Pattern\": {\"Type\": \"String\", \"Default\": \"ABC\", \"AllowedPattern\": \"[a-z]+\"},"
                          " \"Described\": {\"Type\": \"String\", \"Default\": \"ABC\", \"AllowedPattern\": \"[a-z]+\","
                          "                 \"ConstraintDescription\": \"lower case only\"},"
                          " \"Short\": {\"Type\": \"String\", \"Default\": \"ab\", \"MinLength\": 3},"
                          " \"Big\": {\"Type\": \"Number\", \"Default\": \"11\", \"MaxValue\": 10}}}",
                          "{\"Extra\": \"1\"}", NULL, &problems);
    assert_true(s_has(problems, "Parameters: [Missing] must have values"));
    assert_true(s_has(problems, "Parameter 'NotNumber' must be a number."));
    assert_true(s_has(problems, "Parameter 'Allowed' must be one of AllowedValues"));
    assert_true(s_has(problems, "Parameter 'Pattern' must match pattern [a-z]+"));
    assert_true(s_has(problems, "Parameter 'Described' failed to satisfy constraint: lower case only"));
    assert_true(s_has(problems, "Parameter 'Short' must contain at least 3 characters"));
    assert_true(s_has(problems, "Parameter 'Big' must be a number not greater than 10"));
    assert_true(s_has(problems, "Parameters: [Extra] do not exist in the template"));
    assert_int_equal(json_array_size(problems), 8);
    json_decref(v);
    json_decref(problems);
}

static void test_a_pattern_that_unrolls_past_its_budget_is_refused_before_compiling(void **state)
{
    /* glibc's regcomp took half a minute and gigabytes on this one. */
    json_t *problems;
    json_t *v = s_resolve("{\"Parameters\": {\"P\": {\"Type\": \"String\", \"Default\": \"a\","
                          " \"AllowedPattern\": \"((a{1,100}){1,100}){1,100}\"}}}", NULL, NULL, &problems);
    assert_true(s_has(problems, "Parameter 'P': AllowedPattern repeats too much to be checked"));
    json_decref(v);
    json_decref(problems);
    /* Ordinary bounded patterns, brackets and classes are still checked. */
    v = s_resolve("{\"Parameters\": {\"Ip\": {\"Type\": \"String\", \"Default\": \"10.0.0.0/16\","
                  " \"AllowedPattern\": \"[[:digit:]]{1,3}([.][0-9]{1,3}){3}/[0-9]{1,2}\"},"
                  " \"Name\": {\"Type\": \"String\", \"Default\": \"a.b\","
                  " \"AllowedPattern\": \"[a-z]{1,64}(\\\\.[a-z]{1,64}){0,200}\"},"
                  " \"Bad\": {\"Type\": \"String\", \"Default\": \"x1\", \"AllowedPattern\": \"[]a-z]{0,20}\"}}}",
                  NULL, NULL, &problems);
    assert_int_equal(json_array_size(problems), 1);
    assert_true(s_has(problems, "Parameter 'Bad' must match pattern"));
    json_decref(v);
    json_decref(problems);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cdk_bootstrap_version_is_answered_locally),
    cmocka_unit_test(test_other_ssm_parameters_are_not_found),
    cmocka_unit_test(test_given_values_defaults_and_lists),
    cmocka_unit_test(test_every_constraint_is_checked),
    cmocka_unit_test(test_a_pattern_that_unrolls_past_its_budget_is_refused_before_compiling),
};
LC_TEST_MAIN(tests)
