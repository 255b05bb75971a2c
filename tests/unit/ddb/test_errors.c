/* test_errors.c: error namespaces and bodies as DynamoDB sends them. */
#include "ddb_fixture.h"

static void test_error_types_carry_aws_namespaces(void **state)
{
    assert_string_equal(lc_ddb_error_type("ResourceNotFoundException"), "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
    assert_string_equal(lc_ddb_error_type("ConditionalCheckFailedException"), "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException");
    assert_string_equal(lc_ddb_error_type("ValidationException"), "com.amazon.coral.validate#ValidationException");
    assert_string_equal(lc_ddb_error_type("AccessDeniedException"), "com.amazon.coral.service#AccessDeniedException");
    assert_string_equal(lc_ddb_error_type("SerializationException"), "com.amazon.coral.service#SerializationException");
    assert_string_equal(lc_ddb_error_type("UnrecognizedClientException"), "com.amazon.coral.service#UnrecognizedClientException");
}

static void test_error_bodies_use_the_message_key_aws_uses(void **state)
{
    struct lc_error err;
    lc_error_set(&err, LC_ENOTFOUND, 400, "ResourceNotFoundException", "Requested resource not found");
    json_t *b = lc_ddb_error_body(&err);
    fx_assert_json(b, "{'__type':'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException','message':'Requested resource not found'}");
    json_decref(b);
    lc_error_set(&err, LC_EDENIED, 400, "AccessDeniedException", "User: x is not authorized");
    b = lc_ddb_error_body(&err);
    fx_assert_json(b, "{'__type':'com.amazon.coral.service#AccessDeniedException','Message':'User: x is not authorized'}");
    json_decref(b);
}

static void test_operation_errors_render_end_to_end(void **state)
{
    struct fx *f = *state;
    json_t *req = fx_json("{'TableName':'nothere','Key':{'k':{'S':'x'}}}"), *resp = NULL;
    struct lc_error err;
    assert_int_equal(lc_ddb_call(f->ddb, "GetItem", req, &resp, &err), LC_ENOTFOUND);
    assert_int_equal(err.http_status, 400);
    json_t *b = lc_ddb_error_body(&err);
    fx_assert_json(b, "{'__type':'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException','message':'Requested resource not found'}");
    json_decref(b);
    json_decref(req);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_types_carry_aws_namespaces),
        cmocka_unit_test(test_error_bodies_use_the_message_key_aws_uses),
        FX_TEST(test_operation_errors_render_end_to_end),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
