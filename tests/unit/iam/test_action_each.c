/* test_action_each.c: wildcard expansion over the action table (action_each.c). */
#include "lc_test.h"

#include "leastcloud/iam.h"

struct s_seen {
    int n;
    int reads;
    bool get_item;
};

static int s_collect(const char *action, char level, void *ud)
{
    struct s_seen *s = ud;
    s->n++;
    s->reads += level == 'R';
    s->get_item = s->get_item || !strcmp(action, "dynamodb:GetItem");
    return 0;
}

static void test_prefix_wildcard_expands_to_the_service_actions(void **state)
{
    struct s_seen s = {0};
    size_t n = lc_iam_action_each("dynamodb:Get*", s_collect, &s);
    assert_true(n >= 4); /* GetItem, GetRecords, GetShardIterator, GetResourcePolicy, ... */
    assert_int_equal((size_t)s.n, n);
    assert_true(s.get_item);
    assert_int_equal(s.reads, s.n);
}

static void test_exact_names_match_case_insensitively(void **state)
{
    struct s_seen s = {0};
    assert_int_equal(lc_iam_action_each("DynamoDB:getitem", s_collect, &s), 1);
    assert_true(s.get_item);
    assert_int_equal(lc_iam_action_each("dynamodb:NoSuchAction", NULL, NULL), 0);
    assert_int_equal(lc_iam_action_each(NULL, NULL, NULL), 0);
}

static void test_service_wildcard_and_question_mark(void **state)
{
    size_t all = lc_iam_action_each("dynamodb:*", NULL, NULL);
    assert_true(all > 40);
    assert_true(lc_iam_action_each("*", NULL, NULL) > 10000);
    assert_int_equal(lc_iam_action_each("dynamodb:GetIte?", NULL, NULL), 1);
    assert_true(lc_iam_action_each("dynamo*:GetItem", NULL, NULL) >= 1);
}

static int s_stop(const char *action, char level, void *ud)
{
    (*(int *)ud)++;
    return 1;
}

static void test_callback_can_stop_the_walk(void **state)
{
    int calls = 0;
    lc_iam_action_each("dynamodb:*", s_stop, &calls);
    assert_int_equal(calls, 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_wildcard_expands_to_the_service_actions),
        cmocka_unit_test(test_exact_names_match_case_insensitively),
        cmocka_unit_test(test_service_wildcard_and_question_mark),
        cmocka_unit_test(test_callback_can_stop_the_walk),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
