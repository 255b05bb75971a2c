/* lambda_functions.c: Lambda functions and their permission statements in the state. */
#include "leastcloud/store_lambda.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

static const char *const s_steps[] = {
    "CREATE TABLE lambda_functions("
    "  name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, runtime TEXT, handler TEXT, role TEXT NOT NULL,"
    "  description TEXT, environment TEXT, code_dir TEXT, code_sha256 TEXT, architecture TEXT,"
    "  config TEXT, timeout_s INTEGER NOT NULL DEFAULT 3, memory_mb INTEGER NOT NULL DEFAULT 128,"
    "  code_size INTEGER NOT NULL DEFAULT 0, last_modified_ms INTEGER NOT NULL);"
    "CREATE TABLE lambda_permissions("
    "  function_name TEXT NOT NULL REFERENCES lambda_functions(name) ON DELETE CASCADE,"
    "  sid TEXT NOT NULL, statement TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(function_name, sid));",
};

int lc_store_lambda_migrate(struct lc_store *store, struct lc_error *err)
{
    sqlite3 *db = lc_store_db(store);
    if (!sqlite3_get_autocommit(db))
        return 0;
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version WHERE domain='lambda_fn'", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if ((size_t)version == sizeof s_steps / sizeof s_steps[0])
        return 0;
    return lc_store_migrate(store, "lambda_fn", s_steps, sizeof s_steps / sizeof s_steps[0], err);
}

void lc_lambda_function_clear(struct lc_lambda_function *f)
{
    if (!f)
        return;
    char **fields[] = {&f->name, &f->arn, &f->runtime, &f->handler, &f->role, &f->description,
                       &f->environment, &f->code_dir, &f->code_sha256, &f->architecture, &f->config};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        lc_free(*fields[i]);
        *fields[i] = NULL;
    }
}

static void s_bind(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static char *s_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? lc_strdup(s) : NULL;
}

int lc_store_lambda_put(struct lc_store *store, const struct lc_lambda_function *f,
                        struct lc_error *err)
{
    int rc = lc_store_lambda_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO lambda_functions(name, arn, runtime, handler, role, description, environment,"
        " code_dir, code_sha256, architecture, config, timeout_s, memory_mb, code_size, last_modified_ms)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET arn=excluded.arn,"
        " runtime=excluded.runtime, handler=excluded.handler, role=excluded.role,"
        " description=excluded.description, environment=excluded.environment, code_dir=excluded.code_dir,"
        " code_sha256=excluded.code_sha256, architecture=excluded.architecture, config=excluded.config,"
        " timeout_s=excluded.timeout_s, memory_mb=excluded.memory_mb, code_size=excluded.code_size,"
        " last_modified_ms=excluded.last_modified_ms", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    s_bind(st, 1, f->name);
    s_bind(st, 2, f->arn);
    s_bind(st, 3, f->runtime);
    s_bind(st, 4, f->handler);
    s_bind(st, 5, f->role);
    s_bind(st, 6, f->description);
    s_bind(st, 7, f->environment ? f->environment : "{}");
    s_bind(st, 8, f->code_dir);
    s_bind(st, 9, f->code_sha256);
    s_bind(st, 10, f->architecture ? f->architecture : "x86_64");
    s_bind(st, 11, f->config);
    sqlite3_bind_int(st, 12, f->timeout_s > 0 ? f->timeout_s : 3);
    sqlite3_bind_int(st, 13, f->memory_mb > 0 ? f->memory_mb : 128);
    sqlite3_bind_int64(st, 14, f->code_size);
    sqlite3_bind_int64(st, 15, f->last_modified_ms ? f->last_modified_ms : lc_clock_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving function", err);
    lc_store_stmt_done(st);
    return rc;
}

#define FN_COLS                                                                                     \
    "name, arn, runtime, handler, role, description, environment, code_dir, code_sha256,"           \
    " architecture, config, timeout_s, memory_mb, code_size, last_modified_ms"

static void s_read(sqlite3_stmt *st, struct lc_lambda_function *out)
{
    out->name = s_dup(st, 0);
    out->arn = s_dup(st, 1);
    out->runtime = s_dup(st, 2);
    out->handler = s_dup(st, 3);
    out->role = s_dup(st, 4);
    out->description = s_dup(st, 5);
    out->environment = s_dup(st, 6);
    out->code_dir = s_dup(st, 7);
    out->code_sha256 = s_dup(st, 8);
    out->architecture = s_dup(st, 9);
    out->config = s_dup(st, 10);
    out->timeout_s = sqlite3_column_int(st, 11);
    out->memory_mb = sqlite3_column_int(st, 12);
    out->code_size = sqlite3_column_int64(st, 13);
    out->last_modified_ms = sqlite3_column_int64(st, 14);
}

int lc_store_lambda_get(struct lc_store *store, const char *name_or_arn, struct lc_lambda_function *out,
                        struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = lc_store_lambda_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st =
        lc_store_stmt(store, "SELECT " FN_COLS " FROM lambda_functions WHERE name=?1 OR arn=?1", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name_or_arn, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read(st, out);
    lc_store_stmt_done(st);
    if (rc != SQLITE_ROW) {
        if (lc_str_starts_with(name_or_arn, "arn:"))
            return lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFoundException",
                                "Function not found: %s", name_or_arn);
        return lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFoundException",
                            "Function not found: arn:aws:lambda:%s:%s:function:%s", lc_store_region(store),
                            lc_store_account(store), name_or_arn);
    }
    return 0;
}

int lc_store_lambda_delete(struct lc_store *store, const char *name, struct lc_error *err)
{
    int rc = lc_store_lambda_migrate(store, err);
    if (rc)
        return rc;
    const char *sqls[] = {"DELETE FROM lambda_permissions WHERE function_name=?",
                          "DELETE FROM lambda_functions WHERE name=?"};
    for (size_t i = 0; i < 2 && !rc; i++) {
        sqlite3_stmt *st = lc_store_stmt(store, sqls[i], err);
        if (!st)
            return err ? err->code : LC_EINTERNAL;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "deleting function", err);
        lc_store_stmt_done(st);
    }
    return rc;
}

int lc_store_lambda_list(struct lc_store *store,
                         int (*fn)(const struct lc_lambda_function *f, void *ud), void *ud,
                         struct lc_error *err)
{
    int rc = lc_store_lambda_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT " FN_COLS " FROM lambda_functions ORDER BY name", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    struct lc_lambda_function *rows = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows = lc_realloc(rows, (n + 1) * sizeof *rows);
        memset(&rows[n], 0, sizeof rows[n]);
        s_read(st, &rows[n++]);
    }
    lc_store_stmt_done(st);
    size_t i = 0;
    for (; i < n; i++)
        if (fn(&rows[i], ud))
            break;
    for (i = 0; i < n; i++)
        lc_lambda_function_clear(&rows[i]);
    lc_free(rows);
    return 0;
}

int lc_store_lambda_permission_add(struct lc_store *store, const char *function_name, const char *sid,
                                   const char *statement_json, struct lc_error *err)
{
    int rc = lc_store_lambda_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO lambda_permissions(function_name, sid, statement, seq)"
        " VALUES(?,?,?, (SELECT COALESCE(MAX(seq),0)+1 FROM lambda_permissions))", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, function_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, statement_json, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    /* The connection may report extended codes (SQLITE_CONSTRAINT_PRIMARYKEY): compare the primary. */
    rc = step == SQLITE_DONE ? 0 : (step & 0xff) == SQLITE_CONSTRAINT ? LC_EEXISTS
                                                                       : lc_store_sql_error(store, "adding permission", err);
    lc_store_stmt_done(st);
    if (rc == LC_EEXISTS)
        return lc_error_set(err, LC_EEXISTS, 409, "ResourceConflictException",
                            "The statement id (%s) provided already exists. Please provide a new "
                            "statement id, or remove the existing statement.", sid);
    return rc;
}

int lc_store_lambda_permission_remove(struct lc_store *store, const char *function_name,
                                      const char *sid, struct lc_error *err)
{
    sqlite3_stmt *st =
        lc_store_stmt(store, "DELETE FROM lambda_permissions WHERE function_name=? AND sid=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, function_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "removing permission", err);
    lc_store_stmt_done(st);
    return rc;
}

char *lc_store_lambda_policy(struct lc_store *store, const char *function_name)
{
    if (lc_store_lambda_migrate(store, NULL))
        return NULL;
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT statement FROM lambda_permissions WHERE function_name=? ORDER BY seq", NULL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, function_name, -1, SQLITE_STATIC);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    size_t n = 0;
    lc_buf_append_str(&b, "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[");
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++)
            lc_buf_append_byte(&b, ',');
        lc_buf_append_str(&b, (const char *)sqlite3_column_text(st, 0));
    }
    lc_store_stmt_done(st);
    if (!n) {
        lc_buf_free(&b);
        return NULL;
    }
    lc_buf_append_str(&b, "]}");
    return lc_buf_detach(&b, NULL);
}
