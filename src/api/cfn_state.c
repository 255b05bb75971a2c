/* cfn_state.c: change sets and stack settings of the CloudFormation API (store domain "cfn_api"). */
#include "api/cfn_api.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

static const char *const s_steps[] = {
    "CREATE TABLE cfn_api_changesets(id TEXT PRIMARY KEY, name TEXT NOT NULL, stack_name TEXT NOT NULL,"
    "  stack_id TEXT, type TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, execution_status TEXT NOT NULL,"
    "  description TEXT, template_body TEXT, parameters TEXT, capabilities TEXT, tags TEXT, changes TEXT,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE INDEX cfn_api_changesets_stack ON cfn_api_changesets(stack_name, name);"
    "CREATE TABLE cfn_api_stack_meta(stack_id TEXT PRIMARY KEY, capabilities TEXT, tags TEXT);",
};

int lc__cfn_state_migrate(struct lc_store *store, struct lc_error *err)
{
    return lc_store_migrate(store, "cfn_api", s_steps, sizeof s_steps / sizeof s_steps[0], err);
}

void lc__cfn_changeset_clear(struct lc__cfn_changeset *c)
{
    char **strs[] = {&c->id, &c->name, &c->stack_name, &c->stack_id, &c->type, &c->status, &c->status_reason,
                     &c->execution_status, &c->description, &c->template_body};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        lc_free(*strs[i]);
    json_decref(c->parameters);
    json_decref(c->capabilities);
    json_decref(c->tags);
    json_decref(c->changes);
    memset(c, 0, sizeof *c);
}

static void s_bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
    char *t = v ? lc_json_stringify(v, 0) : NULL;
    if (t)
        sqlite3_bind_text(st, i, t, -1, lc_free);
    else
        sqlite3_bind_null(st, i);
}

static void s_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int lc__cfn_changeset_put(struct lc_store *store, const struct lc__cfn_changeset *c, struct lc_error *err)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO cfn_api_changesets(id, name, stack_name, stack_id, type, status, status_reason,"
        " execution_status, description, template_body, parameters, capabilities, tags, changes, created_ms)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    s_bind_opt(st, 1, c->id);
    s_bind_opt(st, 2, c->name);
    s_bind_opt(st, 3, c->stack_name);
    s_bind_opt(st, 4, c->stack_id);
    s_bind_opt(st, 5, c->type);
    s_bind_opt(st, 6, c->status);
    s_bind_opt(st, 7, c->status_reason);
    s_bind_opt(st, 8, c->execution_status);
    s_bind_opt(st, 9, c->description);
    s_bind_opt(st, 10, c->template_body);
    s_bind_json(st, 11, c->parameters);
    s_bind_json(st, 12, c->capabilities);
    s_bind_json(st, 13, c->tags);
    s_bind_json(st, 14, c->changes);
    sqlite3_bind_int64(st, 15, c->created_ms);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    return rc == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving a change set", err);
}

static char *s_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? lc_strdup(s) : NULL;
}

static json_t *s_json(sqlite3_stmt *st, int i, bool object)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    json_t *v = s ? json_loads(s, 0, NULL) : NULL;
    return v ? v : object ? json_object() : json_array();
}

#define CS_COLUMNS                                                                                   \
    "SELECT id, name, stack_name, stack_id, type, status, status_reason, execution_status, description," \
    " template_body, parameters, capabilities, tags, changes, created_ms FROM cfn_api_changesets"

static void s_row(sqlite3_stmt *st, struct lc__cfn_changeset *c)
{
    c->id = s_dup(st, 0);
    c->name = s_dup(st, 1);
    c->stack_name = s_dup(st, 2);
    c->stack_id = s_dup(st, 3);
    c->type = s_dup(st, 4);
    c->status = s_dup(st, 5);
    c->status_reason = s_dup(st, 6);
    c->execution_status = s_dup(st, 7);
    c->description = s_dup(st, 8);
    c->template_body = s_dup(st, 9);
    c->parameters = s_json(st, 10, true);
    c->capabilities = s_json(st, 11, false);
    c->tags = s_json(st, 12, false);
    c->changes = s_json(st, 13, false);
    c->created_ms = sqlite3_column_int64(st, 14);
}

int lc__cfn_changeset_get(struct lc_store *store, const char *name_or_id, const char *stack_name,
                          struct lc__cfn_changeset *out, struct lc_error *err)
{
    static const char by_id[] = CS_COLUMNS " WHERE id=?";
    static const char by_name[] = CS_COLUMNS " WHERE name=? AND stack_name=? ORDER BY created_ms DESC LIMIT 1";
    bool arn = strncmp(name_or_id, "arn:", 4) == 0;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = lc_store_stmt(store, arn ? by_id : by_name, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name_or_id, -1, SQLITE_STATIC);
    if (!arn)
        sqlite3_bind_text(st, 2, stack_name ? stack_name : "", -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        s_row(st, out);
    lc_store_stmt_done(st);
    if (!found)
        return lc_error_set(err, LC_ENOTFOUND, 404, "ChangeSetNotFound", "ChangeSet [%s] does not exist", name_or_id);
    return 0;
}

int lc__cfn_changeset_delete(struct lc_store *store, const char *id, struct lc_error *err)
{
    static const char sql[] = "DELETE FROM cfn_api_changesets WHERE id=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    return rc == SQLITE_DONE ? 0 : lc_store_sql_error(store, "deleting a change set", err);
}

int lc__cfn_changeset_list(struct lc_store *store, const char *stack_name,
                           int (*fn)(const struct lc__cfn_changeset *c, void *ud), void *ud, struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store), CS_COLUMNS " WHERE stack_name=? ORDER BY created_ms DESC", -1, &st,
                           NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing change sets", err);
    sqlite3_bind_text(st, 1, stack_name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct lc__cfn_changeset c = {0};
        s_row(st, &c);
        int stop = fn(&c, ud);
        lc__cfn_changeset_clear(&c);
        if (stop)
            break;
    }
    sqlite3_finalize(st);
    return 0;
}

int lc__cfn_stack_meta_put(struct lc_store *store, const char *stack_id, const json_t *capabilities,
                           const json_t *tags, struct lc_error *err)
{
    static const char sql[] = "INSERT OR REPLACE INTO cfn_api_stack_meta(stack_id, capabilities, tags) VALUES(?,?,?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    s_bind_json(st, 2, capabilities);
    s_bind_json(st, 3, tags);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    return rc == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving stack settings", err);
}

void lc__cfn_stack_meta_get(struct lc_store *store, const char *stack_id, json_t **capabilities, json_t **tags)
{
    static const char sql[] = "SELECT capabilities, tags FROM cfn_api_stack_meta WHERE stack_id=?";
    *capabilities = NULL;
    *tags = NULL;
    sqlite3_stmt *st = lc_store_stmt(store, sql, NULL);
    if (st) {
        sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *capabilities = s_json(st, 0, false);
            *tags = s_json(st, 1, false);
        }
        lc_store_stmt_done(st);
    }
    if (!*capabilities)
        *capabilities = json_array();
    if (!*tags)
        *tags = json_array();
}
