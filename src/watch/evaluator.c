/*
 * evaluator.c: the server's background alarm evaluator, one thread that runs lc_watch_evaluate every
 * interval (and once more when it stops, so that the last requests are counted).
 */
#include "watch/watch_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "leastcloud/error.h"
#include "leastcloud/log.h"
#include "leastcloud/str.h"

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond;
static pthread_t s_thread;
static bool s_running, s_stopping;
static struct lc_store *s_store;
static int s_interval_ms;

static void s_tick(void)
{
    struct lc_error err = {0};
    size_t changed = 0;
    if (lc_watch_evaluate(s_store, lc_clock_now_ms(), &changed, &err) != 0)
        lc_log(LC_LOG_WARN, "watch", "alarm evaluation failed: %s", err.message);
    else if (changed)
        lc_log(LC_LOG_INFO, "watch", "%zu alarm(s) changed state", changed);
}

static void *s_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&s_lock);
    while (!s_stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += s_interval_ms / 1000;
        until.tv_nsec += (long)(s_interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int w = 0;
        while (!s_stopping && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&s_cond, &s_lock, &until);
        pthread_mutex_unlock(&s_lock);
        s_tick();
        pthread_mutex_lock(&s_lock);
    }
    pthread_mutex_unlock(&s_lock);
    return NULL;
}

int lc_watch_evaluator_start(struct lc_store *store, int interval_ms, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&s_lock);
    if (s_running) {
        pthread_mutex_unlock(&s_lock);
        return 0;
    }
    if (interval_ms <= 0) {
        const char *env = getenv("LC_WATCH_INTERVAL_MS");
        int64_t v = 0;
        interval_ms = env && lc_parse_i64(env, &v) == 0 && v >= 50 && v <= 3600000 ? (int)v : 10000;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s_cond, &ca);
    pthread_condattr_destroy(&ca);
    s_store = store;
    s_interval_ms = interval_ms;
    s_stopping = false;
    if (pthread_create(&s_thread, NULL, s_main, NULL) != 0) {
        pthread_cond_destroy(&s_cond);
        pthread_mutex_unlock(&s_lock);
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "cannot start the alarm evaluator thread");
    }
    s_running = true;
    pthread_mutex_unlock(&s_lock);
    return 0;
}

void lc_watch_evaluator_stop(void)
{
    pthread_mutex_lock(&s_lock);
    if (!s_running) {
        pthread_mutex_unlock(&s_lock);
        return;
    }
    s_stopping = true;
    pthread_cond_signal(&s_cond);
    pthread_mutex_unlock(&s_lock);
    pthread_join(s_thread, NULL);
    pthread_mutex_lock(&s_lock);
    s_running = false;
    pthread_cond_destroy(&s_cond);
    pthread_mutex_unlock(&s_lock);
}
