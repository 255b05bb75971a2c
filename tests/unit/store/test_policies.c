/* test_policies.c: inline and managed policies and a principal's evaluated policy set. */
#include "store_fixture.h"

#include "leastcloud/store_iam.h"

static const char *DOC_A = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a:A\",\"Resource\":\"*\"}]}";
static const char *DOC_B = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"b:B\",\"Resource\":\"*\"}]}";

static void test_policy_set_holds_inline_managed_and_group_policies(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u, g;
    char arn[LC_ARN_MAX];
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_principal_create(f->store, LC_PRINCIPAL_GROUP, "devs", NULL, NULL, &g, NULL);
    assert_int_equal(lc_store_inline_policy_put(f->store, u.arn, "mine", DOC_A, NULL), 0);
    assert_int_equal(lc_store_managed_policy_create(f->store, "Shared", NULL, DOC_B, NULL, false, arn, NULL), 0);
    assert_string_equal(arn, "arn:aws:iam::000000000000:policy/Shared");
    assert_int_equal(lc_store_policy_attach(f->store, g.arn, arn, NULL), 0);
    assert_int_equal(lc_store_group_add_user(f->store, g.arn, u.arn, NULL), 0);

    struct lc_store_policies set;
    assert_int_equal(lc_store_principal_policies(f->store, u.arn, &set, NULL), 0);
    assert_int_equal(set.n_identity, 2);
    assert_string_equal(set.identity[0].label, "u/mine");
    assert_string_equal(set.identity[0].document, DOC_A);
    assert_string_equal(set.identity[1].label, arn);
    assert_true(set.identity[1].managed);
    assert_null(set.boundary.document);
    lc_store_policies_free(&set);
}

static void test_new_default_version_replaces_the_document(void **state)
{
    struct fixture *f = *state;
    char arn[LC_ARN_MAX], v[8];
    lc_store_managed_policy_create(f->store, "P", "/team/", DOC_A, "d", false, arn, NULL);
    assert_string_equal(arn, "arn:aws:iam::000000000000:policy/team/P");
    assert_int_equal(lc_store_managed_policy_add_version(f->store, arn, DOC_B, false, v, NULL), 0);
    assert_string_equal(v, "v2");
    char *doc = lc_store_managed_policy_document(f->store, arn, NULL);
    assert_string_equal(doc, DOC_A);
    lc_free(doc);
    assert_int_equal(lc_store_managed_policy_add_version(f->store, arn, DOC_B, true, v, NULL), 0);
    assert_string_equal(v, "v3");
    doc = lc_store_managed_policy_document(f->store, arn, NULL);
    assert_string_equal(doc, DOC_B);
    lc_free(doc);
}

static void test_attached_policy_cannot_be_deleted(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    char arn[LC_ARN_MAX];
    struct lc_error err;
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_managed_policy_create(f->store, "P", NULL, DOC_A, NULL, false, arn, NULL);
    lc_store_policy_attach(f->store, u.arn, arn, NULL);
    assert_int_equal(lc_store_managed_policy_delete(f->store, arn, &err), LC_ECONFLICT);
    assert_string_equal(err.aws_code, "DeleteConflict");
    assert_int_equal(lc_store_policy_detach(f->store, u.arn, arn, NULL), 0);
    assert_int_equal(lc_store_managed_policy_delete(f->store, arn, &err), 0);
}

static void test_aws_managed_policy_lives_in_the_aws_account(void **state)
{
    struct fixture *f = *state;
    char arn[LC_ARN_MAX];
    assert_int_equal(lc_store_managed_policy_create(f->store, "AWSLambdaBasicExecutionRole", "/service-role/",
                                                    DOC_A, NULL, true, arn, NULL), 0);
    assert_string_equal(arn, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
}

static void test_boundary_is_returned_apart_from_identity_policies(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    char arn[LC_ARN_MAX];
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_managed_policy_create(f->store, "Boundary", NULL, DOC_B, NULL, false, arn, NULL);
    assert_int_equal(lc_store_principal_set_boundary(f->store, u.arn, arn, NULL), 0);
    struct lc_store_policies set;
    assert_int_equal(lc_store_principal_policies(f->store, u.arn, &set, NULL), 0);
    assert_int_equal(set.n_identity, 0);
    assert_string_equal(set.boundary.label, arn);
    assert_string_equal(set.boundary.document, DOC_B);
    lc_store_policies_free(&set);
}

static void test_inline_policy_put_replaces_and_delete_reports_missing(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    struct lc_error err;
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_inline_policy_put(f->store, u.arn, "p", DOC_A, NULL);
    lc_store_inline_policy_put(f->store, u.arn, "p", DOC_B, NULL);
    char *doc = lc_store_inline_policy_get(f->store, u.arn, "p", NULL);
    assert_string_equal(doc, DOC_B);
    lc_free(doc);
    assert_int_equal(lc_store_inline_policy_delete(f->store, u.arn, "p", &err), 0);
    assert_int_equal(lc_store_inline_policy_delete(f->store, u.arn, "p", &err), LC_ENOTFOUND);
    assert_string_equal(err.message, "The policy with name p cannot be found.");
}

static const struct CMUnitTest tests[] = {
    FIXTURE_TEST(test_policy_set_holds_inline_managed_and_group_policies),
    FIXTURE_TEST(test_new_default_version_replaces_the_document),
    FIXTURE_TEST(test_attached_policy_cannot_be_deleted),
    FIXTURE_TEST(test_aws_managed_policy_lives_in_the_aws_account),
    FIXTURE_TEST(test_boundary_is_returned_apart_from_identity_policies),
    FIXTURE_TEST(test_inline_policy_put_replaces_and_delete_reports_missing),
};
LC_TEST_MAIN(tests)
