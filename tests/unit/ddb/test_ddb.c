/* test_ddb.c: the handle: schema, dispatch, the text fast path, counters, threads. */
#include "ddb_fixture.h"

#include <pthread.h>

#include "ddb/ddb_internal.h"

/* lc_ddb_call_text must say exactly what lc_ddb_call says. */
static void s_same(struct fx *f, const char *op, const char *req_text)
{
    json_t *req = fx_json(req_text), *resp = NULL;
    struct lc_error e1, e2;
    int rc1 = lc_ddb_call(f->ddb, op, req, &resp, &e1);
    char *body = NULL;
    size_t len = 0;
    int rc2 = lc_ddb_call_text(f->ddb, op, req, &body, &len, &e2);
    assert_int_equal(rc1, rc2);
    if (rc1 == 0) {
        json_error_t jerr;
        json_t *parsed = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
        if (!parsed)
            fail_msg("%s body is not JSON (%s): %s", op, jerr.text, body);
        /* Capacity units follow the same rules; compare without them only when absent. */
        char *a = fx_text(resp), *b = fx_text(parsed);
        if (strcmp(a, b) != 0)
        {
            size_t i = 0;
            while (a[i] && a[i] == b[i])
                i++;
            fail_msg("%s %s differ at %zu: json ...%.80s text ...%.80s", op, req_text, i, a + (i > 20 ? i - 20 : 0), b + (i > 20 ? i - 20 : 0));
        }
        free(a);
        free(b);
        json_decref(parsed);
        assert_int_equal(strlen(body), len);
    } else {
        assert_string_equal(e1.message, e2.message);
        assert_null(body);
    }
    json_decref(resp);
    lc_free(body);
    json_decref(req);
}

static void test_text_responses_equal_json_responses(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    for (int i = 0; i < 12; i++) {
        char *req = lc_asprintf("{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'%d'},'v':{'S':'x\\u0000y\\\"%d'},'m':{'M':{'n':{'N':'%d'}}}}}", i, i, i);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    s_same(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'3'}}}");
    s_same(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'99'}},'ReturnConsumedCapacity':'TOTAL'}");
    s_same(f, "GetItem", "{'TableName':'tbl','Key':{'pk':{'S':'a'},'sk':{'N':'3'}},'ProjectionExpression':'m.n'}");
    s_same(f, "GetItem", "{'TableName':'nope','Key':{'pk':{'S':'a'},'sk':{'N':'3'}}}");
    s_same(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}}}");
    s_same(f, "Query", "{'TableName':'tbl','Limit':5,'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'a'}},'ReturnConsumedCapacity':'INDEXES'}");
    s_same(f, "Query", "{'TableName':'tbl','KeyConditionExpression':'pk = :p','FilterExpression':'m.n > :z','ExpressionAttributeValues':{':p':{'S':'a'},':z':{'N':'6'}}}");
    s_same(f, "Query", "{'TableName':'tbl','Select':'COUNT','KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'b'}}}");
    s_same(f, "Scan", "{'TableName':'tbl','Limit':4,'ExclusiveStartKey':{'pk':{'S':'a'},'sk':{'N':'2'}}}");
    s_same(f, "Scan", "{'TableName':'tbl','ProjectionExpression':'sk'}");
    s_same(f, "DescribeTable", "{'TableName':'nope'}");
    s_same(f, "ListTables", "{}");
}

/* The text path's body must be byte for byte what serialising lc_ddb_call's response gives. */
static void s_same_bytes(struct fx *f, const char *op, const char *req_text)
{
    json_t *req = fx_json(req_text), *resp = NULL;
    assert_int_equal(lc_ddb_call(f->ddb, op, req, &resp, NULL), 0);
    char *want = json_dumps(resp, JSON_COMPACT);
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(lc_ddb_call_text(f->ddb, op, req, &body, &len, NULL), 0);
    if (strcmp(want, body) != 0)
        fail_msg("%s %s\n  json %s\n  text %s", op, req_text, want, body);
    assert_int_equal(strlen(body), len);
    free(want);
    lc_free(body);
    json_decref(resp);
    json_decref(req);
}

static void test_text_last_evaluated_key_for_any_key_names(void **state)
{
    struct fx *f = *state;
    /* Key names that stored JSON escapes (quote, backslash), non-ASCII, and an index whose keys
     * come after a long attribute: LastEvaluatedKey is read from the stored text of the last item. */
    json_decref(fx_ok(f, "CreateTable",
                      "{'TableName':'odd','AttributeDefinitions':[{'AttributeName':'p\\'q\\\\','AttributeType':'S'},"
                      "{'AttributeName':'s\u00e9','AttributeType':'N'},{'AttributeName':'g','AttributeType':'B'}],"
                      "'KeySchema':[{'AttributeName':'p\\'q\\\\','KeyType':'HASH'},{'AttributeName':'s\u00e9','KeyType':'RANGE'}],"
                      "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
                      "'Projection':{'ProjectionType':'ALL'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    for (int i = 0; i < 6; i++) {
        char *req = lc_asprintf("{'TableName':'odd','Item':{'long':{'S':'{[\\'x\\\\]}'},'p\\'q\\\\':{'S':'k%d'},"
                                "'s\u00e9':{'N':'%d.50'},'g':{'B':'AAE='},'l':{'L':[{'M':{'a':{'BOOL':true}}},{'NULL':true}]}}}",
                                i % 2, i);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    s_same_bytes(f, "Scan", "{'TableName':'odd','Limit':2}");
    s_same_bytes(f, "Scan", "{'TableName':'odd','Limit':2,'Select':'COUNT'}");
    s_same_bytes(f, "Scan", "{'TableName':'odd','IndexName':'byG','Limit':3,'ReturnConsumedCapacity':'INDEXES'}");
    s_same_bytes(f, "Query", "{'TableName':'odd','KeyConditionExpression':'#p = :p','ExpressionAttributeNames':{'#p':'p\\'q\\\\'},"
                             "'ExpressionAttributeValues':{':p':{'S':'k1'}},'Limit':2,'ScanIndexForward':false}");
    s_same_bytes(f, "Query", "{'TableName':'odd','IndexName':'byG','KeyConditionExpression':'g = :g',"
                             "'ExpressionAttributeValues':{':g':{'B':'AAE='}},'Limit':4}");
    s_same_bytes(f, "GetItem", "{'TableName':'odd','Key':{'p\\'q\\\\':{'S':'k0'},'s\u00e9':{'N':'2.5'}},'ReturnConsumedCapacity':'TOTAL'}");
    s_same_bytes(f, "GetItem", "{'TableName':'odd','Key':{'p\\'q\\\\':{'S':'k0'},'s\u00e9':{'N':'3'}}}");

    /* Names stored without escapes (the common case), values with quotes and brackets around them. */
    json_decref(fx_ok(f, "CreateTable",
                      "{'TableName':'plain','AttributeDefinitions':[{'AttributeName':'p\u00e9','AttributeType':'S'},"
                      "{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g','AttributeType':'B'},{'AttributeName':'h','AttributeType':'S'}],"
                      "'KeySchema':[{'AttributeName':'p\u00e9','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
                      "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g','KeyType':'HASH'},"
                      "{'AttributeName':'h','KeyType':'RANGE'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}],'BillingMode':'PAY_PER_REQUEST'}"));
    for (int i = 0; i < 6; i++) {
        char *req = lc_asprintf("{'TableName':'plain','Item':{'a{b':{'S':'{[\\'x\\\\]}'},'p\u00e9':{'S':'k%d'},"
                                "'l':{'L':[{'M':{'sk':{'BOOL':true}}},{'NULL':true}]},'sk':{'N':'%d.50'},'g':{'B':'AAE='},'h':{'S':'%c'}}}",
                                i % 2, i, 'a' + i);
        json_decref(fx_ok(f, "PutItem", req));
        lc_free(req);
    }
    s_same_bytes(f, "Scan", "{'TableName':'plain','Limit':2}");
    s_same_bytes(f, "Scan", "{'TableName':'plain','Limit':5,'Select':'COUNT'}");
    s_same_bytes(f, "Scan", "{'TableName':'plain','IndexName':'byG','Limit':3,'ReturnConsumedCapacity':'INDEXES'}");
    s_same_bytes(f, "Query", "{'TableName':'plain','KeyConditionExpression':'#p = :p','ExpressionAttributeNames':{'#p':'p\u00e9'},"
                             "'ExpressionAttributeValues':{':p':{'S':'k1'}},'Limit':2,'ScanIndexForward':false}");
    s_same_bytes(f, "Query", "{'TableName':'plain','IndexName':'byG','KeyConditionExpression':'g = :g',"
                             "'ExpressionAttributeValues':{':g':{'B':'AAE='}},'Limit':4}");
}

static void test_opening_twice_keeps_the_schema(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    struct lc_ddb *again;
    assert_int_equal(lc_ddb_open(f->store, &again, NULL), 0);
    assert_true(lc_ddb_table_exists(again, "tbl"));
    lc_ddb_free(again);
    lc_ddb_free(NULL);
}

static void test_a_failed_write_rolls_back_and_the_next_succeeds(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    fx_fail(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'1'}},'ConditionExpression':'attribute_exists(pk)'}",
            "ConditionalCheckFailedException", "The conditional request failed");
    assert_true(sqlite3_get_autocommit(lc_store_db(f->store)) != 0);
    json_decref(fx_ok(f, "PutItem", "{'TableName':'tbl','Item':{'pk':{'S':'a'},'sk':{'N':'1'}}}"));
}

struct worker {
    struct fx *f;
    int id;
    int failures;
};

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 100; i++) {
        char *req = lc_asprintf("{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"w%d\"},\"sk\":{\"N\":\"%d\"}}}", w->id, i);
        json_t *r = json_loads(req, 0, NULL), *resp = NULL;
        struct lc_error err;
        if (lc_ddb_call(w->f->ddb, "PutItem", r, &resp, &err) != 0)
            w->failures++;
        json_decref(resp);
        json_decref(r);
        lc_free(req);
        req = lc_asprintf("{\"TableName\":\"tbl\",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"w%d\"}}}", w->id);
        r = json_loads(req, 0, NULL);
        char *body = NULL;
        if (lc_ddb_call_text(w->f->ddb, "Query", r, &body, NULL, &err) != 0)
            w->failures++;
        lc_free(body);
        json_decref(r);
        lc_free(req);
    }
    return NULL;
}

static void test_worker_threads_share_one_handle(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){f, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, s_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    json_t *r = fx_ok(f, "Scan", "{'TableName':'tbl','Select':'COUNT'}");
    assert_int_equal(json_integer_value(json_object_get(r, "Count")), 400);
    json_decref(r);
    struct lc_ddb_table_counters c;
    lc_ddb_table_counters(f->ddb, "tbl", &c);
    assert_int_equal(c.write_requests, 400);
    assert_int_equal(c.read_requests, 401);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_text_responses_equal_json_responses),
        FX_TEST(test_text_last_evaluated_key_for_any_key_names),
        FX_TEST(test_opening_twice_keeps_the_schema),
        FX_TEST(test_a_failed_write_rolls_back_and_the_next_succeeds),
        FX_TEST(test_worker_threads_share_one_handle),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
