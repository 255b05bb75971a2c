/* op_table.c: CreateTable, DescribeTable, DeleteTable, ListTables. Tables are ACTIVE at once. */
#include "ddb/ddb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/hash.h"
#include "leastcloud/store.h"

#define MAX_CAPACITY_UNITS 1000000000000LL

static const char *const SQL_INSERT = "INSERT INTO ddb_table(name, meta) VALUES(?, ?)";
static const char *const SQL_DELETE = "DELETE FROM ddb_table WHERE id=?";
static const char *const SQL_LIST = "SELECT name FROM ddb_table WHERE name > ? ORDER BY name LIMIT ?";
static const char *const SQL_COUNT = "SELECT count(*), coalesce(sum(size), 0) FROM ddb_item WHERE tid=?";
static const char *const SQL_IX_COUNT =
    "SELECT count(*), coalesce(sum(size), 0) FROM ddb_index_item WHERE tid=? AND ix=?";

/* ---------------------------------------------------------------- CreateTable validation */

struct keys {
    const char *hash, *range;
    size_t n;
};

/* KeySchema: 1 or 2 elements of {AttributeName, KeyType in HASH|RANGE}. `where` is the wire path
 * for messages ("keySchema" or "globalSecondaryIndexes.1.member.keySchema"). */
static int s_check_key_schema(const json_t *ks, const char *where, struct keys *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!ks || json_is_null(ks))
        return ddb_constraint(err, NULL, where, "Member must not be null");
    if (!json_is_array(ks))
        return ddb_serialization(err, json_is_object(ks) ? "Start of structure or map found where not expected" : "Unexpected field type");
    size_t n = json_array_size(ks);
    char field[256];
    if (n < 1 || n > 2) {
        return ddb_constraint(err, "[]", where,
                              n < 1 ? "Member must have length greater than or equal to 1"
                                    : "Member must have length less than or equal to 2");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(ks, i);
        if (!json_is_object(e))
            return ddb_serialization(err, "Unexpected value type in payload");
        const char *name, *type;
        int rc = ddb_req_string(e, "AttributeName", false, &name, err);
        if (!rc)
            rc = ddb_req_string(e, "KeyType", false, &type, err);
        if (rc)
            return rc;
        if (!name) {
            snprintf(field, sizeof field, "%s.%zu.member.attributeName", where, i + 1);
            return ddb_constraint(err, NULL, field, "Member must not be null");
        }
        if (!type) {
            snprintf(field, sizeof field, "%s.%zu.member.keyType", where, i + 1);
            return ddb_constraint(err, NULL, field, "Member must not be null");
        }
        if (strcmp(type, "HASH") != 0 && strcmp(type, "RANGE") != 0) {
            snprintf(field, sizeof field, "%s.%zu.member.keyType", where, i + 1);
            return ddb_constraint(err, type, field, "Member must satisfy enum value set: [HASH, RANGE]");
        }
        if (i == 0)
            out->hash = name;
        else
            out->range = name;
    }
    out->n = n;
    return 0;
}

static char *s_names_list(const char *const *names, size_t n)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_byte(&b, '[');
    for (size_t i = 0; i < n; i++)
        lc_buf_appendf(&b, "%s%s", i ? ", " : "", names[i]);
    lc_buf_append_byte(&b, ']');
    return lc_buf_detach(&b, NULL);
}

/* The key roles and attribute definitions agree, with AWS's messages. */
static int s_check_keys_defined(const json_t *ks, const struct keys *k, const char *const *defs, size_t ndefs,
                                struct lc_error *err)
{
    const char *names[2] = {k->hash, k->range};
    for (size_t i = 0; i < k->n; i++) {
        bool found = false;
        for (size_t j = 0; j < ndefs && !found; j++)
            found = strcmp(defs[j], names[i]) == 0;
        if (!found) {
            char *a = s_names_list(names, k->n), *b = s_names_list(defs, ndefs);
            int rc = ddb_invalid(err, "One or more parameter values were invalid: Some index key attributes are not defined in "
                                      "AttributeDefinitions. Keys: %s, AttributeDefinitions: %s", a, b);
            lc_free(a);
            lc_free(b);
            return rc;
        }
    }
    if (k->n == 2 && strcmp(k->hash, k->range) == 0)
        return ddb_invalid(err, "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (strcmp(json_string_value(json_object_get(json_array_get(ks, 0), "KeyType")), "HASH") != 0)
        return ddb_invalid(err, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (k->n == 2 && strcmp(json_string_value(json_object_get(json_array_get(ks, 1), "KeyType")), "RANGE") != 0)
        return ddb_invalid(err, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return 0;
}

static int s_check_throughput(const json_t *pt, const char *where, struct lc_error *err)
{
    static const char *const fields[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    if (!json_is_object(pt))
        return ddb_serialization(err, json_is_array(pt) ? "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"
                                                        : "Unexpected field type");
    for (size_t i = 0; i < 2; i++) {
        bool present;
        int64_t v;
        int rc = ddb_req_int(pt, fields[i], &present, &v, err);
        if (rc)
            return rc;
        char field[256];
        snprintf(field, sizeof field, "%s.%s", where, i ? "writeCapacityUnits" : "readCapacityUnits");
        if (!present)
            return ddb_constraint(err, NULL, field, "Member must not be null");
        if (v < 1) {
            char val[32];
            snprintf(val, sizeof val, "%lld", (long long)v);
            return ddb_constraint(err, val, field, "Member must have value greater than or equal to 1");
        }
        if (v > MAX_CAPACITY_UNITS)
            return ddb_invalid(err, "Given value %lld for %s is out of bounds", (long long)v, fields[i]);
    }
    return 0;
}

static int s_check_projection(const json_t *ix, const char *kind, size_t i, struct lc_error *err)
{
    const json_t *p = json_object_get(ix, "Projection");
    if (!p || json_is_null(p)) {
        char field[128];
        snprintf(field, sizeof field, "%s.%zu.member.projection", kind, i + 1);
        return ddb_constraint(err, NULL, field, "Member must not be null");
    }
    if (!json_is_object(p))
        return ddb_serialization(err, "Unexpected field type");
    const char *pt;
    static const char *const types[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    int rc = ddb_check_enum(p, "ProjectionType", types, 3, &pt, err);
    if (rc)
        return rc;
    if (!pt)
        return ddb_invalid(err, "One or more parameter values were invalid: Unknown ProjectionType: null");
    const json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (nk && !json_is_null(nk)) {
        if (strcmp(pt, "INCLUDE") != 0)
            return ddb_invalid(err, "One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", pt);
        if (!json_is_array(nk))
            return ddb_serialization(err, "Unexpected field type");
        for (size_t j = 0; j < json_array_size(nk); j++) {
            if (!json_is_string(json_array_get(nk, j)))
                return ddb_wrong_type(json_array_get(nk, j), "String", err);
        }
    }
    return 0;
}

static int s_check_indexes(const json_t *req, const json_t *list, bool global, const struct keys *table_keys,
                           const char *const *defs, size_t ndefs, bool pay_per_request, json_t *seen_names,
                           struct lc_error *err)
{
    const char *kind = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
    if (!json_is_array(list))
        return ddb_serialization(err, json_is_object(list) ? "Start of structure or map found where not expected" : "Unexpected field type");
    if (json_array_size(list) == 0)
        return ddb_invalid(err, "One or more parameter values were invalid: List of %s is empty",
                           global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    if (!global && table_keys->n != 2)
        return ddb_invalid(err, "One or more parameter values were invalid: Table KeySchema does not have a range key, "
                                "which is required when specifying a LocalSecondaryIndex");
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        if (!json_is_object(ix))
            return ddb_serialization(err, "Unexpected value type in payload");
        const char *name;
        int rc = ddb_req_string(ix, "IndexName", false, &name, err);
        if (rc)
            return rc;
        char where[128];
        if (!name) {
            snprintf(where, sizeof where, "%s.%zu.member.indexName", kind, i + 1);
            return ddb_constraint(err, NULL, where, "Member must not be null");
        }
        size_t nlen = strlen(name);
        if (nlen < 3 || nlen > 255) {
            snprintf(where, sizeof where, "%s.%zu.member.indexName", kind, i + 1);
            return ddb_constraint(err, name, where, nlen < 3 ? "Member must have length greater than or equal to 3"
                                                             : "Member must have length less than or equal to 255");
        }
        snprintf(where, sizeof where, "%s.%zu.member.keySchema", kind, i + 1);
        struct keys k;
        const json_t *ks = json_object_get(ix, "KeySchema");
        if ((rc = s_check_key_schema(ks, where, &k, err)))
            return rc;
        if ((rc = s_check_keys_defined(ks, &k, defs, ndefs, err)))
            return rc;
        if (!global) {
            if (k.n != 2)
                return ddb_invalid(err, "One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", name);
            if (strcmp(k.hash, table_keys->hash) != 0)
                return ddb_invalid(err, "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key "
                                        "as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
                                   name, k.hash, table_keys->hash);
        }
        if ((rc = s_check_projection(ix, kind, i, err)))
            return rc;
        const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
        if (global && pt && !json_is_null(pt)) {
            if (pay_per_request)
                return ddb_invalid(err, "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
                                        "for index: %s when BillingMode is PAY_PER_REQUEST", name);
            snprintf(where, sizeof where, "%s.%zu.member.provisionedThroughput", kind, i + 1);
            if ((rc = s_check_throughput(pt, where, err)))
                return rc;
        } else if (global && !pay_per_request) {
            return ddb_invalid(err, "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", name);
        }
        if (json_object_get(seen_names, name))
            return ddb_invalid(err, "One or more parameter values were invalid: Duplicate index name: %s", name);
        json_object_set_new(seen_names, name, json_true());
    }
    if (!global && json_array_size(list) > DDB_MAX_LSI)
        return ddb_invalid(err, "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    if (global && json_array_size(list) > DDB_MAX_GSI)
        return ddb_invalid(err, "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20");
    (void)req;
    return 0;
}

static void s_uuid(char out[37])
{
    uint8_t b[16];
    lc_random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static json_t *s_throughput(const json_t *pt)
{
    json_t *o = json_object();
    json_object_set_new(o, "NumberOfDecreasesToday", json_integer(0));
    json_object_set_new(o, "ReadCapacityUnits", json_integer(pt ? json_integer_value(json_object_get(pt, "ReadCapacityUnits")) : 0));
    json_object_set_new(o, "WriteCapacityUnits", json_integer(pt ? json_integer_value(json_object_get(pt, "WriteCapacityUnits")) : 0));
    return o;
}

static json_t *s_copy_key_schema(const json_t *ks)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        json_t *o = json_object();
        json_object_set(o, "AttributeName", json_object_get(e, "AttributeName"));
        json_object_set(o, "KeyType", json_object_get(e, "KeyType"));
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *s_copy_projection(const json_t *p)
{
    json_t *o = json_object();
    json_object_set(o, "ProjectionType", json_object_get(p, "ProjectionType"));
    const json_t *nk = json_object_get(p, "NonKeyAttributes");
    if (nk && !json_is_null(nk))
        json_object_set_new(o, "NonKeyAttributes", json_deep_copy(nk));
    return o;
}

/* The stored TableDescription (counts are added when described). */
static json_t *s_description(struct lc_ddb *ddb, const json_t *req, const char *name, bool ppr, double now_s)
{
    json_t *d = json_object();
    json_t *defs = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(req, "AttributeDefinitions"), i, e)
    {
        json_t *o = json_object();
        json_object_set(o, "AttributeName", json_object_get(e, "AttributeName"));
        json_object_set(o, "AttributeType", json_object_get(e, "AttributeType"));
        json_array_append_new(defs, o);
    }
    json_object_set_new(d, "AttributeDefinitions", defs);
    json_object_set_new(d, "TableName", json_string(name));
    json_object_set_new(d, "KeySchema", s_copy_key_schema(json_object_get(req, "KeySchema")));
    json_object_set_new(d, "TableStatus", json_string("ACTIVE"));
    json_object_set_new(d, "CreationDateTime", json_real(now_s));
    json_object_set_new(d, "ProvisionedThroughput", s_throughput(ppr ? NULL : json_object_get(req, "ProvisionedThroughput")));
    char *arn = lc_ddb_table_arn(ddb, name);
    json_object_set_new(d, "TableArn", json_string(arn));
    char uuid[37];
    s_uuid(uuid);
    json_object_set_new(d, "TableId", json_string(uuid));
    if (ppr) {
        json_t *b = json_object();
        json_object_set_new(b, "BillingMode", json_string("PAY_PER_REQUEST"));
        json_object_set_new(b, "LastUpdateToPayPerRequestDateTime", json_real(now_s));
        json_object_set_new(d, "BillingModeSummary", b);
    }
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (size_t l = 0; l < 2; l++) {
        const json_t *src = json_object_get(req, lists[l]);
        if (!src || json_is_null(src))
            continue;
        json_t *arr = json_array();
        json_array_foreach(src, i, e)
        {
            json_t *o = json_object();
            const char *ixname = json_string_value(json_object_get(e, "IndexName"));
            json_object_set_new(o, "IndexName", json_string(ixname));
            json_object_set_new(o, "KeySchema", s_copy_key_schema(json_object_get(e, "KeySchema")));
            json_object_set_new(o, "Projection", s_copy_projection(json_object_get(e, "Projection")));
            if (l == 1) {
                json_object_set_new(o, "IndexStatus", json_string("ACTIVE"));
                json_object_set_new(o, "ProvisionedThroughput", s_throughput(ppr ? NULL : json_object_get(e, "ProvisionedThroughput")));
            }
            char *ixarn = lc_asprintf("%s/index/%s", arn, ixname);
            json_object_set_new(o, "IndexArn", json_string(ixarn));
            lc_free(ixarn);
            json_array_append_new(arr, o);
        }
        json_object_set_new(d, lists[l], arr);
    }
    const json_t *stream = json_object_get(req, "StreamSpecification");
    if (json_is_true(json_object_get(stream, "StreamEnabled"))) {
        json_t *s = json_object();
        json_object_set_new(s, "StreamEnabled", json_true());
        json_object_set(s, "StreamViewType", json_object_get(stream, "StreamViewType"));
        json_object_set_new(d, "StreamSpecification", s);
        char label[96];
        time_t secs = (time_t)now_s;
        struct tm tm;
        gmtime_r(&secs, &tm);
        snprintf(label, sizeof label, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((now_s - (double)secs) * 1000));
        json_object_set_new(d, "LatestStreamLabel", json_string(label));
        char *sarn = lc_asprintf("%s/stream/%s", arn, label);
        json_object_set_new(d, "LatestStreamArn", json_string(sarn));
        lc_free(sarn);
    }
    const json_t *sse = json_object_get(req, "SSESpecification");
    if (json_is_true(json_object_get(sse, "Enabled"))) {
        json_t *s = json_object();
        json_object_set_new(s, "Status", json_string("ENABLED"));
        json_object_set_new(s, "SSEType", json_string("KMS"));
        const char *key = json_string_value(json_object_get(sse, "KMSMasterKeyId"));
        char *karn = key && strncmp(key, "arn:", 4) == 0
                         ? lc_strdup(key)
                         : lc_asprintf("arn:aws:kms:%s:%s:key/%s", lc_store_region(ddb->store), lc_store_account(ddb->store),
                                       key ? key : "aws/dynamodb");
        json_object_set_new(s, "KMSMasterKeyArn", json_string(karn));
        lc_free(karn);
        json_object_set_new(d, "SSEDescription", s);
    }
    const char *tclass = json_string_value(json_object_get(req, "TableClass"));
    if (tclass) {
        json_t *tc = json_object();
        json_object_set_new(tc, "TableClass", json_string(tclass));
        json_object_set_new(d, "TableClassSummary", tc);
    }
    json_object_set_new(d, "DeletionProtectionEnabled", json_boolean(json_is_true(json_object_get(req, "DeletionProtectionEnabled"))));
    const json_t *tags = json_object_get(req, "Tags");
    if (json_is_array(tags) && json_array_size(tags))
        json_object_set_new(d, "Tags", json_deep_copy(tags));
    lc_free(arn);
    return d;
}

static int s_check_create(const json_t *req, bool *ppr_out, struct lc_error *err)
{
    int rc = ddb_check_table_name(json_object_get(req, "TableName"), "TableName", err);
    if (rc)
        return rc;
    const json_t *defs;
    if ((rc = ddb_req_array(req, "AttributeDefinitions", false, &defs, err)))
        return rc;
    if (!defs)
        return ddb_constraint(err, NULL, "attributeDefinitions", "Member must not be null");
    const char *names[64];
    size_t ndefs = 0;
    size_t i;
    json_t *e;
    json_array_foreach(defs, i, e)
    {
        if (!json_is_object(e))
            return ddb_serialization(err, "Unexpected value type in payload");
        const char *n, *t;
        char field[128];
        if ((rc = ddb_req_string(e, "AttributeName", false, &n, err)) || (rc = ddb_req_string(e, "AttributeType", false, &t, err)))
            return rc;
        if (!n) {
            snprintf(field, sizeof field, "attributeDefinitions.%zu.member.attributeName", i + 1);
            return ddb_constraint(err, NULL, field, "Member must not be null");
        }
        snprintf(field, sizeof field, "attributeDefinitions.%zu.member.attributeType", i + 1);
        if (!t)
            return ddb_constraint(err, NULL, field, "Member must not be null");
        if (strcmp(t, "S") != 0 && strcmp(t, "N") != 0 && strcmp(t, "B") != 0)
            return ddb_constraint(err, t, field, "Member must satisfy enum value set: [B, N, S]");
        if (ndefs < 64)
            names[ndefs++] = n;
    }
    struct keys k;
    const json_t *ks = json_object_get(req, "KeySchema");
    if ((rc = s_check_key_schema(ks, "keySchema", &k, err)))
        return rc;
    static const char *const modes[] = {"PROVISIONED", "PAY_PER_REQUEST"};
    const char *mode;
    if ((rc = ddb_check_enum(req, "BillingMode", modes, 2, &mode, err)))
        return rc;
    bool ppr = mode && strcmp(mode, "PAY_PER_REQUEST") == 0;
    const json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (pt && json_is_null(pt))
        pt = NULL;
    if (pt && (rc = s_check_throughput(pt, "provisionedThroughput", err)))
        return rc;
    if (ppr && pt)
        return ddb_invalid(err, "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                                "can be specified when BillingMode is PAY_PER_REQUEST");
    if (!ppr && !pt)
        return ddb_invalid(err, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
                                "both be specified when BillingMode is PROVISIONED");
    if (k.n > ndefs)
        return ddb_invalid(err, "Invalid KeySchema: Some index key attribute have no definition");
    if ((rc = s_check_keys_defined(ks, &k, names, ndefs, err)))
        return rc;
    const json_t *lsi = json_object_get(req, "LocalSecondaryIndexes");
    const json_t *gsi = json_object_get(req, "GlobalSecondaryIndexes");
    if (lsi && json_is_null(lsi))
        lsi = NULL;
    if (gsi && json_is_null(gsi))
        gsi = NULL;
    json_t *seen = json_object();
    if (lsi)
        rc = s_check_indexes(req, lsi, false, &k, names, ndefs, ppr, seen, err);
    if (!rc && gsi)
        rc = s_check_indexes(req, gsi, true, &k, names, ndefs, ppr, seen, err);
    json_decref(seen);
    if (rc)
        return rc;
    /* Every attribute definition must be used by some key (AWS refuses spare definitions). */
    for (size_t d = 0; d < ndefs; d++) {
        bool used = strcmp(names[d], k.hash) == 0 || (k.range && strcmp(names[d], k.range) == 0);
        const json_t *lists[2] = {lsi, gsi};
        for (size_t l = 0; l < 2 && !used; l++) {
            json_array_foreach(lists[l], i, e)
            {
                const json_t *iks = json_object_get(e, "KeySchema");
                for (size_t j = 0; j < json_array_size(iks); j++) {
                    const char *an = json_string_value(json_object_get(json_array_get(iks, j), "AttributeName"));
                    if (an && strcmp(an, names[d]) == 0)
                        used = true;
                }
            }
        }
        if (!used && !lsi && !gsi)
            return ddb_invalid(err, "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                                    "exactly match number of attributes defined in AttributeDefinitions");
        if (!used) {
            char *all = s_names_list(names, ndefs);
            rc = ddb_invalid(err, "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
                                  "AttributeDefinitions: %s", all);
            lc_free(all);
            return rc;
        }
    }
    const json_t *tags;
    if ((rc = ddb_req_array(req, "Tags", false, &tags, err)))
        return rc;
    json_array_foreach(tags, i, e)
    {
        if (!json_is_object(e) || !json_is_string(json_object_get(e, "Key")) || !json_is_string(json_object_get(e, "Value")))
            return ddb_invalid(err, "One or more parameter values were invalid: Tags must have a Key and a Value");
    }
    *ppr_out = ppr;
    return 0;
}

int lc_ddb_create_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    bool ppr = false;
    int rc = s_check_create(request, &ppr, err);
    if (rc)
        return rc;
    const char *name = json_string_value(json_object_get(request, "TableName"));
    json_t *desc = s_description(ddb, request, name, ppr, (double)lc_clock_now_ms() / 1000.0);
    char *text = json_dumps(desc, JSON_COMPACT);
    struct ddb_tx tx;
    if ((rc = ddb_tx_write(ddb, &tx, err)))
        goto done;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_INSERT, err);
    if (!st) {
        rc = LC_EINTERNAL;
    } else {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_CONSTRAINT || sqlite3_extended_errcode(lc_store_db(ddb->store)) == SQLITE_CONSTRAINT_UNIQUE)
            rc = lc_error_set(err, LC_EEXISTS, 400, "ResourceInUseException", "Table already exists: %s", name);
        else if (step != SQLITE_DONE)
            rc = lc_store_sql_error(ddb->store, "creating a table", err);
        lc_store_stmt_done(st);
    }
    if (!rc)
        rc = ddb_bump_generation(ddb, err);
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (!rc) {
        json_object_del(desc, "Tags");
        json_object_set_new(desc, "TableSizeBytes", json_integer(0));
        json_object_set_new(desc, "ItemCount", json_integer(0));
        static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
        for (size_t l = 0; l < 2; l++) {
            size_t i;
            json_t *ix;
            json_array_foreach(json_object_get(desc, lists[l]), i, ix)
            {
                json_object_set_new(ix, "IndexSizeBytes", json_integer(0));
                json_object_set_new(ix, "ItemCount", json_integer(0));
            }
        }
        *response = json_pack("{s:O}", "TableDescription", desc);
    }
done:
    free(text);
    json_decref(desc);
    return rc;
}

/* The description with live counts, as DescribeTable shows it. New reference. */
static json_t *s_describe(struct lc_ddb *ddb, const struct ddb_table *t, struct lc_error *err)
{
    json_t *d = json_deep_copy(t->description);
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_COUNT, err);
    int64_t count = 0, bytes = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, t->id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            count = sqlite3_column_int64(st, 0);
            bytes = sqlite3_column_int64(st, 1);
        }
        lc_store_stmt_done(st);
    }
    json_object_set_new(d, "TableSizeBytes", json_integer(bytes));
    json_object_set_new(d, "ItemCount", json_integer(count));
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(d, lists[l]), i, ix)
        {
            const struct ddb_index *di = ddb_table_index(t, json_string_value(json_object_get(ix, "IndexName")));
            int64_t c = 0, b = 0;
            if (di && (st = lc_store_stmt(ddb->store, SQL_IX_COUNT, err))) {
                sqlite3_bind_int64(st, 1, t->id);
                sqlite3_bind_int64(st, 2, di->id);
                if (sqlite3_step(st) == SQLITE_ROW) {
                    c = sqlite3_column_int64(st, 0);
                    b = sqlite3_column_int64(st, 1);
                }
                lc_store_stmt_done(st);
            }
            json_object_set_new(ix, "IndexSizeBytes", json_integer(b));
            json_object_set_new(ix, "ItemCount", json_integer(c));
        }
    }
    return d;
}

static const struct ddb_table *s_table_for_control(struct lc_ddb *ddb, const json_t *request, struct lc_error *err)
{
    if (ddb_check_table_name(json_object_get(request, "TableName"), "TableName", err))
        return NULL;
    const char *name = json_string_value(json_object_get(request, "TableName"));
    const struct ddb_table *t = ddb_table_get(ddb, name, err);
    if (!t && err && err->code == LC_ENOTFOUND)
        lc_error_set(err, LC_ENOTFOUND, 400, "ResourceNotFoundException", "Requested resource not found: Table: %s not found", name);
    return t;
}

int lc_ddb_describe_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    struct lc_error local;
    if (!err)
        err = &local;
    const struct ddb_table *t = s_table_for_control(ddb, request, err);
    if (!t)
        return err->code ? err->code : LC_ENOTFOUND;
    json_t *d = s_describe(ddb, t, err);
    *response = json_pack("{s:o}", "Table", d);
    return 0;
}

int lc_ddb_delete_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    struct lc_error local;
    if (!err)
        err = &local;
    const struct ddb_table *t = s_table_for_control(ddb, request, err);
    if (!t)
        return err->code ? err->code : LC_ENOTFOUND;
    json_t *d = s_describe(ddb, t, err);
    struct ddb_tx tx;
    int rc = ddb_tx_write(ddb, &tx, err);
    if (rc) {
        json_decref(d);
        return rc;
    }
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_DELETE, err);
    if (!st) {
        rc = LC_EINTERNAL;
    } else {
        sqlite3_bind_int64(st, 1, t->id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(ddb->store, "deleting a table", err);
        lc_store_stmt_done(st);
        if (!rc && sqlite3_changes(lc_store_db(ddb->store)) == 0)
            rc = lc_error_set(err, LC_ENOTFOUND, 400, "ResourceNotFoundException",
                              "Requested resource not found: Table: %s not found", t->name);
    }
    if (!rc)
        rc = ddb_store_drop(ddb, t->id, err);
    if (!rc)
        rc = ddb_bump_generation(ddb, err);
    rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc) {
        json_decref(d);
        return rc;
    }
    json_object_set_new(d, "TableStatus", json_string("DELETING"));
    *response = json_pack("{s:o}", "TableDescription", d);
    return 0;
}

int lc_ddb_list_tables(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    *response = NULL;
    bool has_limit;
    int64_t limit;
    int rc = ddb_req_int(request, "Limit", &has_limit, &limit, err);
    if (rc)
        return rc;
    char val[32];
    if (has_limit && limit < 1) {
        snprintf(val, sizeof val, "%lld", (long long)limit);
        return ddb_constraint(err, val, "limit", "Member must have value greater than or equal to 1");
    }
    if (has_limit && limit > 100) {
        snprintf(val, sizeof val, "%lld", (long long)limit);
        return ddb_constraint(err, val, "limit", "Member must have value less than or equal to 100");
    }
    if (!has_limit)
        limit = 100;
    const char *start;
    if ((rc = ddb_req_string(request, "ExclusiveStartTableName", false, &start, err)))
        return rc;
    if (start && (rc = ddb_check_table_name(json_object_get(request, "ExclusiveStartTableName"), "ExclusiveStartTableName", err)))
        return rc;
    sqlite3_stmt *st = lc_store_stmt(ddb->store, SQL_LIST, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, start ? start : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit + 1);
    json_t *names = json_array();
    int step;
    int64_t n = 0;
    bool more = false;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
        n++;
    }
    lc_store_stmt_done(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        json_decref(names);
        return lc_store_sql_error(ddb->store, "listing tables", err);
    }
    json_t *out = json_object();
    json_object_set_new(out, "TableNames", names);
    if (more)
        json_object_set(out, "LastEvaluatedTableName", json_array_get(names, json_array_size(names) - 1));
    *response = out;
    return 0;
}
