/*
 * cache.c: compiled policy sets per principal, so that the server compiles a principal's
 * policies once and not per request. Entries carry the caller's version stamp; a stale stamp is a
 * miss, which is how a policy change invalidates without the store calling back into us.
 * A set handed out is reference-counted, so eviction never frees a set another thread is using.
 */
#include "iam/policy_set.h"

#include <pthread.h>
#include <string.h>

#include "leastcloud/alloc.h"

struct cache_entry {
    char *key;
    uint64_t version;
    struct lc_iam_policy_set *set;
};

struct lc_iam_cache {
    pthread_mutex_t mu;
    size_t max, n, next_evict;
    struct cache_entry *e;
};

struct lc_iam_cache *lc_iam_cache_new(size_t max_entries)
{
    struct lc_iam_cache *c = lc_calloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    c->max = max_entries ? max_entries : 1;
    c->e = lc_calloc(c->max, sizeof(*c->e));
    return c;
}

static void s_drop(struct cache_entry *e)
{
    lc_free(e->key);
    lc_iam_policy_set_release(e->set);
    memset(e, 0, sizeof(*e));
}

void lc_iam_cache_free(struct lc_iam_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        s_drop(&c->e[i]);
    lc_free(c->e);
    pthread_mutex_destroy(&c->mu);
    lc_free(c);
}

static struct cache_entry *s_find(struct lc_iam_cache *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

const struct lc_iam_policy_set *lc_iam_cache_get(struct lc_iam_cache *c, const char *key, uint64_t version)
{
    const struct lc_iam_policy_set *s = NULL;
    pthread_mutex_lock(&c->mu);
    struct cache_entry *e = s_find(c, key);
    if (e && e->version == version) {
        lc__iam_policy_set_retain(e->set);
        s = e->set;
    }
    pthread_mutex_unlock(&c->mu);
    return s;
}

const struct lc_iam_policy_set *lc_iam_cache_put(struct lc_iam_cache *c, const char *key, uint64_t version,
                                                 struct lc_iam_policy_set *s)
{
    lc_iam_policy_set_compile(s);
    pthread_mutex_lock(&c->mu);
    struct cache_entry *e = s_find(c, key);
    if (e) {
        s_drop(e);
    } else if (c->n < c->max) {
        e = &c->e[c->n++];
    } else {
        e = &c->e[c->next_evict];
        c->next_evict = (c->next_evict + 1) % c->max;
        s_drop(e);
    }
    e->key = lc_strdup(key);
    e->version = version;
    e->set = s;                     /* the cache's reference */
    lc__iam_policy_set_retain(s);   /* the caller's */
    pthread_mutex_unlock(&c->mu);
    return s;
}

void lc_iam_cache_invalidate(struct lc_iam_cache *c, const char *key)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n;) {
        if (!key || strcmp(c->e[i].key, key) == 0) {
            s_drop(&c->e[i]);
            c->e[i] = c->e[--c->n];
            memset(&c->e[c->n], 0, sizeof(c->e[c->n]));
        } else {
            i++;
        }
    }
    if (c->next_evict >= c->n)
        c->next_evict = 0;
    pthread_mutex_unlock(&c->mu);
}
