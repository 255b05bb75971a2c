/* test_auth.c: the IAM checks each operation asks the server to make. */
#include "ddb_fixture.h"

#define SEED "{'TableName':'dynamoTable','AttributeDefinitions':[{'AttributeName':'timestamp','AttributeType':'N'}]," \
             "'KeySchema':[{'AttributeName':'timestamp','KeyType':'HASH'}],'BillingMode':'PAY_PER_REQUEST'}"

/* "action resource key=v1,v2; key=v" per check, checks joined by " | ". */
static char *s_checks(struct fx *f, const char *op, const char *req_text)
{
    json_t *req = fx_json(req_text);
    struct lc_ddb_auth_checks c;
    assert_int_equal(lc_ddb_auth_checks(f->ddb, op, req, &c, NULL), 0);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (size_t i = 0; i < c.count; i++) {
        lc_buf_appendf(&b, "%s%s %s", i ? " | " : "", c.items[i].action, c.items[i].resource);
        for (size_t k = 0; k < c.items[i].key_count; k++) {
            lc_buf_appendf(&b, "%s%s=", k ? "; " : " ", c.items[i].keys[k].name);
            for (size_t v = 0; v < c.items[i].keys[k].count; v++)
                lc_buf_appendf(&b, "%s%s", v ? "," : "", c.items[i].keys[k].values[v]);
        }
    }
    lc_ddb_auth_checks_free(&c);
    json_decref(req);
    return lc_buf_detach(&b, NULL);
}

static void s_expect(struct fx *f, const char *op, const char *req, const char *want)
{
    char *got = s_checks(f, op, req);
    if (strcmp(got, want) != 0)
        fail_msg("%s %s\n  got  %s\n  want %s", op, req, got, want);
    lc_free(got);
}

#define ARN "arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable"

static void test_item_operations_name_the_table_and_leading_keys(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    s_expect(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'0010'}}}",
             "dynamodb:GetItem " ARN " dynamodb:LeadingKeys=10");
    s_expect(f, "GetItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'1'}},'ProjectionExpression':'a, #b.c','ExpressionAttributeNames':{'#b':'b'}}",
             "dynamodb:GetItem " ARN " dynamodb:LeadingKeys=1; dynamodb:Attributes=a,b; dynamodb:Select=SPECIFIC_ATTRIBUTES");
    s_expect(f, "PutItem", "{'TableName':'dynamoTable','Item':{'timestamp':{'N':'1'},'msg':{'S':'x'}},'ReturnValues':'ALL_OLD'}",
             "dynamodb:PutItem " ARN " dynamodb:LeadingKeys=1; dynamodb:Attributes=timestamp,msg; dynamodb:ReturnValues=ALL_OLD");
    s_expect(f, "DeleteItem", "{'TableName':'dynamoTable','Key':{'timestamp':{'N':'2'}}}", "dynamodb:DeleteItem " ARN " dynamodb:LeadingKeys=2");
}

static void test_query_and_scan_name_indexes_and_select(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    s_expect(f, "Query", "{'TableName':'dynamoTable','KeyConditionExpression':'#t = :v','ExpressionAttributeNames':{'#t':'timestamp'},"
                         "'ExpressionAttributeValues':{':v':{'N':'5'}}}",
             "dynamodb:Query " ARN " dynamodb:LeadingKeys=5");
    s_expect(f, "Query", "{'TableName':'dynamoTable','IndexName':'byX','Select':'COUNT'}", "dynamodb:Query " ARN "/index/byX dynamodb:Select=COUNT");
    s_expect(f, "Scan", "{'TableName':'dynamoTable','AttributesToGet':['a']}",
             "dynamodb:Scan " ARN " dynamodb:Attributes=a; dynamodb:Select=SPECIFIC_ATTRIBUTES");
}

static void test_control_plane_and_list_tables(void **state)
{
    struct fx *f = *state;
    s_expect(f, "ListTables", "{}", "dynamodb:ListTables *");
    s_expect(f, "CreateTable", SEED, "dynamodb:CreateTable " ARN);
    s_expect(f, "DescribeTable", "{'TableName':'dynamoTable'}", "dynamodb:DescribeTable " ARN);
    s_expect(f, "DeleteTable", "{'TableName':'dynamoTable'}", "dynamodb:DeleteTable " ARN);
}

static void test_batches_make_one_check_per_table(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", SEED));
    s_expect(f, "BatchGetItem", "{'RequestItems':{'dynamoTable':{'Keys':[{'timestamp':{'N':'1'}},{'timestamp':{'N':'2'}}]},'other':{'Keys':[{'k':{'S':'x'}}]}}}",
             "dynamodb:BatchGetItem " ARN " dynamodb:LeadingKeys=1,2 | dynamodb:BatchGetItem arn:aws:dynamodb:us-east-1:000000000000:table/other");
    s_expect(f, "BatchWriteItem", "{'RequestItems':{'dynamoTable':[{'PutRequest':{'Item':{'timestamp':{'N':'1'},'a':{'S':'x'}}}},"
                                  "{'DeleteRequest':{'Key':{'timestamp':{'N':'3'}}}}]}}",
             "dynamodb:BatchWriteItem " ARN " dynamodb:LeadingKeys=1,3; dynamodb:Attributes=timestamp,a");
}

static void test_malformed_requests_still_get_their_checks(void **state)
{
    struct fx *f = *state;
    s_expect(f, "GetItem", "{'TableName':5}", "dynamodb:GetItem arn:aws:dynamodb:us-east-1:000000000000:table/");
    struct lc_ddb_auth_checks c;
    struct lc_error err;
    json_t *req = json_object();
    assert_int_equal(lc_ddb_auth_checks(f->ddb, "Nope", req, &c, &err), LC_EUNSUPPORTED);
    lc_ddb_auth_checks_free(&c);
    json_decref(req);
    char *arn = lc_ddb_table_arn(f->ddb, "x");
    assert_string_equal(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/x");
    lc_free(arn);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_item_operations_name_the_table_and_leading_keys),
        FX_TEST(test_query_and_scan_name_indexes_and_select),
        FX_TEST(test_control_plane_and_list_tables),
        FX_TEST(test_batches_make_one_check_per_table),
        FX_TEST(test_malformed_requests_still_get_their_checks),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
