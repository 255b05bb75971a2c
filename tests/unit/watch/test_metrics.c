/* test_metrics.c: the metric store and the ddb capacity hook (metrics.c). */
#include "watch_fixture.h"

#include "leastcloud/clock.h"

#define T0 1795930260000LL /* 2026-11-29 05:31:00 UTC */
#define MIN 60000LL

static void s_put(struct lc_store *store, const char *name, const char *dv, int64_t t, double v)
{
    struct lc_watch_dim dim = {"TableName", dv};
    struct lc_watch_datum d = {"Test", name, &dim, 1, t, v, 1, v, v, "Count"};
    OK(lc_watch_put(store, &d, 1, err));
}

static void test_values_merge_into_minute_statistics(void **state)
{
    struct fixture *f = *state;
    s_put(f->store, "M", "t", T0 + 1000, 3);
    s_put(f->store, "M", "t", T0 + 59000, 7);
    s_put(f->store, "M", "t", T0 + MIN, 100);
    char *key = lc_watch_dims_key(&(struct lc_watch_dim){"TableName", "t"}, 1);
    struct lc_watch_point *pts;
    size_t n;
    OK(lc_watch_query(f->store, "Test", "M", key, T0, T0 + 2 * MIN, 60, &pts, &n, err));
    assert_int_equal(n, 2);
    assert_true(pts[0].time_ms == T0);
    assert_true(pts[0].sum == 10 && pts[0].count == 2 && pts[0].min == 3 && pts[0].max == 7);
    assert_true(pts[1].sum == 100);
    lc_free(pts);
    /* A 2-minute period aggregates both minutes (05:30-05:32 holds 05:31 only; 05:32-05:34 the other). */
    OK(lc_watch_query(f->store, "Test", "M", key, T0 - MIN, T0 + 3 * MIN, 120, &pts, &n, err));
    assert_int_equal(n, 2);
    assert_true(pts[0].time_ms == T0 - MIN && pts[0].sum == 10);
    assert_true(pts[1].time_ms == T0 + MIN && pts[1].sum == 100);
    lc_free(pts);
    lc_free(key);
}

static void test_dimension_sets_are_distinct_metrics_in_any_order(void **state)
{
    struct fixture *f = *state;
    struct lc_watch_dim ab[] = {{"A", "1"}, {"B", "2"}}, ba[] = {{"B", "2"}, {"A", "1"}};
    struct lc_watch_datum d1 = {"Test", "M", ab, 2, T0, 1, 1, 1, 1, NULL};
    struct lc_watch_datum d2 = {"Test", "M", ba, 2, T0, 2, 1, 2, 2, NULL};
    struct lc_watch_datum d3 = {"Test", "M", ab, 1, T0, 5, 1, 5, 5, NULL};
    OK(lc_watch_put(f->store, (struct lc_watch_datum[]){d1, d2, d3}, 3, err));
    char *key = lc_watch_dims_key(ba, 2);
    assert_string_equal(key, "[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"B\",\"Value\":\"2\"}]");
    struct lc_watch_point *pts;
    size_t n;
    OK(lc_watch_query(f->store, "Test", "M", key, T0, T0 + MIN, 60, &pts, &n, err));
    assert_int_equal(n, 1);
    assert_true(pts[0].sum == 3);
    lc_free(pts);
    lc_free(key);
}

/* The key as metrics.c built it with jansson before, kept here as the reference. */
static int s_ref_cmp(const void *a, const void *b)
{
    const struct lc_watch_dim *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static char *s_ref_key(const struct lc_watch_dim *dims, size_t n)
{
    struct lc_watch_dim *sorted = lc_calloc(n ? n : 1, sizeof *sorted);
    if (n)
        memcpy(sorted, dims, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, s_ref_cmp);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{ssss}", "Name", sorted[i].name ? sorted[i].name : "", "Value",
                                             sorted[i].value ? sorted[i].value : ""));
    lc_free(sorted);
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    char *out = lc_strdup(text);
    free(text);
    return out;
}

static void s_same_key(const struct lc_watch_dim *dims, size_t n)
{
    char *want = s_ref_key(dims, n), *got = lc_watch_dims_key(dims, n);
    if (strcmp(want, got))
        fail_msg("dims key differs from jansson's:\n want %s\n  got %s", want, got);
    lc_free(want);
    lc_free(got);
}

static void test_dims_key_is_jansson_compact_text_on_tricky_input(void **state)
{
    (void)state;
    static const char *const tricky[] = {
        "", "plain", "q\"uote", "back\\slash", "sl/ash", "\x01\x02\x1f", "\b\f\n\r\t", "del\x7f",
        "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
        "lone \x80 continuation", "overlong \xc0\x80", "overlong \xe0\x80\xaf", "surrogate \xed\xa0\x80",
        "past max \xf4\x90\x80\x80", "bad lead \xf5\x80\x80\x80", "cut \xe2\x82", "cut at end \xf0\x9f\x98",
        "arn:aws:iam::000000000000:user/with+plus=and,comma.at@dash-",
    };
    size_t nt = sizeof tricky / sizeof tricky[0];
    s_same_key(NULL, 0);
    for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < nt; j++) {
            struct lc_watch_dim one = {tricky[i], tricky[j]};
            s_same_key(&one, 1);
            struct lc_watch_dim two[] = {{tricky[i], "v"}, {"Name2", tricky[j]}};
            s_same_key(two, 2);
        }
    /* Unsorted, more than fits the stack copy, empty and NULL values, duplicate names. */
    struct lc_watch_dim many[12];
    char names[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof names[i], "D%02d", (i * 7) % 12);
        many[i] = (struct lc_watch_dim){names[i], i % 3 ? tricky[i] : NULL};
    }
    s_same_key(many, 12);
    struct lc_watch_dim dup[] = {{"B", "2"}, {"A", "1"}, {"B", "1"}, {"A", "\xc3\xa9"}};
    s_same_key(dup, 4);
    /* Random bytes, biased towards the ones that need care. */
    static const char alphabet[] = "aZ0/\\\"\x01\x1f\x7f\x80\xbf\xc2\xc3\xa9\xe2\x82\xac\xed\xa0\xf0\x9f\x98\xf4\x90";
    srand(42);
    for (int round = 0; round < 3000; round++) {
        char a[16], b[16];
        int la = rand() % 12, lb = rand() % 12;
        for (int i = 0; i < la; i++)
            a[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        for (int i = 0; i < lb; i++)
            b[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        a[la] = b[lb] = '\0';
        struct lc_watch_dim d[] = {{"TableName", a}, {b, "x"}};
        s_same_key(d, 2);
    }
}

static int s_count(const char *ns, const char *name, const char *dims, void *ud)
{
    (*(int *)ud)++;
    return 0;
}

static void test_list_metrics_filters_by_namespace_and_name(void **state)
{
    struct fixture *f = *state;
    s_put(f->store, "M", "a", T0, 1);
    s_put(f->store, "M", "b", T0, 1);
    s_put(f->store, "N", "a", T0, 1);
    int all = 0, m = 0, none = 0;
    OK(lc_watch_list_metrics(f->store, NULL, NULL, s_count, &all, err));
    OK(lc_watch_list_metrics(f->store, "Test", "M", s_count, &m, err));
    OK(lc_watch_list_metrics(f->store, "Other", NULL, s_count, &none, err));
    assert_int_equal(all, 3);
    assert_int_equal(m, 2);
    assert_int_equal(none, 0);
}

static void test_period_must_be_a_multiple_of_60(void **state)
{
    struct fixture *f = *state;
    struct lc_watch_point *pts;
    size_t n;
    struct lc_error err = {0};
    assert_int_equal(lc_watch_query(f->store, "Test", "M", "[]", T0, T0 + MIN, 90, &pts, &n, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "InvalidParameterValue");
}

static void test_consumed_capacity_hook_becomes_dynamodb_metrics(void **state)
{
    struct fixture *f = *state;
    lc_clock_set_fixed_ms(T0 + 5000);
    lc_watch_ddb_consumed(NULL, "tbl", 0.5, 0);
    lc_watch_ddb_consumed(NULL, "tbl", 0.5, 0);
    lc_watch_ddb_consumed(NULL, "tbl", 0, 2);
    lc_watch_ddb_consumed(NULL, "other", 1, 0);
    OK(lc_watch_flush(f->store, err));
    lc_clock_set_fixed_ms(0);
    char *key = lc_watch_dims_key(&(struct lc_watch_dim){"TableName", "tbl"}, 1);
    struct lc_watch_point *pts;
    size_t n;
    OK(lc_watch_query(f->store, LC_WATCH_NS_DYNAMODB, "ConsumedReadCapacityUnits", key, T0, T0 + MIN, 60, &pts, &n,
                      err));
    assert_int_equal(n, 1);
    assert_true(pts[0].sum == 1.0 && pts[0].count == 2);
    lc_free(pts);
    OK(lc_watch_query(f->store, LC_WATCH_NS_DYNAMODB, "ConsumedWriteCapacityUnits", key, T0, T0 + MIN, 60, &pts, &n,
                      err));
    assert_int_equal(n, 1);
    assert_true(pts[0].sum == 2.0);
    lc_free(pts);
    lc_free(key);
    /* Flushed once: a second flush adds nothing. */
    OK(lc_watch_flush(f->store, err));
    key = lc_watch_dims_key(&(struct lc_watch_dim){"TableName", "other"}, 1);
    OK(lc_watch_query(f->store, LC_WATCH_NS_DYNAMODB, "ConsumedReadCapacityUnits", key, T0, T0 + MIN, 60, &pts, &n,
                      err));
    assert_true(n == 1 && pts[0].sum == 1.0);
    lc_free(pts);
    lc_free(key);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_values_merge_into_minute_statistics),
        FIXTURE_TEST(test_dimension_sets_are_distinct_metrics_in_any_order),
        cmocka_unit_test(test_dims_key_is_jansson_compact_text_on_tricky_input),
        FIXTURE_TEST(test_list_metrics_filters_by_namespace_and_name),
        FIXTURE_TEST(test_period_must_be_a_multiple_of_60),
        FIXTURE_TEST(test_consumed_capacity_hook_becomes_dynamodb_metrics),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
