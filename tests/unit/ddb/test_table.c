/* test_table.c: table metadata parsing and the generation-stamped cache. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void test_description_parses_keys_and_indexes(void **state)
{
    json_t *meta = fx_json("{'TableArn':'arn:aws:dynamodb:us-east-1:000000000000:table/t1',"
                           "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'x','AttributeType':'B'}],"
                           "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
                           "'LocalSecondaryIndexes':[{'IndexName':'l1','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'x','KeyType':'RANGE'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}],"
                           "'GlobalSecondaryIndexes':[{'IndexName':'g1','KeySchema':[{'AttributeName':'x','KeyType':'HASH'}],'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['a','b']}}],"
                           "'Tags':[{'Key':'k','Value':'v'}]}");
    struct ddb_table *t = ddb_table_from_description("t1", 7, meta);
    assert_string_equal(t->hash.name, "pk");
    assert_int_equal(t->hash.type, 'S');
    assert_string_equal(t->range.name, "sk");
    assert_int_equal(t->range.type, 'N');
    assert_int_equal(t->n_indexes, 2);
    const struct ddb_index *l1 = ddb_table_index(t, "l1"), *g1 = ddb_table_index(t, "g1");
    assert_false(l1->global);
    assert_int_equal(l1->id, 0);
    assert_int_equal(l1->projection, DDB_PROJ_KEYS_ONLY);
    assert_int_equal(l1->range.type, 'B');
    assert_true(g1->global);
    assert_int_equal(g1->id, 1);
    assert_int_equal(g1->n_include, 2);
    assert_int_equal(g1->range.type, 0);
    assert_string_equal(g1->arn, "arn:aws:dynamodb:us-east-1:000000000000:table/t1/index/g1");
    assert_null(ddb_table_index(t, "nope"));
    assert_non_null(t->tags);
    assert_null(json_object_get(t->description, "Tags"));
    ddb_table_free(t);
    json_decref(meta);
}

static void test_cache_follows_the_generation(void **state)
{
    struct fx *f = *state;
    fx_simple_table(f, "tbl");
    const struct ddb_table *a = ddb_table_get(f->ddb, "tbl", NULL);
    const struct ddb_table *b = ddb_table_get(f->ddb, "tbl", NULL);
    assert_ptr_equal(a, b); /* cached */
    /* Another process bumping the generation makes the next lookup reload. */
    assert_int_equal(lc_store_bump_generation(f->store, "ddb", NULL), 0);
    const struct ddb_table *c = ddb_table_get(f->ddb, "tbl", NULL);
    assert_ptr_not_equal(a, c);
    assert_string_equal(c->name, "tbl");
    /* The old description stays valid for borrowers until the handle is freed. */
    assert_string_equal(a->name, "tbl");
    struct lc_error err;
    assert_null(ddb_table_get(f->ddb, "absent", &err));
    assert_string_equal(err.aws_code, "ResourceNotFoundException");
    assert_string_equal(err.message, "Requested resource not found");
}

static void test_table_name_rules(void **state)
{
    struct lc_error err;
    json_t *ok = json_string("a.b-c_1"), *shortname = json_string("ab"), *bad = json_string("a/b"), *num = json_integer(5);
    assert_int_equal(ddb_check_table_name(ok, "TableName", &err), 0);
    assert_int_equal(ddb_check_table_name(shortname, "TableName", &err), LC_EINVAL);
    assert_string_equal(err.message, "TableName must be at least 3 characters long and at most 255 characters long");
    assert_int_equal(ddb_check_table_name(bad, "TableName", &err), LC_EINVAL);
    assert_string_equal(err.message, "1 validation error detected: Value 'a/b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    assert_int_equal(ddb_check_table_name(num, "TableName", &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "SerializationException");
    assert_int_equal(ddb_check_table_name(NULL, "TableName", &err), LC_EINVAL);
    assert_string_equal(err.message, "The parameter 'TableName' is required but was not present in the request");
    json_decref(ok);
    json_decref(shortname);
    json_decref(bad);
    json_decref(num);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_description_parses_keys_and_indexes),
        FX_TEST(test_cache_follows_the_generation),
        cmocka_unit_test(test_table_name_rules),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
