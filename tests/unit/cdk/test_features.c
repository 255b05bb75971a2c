/*
 * test_features.c: features the shared references do not show, compared with what real AWS CDK
 * 2.276 synthesizes for the same stacks (expected/app.js; regenerate with expected/regen.sh).
 */
#include "cdk_test.h"

static void s_chdir_expected(void)
{
    char *d = lc_asprintf("%s/tests/unit/cdk/expected", lc_test_source_dir());
    assert_int_equal(chdir(d), 0);
    lc_free(d);
}

/* Provisioned billing, sort key, GSI + LSI, TTL, PITR, stream, DESTROY, generated names, inline code. */
static void test_provisioned_table_with_indexes_ttl_pitr_matches_cdk(void **state)
{
    s_chdir_expected();
    lc_app *app = lc_app_new(&(lc_app_props){.context_json = CLI_CONTEXT});
    lc_stack *s = lc_stack_new(app, "ProvisionedStack", NULL);
    lc_table *t = lc_table_new(s, "events", &(lc_table_props){
        .partition_key = {"pk", LC_ATTR_STRING},
        .sort_key = {"sk", LC_ATTR_NUMBER},
        .billing_mode = LC_BILLING_PROVISIONED,
        .read_capacity = 5,
        .write_capacity = 3,
        .time_to_live_attribute = "expires",
        .point_in_time_recovery = true,
        .stream = LC_STREAM_NEW_IMAGE,
        .removal_policy = LC_REMOVAL_DESTROY,
    });
    lc_table_add_global_secondary_index(t, &(lc_index_props){
        .index_name = "byOwner",
        .partition_key = {"owner", LC_ATTR_STRING},
        .sort_key = {"created", LC_ATTR_NUMBER},
        .projection_type = LC_PROJECTION_KEYS_ONLY,
        .read_capacity = 2,
        .write_capacity = 1,
    });
    lc_table_add_local_secondary_index(t, &(lc_index_props){
        .index_name = "byScore",
        .sort_key = {"score", LC_ATTR_NUMBER},
        .projection_type = LC_PROJECTION_INCLUDE,
        .non_key_attributes = {"title", "body"},
    });
    lc_function *fn = lc_function_new(s, "worker", &(lc_function_props){
        .code = lc_code_from_inline("exports.handler = async () => 42;"),
        .handler = "index.handler",
        .runtime = LC_RUNTIME_NODEJS_20_X,
        .memory_size_mb = 256,
        .timeout_s = 15 * 60,
        .environment = {{"TABLE", lc_table_name(t)}, {"TABLE_ARN", lc_table_arn(t)}, {"MODE", "prod"}},
    });
    lc_table_grant_read_write_data(t, fn);
    lc_table_grant_stream_read(t, fn);
    lc_user *u = lc_user_new(s, "auditor", NULL);
    lc_table_grant_read_data(t, u);
    lc_table_grant_write_data(t, u);
    lc_output_new(s, "tableName", &(lc_output_props){.value = lc_table_name(t)});
    lc_output_new(s, "streamArn", &(lc_output_props){
        .value = lc_table_stream_arn(t), .description = "the stream", .export_name = "EventsStream"});
    cdk_assert_template(app, "ProvisionedStack", "tests/unit/cdk/expected/ProvisionedStack.template.json");
}

/* Customer-managed KMS key and its grant statements, AWS-managed encryption, explicit role, full
 * access, custom grant, invoke grant, a role with an AWS managed policy. */
static void test_kms_encryption_explicit_role_and_grants_match_cdk(void **state)
{
    s_chdir_expected();
    lc_app *app = lc_app_new(&(lc_app_props){.context_json = CLI_CONTEXT});
    lc_stack *s = lc_stack_new(app, "KmsStack", NULL);
    lc_table *t = lc_table_new(s, "secrets", &(lc_table_props){
        .table_name = "secrets",
        .partition_key = {"id", LC_ATTR_STRING},
        .billing_mode = LC_BILLING_PAY_PER_REQUEST,
        .encryption = LC_ENCRYPTION_CUSTOMER_MANAGED,
        .stream = LC_STREAM_KEYS_ONLY,
    });
    lc_table *audit = lc_table_new(s, "audit", &(lc_table_props){
        .table_name = "audit",
        .partition_key = {"id", LC_ATTR_STRING},
        .billing_mode = LC_BILLING_PAY_PER_REQUEST,
        .encryption = LC_ENCRYPTION_AWS_MANAGED,
    });
    lc_role *role = lc_role_new(s, "fnRole", &(lc_role_props){
        .assumed_by = "lambda.amazonaws.com",
        .role_name = "secrets-reader",
        .managed_policies = {"service-role/AWSLambdaBasicExecutionRole"},
    });
    lc_function *fn = lc_function_new(s, "reader", &(lc_function_props){
        .code = lc_code_from_asset("functionLocation"),
        .function_name = "reader",
        .handler = "index.handler",
        .runtime = LC_RUNTIME_PYTHON_3_12,
        .role = role,
        .environment = {{"TABLE", lc_table_name(t)}},
    });
    assert_ptr_equal(lc_function_role(fn), role);
    lc_table_grant_read_data(t, fn);
    lc_table_grant_stream_read(t, fn);
    lc_table_grant_read_write_data(audit, fn);
    lc_user *user = lc_user_new(s, "admin", &(lc_user_props){.user_name = "secrets-admin"});
    lc_table_grant_write_data(t, user);
    lc_table_grant_full_access(t, user);
    lc_table_grant(t, user, "dynamodb:DescribeTimeToLive");
    lc_function_grant_invoke(fn, user);
    lc_role *ops = lc_role_new(s, "ops", &(lc_role_props){
        .assumed_by = "ec2.amazonaws.com", .managed_policies = {"ReadOnlyAccess"}});
    lc_table_grant_read_write_data(t, lc_role_grantable(ops));
    cdk_assert_template(app, "KmsStack", "tests/unit/cdk/expected/KmsStack.template.json");
}

/* Role, User, Policy attached to both, CfnAccessKey, a raw Cfn resource, outputs. */
static void test_iam_policy_raw_resource_and_outputs_match_cdk(void **state)
{
    s_chdir_expected();
    lc_app *app = lc_app_new(&(lc_app_props){.context_json = CLI_CONTEXT});
    lc_stack *s = lc_stack_new(app, "IamStack", NULL);
    lc_role *role = lc_role_new(s, "deployer", &(lc_role_props){.assumed_by = "cloudformation.amazonaws.com"});
    lc_user *user = lc_user_new(s, "ci", &(lc_user_props){.user_name = "ci-bot"});
    lc_cfn_resource *key = lc_access_key_new(s, "ciKey", &(lc_access_key_props){.user_name = lc_user_name(user)});
    lc_policy *pol = lc_policy_new(s, "extra", &(lc_policy_props){
        .policy_name = "extra-permissions",
        .statements = {{.actions = {"sqs:SendMessage"}, .resources = {"arn:aws:sqs:us-east-1:000000000000:q"}}},
    });
    lc_policy_attach_to_user(pol, user);
    lc_policy_attach_to_role(pol, role);
    lc_cfn_resource *topic = lc_cfn_resource_new(s, "topic", &(lc_cfn_resource_props){
        .type = "AWS::SNS::Topic",
        .properties_json = "{\"TopicName\": \"alerts\", \"DisplayName\": \"Alerts\"}",
    });
    lc_output_new(s, "keyId", &(lc_output_props){.value = lc_access_key_ref(key)});
    lc_output_new(s, "topicArn", &(lc_output_props){.value = lc_cfn_ref(topic)});
    lc_output_new(s, "roleArn", &(lc_output_props){.value = lc_role_arn(role)});
    cdk_assert_template(app, "IamStack", "tests/unit/cdk/expected/IamStack.template.json");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provisioned_table_with_indexes_ttl_pitr_matches_cdk),
        cmocka_unit_test(test_kms_encryption_explicit_role_and_grants_match_cdk),
        cmocka_unit_test(test_iam_policy_raw_resource_and_outputs_match_cdk),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
