/* test_reserved.c: DynamoDB's reserved words. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void test_reserved_words_are_case_insensitive(void **state)
{
    assert_true(ddb_reserved_word("name", 4));
    assert_true(ddb_reserved_word("TIMESTAMP", 9));
    assert_true(ddb_reserved_word("Status", 6));
    assert_false(ddb_reserved_word("pk", 2));
    assert_false(ddb_reserved_word("namex", 5));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserved_words_are_case_insensitive),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
