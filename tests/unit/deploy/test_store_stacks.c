/* test_store_stacks.c: src/store/stacks.c and src/store/lambda_functions.c (the deploy engine's state). */
#include "lc_test.h"

#include <sys/wait.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/str.h"

struct fixture {
    char dir[64];
    struct lc_store *store;
};

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lc-stacks-test-XXXXXX");
    struct lc_error err;
    if (!mkdtemp(f->dir) || lc_store_open(f->dir, NULL, &f->store, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lc_store_close(f->store);
    char *cmd = lc_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
    lc_free(cmd);
    lc_free(f);
    return 0;
}

static void test_a_live_name_is_unique_until_the_stack_is_deleted(void **state)
{
    struct fixture *f = *state;
    struct lc_stack a, b;
    struct lc_error err;
    assert_int_equal(lc_store_stack_create(f->store, "S", "CREATE_IN_PROGRESS", &a, &err), 0);
    assert_int_equal(lc_store_stack_create(f->store, "S", "CREATE_IN_PROGRESS", &b, &err), LC_EEXISTS);
    assert_string_equal(err.aws_code, "AlreadyExistsException");
    assert_string_equal(err.message, "Stack [S] already exists");
    assert_int_equal(lc_store_stack_set_status(f->store, a.stack_id, "DELETE_COMPLETE", NULL, false, &err), 0);
    assert_int_equal(lc_store_stack_create(f->store, "S", "CREATE_IN_PROGRESS", &b, &err), 0);
    assert_string_not_equal(a.stack_id, b.stack_id);
    assert_int_equal(lc_store_stack_get(f->store, a.stack_id, &a, &err), 0); /* deleted ones by id */
    assert_string_equal(a.status, "DELETE_COMPLETE");
    assert_true(a.deleted_ms > 0);
}

static void test_in_progress_is_stale_once_its_process_is_gone(void **state)
{
    struct fixture *f = *state;
    struct lc_stack s;
    struct lc_error err;
    assert_int_equal(lc_store_stack_create(f->store, "S", "CREATE_IN_PROGRESS", &s, &err), 0);
    assert_false(s.stale); /* we are alive */
    assert_int_equal(s.owner_pid, (int)getpid());
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    char *sql = lc_asprintf("UPDATE cfn_stacks SET owner_pid=%d", (int)child);
    assert_int_equal(lc_store_exec(f->store, sql, &err), 0);
    lc_free(sql);
    assert_int_equal(lc_store_stack_get(f->store, "S", &s, &err), 0);
    assert_true(s.stale);
    assert_int_equal(lc_store_stack_set_status(f->store, s.stack_id, "ROLLBACK_COMPLETE", NULL, false, &err), 0);
    assert_int_equal(lc_store_stack_get(f->store, "S", &s, &err), 0);
    assert_false(s.stale); /* a complete state is never stale */
    assert_int_equal(s.owner_pid, 0);
}

static int s_first_event(const struct lc_stack_event *ev, void *ud)
{
    lc_strlcpy(ud, ev->status, LC_STACK_STATUS_MAX);
    return 1;
}

static void test_events_are_listed_newest_first(void **state)
{
    struct fixture *f = *state;
    struct lc_stack s;
    struct lc_error err;
    assert_int_equal(lc_store_stack_create(f->store, "S", "CREATE_IN_PROGRESS", &s, &err), 0);
    const char *statuses[] = {"CREATE_IN_PROGRESS", "CREATE_COMPLETE"};
    for (int i = 0; i < 2; i++) {
        struct lc_stack_event ev = {0};
        lc_strlcpy(ev.stack_id, s.stack_id, sizeof ev.stack_id);
        lc_strlcpy(ev.status, statuses[i], sizeof ev.status);
        assert_int_equal(lc_store_stack_event_add(f->store, &ev, NULL, &err), 0);
    }
    char first[LC_STACK_STATUS_MAX] = "";
    assert_int_equal(lc_store_stack_event_list(f->store, s.stack_id, s_first_event, first, &err), 0);
    assert_string_equal(first, "CREATE_COMPLETE");
}

static void test_an_export_name_belongs_to_one_stack(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_stacks_migrate(f->store, &err), 0);
    assert_int_equal(lc_store_export_put(f->store, "stack-a", "shared", "v1", &err), 0);
    assert_int_equal(lc_store_export_put(f->store, "stack-a", "shared", "v2", &err), 0);
    assert_int_equal(lc_store_export_put(f->store, "stack-b", "shared", "v3", &err), LC_EEXISTS);
    assert_string_equal(err.message, "Export with name shared is already exported by stack stack-a");
    char *v = lc_store_export_get(f->store, "shared");
    assert_string_equal(v, "v2");
    lc_free(v);
    assert_int_equal(lc_store_export_clear(f->store, "stack-a", &err), 0);
    assert_null(lc_store_export_get(f->store, "shared"));
}

static void test_lambda_functions_and_their_policy(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    struct lc_lambda_function fn = {.name = "f", .arn = "arn:aws:lambda:us-east-1:000000000000:function:f",
                                    .runtime = "nodejs20.x", .handler = "index.handler",
                                    .role = "arn:aws:iam::000000000000:role/r", .timeout_s = 10};
    assert_int_equal(lc_store_lambda_put(f->store, &fn, &err), 0);
    struct lc_lambda_function got;
    assert_int_equal(lc_store_lambda_get(f->store, fn.arn, &got, &err), 0);
    assert_int_equal(got.timeout_s, 10);
    assert_int_equal(got.memory_mb, 128);
    assert_string_equal(got.environment, "{}");
    lc_lambda_function_clear(&got);
    assert_null(lc_store_lambda_policy(f->store, "f"));
    assert_int_equal(lc_store_lambda_permission_add(f->store, "f", "s1", "{\"Sid\":\"s1\"}", &err), 0);
    assert_int_equal(lc_store_lambda_permission_add(f->store, "f", "s1", "{\"Sid\":\"s1\"}", &err), LC_EEXISTS);
    assert_string_equal(err.aws_code, "ResourceConflictException");
    char *policy = lc_store_lambda_policy(f->store, "f");
    assert_string_equal(policy, "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{\"Sid\":\"s1\"}]}");
    lc_free(policy);
    assert_int_equal(lc_store_lambda_delete(f->store, "f", &err), 0);
    assert_int_equal(lc_store_lambda_get(f->store, "f", &got, &err), LC_ENOTFOUND);
    assert_string_equal(err.message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f");
}

#define FX_TEST( name ) cmocka_unit_test_setup_teardown( name, setup, teardown)
static const struct CMUnitTest tests[] = {
    FX_TEST(test_a_live_name_is_unique_until_the_stack_is_deleted),
    FX_TEST(test_in_progress_is_stale_once_its_process_is_gone),
    FX_TEST(test_events_are_listed_newest_first),
    FX_TEST(test_an_export_name_belongs_to_one_stack),
    FX_TEST(test_lambda_functions_and_their_policy),
};
LC_TEST_MAIN(tests)
