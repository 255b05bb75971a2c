/* test_intrinsic.c: every intrinsic function, conditions and pseudo parameters. */
#include "lc_test.h"

#include <pthread.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

static const char *s_template =
    "{\"Parameters\": {\"Env\": {\"Type\": \"String\"}, \"Subnets\": {\"Type\": \"CommaDelimitedList\"}},"
    " \"Mappings\": {\"Sizes\": {\"prod\": {\"Memory\": 1024}, \"dev\": {\"Memory\": 128}}},"
    " \"Conditions\": {\"IsProd\": {\"Fn::Equals\": [{\"Ref\": \"Env\"}, \"prod\"]},"
    "                  \"IsUsEast\": {\"Fn::Equals\": [{\"Ref\": \"AWS::Region\"}, \"us-east-1\"]},"
    "                  \"Both\": {\"Fn::And\": [{\"Condition\": \"IsProd\"}, {\"Condition\": \"IsUsEast\"}]},"
    "                  \"Either\": {\"Fn::Or\": [{\"Condition\": \"IsProd\"}, {\"Condition\": \"IsUsEast\"}]},"
    "                  \"NotProd\": {\"Fn::Not\": [{\"Condition\": \"IsProd\"}]},"
    "                  \"Loop1\": {\"Fn::Not\": [{\"Condition\": \"Loop2\"}]},"
    "                  \"Loop2\": {\"Fn::Not\": [{\"Condition\": \"Loop1\"}]}},"
    " \"Resources\": {\"Table\": {\"Type\": \"AWS::DynamoDB::Table\"}}}";

struct fixture {
    json_t *tmpl;
    struct lc_cfn_eval ev;
};

static int s_ref_calls;

static int s_ref(void *ud, const char *logical, json_t **out, struct lc_error *err)
{
    s_ref_calls++;
    *out = json_string("physical-table");
    return 0;
}

static int s_getatt(void *ud, const char *logical, const char *attr, json_t **out, struct lc_error *err)
{
    if (strcmp(attr, "Arn") != 0)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "no attribute %s", attr);
    *out = json_string("arn:aws:dynamodb:us-east-1:000000000000:table/physical-table");
    return 0;
}

static char *s_import(void *ud, const char *name)
{
    return strcmp(name, "shared-vpc") == 0 ? lc_strdup("vpc-123") : NULL;
}

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof *f);
    f->tmpl = json_loads(s_template, 0, NULL);
    f->ev.template = f->tmpl;
    f->ev.params = json_pack("{s:s, s:[s,s]}", "Env", "prod", "Subnets", "a", "b");
    f->ev.account = "000000000000";
    f->ev.region = "us-east-1";
    f->ev.partition = "aws";
    f->ev.url_suffix = "amazonaws.com";
    f->ev.stack_name = "MyStack";
    f->ev.stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/MyStack/1";
    f->ev.resolver = (struct lc_cfn_resolver){s_ref, s_getatt, s_import, NULL};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    json_decref(f->tmpl);
    json_decref(f->ev.params);
    json_decref(f->ev.conditions);
    lc_free(f);
    return 0;
}

/* Evaluates `in` (JSON text) and compares the compact result with `want` ("<novalue>" for NoValue). */
static void s_check(void **state, const char *in, const char *want)
{
    struct fixture *f = *state;
    json_t *v = json_loads(in, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    json_t *out = NULL;
    struct lc_error err;
    int rc = lc_cfn_eval(&f->ev, v, &out, &err);
    if (rc)
        fail_msg("%s: %s", in, err.message);
    char *got = out ? lc_json_stringify(out, 0) : lc_strdup("<novalue>");
    assert_string_equal(got, want);
    lc_free(got);
    json_decref(out);
    json_decref(v);
}

static void s_check_error(void **state, const char *in, const char *fragment)
{
    struct fixture *f = *state;
    json_t *v = json_loads(in, JSON_DECODE_ANY, NULL);
    json_t *out = NULL;
    struct lc_error err;
    assert_int_not_equal(lc_cfn_eval(&f->ev, v, &out, &err), 0);
    assert_null(out);
    if (!strstr(err.message, fragment))
        fail_msg("'%s' not in '%s'", fragment, err.message);
    json_decref(v);
}

static void test_ref_resolves_parameters_pseudo_parameters_and_resources(void **state)
{
    s_check(state, "{\"Ref\": \"Env\"}", "\"prod\"");
    s_check(state, "{\"Ref\": \"Subnets\"}", "[\"a\",\"b\"]");
    s_check(state, "{\"Ref\": \"Table\"}", "\"physical-table\"");
    s_check(state, "[{\"Ref\": \"AWS::AccountId\"}, {\"Ref\": \"AWS::Region\"}, {\"Ref\": \"AWS::Partition\"},"
                   " {\"Ref\": \"AWS::StackName\"}, {\"Ref\": \"AWS::URLSuffix\"}, {\"Ref\": \"AWS::StackId\"}]",
            "[\"000000000000\",\"us-east-1\",\"aws\",\"MyStack\",\"amazonaws.com\","
            "\"arn:aws:cloudformation:us-east-1:000000000000:stack/MyStack/1\"]");
}

static void test_novalue_removes_the_key_or_element(void **state)
{
    s_check(state, "{\"A\": {\"Ref\": \"AWS::NoValue\"}, \"B\": [1, {\"Ref\": \"AWS::NoValue\"}, 2]}", "{\"B\":[1,2]}");
    s_check(state, "{\"Ref\": \"AWS::NoValue\"}", "<novalue>");
}

static void test_unknown_ref_is_an_unresolved_dependency(void **state)
{
    s_check_error(state, "{\"Ref\": \"Nope\"}", "Unresolved resource dependencies [Nope]");
}

static void test_getatt_both_forms(void **state)
{
    s_check(state, "{\"Fn::GetAtt\": [\"Table\", \"Arn\"]}", "\"arn:aws:dynamodb:us-east-1:000000000000:table/physical-table\"");
    s_check(state, "{\"Fn::GetAtt\": \"Table.Arn\"}", "\"arn:aws:dynamodb:us-east-1:000000000000:table/physical-table\"");
    s_check_error(state, "{\"Fn::GetAtt\": [\"Table\", \"Nope\"]}", "no attribute Nope");
}

static void test_join_of_strings_numbers_and_lists(void **state)
{
    s_check(state, "{\"Fn::Join\": [\"\", [\"arn:\", {\"Ref\": \"AWS::Partition\"}, \":iam::aws:policy/x\"]]}",
            "\"arn:aws:iam::aws:policy/x\"");
    s_check(state, "{\"Fn::Join\": [\",\", {\"Ref\": \"Subnets\"}]}", "\"a,b\"");
    s_check(state, "{\"Fn::Join\": [\"-\", [1, true, \"x\"]]}", "\"1-true-x\"");
}

static void test_sub_string_form_with_refs_attributes_and_literals(void **state)
{
    s_check(state, "{\"Fn::Sub\": \"cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}\"}",
            "\"cdk-hnb659fds-assets-000000000000-us-east-1\"");
    s_check(state, "{\"Fn::Sub\": \"${Table}|${Table.Arn}|${!Literal}|${ Env }\"}",
            "\"physical-table|arn:aws:dynamodb:us-east-1:000000000000:table/physical-table|${Literal}|prod\"");
}

static void test_sub_list_form_uses_its_variables_first(void **state)
{
    s_check(state, "{\"Fn::Sub\": [\"${Env}-${Name}\", {\"Name\": {\"Ref\": \"Table\"}, \"Env\": \"override\"}]}",
            "\"override-physical-table\"");
}

static void test_select_split_and_getazs(void **state)
{
    s_check(state, "{\"Fn::Select\": [\"1\", {\"Fn::Split\": [\",\", \"x,y,z\"]}]}", "\"y\"");
    s_check(state, "{\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}", "\"us-east-1a\"");
    s_check_error(state, "{\"Fn::Select\": [5, [\"a\"]]}", "cannot select nonexistent value at index 5");
}

static void test_conditions_if_equals_and_or_not(void **state)
{
    s_check(state, "{\"Fn::If\": [\"IsProd\", \"big\", \"small\"]}", "\"big\"");
    s_check(state, "{\"Fn::If\": [\"NotProd\", \"big\", {\"Ref\": \"AWS::NoValue\"}]}", "<novalue>");
    s_check(state, "[{\"Fn::If\": [\"Both\", 1, 0]}, {\"Fn::If\": [\"Either\", 1, 0]}]", "[1,1]");
    s_check(state, "{\"Fn::Equals\": [\"10\", 10]}", "true");
    s_check(state, "{\"Fn::Or\": [{\"Fn::Equals\": [\"a\", \"b\"]}, {\"Condition\": \"NotProd\"}]}", "false");
}

static void test_circular_conditions_are_reported(void **state)
{
    s_check_error(state, "{\"Fn::If\": [\"Loop1\", 1, 2]}", "Circular dependency between conditions");
}

static void test_find_in_map_with_and_without_default(void **state)
{
    s_check(state, "{\"Fn::FindInMap\": [\"Sizes\", {\"Ref\": \"Env\"}, \"Memory\"]}", "1024");
    s_check(state, "{\"Fn::FindInMap\": [\"Sizes\", \"test\", \"Memory\", {\"DefaultValue\": 256}]}", "256");
    s_check_error(state, "{\"Fn::FindInMap\": [\"Sizes\", \"test\", \"Memory\"]}", "Unable to get mapping for Sizes::test::Memory");
}

static void test_base64_import_value_and_cidr(void **state)
{
    s_check(state, "{\"Fn::Base64\": \"hello\"}", "\"aGVsbG8=\"");
    s_check(state, "{\"Fn::ImportValue\": \"shared-vpc\"}", "\"vpc-123\"");
    s_check_error(state, "{\"Fn::ImportValue\": \"missing\"}", "No export named missing found");
    s_check(state, "{\"Fn::Cidr\": [\"10.0.0.0/16\", 3, 8]}", "[\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/24\"]");
    s_check(state, "{\"Fn::Cidr\": [\"192.168.0.0/24\", \"2\", \"5\"]}", "[\"192.168.0.0/27\",\"192.168.0.32/27\"]");
}

static void test_rule_functions_only_inside_rules(void **state)
{
    struct fixture *f = *state;
    s_check_error(state, "{\"Fn::Contains\": [[\"1\"], \"1\"]}", "Unrecognized function 'Fn::Contains'");
    f->ev.rules = true;
    s_check(state, "{\"Fn::Not\": [{\"Fn::Contains\": [[\"1\",\"2\",\"3\",\"4\",\"5\"], \"30\"]}]}", "true");
    s_check(state, "{\"Fn::EachMemberEquals\": [[\"a\",\"a\"], \"a\"]}", "true");
    s_check(state, "{\"Fn::EachMemberIn\": [[\"a\",\"b\"], [\"a\"]]}", "false");
}

static void test_unknown_functions_are_refused(void **state)
{
    s_check_error(state, "{\"Fn::Nope\": 1}", "Unrecognized function 'Fn::Nope'");
}

static void test_sub_evaluates_each_variable_once(void **state)
{
    s_ref_calls = 0;
    s_check(state, "{\"Fn::Sub\": [\"${v}-${v}-${ v }\", {\"v\": {\"Ref\": \"Table\"}}]}",
            "\"physical-table-physical-table-physical-table\"");
    assert_int_equal(s_ref_calls, 1);
    /* Each level uses the one inside it twelve times: 12^8 evaluations when a use re-evaluates. */
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (int i = 0; i < 8; i++)
        lc_buf_append_str(&b, "{\"Fn::Sub\": [\"${v}${v}${v}${v}${v}${v}${v}${v}${v}${v}${v}${v}\", {\"v\": ");
    lc_buf_append_str(&b, "\"\"");
    for (int i = 0; i < 8; i++)
        lc_buf_append_str(&b, "}]}");
    s_check(state, b.data, "\"\"");
    lc_buf_free(&b);
}

static void test_values_longer_than_a_mebibyte_are_refused(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    /* Each Fn::ToJsonString doubles the backslashes of the one inside it. */
    for (int i = 0; i < 24; i++)
        lc_buf_append_str(&b, "{\"Fn::ToJsonString\": [");
    lc_buf_append_str(&b, "\"\\\"\"");
    for (int i = 0; i < 24; i++)
        lc_buf_append_str(&b, "]}");
    s_check_error(state, b.data, "Fn::ToJsonString would produce a string longer than 1048576 bytes");
    lc_buf_reset(&b);
    for (int i = 0; i < 60; i++)
        lc_buf_append_str(&b, "{\"Fn::Base64\": ");
    lc_buf_append_str(&b, "\"abc\"");
    for (int i = 0; i < 60; i++)
        lc_buf_append_str(&b, "}");
    s_check_error(state, b.data, "Fn::Base64 would produce a string longer than");
    /* A long variable used many times, and a long list joined. */
    lc_buf_reset(&b);
    lc_buf_append_str(&b, "{\"Fn::Sub\": [\"");
    for (int i = 0; i < 300; i++)
        lc_buf_append_str(&b, "${v}");
    lc_buf_append_str(&b, "\", {\"v\": \"");
    for (int i = 0; i < 4000; i++)
        lc_buf_append_byte(&b, 'x');
    lc_buf_append_str(&b, "\"}]}");
    s_check_error(state, b.data, "Fn::Sub would produce a string longer than");
    lc_buf_reset(&b);
    lc_buf_append_str(&b, "{\"Fn::Join\": [\"-\", [");
    for (int i = 0; i < 300; i++) {
        lc_buf_append_str(&b, i ? ",\"" : "\"");
        for (int j = 0; j < 4000; j++)
            lc_buf_append_byte(&b, 'y');
        lc_buf_append_byte(&b, '"');
    }
    lc_buf_append_str(&b, "]]}");
    s_check_error(state, b.data, "Fn::Join would produce a string longer than");
    lc_buf_free(&b);
}

struct chain_run {
    json_t *tmpl;
    int rc;
    struct lc_error err;
};

static void *s_chain_thread(void *arg)
{
    struct chain_run *r = arg;
    struct lc_cfn_eval ev = {.template = r->tmpl, .region = "us-east-1"};
    bool b;
    r->rc = lc_cfn_condition(&ev, "C0", &b, &r->err);
    json_decref(ev.conditions);
    return NULL;
}

static void test_a_long_chain_of_conditions_is_refused_without_running_out_of_stack(void **state)
{
    /* C0 -> C1 -> ... -> C100000, each only {"Condition": next}, evaluated on a thread with a small
     * stack, as the API's workers have. */
    json_t *conds = json_object();
    char name[32], next[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "C%d", i);
        snprintf(next, sizeof next, "C%d", i + 1);
        json_object_set_new(conds, name, json_pack("{s:s}", "Condition", next));
    }
    json_object_set_new(conds, "C100000", json_pack("{s:[s,s]}", "Fn::Equals", "a", "a"));
    struct chain_run r = {.tmpl = json_pack("{s:o}", "Conditions", conds)};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    pthread_t t;
    assert_int_equal(pthread_create(&t, &attr, s_chain_thread, &r), 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    assert_int_equal(r.rc, LC_EINVAL);
    assert_string_equal(r.err.aws_code, "ValidationError");
    assert_non_null(strstr(r.err.message, "conditions refer to conditions more than 128 levels deep"));
    json_decref(r.tmpl);
}

#define FX_TEST( name ) cmocka_unit_test_setup_teardown( name, setup, teardown)
static const struct CMUnitTest tests[] = {
    FX_TEST(test_ref_resolves_parameters_pseudo_parameters_and_resources),
    FX_TEST(test_novalue_removes_the_key_or_element),
    FX_TEST(test_unknown_ref_is_an_unresolved_dependency),
    FX_TEST(test_getatt_both_forms),
    FX_TEST(test_join_of_strings_numbers_and_lists),
    FX_TEST(test_sub_string_form_with_refs_attributes_and_literals),
    FX_TEST(test_sub_list_form_uses_its_variables_first),
    FX_TEST(test_select_split_and_getazs),
    FX_TEST(test_conditions_if_equals_and_or_not),
    FX_TEST(test_circular_conditions_are_reported),
    FX_TEST(test_find_in_map_with_and_without_default),
    FX_TEST(test_base64_import_value_and_cidr),
    FX_TEST(test_rule_functions_only_inside_rules),
    FX_TEST(test_unknown_functions_are_refused),
    FX_TEST(test_sub_evaluates_each_variable_once),
    FX_TEST(test_values_longer_than_a_mebibyte_are_refused),
    cmocka_unit_test(test_a_long_chain_of_conditions_is_refused_without_running_out_of_stack),
};
LC_TEST_MAIN(tests)
