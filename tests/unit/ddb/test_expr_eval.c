/* test_expr_eval.c: conditions evaluated against items. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static const char *ITEM = "{'id':{'S':'u1'},'age':{'N':'42'},'name':{'S':'Ada Lovelace'},'tags':{'SS':['x','y']},"
                          "'nums':{'NS':['1','2']},'lst':{'L':[{'S':'a'},{'N':'3'}]},'m':{'M':{'k':{'S':'v'}}},'bin':{'B':'AQID'}}";
static const char *VALUES = "{':s':{'S':'u1'},':n':{'N':'42'},':lo':{'N':'40'},':hi':{'N':'50'},':pre':{'S':'Ada'},':x':{'S':'x'},"
                            "':two':{'N':'2'},':t':{'S':'SS'},':v':{'S':'v'},':love':{'S':'Love'},':b':{'B':'AQ=='},':a':{'S':'a'}}";

static bool s_eval(const char *cond, const char *item_text)
{
    json_t *values = fx_json(VALUES), *item = item_text ? fx_json(item_text) : NULL;
    json_t *names = fx_json("{'#n':'name'}");
    struct ddb_expr_ctx ctx;
    ddb_expr_ctx_init(&ctx, names, values);
    struct ddb_node *root;
    struct lc_error err;
    if (ddb_expr_parse_condition(&ctx, "ConditionExpression", cond, &root, &err) != 0)
        fail_msg("%s: %s", cond, err.message);
    bool r = ddb_expr_eval(root, item);
    ddb_expr_ctx_free(&ctx);
    json_decref(values);
    json_decref(item);
    json_decref(names);
    return r;
}

static void test_comparisons_and_logic(void **state)
{
    assert_true(s_eval("id = :s", ITEM));
    assert_false(s_eval("id <> :s", ITEM));
    assert_true(s_eval("age BETWEEN :lo AND :hi", ITEM));
    assert_true(s_eval("age > :lo AND NOT age > :hi", ITEM));
    assert_true(s_eval("age < :lo OR age = :n", ITEM));
    assert_true(s_eval("age IN (:lo, :n)", ITEM));
    assert_false(s_eval("age > :s", ITEM)); /* different types never compare */
    assert_false(s_eval("gone = :s", ITEM));
    assert_true(s_eval("gone <> :s", ITEM));
    assert_true(s_eval("lst[1] = :two OR lst[1] > :two", ITEM));
    assert_true(s_eval("m.k = :v", ITEM));
}

static void test_functions(void **state)
{
    assert_true(s_eval("attribute_exists(m.k)", ITEM));
    assert_true(s_eval("attribute_not_exists(m.z)", ITEM));
    assert_true(s_eval("attribute_not_exists(id)", NULL));
    assert_true(s_eval("attribute_type(tags, :t)", ITEM));
    assert_true(s_eval("begins_with(#n, :pre)", ITEM));
    assert_true(s_eval("begins_with(bin, :b)", ITEM));
    assert_true(s_eval("contains(#n, :love)", ITEM));
    assert_true(s_eval("contains(tags, :x)", ITEM));
    assert_true(s_eval("contains(nums, :two)", ITEM));
    assert_true(s_eval("contains(lst, :a)", ITEM));
    assert_true(s_eval("size(tags) = :two", ITEM));
    assert_true(s_eval("size(bin) > :two", ITEM));
    assert_false(s_eval("size(nada) > :two", ITEM));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparisons_and_logic),
        cmocka_unit_test(test_functions),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
