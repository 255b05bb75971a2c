/* test_ingest.c: the decision trail as metrics (ingest.c). */
#include "watch_fixture.h"

#include "leastcloud/store_trail.h"

#define T0 1795930260000LL
#define MIN 60000LL
#define TABLE "arn:aws:dynamodb:us-east-1:000000000000:table/t"
#define USER "arn:aws:iam::000000000000:user/u"

static void s_event(struct lc_store *store, const char *op, const char *decision, int status, const char *error,
                    int64_t us)
{
    struct lc_store_trail_event ev = {
        .time_ms = T0 + 1000, .request_id = "r", .principal_arn = USER, .key_id = "AKIAX", .source_ip = "127.0.0.1",
        .service = "dynamodb", .operation = op, .action = "dynamodb:x", .resources = "[\"" TABLE "\", \"" TABLE "/index/i\"]",
        .decision = decision, .policy = "", .statement = -1, .sid = "", .checks = "", .error_code = error,
        .http_status = status, .duration_us = us};
    OK(lc_store_trail_append(store, &ev, 1, err));
}

static double s_sum(struct lc_store *store, const char *ns, const char *name, const struct lc_watch_dim *dims, size_t n,
                    double *count)
{
    char *key = lc_watch_dims_key(dims, n);
    struct lc_watch_point *pts;
    size_t np;
    OK(lc_watch_query(store, ns, name, key, T0, T0 + MIN, 60, &pts, &np, err));
    double s = np ? pts[0].sum : -1;
    if (count)
        *count = np ? pts[0].count : -1;
    lc_free(pts);
    lc_free(key);
    return s;
}

static int s_count_metric(const char *ns, const char *name, const char *dims, void *ud)
{
    (void)ns;
    (void)name;
    (void)dims;
    (*(int *)ud)++;
    return 0;
}

static void test_trail_rows_become_access_and_dynamodb_metrics_once(void **state)
{
    struct fixture *f = *state;
    s_event(f->store, "GetItem", "Allowed", 200, "", 2000);
    s_event(f->store, "Query", "Allowed", 200, "", 4000);
    s_event(f->store, "PutItem", "ImplicitlyDenied", 400, "AccessDeniedException", 100);
    s_event(f->store, "GetItem", "Allowed", 400, "ProvisionedThroughputExceededException", 100);
    OK(lc_watch_flush(f->store, err));
    OK(lc_watch_flush(f->store, err)); /* the cursor moved: nothing counted twice */
    struct lc_watch_dim reads[] = {{"TableName", "t"}, {"PrincipalArn", USER}};
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", reads, 2, NULL) == 2);
    struct lc_watch_dim key = {"AccessKeyId", "AKIAX"};
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", &key, 1, NULL) == 2);
    struct lc_watch_dim who = {"PrincipalArn", USER};
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "DeniedRequests", &who, 1, NULL) == 1);
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "WriteRequests", reads, 2, NULL) == -1);
    struct lc_watch_dim get[] = {{"TableName", "t"}, {"Operation", "GetItem"}};
    double count;
    assert_true(s_sum(f->store, LC_WATCH_NS_DYNAMODB, "SuccessfulRequestLatency", get, 2, &count) == 2.0);
    assert_true(count == 1);
    assert_true(s_sum(f->store, LC_WATCH_NS_DYNAMODB, "ThrottledRequests", get, 2, NULL) == 1);
    assert_true(s_sum(f->store, LC_WATCH_NS_DYNAMODB, "UserErrors", NULL, 0, NULL) == 1);
    /* New rows after the cursor are counted on the next flush. */
    s_event(f->store, "Scan", "Allowed", 200, "", 1000);
    OK(lc_watch_flush(f->store, err));
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", reads, 2, NULL) == 3);
}

/* Sum, SampleCount, Minimum, Maximum of the only stored row of a metric and dimension set; fails
 * unless there is exactly one. */
static void s_one_row(struct lc_store *store, const char *name, const struct lc_watch_dim *dims, size_t n,
                      double out[4])
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(lc_store_db(store),
                                        "SELECT sum, count, min, max FROM watch_metric WHERE name = ?1 AND dims = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    char *key = lc_watch_dims_key(dims, n);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 4; i++, rows += i == 4)
            out[i] = sqlite3_column_double(st, i);
    sqlite3_finalize(st);
    lc_free(key);
    assert_int_equal(rows, 1);
}

static void s_events(struct lc_store *store, int n, int64_t t, int64_t first_us)
{
    struct lc_store_trail_event *evs = lc_calloc((size_t)n, sizeof *evs);
    for (int i = 0; i < n; i++)
        evs[i] = (struct lc_store_trail_event){
            .time_ms = t + i % 50000, .request_id = "r", .principal_arn = USER, .key_id = "AKIAX",
            .source_ip = "127.0.0.1", .service = "dynamodb", .operation = "GetItem", .action = "dynamodb:GetItem",
            .resources = "[\"" TABLE "\"]", .decision = "Allowed", .policy = "p", .statement = 0, .sid = "",
            .checks = "", .error_code = "", .http_status = 200, .duration_us = first_us + (i * 37) % 1000};
    OK(lc_store_trail_append(store, evs, (size_t)n, err));
    lc_free(evs);
}

static void test_many_rows_with_one_key_are_one_metric_row_with_their_statistics(void **state)
{
    struct fixture *f = *state;
    /* More rows than one ingestion batch holds, all in one minute: one row per metric. */
    enum { N = 4500 };
    s_events(f->store, N, T0, 100);
    OK(lc_watch_flush(f->store, err));
    struct lc_watch_dim byuser[] = {{"TableName", "t"}, {"PrincipalArn", USER}};
    struct lc_watch_dim bykey[] = {{"AccessKeyId", "AKIAX"}};
    struct lc_watch_dim byop[] = {{"TableName", "t"}, {"Operation", "GetItem"}};
    double reads[4], keyreads[4], lat[4];
    s_one_row(f->store, "ReadRequests", byuser, 2, reads);
    s_one_row(f->store, "ReadRequests", bykey, 1, keyreads);
    s_one_row(f->store, "SuccessfulRequestLatency", byop, 2, lat);
    assert_true(reads[0] == N && reads[1] == N && reads[2] == 1 && reads[3] == 1);
    assert_true(keyreads[0] == N && keyreads[1] == N && keyreads[2] == 1 && keyreads[3] == 1);
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum = sum + (double)(100 + (i * 37) % 1000) / 1000.0;
    assert_true(lat[0] == sum && lat[1] == N && lat[2] == 0.1 && lat[3] == 1.099);
    int metrics = 0;
    OK(lc_watch_list_metrics(f->store, NULL, NULL, s_count_metric, &metrics, err));
    assert_int_equal(metrics, 3);
}

static void test_batched_ingestion_stores_the_bits_of_one_upsert_per_datum(void **state)
{
    struct fixture *f = *state;
    /* Two flushes into the same minute, with latencies that binary fractions cannot hold: the second
     * adds to a stored sum, as one lc_watch_put per row would have, in the same order. */
    s_events(f->store, 700, T0, 1);
    OK(lc_watch_flush(f->store, err));
    s_events(f->store, 2300, T0 + 5000, 333);
    OK(lc_watch_flush(f->store, err));
    struct lc_watch_dim dims[] = {{"TableName", "t"}, {"Operation", "GetItem"}};
    for (int i = 0; i < 3000; i++) {
        int64_t us = i < 700 ? 1 + (i * 37) % 1000 : 333 + ((i - 700) * 37) % 1000;
        double v = (double)us / 1000.0;
        struct lc_watch_datum d = {"Expected", "L", dims, 2, T0, v, 1, v, v, "Milliseconds"};
        OK(lc_watch_put(f->store, &d, 1, err));
    }
    double got_count, want_count;
    double got = s_sum(f->store, LC_WATCH_NS_DYNAMODB, "SuccessfulRequestLatency", dims, 2, &got_count);
    double want = s_sum(f->store, "Expected", "L", dims, 2, &want_count);
    assert_memory_equal(&got, &want, sizeof got);
    assert_true(got_count == 3000 && want_count == 3000);
}

static void test_resources_that_need_unescaping_or_are_not_arns_are_read_as_json(void **state)
{
    struct fixture *f = *state;
    static const char *const resources[] = {
        "[\"arn:aws:dynamodb:us-east-1:000000000000:table\\/t\"]",     /* an escaped slash: table t */
        " [ \"x\" , 7, {\"a\": 1}, \"" TABLE "/index/i\" ] ",          /* other values skipped: t */
        "[\"arn:aws:dynamodb:us-east-1:000000000000:table/caf\\u00e9\"]", /* table café */
        "[\"" TABLE "\"] trailing",                                    /* not JSON: no table */
        "",                                                            /* no table */
    };
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
        struct lc_store_trail_event ev = {
            .time_ms = T0, .request_id = "r", .principal_arn = USER, .key_id = "", .source_ip = "127.0.0.1",
            .service = "dynamodb", .operation = "GetItem", .action = "dynamodb:GetItem", .resources = resources[i],
            .decision = "Allowed", .policy = "", .statement = -1, .sid = "", .checks = "", .error_code = "",
            .http_status = 200, .duration_us = 1000};
        OK(lc_store_trail_append(f->store, &ev, 1, err));
    }
    OK(lc_watch_flush(f->store, err));
    struct lc_watch_dim t[] = {{"TableName", "t"}, {"PrincipalArn", USER}};
    struct lc_watch_dim cafe[] = {{"TableName", "caf\xc3\xa9"}, {"PrincipalArn", USER}};
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", t, 2, NULL) == 2);
    assert_true(s_sum(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", cafe, 2, NULL) == 1);
    int metrics = 0;
    OK(lc_watch_list_metrics(f->store, LC_WATCH_NS_ACCESS, "ReadRequests", s_count_metric, &metrics, err));
    assert_int_equal(metrics, 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_trail_rows_become_access_and_dynamodb_metrics_once),
        FIXTURE_TEST(test_many_rows_with_one_key_are_one_metric_row_with_their_statistics),
        FIXTURE_TEST(test_batched_ingestion_stores_the_bits_of_one_upsert_per_datum),
        FIXTURE_TEST(test_resources_that_need_unescaping_or_are_not_arns_are_read_as_json),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
