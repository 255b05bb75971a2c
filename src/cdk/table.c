/* table.c: DynamoDB Table (CDK's aws_dynamodb.Table) and its grants. */
#include "cdk/internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

static const char *const s_resource_read[] = {"dynamodb:BatchGetItem", "dynamodb:Query",
                                              "dynamodb:GetItem", "dynamodb:Scan",
                                              "dynamodb:ConditionCheckItem"};
static const char *const s_principal_only_read[] = {"dynamodb:GetRecords", "dynamodb:GetShardIterator"};
static const char *const s_write[] = {"dynamodb:BatchWriteItem", "dynamodb:PutItem",
                                      "dynamodb:UpdateItem", "dynamodb:DeleteItem"};
static const char *const s_key_read[] = {"kms:Decrypt", "kms:DescribeKey"};
static const char *const s_key_read_write[] = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                               "kms:ReEncrypt*", "kms:GenerateDataKey*"};
static const char *const s_stream_read[] = {"dynamodb:DescribeStream", "dynamodb:GetRecords",
                                            "dynamodb:GetShardIterator"};
#define DESCRIBE_TABLE "dynamodb:DescribeTable"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *s_attr_type(lc_attr_type t)
{
    switch (t) {
    case LC_ATTR_STRING: return "S";
    case LC_ATTR_NUMBER: return "N";
    case LC_ATTR_BINARY: return "B";
    default: return NULL;
    }
}

static void s_register_attr(struct lc_node *t, const char *what, const lc_attribute *a)
{
    struct lc_app *app = t->app;
    const char *type = s_attr_type(a->type);
    if (!type) {
        lc__app_error(app, "%s: %s '%s' needs a type (LC_ATTR_STRING, LC_ATTR_NUMBER or LC_ATTR_BINARY)",
                      t->path, what, a->name);
        type = "S";
    }
    size_t i;
    json_t *d;
    json_array_foreach(t->u.table.attrs, i, d) {
        if (!strcmp(json_string_value(json_object_get(d, "AttributeName")), a->name)) {
            if (strcmp(json_string_value(json_object_get(d, "AttributeType")), type))
                lc__app_error(app, "%s: Unable to specify %s as %s because it was already defined as %s",
                              t->path, a->name, type,
                              json_string_value(json_object_get(d, "AttributeType")));
            return;
        }
    }
    json_array_append_new(t->u.table.attrs,
                          json_pack("{s:s,s:s}", "AttributeName", a->name, "AttributeType", type));
}

static bool s_valid_key(struct lc_node *t, const char *what, const lc_attribute *a, bool required)
{
    if (!a->name) {
        if (required)
            lc__app_error(t->app, "%s: %s is required", t->path, what);
        return false;
    }
    if (!lc__literal_required(t->app, what, a->name))
        return false;
    size_t n = strlen(a->name);
    if (n == 0 || n > 255) {
        lc__app_error(t->app, "%s: %s name must be 1 to 255 characters, got %zu", t->path, what, n);
        return false;
    }
    return true;
}

static json_t *s_key_schema(const char *pk, const char *sk)
{
    json_t *k = json_array();
    json_array_append_new(k, json_pack("{s:s,s:s}", "AttributeName", pk, "KeyType", "HASH"));
    if (sk)
        json_array_append_new(k, json_pack("{s:s,s:s}", "AttributeName", sk, "KeyType", "RANGE"));
    return k;
}

static json_t *s_throughput(int rcu, int wcu)
{
    return json_pack("{s:i,s:i}", "ReadCapacityUnits", rcu ? rcu : 5, "WriteCapacityUnits", wcu ? wcu : 5);
}

static json_t *s_index_json(struct lc_node *t, const struct index_def *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "IndexName", json_string(x->name));
    json_object_set_new(o, "KeySchema", s_key_schema(x->global ? x->pk : t->u.table.pk, x->sk));
    json_t *proj = json_object();
    if (x->nnon_key) {
        json_t *a = json_array();
        for (size_t i = 0; i < x->nnon_key; i++)
            json_array_append_new(a, json_string(x->non_key[i]));
        json_object_set_new(proj, "NonKeyAttributes", a);
    }
    static const char *const types[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    json_object_set_new(proj, "ProjectionType", json_string(types[x->projection]));
    json_object_set_new(o, "Projection", proj);
    if (x->global && t->u.table.billing != LC_BILLING_PAY_PER_REQUEST)
        json_object_set_new(o, "ProvisionedThroughput", s_throughput(x->rcu, x->wcu));
    return o;
}

struct table_opts {
    const char *name, *ttl;
    lc_stream_view stream;
    bool pitr;
    lc_table_encryption enc;
};

static void s_render(struct lc_node *res)
{
    struct lc_node *t = res->parent;
    json_t *p = res->cfn->props;
    /* Properties that may change after construction are rebuilt here, in CloudFormation's
     * alphabetical order, keeping the fixed ones set at construction. */
    json_t *fixed = json_copy(p);
    json_object_clear(p);
    json_object_set(p, "AttributeDefinitions", t->u.table.attrs);
    if (t->u.table.billing == LC_BILLING_PAY_PER_REQUEST)
        json_object_set_new(p, "BillingMode", json_string("PAY_PER_REQUEST"));
    json_t *gsi = json_array(), *lsi = json_array();
    for (size_t i = 0; i < t->u.table.nindexes; i++) {
        struct index_def *x = &t->u.table.indexes[i];
        json_array_append_new(x->global ? gsi : lsi, s_index_json(t, x));
    }
    if (json_array_size(gsi))
        json_object_set(p, "GlobalSecondaryIndexes", gsi);
    json_object_set_new(p, "KeySchema", s_key_schema(t->u.table.pk, t->u.table.sk));
    if (json_array_size(lsi))
        json_object_set(p, "LocalSecondaryIndexes", lsi);
    json_decref(gsi);
    json_decref(lsi);
    const char *order[] = {"PointInTimeRecoverySpecification", NULL, "SSESpecification",
                           "StreamSpecification", "TableName", "TimeToLiveSpecification"};
    for (size_t i = 0; i < COUNT(order); i++) {
        if (!order[i]) {
            if (t->u.table.billing != LC_BILLING_PAY_PER_REQUEST)
                json_object_set_new(p, "ProvisionedThroughput", s_throughput(t->u.table.rcu, t->u.table.wcu));
            continue;
        }
        json_t *v = json_object_get(fixed, order[i]);
        if (v)
            json_object_set(p, order[i], v);
    }
    json_decref(fixed);
}

static const char *s_removal(lc_removal_policy r)
{
    switch (r) {
    case LC_REMOVAL_DESTROY: return "Delete";
    case LC_REMOVAL_SNAPSHOT: return "Snapshot";
    default: return "Retain";
    }
}

lc_table *lc_table_new(lc_construct *scope, const char *id, const lc_table_props *props)
{
    static const lc_table_props none;
    if (!props)
        props = &none;
    struct lc_node *t = lc__node_new(scope, id, N_TABLE, "aws-cdk-lib.aws_dynamodb.Table");
    struct lc_app *app = t->app;
    t->u.table.attrs = json_array();
    t->u.table.billing = props->billing_mode;
    t->u.table.rcu = props->read_capacity;
    t->u.table.wcu = props->write_capacity;
    t->u.table.has_stream = props->stream != LC_STREAM_NONE;
    if (props->billing_mode == LC_BILLING_PAY_PER_REQUEST && (props->read_capacity || props->write_capacity))
        lc__app_error(app, "%s: you cannot provision read and write capacity for a table with "
                           "PAY_PER_REQUEST billing mode", t->path);
    if (props->read_capacity < 0 || props->write_capacity < 0)
        lc__app_error(app, "%s: capacity units must be positive", t->path);

    const char *name = props->table_name;
    if (name && !lc_token_is_unresolved(name)) {
        size_t n = strlen(name);
        if (n < 3 || n > 255 ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
            lc__app_error(app, "%s: Invalid table name '%s': it must be 3 to 255 characters of "
                               "letters, digits, '_', '-' and '.'", t->path, name);
    }
    if (props->encryption == LC_ENCRYPTION_CUSTOMER_MANAGED) {
        char *desc = lc_asprintf("Customer-managed key auto-created for encrypting DynamoDB table at %s", t->path);
        t->u.table.key = lc_key_new(t, "Key", &(lc_key_props){.description = desc, .enable_key_rotation = true});
        lc_free(desc);
    }
    t->resource = lc__cfn_child(t, "Resource", "AWS::DynamoDB::Table", "aws-cdk-lib.aws_dynamodb.CfnTable");
    struct cfn *c = t->resource->cfn;
    c->render = s_render;
    c->update_replace_policy = c->deletion_policy = s_removal(props->removal_policy);
    /* ScalingRole: CDK's placeholder for auto scaling, shown in tree.json. */
    lc__node_new(t, "ScalingRole", N_PLAIN, "aws-cdk-lib.Resource");

    if (s_valid_key(t, "partition_key", &props->partition_key, true)) {
        t->u.table.pk = lc_strdup(props->partition_key.name);
        s_register_attr(t, "partition_key", &props->partition_key);
    } else {
        t->u.table.pk = lc_strdup("");
    }
    if (s_valid_key(t, "sort_key", &props->sort_key, false)) {
        t->u.table.sk = lc_strdup(props->sort_key.name);
        s_register_attr(t, "sort_key", &props->sort_key);
    }

    json_t *p = c->props;
    if (props->point_in_time_recovery)
        json_object_set_new(p, "PointInTimeRecoverySpecification",
                            json_pack("{s:b}", "PointInTimeRecoveryEnabled", 1));
    if (props->encryption == LC_ENCRYPTION_AWS_MANAGED)
        json_object_set_new(p, "SSESpecification", json_pack("{s:b}", "SSEEnabled", 1));
    else if (props->encryption == LC_ENCRYPTION_CUSTOMER_MANAGED)
        json_object_set_new(p, "SSESpecification",
                            json_pack("{s:s,s:b,s:s}", "KMSMasterKeyId", lc_key_arn(t->u.table.key),
                                      "SSEEnabled", 1, "SSEType", "KMS"));
    static const char *const views[] = {NULL, "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"};
    if (props->stream > LC_STREAM_NONE && props->stream <= LC_STREAM_NEW_AND_OLD_IMAGES)
        json_object_set_new(p, "StreamSpecification", json_pack("{s:s}", "StreamViewType", views[props->stream]));
    if (name)
        json_object_set_new(p, "TableName", json_string(name));
    if (props->time_to_live_attribute) {
        lc__literal_required(app, "time_to_live_attribute", props->time_to_live_attribute);
        json_object_set_new(p, "TimeToLiveSpecification",
                            json_pack("{s:s,s:b}", "AttributeName", props->time_to_live_attribute, "Enabled", 1));
    }
    return t;
}

static void s_add_index(struct lc_node *t, const lc_index_props *props, bool global)
{
    struct lc_app *app = t->app;
    const char *kind = global ? "global secondary index" : "local secondary index";
    if (!props || !props->index_name) {
        lc__app_error(app, "%s: a %s needs an index_name", t->path, kind);
        return;
    }
    if (!lc__literal_required(app, "index_name", props->index_name))
        return;
    for (size_t i = 0; i < t->u.table.nindexes; i++)
        if (!strcmp(t->u.table.indexes[i].name, props->index_name)) {
            lc__app_error(app, "%s: a duplicate index name, %s, is not allowed", t->path, props->index_name);
            return;
        }
    size_t ng = 0, nl = 0;
    for (size_t i = 0; i < t->u.table.nindexes; i++)
        if (t->u.table.indexes[i].global)
            ng++;
        else
            nl++;
    if (global && ng >= 20) {
        lc__app_error(app, "%s: a maximum number of global secondary index per table is 20", t->path);
        return;
    }
    if (!global && nl >= 5) {
        lc__app_error(app, "%s: a maximum number of local secondary index per table is 5", t->path);
        return;
    }
    if (!global && !t->u.table.sk) {
        lc__app_error(app, "%s: a sort key of the table must be specified to add local secondary indexes", t->path);
        return;
    }
    if (global && !s_valid_key(t, "index partition_key", &props->partition_key, true))
        return;
    if (!global && !s_valid_key(t, "index sort_key", &props->sort_key, true))
        return;
    bool has_sk = props->sort_key.name && s_valid_key(t, "index sort_key", &props->sort_key, false);
    size_t nk = lc__list_len(props->non_key_attributes, LC_CDK_MAX_LIST);
    if (props->projection_type == LC_PROJECTION_INCLUDE && !nk) {
        lc__app_error(app, "%s: non-key attributes should be specified when using INCLUDE projection type", t->path);
        return;
    }
    if (props->projection_type != LC_PROJECTION_INCLUDE && nk) {
        lc__app_error(app, "%s: non-key attributes should not be specified when not using INCLUDE projection type", t->path);
        return;
    }
    if ((props->read_capacity || props->write_capacity) && t->u.table.billing == LC_BILLING_PAY_PER_REQUEST) {
        lc__app_error(app, "%s: you cannot provision read and write capacity for a table with "
                           "PAY_PER_REQUEST billing mode", t->path);
        return;
    }
    t->u.table.indexes = lc_realloc(t->u.table.indexes, (t->u.table.nindexes + 1) * sizeof *t->u.table.indexes);
    struct index_def *x = &t->u.table.indexes[t->u.table.nindexes++];
    memset(x, 0, sizeof *x);
    x->global = global;
    x->name = lc_strdup(props->index_name);
    if (global) {
        x->pk = lc_strdup(props->partition_key.name);
        s_register_attr(t, "index partition_key", &props->partition_key);
    }
    if (has_sk) {
        x->sk = lc_strdup(props->sort_key.name);
        s_register_attr(t, "index sort_key", &props->sort_key);
    }
    x->projection = props->projection_type;
    x->non_key = lc_calloc(nk + 1, sizeof *x->non_key);
    for (size_t i = 0; i < nk; i++)
        x->non_key[i] = lc_strdup(props->non_key_attributes[i]);
    x->nnon_key = nk;
    x->rcu = props->read_capacity;
    x->wcu = props->write_capacity;
}

void lc_table_add_global_secondary_index(lc_table *t, const lc_index_props *props)
{
    s_add_index(t, props, true);
}

void lc_table_add_local_secondary_index(lc_table *t, const lc_index_props *props)
{
    s_add_index(t, props, false);
}

const char *lc_table_name(lc_table *t) { return lc__ref(t->resource); }
const char *lc_table_arn(lc_table *t) { return lc__getatt(t->resource, "Arn"); }
const char *lc_table_stream_arn(lc_table *t) { return lc__getatt(t->resource, "StreamArn"); }
lc_key *lc_table_encryption_key(lc_table *t) { return t->u.table.key; }

/* ---- Grants (aws-dynamodb/lib/table-grants.js) ------------------------------------------------ */

static int s_table_actions(struct lc_node *t, struct lc_node *g, const char *const *actions, size_t n)
{
    /* The index ARN is lazy: it appears only if the table has indexes at synth time. */
    const char *arns[] = {lc_table_arn(t), lc__token(t->app, TOK_INDEX_ARN, t, NULL)};
    return lc__grant(g, actions, n, arns, 2);
}

static int s_key_grant(struct lc_node *t, struct lc_node *g, const char *const *actions, size_t n)
{
    if (!t->u.table.key)
        return 0;
    return lc_key_grant_actions(t->u.table.key, g, (const char *const[]){actions[0], actions[1],
                                n > 2 ? actions[2] : NULL, n > 3 ? actions[3] : NULL,
                                n > 4 ? actions[4] : NULL, NULL});
}

static int s_principal_only(struct lc_node *t, struct lc_node *g)
{
    return s_table_actions(t, g, s_principal_only_read, COUNT(s_principal_only_read));
}

static bool s_check(struct lc_node *t, struct lc_node *g)
{
    if (!t || t->kind != N_TABLE)
        return false;
    if (!lc__principal_of(g)) {
        lc__app_error(t->app, "%s: grants take a role, a user or a function", t->path);
        return false;
    }
    return true;
}

int lc_table_grant_read_data(lc_table *t, lc_grantable *g)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    s_key_grant(t, g, s_key_read, COUNT(s_key_read));
    const char *acts[COUNT(s_resource_read) + 1];
    memcpy(acts, s_resource_read, sizeof s_resource_read);
    acts[COUNT(s_resource_read)] = DESCRIBE_TABLE;
    s_table_actions(t, g, acts, COUNT(acts));
    return s_principal_only(t, g);
}

int lc_table_grant_write_data(lc_table *t, lc_grantable *g)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    const char *acts[COUNT(s_write) + 1];
    memcpy(acts, s_write, sizeof s_write);
    acts[COUNT(s_write)] = DESCRIBE_TABLE;
    s_table_actions(t, g, acts, COUNT(acts));
    return s_key_grant(t, g, s_key_read_write, COUNT(s_key_read_write));
}

int lc_table_grant_read_write_data(lc_table *t, lc_grantable *g)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    const char *acts[COUNT(s_resource_read) + COUNT(s_write) + 1];
    memcpy(acts, s_resource_read, sizeof s_resource_read);
    memcpy(acts + COUNT(s_resource_read), s_write, sizeof s_write);
    acts[COUNT(acts) - 1] = DESCRIBE_TABLE;
    s_table_actions(t, g, acts, COUNT(acts));
    s_key_grant(t, g, s_key_read_write, COUNT(s_key_read_write));
    return s_principal_only(t, g);
}

int lc_table_grant_full_access(lc_table *t, lc_grantable *g)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    const char *acts[] = {"dynamodb:*"};
    s_table_actions(t, g, acts, 1);
    return s_key_grant(t, g, s_key_read_write, COUNT(s_key_read_write));
}

int lc_table_grant_stream_read(lc_table *t, lc_grantable *g)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    if (!t->u.table.has_stream) {
        lc__app_error(t->app, "DynamoDB Streams must be enabled on the table %s", t->path);
        return LC_EINVAL;
    }
    const char *list[] = {"dynamodb:ListStreams"};
    const char *star[] = {"*"};
    lc__grant(g, list, 1, star, 1);
    const char *arn[] = {lc_table_stream_arn(t)};
    return lc__grant(g, s_stream_read, COUNT(s_stream_read), arn, 1);
}

int lc_table_grant_actions(lc_table *t, lc_grantable *g, const char *const *actions)
{
    if (!s_check(t, g))
        return LC_EINVAL;
    size_t n = actions ? lc__list_len(actions, LC_CDK_MAX_LIST) : 0;
    if (!n) {
        lc__app_error(t->app, "%s: a grant needs at least one action", t->path);
        return LC_EINVAL;
    }
    return s_table_actions(t, g, actions, n);
}
