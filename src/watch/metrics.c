/*
 * metrics.c: the metric store. One row per (namespace, metric, dimension set, minute) with Sum,
 * SampleCount, Minimum and Maximum, which is enough to answer every basic statistic of any period
 * that is a whole number of minutes.
 */
#include "watch/watch_internal.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

static const char *const s_steps[] = {
    "CREATE TABLE watch_metric ("
    " namespace TEXT NOT NULL, name TEXT NOT NULL, dims TEXT NOT NULL, minute INTEGER NOT NULL,"
    " sum REAL NOT NULL, count REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, unit TEXT NOT NULL,"
    " PRIMARY KEY (namespace, name, dims, minute)) WITHOUT ROWID;"
    "CREATE TABLE watch_alarm ("
    " name TEXT PRIMARY KEY, arn TEXT NOT NULL, config TEXT NOT NULL, source TEXT NOT NULL,"
    " state TEXT NOT NULL, reason TEXT NOT NULL, reason_data TEXT NOT NULL,"
    " state_updated_ms INTEGER NOT NULL, config_updated_ms INTEGER NOT NULL);"
    "CREATE TABLE watch_alarm_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_name TEXT NOT NULL, time_ms INTEGER NOT NULL,"
    " type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL);"
    "CREATE INDEX watch_alarm_history_name ON watch_alarm_history(alarm_name, id);"
    "CREATE TABLE watch_topic (arn TEXT PRIMARY KEY, name TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE watch_subscription ("
    " arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE watch_notification ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, topic_arn TEXT NOT NULL,"
    " subscription_arn TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,"
    " subject TEXT NOT NULL, message TEXT NOT NULL, status TEXT NOT NULL);"
    "CREATE TABLE watch_cursor (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
};

/* Stores already migrated by this process, so that the hot paths skip lc_store_migrate's write
 * transaction (which also cannot run inside the caller's transaction). Keyed by the handle and its
 * directory, so that a handle address reused for another state directory is migrated again. */
static pthread_mutex_t s_mig_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const struct lc_store *store;
    char dir[512];
} s_migrated[32];
static size_t s_n_migrated;

static bool s_is_migrated(const struct lc_store *store)
{
    bool found = false;
    pthread_mutex_lock(&s_mig_lock);
    for (size_t i = 0; i < s_n_migrated && !found; i++)
        found = s_migrated[i].store == store && !strcmp(s_migrated[i].dir, lc_store_dir(store));
    pthread_mutex_unlock(&s_mig_lock);
    return found;
}

int lc_watch_migrate(struct lc_store *store, struct lc_error *err)
{
    if (s_is_migrated(store))
        return 0;
    if (!sqlite3_get_autocommit(lc_store_db(store)))
        return 0; /* inside a transaction: the outermost caller migrated before beginning it */
    int rc = lc_store_migrate(store, "watch", s_steps, sizeof s_steps / sizeof s_steps[0], err);
    /* Alarms, topics and subscriptions of deployed stacks are read inside our transactions, where
     * the stacks' domain cannot migrate itself. */
    if (!rc)
        rc = lc_store_stacks_migrate(store, err);
    if (!rc)
        rc = lc_store_trail_init(store, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&s_mig_lock);
    size_t slot = s_n_migrated < 32 ? s_n_migrated++ : (size_t)(lc_clock_now_ms() % 32);
    s_migrated[slot].store = store;
    lc_strlcpy(s_migrated[slot].dir, lc_store_dir(store), sizeof s_migrated[slot].dir);
    pthread_mutex_unlock(&s_mig_lock);
    return 0;
}

static int s_dim_cmp(const void *a, const void *b)
{
    const struct lc_watch_dim *x = a, *y = b;
    return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0 when jansson's utf8_check_first
 * and utf8_check_full would refuse it (stray continuation bytes, overlong forms, surrogates, code
 * points past U+10FFFF, a sequence cut by the terminating NUL). */
void lc__watch_dims_key_append(struct lc_buf *out, const struct lc_watch_dim *dims, size_t n)
{
    /* Callers usually pass names already in order (ingest does): then there is nothing to sort. Only
     * a strictly increasing order is taken as is, so that ties keep whatever order qsort gives them. */
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = s_dim_cmp(&dims[i - 1], &dims[i]) < 0;
    struct lc_watch_dim small[8], *copy = NULL;
    if (!sorted) {
        copy = n <= 8 ? small : lc_malloc(n * sizeof *copy);
        memcpy(copy, dims, n * sizeof *copy);
        qsort(copy, n, sizeof *copy, s_dim_cmp);
        dims = copy;
    }
    lc_buf_append_byte(out, '[');
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = out->len;
        if (kept)
            lc_buf_append_byte(out, ',');
        lc_buf_append_str(out, "{\"Name\":");
        const char *name = dims[i].name ? dims[i].name : "", *value = dims[i].value ? dims[i].value : "";
        bool ok = lc_json_append_string(out, name, strlen(name)) == 0;
        if (ok) {
            lc_buf_append_str(out, ",\"Value\":");
            ok = lc_json_append_string(out, value, strlen(value)) == 0;
        }
        if (!ok) {
            /* The jansson version dropped a dimension json_pack refused (invalid UTF-8): so do we. */
            out->len = mark;
            out->data[mark] = '\0';
            continue;
        }
        lc_buf_append_byte(out, '}');
        kept++;
    }
    lc_buf_append_byte(out, ']');
    if (copy != small)
        lc_free(copy);
}

/* Built without jansson (a json_pack per dimension and a json_dumps cost ~20k instructions a key);
 * tests/unit/watch/test_metrics.c checks the text against jansson's on tricky names and values. */
char *lc_watch_dims_key(const struct lc_watch_dim *dims, size_t n)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc__watch_dims_key_append(&b, dims, n);
    return lc_buf_detach(&b, NULL);
}

static int64_t s_minute(int64_t time_ms)
{
    return time_ms - (((time_ms % 60000) + 60000) % 60000);
}

int lc_watch_put(struct lc_store *store, const struct lc_watch_datum *data, size_t n, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
        return rc;
    static const char sql[] =
        "INSERT INTO watch_metric (namespace, name, dims, minute, sum, count, min, max, unit)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT (namespace, name, dims, minute) DO UPDATE SET sum = sum + ?5, count = count + ?6,"
        " min = MIN(min, ?7), max = MAX(max, ?8)";
    struct lc_buf dims; /* one buffer for every datum's key */
    lc_buf_init(&dims, LC_BUF_UNLIMITED);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct lc_watch_datum *d = &data[i];
        sqlite3_stmt *st = lc_store_stmt(store, sql, err);
        if (!st) {
            rc = LC_EINTERNAL;
            break;
        }
        lc_buf_reset(&dims);
        lc__watch_dims_key_append(&dims, d->dims, d->n_dims);
        sqlite3_bind_text(st, 1, d->ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, dims.data, (int)dims.len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, s_minute(d->time_ms));
        sqlite3_bind_double(st, 5, d->sum);
        sqlite3_bind_double(st, 6, d->count);
        sqlite3_bind_double(st, 7, d->min);
        sqlite3_bind_double(st, 8, d->max);
        sqlite3_bind_text(st, 9, d->unit && *d->unit ? d->unit : "None", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = lc_store_sql_error(store, "recording a metric", err);
        lc_store_stmt_done(st);
    }
    lc_buf_free(&dims);
    return lc_store_tx_end(store, &tx, rc, err);
}

int lc__watch_put_values(struct lc_store *store, const char *ns, const char *name, const char *dims_key,
                         int64_t minute, const double *v, size_t n, const char *unit, struct lc_error *err)
{
    if (!n)
        return 0;
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (rc)
        return rc;
    static const char get[] = "SELECT sum, count, min, max FROM watch_metric"
                              " WHERE namespace = ?1 AND name = ?2 AND dims = ?3 AND minute = ?4";
    sqlite3_stmt *st = lc_store_stmt(store, get, err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dims_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, minute);
    /* What n single-value upserts would compute, in the same order: the first inserts (v, 1, v, v)
     * unless the row exists, each next one adds to sum and count. Keeping the order keeps every bit
     * of the sums (floating-point addition is not associative). */
    double sum, count, min, max;
    size_t i;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        sum = sqlite3_column_double(st, 0);
        count = sqlite3_column_double(st, 1);
        min = sqlite3_column_double(st, 2);
        max = sqlite3_column_double(st, 3);
        i = 0;
    } else {
        sum = min = max = v[0];
        count = 1;
        i = 1;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = lc_store_sql_error(store, "reading a metric", err);
    lc_store_stmt_done(st);
    for (; i < n; i++) {
        sum = sum + v[i];
        count = count + 1;
        /* as SQLite's MIN(min, v) and MAX(max, v) pick on ties (only -0.0 and 0.0 could tell) */
        min = min >= v[i] ? v[i] : min;
        max = max < v[i] ? v[i] : max;
    }
    static const char put[] =
        "INSERT INTO watch_metric (namespace, name, dims, minute, sum, count, min, max, unit)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT (namespace, name, dims, minute) DO UPDATE SET sum = ?5, count = ?6, min = ?7, max = ?8";
    if (!rc && !(st = lc_store_stmt(store, put, err)))
        rc = LC_EINTERNAL;
    if (!rc) {
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, dims_key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, minute);
        sqlite3_bind_double(st, 5, sum);
        sqlite3_bind_double(st, 6, count);
        sqlite3_bind_double(st, 7, min);
        sqlite3_bind_double(st, 8, max);
        sqlite3_bind_text(st, 9, unit && *unit ? unit : "None", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = lc_store_sql_error(store, "recording a metric", err);
        lc_store_stmt_done(st);
    }
    return lc_store_tx_end(store, &tx, rc, err);
}

int lc_watch_stat_parse(const char *name)
{
    static const char *const names[] = {"Sum", "Average", "Minimum", "Maximum", "SampleCount"};
    for (int i = 0; name && i < 5; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

const char *lc_watch_stat_name(enum lc_watch_stat s)
{
    static const char *const names[] = {"Sum", "Average", "Minimum", "Maximum", "SampleCount"};
    return (unsigned)s < 5 ? names[s] : "Sum";
}

double lc_watch_point_value(const struct lc_watch_point *p, enum lc_watch_stat s)
{
    switch (s) {
    case LC_WATCH_SUM: return p->sum;
    case LC_WATCH_AVERAGE: return p->count > 0 ? p->sum / p->count : 0;
    case LC_WATCH_MINIMUM: return p->min;
    case LC_WATCH_MAXIMUM: return p->max;
    case LC_WATCH_SAMPLE_COUNT: return p->count;
    }
    return p->sum;
}

int lc_watch_query(struct lc_store *store, const char *ns, const char *name, const char *dims_key,
                   int64_t start_ms, int64_t end_ms, int period_s, struct lc_watch_point **out, size_t *n,
                   struct lc_error *err)
{
    *out = NULL;
    *n = 0;
    if (period_s <= 0 || period_s % 60)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The parameter Period must be a multiple of 60.");
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    int64_t period_ms = (int64_t)period_s * 1000;
    static const char sql[] =
        "SELECT (minute / ?5) * ?5 AS p, SUM(sum), SUM(count), MIN(min), MAX(max) FROM watch_metric"
        " WHERE namespace = ?1 AND name = ?2 AND dims = ?3 AND minute >= ?4 AND minute < ?6"
        " GROUP BY p ORDER BY p";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    /* Periods are aligned to the epoch: a period that starts before start_ms is left out, as
     * CloudWatch rounds StartTime to the period. */
    int64_t first = start_ms - (((start_ms % period_ms) + period_ms) % period_ms);
    if (first < start_ms)
        first += period_ms;
    sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dims_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, first);
    sqlite3_bind_int64(st, 5, period_ms);
    sqlite3_bind_int64(st, 6, end_ms);
    size_t cap = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = lc_realloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = (struct lc_watch_point){
            .time_ms = sqlite3_column_int64(st, 0),
            .sum = sqlite3_column_double(st, 1),
            .count = sqlite3_column_double(st, 2),
            .min = sqlite3_column_double(st, 3),
            .max = sqlite3_column_double(st, 4),
        };
    }
    if (s != SQLITE_DONE)
        rc = lc_store_sql_error(store, "reading metrics", err);
    lc_store_stmt_done(st);
    return rc;
}

int lc_watch_list_metrics(struct lc_store *store, const char *ns, const char *name,
                          int (*fn)(const char *ns, const char *name, const char *dims_key, void *ud), void *ud,
                          struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT DISTINCT namespace, name, dims FROM watch_metric"
        " WHERE (?1 IS NULL OR namespace = ?1) AND (?2 IS NULL OR name = ?2) ORDER BY 1, 2, 3";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (ns)
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    if (name)
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), ud))
            break;
    }
    if (s != SQLITE_DONE && s != SQLITE_ROW)
        rc = lc_store_sql_error(store, "listing metrics", err);
    lc_store_stmt_done(st);
    return rc;
}

/* ---- the ddb hook's in-memory counters, flushed to the store by the evaluator ---- */

struct s_consumed {
    char *table;
    int64_t minute;
    double read, write;
    double n_read, n_write;
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct s_consumed *s_pending;
static size_t s_n_pending, s_cap_pending;

void lc_watch_ddb_consumed(void *ctx, const char *table_name, double read_units, double write_units)
{
    (void)ctx;
    if (!table_name)
        return;
    int64_t now = lc_clock_now_ms();
    int64_t minute = now - now % 60000;
    pthread_mutex_lock(&s_lock);
    struct s_consumed *c = NULL;
    for (size_t i = 0; i < s_n_pending; i++)
        if (s_pending[i].minute == minute && !strcmp(s_pending[i].table, table_name)) {
            c = &s_pending[i];
            break;
        }
    if (!c) {
        if (s_n_pending == s_cap_pending) {
            s_cap_pending = s_cap_pending ? s_cap_pending * 2 : 8;
            s_pending = lc_realloc(s_pending, s_cap_pending * sizeof *s_pending);
        }
        c = &s_pending[s_n_pending++];
        *c = (struct s_consumed){.table = lc_strdup(table_name), .minute = minute};
    }
    c->read += read_units;
    c->write += write_units;
    c->n_read += read_units > 0;
    c->n_write += write_units > 0;
    pthread_mutex_unlock(&s_lock);
}

int lc__watch_flush_consumed(struct lc_store *store, struct lc_error *err)
{
    pthread_mutex_lock(&s_lock);
    struct s_consumed *batch = s_pending;
    size_t n = s_n_pending;
    s_pending = NULL;
    s_n_pending = s_cap_pending = 0;
    pthread_mutex_unlock(&s_lock);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct lc_watch_dim dim = {"TableName", batch[i].table};
        struct lc_watch_datum d[2];
        size_t k = 0;
        /* CloudWatch reports consumed capacity as the period's Sum (SampleCount = requests). */
        if (batch[i].n_read > 0)
            d[k++] = (struct lc_watch_datum){LC_WATCH_NS_DYNAMODB, "ConsumedReadCapacityUnits", &dim, 1,
                                             batch[i].minute, batch[i].read, batch[i].n_read,
                                             batch[i].read / batch[i].n_read, batch[i].read / batch[i].n_read,
                                             "Count"};
        if (batch[i].n_write > 0)
            d[k++] = (struct lc_watch_datum){LC_WATCH_NS_DYNAMODB, "ConsumedWriteCapacityUnits", &dim, 1,
                                             batch[i].minute, batch[i].write, batch[i].n_write,
                                             batch[i].write / batch[i].n_write,
                                             batch[i].write / batch[i].n_write, "Count"};
        if (!rc && k)
            rc = lc_watch_put(store, d, k, err);
        lc_free(batch[i].table);
    }
    lc_free(batch);
    return rc;
}

/* Test hook: forget what the ddb hook gathered. */
void lc__watch_reset_consumed(void)
{
    pthread_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_n_pending; i++)
        lc_free(s_pending[i].table);
    lc_free(s_pending);
    s_pending = NULL;
    s_n_pending = s_cap_pending = 0;
    pthread_mutex_unlock(&s_lock);
}

/* A rounding helper for the reasons: metrics are doubles, but most are whole counts. */
double lc__watch_round(double v)
{
    return fabs(v - nearbyint(v)) < 1e-9 ? nearbyint(v) : v;
}
