/* test_op_item.c: PutItem, GetItem, DeleteItem. */
#include "ddb_fixture.h"

#define SEED "{'TableName':'dynamoTable','AttributeDefinitions':[{'AttributeName':'timestamp','AttributeType':'N'}]," \
             "'KeySchema':[{'AttributeName':'timestamp','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}"

static void test_put_then_get_returns_the_item_with_canonical_numbers(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_t *r = fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1.50e3'},'n':{'N':'-0.000'},"
                                    "'s':{'S':'h\\u00e9llo'},'b':{'B':'AAEC'},'ok':{'BOOL':true},'z':{'NULL':true},"
                                    "'ns':{'NS':['1','2.0']},'l':{'L':[{'S':'x'},{'N':'010'}]},'m':{'M':{'a':{'SS':['p','q']}}}}}");
    fx_assert_json(r, "{}");
    json_decref(r);
    r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1500'}}}");
    fx_assert_json(r, "{'Item':{'timestamp':{'N':'1500'},'n':{'N':'0'},'s':{'S':'h\\u00e9llo'},'b':{'B':'AAEC'},'ok':{'BOOL':true},"
                      "'z':{'NULL':true},'ns':{'NS':['1','2']},'l':{'L':[{'S':'x'},{'N':'10'}]},'m':{'M':{'a':{'SS':['p','q']}}}}}");
    json_decref(r);
}

static void test_get_of_a_missing_item_has_no_item_member(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_t *r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'7'}},'ReturnConsumedCapacity':'TOTAL'}");
    fx_assert_json(r, "{'ConsumedCapacity':{'TableName':'dynamoTable','CapacityUnits':0.5}}");
    json_decref(r);
}

static void test_put_refuses_items_without_the_key_or_with_the_wrong_type(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'msg':{'S':'x'}}}", "ValidationException",
            "One or more parameter values were invalid: Missing the key timestamp in the item");
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'S':'x'}}}", "ValidationException",
            "One or more parameter values were invalid: Type mismatch for key timestamp expected: N actual: S");
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable'}", "ValidationException",
            "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
    fx_fail(f, "PutItem", "{'TableName':'nosuchtable','Item':{'timestamp':{'N':'1'}}}", "ResourceNotFoundException",
            "Requested resource not found");
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}},'ReturnValues':'ALL_NEW'}", "ValidationException",
            "ReturnValues can only be ALL_OLD or NONE");
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}},'ReturnValues':'SOME'}", "ValidationException",
            "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]");
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'abc'}}}", "ValidationException",
            "The parameter cannot be converted to a numeric value: abc");
}

static void test_put_with_all_old_returns_the_replaced_item(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_t *r = fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'v':{'S':'a'}},'ReturnValues':'ALL_OLD'}");
    fx_assert_json(r, "{}");
    json_decref(r);
    r = fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'v':{'S':'b'}},'ReturnValues':'ALL_OLD'}");
    fx_assert_json(r, "{'Attributes':{'timestamp':{'N':'1'},'v':{'S':'a'}}}");
    json_decref(r);
}

static void test_item_size_limit_is_400_kb_names_included(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    /* 'timestamp' (9) + N '1' (2) + 'big' (3) + value: exactly 409600 is allowed, one more is not. */
    size_t fill = 400 * 1024 - 9 - 2 - 3;
    for (int extra = 0; extra < 2; extra++) {
        char *big = lc_malloc(fill + extra + 1);
        memset(big, 'x', fill + extra);
        big[fill + extra] = '\0';
        json_t *req = json_pack("{s:s,s:{s:{s:s},s:{s:s}}}", "TableName", "dynamoTable", "Item", "timestamp", "N", "1", "big", "S", big);
        json_t *resp = NULL;
        struct lc_error err;
        int rc = lc_ddb_put_item(f->ddb, req, &resp, &err);
        if (extra == 0) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, LC_EINVAL);
            assert_string_equal(err.message, "Item size has exceeded the maximum allowed size");
        }
        json_decref(resp);
        json_decref(req);
        lc_free(big);
    }
}

static void test_get_item_projection_and_key_validation(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'a':{'S':'x'},'b':{'M':{'c':{'N':'1'},'d':{'N':'2'}}},"
                                    "'l':{'L':[{'S':'0'},{'S':'1'},{'S':'2'}]}}}"));
    json_t *r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ProjectionExpression':'a, #b.c, l[2]',"
                                    "'ExpressionAttributeNames':{'#b':'b'}}");
    fx_assert_json(r, "{'Item':{'a':{'S':'x'},'b':{'M':{'c':{'N':'1'}}},'l':{'L':[{'S':'2'}]}}}");
    json_decref(r);
    r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'AttributesToGet':['a']}");
    fx_assert_json(r, "{'Item':{'a':{'S':'x'}}}");
    json_decref(r);
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'S':'1'}}}", "ValidationException",
            "The provided key element does not match the schema");
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'},'x':{'N':'1'}}}", "ValidationException",
            "The provided key element does not match the schema");
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ProjectionExpression':'name'}", "ValidationException",
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name");
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ProjectionExpression':'a','ExpressionAttributeNames':{'#x':'x'}}",
            "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}");
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ExpressionAttributeNames':{'#x':'x'}}",
            "ValidationException", "ExpressionAttributeNames can only be specified when using expressions");
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ProjectionExpression':'a','AttributesToGet':['a']}",
            "ValidationException",
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
}

static void test_delete_item_returns_old_and_consumes_by_its_size(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'v':{'S':'a'}}}"));
    json_t *r = fx_ok(f, "DeleteItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ReturnValues':'ALL_OLD','ReturnConsumedCapacity':'INDEXES'}");
    fx_assert_json(r, "{'Attributes':{'timestamp':{'N':'1'},'v':{'S':'a'}},'ConsumedCapacity':{'TableName':'dynamoTable','CapacityUnits':1.0,'Table':{'CapacityUnits':1.0}}}");
    json_decref(r);
    r = fx_ok(f, "DeleteItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ReturnValues':'ALL_OLD'}");
    fx_assert_json(r, "{}");
    json_decref(r);
}

static void test_condition_expression_guards_put_and_delete(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    const char *put = "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'v':{'N':'1'}},'ConditionExpression':'attribute_not_exists(#t)',"
                      "'ExpressionAttributeNames':{'#t':'timestamp'}}";
    json_decref(fx_ok(f, "PutItem", put));
    fx_fail(f, "PutItem", put, "ConditionalCheckFailedException", "The conditional request failed");
    fx_fail(f, "DeleteItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ConditionExpression':'v > :x','ExpressionAttributeValues':{':x':{'N':'5'}}}",
            "ConditionalCheckFailedException", "The conditional request failed");
    json_decref(fx_ok(f, "DeleteItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ConditionExpression':'v < :x','ExpressionAttributeValues':{':x':{'N':'5'}}}"));
    fx_fail(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}},'ExpressionAttributeValues':{':x':{'N':'5'}}}",
            "ValidationException", "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
}

static void test_capacity_of_writes_is_one_unit_per_kb_of_the_larger_item(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    char *big = lc_malloc(3000);
    memset(big, 'y', 2999);
    big[2999] = '\0';
    json_t *req = json_pack("{s:s,s:s,s:{s:{s:s},s:{s:s}}}", "TableName", "dynamoTable", "ReturnConsumedCapacity", "TOTAL", "Item",
                            "timestamp", "N", "1", "big", "S", big);
    json_t *resp;
    assert_int_equal(lc_ddb_put_item(f->ddb, req, &resp, NULL), 0);
    assert_true(json_real_value(json_object_get(json_object_get(resp, "ConsumedCapacity"), "CapacityUnits")) == 3.0);
    json_decref(resp);
    json_decref(req);
    lc_free(big);
    /* Replacing a 3 KB item by a tiny one still costs the larger size. */
    json_t *r = fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}},'ReturnConsumedCapacity':'TOTAL'}");
    fx_assert_json(r, "{'ConsumedCapacity':{'TableName':'dynamoTable','CapacityUnits':3.0}}");
    json_decref(r);
    struct lc_ddb_table_counters c;
    lc_ddb_table_counters(f->ddb, "dynamoTable", &c);
    assert_true(c.write_units == 6.0);
    assert_int_equal(c.write_requests, 2);
}

static void test_consistent_get_costs_a_full_read_unit(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}}}"));
    json_t *r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ConsistentRead':true,'ReturnConsumedCapacity':'TOTAL'}");
    fx_assert_json(r, "{'Item':{'timestamp':{'N':'1'}},'ConsumedCapacity':{'TableName':'dynamoTable','CapacityUnits':1.0}}");
    json_decref(r);
    struct lc_ddb_table_counters c;
    lc_ddb_table_counters(f->ddb, "dynamoTable", &c);
    assert_true(c.read_units == 1.0);
    assert_int_equal(c.read_requests, 1);
}

static int s_hook_calls;
static double s_hook_read;
static void s_hook(void *ctx, const char *table, double r, double w)
{
    (void)ctx;
    (void)w;
    if (strcmp(table, "dynamoTable") == 0) {
        s_hook_calls++;
        s_hook_read += r;
    }
}

static void test_consumed_hook_sees_every_read(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    lc_ddb_set_consumed_hook(f->ddb, s_hook, NULL);
    s_hook_calls = 0;
    s_hook_read = 0;
    for (int i = 0; i < 4; i++)
        json_decref(fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}}}"));
    assert_int_equal(s_hook_calls, 4);
    assert_true(s_hook_read == 2.0);
    lc_ddb_set_consumed_hook(f->ddb, NULL, NULL);
}

static void test_get_item_sees_a_table_recreated_by_another_handle(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    json_decref(fx_ok(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'1'}}}"));
    json_decref(fx_ok(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'1'}}}")); /* cached now */
    struct lc_ddb *other;
    assert_int_equal(lc_ddb_open(f->store, &other, NULL), 0);
    json_t *req = fx_json("{'TableName':'tbl'}"), *resp;
    assert_int_equal(lc_ddb_delete_table(other, req, &resp, NULL), 0);
    json_decref(resp);
    json_decref(req);
    req = fx_json("{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'id','AttributeType':'S'}],"
                  "'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}");
    assert_int_equal(lc_ddb_create_table(other, req, &resp, NULL), 0);
    json_decref(resp);
    json_decref(req);
    req = fx_json("{'TableName':'tbl','Item':{'id':{'S':'x'},'v':{'N':'7'}}}");
    assert_int_equal(lc_ddb_put_item(other, req, &resp, NULL), 0);
    json_decref(resp);
    json_decref(req);
    lc_ddb_free(other);
    /* The first handle's cache is stale: the generation read with the item must catch it. */
    json_t *r = fx_ok(f, "GetItem", "{'TableName':'tbl','Key':{'id':{'S':'x'}}}");
    fx_assert_json(r, "{'Item':{'id':{'S':'x'},'v':{'N':'7'}}}");
    json_decref(r);
    fx_fail(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'1'}}}", "ValidationException",
            "The provided key element does not match the schema");
    char *body = NULL;
    req = fx_json("{'TableName':'tbl','Key':{'id':{'S':'x'}}}");
    assert_int_equal(lc_ddb_call_text(f->ddb, "GetItem", req, &body, NULL, NULL), 0);
    assert_string_equal(body, "{\"Item\":{\"id\":{\"S\":\"x\"},\"v\":{\"N\":\"7\"}}}");
    lc_free(body);
    json_decref(req);
}

static void test_get_item_fast_path_notices_a_same_schema_recreation(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    json_decref(fx_ok(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'1'}}}")); /* cached */
    struct lc_ddb *other;
    assert_int_equal(lc_ddb_open(f->store, &other, NULL), 0);
    const char *steps[][2] = {{"DeleteTable", "{'TableName':'tbl'}"},
                              {"CreateTable", "{'TableName':'tbl','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
                                              "{'AttributeName':'sk','AttributeType':'N'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                                              "{'AttributeName':'sk','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}"},
                              {"PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'1'},'new':{'BOOL':true}}}"}};
    for (size_t i = 0; i < 3; i++) {
        json_t *req = fx_json(steps[i][1]), *resp;
        assert_int_equal(lc_ddb_call(other, steps[i][0], req, &resp, NULL), 0);
        json_decref(resp);
        json_decref(req);
    }
    lc_ddb_free(other);
    /* Same key schema, new table id: only the generation tells the cached description is stale. */
    json_t *r = fx_ok(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'1'}}}");
    fx_assert_json(r, "{'Item':{'pk':{'S':'a'},'sk':{'N':'1'},'new':{'BOOL':true}}}");
    json_decref(r);
}

static void test_unknown_operation_and_non_object_request(void **state)
{
    struct fx *f = *state;
    json_t *resp = NULL;
    struct lc_error err;
    json_t *req = json_object();
    assert_int_equal(lc_ddb_call(f->ddb, "FlyAway", req, &resp, &err), LC_EUNSUPPORTED);
    assert_string_equal(err.aws_code, "UnknownOperationException");
    json_decref(req);
    req = json_array();
    assert_int_equal(lc_ddb_call(f->ddb, "GetItem", req, &resp, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "SerializationException");
    json_decref(req);
    assert_false(lc_ddb_operation_known("UpdateItem"));
    assert_true(lc_ddb_operation_known("BatchWriteItem"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_put_then_get_returns_the_item_with_canonical_numbers),
        FX_TEST(test_get_of_a_missing_item_has_no_item_member),
        FX_TEST(test_put_refuses_items_without_the_key_or_with_the_wrong_type),
        FX_TEST(test_put_with_all_old_returns_the_replaced_item),
        FX_TEST(test_item_size_limit_is_400_kb_names_included),
        FX_TEST(test_get_item_projection_and_key_validation),
        FX_TEST(test_delete_item_returns_old_and_consumes_by_its_size),
        FX_TEST(test_condition_expression_guards_put_and_delete),
        FX_TEST(test_capacity_of_writes_is_one_unit_per_kb_of_the_larger_item),
        FX_TEST(test_consistent_get_costs_a_full_read_unit),
        FX_TEST(test_consumed_hook_sees_every_read),
        FX_TEST(test_get_item_sees_a_table_recreated_by_another_handle),
        FX_TEST(test_get_item_fast_path_notices_a_same_schema_recreation),
        FX_TEST(test_unknown_operation_and_non_object_request),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
