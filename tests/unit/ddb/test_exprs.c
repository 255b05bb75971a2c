/* test_exprs.c: a request's expression parameters checked together, in AWS's order. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void s_bad(const char *req_text, unsigned flags, const char *want)
{
    json_t *req = fx_json(req_text);
    struct ddb_exprs x;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = ddb_exprs_parse(req, flags, &x, &err);
    ddb_exprs_free(&x);
    json_decref(req);
    if (rc == 0)
        fail_msg("%s was accepted", req_text);
    if (strcmp(err.message, want) != 0)
        fail_msg("%s\n  got  %s\n  want %s", req_text, err.message, want);
}

static void test_parameter_combinations(void **state)
{
    unsigned q = DDB_X_KEYCOND | DDB_X_FILTER | DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET;
    s_bad("{'ExpressionAttributeValues':{':a':{'S':'x'}}}", q,
          "ExpressionAttributeValues can only be specified when using expressions: KeyConditionExpression and FilterExpression are null");
    s_bad("{'ProjectionExpression':'a','ExpressionAttributeValues':{':a':{'S':'x'}}}", q,
          "ExpressionAttributeValues can only be specified when using expressions: KeyConditionExpression and FilterExpression are null");
    s_bad("{'KeyConditionExpression':'pk = :a','QueryFilter':{}}", q,
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}");
    s_bad("{'KeyConditions':{}}", q,
          "The legacy parameter KeyConditions is not supported by leastcloud; use the expression parameters (ConditionExpression, KeyConditionExpression, FilterExpression, ProjectionExpression) instead");
    s_bad("{'AttributesToGet':['a','a']}", q, "One or more parameter values were invalid: Duplicate value in attribute name: a");
    s_bad("{'KeyConditionExpression':5}", q, "NUMBER_VALUE cannot be converted to String");
}

static void test_everything_parses_together(void **state)
{
    json_t *req = fx_json("{'KeyConditionExpression':'#p = :p','FilterExpression':'n > :n','ProjectionExpression':'a, #p',"
                          "'ExpressionAttributeNames':{'#p':'pk'},'ExpressionAttributeValues':{':p':{'S':'x'},':n':{'N':'01'}}}");
    struct ddb_exprs x;
    assert_int_equal(ddb_exprs_parse(req, DDB_X_KEYCOND | DDB_X_FILTER | DDB_X_PROJECTION, &x, NULL), 0);
    assert_non_null(x.keycond);
    assert_non_null(x.filter);
    assert_int_equal(x.nprojection, 2);
    fx_assert_json(json_object_get(x.values, ":n"), "{'N':'1'}");
    ddb_exprs_free(&x);
    json_decref(req);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_combinations),
        cmocka_unit_test(test_everything_parses_together),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
