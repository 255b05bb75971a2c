/* test_capacity.c: read and write units and the ConsumedCapacity shape. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void test_read_units_are_4kb_steps_halved_when_eventual(void **state)
{
    assert_true(ddb_read_units(1, true) == 1.0);
    assert_true(ddb_read_units(4096, true) == 1.0);
    assert_true(ddb_read_units(4097, true) == 2.0);
    assert_true(ddb_read_units(4097, false) == 1.0);
    assert_true(ddb_read_units(0, false) == 0.0);
}

static void test_write_units_are_1kb_steps_at_least_one(void **state)
{
    assert_true(ddb_write_units(0) == 1.0);
    assert_true(ddb_write_units(1024) == 1.0);
    assert_true(ddb_write_units(1025) == 2.0);
    assert_true(ddb_write_units(400 * 1024) == 400.0);
}

static void test_consumed_capacity_shapes(void **state)
{
    json_t *meta = fx_json("{'TableArn':'arn:x','AttributeDefinitions':[{'AttributeName':'k','AttributeType':'S'},{'AttributeName':'g','AttributeType':'S'}],"
                           "'KeySchema':[{'AttributeName':'k','KeyType':'HASH'}],"
                           "'GlobalSecondaryIndexes':[{'IndexName':'gi','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]}");
    struct ddb_table *t = ddb_table_from_description("tbl", 1, meta);
    assert_null(ddb_consumed(t, NULL, 1, NULL, true));
    assert_null(ddb_consumed(t, "NONE", 1, NULL, true));
    json_t *c = ddb_consumed(t, "TOTAL", 1, (double[]){1}, false);
    fx_assert_json(c, "{'TableName':'tbl','CapacityUnits':2.0}");
    json_decref(c);
    c = ddb_consumed(t, "INDEXES", 1, (double[]){1}, false);
    fx_assert_json(c, "{'TableName':'tbl','CapacityUnits':2.0,'Table':{'CapacityUnits':1.0},'GlobalSecondaryIndexes':{'gi':{'CapacityUnits':1.0}}}");
    json_decref(c);
    ddb_table_free(t);
    json_decref(meta);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_units_are_4kb_steps_halved_when_eventual),
        cmocka_unit_test(test_write_units_are_1kb_steps_at_least_one),
        cmocka_unit_test(test_consumed_capacity_shapes),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
