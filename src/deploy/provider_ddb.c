/* provider_ddb.c: AWS::DynamoDB::Table through the DynamoDB library (CreateTable / DeleteTable). */
#include <stdlib.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

/* CloudFormation templates may carry numbers as strings (YAML, Fn::Sub); the API wants numbers. */
static json_t *s_number(const json_t *v)
{
    if (json_is_integer(v))
        return json_incref((json_t *)v);
    if (json_is_real(v))
        return json_integer((json_int_t)json_real_value(v));
    if (json_is_string(v))
        return json_integer(strtoll(json_string_value(v), NULL, 10));
    return NULL;
}

static json_t *s_throughput(const json_t *pt)
{
    if (!json_is_object(pt))
        return NULL;
    json_t *out = json_object();
    const char *keys[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        json_t *n = s_number(json_object_get(pt, keys[i]));
        if (n)
            json_object_set_new(out, keys[i], n);
    }
    return out;
}

static json_t *s_indexes(const json_t *list)
{
    json_t *out = json_array();
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix) {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(ix, k, v) {
            if (!strcmp(k, "ProvisionedThroughput"))
                json_object_set_new(o, k, s_throughput(v));
            else if (!strcmp(k, "IndexName") || !strcmp(k, "KeySchema") || !strcmp(k, "Projection"))
                json_object_set(o, k, v);
        }
        json_array_append_new(out, o);
    }
    return out;
}

/* The CreateTable request for the resource's properties. */
static json_t *s_create_request(const char *name, const json_t *props)
{
    json_t *req = json_pack("{ss}", "TableName", name);
    const char *copy[] = {"AttributeDefinitions", "KeySchema", "TableClass", "Tags", "DeletionProtectionEnabled"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        json_t *v = json_object_get(props, copy[i]);
        if (v)
            json_object_set(req, copy[i], v);
    }
    const char *billing = lc_prov_str(props, "BillingMode");
    json_object_set_new(req, "BillingMode", json_string(billing ? billing : "PROVISIONED"));
    json_t *pt = s_throughput(json_object_get(props, "ProvisionedThroughput"));
    if (pt)
        json_object_set_new(req, "ProvisionedThroughput", pt);
    if (json_object_get(props, "GlobalSecondaryIndexes"))
        json_object_set_new(req, "GlobalSecondaryIndexes", s_indexes(json_object_get(props, "GlobalSecondaryIndexes")));
    if (json_object_get(props, "LocalSecondaryIndexes"))
        json_object_set_new(req, "LocalSecondaryIndexes", s_indexes(json_object_get(props, "LocalSecondaryIndexes")));
    const char *view = json_string_value(json_object_get(json_object_get(props, "StreamSpecification"), "StreamViewType"));
    if (view)
        json_object_set_new(req, "StreamSpecification",
                            json_pack("{sbss}", "StreamEnabled", 1, "StreamViewType", view));
    const json_t *sse = json_object_get(props, "SSESpecification");
    if (json_is_object(sse))
        json_object_set(req, "SSESpecification", (json_t *)sse);
    return req;
}

static json_t *s_attrs(const json_t *description, const char *name, const struct lc_provider_call *c,
                       const json_t *props)
{
    const json_t *t = json_object_get(description, "Table") ? json_object_get(description, "Table")
                                                            : json_object_get(description, "TableDescription");
    const char *arn = json_string_value(json_object_get(t, "TableArn"));
    char *fallback = NULL;
    if (!arn)
        arn = fallback = lc_asprintf("arn:%s:dynamodb:%s:%s:table/%s", c->partition, c->region, c->account, name);
    json_t *a = json_pack("{ss}", "Arn", arn);
    const char *stream = json_string_value(json_object_get(t, "LatestStreamArn"));
    if (stream) {
        json_object_set_new(a, "StreamArn", json_string(stream));
    } else if (json_object_get(json_object_get(props, "StreamSpecification"), "StreamViewType")) {
        /* The table's DynamoDB has not enabled the stream (yet): its ARN, as AWS shapes it, still lets
         * the policies that name it deploy. */
        char label[25];
        lc_time_format_iso_ms(lc_clock_now_ms(), label);
        label[23] = '\0'; /* AWS's label has milliseconds and no 'Z' */
        char *sarn = lc_asprintf("%s/stream/%s", arn, label);
        json_object_set_new(a, "StreamArn", json_string(sarn));
        lc_free(sarn);
    }
    lc_free(fallback);
    return a;
}

static int s_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                    struct lc_error *err)
{
    if (!c->ddb)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "DynamoDB is not available");
    char *name = lc_prov_name(c, props, "TableName", 255);
    if (lc_ddb_table_exists(c->ddb, name)) {
        /* CloudFormation's words when the name is taken (e.g. by a table a destroyed stack retained). */
        int rc = lc_error_set(err, LC_EEXISTS, 400, "AlreadyExists", "%s already exists", name);
        lc_free(name);
        return rc;
    }
    json_t *req = s_create_request(name, props), *resp = NULL;
    int rc = lc_ddb_create_table(c->ddb, req, &resp, err);
    json_decref(req);
    if (rc) {
        if (rc == LC_EEXISTS || (err && !strcmp(err->aws_code, "ResourceInUseException")))
            rc = lc_error_set(err, LC_EEXISTS, 400, "AlreadyExists", "%s already exists", name);
        lc_free(name);
        return rc;
    }
    *attrs = s_attrs(resp, name, c, props);
    json_decref(resp);
    *id = name;
    return 0;
}

static bool s_changed(const json_t *o, const json_t *n, const char *key)
{
    return !json_equal(json_object_get(o, key), json_object_get(n, key));
}

static int s_describe(const struct lc_provider_call *c, const char *name, const json_t *props, json_t **attrs,
                      struct lc_error *err)
{
    json_t *req = json_pack("{ss}", "TableName", name), *resp = NULL;
    int rc = lc_ddb_describe_table(c->ddb, req, &resp, err);
    json_decref(req);
    if (rc)
        return rc;
    *attrs = s_attrs(resp, name, c, props);
    json_decref(resp);
    return 0;
}

static int s_call_update(const struct lc_provider_call *c, json_t *req, struct lc_error *err)
{
    json_t *resp = NULL;
    int rc = lc_ddb_call(c->ddb, "UpdateTable", req, &resp, err);
    json_decref(req);
    json_decref(resp);
    return rc;
}

static const json_t *s_find_index(const json_t *list, const char *name)
{
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix) if (!strcmp(lc_prov_str(ix, "IndexName") ? lc_prov_str(ix, "IndexName") : "", name))
        return ix;
    return NULL;
}

/* UpdateTable calls for what changed, one change per call where DynamoDB insists (indexes, a stream's
 * view type). */
static int s_update_table(const struct lc_provider_call *c, const char *name, const json_t *o, const json_t *n,
                          struct lc_error *err)
{
    json_t *req = json_pack("{ss}", "TableName", name);
    json_t *full = s_create_request(name, n);
    if (s_changed(o, n, "BillingMode") || s_changed(o, n, "ProvisionedThroughput")) {
        json_object_set(req, "BillingMode", json_object_get(full, "BillingMode"));
        if (json_object_get(full, "ProvisionedThroughput"))
            json_object_set(req, "ProvisionedThroughput", json_object_get(full, "ProvisionedThroughput"));
    }
    const char *keys[] = {"SSESpecification", "TableClass", "DeletionProtectionEnabled"};
    for (size_t i = 0; i < 3; i++)
        if (s_changed(o, n, keys[i]) && json_object_get(full, keys[i]))
            json_object_set(req, keys[i], json_object_get(full, keys[i]));
    int rc = 0;
    if (s_changed(o, n, "StreamSpecification")) {
        bool had = json_object_get(json_object_get(o, "StreamSpecification"), "StreamViewType") != NULL;
        if (had) /* a view type cannot change in place: disable, then enable the new one */
            rc = s_call_update(c, json_pack("{s:s, s:{s:b}}", "TableName", name, "StreamSpecification",
                                            "StreamEnabled", 0), err);
        if (!rc && json_object_get(full, "StreamSpecification"))
            json_object_set(req, "StreamSpecification", json_object_get(full, "StreamSpecification"));
    }
    if (!rc && json_object_size(req) > 1)
        rc = s_call_update(c, json_incref(req), err);
    json_decref(req);
    const json_t *old_ix = json_object_get(o, "GlobalSecondaryIndexes");
    const json_t *new_ix = json_object_get(full, "GlobalSecondaryIndexes");
    size_t i;
    json_t *ix;
    json_array_foreach(old_ix, i, ix) {
        const char *ixname = lc_prov_str(ix, "IndexName");
        if (!rc && ixname && !s_find_index(new_ix, ixname))
            rc = s_call_update(c, json_pack("{s:s, s:[{s:{s:s}}]}", "TableName", name, "GlobalSecondaryIndexUpdates",
                                            "Delete", "IndexName", ixname), err);
    }
    json_array_foreach(new_ix, i, ix) {
        const char *ixname = lc_prov_str(ix, "IndexName");
        if (!rc && ixname && !s_find_index(old_ix, ixname))
            rc = s_call_update(c, json_pack("{s:s, s:O, s:[{s:O}]}", "TableName", name, "AttributeDefinitions",
                                            json_object_get(full, "AttributeDefinitions"), "GlobalSecondaryIndexUpdates",
                                            "Create", ix), err);
    }
    json_decref(full);
    return rc;
}

static int s_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                    json_t **attrs, struct lc_error *err)
{
    if (!c->ddb)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "DynamoDB is not available");
    bool table_change = s_changed(o, n, "BillingMode") || s_changed(o, n, "ProvisionedThroughput") ||
                        s_changed(o, n, "GlobalSecondaryIndexes") || s_changed(o, n, "StreamSpecification") ||
                        s_changed(o, n, "SSESpecification") || s_changed(o, n, "AttributeDefinitions") ||
                        s_changed(o, n, "TableClass") || s_changed(o, n, "DeletionProtectionEnabled");
    if (table_change) {
        if (lc_ddb_operation_known("UpdateTable")) {
            int rc = s_update_table(c, id, o, n, err);
            if (rc)
                return rc;
        } else if (c->warn) {
            c->warn(c->warn_ud, c->logical_id,
                    "this build's DynamoDB has no UpdateTable yet: the new table settings are recorded "
                    "in the stack but the table keeps its old ones");
        }
    }
    return s_describe(c, id, n, attrs, err);
}

static int s_remove(const struct lc_provider_call *c, const char *id, const json_t *props, const json_t *attrs,
                    struct lc_error *err)
{
    if (!c->ddb)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "DynamoDB is not available");
    if (!lc_ddb_table_exists(c->ddb, id))
        return 0;
    json_t *req = json_pack("{ss}", "TableName", id), *resp = NULL;
    int rc = lc_ddb_delete_table(c->ddb, req, &resp, err);
    json_decref(req);
    json_decref(resp);
    return rc == LC_ENOTFOUND ? 0 : rc;
}

const struct lc_provider lc_provider_ddb_table = {"AWS::DynamoDB::Table", "TableName", 255, s_create, s_update,
                                                  s_remove};
