/* test_wildcard.c: IAM's `*` and `?` glob. */
#include "iam_test.h"

static bool m(const char *p, const char *s, bool ci)
{
    return lc_iam_wildcard_match(p, strlen(p), s, strlen(s), ci);
}

static void test_star_matches_any_run_including_empty_and_slashes(void **state)
{
    assert_true(m("table/*", "table/", false));
    assert_true(m("table/*", "table/orders/index/byDate", false));
    assert_true(m("*Item", "GetItem", false));
    assert_true(m("a*b*c", "aXXbYYc", false));
    assert_false(m("a*b*c", "aXXbYY", false));
}

static void test_question_mark_matches_exactly_one_character(void **state)
{
    assert_true(m("?etItem", "GetItem", false));
    assert_false(m("?etItem", "etItem", false));
    assert_false(m("Put?tem", "PutItemX", false));
}

static void test_case_folding_is_only_on_request(void **state)
{
    assert_true(m("dynamodb:get*", "DynamoDB:GetItem", true));
    assert_false(m("table/Orders", "table/orders", false));
}

static void test_backtracking_is_not_exponential(void **state)
{
    char s[4001];
    memset(s, 'a', 4000);
    s[4000] = '\0';
    assert_false(m("*a*a*a*a*a*a*a*a*a*a*b", s, false));
}

static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_star_matches_any_run_including_empty_and_slashes),
        cmocka_unit_test(test_question_mark_matches_exactly_one_character),
        cmocka_unit_test(test_case_folding_is_only_on_request),
        cmocka_unit_test(test_backtracking_is_not_exponential),
};

LC_TEST_MAIN(tests)
