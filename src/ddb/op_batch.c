/* op_batch.c: BatchGetItem (100 keys, 16 MB, UnprocessedKeys) and BatchWriteItem (25 requests, one
 * transaction for the whole batch). */
#include "ddb/ddb_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/store.h"

#define BATCH_GET_MAX_BYTES (16 * 1024 * 1024)

static const char *const s_rcc[] = {"INDEXES", "TOTAL", "NONE"};
static const char *const s_ricm[] = {"SIZE", "NONE"};

static int s_request_items(const json_t *req, const json_t **out, struct lc_error *err)
{
    int rc = ddb_req_object(req, "RequestItems", false, out, err);
    if (rc)
        return rc;
    if (!*out)
        return ddb_constraint(err, NULL, "requestItems", "Member must not be null");
    if (json_object_size(*out) == 0)
        return ddb_constraint(err, "{}", "requestItems", "Member must have length greater than or equal to 1");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)*out, name, v)
    {
        size_t len = strlen(name);
        bool ok = len >= 3 && len <= 255;
        for (size_t i = 0; ok && i < len; i++) {
            char c = name[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        }
        if (!ok)
            return ddb_invalid(err, "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
                                    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
                                    "Member must have length greater than or equal to 3, Member must satisfy regular "
                                    "expression pattern: [a-zA-Z0-9_.-]+]");
    }
    return 0;
}

/* Encoded "pk/sk" of a key as hex (binary keys may hold NULs; jansson object keys are C strings),
 * to find duplicates within one table's list. Caller frees with lc_free. */
static char *s_key_id(const struct ddb_table *t, const json_t *key)
{
    static const char hex[] = "0123456789abcdef";
    struct lc_buf pk, sk;
    lc_buf_init(&pk, LC_BUF_UNLIMITED);
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    ddb_item_key(key, &t->hash, &t->range, &pk, &sk);
    /* The length of pk first, so that pk/sk boundaries cannot be confused. */
    char *id = lc_malloc(8 + 2 * (pk.len + sk.len) + 1);
    size_t n = 0;
    for (int shift = 28; shift >= 0; shift -= 4)
        id[n++] = hex[(pk.len >> shift) & 15];
    const struct lc_buf *parts[2] = {&pk, &sk};
    for (size_t p = 0; p < 2; p++) {
        for (size_t i = 0; i < parts[p]->len; i++) {
            unsigned char c = (unsigned char)parts[p]->data[i];
            id[n++] = hex[c >> 4];
            id[n++] = hex[c & 15];
        }
    }
    id[n] = '\0';
    lc_buf_free(&pk);
    lc_buf_free(&sk);
    return id;
}

int lc_ddb_batch_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    const json_t *items;
    int rc = s_request_items(request, &items, err);
    if (rc)
        return rc;
    const char *rcc;
    if ((rc = ddb_check_enum(request, "ReturnConsumedCapacity", s_rcc, 3, &rcc, err)))
        return rc;
    /* First pass: validate everything, as DynamoDB refuses the whole batch on any error. */
    size_t total = 0;
    const char *name;
    json_t *tr;
    json_object_foreach((json_t *)items, name, tr)
    {
        if (!json_is_object(tr))
            return ddb_serialization(err, "Unexpected value type in payload");
        const json_t *keys;
        if ((rc = ddb_req_array(tr, "Keys", false, &keys, err)))
            return rc;
        char field[300];
        snprintf(field, sizeof field, "requestItems.%s.member.keys", name);
        if (!keys)
            return ddb_constraint(err, NULL, field, "Member must not be null");
        if (json_array_size(keys) < 1 || json_array_size(keys) > DDB_BATCH_GET_MAX)
            return ddb_constraint(err, "[]", field,
                                  json_array_size(keys) < 1 ? "Member must have length greater than or equal to 1"
                                                            : "Member must have length less than or equal to 100");
        struct ddb_exprs x;
        rc = ddb_exprs_parse(tr, DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET, &x, err);
        ddb_exprs_free(&x);
        if (rc)
            return rc;
        bool consistent;
        if ((rc = ddb_req_bool(tr, "ConsistentRead", &consistent, err)))
            return rc;
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k)
        {
            if ((rc = ddb_item_check(k, NULL, NULL, err)))
                return rc;
            if (++total > DDB_BATCH_GET_MAX)
                return ddb_invalid(err, "Too many items requested for the BatchGetItem call");
        }
    }
    json_t *responses = json_object(), *unprocessed = json_object(), *capacity = json_array();
    size_t bytes = 0;
    /* One snapshot for the whole batch, and one lock cycle. */
    struct ddb_tx tx;
    if ((rc = ddb_tx_read(ddb, &tx, err))) {
        json_decref(responses);
        json_decref(unprocessed);
        json_decref(capacity);
        return rc;
    }
    json_object_foreach((json_t *)items, name, tr)
    {
        const struct ddb_table *t = ddb_table_get(ddb, name, err);
        if (!t) {
            rc = err ? err->code : LC_ENOTFOUND;
            break;
        }
        struct ddb_exprs x;
        ddb_exprs_parse(tr, DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET, &x, NULL);
        bool consistent = false;
        ddb_req_bool(tr, "ConsistentRead", &consistent, NULL);
        const json_t *keys = json_object_get(tr, "Keys");
        json_t *seen = json_object(), *got = json_array(), *left = NULL;
        double units = 0;
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k)
        {
            json_t *key = NULL;
            if ((rc = ddb_check_key(t, k, &key, err)))
                break;
            char *id = s_key_id(t, key);
            bool dup = json_object_get(seen, id) != NULL;
            json_object_set_new(seen, id, json_true());
            lc_free(id);
            if (dup) {
                json_decref(key);
                rc = ddb_invalid(err, "Provided list of item keys contains duplicates");
                break;
            }
            if (bytes >= BATCH_GET_MAX_BYTES) {
                if (!left)
                    left = json_array();
                json_array_append_new(left, key);
                continue;
            }
            struct lc_buf pk, sk;
            lc_buf_init(&pk, LC_BUF_UNLIMITED);
            lc_buf_init(&sk, LC_BUF_UNLIMITED);
            ddb_item_key(key, &t->hash, &t->range, &pk, &sk);
            json_t *item = NULL;
            size_t size = 0;
            rc = ddb_store_get(ddb, t, &pk, &sk, &item, &size, err);
            lc_buf_free(&pk);
            lc_buf_free(&sk);
            json_decref(key);
            if (rc)
                break;
            units += ddb_read_units(size ? size : 1, consistent);
            bytes += size;
            if (item) {
                json_array_append_new(got, x.projection ? ddb_project(item, x.projection, x.nprojection) : json_incref(item));
                json_decref(item);
            }
        }
        ddb_exprs_free(&x);
        json_decref(seen);
        if (rc) {
            json_decref(got);
            json_decref(left);
            break;
        }
        json_object_set_new(responses, name, got);
        if (left) {
            json_t *u = json_deep_copy(tr);
            json_object_set_new(u, "Keys", left);
            json_object_set_new(unprocessed, name, u);
        }
        ddb_account(ddb, t->name, units, 0, false);
        json_t *cc = ddb_consumed(t, rcc, units, NULL, true);
        if (cc)
            json_array_append_new(capacity, cc);
    }
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc) {
        json_decref(responses);
        json_decref(unprocessed);
        json_decref(capacity);
        return rc;
    }
    json_t *out = json_object();
    json_object_set_new(out, "Responses", responses);
    json_object_set_new(out, "UnprocessedKeys", unprocessed);
    if (rcc && strcmp(rcc, "NONE") != 0)
        json_object_set_new(out, "ConsumedCapacity", capacity);
    else
        json_decref(capacity);
    *response = out;
    return 0;
}

/* One validated write of a batch. */
struct write {
    const struct ddb_table *t;
    json_t *item; /* PutRequest: canonical item */
    size_t size;
    json_t *key;  /* DeleteRequest: canonical key */
};

int lc_ddb_batch_write_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    const json_t *items;
    int rc = s_request_items(request, &items, err);
    if (rc)
        return rc;
    const char *rcc, *icm;
    if ((rc = ddb_check_enum(request, "ReturnConsumedCapacity", s_rcc, 3, &rcc, err)) ||
        (rc = ddb_check_enum(request, "ReturnItemCollectionMetrics", s_ricm, 2, &icm, err)))
        return rc;
    const char *name;
    json_t *list;
    size_t total = 0;
    json_object_foreach((json_t *)items, name, list)
    {
        if (!json_is_array(list))
            return ddb_serialization(err, json_is_object(list) ? "Start of structure or map found where not expected" : "Unexpected field type");
        size_t n = json_array_size(list);
        if (n < 1 || n > DDB_BATCH_WRITE_MAX)
            return ddb_invalid(err, "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value "
                                    "must satisfy constraint: [Member must have length less than or equal to 25, Member must "
                                    "have length greater than or equal to 1]");
        total += n;
    }
    if (total > DDB_BATCH_WRITE_MAX)
        return ddb_invalid(err, "Too many items requested for the BatchWriteItem call");
    struct write w[DDB_BATCH_WRITE_MAX];
    size_t nw = 0;
    memset(w, 0, sizeof w);
    /* Validate every request before writing any. */
    json_object_foreach((json_t *)items, name, list)
    {
        size_t i;
        json_t *r;
        json_array_foreach(list, i, r)
        {
            if (!json_is_object(r)) {
                rc = ddb_serialization(err, "Unexpected value type in payload");
                goto done;
            }
            const json_t *put = json_object_get(r, "PutRequest"), *del = json_object_get(r, "DeleteRequest");
            if (json_is_null(put))
                put = NULL;
            if (json_is_null(del))
                del = NULL;
            if ((!put && !del) || (put && del)) {
                rc = ddb_invalid(err, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
                goto done;
            }
            struct write *wr = &w[nw++];
            const json_t *m;
            if (put) {
                if ((rc = ddb_req_object(put, "Item", false, &m, err)))
                    goto done;
                if (!m) {
                    rc = ddb_constraint(err, NULL, "requestItems.member.putRequest.item", "Member must not be null");
                    goto done;
                }
                if ((rc = ddb_item_check(m, &wr->item, &wr->size, err)))
                    goto done;
                if (wr->size > DDB_ITEM_MAX_BYTES) {
                    rc = ddb_invalid(err, "Item size has exceeded the maximum allowed size");
                    goto done;
                }
            } else {
                if ((rc = ddb_req_object(del, "Key", false, &m, err)))
                    goto done;
                if (!m) {
                    rc = ddb_constraint(err, NULL, "requestItems.member.deleteRequest.key", "Member must not be null");
                    goto done;
                }
                if ((rc = ddb_item_check(m, NULL, NULL, err)))
                    goto done;
                wr->key = json_deep_copy(m);
            }
        }
    }
    /* Tables and schemas. */
    json_t *seen = json_object();
    size_t k = 0;
    json_object_foreach((json_t *)items, name, list)
    {
        const struct ddb_table *t = ddb_table_get(ddb, name, err);
        if (!t) {
            rc = err ? err->code : LC_ENOTFOUND;
            break;
        }
        for (size_t i = 0; i < json_array_size(list) && !rc; i++, k++) {
            struct write *wr = &w[k];
            wr->t = t;
            if (wr->item) {
                rc = ddb_check_item_schema(t, wr->item, err);
            } else {
                json_t *canon = NULL;
                rc = ddb_check_key(t, wr->key, &canon, err);
                json_decref(wr->key);
                wr->key = canon;
            }
            if (rc)
                break;
            char *id = s_key_id(t, wr->item ? wr->item : wr->key);
            char *full = lc_asprintf("%s/%s", name, id);
            lc_free(id);
            if (json_object_get(seen, full))
                rc = ddb_invalid(err, "Provided list of item keys contains duplicates");
            json_object_set_new(seen, full, json_true());
            lc_free(full);
        }
        if (rc)
            break;
    }
    json_decref(seen);
    if (rc)
        goto done;
    /* All writes in one transaction, so a batch is never half applied. */
    struct ddb_tx tx;
    if ((rc = ddb_tx_write(ddb, &tx, err)))
        goto done;
    double units[DDB_BATCH_WRITE_MAX] = {0};
    double idx[DDB_BATCH_WRITE_MAX][DDB_MAX_GSI + DDB_MAX_LSI];
    memset(idx, 0, sizeof idx);
    for (size_t i = 0; i < nw && !rc; i++) {
        size_t old_size = 0;
        if (w[i].item) {
            rc = ddb_store_put(ddb, w[i].t, w[i].item, w[i].size, NULL, &old_size, idx[i], err);
            units[i] = ddb_write_units(w[i].size > old_size ? w[i].size : old_size);
        } else {
            struct lc_buf pk, sk;
            lc_buf_init(&pk, LC_BUF_UNLIMITED);
            lc_buf_init(&sk, LC_BUF_UNLIMITED);
            ddb_item_key(w[i].key, &w[i].t->hash, &w[i].t->range, &pk, &sk);
            rc = ddb_store_delete(ddb, w[i].t, &pk, &sk, NULL, &old_size, idx[i], err);
            units[i] = ddb_write_units(old_size);
            lc_buf_free(&pk);
            lc_buf_free(&sk);
        }
    }
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc)
        goto done;
    json_t *capacity = json_array();
    for (size_t i = 0; i < nw; i++) {
        bool first = true;
        for (size_t j = 0; j < i; j++)
            first = first && w[j].t != w[i].t;
        if (!first)
            continue;
        double tu = 0, iu[DDB_MAX_GSI + DDB_MAX_LSI] = {0}, all = 0;
        for (size_t j = i; j < nw; j++) {
            if (w[j].t != w[i].t)
                continue;
            tu += units[j];
            for (size_t x = 0; x < w[i].t->n_indexes; x++)
                iu[x] += idx[j][x];
        }
        all = tu;
        for (size_t x = 0; x < w[i].t->n_indexes; x++)
            all += iu[x];
        ddb_account(ddb, w[i].t->name, 0, all, true);
        json_t *cc = ddb_consumed(w[i].t, rcc, tu, iu, false);
        if (cc)
            json_array_append_new(capacity, cc);
    }
    json_t *out = json_object();
    json_object_set_new(out, "UnprocessedItems", json_object());
    if (rcc && strcmp(rcc, "NONE") != 0)
        json_object_set_new(out, "ConsumedCapacity", capacity);
    else
        json_decref(capacity);
    *response = out;
done:
    for (size_t i = 0; i < nw; i++) {
        json_decref(w[i].item);
        json_decref(w[i].key);
    }
    return rc;
}
