/* test_op_batch.c: BatchGetItem and BatchWriteItem limits, duplicates, atomicity, capacity. */
#include "ddb_fixture.h"

static char *s_write_batch(int n, int offset)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "{'RequestItems':{'tbl':[");
    for (int i = 0; i < n; i++)
        lc_buf_appendf(&b, "%s{'PutRequest':{'Item':{'pk':{'S':'p'},'sk':{'N':'%d'}}}}", i ? "," : "", i + offset);
    lc_buf_append_str(&b, "]},'ReturnConsumedCapacity':'TOTAL'}");
    return lc_buf_detach(&b, NULL);
}

static void test_batch_write_puts_and_deletes_in_one_go(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    char *req = s_write_batch(25, 0);
    json_t *r = fx_ok(f, "BatchWriteItem", req);
    fx_assert_json(r, "{'UnprocessedItems':{},'ConsumedCapacity':[{'TableName':'tbl','CapacityUnits':25.0}]}");
    json_decref(r);
    lc_free(req);
    r = fx_ok(f, "BatchWriteItem", "{'RequestItems':{'tbl':[{'DeleteRequest':{'Key':{'pk':{'S':'p'},'sk':{'N':'0'}}}},"
                                   "{'PutRequest':{'Item':{'pk':{'S':'q'},'sk':{'N':'1'}}}}]}}");
    fx_assert_json(r, "{'UnprocessedItems':{}}");
    json_decref(r);
    r = fx_ok(f, "Scan", "{'TableName':'tbl','Select':'COUNT'}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 25);
    json_decref(r);
}

static void test_batch_write_limits_and_duplicates(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    char *req = s_write_batch(26, 0);
    fx_fail(f, "BatchWriteItem", req, "ValidationException",
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
            "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
    lc_free(req);
    fx_fail(f, "BatchWriteItem", "{'RequestItems':{'tbl':[{'PutRequest':{'Item':{'pk':{'S':'p'},'sk':{'N':'1'}}}},"
                                 "{'DeleteRequest':{'Key':{'pk':{'S':'p'},'sk':{'N':'1.0'}}}}]}}",
            "ValidationException", "Provided list of item keys contains duplicates");
    fx_fail(f, "BatchWriteItem", "{'RequestItems':{'tbl':[{}]}}", "ValidationException",
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    fx_fail(f, "BatchWriteItem", "{}", "ValidationException",
            "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
    fx_fail(f, "BatchWriteItem", "{'RequestItems':{'nothere':[{'PutRequest':{'Item':{'pk':{'S':'p'},'sk':{'N':'1'}}}}]}}",
            "ResourceNotFoundException", "Requested resource not found");
}

static void test_a_failing_batch_writes_nothing(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    /* The second put misses the sort key: the first must not be written either. */
    fx_fail(f, "BatchWriteItem", "{'RequestItems':{'tbl':[{'PutRequest':{'Item':{'pk':{'S':'p'},'sk':{'N':'1'}}}},"
                                 "{'PutRequest':{'Item':{'pk':{'S':'p'}}}}]}}",
            "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item");
    json_t *r = fx_ok(f, "Scan", "{'TableName':'tbl'}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 0);
    json_decref(r);
}

static void test_batch_get_returns_found_items_and_validates(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    char *req = s_write_batch(5, 0);
    json_decref(fx_ok(f, "BatchWriteItem", req));
    lc_free(req);
    json_t *r = fx_ok(f, "BatchGetItem", "{'RequestItems':{'tbl':{'Keys':[{'pk':{'S':'p'},'sk':{'N':'1'}},{'pk':{'S':'p'},'sk':{'N':'99'}}],"
                                         "'ProjectionExpression':'sk'}},'ReturnConsumedCapacity':'TOTAL'}");
    fx_assert_json(r, "{'Responses':{'tbl':[{'sk':{'N':'1'}}]},'UnprocessedKeys':{},'ConsumedCapacity':[{'TableName':'tbl','CapacityUnits':1.0}]}");
    json_decref(r);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "{'RequestItems':{'tbl':{'Keys':[");
    for (int i = 0; i < 101; i++)
        lc_buf_appendf(&b, "%s{'pk':{'S':'p'},'sk':{'N':'%d'}}", i ? "," : "", i);
    lc_buf_append_str(&b, "]}}}");
    fx_fail(f, "BatchGetItem", b.data, "ValidationException",
            "1 validation error detected: Value '[]' at 'requestItems.tbl.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100");
    lc_buf_free(&b);
    fx_fail(f, "BatchGetItem", "{'RequestItems':{'tbl':{'Keys':[{'pk':{'S':'p'},'sk':{'N':'1'}},{'pk':{'S':'p'},'sk':{'N':'1'}}]}}}",
            "ValidationException", "Provided list of item keys contains duplicates");
    fx_fail(f, "BatchGetItem", "{'RequestItems':{'tbl':{'Keys':[{'pk':{'S':'p'}}]}}}", "ValidationException",
            "The provided key element does not match the schema");
}

static void test_batch_get_over_16_mb_returns_unprocessed_keys(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    char *blob = lc_malloc(390 * 1024 + 1);
    memset(blob, 'q', 390 * 1024);
    blob[390 * 1024] = '\0';
    for (int i = 0; i < 50; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        json_t *req = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}", "TableName", "tbl", "Item", "pk", "S", "p", "sk", "N", num, "b", "S", blob);
        json_t *resp;
        assert_int_equal(lc_ddb_put_item(f->ddb, req, &resp, NULL), 0);
        json_decref(resp);
        json_decref(req);
    }
    lc_free(blob);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "{'RequestItems':{'tbl':{'Keys':[");
    for (int i = 0; i < 50; i++)
        lc_buf_appendf(&b, "%s{'pk':{'S':'p'},'sk':{'N':'%d'}}", i ? "," : "", i);
    lc_buf_append_str(&b, "],'ConsistentRead':true}}}");
    json_t *r = fx_ok(f, "BatchGetItem", b.data);
    size_t got = json_array_size(json_object_get(json_object_get(r, "Responses"), "tbl"));
    json_t *left = json_object_get(json_object_get(json_object_get(r, "UnprocessedKeys"), "tbl"), "Keys");
    assert_true(got > 0 && got < 50);
    assert_int_equal(got + json_array_size(left), 50);
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(r, "UnprocessedKeys"), "tbl"), "ConsistentRead")));
    json_decref(r);
    lc_buf_free(&b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_batch_write_puts_and_deletes_in_one_go),
        FX_TEST(test_batch_write_limits_and_duplicates),
        FX_TEST(test_a_failing_batch_writes_nothing),
        FX_TEST(test_batch_get_returns_found_items_and_validates),
        FX_TEST(test_batch_get_over_16_mb_returns_unprocessed_keys),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
