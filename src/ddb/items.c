/*
 * items.c: item storage in SQLite and the key checks that guard it.
 *
 * Rows: ddb_item(tid, pk, sk, size, item) WITHOUT ROWID, keyed by the encoded key parts (key.c), and
 * ddb_index_item(tid, ix, pk, sk, tpk, tsk, size, item) for each secondary index, holding the
 * projected copy of the item under the index key (table key appended for uniqueness). The item is
 * stored as compact canonical JSON text: what a read returns needs no re-encoding, and `size` is
 * DynamoDB's item size computed once at write time, so reads never re-measure.
 * Index rows are written in the caller's transaction, so an item and its index entries change
 * together or not at all.
 */
#include "ddb/ddb_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"
#include "leastcloud/store.h"

static const char *const SQL_GET = "SELECT item, size FROM ddb_item WHERE tid=? AND pk=? AND sk=?";
static const char *const SQL_PUT = "INSERT OR REPLACE INTO ddb_item(tid, pk, sk, size, item) VALUES(?,?,?,?,?)";
static const char *const SQL_DEL = "DELETE FROM ddb_item WHERE tid=? AND pk=? AND sk=?";
static const char *const SQL_IX_PUT =
    "INSERT OR REPLACE INTO ddb_index_item(tid, ix, pk, sk, tpk, tsk, size, item) VALUES(?,?,?,?,?,?,?,?)";
static const char *const SQL_IX_DEL =
    "DELETE FROM ddb_index_item WHERE tid=? AND ix=? AND pk=? AND sk=? AND tpk=? AND tsk=?";
static const char *const SQL_DROP = "DELETE FROM ddb_item WHERE tid=?";
static const char *const SQL_IX_DROP = "DELETE FROM ddb_index_item WHERE tid=?";

/* ---------------------------------------------------------------- keys */

int ddb_item_key(const json_t *item, const struct ddb_key_attr *hash, const struct ddb_key_attr *range,
                 struct lc_buf *pk, struct lc_buf *sk)
{
    const json_t *h = json_object_get(item, hash->name);
    if (!h || ddb_key_encode(h, hash->type, pk) != 0)
        return LC_EINVAL;
    if (!range->type)
        return 0;
    const json_t *r = json_object_get(item, range->name);
    if (!r || ddb_key_encode(r, range->type, sk) != 0)
        return LC_EINVAL;
    return 0;
}

static bool s_is_type(const json_t *v, char type)
{
    const char *t = ddb_value_type(v);
    return t && t[0] == type && t[1] == '\0';
}

static const char *s_type_name(char type)
{
    return type == 'S' ? "S" : type == 'N' ? "N" : "B";
}

static int s_key_size(const json_t *v, const struct ddb_key_attr *k, bool is_hash, struct lc_error *err)
{
    size_t len = ddb_key_value_len(v, k->type);
    if (k->type == 'N')
        return 0;
    if (is_hash && len > DDB_HASH_KEY_MAX_BYTES)
        return ddb_invalid(err, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    if (!is_hash && len > DDB_RANGE_KEY_MAX_BYTES)
        return ddb_invalid(err, "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    return 0;
}

static bool s_empty_key(const json_t *v, char type)
{
    return type != 'N' && ddb_key_value_len(v, type) == 0;
}

int ddb_check_key(const struct ddb_table *t, const json_t *key, json_t **canon, struct lc_error *err)
{
    json_t *c;
    int rc;
    if (canon) {
        *canon = NULL;
        if ((rc = ddb_item_check(key, &c, NULL, err)))
            return rc;
    } else {
        c = json_incref((json_t *)key); /* values already checked by the caller */
    }
    const struct ddb_key_attr *parts[2] = {&t->hash, &t->range};
    size_t want = t->range.type ? 2 : 1;
    if (json_object_size(c) != want) {
        json_decref(c);
        return ddb_invalid(err, "The provided key element does not match the schema");
    }
    for (size_t i = 0; i < want; i++) {
        const json_t *v = json_object_get(c, parts[i]->name);
        if (!v || !s_is_type(v, parts[i]->type)) {
            json_decref(c);
            return ddb_invalid(err, "The provided key element does not match the schema");
        }
        if (s_empty_key(v, parts[i]->type)) {
            json_decref(c);
            return ddb_invalid(err, "One or more parameter values were invalid: The AttributeValue for a key attribute "
                                    "cannot contain an empty %s value. Key: %s",
                               parts[i]->type == 'S' ? "string" : "binary", parts[i]->name);
        }
        if ((rc = s_key_size(v, parts[i], i == 0, err))) {
            json_decref(c);
            return rc;
        }
    }
    if (canon)
        *canon = c;
    else
        json_decref(c);
    return 0;
}

/*
 * One part of ddb_check_key_fast: the value of `k` in `key`, checked as ddb_check_key checks it
 * and encoded as ddb_key_encode encodes it, looking each JSON member up once.
 */
static bool s_key_part(const json_t *key, const struct ddb_key_attr *k, bool is_hash, struct lc_buf *out)
{
    const json_t *v = json_object_get(key, k->name);
    const char tname[2] = {k->type, '\0'};
    /* A checked value has exactly one member, its type: so this is s_is_type. */
    const json_t *m = v ? json_object_get(v, tname) : NULL;
    if (!json_is_string(m) || json_object_size(v) != 1)
        return false;
    const char *s = json_string_value(m);
    size_t len = json_string_length(m);
    size_t max = is_hash ? DDB_HASH_KEY_MAX_BYTES : DDB_RANGE_KEY_MAX_BYTES;
    if (k->type == 'S')
        return len > 0 && len <= max && lc_buf_append(out, s, len) == 0;
    if (k->type == 'B') {
        size_t n = 0;
        uint8_t *bytes = lc_base64_decode(s, len, &n);
        bool ok = bytes && n > 0 && n <= max && lc_buf_append(out, bytes, n) == 0;
        lc_free(bytes);
        return ok;
    }
    struct ddb_num num;
    if (k->type != 'N' || ddb_num_parse(s, len, &num, NULL))
        return false;
    uint8_t enc[DDB_NUM_KEY_MAX];
    return lc_buf_append(out, enc, ddb_num_encode(&num, enc)) == 0;
}

int ddb_check_key_fast(const struct ddb_table *t, const json_t *key, struct lc_buf *pk, struct lc_buf *sk)
{
    size_t want = t->range.type ? 2 : 1;
    if (json_object_size(key) != want || !s_key_part(key, &t->hash, true, pk) ||
        (t->range.type && !s_key_part(key, &t->range, false, sk)))
        return LC_EINVAL;
    return 0;
}

int ddb_check_item_schema(const struct ddb_table *t, const json_t *item, struct lc_error *err)
{
    const struct ddb_key_attr *parts[2] = {&t->hash, &t->range};
    for (size_t i = 0; i < 2 && parts[i]->type; i++) {
        const json_t *v = json_object_get(item, parts[i]->name);
        if (!v)
            return ddb_invalid(err, "One or more parameter values were invalid: Missing the key %s in the item", parts[i]->name);
        if (!s_is_type(v, parts[i]->type))
            return ddb_invalid(err, "One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s",
                               parts[i]->name, s_type_name(parts[i]->type), ddb_value_type(v));
        if (s_empty_key(v, parts[i]->type))
            return ddb_invalid(err, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                                    "cannot contain an empty %s value. Key: %s",
                               parts[i]->type == 'S' ? "string" : "binary", parts[i]->name);
        int rc = s_key_size(v, parts[i], i == 0, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        const struct ddb_key_attr *ip[2] = {&ix->hash, &ix->range};
        for (size_t j = 0; j < 2 && ip[j]->type; j++) {
            const json_t *v = json_object_get(item, ip[j]->name);
            if (!v)
                continue;
            if (!s_is_type(v, ip[j]->type))
                return ddb_invalid(err, "One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s",
                                   ip[j]->name, s_type_name(ip[j]->type), ddb_value_type(v), ix->name);
            if (s_empty_key(v, ip[j]->type))
                return ddb_invalid(err, "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
                                        "The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                                   ip[j]->type == 'S' ? "string" : "binary", ix->name, ip[j]->name);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- rows */

static json_t *s_parse_item(const void *text, size_t len, struct lc_error *err)
{
    json_error_t jerr;
    json_t *item = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    if (!item)
        lc_error_set(err, LC_EINTERNAL, 500, "InternalServerError", "a stored item is damaged: %s", jerr.text);
    return item;
}

static void s_bind_key(sqlite3_stmt *st, int first, const struct lc_buf *pk, const struct lc_buf *sk)
{
    sqlite3_bind_blob(st, first, pk->len ? pk->data : "", (int)pk->len, SQLITE_STATIC);
    sqlite3_bind_blob(st, first + 1, sk->len ? sk->data : "", (int)sk->len, SQLITE_STATIC);
}

int ddb_store_get(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                  json_t **item, size_t *size, struct lc_error *err)
{
    *item = NULL;
    if (size)
        *size = 0;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GET, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, t->id);
    s_bind_key(st, 2, pk, sk);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *item = s_parse_item(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), err);
        if (size)
            *size = (size_t)sqlite3_column_int64(st, 1);
        rc = *item ? 0 : LC_EINTERNAL;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = lc_store_sql_error(ddb->store, "reading an item", err);
    }
    lc_store_stmt_done(st);
    return rc;
}

/* The item and the current "ddb" generation in one statement: one lock cycle for a GetItem. The
 * generation row is read by its rowid, learnt by ddb_table_get (table.c), and its name checked. */
static const char *const SQL_GET_GEN =
    "SELECT g.value, g.name, i.item, i.size FROM generation g"
    " LEFT JOIN ddb_item i ON i.tid=?1 AND i.pk=?2 AND i.sk=?3 WHERE g.rowid=?4";

int ddb_store_get_gen(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                      int64_t *generation, struct lc_buf *text, json_t **item, size_t *size, struct lc_error *err)
{
    if (item)
        *item = NULL;
    *size = 0;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GET_GEN, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, t->id);
    s_bind_key(st, 2, pk, sk);
    sqlite3_bind_int64(st, 4, atomic_load_explicit(&ddb->gen_rowid, memory_order_relaxed));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || (rc == SQLITE_ROW && !ddb_is_generation_row(st, 1))) {
        rc = 0;
        *generation = -1; /* not the generation row: the caller cannot trust its cache */
    } else if (rc == SQLITE_ROW) {
        rc = 0;
        *generation = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            *size = (size_t)sqlite3_column_int64(st, 3);
            const void *data = sqlite3_column_blob(st, 2);
            size_t len = (size_t)sqlite3_column_bytes(st, 2);
            if (text)
                rc = lc_buf_append(text, data, len) ? LC_ENOMEM : 0;
            else if (!(*item = s_parse_item(data, len, err)))
                rc = LC_EINTERNAL;
        }
    } else {
        rc = lc_store_sql_error(ddb->store, "reading an item", err);
    }
    lc_store_stmt_done(st);
    return rc;
}

int ddb_store_get_text(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                       struct lc_buf *out, bool *found, size_t *size, struct lc_error *err)
{
    *found = false;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GET, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, t->id);
    s_bind_key(st, 2, pk, sk);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = true;
        *size = (size_t)sqlite3_column_int64(st, 1);
        rc = lc_buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) ? LC_ENOMEM : 0;
    } else {
        rc = rc == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "reading an item", err);
    }
    lc_store_stmt_done(st);
    return rc;
}

/* The copy of `item` an index holds: everything (ALL), or the table and index keys plus the
 * included attributes. New reference. */
static json_t *s_index_projection(const struct ddb_table *t, const struct ddb_index *ix, const json_t *item)
{
    if (ix->projection == DDB_PROJ_ALL)
        return json_incref((json_t *)item);
    json_t *out = json_object();
    const char *keys[4] = {t->hash.name, t->range.name, ix->hash.name, ix->range.name};
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = keys[i] ? json_object_get(item, keys[i]) : NULL;
        if (v)
            json_object_set(out, keys[i], (json_t *)v);
    }
    for (size_t i = 0; i < ix->n_include; i++) {
        const json_t *v = json_object_get(item, ix->include[i]);
        if (v)
            json_object_set(out, ix->include[i], (json_t *)v);
    }
    return out;
}

struct s_ix_key {
    struct lc_buf pk, sk;
    bool present;
};

static void s_ix_key_init(struct s_ix_key *k)
{
    lc_buf_init(&k->pk, LC_BUF_UNLIMITED);
    lc_buf_init(&k->sk, LC_BUF_UNLIMITED);
    k->present = false;
}

static void s_ix_key_free(struct s_ix_key *k)
{
    lc_buf_free(&k->pk);
    lc_buf_free(&k->sk);
}

/* An item is in a sparse index only when it has every index key attribute with the right type. */
static void s_ix_key_of(const struct ddb_index *ix, const json_t *item, struct s_ix_key *k)
{
    lc_buf_reset(&k->pk);
    lc_buf_reset(&k->sk);
    k->present = item && ddb_item_key(item, &ix->hash, &ix->range, &k->pk, &k->sk) == 0;
}

static int s_ix_delete(struct lc_ddb *ddb, const struct ddb_table *t, const struct ddb_index *ix,
                       const struct s_ix_key *k, const struct lc_buf *tpk, const struct lc_buf *tsk,
                       struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_IX_DEL, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_int64(st, 2, ix->id);
    s_bind_key(st, 3, &k->pk, &k->sk);
    s_bind_key(st, 5, tpk, tsk);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "deleting an index entry", err);
    lc_store_stmt_done(st);
    return rc;
}

static int s_ix_put(struct lc_ddb *ddb, const struct ddb_table *t, const struct ddb_index *ix,
                    const struct s_ix_key *k, const struct lc_buf *tpk, const struct lc_buf *tsk,
                    const json_t *projected, size_t size, struct lc_error *err)
{
    char *text = json_dumps(projected, JSON_COMPACT | JSON_ENCODE_ANY);
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_IX_PUT, err);
    if (!st) {
        free(text);
        return LC_EINTERNAL;
    }
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_int64(st, 2, ix->id);
    s_bind_key(st, 3, &k->pk, &k->sk);
    s_bind_key(st, 5, tpk, tsk);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)size);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "writing an index entry", err);
    lc_store_stmt_done(st);
    free(text);
    return rc;
}

/* Moves every index from the old item's entries to the new item's, counting write units. */
static int s_update_indexes(struct lc_ddb *ddb, const struct ddb_table *t, const json_t *old_item,
                            const json_t *new_item, const struct lc_buf *tpk, const struct lc_buf *tsk,
                            double *idx_units, struct lc_error *err)
{
    struct s_ix_key ok, nk;
    s_ix_key_init(&ok);
    s_ix_key_init(&nk);
    int rc = 0;
    for (size_t i = 0; i < t->n_indexes && rc == 0; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        s_ix_key_of(ix, old_item, &ok);
        s_ix_key_of(ix, new_item, &nk);
        double units = 0;
        bool same_key = ok.present && nk.present && ok.pk.len == nk.pk.len && ok.sk.len == nk.sk.len &&
                        memcmp(ok.pk.data, nk.pk.data, ok.pk.len) == 0 &&
                        (ok.sk.len == 0 || memcmp(ok.sk.data, nk.sk.data, ok.sk.len) == 0);
        if (ok.present) {
            if (!same_key) {
                json_t *op = s_index_projection(t, ix, old_item);
                units += ddb_write_units(ddb_item_size(op));
                json_decref(op);
            }
            rc = s_ix_delete(ddb, t, ix, &ok, tpk, tsk, err);
        }
        if (rc == 0 && nk.present) {
            json_t *np = s_index_projection(t, ix, new_item);
            size_t size = ddb_item_size(np);
            units += ddb_write_units(size);
            rc = s_ix_put(ddb, t, ix, &nk, tpk, tsk, np, size, err);
            json_decref(np);
        }
        if (idx_units)
            idx_units[i] = units;
    }
    s_ix_key_free(&ok);
    s_ix_key_free(&nk);
    return rc;
}

/* Reads the current row for the key: its size always, the item only when `want_item`. */
static int s_read_old(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                      bool want_item, json_t **old, size_t *old_size, bool *exists, struct lc_error *err)
{
    *old = NULL;
    *old_size = 0;
    *exists = false;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_GET, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, t->id);
    s_bind_key(st, 2, pk, sk);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *exists = true;
        *old_size = (size_t)sqlite3_column_int64(st, 1);
        rc = 0;
        if (want_item) {
            *old = s_parse_item(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), err);
            rc = *old ? 0 : LC_EINTERNAL;
        }
    } else {
        rc = rc == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "reading an item", err);
    }
    lc_store_stmt_done(st);
    return rc;
}

int ddb_store_put(struct lc_ddb *ddb, const struct ddb_table *t, const json_t *item, size_t size,
                  json_t **old, size_t *old_size, double *idx_units, struct lc_error *err)
{
    json_t *prev = NULL;
    size_t prev_size = 0;
    bool exists;
    struct lc_buf pk, sk;
    lc_buf_init(&pk, LC_BUF_UNLIMITED);
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    char *text = NULL;
    int rc = ddb_item_key(item, &t->hash, &t->range, &pk, &sk);
    if (rc) {
        rc = ddb_invalid(err, "The provided key element does not match the schema");
        goto done;
    }
    if ((rc = s_read_old(ddb, t, &pk, &sk, old != NULL || t->n_indexes > 0, &prev, &prev_size, &exists, err)))
        goto done;
    text = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_PUT, err);
    if (!st) {
        rc = LC_EINTERNAL;
        goto done;
    }
    sqlite3_bind_int64(st, 1, t->id);
    s_bind_key(st, 2, &pk, &sk);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "writing an item", err);
    lc_store_stmt_done(st);
    if (rc == 0 && t->n_indexes)
        rc = s_update_indexes(ddb, t, prev, item, &pk, &sk, idx_units, err);
done:
    free(text);
    lc_buf_free(&pk);
    lc_buf_free(&sk);
    if (old_size)
        *old_size = prev_size;
    if (old && rc == 0)
        *old = prev;
    else
        json_decref(prev);
    return rc;
}

int ddb_store_delete(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                     json_t **old, size_t *old_size, double *idx_units, struct lc_error *err)
{
    json_t *prev = NULL;
    size_t prev_size = 0;
    bool exists;
    if (old)
        *old = NULL;
    int rc = s_read_old(ddb, t, pk, sk, old != NULL || t->n_indexes > 0, &prev, &prev_size, &exists, err);
    if (rc == 0 && exists) {
        sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_DEL, err);
        if (!st) {
            rc = LC_EINTERNAL;
        } else {
            sqlite3_bind_int64(st, 1, t->id);
            s_bind_key(st, 2, pk, sk);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "deleting an item", err);
            lc_store_stmt_done(st);
        }
        if (rc == 0 && t->n_indexes)
            rc = s_update_indexes(ddb, t, prev, NULL, pk, sk, idx_units, err);
    }
    if (old_size)
        *old_size = prev_size;
    if (old && rc == 0)
        *old = prev;
    else
        json_decref(prev);
    return rc;
}

int ddb_store_drop(struct lc_ddb *ddb, int64_t table_id, struct lc_error *err)
{
    const char *const sqls[] = {SQL_DROP, SQL_IX_DROP};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st = lc_store_stmt(ddb->store, sqls[i], err);
        if (!st)
            return LC_EINTERNAL;
        sqlite3_bind_int64(st, 1, table_id);
        int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "dropping items", err);
        lc_store_stmt_done(st);
        if (rc)
            return rc;
    }
    return 0;
}
