/* test_trail_writer.c: the trail writer thread and the trail table. */
#include "api_fixture.h"

#include <pthread.h>

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
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct lc_api_trail *t = lc__api_trail_start(f->store, &lock, &err);
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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_rows_pushed_from_many_threads_are_all_written_by_stop),
        FX_TEST(test_list_filters_by_time_id_and_limit),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
