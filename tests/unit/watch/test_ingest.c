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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_trail_rows_become_access_and_dynamodb_metrics_once),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
