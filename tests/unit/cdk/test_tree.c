/* test_tree.c: synth-time validation: every mistake is reported with a clear message and fails synth. */
#include "cdk_test.h"

static lc_app *s_app(lc_stack **stack)
{
    lc_app *app = lc_app_new(NULL);
    *stack = lc_stack_new(app, "S", NULL);
    return app;
}

static void test_duplicate_construct_id_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table_new(s, "t", &(lc_table_props){.partition_key = {"pk", LC_ATTR_STRING}});
    lc_user_new(s, "t", NULL);
    cdk_assert_synth_fails(app, "There is already a Construct with name 't' in S");
}

static void test_missing_partition_key_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table_new(s, "t", &(lc_table_props){.table_name = "items"});
    cdk_assert_synth_fails(app, "S/t: partition_key is required");
}

static void test_bad_table_name_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table_new(s, "t", &(lc_table_props){.table_name = "no spaces allowed", .partition_key = {"pk", LC_ATTR_STRING}});
    cdk_assert_synth_fails(app, "Invalid table name 'no spaces allowed'");
}

static void test_bad_function_name_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_function_new(s, "f", &(lc_function_props){.code = lc_code_from_inline("x"), .handler = "index.h",
                                                  .runtime = LC_RUNTIME_NODEJS_20_X, .function_name = "bad name!"});
    cdk_assert_synth_fails(app, "Function name bad name! can contain only letters, numbers, hyphens, or underscores");
}

static void test_function_name_over_64_characters_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_function_new(s, "f", &(lc_function_props){
        .code = lc_code_from_inline("x"), .handler = "index.h", .runtime = LC_RUNTIME_NODEJS_20_X,
        .function_name = "a123456789a123456789a123456789a123456789a123456789a123456789abcde"});
    cdk_assert_synth_fails(app, "can not be longer than 64 characters but has 65 characters");
}

static void test_timeout_over_15_minutes_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_function_new(s, "f", &(lc_function_props){.code = lc_code_from_inline("x"), .handler = "index.h",
                                                  .runtime = LC_RUNTIME_NODEJS_20_X, .timeout_s = 901});
    cdk_assert_synth_fails(app, "timeout must be between 1 and 900 seconds (15 minutes), got 901");
}

static void test_missing_asset_directory_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_function_new(s, "f", &(lc_function_props){.code = lc_code_from_asset("/nonexistent/lambda"),
                                                  .handler = "index.h", .runtime = LC_RUNTIME_NODEJS_20_X});
    cdk_assert_synth_fails(app, "Cannot find asset at /nonexistent/lambda");
}

static void test_token_as_key_attribute_name_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table *a = lc_table_new(s, "a", &(lc_table_props){.partition_key = {"pk", LC_ATTR_STRING}});
    lc_table_new(s, "b", &(lc_table_props){.partition_key = {lc_table_name(a), LC_ATTR_STRING}});
    cdk_assert_synth_fails(app, "partition_key must be a literal string, but got a token");
}

static void test_token_in_construct_id_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table *a = lc_table_new(s, "a", &(lc_table_props){.partition_key = {"pk", LC_ATTR_STRING}});
    lc_user_new(s, lc_table_name(a), NULL);
    cdk_assert_synth_fails(app, "Cannot use tokens in construct ID");
}

static void test_stream_grant_without_stream_fails_synth(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table *t = lc_table_new(s, "t", &(lc_table_props){.partition_key = {"pk", LC_ATTR_STRING}});
    lc_user *u = lc_user_new(s, "u", NULL);
    assert_int_not_equal(lc_table_grant_stream_read(t, u), 0);
    cdk_assert_synth_fails(app, "DynamoDB Streams must be enabled on the table S/t");
}

static void test_every_error_is_reported_not_only_the_first(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table_new(s, "t", NULL);
    lc_function_new(s, "f", &(lc_function_props){.code = lc_code_from_inline("x"), .handler = "i.h",
                                                  .runtime = LC_RUNTIME_NODEJS_20_X, .timeout_s = 1000});
    const char *errors = lc_app_errors(app);
    assert_non_null(strstr(errors, "partition_key is required"));
    assert_non_null(strstr(errors, "got 1000 seconds"));
    lc_app_free(app);
}

static void test_synth_exit_status_is_one_on_validation_error(void **state)
{
    char *dir = cdk_tmpdir();
    lc_app *app = lc_app_new(&(lc_app_props){.outdir = dir});
    lc_stack *s = lc_stack_new(app, "S", NULL);
    lc_table_new(s, "t", NULL);
    assert_int_equal(lc_app_synth(app), 1);
    lc_app_free(app);
    cdk_rm_rf(dir);
    lc_free(dir);
}

static void test_generated_table_name_omits_the_property(void **state)
{
    lc_stack *s;
    lc_app *app = s_app(&s);
    lc_table_new(s, "t", &(lc_table_props){.partition_key = {"pk", LC_ATTR_STRING}});
    json_t *t = cdk_synth_template(app, "S", NULL);
    json_t *props = json_object_get(json_object_get(json_object_get(t, "Resources"), "tD66BB68B"), "Properties");
    assert_non_null(props);
    assert_null(json_object_get(props, "TableName"));
    /* CDK's default billing: provisioned, 5/5. */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(props, "ProvisionedThroughput"), "ReadCapacityUnits")), 5);
    json_decref(t);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_construct_id_fails_synth),
        cmocka_unit_test(test_missing_partition_key_fails_synth),
        cmocka_unit_test(test_bad_table_name_fails_synth),
        cmocka_unit_test(test_bad_function_name_fails_synth),
        cmocka_unit_test(test_function_name_over_64_characters_fails_synth),
        cmocka_unit_test(test_timeout_over_15_minutes_fails_synth),
        cmocka_unit_test(test_missing_asset_directory_fails_synth),
        cmocka_unit_test(test_token_as_key_attribute_name_fails_synth),
        cmocka_unit_test(test_token_in_construct_id_fails_synth),
        cmocka_unit_test(test_stream_grant_without_stream_fails_synth),
        cmocka_unit_test(test_every_error_is_reported_not_only_the_first),
        cmocka_unit_test(test_synth_exit_status_is_one_on_validation_error),
        cmocka_unit_test(test_generated_table_name_omits_the_property),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
