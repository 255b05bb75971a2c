/* trail.c: the decision trail table (domain "trail"): one row per answered API request. */
#include "leastcloud/store_trail.h"

#include <string.h>

#include "leastcloud/error.h"

#define TRAIL_COLUMNS \
    "(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, request_id TEXT NOT NULL," \
    " principal_arn TEXT NOT NULL, key_id TEXT NOT NULL, source_ip TEXT NOT NULL, service TEXT NOT NULL," \
    " operation TEXT NOT NULL, action TEXT NOT NULL, resources TEXT NOT NULL, decision TEXT NOT NULL," \
    " policy TEXT NOT NULL, statement INTEGER NOT NULL, sid TEXT NOT NULL, checks TEXT NOT NULL," \
    " error_code TEXT NOT NULL, http_status INTEGER NOT NULL, duration_us INTEGER NOT NULL)"

/* The table and its one index in the trail's own file; idempotent, so that a trail.db deleted by
 * hand comes back empty rather than breaking every request. */
static const char s_ensure[] =
    "CREATE TABLE IF NOT EXISTS " LC_STORE_TRAIL_SCHEMA ".trail" TRAIL_COLUMNS ";"
    "CREATE INDEX IF NOT EXISTS " LC_STORE_TRAIL_SCHEMA ".trail_principal_time ON trail(principal_arn, time_ms);";

static const char *const s_steps[] = {
    "CREATE TABLE trail" TRAIL_COLUMNS ";"
    "CREATE INDEX trail_principal_time ON trail(principal_arn, time_ms);"
    "CREATE INDEX trail_time ON trail(time_ms);",
    /* Rows arrive in time order, so id order is time order: one index less per request. */
    "DROP INDEX trail_time;",
    /* The trail moves to its own file (store_trail.h); its rows come along. */
    "CREATE TABLE IF NOT EXISTS " LC_STORE_TRAIL_SCHEMA ".trail" TRAIL_COLUMNS ";"
    "INSERT INTO " LC_STORE_TRAIL_SCHEMA ".trail SELECT * FROM main.trail;"
    "DROP TABLE main.trail;",
};

int lc_store_trail_init(struct lc_store *store, struct lc_error *err)
{
    int rc = lc_store_migrate(store, "trail", s_steps, sizeof s_steps / sizeof s_steps[0], err);
    return rc ? rc : lc_store_exec(store, s_ensure, err);
}

static const char *s_str(const char *s)
{
    return s ? s : "";
}

static const char s_insert_sql[] =
    "INSERT INTO trail(time_ms, request_id, principal_arn, key_id, source_ip, service, operation,"
    " action, resources, decision, policy, statement, sid, checks, error_code, http_status, duration_us)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

int lc_store_trail_append(struct lc_store *store, const struct lc_store_trail_event *events, size_t n,
                          struct lc_error *err)
{
    /* A deferred BEGIN: the first insert write-locks trail.db alone, where lc_store_tx_begin would
     * also take state.db's write lock and make DynamoDB's writers wait for the trail. */
    struct lc_store_tx tx = {.owned = sqlite3_get_autocommit(lc_store_db(store)) != 0};
    int rc = tx.owned ? lc_store_exec(store, "BEGIN", err) : 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct lc_store_trail_event *e = &events[i];
        sqlite3_stmt *st = lc_store_stmt(store, s_insert_sql, err);
        if (!st) {
            rc = LC_EINTERNAL;
            break;
        }
        sqlite3_bind_int64(st, 1, e->time_ms);
        const char *texts[] = {e->request_id, e->principal_arn, e->key_id, e->source_ip, e->service,
                               e->operation, e->action, e->resources ? e->resources : "[]",
                               e->decision, e->policy};
        for (int k = 0; k < 10; k++)
            sqlite3_bind_text(st, 2 + k, s_str(texts[k]), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 12, e->statement);
        sqlite3_bind_text(st, 13, s_str(e->sid), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, s_str(e->checks), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 15, s_str(e->error_code), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 16, e->http_status);
        sqlite3_bind_int64(st, 17, e->duration_us);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = lc_store_sql_error(store, "recording a trail event", err);
        lc_store_stmt_done(st);
    }
    return lc_store_tx_end(store, &tx, rc, err);
}

static const char *s_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int lc_store_trail_list(struct lc_store *store, const struct lc_store_trail_filter *f,
                        int (*fn)(const struct lc_store_trail_event *ev, void *ud), void *ud,
                        struct lc_error *err)
{
    static const char sql[] =
        "SELECT id, time_ms, request_id, principal_arn, key_id, source_ip, service, operation, action,"
        " resources, decision, policy, statement, sid, checks, error_code, http_status, duration_us"
        " FROM trail WHERE (?1 IS NULL OR principal_arn = ?1) AND time_ms >= ?2 AND id > ?3"
        " ORDER BY id LIMIT ?4";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (f && f->principal_arn)
        sqlite3_bind_text(st, 1, f->principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, f ? f->since_ms : 0);
    sqlite3_bind_int64(st, 3, f ? f->after_id : 0);
    sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct lc_store_trail_event e = {
            .id = sqlite3_column_int64(st, 0),
            .time_ms = sqlite3_column_int64(st, 1),
            .request_id = s_col(st, 2),
            .principal_arn = s_col(st, 3),
            .key_id = s_col(st, 4),
            .source_ip = s_col(st, 5),
            .service = s_col(st, 6),
            .operation = s_col(st, 7),
            .action = s_col(st, 8),
            .resources = s_col(st, 9),
            .decision = s_col(st, 10),
            .policy = s_col(st, 11),
            .statement = sqlite3_column_int(st, 12),
            .sid = s_col(st, 13),
            .checks = s_col(st, 14),
            .error_code = s_col(st, 15),
            .http_status = sqlite3_column_int(st, 16),
            .duration_us = sqlite3_column_int64(st, 17),
        };
        if (fn(&e, ud))
            break;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = lc_store_sql_error(store, "reading the trail", err);
    lc_store_stmt_done(st);
    return rc;
}

int64_t lc_store_trail_count(struct lc_store *store)
{
    static const char sql[] = "SELECT count(*) FROM trail";
    sqlite3_stmt *st = lc_store_stmt(store, sql, NULL);
    if (!st)
        return -1;
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    lc_store_stmt_done(st);
    return n;
}
