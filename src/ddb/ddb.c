/* ddb.c: the module handle, its schema, the operation table and the capacity counters. */
#include "ddb/ddb_internal.h"

#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/store.h"

/* Released steps never change; add a new step for any schema change. */
static const char *const s_migrations[] = {
    /* 1: tables, items and index entries. Keys are BLOBs compared with memcmp (key.c). */
    "CREATE TABLE ddb_table(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, meta TEXT NOT NULL);"
    "CREATE TABLE ddb_item(tid INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, size INTEGER NOT NULL,"
    " item TEXT NOT NULL, PRIMARY KEY(tid, pk, sk)) WITHOUT ROWID;"
    "CREATE TABLE ddb_index_item(tid INTEGER NOT NULL, ix INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,"
    " tpk BLOB NOT NULL, tsk BLOB NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL,"
    " PRIMARY KEY(tid, ix, pk, sk, tpk, tsk)) WITHOUT ROWID;",
};

int lc_ddb_open(struct lc_store *store, struct lc_ddb **out, struct lc_error *err)
{
    *out = NULL;
    int rc = lc_store_migrate(store, "ddb", s_migrations, sizeof s_migrations / sizeof *s_migrations, err);
    if (rc)
        return rc;
    struct lc_ddb *ddb = lc_calloc(1, sizeof *ddb);
    ddb->store = store;
    ddb->generation = -1;
    pthread_mutex_init(&ddb->lock, NULL);
    *out = ddb;
    return 0;
}

void lc_ddb_free(struct lc_ddb *ddb)
{
    if (!ddb)
        return;
    for (size_t i = 0; i < ddb->n_tables; i++)
        ddb_table_free(ddb->tables[i]);
    lc_free(ddb->tables);
    while (ddb->retired) {
        struct ddb_table *next = ddb->retired->next_retired;
        ddb_table_free(ddb->retired);
        ddb->retired = next;
    }
    for (size_t i = 0; i < ddb->n_counters; i++)
        lc_free(ddb->counters[i].table);
    lc_free(ddb->counters);
    pthread_mutex_destroy(&ddb->lock);
    lc_free(ddb);
}

typedef int (*s_op_fn)(struct lc_ddb *, const json_t *, json_t **, struct lc_error *);

static const struct {
    const char *name;
    s_op_fn fn;
} s_ops[] = {
    {"GetItem", lc_ddb_get_item},         {"PutItem", lc_ddb_put_item},
    {"Query", lc_ddb_query},              {"Scan", lc_ddb_scan},
    {"DeleteItem", lc_ddb_delete_item},   {"BatchGetItem", lc_ddb_batch_get_item},
    {"BatchWriteItem", lc_ddb_batch_write_item}, {"DescribeTable", lc_ddb_describe_table},
    {"CreateTable", lc_ddb_create_table}, {"DeleteTable", lc_ddb_delete_table},
    {"ListTables", lc_ddb_list_tables},
};

static s_op_fn s_find(const char *operation)
{
    for (size_t i = 0; operation && i < sizeof s_ops / sizeof *s_ops; i++) {
        if (strcmp(s_ops[i].name, operation) == 0)
            return s_ops[i].fn;
    }
    return NULL;
}

bool lc_ddb_operation_known(const char *operation)
{
    return s_find(operation) != NULL;
}

int lc_ddb_call(struct lc_ddb *ddb, const char *operation, const json_t *request, json_t **response,
                struct lc_error *err)
{
    *response = NULL;
    s_op_fn fn = s_find(operation);
    if (!fn)
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "UnknownOperationException", "%s", "");
    if (!json_is_object(request))
        return ddb_serialization(err, "Start of structure or map found where not expected");
    return fn(ddb, request, response, err);
}

/* The body: "{" + the spliced member + the other members of `rest` (compact) + "}". */
static char *s_splice(const json_t *rest, const struct ddb_sink *sink, size_t *len)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_byte(&b, '{');
    bool array = sink->member && strcmp(sink->member, "Items") == 0;
    bool member = array || (sink->member && sink->n_items > 0);
    if (member) {
        lc_buf_append_byte(&b, '"');
        lc_buf_append_str(&b, sink->member);
        lc_buf_append_str(&b, array ? "\":[" : "\":");
        lc_buf_append(&b, sink->items.data ? sink->items.data : "", sink->items.len);
        if (array)
            lc_buf_append_byte(&b, ']');
    }
    /* The other members: "{...}" minus its braces, after a comma. */
    if (json_object_size(rest) > 0) {
        char *other = json_dumps(rest, JSON_COMPACT);
        size_t olen = other ? strlen(other) : 0;
        if (olen > 2) {
            if (member)
                lc_buf_append_byte(&b, ',');
            lc_buf_append(&b, other + 1, olen - 2);
        }
        free(other);
    }
    lc_buf_append_byte(&b, '}');
    return lc_buf_detach(&b, len);
}

int lc_ddb_call_text(struct lc_ddb *ddb, const char *operation, const json_t *request, char **body, size_t *len,
                     struct lc_error *err)
{
    *body = NULL;
    if (len)
        *len = 0;
    bool get = operation && strcmp(operation, "GetItem") == 0;
    bool query = operation && strcmp(operation, "Query") == 0;
    bool scan = operation && strcmp(operation, "Scan") == 0;
    json_t *resp = NULL;
    if (!(get || query || scan) || !json_is_object(request)) {
        int rc = lc_ddb_call(ddb, operation, request, &resp, err);
        if (rc)
            return rc;
        char *text = json_dumps(resp, JSON_COMPACT);
        json_decref(resp);
        *body = lc_strdup(text ? text : "{}");
        free(text);
        if (len)
            *len = strlen(*body);
        return 0;
    }
    struct ddb_sink sink = {.text = true, .member = get ? "Item" : "Items"};
    lc_buf_init(&sink.items, LC_BUF_UNLIMITED);
    int rc = get ? ddb_get_item(ddb, request, &resp, &sink, err) : ddb_query_scan(ddb, request, query, &resp, &sink, err);
    if (rc == 0) {
        size_t n = 0;
        *body = s_splice(resp, &sink, &n);
        if (len)
            *len = n;
    }
    json_decref(resp);
    lc_buf_free(&sink.items);
    return rc;
}

bool lc_ddb_table_exists(struct lc_ddb *ddb, const char *table_name)
{
    return ddb_table_get(ddb, table_name, NULL) != NULL;
}

char *lc_ddb_table_arn(struct lc_ddb *ddb, const char *table_name)
{
    return lc_asprintf("arn:aws:dynamodb:%s:%s:table/%s", lc_store_region(ddb->store),
                       lc_store_account(ddb->store), table_name);
}

static const char *const SQL_BEGIN = "BEGIN";
static const char *const SQL_BEGIN_IMMEDIATE = "BEGIN IMMEDIATE";
static const char *const SQL_COMMIT = "COMMIT";
static const char *const SQL_ROLLBACK = "ROLLBACK";

static int s_run(struct lc_ddb *ddb, const char *sql, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(ddb->store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, sql, err);
    lc_store_stmt_done(st);
    return rc;
}

/*
 * Items are read from a B-tree far larger than SQLite's default page cache (2 MB per connection),
 * and every miss is a pread(2). Memory-mapping the database makes those reads plain memory
 * accesses; it is per connection, so each thread's connection is tuned once, on first use here.
 * (Only a performance setting: a connection that is not tuned still works.)
 */
#define DDB_MMAP_BYTES "1073741824"
static __thread sqlite3 *s_tuned_db;

static void s_tune(sqlite3 *db)
{
    if (s_tuned_db == db)
        return;
    sqlite3_exec(db, "PRAGMA mmap_size=" DDB_MMAP_BYTES, NULL, NULL, NULL);
    s_tuned_db = db;
}

static int s_tx_begin(struct lc_ddb *ddb, struct ddb_tx *tx, const char *sql, struct lc_error *err)
{
    sqlite3 *db = lc_store_db(ddb->store);
    s_tune(db);
    tx->owned = sqlite3_get_autocommit(db) != 0;
    return tx->owned ? s_run(ddb, sql, err) : 0;
}

int ddb_tx_read(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err)
{
    return s_tx_begin(ddb, tx, SQL_BEGIN, err);
}

int ddb_tx_write(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err)
{
    return s_tx_begin(ddb, tx, SQL_BEGIN_IMMEDIATE, err);
}

int ddb_tx_end(struct lc_ddb *ddb, struct ddb_tx *tx, int rc, struct lc_error *err)
{
    if (!tx->owned)
        return rc;
    tx->owned = false;
    if (rc == 0 && (rc = s_run(ddb, SQL_COMMIT, err)) == 0)
        return 0;
    if (!sqlite3_get_autocommit(lc_store_db(ddb->store)))
        s_run(ddb, SQL_ROLLBACK, NULL);
    return rc;
}

int ddb_bump_generation(struct lc_ddb *ddb, struct lc_error *err)
{
    return lc_store_bump_generation(ddb->store, "ddb", err);
}

/* ---------------------------------------------------------------- counters */

static struct ddb_counter *s_counter(struct lc_ddb *ddb, const char *table, bool create)
{
    for (size_t i = 0; i < ddb->n_counters; i++) {
        if (strcmp(ddb->counters[i].table, table) == 0)
            return &ddb->counters[i];
    }
    if (!create)
        return NULL;
    if (ddb->n_counters == ddb->cap_counters) {
        ddb->cap_counters = ddb->cap_counters ? ddb->cap_counters * 2 : 8;
        ddb->counters = lc_realloc(ddb->counters, ddb->cap_counters * sizeof *ddb->counters);
    }
    struct ddb_counter *c = &ddb->counters[ddb->n_counters++];
    memset(c, 0, sizeof *c);
    c->table = lc_strdup(table);
    return c;
}

void ddb_account(struct lc_ddb *ddb, const char *table, double read_units, double write_units, bool write)
{
    pthread_mutex_lock(&ddb->lock);
    struct ddb_counter *c = s_counter(ddb, table, true);
    c->c.read_units += read_units;
    c->c.write_units += write_units;
    if (write)
        c->c.write_requests++;
    else
        c->c.read_requests++;
    lc_ddb_consumed_fn hook = ddb->hook;
    void *ctx = ddb->hook_ctx;
    pthread_mutex_unlock(&ddb->lock);
    if (hook)
        hook(ctx, table, read_units, write_units);
}

void lc_ddb_table_counters(struct lc_ddb *ddb, const char *table_name, struct lc_ddb_table_counters *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&ddb->lock);
    struct ddb_counter *c = s_counter(ddb, table_name, false);
    if (c)
        *out = c->c;
    pthread_mutex_unlock(&ddb->lock);
}

void lc_ddb_set_consumed_hook(struct lc_ddb *ddb, lc_ddb_consumed_fn fn, void *ctx)
{
    pthread_mutex_lock(&ddb->lock);
    ddb->hook = fn;
    ddb->hook_ctx = ctx;
    pthread_mutex_unlock(&ddb->lock);
}
