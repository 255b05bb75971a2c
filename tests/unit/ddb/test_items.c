/* test_items.c: key checks and item rows with their index rows. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

#define ORDERS "{'TableName':'orders','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'sk','AttributeType':'S'}," \
    "{'AttributeName':'st','AttributeType':'S'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}]," \
    "'BillingMode':'PAY_PER_REQUEST','GlobalSecondaryIndexes':[{'IndexName':'bySt','KeySchema':[{'AttributeName':'st','KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}]}"

static int64_t s_count(struct fx *f, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(lc_store_db(f->store), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_index_rows_follow_the_item_in_one_transaction(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", ORDERS));
    const struct ddb_table *t = ddb_table_get(f->ddb, "orders", NULL);
    json_t *item = fx_json("{'pk':{'S':'u'},'sk':{'S':'1'},'st':{'S':'open'},'big':{'S':'xxxx'}}");
    double units[1] = {0};
    json_t *old = NULL;
    size_t old_size = 0;
    assert_int_equal(ddb_store_put(f->ddb, t, item, ddb_item_size(item), &old, &old_size, units, NULL), 0);
    assert_null(old);
    assert_true(units[0] == 1.0);
    assert_int_equal(s_count(f, "SELECT count(*) FROM ddb_index_item"), 1);
    /* The KEYS_ONLY projection keeps only the keys. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(lc_store_db(f->store), "SELECT item FROM ddb_index_item", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    json_t *proj = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    fx_assert_json(proj, "{'pk':{'S':'u'},'sk':{'S':'1'},'st':{'S':'open'}}");
    json_decref(proj);
    /* Dropping the index attribute removes the entry (sparse index). */
    json_t *item2 = fx_json("{'pk':{'S':'u'},'sk':{'S':'1'}}");
    assert_int_equal(ddb_store_put(f->ddb, t, item2, ddb_item_size(item2), &old, &old_size, units, NULL), 0);
    assert_non_null(old);
    assert_true(old_size > 0);
    json_decref(old);
    assert_int_equal(s_count(f, "SELECT count(*) FROM ddb_index_item"), 0);
    /* A delete of an item that is in the index removes both rows. */
    assert_int_equal(ddb_store_put(f->ddb, t, item, ddb_item_size(item), NULL, &old_size, units, NULL), 0);
    struct lc_buf pk, sk;
    lc_buf_init(&pk, LC_BUF_UNLIMITED);
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    assert_int_equal(ddb_item_key(item, &t->hash, &t->range, &pk, &sk), 0);
    assert_int_equal(ddb_store_delete(f->ddb, t, &pk, &sk, NULL, &old_size, units, NULL), 0);
    assert_int_equal(s_count(f, "SELECT count(*) FROM ddb_item"), 0);
    assert_int_equal(s_count(f, "SELECT count(*) FROM ddb_index_item"), 0);
    lc_buf_free(&pk);
    lc_buf_free(&sk);
    json_decref(item);
    json_decref(item2);
}

static void test_key_checks_use_aws_messages(void **state)
{
    struct fx *f = *state;
    json_decref(fx_ok(f, "CreateTable", ORDERS));
    const struct ddb_table *t = ddb_table_get(f->ddb, "orders", NULL);
    const struct {
        const char *key, *msg;
    } cases[] = {
        {"{'pk':{'S':'a'}}", "The provided key element does not match the schema"},
        {"{'pk':{'S':'a'},'sk':{'N':'1'}}", "The provided key element does not match the schema"},
        {"{'pk':{'S':''},'sk':{'S':'1'}}", "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *k = fx_json(cases[i].key), *canon = NULL;
        struct lc_error err;
        assert_int_equal(ddb_check_key(t, k, &canon, &err), LC_EINVAL);
        assert_null(canon);
        assert_string_equal(err.message, cases[i].msg);
        json_decref(k);
    }
    /* Hash keys up to 2048 bytes, range keys up to 1024. */
    char *big = lc_malloc(2050);
    memset(big, 'h', 2049);
    big[2049] = '\0';
    json_t *item = json_pack("{s:{s:s},s:{s:s}}", "pk", "S", big, "sk", "S", "1");
    struct lc_error err;
    assert_int_equal(ddb_check_item_schema(t, item, &err), LC_EINVAL);
    assert_string_equal(err.message, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    json_decref(item);
    big[1025] = '\0';
    item = json_pack("{s:{s:s},s:{s:s}}", "pk", "S", "p", "sk", "S", big);
    assert_int_equal(ddb_check_item_schema(t, item, &err), LC_EINVAL);
    assert_string_equal(err.message, "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    json_decref(item);
    lc_free(big);
    item = fx_json("{'pk':{'S':'p'},'sk':{'S':'1'},'st':{'S':''}}");
    assert_int_equal(ddb_check_item_schema(t, item, &err), LC_EINVAL);
    assert_string_equal(err.message, "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
                                     "The AttributeValue for a key attribute cannot contain an empty string value. IndexName: bySt, IndexKey: st");
    json_decref(item);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_index_rows_follow_the_item_in_one_transaction),
        FX_TEST(test_key_checks_use_aws_messages),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
