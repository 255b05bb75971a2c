/*
 * auth.c: the IAM checks a DynamoDB request needs before it runs: action, resource ARN (table,
 * index or "*") and the DynamoDB condition keys that fine-grained access policies use.
 * Nothing here validates: a malformed request simply contributes fewer keys, and the operation
 * reports the problem once authorization has passed (as AWS does: a denied caller learns nothing
 * about the request's validity).
 */
#include "ddb/ddb_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

/* a + b + c as one new string (lc_free): the ARNs and action names, without a printf each. */
static char *s_concat3(const char *a, size_t alen, const char *b, const char *c)
{
    size_t blen = strlen(b), clen = c ? strlen(c) : 0;
    char *out = lc_malloc(alen + blen + clen + 1);
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    if (clen)
        memcpy(out + alen + blen, c, clen);
    out[alen + blen + clen] = '\0';
    return out;
}

/* resource: NULL for "*", else the ARN of table `name` (+ "/index/<ixname>" when ixname). */
static struct lc_ddb_auth_check *s_add_check(struct lc_ddb *ddb, struct lc_ddb_auth_checks *out, const char *operation,
                                             const char *name, const char *ixname)
{
    out->items = lc_realloc(out->items, (out->count + 1) * sizeof *out->items);
    struct lc_ddb_auth_check *c = &out->items[out->count++];
    memset(c, 0, sizeof *c);
    c->action = s_concat3("dynamodb:", 9, operation, NULL);
    if (!name) {
        c->resource = lc_strdup("*");
    } else if (!ixname) {
        c->resource = s_concat3(ddb->arn_prefix, ddb->arn_prefix_len, name, NULL);
    } else {
        char *table = s_concat3(ddb->arn_prefix, ddb->arn_prefix_len, name, "/index/");
        c->resource = s_concat3(table, strlen(table), ixname, NULL);
        lc_free(table);
    }
    return c;
}

static void s_add_value(struct lc_ddb_auth_check *c, const char *key, const char *value)
{
    struct lc_ddb_auth_key *k = NULL;
    for (size_t i = 0; i < c->key_count; i++) {
        if (strcmp(c->keys[i].name, key) == 0)
            k = &c->keys[i];
    }
    if (!k) {
        c->keys = lc_realloc(c->keys, (c->key_count + 1) * sizeof *c->keys);
        k = &c->keys[c->key_count++];
        memset(k, 0, sizeof *k);
        k->name = lc_strdup(key);
    }
    for (size_t i = 0; i < k->count; i++) {
        if (strcmp(k->values[i], value) == 0)
            return; /* condition values are a set */
    }
    k->values = lc_realloc(k->values, (k->count + 1) * sizeof *k->values);
    k->values[k->count++] = lc_strdup(value);
}

/* The text of a scalar key value as IAM compares it (S and N as written, B in base64). */
static void s_add_leading_key(struct lc_ddb_auth_check *c, const struct ddb_table *t, const json_t *key_or_item)
{
    if (!t || !json_is_object(key_or_item))
        return;
    const json_t *v = json_object_get(key_or_item, t->hash.name);
    const char *type = v ? ddb_value_type(v) : NULL;
    if (!type)
        return;
    const json_t *m = json_object_get(v, type);
    if (!json_is_string(m))
        return;
    if (strcmp(type, "N") == 0) {
        struct ddb_num n;
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        if (ddb_num_parse(json_string_value(m), json_string_length(m), &n, NULL) == 0 && ddb_num_format(&n, &b) == 0) {
            s_add_value(c, "dynamodb:LeadingKeys", b.data);
            lc_buf_free(&b);
            return;
        }
        lc_buf_free(&b);
    }
    s_add_value(c, "dynamodb:LeadingKeys", json_string_value(m));
}

static void s_add_item_attributes(struct lc_ddb_auth_check *c, const json_t *item)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)item, k, v)
    s_add_value(c, "dynamodb:Attributes", k);
}

/* Attributes and Select from a request's projection (ProjectionExpression or AttributesToGet). */
static void s_add_projection(struct lc_ddb_auth_check *c, const json_t *req, bool with_select)
{
    static const char *const names[] = {"ProjectionExpression", "AttributesToGet", "Select"};
    const json_t *m[3];
    ddb_req_members(req, names, 3, m);
    /* Without either member there is no projection to name (the parse below would find none, and
     * costs more than the rest of the checks). */
    bool any = m[0] || m[1];
    struct ddb_exprs x;
    bool parsed = any && ddb_exprs_parse(req, DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET, &x, NULL) == 0;
    if (parsed && x.projection) {
        for (size_t i = 0; i < x.nprojection; i++)
            s_add_value(c, "dynamodb:Attributes", x.projection[i]->path[0].name);
    }
    const char *select = json_is_string(m[2]) ? json_string_value(m[2]) : NULL;
    if (with_select && select)
        s_add_value(c, "dynamodb:Select", select);
    else if (with_select && parsed && x.projection)
        s_add_value(c, "dynamodb:Select", "SPECIFIC_ATTRIBUTES");
    if (any)
        ddb_exprs_free(&x);
}

static void s_add_return_values(struct lc_ddb_auth_check *c, const json_t *rv)
{
    if (json_is_string(rv))
        s_add_value(c, "dynamodb:ReturnValues", json_string_value(rv));
}

/* The table when it exists (for key names); NULL otherwise, without an error. */
static const struct ddb_table *s_table(struct lc_ddb *ddb, const char *name)
{
    return name ? ddb_table_get(ddb, name, NULL) : NULL;
}

/* Query's partition key value, from its key condition. */
static void s_add_query_key(struct lc_ddb_auth_check *c, const struct ddb_table *t, const struct ddb_index *ix,
                            const json_t *req)
{
    if (!t)
        return;
    struct ddb_exprs x;
    if (ddb_exprs_parse(req, DDB_X_KEYCOND | DDB_X_FILTER | DDB_X_PROJECTION | DDB_X_ATTRS_TO_GET, &x, NULL) == 0 && x.keycond) {
        struct ddb_key_range kr;
        const struct ddb_key_attr *h = ix ? &ix->hash : &t->hash, *r = ix ? &ix->range : &t->range;
        if (ddb_key_condition(x.keycond, h, r, &kr, NULL) == 0 && kr.hash_value) {
            /* LeadingKeys names the table's partition key; through an index it is the index's. */
            json_t *holder = json_object();
            json_object_set(holder, t->hash.name, kr.hash_value);
            if (!ix || strcmp(ix->hash.name, t->hash.name) == 0)
                s_add_leading_key(c, t, holder);
            json_decref(holder);
        }
        ddb_key_range_free(&kr);
    }
    ddb_exprs_free(&x);
}

static int s_single(struct lc_ddb *ddb, const char *operation, const json_t *req, struct lc_ddb_auth_checks *out)
{
    enum { M_TABLE, M_INDEX, M_KEY, M_ITEM, M_RV, M_COUNT };
    static const char *const names[M_COUNT] = {"TableName", "IndexName", "Key", "Item", "ReturnValues"};
    const json_t *m[M_COUNT];
    ddb_req_members(req, names, M_COUNT, m);
    const char *name = json_is_string(m[M_TABLE]) ? json_string_value(m[M_TABLE]) : NULL;
    const struct ddb_table *t = strcmp(operation, "CreateTable") == 0 ? NULL : s_table(ddb, name);
    const char *ixname = json_is_string(m[M_INDEX]) ? json_string_value(m[M_INDEX]) : NULL;
    const struct ddb_index *ix = t && ixname ? ddb_table_index(t, ixname) : NULL;
    bool on_index = ixname && (strcmp(operation, "Query") == 0 || strcmp(operation, "Scan") == 0);
    struct lc_ddb_auth_check *c = s_add_check(ddb, out, operation, name ? name : "", on_index ? ixname : NULL);
    if (strcmp(operation, "GetItem") == 0) {
        s_add_leading_key(c, t, m[M_KEY]);
        s_add_projection(c, req, true);
    } else if (strcmp(operation, "PutItem") == 0) {
        const json_t *item = m[M_ITEM];
        s_add_leading_key(c, t, item);
        if (json_is_object(item))
            s_add_item_attributes(c, item);
        s_add_return_values(c, m[M_RV]);
    } else if (strcmp(operation, "DeleteItem") == 0) {
        s_add_leading_key(c, t, m[M_KEY]);
        s_add_return_values(c, m[M_RV]);
    } else if (strcmp(operation, "Query") == 0) {
        s_add_query_key(c, t, ix, req);
        s_add_projection(c, req, true);
    } else if (strcmp(operation, "Scan") == 0) {
        s_add_projection(c, req, true);
    }
    return 0;
}

static void s_batch(struct lc_ddb *ddb, const char *operation, const json_t *req, struct lc_ddb_auth_checks *out)
{
    const json_t *items = json_object_get(req, "RequestItems");
    if (!json_is_object(items))
        return;
    const char *name;
    json_t *tr;
    json_object_foreach((json_t *)items, name, tr)
    {
        struct lc_ddb_auth_check *c = s_add_check(ddb, out, operation, name, NULL);
        const struct ddb_table *t = s_table(ddb, name);
        if (strcmp(operation, "BatchGetItem") == 0) {
            size_t i;
            json_t *k;
            json_array_foreach(json_object_get(tr, "Keys"), i, k)
            s_add_leading_key(c, t, k);
            if (json_is_object(tr))
                s_add_projection(c, tr, false);
        } else {
            size_t i;
            json_t *r;
            json_array_foreach(tr, i, r)
            {
                const json_t *item = json_object_get(json_object_get(r, "PutRequest"), "Item");
                const json_t *key = json_object_get(json_object_get(r, "DeleteRequest"), "Key");
                if (json_is_object(item)) {
                    s_add_leading_key(c, t, item);
                    s_add_item_attributes(c, item);
                } else if (json_is_object(key)) {
                    s_add_leading_key(c, t, key);
                }
            }
        }
    }
}

int lc_ddb_auth_checks(struct lc_ddb *ddb, const char *operation, const json_t *request,
                       struct lc_ddb_auth_checks *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!lc_ddb_operation_known(operation))
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "UnknownOperationException", "%s", "");
    if (!json_is_object(request))
        return 0;
    if (strcmp(operation, "ListTables") == 0) {
        s_add_check(ddb, out, operation, NULL, NULL);
        return 0;
    }
    if (strcmp(operation, "BatchGetItem") == 0 || strcmp(operation, "BatchWriteItem") == 0) {
        s_batch(ddb, operation, request, out);
        return 0;
    }
    return s_single(ddb, operation, request, out);
}

void lc_ddb_auth_checks_free(struct lc_ddb_auth_checks *checks)
{
    if (!checks)
        return;
    for (size_t i = 0; i < checks->count; i++) {
        struct lc_ddb_auth_check *c = &checks->items[i];
        for (size_t j = 0; j < c->key_count; j++) {
            for (size_t v = 0; v < c->keys[j].count; v++)
                lc_free(c->keys[j].values[v]);
            lc_free(c->keys[j].values);
            lc_free(c->keys[j].name);
        }
        lc_free(c->keys);
        lc_free(c->action);
        lc_free(c->resource);
    }
    lc_free(checks->items);
    memset(checks, 0, sizeof *checks);
}
