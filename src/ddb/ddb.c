/* ddb.c: the module handle, its schema, the operation table and the capacity counters. */
#include "ddb/ddb_internal.h"

#include <stdatomic.h>
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
    atomic_init(&ddb->gen_rowid, 0);
    /* Region and account never change for a store: every ARN starts the same (auth.c builds one
     * per request). */
    ddb->arn_prefix = lc_asprintf("arn:aws:dynamodb:%s:%s:table/", lc_store_region(store), lc_store_account(store));
    ddb->arn_prefix_len = strlen(ddb->arn_prefix);
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
    lc_free(ddb->arn_prefix);
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

/* Appends v in decimal (what jansson's "%lld" gives, without a printf per member). */
static void s_append_int(struct lc_buf *b, json_int_t v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[sizeof tmp - ++n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[sizeof tmp - ++n] = '-';
    lc_buf_append(b, tmp + sizeof tmp - n, n);
}

/* A member name that compact JSON writes as is (no escapes): every name the operations set. */
static bool s_plain_key(const char *k)
{
    for (; *k; k++) {
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9')))
            return false;
    }
    return true;
}

/*
 * Appends the members of `rest` as json_dumps(rest, JSON_COMPACT) writes them, minus the braces,
 * each after a comma when `comma`. Integers (Count, ScannedCount) are written here; other values
 * go through jansson one by one, which gives the same bytes as dumping the whole object.
 */
static int s_append_members(struct lc_buf *b, const json_t *rest, bool comma)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rest, k, v)
    {
        if (!s_plain_key(k)) {
            /* Never happens for DynamoDB replies; kept exact anyway. */
            json_t *one = json_object();
            json_object_set(one, k, v);
            char *text = json_dumps(one, JSON_COMPACT);
            json_decref(one);
            if (!text)
                return LC_ENOMEM;
            if (comma)
                lc_buf_append_byte(b, ',');
            lc_buf_append(b, text + 1, strlen(text) - 2);
            free(text);
            comma = true;
            continue;
        }
        if (comma)
            lc_buf_append_byte(b, ',');
        comma = true;
        lc_buf_append_byte(b, '"');
        lc_buf_append_str(b, k);
        lc_buf_append(b, "\":", 2);
        if (json_is_integer(v)) {
            s_append_int(b, json_integer_value(v));
            continue;
        }
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return LC_ENOMEM;
        lc_buf_append_str(b, text);
        free(text);
    }
    return 0;
}

/*
 * The body, built in the sink's buffer, which already starts with the member's opening
 * ('{"Item":' or '{"Items":[') followed by the items as stored, so they are copied once: close
 * the member, add the other members of `rest`, close the object. When the member is not sent
 * (no item found, or items that went through JSON), the body is "{" + rest's members + "}".
 */
static int s_finish(const json_t *rest, struct ddb_sink *sink, char **body, size_t *len)
{
    bool array = sink->member && strcmp(sink->member, "Items") == 0;
    bool member = array || (sink->member && sink->n_items > 0);
    struct lc_buf *b = &sink->items;
    if (member) {
        if (array)
            lc_buf_append_byte(b, ']');
    } else {
        lc_buf_reset(b);
        lc_buf_append_byte(b, '{');
    }
    int rc = s_append_members(b, rest, member);
    if (rc)
        return rc;
    if (lc_buf_append_byte(b, '}'))
        return LC_ENOMEM;
    *body = lc_buf_detach(b, len);
    return 0;
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
    /* The reply's opening goes first, so that items are appended where they will be sent. */
    lc_buf_append_str(&sink.items, get ? "{\"Item\":" : "{\"Items\":[");
    sink.base = sink.items.len;
    int rc = get ? ddb_get_item(ddb, request, &resp, &sink, err) : ddb_query_scan(ddb, request, query, &resp, &sink, err);
    size_t n = 0;
    if (rc == 0 && (rc = s_finish(resp, &sink, body, &n)) != 0)
        lc_error_set(err, rc, 500, "InternalServerError", "out of memory writing a reply");
    if (len)
        *len = n;
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
    return lc_asprintf("%s%s", ddb->arn_prefix, table_name);
}

static const char *const SQL_BEGIN = "BEGIN";
static const char *const SQL_COMMIT = "COMMIT";
static const char *const SQL_ROLLBACK = "ROLLBACK";

/*
 * Items are read from a B-tree far larger than SQLite's default page cache (2 MB per connection),
 * where every miss is a pread(2): each thread's connection gets a 64 MiB cache, tuned once, on
 * first use here. Not a memory map: a commit by another connection makes SQLite unmap the whole
 * file at this connection's next read, and on this VM the munmap (with its TLB shoot-down) and the
 * page faults after it tripled the cost of a PutItem with two event loops (417 -> 136 µs per
 * request, reads unchanged). The trail, which commits all the time, has its own file (store).
 * (Only a performance setting: a connection that is not tuned still works.)
 */
static __thread sqlite3 *s_tuned_db;

static void s_tune(sqlite3 *db)
{
    if (s_tuned_db == db)
        return;
    sqlite3_exec(db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
    s_tuned_db = db;
}

/* Whether this call opens the transaction (else it joins the caller's). */
static bool s_tx_owned(struct lc_ddb *ddb, struct ddb_tx *tx)
{
    sqlite3 *db = lc_store_db(ddb->store);
    s_tune(db);
    return tx->owned = sqlite3_get_autocommit(db) != 0;
}

int ddb_tx_read(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err)
{
    return s_tx_owned(ddb, tx) ? lc_store_run(ddb->store, SQL_BEGIN, err) : 0;
}

int ddb_tx_write(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err)
{
    /* the store's write transaction: state.db's write lock at once, never trail.db's */
    return s_tx_owned(ddb, tx) ? lc_store_begin_write(ddb->store, err) : 0;
}

int ddb_tx_end(struct lc_ddb *ddb, struct ddb_tx *tx, int rc, struct lc_error *err)
{
    if (!tx->owned)
        return rc;
    tx->owned = false;
    if (rc == 0 && (rc = lc_store_run(ddb->store, SQL_COMMIT, err)) == 0)
        return 0;
    if (!sqlite3_get_autocommit(lc_store_db(ddb->store)))
        lc_store_run(ddb->store, SQL_ROLLBACK, NULL);
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
