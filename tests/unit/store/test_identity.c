/* test_identity.c: principals, access keys and session credentials. */
#include "store_fixture.h"

#include "leastcloud/clock.h"
#include "leastcloud/store_iam.h"

static void test_user_gets_arn_and_aida_id(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal p;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "read-table-user", NULL, NULL, &p, NULL), 0);
    assert_string_equal(p.arn, "arn:aws:iam::000000000000:user/read-table-user");
    assert_memory_equal(p.id, "AIDA", 4);
    assert_int_equal(strlen(p.id), 21);
    assert_string_equal(p.path, "/");
}

static void test_duplicate_user_is_entity_already_exists(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, NULL, &err), 0);
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", "/x/", NULL, NULL, &err), LC_EEXISTS);
    assert_string_equal(err.aws_code, "EntityAlreadyExists");
    assert_string_equal(err.message, "User with name u already exists.");
    assert_int_equal(err.http_status, 409);
}

static void test_role_requires_a_trust_policy(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "r", NULL, NULL, NULL, &err), LC_EINVAL);
    const char *trust = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
    struct lc_store_principal p;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "r", "/service-role/", trust, &p, &err), 0);
    assert_string_equal(p.arn, "arn:aws:iam::000000000000:role/service-role/r");
    char *doc = lc_store_role_trust_policy(f->store, p.arn, &err);
    assert_string_equal(doc, trust);
    lc_free(doc);
}

static void test_access_key_lookup_returns_secret_and_owner(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    struct lc_store_key k, found;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL), 0);
    assert_int_equal(lc_store_key_create(f->store, u.arn, &k, NULL), 0);
    assert_int_equal(lc_store_key_lookup(f->store, k.key_id, &found, NULL), 0);
    assert_string_equal(found.secret, k.secret);
    assert_string_equal(found.principal_arn, u.arn);
    assert_true(found.active);
    assert_string_equal(found.session_token, "");
    assert_int_equal(strlen(found.secret), 40);
}

static void test_inactive_key_is_reported_inactive(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    struct lc_store_key k, found;
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_key_create(f->store, u.arn, &k, NULL);
    assert_int_equal(lc_store_key_set_active(f->store, k.key_id, false, NULL), 0);
    assert_int_equal(lc_store_key_lookup(f->store, k.key_id, &found, NULL), 0);
    assert_false(found.active);
}

static void test_key_for_missing_user_is_no_such_entity(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_key_create(f->store, "arn:aws:iam::000000000000:user/ghost", NULL, &err), LC_ENOTFOUND);
    assert_string_equal(err.aws_code, "NoSuchEntity");
}

static void test_session_credentials_carry_token_arn_and_expiry(void **state)
{
    struct fixture *f = *state;
    lc_clock_set_fixed_ms(1700000000000LL);
    struct lc_store_principal r;
    struct lc_store_key s, found;
    lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "fn-role", NULL, "{}", &r, NULL);
    assert_int_equal(lc_store_session_create(f->store, r.arn, "read-function", 3600, NULL, &s, NULL), 0);
    assert_memory_equal(s.key_id, "ASIA", 4);
    assert_string_equal(s.session_arn, "arn:aws:sts::000000000000:assumed-role/fn-role/read-function");
    assert_int_equal(s.expires_ms, 1700000000000LL + 3600000);
    assert_int_equal(lc_store_key_lookup(f->store, s.key_id, &found, NULL), 0);
    assert_string_equal(found.session_token, s.session_token);
    assert_true(strlen(found.session_token) > 100);
    assert_null(lc_store_session_policy(f->store, s.key_id));
    lc_clock_set_fixed_ms(-1);
}

static void test_deleting_a_user_removes_its_keys(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal u;
    struct lc_store_key k, found;
    lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "u", NULL, NULL, &u, NULL);
    lc_store_key_create(f->store, u.arn, &k, NULL);
    assert_int_equal(lc_store_principal_delete(f->store, u.arn, NULL), 0);
    assert_int_equal(lc_store_key_lookup(f->store, k.key_id, &found, NULL), LC_ENOTFOUND);
    assert_int_equal(lc_store_principal_delete(f->store, u.arn, NULL), LC_ENOTFOUND);
}

static int s_count(const struct lc_store_principal *p, void *ud)
{
    (void)p;
    ++*(int *)ud;
    return 0;
}

static void test_root_cannot_be_deleted_and_is_not_listed_as_user(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(lc_store_principal_delete(f->store, "arn:aws:iam::000000000000:root", NULL), LC_ENOTFOUND);
    int n = 0;
    lc_store_principal_list(f->store, LC_PRINCIPAL_USER, s_count, &n, NULL);
    assert_int_equal(n, 0);
}

static const struct CMUnitTest tests[] = {
    FIXTURE_TEST(test_user_gets_arn_and_aida_id),
    FIXTURE_TEST(test_duplicate_user_is_entity_already_exists),
    FIXTURE_TEST(test_role_requires_a_trust_policy),
    FIXTURE_TEST(test_access_key_lookup_returns_secret_and_owner),
    FIXTURE_TEST(test_inactive_key_is_reported_inactive),
    FIXTURE_TEST(test_key_for_missing_user_is_no_such_entity),
    FIXTURE_TEST(test_session_credentials_carry_token_arn_and_expiry),
    FIXTURE_TEST(test_deleting_a_user_removes_its_keys),
    FIXTURE_TEST(test_root_cannot_be_deleted_and_is_not_listed_as_user),
};
LC_TEST_MAIN(tests)
