/* test_op_query.c: Query and Scan: key conditions, order, Limit, pages, indexes, filters. */
#include "ddb_fixture.h"

/* Table "t": pk S, sk N; items pk in {a, b}, sk 0..n-1 (negative and fractional ones too). */
static void s_fill(struct fx *f, int n)
{
    fx_simple_table(f, "tbl");
    for (int i = 0; i < n; i++) {
        char *req = lc_asprintf("{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'%d'},'v':{'N':'%d'}}}", i, i % 3);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    json_decref(fx_ok(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'b'},'sk':{'N':'-5'}}}"));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'b'},'sk':{'N':'-0.5'}}}"));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'b'},'sk':{'N':'1e3'}}}"));
}

static char *s_sks(const json_t *resp)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(resp, "Items"), i, it)
        lc_buf_appendf(&b, "%s%s", i ? "," : "", json_string_value(json_object_get(json_object_get(it, "sk"), "N")));
    return lc_buf_detach(&b, NULL);
}

static void s_expect_sks(struct fx *f, const char *req, const char *want)
{
    json_t *r = fx_ok(f, "Query", req);
    char *got = s_sks(r);
    if (strcmp(got, want) != 0)
        fail_msg("query %s\n got %s\n want %s", req, got, want);
    lc_free(got);
    json_decref(r);
}

#define Q(cond, values) "{'TableName':'tbl','KeyConditionExpression':'" cond "','ExpressionAttributeValues':{':p':{'S':'a'}" values "}}"

static void test_query_sort_key_operators(void **state)
{
    struct fx *f = *state;
    s_fill(f, 10);
    s_expect_sks(f, Q("pk = :p", ""), "0,1,2,3,4,5,6,7,8,9");
    s_expect_sks(f, Q("pk = :p AND sk = :x", ",':x':{'N':'3'}"), "3");
    s_expect_sks(f, Q("pk = :p AND sk < :x", ",':x':{'N':'3'}"), "0,1,2");
    s_expect_sks(f, Q("pk = :p AND sk <= :x", ",':x':{'N':'3'}"), "0,1,2,3");
    s_expect_sks(f, Q("pk = :p AND sk > :x", ",':x':{'N':'7'}"), "8,9");
    s_expect_sks(f, Q("pk = :p AND sk >= :x", ",':x':{'N':'7'}"), "7,8,9");
    s_expect_sks(f, Q("pk = :p AND sk BETWEEN :x AND :y", ",':x':{'N':'2'},':y':{'N':'4'}"), "2,3,4");
    s_expect_sks(f, Q(":x < sk AND pk = :p", ",':x':{'N':'7'}"), "8,9");
    s_expect_sks(f, "{'TableName':'tbl','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'b'}}}", "-5,-0.5,1000");
    s_expect_sks(f, "{'TableName':'tbl','KeyConditionExpression':'pk = :p','ScanIndexForward':false,'ExpressionAttributeValues':{':p':{'S':'b'}}}",
                 "1000,-0.5,-5");
}

static void test_query_begins_with_on_a_string_sort_key(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", "{'TableName':'str','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
                                        "{'AttributeName':'sk','AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                                        "{'AttributeName':'sk','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}"));
    const char *sks[] = {"ORDER#1", "ORDER#2", "ORDER$", "ORDE", "USER#1", "order#3"};
    for (size_t i = 0; i < 6; i++) {
        char *req = lc_asprintf("{'TableName':'str','Item':{'pk':{'S':'p'},'sk':{'S':'%s'}}}", sks[i]);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    json_t *r = fx_ok(f, "Query", "{'TableName':'str','KeyConditionExpression':'pk = :p AND begins_with(sk, :b)',"
                                  "'ExpressionAttributeValues':{':p':{'S':'p'},':b':{'S':'ORDER#'}}}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(r, "Items"), 1), "sk"), "S")), "ORDER#2");
    json_decref(r);
}

static void test_query_pages_with_limit_and_exclusive_start_key(void **state)
{
    struct fx *f = *state;
    s_fill(f, 7);
    const char *base = "{'TableName':'tbl','Limit':3,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}";
    json_t *r = fx_ok(f, "Query", "{'TableName':'tbl','Limit':3,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}");
    char *seen = s_sks(r);
    assert_string_equal(seen, "0,1,2");
    lc_free(seen);
    fx_assert_json(json_object_get(r, "LastEvaluatedKey"), "{'pk':{'S':'a'},'sk':{'N':'2'}}");
    int pages = 1;
    while (json_object_get(r, "LastEvaluatedKey")) {
        char *lek = fx_text(json_object_get(r, "LastEvaluatedKey"));
        for (char *c = lek; *c; c++)
            if (*c == '"')
                *c = '\'';
        char *req = lc_asprintf("%s,'ExclusiveStartKey':%s}", base, lek);
        json_decref(r);
        r = fx_ok(f, "Query", req);
        lc_free(req);
        lc_free(lek);
        pages++;
    }
    /* 7 items by 3: pages of 3, 3, 1, and the last has no LastEvaluatedKey. */
    assert_int_equal(pages, 3);
    seen = s_sks(r);
    assert_string_equal(seen, "6");
    lc_free(seen);
    json_decref(r);
    /* Backwards from a start key. */
    s_expect_sks(f, "{'TableName':'tbl','ScanIndexForward':false,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}},"
                    "'ExclusiveStartKey':{'pk':{'S':'a'},'sk':{'N':'3'}}}", "2,1,0");
}

static void test_query_limit_reached_exactly_still_returns_last_key(void **state)
{
    struct fx *f = *state;
    s_fill(f, 3);
    json_t *r = fx_ok(f, "Query", "{'TableName':'tbl','Limit':3,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}");
    assert_non_null(json_object_get(r, "LastEvaluatedKey"));
    json_decref(r);
}

static void test_query_key_condition_errors(void **state)
{
    struct fx *f = *state;
    s_fill(f, 1);
    fx_fail(f, "Query", "{'TableName':'tbl'}", "ValidationException",
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    fx_fail(f, "Query", Q("sk = :x", ",':x':{'N':'1'}"), "ValidationException",
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:p}");
    fx_fail(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'sk = :x','ExpressionAttributeValues':{':x':{'N':'1'}}}", "ValidationException",
            "Query condition missed key schema element: pk");
    fx_fail(f, "Query", Q("pk = :p OR sk = :x", ",':x':{'N':'1'}"), "ValidationException",
            "Invalid operator used in KeyConditionExpression: OR");
    fx_fail(f, "Query", Q("pk = :p AND sk <> :x", ",':x':{'N':'1'}"), "ValidationException",
            "Invalid operator used in KeyConditionExpression: <>");
    fx_fail(f, "Query", Q("pk = :p AND pk = :p", ""), "ValidationException",
            "KeyConditionExpressions must only contain one condition per key");
    fx_fail(f, "Query", Q("pk = :p AND sk = :x", ",':x':{'S':'1'}"), "ValidationException",
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
    fx_fail(f, "Query", Q("pk > :p", ""), "ValidationException", "Query key condition not supported");
    fx_fail(f, "Query", Q("pk = :p AND begins_with(sk, :x)", ",':x':{'N':'1'}"), "ValidationException",
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    fx_fail(f, "Query", Q("pk = :p AND sk = ", ""), "ValidationException",
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    fx_fail(f, "Query", Q("pk = :p AND attribute_exists(sk)", ""), "ValidationException",
            "Invalid operator used in KeyConditionExpression: attribute_exists");
    fx_fail(f, "Query", "{'TableName':'tbl','IndexName':'nope','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}",
            "ValidationException", "The table does not have the specified index: nope");
    fx_fail(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}},"
            "'ExclusiveStartKey':{'pk':{'S':'b'},'sk':{'N':'1'}}}", "ValidationException",
            "The provided starting key is outside query boundaries based on provided conditions");
    fx_fail(f, "Query", "{'TableName':'tbl','Limit':0,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}",
            "ValidationException",
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
}

static void test_query_filter_and_count_and_capacity(void **state)
{
    struct fx *f = *state;
    s_fill(f, 9);
    json_t *r = fx_ok(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','FilterExpression':'v = :z',"
                                  "'ExpressionAttributeValues':{':p':{'S':'a'},':z':{'N':'0'}},'ReturnConsumedCapacity':'TOTAL'}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 3);
    assert_int_equal(json_integer_value(json_object_get(r, "ScannedCount")), 9);
    assert_true(json_real_value(json_object_get(json_object_get(r, "ConsumedCapacity"), "CapacityUnits")) == 0.5);
    json_decref(r);
    r = fx_ok(f, "Query", "{'TableName':'tbl','Select':'COUNT','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}");
    fx_assert_json(r, "{'Count':9,'ScannedCount':9}");
    json_decref(r);
    fx_fail(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','FilterExpression':'sk = :z',"
                        "'ExpressionAttributeValues':{':p':{'S':'a'},':z':{'N':'0'}}}", "ValidationException",
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk");
}

static void test_pages_stop_after_one_megabyte(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    /* 30 items of ~100 KB: a page holds items until the running size reaches 1 MB. */
    char *blob = lc_malloc(100 * 1024 + 1);
    memset(blob, 'z', 100 * 1024);
    blob[100 * 1024] = '\0';
    for (int i = 0; i < 30; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        json_t *req = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}", "TableName", "tbl", "Item", "pk", "S", "a", "sk", "N", num, "blob", "S", blob);
        json_t *resp;
        assert_int_equal(lc_ddb_put_item(f->ddb, req, &resp, NULL), 0);
        json_decref(resp);
        json_decref(req);
    }
    lc_free(blob);
    json_t *r = fx_ok(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}");
    size_t n = json_array_size(json_object_get(r, "Items"));
    assert_int_equal(n, 11); /* 10 items are 1,024,xxx bytes minus names: the 11th crosses 1 MB */
    assert_non_null(json_object_get(r, "LastEvaluatedKey"));
    json_decref(r);
    r = fx_ok(f, "Scan", "{'TableName':'tbl','ExclusiveStartKey':{'pk':{'S':'a'},'sk':{'N':'10'}}}");
    assert_int_equal(json_array_size(json_object_get(r, "Items")), 11);
    json_decref(r);
}

static void test_scan_pages_through_every_item_once(void **state)
{
    struct fx *f = *state;
    s_fill(f, 20);
    json_t *all = json_object();
    json_t *start = NULL;
    int pages = 0;
    do {
        json_t *req = json_pack("{s:s,s:i}", "TableName", "tbl", "Limit", 6);
        if (start)
            json_object_set(req, "ExclusiveStartKey", start);
        json_t *resp;
        struct lc_error err;
        assert_int_equal(lc_ddb_scan(f->ddb, req, &resp, &err), 0);
        json_decref(req);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(resp, "Items"), i, it)
        {
            char *k = fx_text(json_object_get(it, "sk"));
            char *id = lc_asprintf("%s/%s", json_string_value(json_object_get(json_object_get(it, "pk"), "S")), k);
            assert_null(json_object_get(all, id));
            json_object_set_new(all, id, json_true());
            free(k);
            lc_free(id);
        }
        json_decref(start);
        start = json_incref(json_object_get(resp, "LastEvaluatedKey"));
        json_decref(resp);
        pages++;
    } while (start);
    assert_int_equal(json_object_size(all), 23);
    assert_int_equal(pages, 4);
    json_decref(all);
}

static void test_parallel_scan_segments_partition_the_table(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    for (int i = 0; i < 40; i++) {
        char *req = lc_asprintf("{'TableName':'tbl','Item':{'pk':{'S':'p%d'},'sk':{'N':'1'}}}", i);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    json_int_t total = 0;
    for (int s = 0; s < 3; s++) {
        char *req = lc_asprintf("{'TableName':'tbl','Segment':%d,'TotalSegments':3}", s);
        json_t *r = fx_ok(f, "Scan", req);
        total += json_integer_value(json_object_get(r, "Count"));
        json_decref(r);
        lc_free(req);
    }
    assert_int_equal(total, 40);
    fx_fail(f, "Scan", "{'TableName':'tbl','Segment':3,'TotalSegments':3}", "ValidationException",
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3");
}

#define ORDERS "{'TableName':'orders','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'sk','AttributeType':'S'}," \
    "{'AttributeName':'status','AttributeType':'S'},{'AttributeName':'total','AttributeType':'N'}]," \
    "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'," \
    "'LocalSecondaryIndexes':[{'IndexName':'byTotal','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'total','KeyType':'RANGE'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}]," \
    "'GlobalSecondaryIndexes':[{'IndexName':'byStatus','KeySchema':[{'AttributeName':'status','KeyType':'HASH'},{'AttributeName':'total','KeyType':'RANGE'}],'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['note']}}]}"

static void test_indexes_follow_puts_replacements_and_deletes(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", ORDERS));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o1'},'status':{'S':'open'},'total':{'N':'30'},'note':{'S':'n1'},'extra':{'S':'e'}}}"));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o2'},'status':{'S':'open'},'total':{'N':'10'}}}"));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u2'},'sk':{'S':'o3'},'total':{'N':'5'}}}")); /* sparse: no status */
    json_t *r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byStatus','KeyConditionExpression':'#s = :s',"
                                  "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}}}");
    fx_assert_json(json_object_get(r, "Items"), "[{'pk':{'S':'u1'},'sk':{'S':'o2'},'status':{'S':'open'},'total':{'N':'10'}},"
                                                "{'pk':{'S':'u1'},'sk':{'S':'o1'},'status':{'S':'open'},'total':{'N':'30'},'note':{'S':'n1'}}]");
    json_decref(r);
    /* Moving o1 to another status moves its index entry in the same write. */
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o1'},'status':{'S':'closed'},'total':{'N':'30'}}}"));
    json_decref(fx_ok(f, "DeleteItem", "{'TableName':'orders','Key':{'pk':{'S':'u1'},'sk':{'S':'o2'}}}"));
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byStatus','KeyConditionExpression':'#s = :s',"
                          "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}}}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 0);
    json_decref(r);
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byTotal','KeyConditionExpression':'pk = :p AND #t > :t',"
                          "'ExpressionAttributeNames':{'#t':'total'},'ExpressionAttributeValues':{':p':{'S':'u1'},':t':{'N':'1'}},"
                          "'ReturnConsumedCapacity':'INDEXES'}");
    fx_assert_json(r, "{'Items':[{'pk':{'S':'u1'},'sk':{'S':'o1'},'total':{'N':'30'}}],'Count':1,'ScannedCount':1,"
                      "'ConsumedCapacity':{'TableName':'orders','CapacityUnits':0.5,'Table':{'CapacityUnits':0.0},"
                      "'LocalSecondaryIndexes':{'byTotal':{'CapacityUnits':0.5}}}}");
    json_decref(r);
    /* An LSI can fetch every attribute from the table; a GSI cannot. */
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byTotal','Select':'ALL_ATTRIBUTES','KeyConditionExpression':'pk = :p',"
                          "'ExpressionAttributeValues':{':p':{'S':'u1'}}}");
    fx_assert_json(json_object_get(r, "Items"), "[{'pk':{'S':'u1'},'sk':{'S':'o1'},'status':{'S':'closed'},'total':{'N':'30'}}]");
    json_decref(r);
    fx_fail(f, "Query", "{'TableName':'orders','IndexName':'byStatus','Select':'ALL_ATTRIBUTES','KeyConditionExpression':'#s = :s',"
                        "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}}}", "ValidationException",
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byStatus because its projection type is not ALL");
    fx_fail(f, "Query", "{'TableName':'orders','IndexName':'byStatus','ConsistentRead':true,'KeyConditionExpression':'#s = :s',"
                        "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}}}", "ValidationException",
            "Consistent reads are not supported on global secondary indexes");
    /* Index key of the wrong type is refused before anything is written. */
    fx_fail(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o9'},'status':{'N':'1'}}}", "ValidationException",
            "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus");
}

/* Found by fuzz_ddb_ops: a ProjectionExpression naming an attribute a KEYS_ONLY LSI does not hold
 * came back without it; DynamoDB fetches it from the table. */
static void test_lsi_fetches_unprojected_attributes_from_the_table(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", ORDERS));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o1'},'total':{'N':'30'},'note':{'S':'n1'},'extra':{'S':'e'}}}"));
    json_decref(fx_ok(f, "PutItem", "{'TableName':'orders','Item':{'pk':{'S':'u1'},'sk':{'S':'o2'},'total':{'N':'10'}}}"));
    json_t *r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byTotal','KeyConditionExpression':'pk = :p',"
                                  "'ProjectionExpression':'sk, note','ExpressionAttributeValues':{':p':{'S':'u1'}},"
                                  "'ReturnConsumedCapacity':'INDEXES'}");
    fx_assert_json(r, "{'Items':[{'sk':{'S':'o2'}},{'sk':{'S':'o1'},'note':{'S':'n1'}}],'Count':2,'ScannedCount':2,"
                      "'ConsumedCapacity':{'TableName':'orders','CapacityUnits':1.0,'Table':{'CapacityUnits':0.5},"
                      "'LocalSecondaryIndexes':{'byTotal':{'CapacityUnits':0.5}}}}");
    json_decref(r);
    r = fx_ok(f, "Scan", "{'TableName':'orders','IndexName':'byTotal','ProjectionExpression':'extra'}");
    fx_assert_json(json_object_get(r, "Items"), "[{},{'extra':{'S':'e'}}]");
    json_decref(r);
    /* A filter on such an attribute is evaluated on the table's item; the reply keeps to the index. */
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byTotal','KeyConditionExpression':'pk = :p',"
                          "'FilterExpression':'note = :n','ExpressionAttributeValues':{':p':{'S':'u1'},':n':{'S':'n1'}}}");
    fx_assert_json(r, "{'Items':[{'pk':{'S':'u1'},'sk':{'S':'o1'},'total':{'N':'30'}}],'Count':1,'ScannedCount':2}");
    json_decref(r);
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byTotal','KeyConditionExpression':'pk = :p','Select':'ALL_ATTRIBUTES',"
                          "'FilterExpression':'attribute_exists(extra)','ExpressionAttributeValues':{':p':{'S':'u1'}}}");
    fx_assert_json(json_object_get(r, "Items"), "[{'pk':{'S':'u1'},'sk':{'S':'o1'},'total':{'N':'30'},'note':{'S':'n1'},'extra':{'S':'e'}}]");
    json_decref(r);
}

static void test_index_pagination_uses_index_and_table_keys(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", ORDERS));
    for (int i = 0; i < 5; i++) {
        char *req = lc_asprintf("{'TableName':'orders','Item':{'pk':{'S':'u%d'},'sk':{'S':'o'},'status':{'S':'open'},'total':{'N':'7'}}}", i);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    json_t *r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byStatus','Limit':2,'KeyConditionExpression':'#s = :s',"
                                  "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}}}");
    fx_assert_json(json_object_get(r, "LastEvaluatedKey"), "{'pk':{'S':'u1'},'sk':{'S':'o'},'status':{'S':'open'},'total':{'N':'7'}}");
    json_decref(r);
    r = fx_ok(f, "Query", "{'TableName':'orders','IndexName':'byStatus','KeyConditionExpression':'#s = :s',"
                          "'ExpressionAttributeNames':{'#s':'status'},'ExpressionAttributeValues':{':s':{'S':'open'}},"
                          "'ExclusiveStartKey':{'pk':{'S':'u1'},'sk':{'S':'o'},'status':{'S':'open'},'total':{'N':'7'}}}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 3);
    json_decref(r);
    r = fx_ok(f, "Scan", "{'TableName':'orders','IndexName':'byStatus','Limit':4}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 4);
    json_decref(r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_query_sort_key_operators),
        FX_TEST(test_query_begins_with_on_a_string_sort_key),
        FX_TEST(test_query_pages_with_limit_and_exclusive_start_key),
        FX_TEST(test_query_limit_reached_exactly_still_returns_last_key),
        FX_TEST(test_query_key_condition_errors),
        FX_TEST(test_query_filter_and_count_and_capacity),
        FX_TEST(test_pages_stop_after_one_megabyte),
        FX_TEST(test_scan_pages_through_every_item_once),
        FX_TEST(test_parallel_scan_segments_partition_the_table),
        FX_TEST(test_indexes_follow_puts_replacements_and_deletes),
        FX_TEST(test_index_pagination_uses_index_and_table_keys),
        FX_TEST(test_lsi_fetches_unprojected_attributes_from_the_table),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
