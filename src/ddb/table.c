/*
 * table.c: table metadata, parsed once from the stored description and cached in memory.
 *
 * The cache is stamped with the store's "ddb" generation, which every table change bumps in the
 * same transaction; each lookup compares the stamp with the current value (one cached SELECT), so
 * a change made by another process or thread is seen by the next call. Replaced tables are kept on
 * a retired list until the handle is freed, because other threads may still be borrowing them.
 */
#include "ddb/ddb_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/store.h"

/* The generation row is found by name once, then by rowid (a rowid seek is about half the cost
 * of the name index seek plus the row fetch, and this runs on every request). The name is read
 * back with it, so a row that is not 'ddb' (never seen: rows are updated in place) falls back. */
static const char *const SQL_GENERATION = "SELECT rowid, value FROM generation WHERE name='ddb'";
static const char *const SQL_GENERATION_AT = "SELECT name, value FROM generation WHERE rowid=?";
static const char *const SQL_LOAD = "SELECT id, meta FROM ddb_table WHERE name=?";

static char s_attr_type(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        const char *t = json_string_value(json_object_get(d, "AttributeType"));
        if (n && t && strcmp(n, name) == 0)
            return t[0];
    }
    return 0;
}

static void s_key_schema(const json_t *schema, const json_t *defs, struct ddb_key_attr *hash, struct ddb_key_attr *range)
{
    size_t i;
    json_t *k;
    json_array_foreach(schema, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        const char *type = json_string_value(json_object_get(k, "KeyType"));
        if (!name || !type)
            continue;
        struct ddb_key_attr *dst = strcmp(type, "HASH") == 0 ? hash : range;
        dst->name = lc_strdup(name);
        dst->type = s_attr_type(defs, name);
    }
}

static void s_add_indexes(struct ddb_table *t, const json_t *list, bool global, const json_t *defs)
{
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        struct ddb_index *d = &t->indexes[t->n_indexes];
        d->id = (int64_t)t->n_indexes;
        t->n_indexes++;
        d->global = global;
        d->name = lc_strdup(json_string_value(json_object_get(ix, "IndexName")));
        d->arn = lc_asprintf("%s/index/%s", t->arn, d->name);
        s_key_schema(json_object_get(ix, "KeySchema"), defs, &d->hash, &d->range);
        const json_t *proj = json_object_get(ix, "Projection");
        const char *pt = json_string_value(json_object_get(proj, "ProjectionType"));
        d->projection = pt && strcmp(pt, "KEYS_ONLY") == 0 ? DDB_PROJ_KEYS_ONLY
                      : pt && strcmp(pt, "INCLUDE") == 0   ? DDB_PROJ_INCLUDE
                                                           : DDB_PROJ_ALL;
        const json_t *nk = json_object_get(proj, "NonKeyAttributes");
        d->n_include = json_array_size(nk);
        d->include = d->n_include ? lc_calloc(d->n_include, sizeof *d->include) : NULL;
        for (size_t j = 0; j < d->n_include; j++)
            d->include[j] = lc_strdup(json_string_value(json_array_get(nk, j)));
    }
}

struct ddb_table *ddb_table_from_description(const char *name, int64_t id, const json_t *meta)
{
    struct ddb_table *t = lc_calloc(1, sizeof *t);
    t->name = lc_strdup(name);
    t->id = id;
    const char *arn = json_string_value(json_object_get(meta, "TableArn"));
    t->arn = lc_strdup(arn ? arn : "");
    const json_t *defs = json_object_get(meta, "AttributeDefinitions");
    s_key_schema(json_object_get(meta, "KeySchema"), defs, &t->hash, &t->range);
    const json_t *lsi = json_object_get(meta, "LocalSecondaryIndexes");
    const json_t *gsi = json_object_get(meta, "GlobalSecondaryIndexes");
    size_t n = json_array_size(lsi) + json_array_size(gsi);
    t->indexes = n ? lc_calloc(n, sizeof *t->indexes) : NULL;
    /* Index ids follow the stored order: LSIs first, then GSIs; they never change for a table. */
    s_add_indexes(t, lsi, false, defs);
    s_add_indexes(t, gsi, true, defs);
    t->description = json_deep_copy(meta);
    json_t *tags = json_object_get(t->description, "Tags");
    if (tags) {
        t->tags = json_incref(tags);
        json_object_del(t->description, "Tags");
    }
    return t;
}

static void s_key_attr_free(struct ddb_key_attr *k)
{
    lc_free(k->name);
    k->name = NULL;
}

void ddb_table_free(struct ddb_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_indexes; i++) {
        struct ddb_index *d = &t->indexes[i];
        lc_free(d->name);
        lc_free(d->arn);
        s_key_attr_free(&d->hash);
        s_key_attr_free(&d->range);
        for (size_t j = 0; j < d->n_include; j++)
            lc_free(d->include[j]);
        lc_free(d->include);
    }
    lc_free(t->indexes);
    s_key_attr_free(&t->hash);
    s_key_attr_free(&t->range);
    lc_free(t->name);
    lc_free(t->arn);
    json_decref(t->description);
    json_decref(t->tags);
    lc_free(t);
}

const struct ddb_index *ddb_table_index(const struct ddb_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_indexes; i++) {
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    }
    return NULL;
}

bool ddb_is_generation_row(sqlite3_stmt *st, int col)
{
    const unsigned char *name = sqlite3_column_text(st, col);
    return name && strcmp((const char *)name, "ddb") == 0;
}

static int64_t s_generation(struct lc_ddb *ddb)
{
    int64_t rowid = atomic_load_explicit(&ddb->gen_rowid, memory_order_relaxed);
    if (rowid > 0) {
        sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GENERATION_AT, NULL);
        if (st) {
            sqlite3_bind_int64(st, 1, rowid);
            bool found = sqlite3_step(st) == SQLITE_ROW && ddb_is_generation_row(st, 0);
            int64_t v = found ? sqlite3_column_int64(st, 1) : 0;
            lc_store_stmt_done(st);
            if (found)
                return v;
        }
    }
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GENERATION, NULL);
    int64_t v = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        atomic_store_explicit(&ddb->gen_rowid, sqlite3_column_int64(st, 0), memory_order_relaxed);
        v = sqlite3_column_int64(st, 1);
    }
    lc_store_stmt_done(st);
    return v;
}

/* Moves every cached table to the retired list. Caller holds the lock. */
static void s_retire_all(struct lc_ddb *ddb)
{
    for (size_t i = 0; i < ddb->n_tables; i++) {
        ddb->tables[i]->next_retired = ddb->retired;
        ddb->retired = ddb->tables[i];
    }
    ddb->n_tables = 0;
}

void ddb_table_cache_invalidate(struct lc_ddb *ddb)
{
    pthread_mutex_lock(&ddb->lock);
    s_retire_all(ddb);
    ddb->generation = -1;
    pthread_mutex_unlock(&ddb->lock);
}

static struct ddb_table *s_cached(struct lc_ddb *ddb, const char *name)
{
    for (size_t i = 0; i < ddb->n_tables; i++) {
        if (strcmp(ddb->tables[i]->name, name) == 0)
            return ddb->tables[i];
    }
    return NULL;
}

const struct ddb_table *ddb_table_peek(struct lc_ddb *ddb, const char *name, int64_t *generation)
{
    pthread_mutex_lock(&ddb->lock);
    struct ddb_table *t = ddb->generation >= 0 ? s_cached(ddb, name) : NULL;
    *generation = ddb->generation;
    pthread_mutex_unlock(&ddb->lock);
    return t;
}

const struct ddb_table *ddb_table_get(struct lc_ddb *ddb, const char *name, struct lc_error *err)
{
    int64_t gen = s_generation(ddb);
    pthread_mutex_lock(&ddb->lock);
    /* Generations only grow: a thread that read an older value must not roll the cache back. */
    if (gen > ddb->generation) {
        s_retire_all(ddb);
        ddb->generation = gen;
    }
    struct ddb_table *t = s_cached(ddb, name);
    pthread_mutex_unlock(&ddb->lock);
    if (t)
        return t;

    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_LOAD, err);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            lc_store_sql_error(ddb->store, "reading a table", err);
        else
            ddb_not_found(err);
        lc_store_stmt_done(st);
        return NULL;
    }
    int64_t id = sqlite3_column_int64(st, 0);
    json_error_t jerr;
    json_t *meta = json_loadb((const char *)sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1), 0, &jerr);
    lc_store_stmt_done(st);
    if (!meta) {
        lc_error_set(err, LC_EINTERNAL, 500, "InternalServerError", "the stored description of table %s is damaged: %s",
                     name, jerr.text);
        return NULL;
    }
    t = ddb_table_from_description(name, id, meta);
    json_decref(meta);

    pthread_mutex_lock(&ddb->lock);
    struct ddb_table *other = gen == ddb->generation ? s_cached(ddb, name) : NULL;
    if (other) {
        /* Another thread loaded it meanwhile; keep one copy. */
        ddb_table_free(t);
        t = other;
    } else if (gen == ddb->generation) {
        if (ddb->n_tables == ddb->cap_tables) {
            ddb->cap_tables = ddb->cap_tables ? ddb->cap_tables * 2 : 16;
            ddb->tables = lc_realloc(ddb->tables, ddb->cap_tables * sizeof *ddb->tables);
        }
        ddb->tables[ddb->n_tables++] = t;
    } else {
        t->next_retired = ddb->retired;
        ddb->retired = t;
    }
    pthread_mutex_unlock(&ddb->lock);
    return t;
}

int ddb_check_table_name(const json_t *v, const char *param, struct lc_error *err)
{
    if (!v || json_is_null(v))
        return ddb_invalid(err, "The parameter '%s' is required but was not present in the request", param);
    if (!json_is_string(v))
        return ddb_wrong_type(v, "String", err);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len < 3 || len > 255)
        return ddb_invalid(err, "%s must be at least 3 characters long and at most 255 characters long", param);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
            char field[64];
            snprintf(field, sizeof field, "%s", param);
            field[0] = (char)(field[0] >= 'A' && field[0] <= 'Z' ? field[0] + 32 : field[0]);
            return ddb_constraint(err, s, field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }
    }
    return 0;
}
