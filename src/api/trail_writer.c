/*
 * trail_writer.c: trail rows are queued by the worker threads and written in batches by one
 * thread, so that recording costs a worker a copy and a lock, not a SQLite transaction.
 * Stopping writes everything still queued: a request that was answered has its row.
 */
#include "api/api_internal.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/log.h"

#define TRAIL_BATCH_MAX 512
#define TRAIL_FLUSH_MS 20

struct lc_api_trail {
    struct lc_store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct lc_store_trail_event *queue;  /* strings owned (see s_copy) */
    size_t n, cap;
    bool stopping;
};

/* The event's strings, in one order for copying and for freeing. */
#define E(f) offsetof(struct lc_store_trail_event, f)
static const size_t s_strings[] = {
    E(request_id), E(principal_arn), E(key_id), E(source_ip), E(service), E(operation), E(action),
    E(resources),  E(decision),      E(policy), E(sid),       E(checks),  E(error_code),
};
#undef E
#define TRAIL_STRINGS (sizeof s_strings / sizeof s_strings[0])

static const char **s_string(struct lc_store_trail_event *e, size_t i)
{
    return (const char **)((char *)e + s_strings[i]);
}

/* One allocation holds every string of the copy (owned by dst->request_id, which is first): a
 * queued row costs one malloc and one free, not thirteen of each. */
static void s_copy(struct lc_store_trail_event *dst, const struct lc_store_trail_event *src)
{
    *dst = *src;
    if (!dst->resources)
        dst->resources = "[]";
    size_t len[TRAIL_STRINGS], total = 0;
    for (size_t i = 0; i < TRAIL_STRINGS; i++) {
        const char *s = *s_string(dst, i);
        len[i] = s ? strlen(s) : 0;
        total += len[i] + 1;
    }
    char *p = lc_malloc(total);
    for (size_t i = 0; i < TRAIL_STRINGS; i++) {
        const char **field = s_string(dst, i);
        if (len[i])
            memcpy(p, *field, len[i]);
        p[len[i]] = '\0';
        *field = p;
        p += len[i] + 1;
    }
}

static void s_free_event(struct lc_store_trail_event *e)
{
    lc_free((void *)e->request_id);
}

static void s_write(struct lc_api_trail *t, struct lc_store_trail_event *batch, size_t n)
{
    struct lc_error err;
    /* SQLITE_BUSY past the store's busy timeout is the only expected failure: retry a few times
     * rather than lose rows. */
    int rc = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        rc = lc_store_trail_append(t->store, batch, n, &err);
        if (rc != LC_ECONFLICT)
            break;
    }
    if (rc)
        LC_LOGE("api", "lost %zu trail rows: %s", n, err.message);
    for (size_t i = 0; i < n; i++)
        s_free_event(&batch[i]);
}

static void *s_run(void *arg)
{
    struct lc_api_trail *t = arg;
    pthread_mutex_lock(&t->lock);
    for (;;) {
        while (!t->n && !t->stopping)
            pthread_cond_wait(&t->wake, &t->lock);
        if (!t->n && t->stopping)
            break;
        if (!t->stopping && t->n < TRAIL_BATCH_MAX) {
            /* Let a batch gather: one transaction for many rows is what keeps this cheap. */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += TRAIL_FLUSH_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&t->wake, &t->lock, &ts);
        }
        struct lc_store_trail_event *batch = t->queue;
        size_t n = t->n;
        t->queue = NULL;
        t->n = t->cap = 0;
        pthread_mutex_unlock(&t->lock);
        s_write(t, batch, n);
        lc_free(batch);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

struct lc_api_trail *lc__api_trail_start(struct lc_store *store, struct lc_error *err)
{
    struct lc_api_trail *t = lc_calloc(1, sizeof *t);
    t->store = store;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, s_run, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        lc_free(t);
        lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "cannot start the trail writer thread");
        return NULL;
    }
    return t;
}

void lc__api_trail_push(struct lc_api_trail *t, const struct lc_store_trail_event *ev)
{
    struct lc_store_trail_event copy;
    s_copy(&copy, ev); /* outside the lock: the workers only meet for the append */
    pthread_mutex_lock(&t->lock);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->queue = lc_realloc(t->queue, t->cap * sizeof *t->queue);
    }
    t->queue[t->n++] = copy;
    if (t->n == 1 || t->n >= TRAIL_BATCH_MAX)
        pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

void lc__api_trail_stop(struct lc_api_trail *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    lc_free(t->queue);
    lc_free(t);
}
