/*
 * test_assembly.c: every stack of ../shared/cdk-reference written in C, synthesized, and compared
 * with what real AWS CDK 2.276 synthesized for it (copies in reference/; CDKMetadata excluded).
 */
#include "cdk_test.h"

#include <sys/stat.h>

enum variant { SEED, WRITE, READWRITE, FULL, SORTKEY_GSI, STREAM, INVOKE, CUSTOM };

/* The blog's stack with one change per variant, as in the references' app.js files. */
static lc_app *s_variant(enum variant v, const char *stack_name, const char *context)
{
    lc_app *app = lc_app_new(&(lc_app_props){.context_json = context});
    lc_stack *stack = lc_stack_new(app, stack_name, NULL);
    lc_table_props tp = {
        .table_name = "dynamoTable",
        .partition_key = {"timestamp", LC_ATTR_NUMBER},
        .billing_mode = LC_BILLING_PAY_PER_REQUEST,
    };
    if (v == SORTKEY_GSI) {
        tp.partition_key = (lc_attribute){"pk", LC_ATTR_STRING};
        tp.sort_key = (lc_attribute){"sk", LC_ATTR_STRING};
        tp.removal_policy = LC_REMOVAL_DESTROY;
    }
    if (v == STREAM)
        tp.stream = LC_STREAM_NEW_AND_OLD_IMAGES;
    lc_table *db = lc_table_new(stack, "dynamoTable", &tp);
    if (v == SORTKEY_GSI)
        lc_table_add_global_secondary_index(db, &(lc_index_props){
            .index_name = "byOwner", .partition_key = {"owner", LC_ATTR_STRING}});
    lc_function *fn = lc_function_new(stack, "read-function", &(lc_function_props){
        .code = lc_code_from_asset("functionLocation"),
        .function_name = "read-function",
        .handler = "index.handler",
        .runtime = LC_RUNTIME_NODEJS_14_X,
        .timeout_s = 10,
        .environment = {{"DYNAMO_TABLE_NAME", lc_table_name(db)}},
    });
    switch (v) {
    case WRITE: lc_table_grant_write_data(db, fn); break;
    case READWRITE: lc_table_grant_read_write_data(db, fn); break;
    case FULL: lc_table_grant_full_access(db, fn); break;
    case STREAM: lc_table_grant_stream_read(db, fn); break;
    default: lc_table_grant_read_data(db, lc_function_grantable(fn)); break;
    }
    lc_user *user = lc_user_new(stack, "readTableUser", &(lc_user_props){.user_name = "read-table-user"});
    lc_cfn_resource *key = lc_access_key_new(stack, "readTableTOken", &(lc_access_key_props){
        .user_name = lc_user_name(user)});
    if (v == CUSTOM)
        lc_table_grant(db, lc_user_grantable(user), "dynamodb:GetItem", "dynamodb:Query");
    else
        lc_table_grant_read_data(db, lc_user_grantable(user));
    if (v == INVOKE)
        lc_function_grant_invoke(fn, user);
    lc_output_new(stack, "accessToken", &(lc_output_props){.value = lc_access_key_ref(key)});
    lc_output_new(stack, "secretAccessToken", &(lc_output_props){.value = lc_access_key_secret(key)});
    return app;
}

#define VARIANT_CASE(name, v, stack, file)                                                   \
    static void name(void **state)                                                           \
    {                                                                                        \
        cdk_chdir_assets();                                                                  \
        cdk_assert_template(s_variant(v, stack, CLI_CONTEXT), stack, "tests/unit/cdk/reference/" file); \
    }

VARIANT_CASE(test_seed_template_equals_cdk, SEED, "SampleCDKStack", "seed.template.json")
VARIANT_CASE(test_write_template_equals_cdk, WRITE, "WriteStack", "write.template.json")
VARIANT_CASE(test_readwrite_template_equals_cdk, READWRITE, "ReadWriteStack", "readwrite.template.json")
VARIANT_CASE(test_full_access_template_equals_cdk, FULL, "FullAccessStack", "full.template.json")
VARIANT_CASE(test_sortkey_gsi_template_equals_cdk, SORTKEY_GSI, "SortKeyGsiStack", "sortkey-gsi.template.json")
VARIANT_CASE(test_stream_template_equals_cdk, STREAM, "StreamStack", "stream.template.json")
VARIANT_CASE(test_invoke_template_equals_cdk, INVOKE, "InvokeStack", "invoke.template.json")
VARIANT_CASE(test_custom_grant_template_equals_cdk, CUSTOM, "CustomGrantStack", "custom.template.json")

static char *s_read_src(const char *rel)
{
    char *p = lc_asprintf("%s/%s", lc_test_source_dir(), rel);
    size_t len;
    char *s = lc_file_read(p, 1 << 20, &len, NULL);
    assert_non_null(s);
    lc_free(p);
    return s;
}

static void test_initflags_context_merges_statements_and_adds_log_group(void **state)
{
    cdk_chdir_assets();
    json_t *cdkjson = cdk_load_src("tests/unit/cdk/reference/seed-initflags.cdk.json");
    char *ctx = lc_json_stringify(json_object_get(cdkjson, "context"), 0);
    setenv("LC_CDK_NO_VALIDATION_OUTPUT", "1", 1);
    lc_app *app = s_variant(SEED, "SampleCDKStack", ctx);
    /* validateAgainstDefaultRules turns the deprecated runtime into an error, after writing. */
    char *dir = cdk_tmpdir();
    struct lc_error err;
    assert_int_not_equal(lc_app_synth_to(app, dir, &err), 0);
    assert_non_null(strstr(err.message, "deprecated Lambda runtime"));
    char *p = lc_asprintf("%s/SampleCDKStack.template.json", dir);
    json_t *got = cdk_load(p);
    json_t *want = cdk_load_src("tests/unit/cdk/reference/seed-initflags.template.json");
    cdk_assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    json_decref(cdkjson);
    lc_free(ctx);
    lc_free(p);
    lc_app_free(app);
    cdk_rm_rf(dir);
    lc_free(dir);
    unsetenv("LC_CDK_NO_VALIDATION_OUTPUT");
}

static void test_seed_without_cli_context_is_byte_identical_to_cdk(void **state)
{
    cdk_chdir_assets();
    setenv("LC_CDK_NO_VALIDATION_OUTPUT", "1", 1);
    char *dir;
    json_t *t = cdk_synth_template(s_variant(SEED, "SampleCDKStack", NULL), "SampleCDKStack", &dir);
    json_decref(t);
    const char *files[][2] = {
        {"SampleCDKStack.template.json", "tests/unit/cdk/reference/seed-minimal.template.json"},
        {"SampleCDKStack.assets.json", "tests/unit/cdk/reference/seed-minimal.assets.json"},
        {"tree.json", "tests/unit/cdk/reference/seed-minimal.tree.json"},
    };
    for (size_t i = 0; i < 3; i++) {
        char *p = lc_asprintf("%s/%s", dir, files[i][0]);
        size_t len;
        char *got = lc_file_read(p, 1 << 20, &len, NULL);
        char *want = s_read_src(files[i][1]);
        assert_non_null(got);
        assert_string_equal(got, want);
        lc_free(got);
        lc_free(want);
        lc_free(p);
    }
    char *asset = lc_asprintf("%s/asset.b205477964981b2847e3ff6bc34423167b614113ba4c8dad4b888c237d53ba65/index.js", dir);
    struct stat st;
    assert_int_equal(stat(asset, &st), 0);
    assert_int_equal(st.st_size, 377);
    lc_free(asset);
    cdk_rm_rf(dir);
    lc_free(dir);
    unsetenv("LC_CDK_NO_VALIDATION_OUTPUT");
}

static void test_manifest_lists_assets_stack_and_tree_artifacts(void **state)
{
    cdk_chdir_assets();
    setenv("LC_CDK_NO_VALIDATION_OUTPUT", "1", 1);
    char *dir;
    json_decref(cdk_synth_template(s_variant(SEED, "SampleCDKStack", NULL), "SampleCDKStack", &dir));
    char *p = lc_asprintf("%s/manifest.json", dir);
    json_t *m = cdk_load(p);
    json_t *arts = json_object_get(m, "artifacts");
    assert_string_equal(json_string_value(json_object_get(m, "version")), "55.0.0");
    json_t *stack = json_object_get(arts, "SampleCDKStack");
    assert_string_equal(lc_json_str(stack, "type"), "aws:cloudformation:stack");
    assert_string_equal(lc_json_str(stack, "environment"), "aws://unknown-account/unknown-region");
    assert_string_equal(lc_json_str(json_object_get(stack, "properties"), "stackTemplateAssetObjectUrl"),
                        "s3://cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/"
                        "273aa4f654914e989ebd615ff71cb5102160dd6d690040265ac1999a063abf8b.json");
    assert_non_null(json_object_get(arts, "SampleCDKStack.assets"));
    assert_non_null(json_object_get(arts, "Tree"));
    json_decref(m);
    lc_free(p);
    p = lc_asprintf("%s/cdk.out", dir);
    size_t len;
    char *s = lc_file_read(p, 100, &len, NULL);
    assert_string_equal(s, "{\"version\":\"55.0.0\"}");
    lc_free(s);
    lc_free(p);
    cdk_rm_rf(dir);
    lc_free(dir);
    unsetenv("LC_CDK_NO_VALIDATION_OUTPUT");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_template_equals_cdk),
        cmocka_unit_test(test_write_template_equals_cdk),
        cmocka_unit_test(test_readwrite_template_equals_cdk),
        cmocka_unit_test(test_full_access_template_equals_cdk),
        cmocka_unit_test(test_sortkey_gsi_template_equals_cdk),
        cmocka_unit_test(test_stream_template_equals_cdk),
        cmocka_unit_test(test_invoke_template_equals_cdk),
        cmocka_unit_test(test_custom_grant_template_equals_cdk),
        cmocka_unit_test(test_initflags_context_merges_statements_and_adds_log_group),
        cmocka_unit_test(test_seed_without_cli_context_is_byte_identical_to_cdk),
        cmocka_unit_test(test_manifest_lists_assets_stack_and_tree_artifacts),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
