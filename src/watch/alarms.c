/*
 * alarms.c: alarms in the state (from PutMetricAlarm, or synced from deployed AWS::CloudWatch::Alarm
 * resources), their history, SetAlarmState, and the evaluator tick that brings them up to date.
 */
#include "watch/watch_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/log.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/str.h"

char *lc__watch_alarm_arn(struct lc_store *store, const char *name)
{
    return lc_asprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", lc_store_region(store), lc_store_account(store), name);
}

static int s_history(struct lc_store *store, const char *name, int64_t now_ms, const char *type,
                     const char *summary, const json_t *data, struct lc_error *err)
{
    static const char sql[] =
        "INSERT INTO watch_alarm_history (alarm_name, time_ms, type, summary, data) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    char *text = data ? json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, text ? text : "{}", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "recording alarm history", err);
    lc_store_stmt_done(st);
    free(text);
    return rc;
}

/* Inserts or updates the definition; a changed definition keeps the state (as PutMetricAlarm does
 * on AWS until the next evaluation). */
static int s_put(struct lc_store *store, const json_t *config, const char *source, bool history,
                 struct lc_error *err)
{
    struct lc_watch_alarm a;
    int rc = lc_watch_alarm_parse(config, &a, err);
    if (rc)
        return rc;
    int64_t now = lc_clock_now_ms();
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    char *arn = lc__watch_alarm_arn(store, a.name);
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
        goto out;
    bool existed = false;
    static const char exists_sql[] = "SELECT 1 FROM watch_alarm WHERE name = ?";
    sqlite3_stmt *ex = lc_store_stmt(store, exists_sql, err);
    if (ex) {
        sqlite3_bind_text(ex, 1, a.name, -1, SQLITE_STATIC);
        existed = sqlite3_step(ex) == SQLITE_ROW;
        lc_store_stmt_done(ex);
    }
    static const char sql[] =
        "INSERT INTO watch_alarm (name, arn, config, source, state, reason, reason_data, state_updated_ms,"
        " config_updated_ms) VALUES (?1, ?2, ?3, ?4, 'INSUFFICIENT_DATA', 'Unchecked: Initial alarm creation', '',"
        " ?5, ?5) ON CONFLICT (name) DO UPDATE SET config = ?3, source = ?4, config_updated_ms = ?5"
        " WHERE config <> ?3 OR source <> ?4";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st) {
        rc = LC_EINTERNAL;
    } else {
        sqlite3_bind_text(st, 1, a.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "storing an alarm", err);
        bool changed = sqlite3_changes(lc_store_db(store)) > 0;
        lc_store_stmt_done(st);
        if (!rc && changed && history) {
            char *summary = lc_asprintf("Alarm \"%s\" %s", a.name, existed ? "updated" : "created");
            json_t *data = json_pack("{ss sO}", "type", existed ? "Update" : "Create", existed ? "updatedAlarm"
                                                                                              : "createdAlarm",
                                     (json_t *)config);
            rc = s_history(store, a.name, now, "ConfigurationUpdate", summary, data, err);
            json_decref(data);
            lc_free(summary);
        }
    }
    rc = lc_store_tx_end(store, &tx, rc, err);
out:
    free(text);
    lc_free(arn);
    lc_watch_alarm_clear(&a);
    return rc;
}

int lc_watch_alarm_put(struct lc_store *store, const json_t *config, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    return rc ? rc : s_put(store, config, "api", true, err);
}

int lc_watch_alarm_delete(struct lc_store *store, const char *name, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    static const char sql[] = "DELETE FROM watch_alarm WHERE name = ?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "deleting an alarm", err);
    bool gone = sqlite3_changes(lc_store_db(store)) > 0;
    lc_store_stmt_done(st);
    if (!rc && !gone)
        return lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFound", "Alarm %s does not exist.", name);
    return rc;
}

struct s_row_owned {
    char *name, *arn, *source, *state, *reason, *reason_data;
    json_t *config;
    int64_t state_ms, config_ms;
};

static char *s_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return lc_strdup(t ? (const char *)t : "");
}

/* Reads rows first and calls back after, so that callbacks may write. */
static int s_rows(struct lc_store *store, const char *only, struct s_row_owned **out, size_t *n, struct lc_error *err)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "SELECT name, arn, config, source, state, reason, reason_data, state_updated_ms, config_updated_ms"
        " FROM watch_alarm WHERE ?1 IS NULL OR name = ?1 ORDER BY name";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (only)
        sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        *out = lc_realloc(*out, (*n + 1) * sizeof **out);
        struct s_row_owned *r = &(*out)[(*n)++];
        char *cfg = s_col(st, 2);
        *r = (struct s_row_owned){s_col(st, 0), s_col(st, 1), s_col(st, 3), s_col(st, 4), s_col(st, 5),
                                  s_col(st, 6), json_loads(cfg, 0, NULL), sqlite3_column_int64(st, 7),
                                  sqlite3_column_int64(st, 8)};
        lc_free(cfg);
        if (!r->config)
            r->config = json_object();
    }
    int rc = s == SQLITE_DONE ? 0 : lc_store_sql_error(store, "reading alarms", err);
    lc_store_stmt_done(st);
    return rc;
}

static void s_rows_free(struct s_row_owned *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lc_free(rows[i].name);
        lc_free(rows[i].arn);
        lc_free(rows[i].source);
        lc_free(rows[i].state);
        lc_free(rows[i].reason);
        lc_free(rows[i].reason_data);
        json_decref(rows[i].config);
    }
    lc_free(rows);
}

int lc_watch_alarm_list(struct lc_store *store, int (*fn)(const struct lc_watch_alarm_row *r, void *ud), void *ud,
                        struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    struct s_row_owned *rows = NULL;
    size_t n = 0;
    if (!rc)
        rc = s_rows(store, NULL, &rows, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct lc_watch_alarm_row r = {rows[i].name,   rows[i].arn,         rows[i].config,   rows[i].source,
                                       rows[i].state,  rows[i].reason,      rows[i].reason_data,
                                       rows[i].state_ms, rows[i].config_ms};
        if (fn(&r, ud))
            break;
    }
    s_rows_free(rows, n);
    return rc;
}

/* Records a state change: the row, the history and the actions, in the caller's transaction. */
static int s_change_state(struct lc_store *store, const struct s_row_owned *row, const char *state,
                          const char *reason, const char *reason_data, int64_t now_ms, struct lc_error *err)
{
    static const char sql[] =
        "UPDATE watch_alarm SET state = ?2, reason = ?3, reason_data = ?4, state_updated_ms = ?5 WHERE name = ?1";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, row->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, reason_data ? reason_data : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_ms);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "updating an alarm", err);
    lc_store_stmt_done(st);
    if (rc)
        return rc;
    char *summary = lc_asprintf("Alarm updated from %s to %s", row->state, state);
    json_t *rd = reason_data && *reason_data ? json_loads(reason_data, 0, NULL) : NULL;
    json_t *data = json_pack("{ss s{ss ss so?} s{ss ss so?}}", "version", "1.0", "oldState", "stateValue",
                             row->state, "stateReason", row->reason, "stateReasonData", json_null(), "newState",
                             "stateValue", state, "stateReason", reason, "stateReasonData", rd ? rd : json_null());
    json_object_del(json_object_get(data, "oldState"), "stateReasonData");
    rc = s_history(store, row->name, now_ms, "StateUpdate", summary, data, err);
    json_decref(data);
    lc_free(summary);
    if (!rc)
        rc = lc__watch_alarm_actions(store, row->name, row->config, row->state, state, reason, now_ms, err);
    return rc;
}

int lc_watch_alarm_set_state(struct lc_store *store, const char *name, enum lc_watch_state state,
                             const char *reason, const char *reason_data, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    if (reason_data && *reason_data) {
        json_t *j = json_loads(reason_data, 0, NULL);
        if (!j)
            return lc_error_set(err, LC_EINVAL, 400, "InvalidFormat",
                                "Unable to parse StateReasonData: it must be a JSON document.");
        json_decref(j);
    }
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
        return rc;
    struct s_row_owned *rows = NULL;
    size_t n = 0;
    rc = s_rows(store, name, &rows, &n, err);
    if (!rc && n == 0)
        rc = lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFound", "Alarm %s not found", name);
    if (!rc && strcmp(rows[0].state, lc_watch_state_name(state)) != 0)
        rc = s_change_state(store, &rows[0], lc_watch_state_name(state), reason, reason_data, lc_clock_now_ms(),
                            err);
    s_rows_free(rows, n);
    rc = lc_store_tx_end(store, &tx, rc, err);
    if (!rc && tx.owned)
        lc__watch_deliver(store);
    return rc;
}

int lc_watch_history_list(struct lc_store *store, const char *name, const char *type,
                          int (*fn)(const struct lc_watch_history_row *r, void *ud), void *ud,
                          struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT alarm_name, type, summary, data, time_ms FROM watch_alarm_history"
        " WHERE (?1 IS NULL OR alarm_name = ?1) AND (?2 IS NULL OR type = ?2) ORDER BY id DESC";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (type)
        sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct lc_watch_history_row r = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            sqlite3_column_int64(st, 4)};
        if (fn(&r, ud))
            break;
    }
    if (s != SQLITE_DONE && s != SQLITE_ROW)
        rc = lc_store_sql_error(store, "reading alarm history", err);
    lc_store_stmt_done(st);
    return rc;
}

/* ---- the evaluator tick ---- */

struct s_sync {
    struct lc_store *store;
    json_t *seen; /* alarm names defined by live stacks */
};

static int s_sync_one(const char *stack_id, const struct lc_stack_resource *r, void *ud)
{
    struct s_sync *s = ud;
    json_t *props = r->properties ? json_loads(r->properties, 0, NULL) : NULL;
    if (!json_is_object(props)) {
        json_decref(props);
        return 0;
    }
    json_object_set_new(props, "AlarmName", json_string(r->physical_id));
    struct lc_error err = {0};
    if (s_put(s->store, props, stack_id, false, &err) == 0)
        json_object_set_new(s->seen, r->physical_id, json_true());
    else
        lc_log(LC_LOG_WARN, "watch", "alarm %s of stack %s is not evaluated: %s", r->physical_id, stack_id,
               err.message);
    json_decref(props);
    return 0;
}

/* Stack alarms follow their stacks: created, updated, and gone with the stack. */
static int s_sync_stacks(struct lc_store *store, struct lc_error *err)
{
    struct s_sync s = {store, json_object()};
    int rc = lc_store_stack_resources_of_type(store, "AWS::CloudWatch::Alarm", s_sync_one, &s, err);
    struct s_row_owned *rows = NULL;
    size_t n = 0;
    if (!rc)
        rc = s_rows(store, NULL, &rows, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (strcmp(rows[i].source, "api") != 0 && !json_object_get(s.seen, rows[i].name))
            rc = lc_watch_alarm_delete(store, rows[i].name, err);
    s_rows_free(rows, n);
    json_decref(s.seen);
    return rc;
}

static pthread_mutex_t s_eval_lock = PTHREAD_MUTEX_INITIALIZER;

int lc_watch_evaluate(struct lc_store *store, int64_t now_ms, size_t *changed, struct lc_error *err)
{
    if (changed)
        *changed = 0;
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&s_eval_lock);
    rc = lc_watch_flush(store, err);
    if (!rc)
        rc = s_sync_stacks(store, err);
    struct s_row_owned *rows = NULL;
    size_t n = 0;
    if (!rc)
        rc = s_rows(store, NULL, &rows, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct lc_watch_alarm a;
        struct lc_error perr = {0};
        if (lc_watch_alarm_parse(rows[i].config, &a, &perr) != 0)
            continue;
        int64_t period_ms = (int64_t)a.period_s * 1000;
        int64_t end = now_ms - now_ms % period_ms + period_ms;
        struct lc_watch_point *pts = NULL;
        size_t np = 0;
        /* One period more than the range: the evaluation may end with the previous period. */
        rc = lc_watch_query(store, a.ns, a.metric, a.dims_key, end - period_ms * (a.evaluation_periods + 1), end,
                            a.period_s, &pts, &np, err);
        if (!rc) {
            int cur = lc_watch_state_parse(rows[i].state);
            struct lc_watch_eval ev;
            lc_watch_alarm_evaluate(&a, cur < 0 ? LC_WATCH_INSUFFICIENT_DATA : (enum lc_watch_state)cur, pts, np,
                                    now_ms, &ev);
            if (ev.changed) {
                char *rd = json_dumps(ev.reason_data, JSON_COMPACT | JSON_PRESERVE_ORDER);
                struct lc_store_tx tx;
                rc = lc_store_tx_begin(store, &tx, err);
                if (!rc) {
                    rc = s_change_state(store, &rows[i], lc_watch_state_name(ev.state), ev.reason, rd, now_ms,
                                        err);
                    rc = lc_store_tx_end(store, &tx, rc, err);
                }
                free(rd);
                if (!rc && changed)
                    (*changed)++;
            }
            json_decref(ev.reason_data);
        }
        lc_free(pts);
        lc_watch_alarm_clear(&a);
    }
    s_rows_free(rows, n);
    lc__watch_deliver(store);
    pthread_mutex_unlock(&s_eval_lock);
    return rc;
}

int lc_watch_flush(struct lc_store *store, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (!rc)
        rc = lc__watch_flush_consumed(store, err);
    if (!rc)
        rc = lc__watch_ingest_trail(store, err);
    return rc;
}
