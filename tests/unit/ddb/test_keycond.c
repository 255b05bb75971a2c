/* test_keycond.c: key conditions as byte ranges. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static int s_range(const char *cond, const char *values, struct ddb_key_range *kr, struct lc_error *err)
{
    json_t *vals = fx_json(values);
    struct ddb_expr_ctx ctx;
    ddb_expr_ctx_init(&ctx, NULL, vals);
    struct ddb_node *root;
    int rc = ddb_expr_parse_condition(&ctx, "KeyConditionExpression", cond, &root, err);
    struct ddb_key_attr hash = {"pk", 'S'}, range = {"sk", 'S'};
    if (rc == 0)
        rc = ddb_key_condition(root, &hash, &range, kr, err);
    else
        memset(kr, 0, sizeof *kr);
    ddb_expr_ctx_free(&ctx);
    json_decref(vals);
    return rc;
}

static void test_operators_become_ranges(void **state)
{
    struct ddb_key_range kr;
    struct lc_error err;
    assert_int_equal(s_range("pk = :p AND sk >= :a", "{':p':{'S':'x'},':a':{'S':'m'}}", &kr, &err), 0);
    assert_true(kr.has_lo && kr.lo_incl && !kr.has_hi);
    assert_memory_equal(kr.pk.data, "x", 1);
    assert_memory_equal(kr.lo.data, "m", 1);
    ddb_key_range_free(&kr);
    assert_int_equal(s_range(":a > sk AND pk = :p", "{':p':{'S':'x'},':a':{'S':'m'}}", &kr, &err), 0);
    assert_true(!kr.has_lo && kr.has_hi && !kr.hi_incl);
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("pk = :p AND begins_with(sk, :a)", "{':p':{'S':'x'},':a':{'S':'ab\\u00ff'}}", &kr, &err), 0);
    /* "ab" + UTF-8 of U+00FF (c3 bf): the successor bumps the last byte. */
    assert_int_equal(kr.hi.len, 4);
    assert_int_equal((unsigned char)kr.hi.data[3], 0xc0);
    assert_false(kr.hi_incl);
    ddb_key_range_free(&kr);
}

static void test_key_condition_refusals(void **state)
{
    struct ddb_key_range kr;
    struct lc_error err;
    assert_int_equal(s_range("pk = :p AND sk = :a AND sk = :a", "{':p':{'S':'x'},':a':{'S':'m'}}", &kr, &err), LC_EINVAL);
    assert_string_equal(err.message, "KeyConditionExpressions must only contain one condition per key");
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("pk = :p AND sk.x = :a", "{':p':{'S':'x'},':a':{'S':'m'}}", &kr, &err), LC_EINVAL);
    assert_string_equal(err.message, "KeyConditionExpressions cannot have conditions on nested attributes");
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("pk = :p AND :a = :a", "{':p':{'S':'x'},':a':{'S':'m'}}", &kr, &err), LC_EINVAL);
    assert_string_equal(err.message, "Invalid condition in KeyConditionExpression: No key attribute specified");
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("pk = :p AND sk BETWEEN :a AND :b", "{':p':{'S':'x'},':a':{'S':'m'},':b':{'N':'1'}}", &kr, &err), LC_EINVAL);
    assert_non_null(strstr(err.message, "The BETWEEN operator requires same data type"));
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("pk = :p AND size(sk) > :a", "{':p':{'S':'x'},':a':{'N':'1'}}", &kr, &err), LC_EINVAL);
    assert_string_equal(err.message, "KeyConditionExpressions cannot contain nested operations");
    ddb_key_range_free(&kr);
    assert_int_equal(s_range("NOT pk = :p", "{':p':{'S':'x'}}", &kr, &err), LC_EINVAL);
    assert_string_equal(err.message, "Invalid operator used in KeyConditionExpression: NOT");
    ddb_key_range_free(&kr);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators_become_ranges),
        cmocka_unit_test(test_key_condition_refusals),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
