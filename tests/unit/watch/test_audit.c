/* test_audit.c: the least-privilege audit from a synthetic trail (audit.c). */
#include "watch_fixture.h"

#include "leastcloud/store_iam.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

#define TABLE "arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable"

/* CDK's grantReadData for the seed's user. */
static const char s_read_policy[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:BatchGetItem\","
    "\"dynamodb:GetRecords\",\"dynamodb:GetShardIterator\",\"dynamodb:Query\",\"dynamodb:GetItem\","
    "\"dynamodb:Scan\",\"dynamodb:ConditionCheckItem\",\"dynamodb:DescribeTable\"],\"Resource\":[\"" TABLE "\"]}]}";

static void s_event(struct lc_store *store, const char *who, const char *op, const char *action, const char *decision,
                    const char *error)
{
    struct lc_store_trail_event ev = {
        .time_ms = 1795930260000LL, .request_id = "r", .principal_arn = who, .key_id = "AKIA", .source_ip = "127.0.0.1",
        .service = "dynamodb", .operation = op, .action = action, .resources = "[\"" TABLE "\"]",
        .decision = decision, .policy = !strcmp(decision, "Allowed") ? "read-table-user/p" : "", .statement = 0,
        .sid = "", .checks = "", .error_code = error, .http_status = *error ? 400 : 200, .duration_us = 900};
    OK(lc_store_trail_append(store, &ev, 1, err));
}

static const struct lc_watch_audit_action *s_action(const struct lc_watch_audit_principal *p, const char *name)
{
    for (size_t i = 0; i < p->n_actions; i++)
        if (!strcmp(p->actions[i].action, name))
            return &p->actions[i];
    return NULL;
}

static void s_user(struct lc_store *store, const char *name, const char *policy, char *arn_out)
{
    struct lc_store_principal p;
    OK(lc_store_principal_create(store, LC_PRINCIPAL_USER, name, NULL, NULL, &p, err));
    OK(lc_store_inline_policy_put(store, p.arn, "p", policy, err));
    lc_strlcpy(arn_out, p.arn, LC_ARN_MAX);
}

static void test_reads_used_writes_denied_and_minimal_policy(void **state)
{
    struct fixture *f = *state;
    char arn[LC_ARN_MAX];
    s_user(f->store, "read-table-user", s_read_policy, arn);
    OK(lc_store_trail_init(f->store, err));
    for (int i = 0; i < 3; i++)
        s_event(f->store, arn, "GetItem", "dynamodb:GetItem", "Allowed", "");
    s_event(f->store, arn, "Query", "dynamodb:Query", "Allowed", "");
    s_event(f->store, arn, "PutItem", "dynamodb:PutItem", "ImplicitlyDenied", "AccessDeniedException");
    s_event(f->store, "arn:aws:iam::000000000000:user/someone-else", "Scan", "dynamodb:Scan", "Allowed", "");
    struct lc_watch_audit a;
    OK(lc_watch_audit_run(f->store, arn, &a, err));
    assert_int_equal(a.n, 1);
    const struct lc_watch_audit_principal *p = &a.principals[0];
    assert_string_equal(p->arn, arn);
    assert_int_equal(p->granted, 8);
    assert_int_equal(p->granted_read, 8);
    assert_int_equal(p->used_read, 2);
    assert_int_equal(p->used_granted, 2);
    assert_int_equal(p->calls, 5);
    assert_int_equal(p->denied_calls, 1);
    assert_int_equal(s_action(p, "dynamodb:GetItem")->used, 3);
    assert_int_equal(s_action(p, "dynamodb:Scan")->used, 0); /* the other user's call is not ours */
    const struct lc_watch_audit_action *put = s_action(p, "dynamodb:PutItem");
    assert_non_null(put);
    assert_false(put->granted);
    assert_int_equal(put->level, 'W');
    assert_string_equal(put->denied_by, "no identity-based policy allows the dynamodb:PutItem action");
    json_t *want = json_loads("{\"Version\":\"2012-10-17\",\"Statement\":["
                              "{\"Sid\":\"Used\",\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:Query\"],"
                              "\"Resource\":\"" TABLE "\"},"
                              "{\"Sid\":\"DeniedButNeeded\",\"Effect\":\"Allow\",\"Action\":\"dynamodb:PutItem\","
                              "\"Resource\":\"" TABLE "\"}]}",
                              0, NULL);
    if (!json_equal(want, p->minimal_policy)) {
        char *got = json_dumps(p->minimal_policy, 0);
        fail_msg("minimal policy: %s", got);
    }
    json_decref(want);
    lc_watch_audit_free(&a);
}

/* Wildcards expand through the action table; an unconditional Deny on * takes actions away. */
static void test_wildcards_expand_and_deny_subtracts(void **state)
{
    struct fixture *f = *state;
    char arn[LC_ARN_MAX];
    s_user(f->store, "wild",
           "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"dynamodb:Get*\",\"Resource\":"
           "\"*\"},{\"Effect\":\"Deny\",\"Action\":\"dynamodb:GetRecords\",\"Resource\":\"*\"}]}",
           arn);
    struct lc_watch_audit a;
    OK(lc_watch_audit_run(f->store, arn, &a, err));
    const struct lc_watch_audit_principal *p = &a.principals[0];
    assert_non_null(s_action(p, "dynamodb:GetItem"));
    assert_true(s_action(p, "dynamodb:GetItem")->granted);
    assert_true(s_action(p, "dynamodb:GetShardIterator")->granted);
    assert_null(s_action(p, "dynamodb:GetRecords")); /* denied everywhere: not granted, never used */
    assert_null(s_action(p, "dynamodb:PutItem"));
    for (size_t i = 0; i < p->n_actions; i++)
        assert_true(!strncmp(p->actions[i].action, "dynamodb:Get", 12));
    lc_watch_audit_free(&a);
}

static void test_explicit_deny_names_the_statement(void **state)
{
    struct fixture *f = *state;
    char arn[LC_ARN_MAX];
    s_user(f->store, "u", s_read_policy, arn);
    OK(lc_store_trail_init(f->store, err));
    struct lc_store_trail_event ev = {
        .time_ms = 1, .request_id = "r", .principal_arn = arn, .key_id = "", .source_ip = "", .service = "dynamodb",
        .operation = "Scan", .action = "dynamodb:Scan", .resources = "[\"" TABLE "\"]", .decision = "ExplicitlyDenied",
        .policy = "u/deny", .statement = 2, .sid = "NoScans", .checks = "", .error_code = "AccessDeniedException",
        .http_status = 400};
    OK(lc_store_trail_append(f->store, &ev, 1, err));
    struct lc_watch_audit a;
    OK(lc_watch_audit_run(f->store, arn, &a, err));
    assert_string_equal(s_action(&a.principals[0], "dynamodb:Scan")->denied_by, "explicit deny in u/deny statement 2");
    lc_watch_audit_free(&a);
}

/* Sessions of a role are audited as the role; everyone is audited when no principal is named. */
static void test_role_sessions_count_for_the_role_and_everyone_is_listed(void **state)
{
    struct fixture *f = *state;
    struct lc_store_principal role;
    OK(lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "fnrole", NULL,
                                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
                                 "\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
                                 &role, err));
    OK(lc_store_inline_policy_put(f->store, role.arn, "p", s_read_policy, err));
    char arn[LC_ARN_MAX];
    s_user(f->store, "u", s_read_policy, arn);
    OK(lc_store_trail_init(f->store, err));
    s_event(f->store, "arn:aws:sts::000000000000:assumed-role/fnrole/read-function", "Scan", "dynamodb:Scan", "Allowed",
            "");
    struct lc_watch_audit a;
    OK(lc_watch_audit_run(f->store, NULL, &a, err));
    assert_int_equal(a.n, 2);
    const struct lc_watch_audit_principal *r = NULL;
    for (size_t i = 0; i < a.n; i++)
        if (!strcmp(a.principals[i].arn, role.arn))
            r = &a.principals[i];
    assert_non_null(r);
    assert_string_equal(r->type, "role");
    assert_int_equal(s_action(r, "dynamodb:Scan")->used, 1);
    lc_watch_audit_free(&a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_reads_used_writes_denied_and_minimal_policy),
        FIXTURE_TEST(test_wildcards_expand_and_deny_subtracts),
        FIXTURE_TEST(test_explicit_deny_names_the_statement),
        FIXTURE_TEST(test_role_sessions_count_for_the_role_and_everyone_is_listed),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
