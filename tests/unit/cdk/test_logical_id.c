/* test_logical_id.c: CDK's makeUniqueId (human part + md5 path hash). */
#include "cdk_test.h"

#include "cdk/internal.h"

static void s_expect(const char *const *c, size_t n, const char *want)
{
    char *id = lc__make_unique_id(c, n);
    assert_string_equal(id, want);
    lc_free(id);
}

static void test_nested_path_gets_human_part_and_uppercase_md5(void **state)
{
    s_expect((const char *const[]){"read-function", "ServiceRole", "Resource"}, 3, "readfunctionServiceRoleB48A8555");
    s_expect((const char *const[]){"read-function", "ServiceRole", "DefaultPolicy", "Resource"}, 4,
             "readfunctionServiceRoleDefaultPolicy48580EEC");
    s_expect((const char *const[]){"dynamoTable", "Resource"}, 2, "dynamoTableA1BCE036");
}

static void test_single_component_has_no_hash(void **state)
{
    s_expect((const char *const[]){"readTableTOken"}, 1, "readTableTOken");
    s_expect((const char *const[]){"my-output_1"}, 1, "myoutput1");
}

static void test_default_components_are_hidden(void **state)
{
    s_expect((const char *const[]){"Default", "readTableTOken"}, 2, "readTableTOken");
}

static void test_duplicate_suffixes_are_removed_from_the_human_part(void **state)
{
    /* "bucket/bucket/Resource": the second component is dropped from the human part only. */
    char *id = lc__make_unique_id((const char *const[]){"Bucket", "Bucket", "Resource"}, 3);
    assert_true(!strncmp(id, "Bucket", 6) && strlen(id) == 6 + 8);
    lc_free(id);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_path_gets_human_part_and_uppercase_md5),
        cmocka_unit_test(test_single_component_has_no_hash),
        cmocka_unit_test(test_default_components_are_hidden),
        cmocka_unit_test(test_duplicate_suffixes_are_removed_from_the_human_part),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
