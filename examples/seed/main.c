/*
 * The blog's stack ("Least-privilege access for AWS resources using AWS CDK") in C: a DynamoDB
 * table, a function that reads it, and a user with an access key that may only read it.
 * `leastcloud synth` in this folder runs it (see cdk.json) and writes cdk.out/.
 */
#include <leastcloud/cdk.h>

int main(void)
{
    lc_app *app = lc_app_new(NULL);
    lc_stack *stack = lc_stack_new(app, "SampleCDKStack", NULL);

    lc_table *database = lc_table_new(stack, "dynamoTable", &(lc_table_props){
        .table_name = "dynamoTable",
        .partition_key = {"timestamp", LC_ATTR_NUMBER},
        .billing_mode = LC_BILLING_PAY_PER_REQUEST,
    });

    lc_function *read_fn = lc_function_new(stack, "read-function", &(lc_function_props){
        .code = lc_code_from_asset("functionLocation"),
        .function_name = "read-function",
        .handler = "index.handler",
        .runtime = LC_RUNTIME_NODEJS_14_X,
        .timeout_s = 10,
        .environment = {{"DYNAMO_TABLE_NAME", lc_table_name(database)}},
    });

    lc_table_grant_read_data(database, lc_function_grantable(read_fn));

    lc_user *user = lc_user_new(stack, "readTableUser", &(lc_user_props){.user_name = "read-table-user"});

    lc_cfn_resource *access_key = lc_access_key_new(stack, "readTableTOken", &(lc_access_key_props){
        .user_name = lc_user_name(user),
    });

    lc_table_grant_read_data(database, lc_user_grantable(user));

    lc_output_new(stack, "accessToken", &(lc_output_props){.value = lc_access_key_ref(access_key)});
    lc_output_new(stack, "secretAccessToken", &(lc_output_props){.value = lc_access_key_secret(access_key)});

    int status = lc_app_synth(app);
    lc_app_free(app);
    return status;
}
