/* test_op_table.c: CreateTable, DescribeTable, DeleteTable, ListTables. */
#include "ddb_fixture.h"

#define SEED_TABLE "{'TableName':'dynamoTable','AttributeDefinitions':[{'AttributeName':'timestamp','AttributeType':'N'}]," \
                   "'KeySchema':[{'AttributeName':'timestamp','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}"

static void test_create_table_is_active_at_once_with_arn_and_billing_summary(void **state)
{
    struct fx *f = *state;
    json_t *r = fx_ok(f, "CreateTable", SEED_TABLE);
    json_t *d = json_object_get(r, "TableDescription");
    assert_string_equal(lc_json_str(d, "TableStatus"), "ACTIVE");
    assert_string_equal(lc_json_str(d, "TableArn"), "arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable");
    assert_string_equal(lc_json_str(json_object_get(d, "BillingModeSummary"), "BillingMode"), "PAY_PER_REQUEST");
    assert_int_equal(json_integer_value(json_object_get(d, "ItemCount")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "ProvisionedThroughput"), "ReadCapacityUnits")), 0);
    assert_int_equal(strlen(lc_json_str(d, "TableId")), 36);
    assert_true(json_is_real(json_object_get(d, "CreationDateTime")));
    json_decref(r);
}

static void test_create_table_twice_is_resource_in_use(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED_TABLE));
    fx_fail(f, "CreateTable", SEED_TABLE, "ResourceInUseException", "Table already exists: dynamoTable");
}

static void test_create_table_validation_messages(void **state)
{
    struct fx *f = *state;
    fx_fail(f, "CreateTable", "{}", "ValidationException", "The parameter 'TableName' is required but was not present in the request");
    fx_fail(f, "CreateTable", "{'TableName':'ab'}", "ValidationException",
            "TableName must be at least 3 characters long and at most 255 characters long");
    fx_fail(f, "CreateTable", "{'TableName':'a b c'}", "ValidationException",
            "1 validation error detected: Value 'a b c' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    fx_fail(f, "CreateTable", "{'TableName':'abc','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}]}", "ValidationException",
            "1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'X'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}]}", "ValidationException",
            "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}]}", "ValidationException",
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST',"
            "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}", "ValidationException",
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'b','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}", "ValidationException",
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'},{'AttributeName':'b','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}", "ValidationException",
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}", "ValidationException",
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'ProvisionedThroughput':{'ReadCapacityUnits':0,'WriteCapacityUnits':1}}",
            "ValidationException",
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1");
    fx_fail(f, "CreateTable", "{'TableName':'abc','AttributeDefinitions':[{'AttributeName':'a','AttributeType':'S'}],"
            "'KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST',"
            "'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'a','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]}",
            "ValidationException",
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
}

static void test_create_table_with_indexes_stream_sse_and_provisioned_throughput(void **state)
{
    struct fx *f = *state;
    json_t *r = fx_ok(f, "CreateTable",
        "{'TableName':'orders','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'sk','AttributeType':'S'},"
        "{'AttributeName':'status','AttributeType':'S'},{'AttributeName':'total','AttributeType':'N'}],"
        "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
        "'ProvisionedThroughput':{'ReadCapacityUnits':5,'WriteCapacityUnits':3},"
        "'LocalSecondaryIndexes':[{'IndexName':'byTotal','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'total','KeyType':'RANGE'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}],"
        "'GlobalSecondaryIndexes':[{'IndexName':'byStatus','KeySchema':[{'AttributeName':'status','KeyType':'HASH'}],'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['total']},"
        "'ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':2}}],"
        "'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'NEW_AND_OLD_IMAGES'},'SSESpecification':{'Enabled':true},"
        "'Tags':[{'Key':'team','Value':'a'}]}");
    json_t *d = json_object_get(r, "TableDescription");
    assert_null(json_object_get(d, "BillingModeSummary"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "ProvisionedThroughput"), "WriteCapacityUnits")), 3);
    json_t *gsi = json_array_get(json_object_get(d, "GlobalSecondaryIndexes"), 0);
    assert_string_equal(lc_json_str(gsi, "IndexArn"), "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/byStatus");
    assert_string_equal(lc_json_str(gsi, "IndexStatus"), "ACTIVE");
    assert_non_null(lc_json_str(d, "LatestStreamArn"));
    assert_string_equal(lc_json_str(json_object_get(d, "SSEDescription"), "Status"), "ENABLED");
    assert_null(json_object_get(d, "Tags"));
    json_decref(r);
}

static void test_describe_table_counts_items_and_unknown_table_is_not_found(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED_TABLE));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'msg':{'S':'hello'}}}"));
    json_t *r = fx_ok(f, "DescribeTable", "{'TableName':'dynamoTable'}");
    json_t *t = json_object_get(r, "Table");
    assert_int_equal(json_integer_value(json_object_get(t, "ItemCount")), 1);
    assert_true(json_integer_value(json_object_get(t, "TableSizeBytes")) > 0);
    json_decref(r);
    fx_fail(f, "DescribeTable", "{'TableName':'nothere'}", "ResourceNotFoundException",
            "Requested resource not found: Table: nothere not found");
}

static void test_delete_table_drops_items_and_name_can_be_reused(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED_TABLE));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'}}}"));
    json_t *r = fx_ok(f, "DeleteTable", "{'TableName':'dynamoTable'}");
    assert_string_equal(lc_json_str(json_object_get(r, "TableDescription"), "TableStatus"), "DELETING");
    json_decref(r);
    fx_fail(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}}}", "ResourceNotFoundException",
            "Requested resource not found");
    json_decref(fx_ok(f, "CreateTable", SEED_TABLE));
    r = fx_ok(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}}}");
    assert_null(json_object_get(r, "Item"));
    json_decref(r);
    fx_fail(f, "DeleteTable", "{'TableName':'other'}", "ResourceNotFoundException", "Requested resource not found: Table: other not found");
}

static void test_list_tables_pages_with_limit_and_exclusive_start(void **state)
{
    struct fx *f = *state;
    const char *names[] = {"ccc", "aaa", "bbb", "ddd", "eee"};
    for (size_t i = 0; i < 5; i++)
        fx_simple_table(f, names[i]);
    json_t *r = fx_ok(f, "ListTables", "{'Limit':2}");
    fx_assert_json(r, "{'TableNames':['aaa','bbb'],'LastEvaluatedTableName':'bbb'}");
    json_decref(r);
    r = fx_ok(f, "ListTables", "{'Limit':2,'ExclusiveStartTableName':'bbb'}");
    fx_assert_json(r, "{'TableNames':['ccc','ddd'],'LastEvaluatedTableName':'ddd'}");
    json_decref(r);
    r = fx_ok(f, "ListTables", "{'Limit':2,'ExclusiveStartTableName':'ddd'}");
    fx_assert_json(r, "{'TableNames':['eee']}");
    json_decref(r);
    r = fx_ok(f, "ListTables", "{}");
    assert_int_equal(json_array_size(json_object_get(r, "TableNames")), 5);
    json_decref(r);
    fx_fail(f, "ListTables", "{'Limit':0}", "ValidationException",
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    fx_fail(f, "ListTables", "{'Limit':101}", "ValidationException",
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
}

static void test_a_table_created_through_another_handle_is_seen_at_once(void **state)
{
    struct fx *f = *state;
    struct lc_ddb *other;
    assert_int_equal(lc_ddb_open(f->store, &other, NULL), 0);
    assert_false(lc_ddb_table_exists(f->ddb, "dynamoTable"));
    json_t *req = fx_json(SEED_TABLE), *resp;
    assert_int_equal(lc_ddb_create_table(other, req, &resp, NULL), 0);
    json_decref(resp);
    json_decref(req);
    assert_true(lc_ddb_table_exists(f->ddb, "dynamoTable"));
    req = fx_json("{'TableName':'dynamoTable'}");
    assert_int_equal(lc_ddb_delete_table(other, req, &resp, NULL), 0);
    json_decref(resp);
    json_decref(req);
    assert_false(lc_ddb_table_exists(f->ddb, "dynamoTable"));
    lc_ddb_free(other);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_create_table_is_active_at_once_with_arn_and_billing_summary),
        FX_TEST(test_create_table_twice_is_resource_in_use),
        FX_TEST(test_create_table_validation_messages),
        FX_TEST(test_create_table_with_indexes_stream_sse_and_provisioned_throughput),
        FX_TEST(test_describe_table_counts_items_and_unknown_table_is_not_found),
        FX_TEST(test_delete_table_drops_items_and_name_can_be_reused),
        FX_TEST(test_list_tables_pages_with_limit_and_exclusive_start),
        FX_TEST(test_a_table_created_through_another_handle_is_seen_at_once),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
