/* test_runtime.c: which program runs a function and the environment it gets (runtime.c). */
#include "lc_test.h"

#include <jansson.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

static void test_every_nodejs_name_runs_on_node(void **state)
{
    (void)state;
    assert_int_equal(lc__lambda_kind("nodejs14.x"), LC__LAMBDA_NODE);
    assert_int_equal(lc__lambda_kind("nodejs20.x"), LC__LAMBDA_NODE);
    assert_int_equal(lc__lambda_kind("nodejs"), LC__LAMBDA_NODE);
    assert_int_equal(lc__lambda_kind("python3.12"), LC__LAMBDA_PYTHON);
    assert_int_equal(lc__lambda_kind("python3.8"), LC__LAMBDA_PYTHON);
    assert_int_equal(lc__lambda_kind("provided.al2023"), LC__LAMBDA_PROVIDED);
    assert_int_equal(lc__lambda_kind("provided"), LC__LAMBDA_PROVIDED);
    assert_int_equal(lc__lambda_kind("java21"), LC__LAMBDA_UNKNOWN);
    assert_int_equal(lc__lambda_kind("python2.7"), LC__LAMBDA_UNKNOWN);
    assert_int_equal(lc__lambda_kind(NULL), LC__LAMBDA_UNKNOWN);
}

static struct lc_lambda_function s_fn(const char *env)
{
    return (struct lc_lambda_function){
        .name = (char *)"read-function", .runtime = (char *)"nodejs14.x", .handler = (char *)"index.handler",
        .environment = (char *)env, .code_dir = (char *)"/code", .memory_mb = 256,
    };
}

static const struct lc_store_key s_creds = {
    .key_id = "ASIAEXAMPLE", .secret = "secret", .session_token = "token",
};

static void test_environment_has_lambdas_reserved_variables(void **state)
{
    (void)state;
    struct lc_lambda_function fn = s_fn("{\"DYNAMO_TABLE_NAME\":\"dynamoTable\"}");
    struct lc__lambda_env_inputs in = {.fn = &fn, .creds = &s_creds, .region = "eu-west-1",
                                       .runtime_api = "127.0.0.1:9001", .endpoint_url = "http://127.0.0.1:4566",
                                       .runtime_dir = "/rt/node", .node_path = "/repo/node_modules"};
    struct lc__lambda_env env;
    struct lc_error err;
    assert_int_equal(lc__lambda_env_build(&in, &env, &err), 0);
    assert_string_equal(lc__lambda_env_get(&env, "DYNAMO_TABLE_NAME"), "dynamoTable");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_LAMBDA_FUNCTION_NAME"), "read-function");
    assert_string_equal(lc__lambda_env_get(&env, "_HANDLER"), "index.handler");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_REGION"), "eu-west-1");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_DEFAULT_REGION"), "eu-west-1");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_ACCESS_KEY_ID"), "ASIAEXAMPLE");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_SECRET_ACCESS_KEY"), "secret");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_SESSION_TOKEN"), "token");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_LAMBDA_RUNTIME_API"), "127.0.0.1:9001");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_ENDPOINT_URL"), "http://127.0.0.1:4566");
    assert_string_equal(lc__lambda_env_get(&env, "LAMBDA_TASK_ROOT"), "/code");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_EXECUTION_ENV"), "AWS_Lambda_nodejs14.x");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/read-function");
    assert_string_equal(lc__lambda_env_get(&env, "NODE_PATH"), "/repo/node_modules");
    assert_non_null(strstr(lc__lambda_env_get(&env, "AWS_LAMBDA_LOG_STREAM_NAME"), "/[$LATEST]"));
    assert_null(env.vars[env.n]);
    lc__lambda_env_free(&env);
}

static void test_function_cannot_override_reserved_variables(void **state)
{
    (void)state;
    struct lc_lambda_function fn = s_fn("{\"AWS_ACCESS_KEY_ID\":\"AKIASTOLEN\",\"AWS_REGION\":\"mars-1\"}");
    struct lc__lambda_env_inputs in = {.fn = &fn, .creds = &s_creds, .region = "us-east-1",
                                       .runtime_api = "127.0.0.1:1", .runtime_dir = "/rt"};
    struct lc__lambda_env env;
    struct lc_error err;
    assert_int_equal(lc__lambda_env_build(&in, &env, &err), 0);
    assert_string_equal(lc__lambda_env_get(&env, "AWS_ACCESS_KEY_ID"), "ASIAEXAMPLE");
    assert_string_equal(lc__lambda_env_get(&env, "AWS_REGION"), "us-east-1");
    size_t count = 0;
    for (size_t i = 0; i < env.n; i++)
        count += lc_str_starts_with(env.vars[i], "AWS_ACCESS_KEY_ID=");
    assert_int_equal(count, 1);
    lc__lambda_env_free(&env);
}

static void test_python_functions_get_unbuffered_output(void **state)
{
    (void)state;
    struct lc_lambda_function fn = s_fn("{}");
    fn.runtime = (char *)"python3.12";
    struct lc__lambda_env_inputs in = {.fn = &fn, .creds = &s_creds, .region = "us-east-1",
                                       .runtime_api = "127.0.0.1:1", .runtime_dir = "/rt", .node_path = "/nm"};
    struct lc__lambda_env env;
    struct lc_error err;
    assert_int_equal(lc__lambda_env_build(&in, &env, &err), 0);
    assert_string_equal(lc__lambda_env_get(&env, "PYTHONUNBUFFERED"), "1");
    assert_null(lc__lambda_env_get(&env, "NODE_PATH"));
    lc__lambda_env_free(&env);
}

static void test_environment_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    struct lc_lambda_function fn = s_fn("[1,2]");
    struct lc__lambda_env_inputs in = {.fn = &fn, .creds = &s_creds, .region = "us-east-1",
                                       .runtime_api = "127.0.0.1:1", .runtime_dir = "/rt"};
    struct lc__lambda_env env;
    struct lc_error err;
    assert_int_equal(lc__lambda_env_build(&in, &env, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "InvalidParameterValueException");
    lc__lambda_env_free(&env);
}

static void test_which_finds_executables_on_path(void **state)
{
    (void)state;
    char *sh = lc__lambda_which("sh");
    assert_non_null(sh);
    assert_true(lc_str_ends_with(sh, "/sh"));
    lc_free(sh);
    assert_null(lc__lambda_which("no-such-program-leastcloud"));
}

static void test_node_runs_the_bootstrap_script(void **state)
{
    (void)state;
    char **argv = NULL;
    struct lc_error err;
    if (lc__lambda_argv(LC__LAMBDA_NODE, "/rt/node", "/code", &argv, &err) != 0)
        skip(); /* no node on this machine */
    assert_true(lc_str_ends_with(argv[0], "/node"));
    assert_string_equal(argv[1], "/rt/node/bootstrap.js");
    assert_null(argv[2]);
    lc__lambda_argv_free(argv);
}

static void test_provided_without_bootstrap_is_an_entrypoint_error(void **state)
{
    (void)state;
    char **argv = NULL;
    struct lc_error err;
    assert_int_equal(lc__lambda_argv(LC__LAMBDA_PROVIDED, "/rt", "/nonexistent-code", &argv, &err), LC_ENOTFOUND);
    assert_string_equal(err.aws_code, "Runtime.InvalidEntrypoint");
    assert_null(argv);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_nodejs_name_runs_on_node),
        cmocka_unit_test(test_environment_has_lambdas_reserved_variables),
        cmocka_unit_test(test_function_cannot_override_reserved_variables),
        cmocka_unit_test(test_python_functions_get_unbuffered_output),
        cmocka_unit_test(test_environment_that_is_not_an_object_is_refused),
        cmocka_unit_test(test_which_finds_executables_on_path),
        cmocka_unit_test(test_node_runs_the_bootstrap_script),
        cmocka_unit_test(test_provided_without_bootstrap_is_an_entrypoint_error),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
