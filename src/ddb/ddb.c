/* ddb.c: the module handle, its schema, the operation table and the capacity counters. */
#include "ddb/ddb_internal.h"

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

bool lc_ddb_table_exists(struct lc_ddb *ddb, const char *table_name)
{
    return ddb_table_get(ddb, table_name, NULL) != NULL;
}

char *lc_ddb_table_arn(struct lc_ddb *ddb, const char *table_name)
{
    return lc_asprintf("arn:aws:dynamodb:%s:%s:table/%s", lc_store_region(ddb->store),
                       lc_store_account(ddb->store), table_name);
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
