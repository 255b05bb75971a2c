/* op_item.c: PutItem, GetItem, DeleteItem. Each write is one SQLite transaction with its indexes. */
#include "ddb/ddb_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/store.h"

static const char *const s_rcc[] = {"INDEXES", "TOTAL", "NONE"};
static const char *const s_rv[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
static const char *const s_ricm[] = {"SIZE", "NONE"};

/* Parameters every single-item operation shares. */
struct common {
    const char *table;
    const char *rcc; /* ReturnConsumedCapacity or NULL */
    const char *rv;  /* ReturnValues or NULL */
};

static int s_common(const json_t *req, bool writes, struct common *c, struct lc_error *err)
{
    memset(c, 0, sizeof *c);
    const json_t *name = json_object_get(req, "TableName");
    int rc = ddb_check_table_name(name, "TableName", err);
    if (rc)
        return rc;
    c->table = json_string_value(name);
    if ((rc = ddb_check_enum(req, "ReturnConsumedCapacity", s_rcc, 3, &c->rcc, err)))
        return rc;
    if (!writes)
        return 0;
    const char *icm;
    if ((rc = ddb_check_enum(req, "ReturnItemCollectionMetrics", s_ricm, 2, &icm, err)))
        return rc;
    if ((rc = ddb_check_enum(req, "ReturnValues", s_rv, 5, &c->rv, err)))
        return rc;
    if (c->rv && strcmp(c->rv, "NONE") != 0 && strcmp(c->rv, "ALL_OLD") != 0)
        return ddb_invalid(err, "ReturnValues can only be ALL_OLD or NONE");
    return 0;
}

static bool s_wants(const char *v, const char *what)
{
    return v && strcmp(v, what) == 0;
}

static int s_condition_failed(struct lc_error *err)
{
    return lc_error_set(err, LC_ECONFLICT, 400, "ConditionalCheckFailedException", "The conditional request failed");
}

static int s_need_map(const json_t *req, const char *field, const char *wire, const json_t **out, struct lc_error *err)
{
    int rc = ddb_req_object(req, field, false, out, err);
    if (rc)
        return rc;
    if (!*out)
        return ddb_constraint(err, NULL, wire, "Member must not be null");
    return 0;
}

int lc_ddb_put_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    struct common c;
    int rc = s_common(request, true, &c, err);
    if (rc)
        return rc;
    const json_t *raw;
    if ((rc = s_need_map(request, "Item", "item", &raw, err)))
        return rc;
    json_t *item = NULL, *old = NULL;
    size_t size = 0, old_size = 0;
    struct ddb_exprs x;
    memset(&x, 0, sizeof x);
    if ((rc = ddb_item_check(raw, &item, &size, err)))
        goto done;
    if ((rc = ddb_exprs_parse(request, DDB_X_CONDITION, &x, err)))
        goto done;
    if (size > DDB_ITEM_MAX_BYTES) {
        rc = ddb_invalid(err, "Item size has exceeded the maximum allowed size");
        goto done;
    }
    double idx_units[DDB_MAX_GSI + DDB_MAX_LSI] = {0};
    /* The table is looked up inside the write transaction: one lock cycle, and a table dropped
     * meanwhile cannot receive the item. */
    struct ddb_tx tx;
    if ((rc = ddb_tx_write(ddb, &tx, err)))
        goto done;
    const struct ddb_table *t = ddb_table_get(ddb, c.table, err);
    if (!t)
        rc = err ? err->code : LC_ENOTFOUND;
    if (!rc)
        rc = ddb_check_item_schema(t, item, err);
    if (!rc && x.condition) {
        struct lc_buf pk, sk;
        lc_buf_init(&pk, LC_BUF_UNLIMITED);
        lc_buf_init(&sk, LC_BUF_UNLIMITED);
        ddb_item_key(item, &t->hash, &t->range, &pk, &sk);
        json_t *cur = NULL;
        rc = ddb_store_get(ddb, t, &pk, &sk, &cur, NULL, err);
        if (!rc && !ddb_expr_eval(x.condition, cur))
            rc = s_condition_failed(err);
        json_decref(cur);
        lc_buf_free(&pk);
        lc_buf_free(&sk);
    }
    if (!rc)
        rc = ddb_store_put(ddb, t, item, size, s_wants(c.rv, "ALL_OLD") ? &old : NULL, &old_size, idx_units, err);
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc)
        goto done;
    double units = ddb_write_units(size > old_size ? size : old_size);
    double total = units;
    for (size_t i = 0; i < t->n_indexes; i++)
        total += idx_units[i];
    ddb_account(ddb, t->name, 0, total, true);
    json_t *out = json_object();
    if (old)
        json_object_set(out, "Attributes", old);
    json_t *cc = ddb_consumed(t, c.rcc, units, idx_units, false);
    if (cc)
        json_object_set_new(out, "ConsumedCapacity", cc);
    *response = out;
done:
    ddb_exprs_free(&x);
    json_decref(item);
    json_decref(old);
    return rc;
}

int ddb_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct ddb_sink *sink, struct lc_error *err)
{
    *response = NULL;
    struct common c;
    int rc = s_common(request, false, &c, err);
    if (rc)
        return rc;
    const json_t *raw;
    if ((rc = s_need_map(request, "Key", "key", &raw, err)))
        return rc;
    bool consistent;
    if ((rc = ddb_req_bool(request, "ConsistentRead", &consistent, err)))
        return rc;
    if ((rc = ddb_item_check(raw, NULL, NULL, err)))
        return rc;
    struct ddb_exprs x;
    json_t *key = NULL, *item = NULL;
    size_t size = 0;
    struct lc_buf pk, sk;
    lc_buf_init(&pk, LC_BUF_UNLIMITED);
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    if ((rc = ddb_exprs_parse(request, DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET, &x, err)))
        goto done;
    bool want_text = sink && sink->text && !x.projection;
    if (sink)
        sink->member = "Item";
    /* Fast path: a cached table, validated by the generation read with the item itself. */
    int64_t cached_gen, gen = -1;
    const struct ddb_table *t = ddb_table_peek(ddb, c.table, &cached_gen);
    if (t && ddb_check_key_fast(t, raw, &pk, &sk) == 0) {
        rc = ddb_store_get_gen(ddb, t, &pk, &sk, &gen, want_text ? &sink->items : NULL, want_text ? NULL : &item, &size, err);
        if (rc)
            goto done;
    }
    if (t && gen != cached_gen) {
        /* The key did not fit the cached schema, or the tables changed since the cache was
         * filled: drop what was read and go the safe way, which also words any error. */
        json_decref(item);
        item = NULL;
        if (want_text) {
            sink->items.len = sink->base;
            sink->items.data[sink->base] = '\0';
        }
        lc_buf_reset(&pk);
        lc_buf_reset(&sk);
        size = 0;
        t = NULL;
    }
    if (!t) {
        struct ddb_tx tx;
        if ((rc = ddb_tx_read(ddb, &tx, err)))
            goto done;
        t = ddb_table_get(ddb, c.table, err);
        if (!t)
            rc = err ? err->code : LC_ENOTFOUND;
        if (!rc)
            rc = ddb_check_key(t, raw, &key, err);
        if (!rc) {
            ddb_item_key(key, &t->hash, &t->range, &pk, &sk);
            bool found = false;
            if (want_text)
                rc = ddb_store_get_text(ddb, t, &pk, &sk, &sink->items, &found, &size, err);
            else
                rc = ddb_store_get(ddb, t, &pk, &sk, &item, &size, err);
        }
        rc = ddb_tx_end(ddb, &tx, rc, err);
        if (rc)
            goto done;
    }
    if (want_text)
        sink->n_items = sink->items.len > sink->base;
    double units = ddb_read_units(size ? size : 1, consistent);
    ddb_account(ddb, t->name, units, 0, false);
    json_t *out = json_object();
    if (item) {
        if (x.projection)
            json_object_set_new(out, "Item", ddb_project(item, x.projection, x.nprojection));
        else
            json_object_set(out, "Item", item);
    }
    json_t *cc = ddb_consumed(t, c.rcc, units, NULL, true);
    if (cc)
        json_object_set_new(out, "ConsumedCapacity", cc);
    *response = out;
done:
    lc_buf_free(&pk);
    lc_buf_free(&sk);
    ddb_exprs_free(&x);
    json_decref(key);
    json_decref(item);
    return rc;
}

int lc_ddb_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    return ddb_get_item(ddb, request, response, NULL, err);
}

int lc_ddb_delete_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    struct common c;
    int rc = s_common(request, true, &c, err);
    if (rc)
        return rc;
    const json_t *raw;
    if ((rc = s_need_map(request, "Key", "key", &raw, err)))
        return rc;
    if ((rc = ddb_item_check(raw, NULL, NULL, err)))
        return rc;
    struct ddb_exprs x;
    json_t *key = NULL, *old = NULL;
    struct lc_buf pk, sk;
    lc_buf_init(&pk, LC_BUF_UNLIMITED);
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    if ((rc = ddb_exprs_parse(request, DDB_X_CONDITION, &x, err)))
        goto done;
    double idx_units[DDB_MAX_GSI + DDB_MAX_LSI] = {0};
    size_t old_size = 0;
    struct ddb_tx tx;
    if ((rc = ddb_tx_write(ddb, &tx, err)))
        goto done;
    const struct ddb_table *t = ddb_table_get(ddb, c.table, err);
    if (!t)
        rc = err ? err->code : LC_ENOTFOUND;
    if (!rc)
        rc = ddb_check_key(t, raw, &key, err);
    if (!rc) {
        ddb_item_key(key, &t->hash, &t->range, &pk, &sk);
        if (x.condition) {
            json_t *cur = NULL;
            rc = ddb_store_get(ddb, t, &pk, &sk, &cur, NULL, err);
            if (!rc && !ddb_expr_eval(x.condition, cur))
                rc = s_condition_failed(err);
            json_decref(cur);
        }
    }
    if (!rc)
        rc = ddb_store_delete(ddb, t, &pk, &sk, &old, &old_size, idx_units, err);
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc)
        goto done;
    double units = ddb_write_units(old_size);
    double total = units;
    for (size_t i = 0; i < t->n_indexes; i++)
        total += idx_units[i];
    ddb_account(ddb, t->name, 0, total, true);
    json_t *out = json_object();
    if (s_wants(c.rv, "ALL_OLD") && old)
        json_object_set(out, "Attributes", old);
    json_t *cc = ddb_consumed(t, c.rcc, units, idx_units, false);
    if (cc)
        json_object_set_new(out, "ConsumedCapacity", cc);
    *response = out;
done:
    lc_buf_free(&pk);
    lc_buf_free(&sk);
    ddb_exprs_free(&x);
    json_decref(key);
    json_decref(old);
    return rc;
}
