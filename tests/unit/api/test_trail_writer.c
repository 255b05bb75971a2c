/* test_trail_writer.c: the trail writer thread and the trail table. */
#include "api_fixture.h"

#include <pthread.h>
#include <time.h>

#include "leastcloud/store_trail.h"

struct s_pusher {
    struct lc_api_trail *t;
    int id;
};

static void *s_push_many(void *arg)
{
    struct s_pusher *p = arg;
    char rid[32], principal[64];
    snprintf(principal, sizeof principal, "arn:aws:iam::000000000000:user/u%d", p->id);
    for (int i = 0; i < 1000; i++) {
        snprintf(rid, sizeof rid, "r-%d-%d", p->id, i);
        struct lc_store_trail_event ev = {.time_ms = 1000 + i, .request_id = rid, .principal_arn = principal,
                                          .service = "dynamodb", .operation = "GetItem", .decision = "Allowed",
                                          .statement = 0, .http_status = 200};
        lc__api_trail_push(p->t, &ev);
    }
    return NULL;
}

static int s_count(const struct lc_store_trail_event *e, void *ud)
{
    (*(int *)ud)++;
    return 0;
}

static void test_rows_pushed_from_many_threads_are_all_written_by_stop(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    struct lc_api_trail *t = lc__api_trail_start(f->store, &err);
    assert_non_null(t);
    pthread_t th[4];
    struct s_pusher p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = (struct s_pusher){t, i};
        pthread_create(&th[i], NULL, s_push_many, &p[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    lc__api_trail_stop(t);
    assert_int_equal(lc_store_trail_count(f->store), 4000);
    int n = 0;
    struct lc_store_trail_filter one = {.principal_arn = "arn:aws:iam::000000000000:user/u2"};
    assert_int_equal(lc_store_trail_list(f->store, &one, s_count, &n, &err), 0);
    assert_int_equal(n, 1000);
}

static void test_list_filters_by_time_id_and_limit(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    struct lc_store_trail_event evs[5];
    for (int i = 0; i < 5; i++)
        evs[i] = (struct lc_store_trail_event){.time_ms = 100 * (i + 1), .request_id = "r", .decision = "Allowed",
                                               .statement = -1, .http_status = 200};
    assert_int_equal(lc_store_trail_append(f->store, evs, 5, &err), 0);
    int n = 0;
    struct lc_store_trail_filter since = {.since_ms = 300};
    assert_int_equal(lc_store_trail_list(f->store, &since, s_count, &n, &err), 0);
    assert_int_equal(n, 3);
    n = 0;
    struct lc_store_trail_filter after = {.after_id = 4, .limit = 10};
    assert_int_equal(lc_store_trail_list(f->store, &after, s_count, &n, &err), 0);
    assert_int_equal(n, 1);
    n = 0;
    struct lc_store_trail_filter limit = {.limit = 2};
    assert_int_equal(lc_store_trail_list(f->store, &limit, s_count, &n, &err), 0);
    assert_int_equal(n, 2);
}

static int s_keep_last(const struct lc_store_trail_event *e, void *ud)
{
    struct lc_store_trail_event *out = ud;
    lc_free((void *)out->request_id);
    /* the listed strings live only for the callback: keep the ones checked below */
    char *keep = lc_asprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", e->request_id, e->principal_arn, e->key_id,
                             e->source_ip, e->service, e->operation, e->action, e->resources, e->decision,
                             e->policy, e->sid, e->checks, e->error_code);
    *out = *e;
    out->request_id = keep;
    return 0;
}

static void test_every_field_survives_the_queue(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    struct lc_api_trail *t = lc__api_trail_start(f->store, &err);
    assert_non_null(t);
    char rid[] = "REQ1", arn[] = "arn:aws:iam::000000000000:user/alice";
    struct lc_store_trail_event ev = {
        .time_ms = 42, .request_id = rid, .principal_arn = arn, .key_id = "AKIAEXAMPLE",
        .source_ip = "127.0.0.1", .service = "dynamodb", .operation = "PutItem", .action = "dynamodb:PutItem",
        .resources = "[\"arn:aws:dynamodb:us-east-1:000000000000:table/t\"]", .decision = "ExplicitlyDenied",
        .policy = "alice/deny", .statement = 3, .sid = "NoWrites", .checks = "", .error_code = "AccessDeniedException",
        .http_status = 400, .duration_us = 17,
    };
    lc__api_trail_push(t, &ev);
    /* the queue owns a copy: the caller's buffers may change at once */
    memset(rid, 'x', sizeof rid - 1);
    memset(arn, 'x', sizeof arn - 1);
    struct lc_store_trail_event unset = {.time_ms = 43, .statement = -1, .http_status = 400};
    lc__api_trail_push(t, &unset);
    lc__api_trail_stop(t);

    struct lc_store_trail_event got = {0};
    struct lc_store_trail_filter first = {.limit = 1};
    assert_int_equal(lc_store_trail_list(f->store, &first, s_keep_last, &got, &err), 0);
    assert_string_equal(got.request_id,
                        "REQ1|arn:aws:iam::000000000000:user/alice|AKIAEXAMPLE|127.0.0.1|dynamodb|PutItem|"
                        "dynamodb:PutItem|[\"arn:aws:dynamodb:us-east-1:000000000000:table/t\"]|ExplicitlyDenied|"
                        "alice/deny|NoWrites||AccessDeniedException");
    assert_int_equal(got.time_ms, 42);
    assert_int_equal(got.statement, 3);
    assert_int_equal(got.http_status, 400);
    assert_int_equal(got.duration_us, 17);
    struct lc_store_trail_filter second = {.after_id = got.id};
    assert_int_equal(lc_store_trail_list(f->store, &second, s_keep_last, &got, &err), 0);
    assert_string_equal(got.request_id, "|||||||[]|||||"); /* unset strings are empty, resources "[]" */
    assert_int_equal(got.statement, -1);
    lc_free((void *)got.request_id);
}

struct s_writer {
    struct lc_store *store;
    pthread_barrier_t began, appended;
};

/* A DynamoDB write on another thread: its own connection, with trail.db attached like every other. */
static void *s_hold_a_write(void *arg)
{
    struct s_writer *w = arg;
    struct lc_error err;
    assert_int_equal(lc_store_begin_write(w->store, &err), 0);
    pthread_barrier_wait(&w->began);
    pthread_barrier_wait(&w->appended);
    lc_store_rollback(w->store);
    return NULL;
}

static void test_a_batch_does_not_wait_for_a_state_writer(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    struct s_writer w = {.store = f->store};
    pthread_barrier_init(&w.began, NULL, 2);
    pthread_barrier_init(&w.appended, NULL, 2);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_hold_a_write, &w), 0);
    pthread_barrier_wait(&w.began);
    struct lc_store_trail_event ev = {.time_ms = 1, .request_id = "r", .decision = "Allowed", .statement = -1,
                                      .http_status = 200};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = lc_store_trail_append(f->store, &ev, 1, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_barrier_wait(&w.appended);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&w.began);
    pthread_barrier_destroy(&w.appended);
    assert_int_equal(rc, 0);
    assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
    assert_int_equal(lc_store_trail_count(f->store), 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_rows_pushed_from_many_threads_are_all_written_by_stop),
        FX_TEST(test_list_filters_by_time_id_and_limit),
        FX_TEST(test_every_field_survives_the_queue),
        FX_TEST(test_a_batch_does_not_wait_for_a_state_writer),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
