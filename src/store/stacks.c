/* stacks.c: CloudFormation stacks, their resources, events and exports in the state (domain "cfn"). */
#include "leastcloud/store_stacks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/str.h"

static const char *const s_steps[] = {
    "CREATE TABLE cfn_stacks("
    "  stack_id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT,"
    "  description TEXT, template TEXT, template_body TEXT, parameters TEXT, outputs TEXT,"
    "  prev_template TEXT, prev_parameters TEXT,"
    "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL DEFAULT 0, deleted_ms INTEGER NOT NULL DEFAULT 0,"
    "  owner_pid INTEGER NOT NULL DEFAULT 0, owner_start INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX cfn_stacks_live ON cfn_stacks(name) WHERE status <> 'DELETE_COMPLETE';"
    "CREATE TABLE cfn_resources("
    "  stack_id TEXT NOT NULL REFERENCES cfn_stacks(stack_id) ON DELETE CASCADE, logical_id TEXT NOT NULL,"
    "  type TEXT NOT NULL, physical_id TEXT, status TEXT NOT NULL, status_reason TEXT,"
    "  properties TEXT, attributes TEXT, deletion_policy TEXT, update_replace_policy TEXT,"
    "  prev_physical_id TEXT, prev_properties TEXT, prev_attributes TEXT, prev_type TEXT,"
    "  seq INTEGER NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY(stack_id, logical_id));"
    "CREATE INDEX cfn_resources_type ON cfn_resources(type);"
    "CREATE TABLE cfn_events("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, stack_id TEXT NOT NULL,"
    "  stack_name TEXT NOT NULL, logical_id TEXT, physical_id TEXT, resource_type TEXT, status TEXT,"
    "  reason TEXT, timestamp_ms INTEGER NOT NULL);"
    "CREATE INDEX cfn_events_stack ON cfn_events(stack_id, seq);"
    "CREATE TABLE cfn_exports(name TEXT PRIMARY KEY, stack_id TEXT NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE cfn_imports(stack_id TEXT NOT NULL, export_name TEXT NOT NULL,"
    "  PRIMARY KEY(stack_id, export_name));",
};

int lc_store_stacks_migrate(struct lc_store *store, struct lc_error *err)
{
    /* Readers call this on every use: look before taking the write lock, and never migrate from
     * inside a caller's transaction (BEGIN cannot nest; the caller migrated before opening it). */
    sqlite3 *db = lc_store_db(store);
    if (!sqlite3_get_autocommit(db))
        return 0;
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version WHERE domain='cfn'", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if ((size_t)version == sizeof s_steps / sizeof s_steps[0])
        return 0;
    return lc_store_migrate(store, "cfn", s_steps, sizeof s_steps / sizeof s_steps[0], err);
}

/* The start time of a process (field 22 of /proc/<pid>/stat), 0 when it does not exist. */
static int64_t s_proc_start(int pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count from the last ')'. */
    char *p = strrchr(text, ')');
    if (!p)
        return 0;
    int field = 2;
    for (; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (*p++ - '0');
    return v;
}

static bool s_owner_alive(int pid, int64_t start)
{
    if (pid <= 0)
        return false;
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return false;
    int64_t now_start = s_proc_start(pid);
    return now_start == 0 || now_start == start; /* no /proc: trust kill() */
}

static const char *s_col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

static char *s_col_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? lc_strdup(s) : NULL;
}

#define STACK_COLS                                                                                  \
    "stack_id, name, status, status_reason, description, created_ms, updated_ms, deleted_ms, "     \
    "owner_pid, owner_start"

static void s_read_stack(sqlite3_stmt *st, struct lc_stack *out)
{
    memset(out, 0, sizeof *out);
    lc_strlcpy(out->stack_id, s_col(st, 0), sizeof out->stack_id);
    lc_strlcpy(out->name, s_col(st, 1), sizeof out->name);
    lc_strlcpy(out->status, s_col(st, 2), sizeof out->status);
    lc_strlcpy(out->status_reason, s_col(st, 3), sizeof out->status_reason);
    lc_strlcpy(out->description, s_col(st, 4), sizeof out->description);
    out->created_ms = sqlite3_column_int64(st, 5);
    out->updated_ms = sqlite3_column_int64(st, 6);
    out->deleted_ms = sqlite3_column_int64(st, 7);
    out->owner_pid = sqlite3_column_int(st, 8);
    out->owner_start = sqlite3_column_int64(st, 9);
    out->stale = lc_str_ends_with(out->status, "_IN_PROGRESS") &&
                 !s_owner_alive(out->owner_pid, out->owner_start);
}

static void s_uuid(char out[37])
{
    uint8_t b[16];
    char hex[33];
    if (lc_random_bytes(b, sizeof b) != 0)
        memset(b, 0x5a, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    lc_hex_encode(b, sizeof b, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

int lc_store_stack_create(struct lc_store *store, const char *name, const char *status,
                          struct lc_stack *out, struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    struct lc_stack existing;
    if (lc_store_stack_get(store, name, &existing, NULL) == 0)
        return lc_error_set(err, LC_EEXISTS, 400, "AlreadyExistsException", "Stack [%s] already exists",
                            name);
    char uuid[37], id[LC_STACK_ID_MAX];
    s_uuid(uuid);
    snprintf(id, sizeof id, "arn:aws:cloudformation:%s:%s:stack/%s/%s", lc_store_region(store),
             lc_store_account(store), name, uuid);
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO cfn_stacks(stack_id, name, status, created_ms, owner_pid, owner_start, seq)"
        " VALUES(?,?,?,?,?,?, (SELECT COALESCE(MAX(seq),0)+1 FROM cfn_stacks))", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    int pid = (int)getpid();
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, lc_clock_now_ms());
    sqlite3_bind_int(st, 5, pid);
    sqlite3_bind_int64(st, 6, s_proc_start(pid));
    int step = sqlite3_step(st);
    /* A concurrent create of the same name hits the unique index (maybe as an extended code). */
    rc = step == SQLITE_DONE ? 0 : (step & 0xff) == SQLITE_CONSTRAINT ? LC_EEXISTS
                                                                       : lc_store_sql_error(store, "creating stack", err);
    lc_store_stmt_done(st);
    if (rc == LC_EEXISTS)
        return lc_error_set(err, LC_EEXISTS, 400, "AlreadyExistsException", "Stack [%s] already exists",
                            name);
    if (rc)
        return rc;
    return out ? lc_store_stack_get(store, id, out, err) : 0;
}

int lc_store_stack_get(struct lc_store *store, const char *name_or_id, struct lc_stack *out,
                       struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    bool by_id = lc_str_starts_with(name_or_id, "arn:");
    sqlite3_stmt *st = lc_store_stmt(
        store,
        by_id ? "SELECT " STACK_COLS " FROM cfn_stacks WHERE stack_id=?"
              : "SELECT " STACK_COLS " FROM cfn_stacks WHERE name=? AND status <> 'DELETE_COMPLETE'",
        err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name_or_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_stack(st, out);
    lc_store_stmt_done(st);
    if (rc != SQLITE_ROW)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack with id %s does not exist",
                            name_or_id);
    return 0;
}

int lc_store_stack_set_status(struct lc_store *store, const char *stack_id, const char *status,
                              const char *reason, bool owned, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "UPDATE cfn_stacks SET status=?, status_reason=?, owner_pid=?, owner_start=?,"
        " updated_ms=CASE WHEN ? LIKE 'UPDATE%' THEN ? ELSE updated_ms END,"
        " deleted_ms=CASE WHEN ?='DELETE_COMPLETE' THEN ? ELSE deleted_ms END WHERE stack_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    int pid = owned ? (int)getpid() : 0;
    int64_t now = lc_clock_now_ms();
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, pid);
    sqlite3_bind_int64(st, 4, owned ? s_proc_start(pid) : 0);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_text(st, 9, stack_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "setting stack status", err);
    lc_store_stmt_done(st);
    return rc;
}

int lc_store_stack_list(struct lc_store *store, bool include_deleted,
                        int (*fn)(const struct lc_stack *s, void *ud), void *ud, struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    /* Rows are copied out first so that fn may use the store (statements are cached per SQL). */
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT " STACK_COLS " FROM cfn_stacks ORDER BY seq DESC", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    struct lc_stack *rows = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!include_deleted && !strcmp(s_col(st, 2), "DELETE_COMPLETE"))
            continue;
        rows = lc_realloc(rows, (n + 1) * sizeof *rows);
        s_read_stack(st, &rows[n++]);
    }
    lc_store_stmt_done(st);
    for (size_t i = 0; i < n; i++)
        if (fn(&rows[i], ud))
            break;
    lc_free(rows);
    return 0;
}

static const char *s_doc_column(const char *which)
{
    static const char *const cols[] = {"template", "template_body", "parameters", "outputs",
                                       "prev_template", "prev_parameters", "description"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (!strcmp(which, cols[i]))
            return cols[i];
    return NULL;
}

char *lc_store_stack_doc(struct lc_store *store, const char *stack_id, const char *which)
{
    const char *col = s_doc_column(which);
    if (!col)
        return NULL;
    /* The column name comes from the fixed list above, never from the caller's text. */
    char *sql = lc_asprintf("SELECT %s FROM cfn_stacks WHERE stack_id=?", col);
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(lc_store_db(store), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            out = s_col_dup(st, 0);
        sqlite3_finalize(st);
    }
    lc_free(sql);
    return out;
}

int lc_store_stack_set_doc(struct lc_store *store, const char *stack_id, const char *which,
                           const char *json_text, struct lc_error *err)
{
    const char *col = s_doc_column(which);
    if (!col)
        return lc_error_set(err, LC_EINVAL, 0, NULL, "unknown stack document '%s'", which);
    char *sql = lc_asprintf("UPDATE cfn_stacks SET %s=? WHERE stack_id=?", col);
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(lc_store_db(store), sql, -1, &st, NULL) != SQLITE_OK) {
        rc = lc_store_sql_error(store, "preparing stack document update", err);
    } else {
        if (json_text)
            sqlite3_bind_text(st, 1, json_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, stack_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving stack document", err);
        sqlite3_finalize(st);
    }
    lc_free(sql);
    return rc;
}

/* ---- resources ---- */

void lc_stack_resource_clear(struct lc_stack_resource *r)
{
    if (!r)
        return;
    char **fields[] = {&r->logical_id, &r->type, &r->physical_id, &r->status, &r->status_reason,
                       &r->properties, &r->attributes, &r->deletion_policy, &r->update_replace_policy,
                       &r->prev_physical_id, &r->prev_properties, &r->prev_attributes, &r->prev_type};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        lc_free(*fields[i]);
        *fields[i] = NULL;
    }
    r->updated_ms = 0;
}

static void s_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int lc_store_stack_resource_put(struct lc_store *store, const char *stack_id,
                                const struct lc_stack_resource *r, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO cfn_resources(stack_id, logical_id, type, physical_id, status, status_reason,"
        " properties, attributes, deletion_policy, update_replace_policy, prev_physical_id,"
        " prev_properties, prev_attributes, prev_type, seq, updated_ms)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?, (SELECT COALESCE(MAX(seq),0)+1 FROM cfn_resources), ?)"
        " ON CONFLICT(stack_id, logical_id) DO UPDATE SET type=excluded.type,"
        " physical_id=excluded.physical_id, status=excluded.status, status_reason=excluded.status_reason,"
        " properties=excluded.properties, attributes=excluded.attributes,"
        " deletion_policy=excluded.deletion_policy, update_replace_policy=excluded.update_replace_policy,"
        " prev_physical_id=excluded.prev_physical_id, prev_properties=excluded.prev_properties,"
        " prev_attributes=excluded.prev_attributes, prev_type=excluded.prev_type,"
        " updated_ms=excluded.updated_ms", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->logical_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->type, -1, SQLITE_STATIC);
    s_bind_opt(st, 4, r->physical_id);
    sqlite3_bind_text(st, 5, r->status ? r->status : "CREATE_IN_PROGRESS", -1, SQLITE_STATIC);
    s_bind_opt(st, 6, r->status_reason);
    s_bind_opt(st, 7, r->properties);
    s_bind_opt(st, 8, r->attributes);
    s_bind_opt(st, 9, r->deletion_policy);
    s_bind_opt(st, 10, r->update_replace_policy);
    s_bind_opt(st, 11, r->prev_physical_id);
    s_bind_opt(st, 12, r->prev_properties);
    s_bind_opt(st, 13, r->prev_attributes);
    s_bind_opt(st, 14, r->prev_type);
    sqlite3_bind_int64(st, 15, lc_clock_now_ms());
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving stack resource", err);
    lc_store_stmt_done(st);
    return rc;
}

#define RES_COLS                                                                                    \
    "logical_id, type, physical_id, status, status_reason, properties, attributes, deletion_policy," \
    " update_replace_policy, prev_physical_id, prev_properties, prev_attributes, prev_type, updated_ms"

static void s_read_resource(sqlite3_stmt *st, int base, struct lc_stack_resource *out)
{
    out->logical_id = s_col_dup(st, base + 0);
    out->type = s_col_dup(st, base + 1);
    out->physical_id = s_col_dup(st, base + 2);
    out->status = s_col_dup(st, base + 3);
    out->status_reason = s_col_dup(st, base + 4);
    out->properties = s_col_dup(st, base + 5);
    out->attributes = s_col_dup(st, base + 6);
    out->deletion_policy = s_col_dup(st, base + 7);
    out->update_replace_policy = s_col_dup(st, base + 8);
    out->prev_physical_id = s_col_dup(st, base + 9);
    out->prev_properties = s_col_dup(st, base + 10);
    out->prev_attributes = s_col_dup(st, base + 11);
    out->prev_type = s_col_dup(st, base + 12);
    out->updated_ms = sqlite3_column_int64(st, base + 13);
}

int lc_store_stack_resource_get(struct lc_store *store, const char *stack_id, const char *logical_id,
                                struct lc_stack_resource *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT " RES_COLS " FROM cfn_resources WHERE stack_id=? AND logical_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, logical_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_resource(st, 0, out);
    lc_store_stmt_done(st);
    if (rc != SQLITE_ROW)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError",
                            "Resource %s does not exist for stack %s", logical_id, stack_id);
    return 0;
}

int lc_store_stack_resource_delete(struct lc_store *store, const char *stack_id,
                                   const char *logical_id, struct lc_error *err)
{
    sqlite3_stmt *st =
        lc_store_stmt(store, "DELETE FROM cfn_resources WHERE stack_id=? AND logical_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, logical_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "deleting stack resource", err);
    lc_store_stmt_done(st);
    return rc;
}

struct s_res_rows {
    char **stack_ids;
    struct lc_stack_resource *rows;
    size_t n;
};

static void s_res_rows_free(struct s_res_rows *rr)
{
    for (size_t i = 0; i < rr->n; i++) {
        lc_stack_resource_clear(&rr->rows[i]);
        if (rr->stack_ids)
            lc_free(rr->stack_ids[i]);
    }
    lc_free(rr->rows);
    lc_free(rr->stack_ids);
}

int lc_store_stack_resource_list(struct lc_store *store, const char *stack_id,
                                 int (*fn)(const struct lc_stack_resource *r, void *ud), void *ud,
                                 struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT " RES_COLS " FROM cfn_resources WHERE stack_id=? ORDER BY seq", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    struct s_res_rows rr = {0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        rr.rows = lc_realloc(rr.rows, (rr.n + 1) * sizeof *rr.rows);
        s_read_resource(st, 0, &rr.rows[rr.n++]);
    }
    lc_store_stmt_done(st);
    for (size_t i = 0; i < rr.n; i++)
        if (fn(&rr.rows[i], ud))
            break;
    s_res_rows_free(&rr);
    return 0;
}

int lc_store_stack_resources_of_type(struct lc_store *store, const char *type,
                                     int (*fn)(const char *stack_id, const struct lc_stack_resource *r,
                                               void *ud),
                                     void *ud, struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "SELECT stack_id, " RES_COLS " FROM cfn_resources WHERE type=? AND physical_id IS NOT NULL AND stack_id IN"
        " (SELECT stack_id FROM cfn_stacks WHERE status <> 'DELETE_COMPLETE') ORDER BY seq",
        err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    struct s_res_rows rr = {0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        rr.rows = lc_realloc(rr.rows, (rr.n + 1) * sizeof *rr.rows);
        rr.stack_ids = lc_realloc(rr.stack_ids, (rr.n + 1) * sizeof *rr.stack_ids);
        rr.stack_ids[rr.n] = s_col_dup(st, 0);
        s_read_resource(st, 1, &rr.rows[rr.n++]);
    }
    lc_store_stmt_done(st);
    for (size_t i = 0; i < rr.n; i++)
        if (fn(rr.stack_ids[i], &rr.rows[i], ud))
            break;
    s_res_rows_free(&rr);
    return 0;
}

/* ---- events ---- */

int lc_store_stack_event_add(struct lc_store *store, const struct lc_stack_event *ev,
                             struct lc_stack_event *out, struct lc_error *err)
{
    char uuid[37];
    s_uuid(uuid);
    int64_t now = lc_clock_now_ms();
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO cfn_events(event_id, stack_id, stack_name, logical_id, physical_id, resource_type,"
        " status, reason, timestamp_ms) VALUES(?,?,?,?,?,?,?,?,?)", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ev->stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ev->stack_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->logical_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ev->physical_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ev->resource_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, ev->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, ev->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "recording stack event", err);
    lc_store_stmt_done(st);
    if (!rc && out) {
        if (out != ev)
            *out = *ev;
        lc_strlcpy(out->event_id, uuid, sizeof out->event_id);
        out->timestamp_ms = now;
    }
    return rc;
}

int lc_store_stack_event_list(struct lc_store *store, const char *stack_id,
                              int (*fn)(const struct lc_stack_event *ev, void *ud), void *ud,
                              struct lc_error *err)
{
    int rc = lc_store_stacks_migrate(store, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "SELECT event_id, stack_id, stack_name, logical_id, physical_id, resource_type, status, reason,"
        " timestamp_ms FROM cfn_events WHERE stack_id=? ORDER BY seq DESC", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    struct lc_stack_event *rows = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows = lc_realloc(rows, (n + 1) * sizeof *rows);
        struct lc_stack_event *e = &rows[n++];
        memset(e, 0, sizeof *e);
        lc_strlcpy(e->event_id, s_col(st, 0), sizeof e->event_id);
        lc_strlcpy(e->stack_id, s_col(st, 1), sizeof e->stack_id);
        lc_strlcpy(e->stack_name, s_col(st, 2), sizeof e->stack_name);
        lc_strlcpy(e->logical_id, s_col(st, 3), sizeof e->logical_id);
        lc_strlcpy(e->physical_id, s_col(st, 4), sizeof e->physical_id);
        lc_strlcpy(e->resource_type, s_col(st, 5), sizeof e->resource_type);
        lc_strlcpy(e->status, s_col(st, 6), sizeof e->status);
        lc_strlcpy(e->reason, s_col(st, 7), sizeof e->reason);
        e->timestamp_ms = sqlite3_column_int64(st, 8);
    }
    lc_store_stmt_done(st);
    for (size_t i = 0; i < n; i++)
        if (fn(&rows[i], ud))
            break;
    lc_free(rows);
    return 0;
}

/* ---- exports ---- */

int lc_store_export_put(struct lc_store *store, const char *stack_id, const char *name,
                        const char *value, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT stack_id FROM cfn_exports WHERE name=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char other[LC_STACK_ID_MAX] = "";
    if (sqlite3_step(st) == SQLITE_ROW)
        lc_strlcpy(other, s_col(st, 0), sizeof other);
    lc_store_stmt_done(st);
    if (*other && strcmp(other, stack_id) != 0)
        return lc_error_set(err, LC_EEXISTS, 400, "ValidationError",
                            "Export with name %s is already exported by stack %s", name, other);
    st = lc_store_stmt(store,
                       "INSERT INTO cfn_exports(name, stack_id, value) VALUES(?,?,?)"
                       " ON CONFLICT(name) DO UPDATE SET value=excluded.value", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "saving export", err);
    lc_store_stmt_done(st);
    return rc;
}

char *lc_store_export_get(struct lc_store *store, const char *name)
{
    if (lc_store_stacks_migrate(store, NULL))
        return NULL;
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT value FROM cfn_exports WHERE name=?", NULL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char *out = sqlite3_step(st) == SQLITE_ROW ? s_col_dup(st, 0) : NULL;
    lc_store_stmt_done(st);
    return out;
}

int lc_store_export_clear(struct lc_store *store, const char *stack_id, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, "DELETE FROM cfn_exports WHERE stack_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "clearing exports", err);
    lc_store_stmt_done(st);
    return rc;
}

int lc_store_import_clear(struct lc_store *store, const char *stack_id, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, "DELETE FROM cfn_imports WHERE stack_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "clearing imports", err);
    lc_store_stmt_done(st);
    return rc;
}

char *lc_store_export_importers(struct lc_store *store, const char *stack_id)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "SELECT DISTINCT s.name FROM cfn_imports i JOIN cfn_exports e ON e.name=i.export_name"
        " JOIN cfn_stacks s ON s.stack_id=i.stack_id"
        " WHERE e.stack_id=?1 AND i.stack_id<>?1 AND s.status<>'DELETE_COMPLETE'", NULL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (b.len)
            lc_buf_append_str(&b, ", ");
        lc_buf_append_str(&b, s_col(st, 0));
    }
    lc_store_stmt_done(st);
    if (!b.len) {
        lc_buf_free(&b);
        return NULL;
    }
    return lc_buf_detach(&b, NULL);
}

int lc_store_import_put(struct lc_store *store, const char *stack_id, const char *export_name,
                        struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store, "INSERT OR IGNORE INTO cfn_imports(stack_id, export_name) VALUES(?,?)", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, stack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, export_name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "recording import", err);
    lc_store_stmt_done(st);
    return rc;
}
