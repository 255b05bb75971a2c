/* test_cache.c: compiled policy sets cached per principal, versioned, shared between threads. */
#include "iam_test.h"

#include <pthread.h>

#define ALLOW_GET "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"}}"

static void test_cache_hit_needs_the_same_version(void **state)
{
    struct lc_iam_cache *c = lc_iam_cache_new(4);
    assert_null(lc_iam_cache_get(c, ALICE, 1));
    const struct lc_iam_policy_set *s = lc_iam_cache_put(c, ALICE, 1, t_set(ALLOW_GET, NULL, NULL, NULL));
    lc_iam_policy_set_release(s);
    s = lc_iam_cache_get(c, ALICE, 1);
    assert_non_null(s);
    lc_iam_policy_set_release(s);
    assert_null(lc_iam_cache_get(c, ALICE, 2));
    lc_iam_cache_free(c);
}

static void test_cache_invalidate_drops_the_entry_but_not_a_set_in_use(void **state)
{
    struct lc_iam_cache *c = lc_iam_cache_new(4);
    const struct lc_iam_policy_set *s = lc_iam_cache_put(c, ALICE, 1, t_set(ALLOW_GET, NULL, NULL, NULL));
    lc_iam_cache_invalidate(c, ALICE);
    assert_null(lc_iam_cache_get(c, ALICE, 1));
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), 0);  /* still alive: the caller holds a reference */
    assert_int_equal(d.kind, LC_IAM_ALLOWED);
    lc_iam_request_free(r);
    lc_iam_policy_set_release(s);
    lc_iam_cache_free(c);
}

static void test_cache_evicts_when_full(void **state)
{
    struct lc_iam_cache *c = lc_iam_cache_new(2);
    const char *keys[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        lc_iam_policy_set_release(lc_iam_cache_put(c, keys[i], 1, t_set(ALLOW_GET, NULL, NULL, NULL)));
    int present = 0;
    for (int i = 0; i < 3; i++) {
        const struct lc_iam_policy_set *s = lc_iam_cache_get(c, keys[i], 1);
        present += s != NULL;
        lc_iam_policy_set_release(s);
    }
    assert_int_equal(present, 2);
    lc_iam_cache_free(c);
}

struct worker {
    const struct lc_iam_policy_set *set;
    int allowed;
};

static void *s_worker(void *arg)
{
    struct worker *w = arg;
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    for (int i = 0; i < 20000; i++) {
        struct lc_iam_decision d;
        if (lc_iam_evaluate(w->set, r, &d) == 0 && d.kind == LC_IAM_ALLOWED)
            w->allowed++;
    }
    lc_iam_request_free(r);
    return NULL;
}

static void test_one_compiled_set_serves_many_threads(void **state)
{
    const char *p = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"dynamodb:Get*\","
                    "\"Resource\":\"arn:aws:dynamodb:*:*:table/${aws:username, 'orders'}\"}}";
    struct lc_iam_policy_set *s = t_set(p, NULL, NULL, NULL);
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.set = s};
        pthread_create(&th[i], NULL, s_worker, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].allowed, 20000);
    }
    lc_iam_policy_set_free(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cache_hit_needs_the_same_version),
    cmocka_unit_test(test_cache_invalidate_drops_the_entry_but_not_a_set_in_use),
    cmocka_unit_test(test_cache_evicts_when_full),
    cmocka_unit_test(test_one_compiled_set_serves_many_threads),
};

LC_TEST_MAIN(tests)
