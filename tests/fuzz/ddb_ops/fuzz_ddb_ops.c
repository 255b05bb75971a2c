/*
 * fuzz_ddb_ops.c: libFuzzer entry for DynamoDB's operations against a real store.
 *
 * An input is a sequence of lines `Operation <JSON request>` run in order through
 * lc_ddb_call_text (and, for GetItem / Query / Scan, through lc_ddb_call as well: both paths must
 * agree). The state lives in one directory per process (/tmp, removed at exit) with two tables:
 *   fz_hash   id (S) hash
 *   fz_range  pk (S) hash, sk (N) range; GSI gsi: g (S) hash, sk (N) range, ALL;
 *             LSI lsi: pk hash, lb (B) range, KEYS_ONLY
 * Every input starts from empty tables (items written are deleted after it, the whole store is
 * rebuilt after table changes), so a crash reproduces from its input alone.
 *
 * A request may say "ExclusiveStartKey":"$last" to continue from the previous reply's
 * LastEvaluatedKey, as paginating clients do.
 *
 * Traps (abort) on: an error without an AWS code or message, an internal error (HTTP 500), a reply
 * that is not a JSON object, the two call paths disagreeing, a PutItem whose item does not come
 * back from a consistent GetItem (numbers compared as values, sets as sets), a deleted item that
 * does, a Query whose items leave their hash key or their sort order, Count != number of Items.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddb/ddb_internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/store.h"

#define MAX_LINES 64
#define MAX_ITEMS_TO_CLEAR 400
#define INPUTS_PER_REBUILD 2000

static const char *CREATE_HASH =
    "{\"TableName\":\"fz_hash\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
static const char *CREATE_RANGE =
    "{\"TableName\":\"fz_range\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"lb\",\"AttributeType\":\"B\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"lb\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
    "\"BillingMode\":\"PAY_PER_REQUEST\"}";

/* The key attributes of the two fixed tables and their indexes, for the invariants. */
struct s_schema {
    const char *table, *index; /* index NULL: the table itself */
    const char *hash, *range;  /* range NULL: hash only */
};

static const struct s_schema SCHEMAS[] = {
    {"fz_hash", NULL, "id", NULL},
    {"fz_range", NULL, "pk", "sk"},
    {"fz_range", "gsi", "g", "sk"},
    {"fz_range", "lsi", "pk", "lb"},
};

static char s_dir[64];
static struct lc_store *s_store;
static struct lc_ddb *s_ddb;
static unsigned long s_inputs;
static bool s_verbose; /* LC_FUZZ_VERBOSE=1: each line's outcome on stderr, to read a reproducer */

static void s_die(const char *what, const char *op, const char *detail)
{
    fprintf(stderr, "fuzz_ddb_ops: %s: %s: %s\n", op ? op : "-", what, detail ? detail : "");
    abort();
}

static int s_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Runs a harness request that must succeed; returns the reply (new reference). */
static json_t *s_must(const char *op, const char *text)
{
    json_t *req = json_loads(text, 0, NULL);
    json_t *resp = NULL;
    struct lc_error err;
    if (!req || lc_ddb_call(s_ddb, op, req, &resp, &err) != 0)
        s_die("harness request failed", op, req ? err.message : text);
    json_decref(req);
    return resp;
}

static void s_open(void)
{
    char tmpl[] = "/tmp/lc_fuzz_ddb_ops_XXXXXX";
    if (!mkdtemp(tmpl))
        s_die("mkdtemp", NULL, tmpl);
    snprintf(s_dir, sizeof s_dir, "%s", tmpl);
    struct lc_error err;
    if (lc_store_open(s_dir, NULL, &s_store, &err) != 0 || lc_ddb_open(s_store, &s_ddb, &err) != 0)
        s_die("open", NULL, err.message);
    json_decref(s_must("CreateTable", CREATE_HASH));
    json_decref(s_must("CreateTable", CREATE_RANGE));
}

static void s_close(void)
{
    if (!s_ddb)
        return;
    lc_ddb_free(s_ddb);
    lc_store_close(s_store);
    nftw(s_dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    s_ddb = NULL;
    s_store = NULL;
}

static void s_rebuild(void)
{
    s_close();
    s_open();
}

/* Deletes every item of both tables; false when that is not possible (tables changed, too many). */
static bool s_clear_items(void)
{
    size_t seen = 0;
    for (size_t t = 0; t < 2; t++) {
        const struct s_schema *sc = &SCHEMAS[t];
        if (!lc_ddb_table_exists(s_ddb, sc->table))
            return false;
        json_t *req = json_pack("{s:s}", "TableName", sc->table), *resp = NULL;
        struct lc_error err;
        int rc = lc_ddb_call(s_ddb, "Scan", req, &resp, &err);
        json_decref(req);
        if (rc)
            return false;
        json_t *items = json_object_get(resp, "Items");
        bool more = json_object_get(resp, "LastEvaluatedKey") != NULL;
        seen += json_array_size(items);
        if (more || seen > MAX_ITEMS_TO_CLEAR) {
            json_decref(resp);
            return false;
        }
        size_t i = 0;
        while (i < json_array_size(items)) {
            json_t *reqs = json_array();
            for (size_t k = 0; k < 25 && i < json_array_size(items); k++, i++) {
                json_t *item = json_array_get(items, i), *key = json_object();
                json_object_set(key, sc->hash, json_object_get(item, sc->hash));
                if (sc->range)
                    json_object_set(key, sc->range, json_object_get(item, sc->range));
                json_array_append_new(reqs, json_pack("{s:{s:o}}", "DeleteRequest", "Key", key));
            }
            json_t *bw = json_pack("{s:{s:o}}", "RequestItems", sc->table, reqs), *bresp = NULL;
            rc = lc_ddb_call(s_ddb, "BatchWriteItem", bw, &bresp, &err);
            json_decref(bw);
            json_decref(bresp);
            if (rc) {
                json_decref(resp);
                return false;
            }
        }
        json_decref(resp);
    }
    return true;
}

static void s_cleanup_at_exit(void)
{
    s_close();
}

static const struct s_schema *s_schema_of(const json_t *req)
{
    const char *table = json_string_value(json_object_get(req, "TableName"));
    const json_t *ixv = json_object_get(req, "IndexName");
    const char *index = json_string_value(ixv);
    if (!table || (ixv && !index))
        return NULL;
    for (size_t i = 0; i < sizeof SCHEMAS / sizeof *SCHEMAS; i++) {
        const struct s_schema *sc = &SCHEMAS[i];
        if (strcmp(sc->table, table) == 0 && ((!index && !sc->index) || (index && sc->index && strcmp(index, sc->index) == 0)))
            return sc;
    }
    return NULL;
}

static char *s_dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("(null)");
}

static void s_die_json(const char *what, const char *op, const json_t *a, const json_t *b)
{
    char *ta = s_dump(a), *tb = s_dump(b);
    fprintf(stderr, "fuzz_ddb_ops: %s: %s\n  got:  %s\n  want: %s\n", op, what, ta, tb);
    free(ta);
    free(tb);
    abort();
}

static void s_check_error(const char *op, int rc, const struct lc_error *err)
{
    if (rc >= 0)
        s_die("negative return expected", op, NULL);
    if (memchr(err->aws_code, '\0', sizeof err->aws_code) == NULL || err->aws_code[0] == '\0')
        s_die("error without an AWS code", op, NULL);
    if (memchr(err->message, '\0', sizeof err->message) == NULL)
        s_die("unterminated message", op, err->aws_code);
    /* AWS sends UnknownOperationException without a message. */
    if (err->message[0] == '\0' && strcmp(err->aws_code, "UnknownOperationException") != 0)
        s_die("error without a message", op, err->aws_code);
    if (err->http_status != 400 || strstr(err->aws_code, "Internal"))
        s_die("internal error escaped", op, err->message);
}

/* A consistent GetItem of `key` (checked canonical form); the reply's Item or NULL (new ref). */
static json_t *s_get(const char *table, const json_t *key)
{
    json_t *req = json_pack("{s:s,s:O,s:b}", "TableName", table, "Key", key, "ConsistentRead", 1), *resp = NULL;
    struct lc_error err;
    int rc = lc_ddb_call(s_ddb, "GetItem", req, &resp, &err);
    json_decref(req);
    if (rc)
        s_die("GetItem of a key just written failed", table, err.message);
    json_t *item = json_incref(json_object_get(resp, "Item"));
    json_decref(resp);
    return item;
}

/* The key of a checked item under the table's schema, or NULL when it lacks one (new ref). */
static json_t *s_key_of(const struct s_schema *sc, const json_t *item)
{
    json_t *h = json_object_get(item, sc->hash), *r = sc->range ? json_object_get(item, sc->range) : NULL;
    if (!h || (sc->range && !r))
        return NULL;
    json_t *key = json_object();
    json_object_set(key, sc->hash, h);
    if (r)
        json_object_set(key, sc->range, r);
    return key;
}

static bool s_items_equal(const json_t *a, const json_t *b)
{
    json_t *ma = json_pack("{s:O}", "M", a), *mb = json_pack("{s:O}", "M", b);
    bool eq = ddb_value_equal(ma, mb);
    json_decref(ma);
    json_decref(mb);
    return eq;
}

static void s_verify_put(const char *op, const struct s_schema *sc, const json_t *raw_item)
{
    json_t *item = NULL;
    size_t size = 0;
    struct lc_error err;
    if (ddb_item_check(raw_item, &item, &size, &err) != 0)
        s_die("a written item fails the item check", op, err.message);
    json_t *key = s_key_of(sc, item);
    if (!key)
        s_die("a written item has no key", op, NULL);
    json_t *got = s_get(sc->table, key);
    if (!got || !s_items_equal(got, item))
        s_die_json("item read back differs from the item put", op, got, item);
    json_decref(got);
    json_decref(key);
    json_decref(item);
}

static void s_verify_deleted(const char *op, const struct s_schema *sc, const json_t *raw_key)
{
    json_t *key = NULL;
    size_t size = 0;
    struct lc_error err;
    if (ddb_item_check(raw_key, &key, &size, &err) != 0)
        s_die("a deleted key fails the item check", op, err.message);
    json_t *got = s_get(sc->table, key);
    if (got)
        s_die_json("item still there after its delete", op, got, NULL);
    json_decref(key);
}

static void s_verify_batch_write(const json_t *req, const json_t *resp)
{
    json_t *unprocessed = json_object_get(resp, "UnprocessedItems");
    if (unprocessed && json_object_size(unprocessed) > 0)
        return;
    const char *table;
    json_t *reqs;
    json_object_foreach(json_object_get(req, "RequestItems"), table, reqs)
    {
        json_t *treq = json_pack("{s:s}", "TableName", table);
        const struct s_schema *sc = s_schema_of(treq);
        json_decref(treq);
        if (!sc)
            continue;
        size_t i;
        json_t *wr;
        json_array_foreach(reqs, i, wr)
        {
            json_t *put = json_object_get(json_object_get(wr, "PutRequest"), "Item");
            json_t *del = json_object_get(json_object_get(wr, "DeleteRequest"), "Key");
            if (put)
                s_verify_put("BatchWriteItem", sc, put);
            else if (del)
                s_verify_deleted("BatchWriteItem", sc, del);
        }
    }
}

static bool s_projected(const json_t *req)
{
    const char *select = json_string_value(json_object_get(req, "Select"));
    return json_object_get(req, "ProjectionExpression") || json_object_get(req, "AttributesToGet") ||
           (select && strcmp(select, "ALL_ATTRIBUTES") != 0);
}

static void s_verify_query(const json_t *req, const json_t *resp)
{
    json_t *items = json_object_get(resp, "Items");
    json_t *count = json_object_get(resp, "Count");
    if (items && json_integer_value(count) != (json_int_t)json_array_size(items))
        s_die_json("Count is not the number of Items", "Query", resp, NULL);
    const struct s_schema *sc = s_schema_of(req);
    if (!sc || !items)
        return;
    json_t *sif = json_object_get(req, "ScanIndexForward");
    bool forward = !json_is_false(sif);
    const json_t *hash = NULL, *prev = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const json_t *h = json_object_get(item, sc->hash);
        const json_t *r = sc->range ? json_object_get(item, sc->range) : NULL;
        if (!h || (sc->range && !r)) {
            if (!s_projected(req))
                s_die_json("Query item without its index key", "Query", item, NULL);
            return;
        }
        if (hash && !ddb_value_equal(hash, h))
            s_die_json("Query items from two hash keys", "Query", h, hash);
        hash = h;
        if (prev) {
            int c = ddb_value_cmp(prev, r);
            /* An index may hold equal sort keys under one hash key (from different items). */
            bool tie_ok = sc->index != NULL;
            if ((forward && (c > 0 || (c == 0 && !tie_ok))) || (!forward && (c < 0 || (c == 0 && !tie_ok))))
                s_die_json(forward ? "Query items out of ascending order" : "Query items out of descending order",
                           "Query", r, prev);
        }
        prev = r;
    }
}

/* Replaces "ExclusiveStartKey":"$last" by the previous reply's LastEvaluatedKey. */
static void s_substitute(json_t *req, const json_t *last)
{
    const char *v = json_string_value(json_object_get(req, "ExclusiveStartKey"));
    if (!v || strcmp(v, "$last") != 0)
        return;
    if (last)
        json_object_set(req, "ExclusiveStartKey", (json_t *)last);
    else
        json_object_del(req, "ExclusiveStartKey");
}

static bool s_is(const char *op, const char *name)
{
    return strcmp(op, name) == 0;
}

/* Runs one line; returns whether it changed tables (true) so that the store is rebuilt. */
static bool s_run_line(const char *op, json_t *req, json_t **last, bool *wrote)
{
    if (json_is_object(req))
        s_substitute(req, *last);
    char *body = NULL;
    size_t len = 0;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_ddb_call_text(s_ddb, op, req, &body, &len, &err);
    bool read = s_is(op, "GetItem") || s_is(op, "Query") || s_is(op, "Scan");
    if (s_verbose)
        fprintf(stderr, "%s -> %d %s %s %.400s\n", op, rc, err.aws_code, err.message, body ? body : "");
    json_t *resp = NULL;
    if (rc) {
        if (body)
            s_die("body set on failure", op, NULL);
        s_check_error(op, rc, &err);
    } else {
        if (!body || strlen(body) != len)
            s_die("reply length differs from the body", op, NULL);
        json_error_t jerr;
        resp = json_loadb(body, len, 0, &jerr);
        if (!json_is_object(resp))
            s_die("reply is not a JSON object", op, body);
    }
    if (read) {
        json_t *resp2 = NULL;
        struct lc_error err2;
        lc_error_clear(&err2);
        int rc2 = lc_ddb_call(s_ddb, op, req, &resp2, &err2);
        if (rc2 != rc || (rc && (strcmp(err.aws_code, err2.aws_code) != 0 || strcmp(err.message, err2.message) != 0))) {
            fprintf(stderr, "text path: %d %s %s\njson path: %d %s %s\n", rc, err.aws_code, err.message, rc2,
                    err2.aws_code, err2.message);
            s_die("lc_ddb_call_text and lc_ddb_call disagree", op, NULL);
        }
        if (rc2 == 0 && !json_equal(resp, resp2))
            s_die_json("lc_ddb_call_text and lc_ddb_call replies differ", op, resp, resp2);
        json_decref(resp2);
    }
    lc_free(body);
    if (rc)
        return false;
    if (s_is(op, "Query") || s_is(op, "Scan")) {
        json_decref(*last);
        *last = json_incref(json_object_get(resp, "LastEvaluatedKey"));
    }
    if (s_is(op, "Query"))
        s_verify_query(req, resp);
    if (s_is(op, "Scan")) {
        json_t *items = json_object_get(resp, "Items");
        if (items && json_integer_value(json_object_get(resp, "Count")) != (json_int_t)json_array_size(items))
            s_die_json("Count is not the number of Items", op, resp, NULL);
    }
    bool tables = s_is(op, "CreateTable") || s_is(op, "DeleteTable");
    if (s_is(op, "PutItem") || s_is(op, "DeleteItem") || s_is(op, "BatchWriteItem"))
        *wrote = true;
    const struct s_schema *sc = s_schema_of(req);
    if (sc && !sc->index && s_is(op, "PutItem"))
        s_verify_put(op, sc, json_object_get(req, "Item"));
    if (sc && !sc->index && s_is(op, "DeleteItem"))
        s_verify_deleted(op, sc, json_object_get(req, "Key"));
    if (s_is(op, "BatchWriteItem"))
        s_verify_batch_write(req, resp);
    json_decref(resp);
    return tables;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_ddb) {
        s_open();
        atexit(s_cleanup_at_exit);
        const char *v = getenv("LC_FUZZ_VERBOSE");
        s_verbose = v && *v == '1';
    }
    bool tables = false, wrote = false;
    json_t *last = NULL;
    size_t pos = 0;
    for (int line = 0; line < MAX_LINES && pos < size; line++) {
        const char *start = (const char *)data + pos;
        const char *nl = memchr(start, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - start) : size - pos;
        pos += n + 1;
        const char *sp = memchr(start, ' ', n);
        if (!sp || sp == start || sp - start > 40)
            continue;
        char op[48];
        memcpy(op, start, (size_t)(sp - start));
        op[sp - start] = '\0';
        json_t *req = json_loadb(sp + 1, n - (size_t)(sp - start) - 1, 0, NULL);
        if (!req)
            continue;
        if (s_run_line(op, req, &last, &wrote))
            tables = true;
        json_decref(req);
    }
    json_decref(last);
    if (tables || ++s_inputs % INPUTS_PER_REBUILD == 0 || (wrote && !s_clear_items()))
        s_rebuild();
    return 0;
}
