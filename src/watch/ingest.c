/*
 * ingest.c: the decision trail as metrics. Every trail row after the cursor becomes, for DynamoDB
 * requests, AWS/DynamoDB SuccessfulRequestLatency / ThrottledRequests per table and operation (and
 * UserErrors / SystemErrors), and for every request LeastCloud/Access counts: ReadRequests and
 * WriteRequests per (TableName, PrincipalArn) and per AccessKeyId, DeniedRequests per PrincipalArn.
 * The cursor moves in the same transaction as the metrics, so a row is counted exactly once.
 */
#include "watch/watch_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

#define BATCH 2000

static bool s_is_read(const char *op)
{
    static const char *const reads[] = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (!strcmp(op, reads[i]))
            return true;
    return false;
}

static bool s_is_write(const char *op)
{
    static const char *const writes[] = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                                         "TransactWriteItems"};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        if (!strcmp(op, writes[i]))
            return true;
    return false;
}

struct s_acc {
    struct lc_watch_datum *d;
    size_t n, cap;
    char **strings; /* owned copies the data point into */
    size_t n_strings, cap_strings;
    struct lc_watch_dim *dims; /* fixed-size blocks of 2 per datum */
    int64_t last_id;
};

static const char *s_keep(struct s_acc *a, const char *s)
{
    if (a->n_strings == a->cap_strings) {
        a->cap_strings = a->cap_strings ? a->cap_strings * 2 : 64;
        a->strings = lc_realloc(a->strings, a->cap_strings * sizeof *a->strings);
    }
    return a->strings[a->n_strings++] = lc_strdup(s);
}

static void s_add(struct s_acc *a, const char *ns, const char *name, const char *d1, const char *v1, const char *d2,
                  const char *v2, int64_t t, double v, const char *unit)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->d = lc_realloc(a->d, a->cap * sizeof *a->d);
        a->dims = lc_realloc(a->dims, a->cap * 2 * sizeof *a->dims);
        for (size_t i = 0; i < a->n; i++)
            a->d[i].dims = &a->dims[2 * i];
    }
    struct lc_watch_dim *dm = &a->dims[2 * a->n];
    size_t nd = 0;
    if (d1)
        dm[nd++] = (struct lc_watch_dim){d1, s_keep(a, v1)};
    if (d2)
        dm[nd++] = (struct lc_watch_dim){d2, s_keep(a, v2)};
    a->d[a->n++] = (struct lc_watch_datum){ns, name, dm, nd, t, v, 1, v, v, unit};
}

/* "arn:aws:dynamodb:r:a:table/NAME[/index/...]" -> NAME (into out). */
static bool s_table_of(const char *arn, char *out, size_t size)
{
    const char *p = strstr(arn, ":table/");
    if (!p || strncmp(arn, "arn:", 4) != 0)
        return false;
    p += 7;
    size_t len = strcspn(p, "/");
    if (len == 0 || len >= size)
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

static int s_row(const struct lc_store_trail_event *ev, void *ud)
{
    struct s_acc *a = ud;
    a->last_id = ev->id;
    bool ddb = !strcmp(ev->service, "dynamodb");
    bool allowed = !strcmp(ev->decision, "Allowed");
    bool denied = !strcmp(ev->decision, "ImplicitlyDenied") || !strcmp(ev->decision, "ExplicitlyDenied");
    bool ok = ev->http_status >= 200 && ev->http_status < 300;
    const char *who = ev->principal_arn && *ev->principal_arn ? ev->principal_arn : NULL;
    if (denied && who)
        s_add(a, LC_WATCH_NS_ACCESS, "DeniedRequests", "PrincipalArn", who, NULL, NULL, ev->time_ms, 1, "Count");
    if (!ddb)
        return 0;
    /* The tables the request named, once each. */
    json_t *res = json_loads(ev->resources ? ev->resources : "[]", 0, NULL);
    char tables[8][256];
    size_t nt = 0;
    size_t i;
    json_t *v;
    json_array_foreach(res, i, v)
    {
        char t[256];
        if (!json_is_string(v) || !s_table_of(json_string_value(v), t, sizeof t))
            continue;
        bool dup = false;
        for (size_t k = 0; k < nt; k++)
            dup = dup || !strcmp(tables[k], t);
        if (!dup && nt < 8)
            lc_strlcpy(tables[nt++], t, sizeof tables[0]);
    }
    json_decref(res);
    bool throttled = ev->error_code && (!strcmp(ev->error_code, "ThrottlingException") ||
                                        !strcmp(ev->error_code, "ProvisionedThroughputExceededException") ||
                                        !strcmp(ev->error_code, "RequestLimitExceeded"));
    if (ev->http_status >= 400 && ev->http_status < 500 && !throttled)
        s_add(a, LC_WATCH_NS_DYNAMODB, "UserErrors", NULL, NULL, NULL, NULL, ev->time_ms, 1, "Count");
    if (ev->http_status >= 500)
        s_add(a, LC_WATCH_NS_DYNAMODB, "SystemErrors", "Operation", ev->operation, NULL, NULL, ev->time_ms, 1,
              "Count");
    for (size_t k = 0; k < nt; k++) {
        if (ok)
            s_add(a, LC_WATCH_NS_DYNAMODB, "SuccessfulRequestLatency", "TableName", tables[k], "Operation",
                  ev->operation, ev->time_ms, (double)ev->duration_us / 1000.0, "Milliseconds");
        if (throttled)
            s_add(a, LC_WATCH_NS_DYNAMODB, "ThrottledRequests", "TableName", tables[k], "Operation", ev->operation,
                  ev->time_ms, 1, "Count");
        if (!allowed || !ok || !who)
            continue;
        const char *metric = s_is_read(ev->operation) ? "ReadRequests" : s_is_write(ev->operation) ? "WriteRequests"
                                                                                                    : NULL;
        if (!metric)
            continue;
        s_add(a, LC_WATCH_NS_ACCESS, metric, "TableName", tables[k], "PrincipalArn", who, ev->time_ms, 1, "Count");
        if (ev->key_id && *ev->key_id)
            s_add(a, LC_WATCH_NS_ACCESS, metric, "AccessKeyId", ev->key_id, NULL, NULL, ev->time_ms, 1, "Count");
    }
    return 0;
}

static void s_acc_free(struct s_acc *a)
{
    for (size_t i = 0; i < a->n_strings; i++)
        lc_free(a->strings[i]);
    lc_free(a->strings);
    lc_free(a->d);
    lc_free(a->dims);
}

static int s_cursor(struct lc_store *store, int64_t *value, struct lc_error *err)
{
    *value = 0;
    static const char sql[] = "SELECT value FROM watch_cursor WHERE name = 'trail'";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (sqlite3_step(st) == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    lc_store_stmt_done(st);
    return 0;
}

int lc__watch_ingest_trail(struct lc_store *store, struct lc_error *err)
{
    int rc = 0;
    for (int rounds = 0; !rc && rounds < 1000; rounds++) {
        struct lc_store_tx tx;
        if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
            return rc;
        int64_t cursor;
        rc = s_cursor(store, &cursor, err);
        struct s_acc a = {.last_id = cursor};
        if (!rc) {
            struct lc_store_trail_filter f = {.after_id = cursor, .limit = BATCH};
            rc = lc_store_trail_list(store, &f, s_row, &a, err);
        }
        bool more = !rc && a.last_id != cursor;
        if (more && a.n)
            rc = lc_watch_put(store, a.d, a.n, err);
        if (more && !rc) {
            static const char sql[] =
                "INSERT INTO watch_cursor (name, value) VALUES ('trail', ?1)"
                " ON CONFLICT (name) DO UPDATE SET value = ?1";
            sqlite3_stmt *st = lc_store_stmt(store, sql, err);
            if (!st) {
                rc = LC_EINTERNAL;
            } else {
                sqlite3_bind_int64(st, 1, a.last_id);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = lc_store_sql_error(store, "moving the trail cursor", err);
                lc_store_stmt_done(st);
            }
        }
        s_acc_free(&a);
        rc = lc_store_tx_end(store, &tx, rc, err);
        if (!more)
            break;
    }
    return rc;
}
