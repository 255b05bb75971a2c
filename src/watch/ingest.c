/*
 * ingest.c: the decision trail as metrics. Every trail row after the cursor becomes, for DynamoDB
 * requests, AWS/DynamoDB SuccessfulRequestLatency / ThrottledRequests per table and operation (and
 * UserErrors / SystemErrors), and for every request LeastCloud/Access counts: ReadRequests and
 * WriteRequests per (TableName, PrincipalArn) and per AccessKeyId, DeniedRequests per PrincipalArn.
 * The cursor moves in the same transaction as the metrics, so a row is counted exactly once.
 */
#include "watch/watch_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

#define BATCH 2000

static bool s_is_read(const char *op)
{
    static const char *const reads[] = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (!strcmp(op, reads[i]))
            return true;
    return false;
}

static bool s_is_write(const char *op)
{
    static const char *const writes[] = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                                         "TransactWriteItems"};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        if (!strcmp(op, writes[i]))
            return true;
    return false;
}

/*
 * A batch is aggregated in memory before it touches the metric table. Every datum goes to its series
 * minute (namespace, metric, dimension key, minute) and each series minute is then written once
 * (lc__watch_put_values) instead of one upsert per datum: a burst of 2000 GetItems by one key in one
 * minute is 3 writes, not 6000 upserts. And as most rows of a batch repeat an earlier row but for
 * their time within the minute and their duration, a row whose signature (every field the choice of
 * series depends on) was seen before in the batch reuses that row's series without building keys.
 */

/* Byte strings to dense indexes (0, 1, ...: the order they were first seen), by open addressing. */
struct s_dict {
    struct lc_buf text; /* every key, one after the other */
    struct s_key {
        uint64_t hash;
        size_t off, len;
    } *keys;
    size_t n, cap;
    size_t *slots; /* key index + 1, 0 when empty */
    size_t n_slots;
};

/* A multiplicative hash, 8 bytes at a time: keys are 100-300 bytes and every row hashes one. */
static uint64_t s_hash(const char *p, size_t n)
{
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = n * k;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * k;
    return h ^ (h >> 32);
}

static void s_dict_grow(struct s_dict *t)
{
    lc_free(t->slots);
    t->n_slots = t->n_slots ? t->n_slots * 2 : 64;
    t->slots = lc_calloc(t->n_slots, sizeof *t->slots);
    for (size_t i = 0; i < t->n; i++) {
        size_t s = t->keys[i].hash & (t->n_slots - 1);
        while (t->slots[s])
            s = (s + 1) & (t->n_slots - 1);
        t->slots[s] = i + 1;
    }
}

/* The index of the len bytes at key; *added tells whether they were new (then the index is t->n - 1). */
static size_t s_intern(struct s_dict *t, const char *key, size_t len, bool *added)
{
    uint64_t h = s_hash(key, len);
    if (t->n * 2 >= t->n_slots)
        s_dict_grow(t);
    size_t slot = h & (t->n_slots - 1);
    for (; t->slots[slot]; slot = (slot + 1) & (t->n_slots - 1)) {
        const struct s_key *k = &t->keys[t->slots[slot] - 1];
        if (k->hash == h && k->len == len && !memcmp(t->text.data + k->off, key, len)) {
            *added = false;
            return t->slots[slot] - 1;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->keys = lc_realloc(t->keys, t->cap * sizeof *t->keys);
    }
    t->keys[t->n] = (struct s_key){h, t->text.len, len};
    lc_buf_append(&t->text, key, len);
    t->slots[slot] = ++t->n;
    *added = true;
    return t->n - 1;
}

static void s_dict_free(struct s_dict *t)
{
    lc_buf_free(&t->text);
    lc_free(t->keys);
    lc_free(t->slots);
}

/* A datum's value: 1 (a count) or the row's latency in milliseconds. */
enum s_value { S_ONE, S_LATENCY };

static double s_value_of(enum s_value kind, const struct lc_store_trail_event *ev)
{
    return kind == S_LATENCY ? (double)ev->duration_us / 1000.0 : 1;
}

/* A series minute; its key in s_agg.series is "ns\0name\0dims\0" then the minute's 8 bytes. */
struct s_series {
    size_t name_off, dims_off; /* in its key */
    int64_t minute;
    const char *unit; /* a literal */
    size_t n, next;   /* its values; where the next one goes in s_write's order */
};

/* A datum of a row: its series and value. */
struct s_target {
    size_t series;
    enum s_value value;
};

struct s_agg {
    struct s_dict series;
    struct s_series *info; /* per series */
    size_t cap_info;
    struct s_dict rows; /* row signatures */
    struct s_row_targets {
        size_t first, n;
    } *row_targets; /* per signature, in targets */
    size_t cap_row_targets;
    struct s_target *targets;
    size_t n_targets, cap_targets;
    struct s_obs {
        size_t series;
        double v;
    } *obs; /* every datum's value, in trail order */
    size_t n_obs, cap_obs;
    struct lc_buf scratch; /* the key being looked up */
    int64_t last_id;
};

static void s_agg_init(struct s_agg *a, int64_t cursor)
{
    *a = (struct s_agg){.last_id = cursor};
    lc_buf_init(&a->series.text, LC_BUF_UNLIMITED);
    lc_buf_init(&a->rows.text, LC_BUF_UNLIMITED);
    lc_buf_init(&a->scratch, LC_BUF_UNLIMITED);
}

static void s_agg_free(struct s_agg *a)
{
    s_dict_free(&a->series);
    s_dict_free(&a->rows);
    lc_free(a->info);
    lc_free(a->row_targets);
    lc_free(a->targets);
    lc_free(a->obs);
    lc_buf_free(&a->scratch);
}

static void s_obs_add(struct s_agg *a, size_t series, double v)
{
    a->info[series].n++;
    if (a->n_obs == a->cap_obs) {
        a->cap_obs = a->cap_obs ? a->cap_obs * 2 : 256;
        a->obs = lc_realloc(a->obs, a->cap_obs * sizeof *a->obs);
    }
    a->obs[a->n_obs++] = (struct s_obs){series, v};
}

/* A datum of row ev for metric ns/name with dims (given in name order, so that the key needs no sort). */
static void s_add(struct s_agg *a, const struct lc_store_trail_event *ev, const char *ns, const char *name,
                  const struct lc_watch_dim *dims, size_t nd, enum s_value value, const char *unit)
{
    struct lc_buf *k = &a->scratch;
    lc_buf_reset(k);
    lc_buf_append(k, ns, strlen(ns) + 1);
    size_t name_off = k->len;
    lc_buf_append(k, name, strlen(name) + 1);
    size_t dims_off = k->len;
    lc__watch_dims_key_append(k, dims, nd);
    int64_t minute = ev->time_ms - (((ev->time_ms % 60000) + 60000) % 60000);
    lc_buf_append(k, "", 1);
    lc_buf_append(k, &minute, sizeof minute);
    bool added;
    size_t idx = s_intern(&a->series, k->data, k->len, &added);
    if (added) {
        if (idx == a->cap_info) {
            a->cap_info = a->cap_info ? a->cap_info * 2 : 16;
            a->info = lc_realloc(a->info, a->cap_info * sizeof *a->info);
        }
        a->info[idx] = (struct s_series){name_off, dims_off, minute, unit, 0, 0};
    }
    s_obs_add(a, idx, s_value_of(value, ev));
    if (a->n_targets == a->cap_targets) {
        a->cap_targets = a->cap_targets ? a->cap_targets * 2 : 64;
        a->targets = lc_realloc(a->targets, a->cap_targets * sizeof *a->targets);
    }
    a->targets[a->n_targets++] = (struct s_target){idx, value};
}

static void s_add1(struct s_agg *a, const struct lc_store_trail_event *ev, const char *ns, const char *name,
                   const char *d1, const char *v1)
{
    struct lc_watch_dim dims[1] = {{d1, v1}};
    s_add(a, ev, ns, name, dims, 1, S_ONE, "Count");
}

static void s_add2(struct s_agg *a, const struct lc_store_trail_event *ev, const char *ns, const char *name,
                   const char *d1, const char *v1, const char *d2, const char *v2, enum s_value value,
                   const char *unit)
{
    struct lc_watch_dim dims[2] = {{d1, v1}, {d2, v2}};
    s_add(a, ev, ns, name, dims, 2, value, unit);
}

/* Writes every series minute of the batch, each with its values in trail order. */
static int s_write(struct lc_store *store, struct s_agg *a, struct lc_error *err)
{
    if (!a->n_obs)
        return 0;
    size_t at = 0;
    for (size_t i = 0; i < a->series.n; i++) {
        a->info[i].next = at;
        at += a->info[i].n;
    }
    double *vals = lc_malloc(a->n_obs * sizeof *vals);
    for (size_t i = 0; i < a->n_obs; i++)
        vals[a->info[a->obs[i].series].next++] = a->obs[i].v;
    int rc = 0;
    for (size_t i = 0; i < a->series.n && !rc; i++) {
        const struct s_series *s = &a->info[i];
        const char *ns = a->series.text.data + a->series.keys[i].off;
        rc = lc__watch_put_values(store, ns, ns + s->name_off, ns + s->dims_off, s->minute, vals + s->next - s->n,
                                  s->n, s->unit, err);
    }
    lc_free(vals);
    return rc;
}

/* The first ":table/" in the len bytes at p (memmem is a GNU extension). */
static const char *s_find_table(const char *p, size_t len)
{
    for (const char *end = p + len; (p = memchr(p, ':', (size_t)(end - p))) != NULL && end - p >= 7; p++)
        if (!memcmp(p, ":table/", 7))
            return p;
    return NULL;
}

/* "arn:aws:dynamodb:r:a:table/NAME[/index/...]" (len bytes at arn) -> NAME (into out). */
static bool s_table_of(const char *arn, size_t len, char *out, size_t size)
{
    const char *p = len >= 4 && !memcmp(arn, "arn:", 4) ? s_find_table(arn, len) : NULL;
    if (!p)
        return false;
    p += 7;
    const char *end = arn + len, *slash = memchr(p, '/', (size_t)(end - p));
    size_t n = (size_t)((slash ? slash : end) - p);
    if (n == 0 || n >= size)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

struct s_tables {
    char name[8][256];
    size_t n;
};

static void s_table_add(struct s_tables *t, const char *arn, size_t len)
{
    char name[256];
    if (!s_table_of(arn, len, name, sizeof name))
        return;
    for (size_t k = 0; k < t->n; k++)
        if (!strcmp(t->name[k], name))
            return;
    if (t->n < 8)
        lc_strlcpy(t->name[t->n++], name, sizeof t->name[0]);
}

static const char *s_skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The resources column read in place when it is an array of strings that need no unescaping (ARNs
 * always are): true when it was, else false with t left empty. Anything else (escapes, non-ASCII,
 * other values, bad JSON) is left to jansson, so that the result is what json_loads would give. */
static bool s_tables_fast(const char *json, struct s_tables *t)
{
    const char *p = s_skip_ws(json);
    if (*p++ != '[')
        return false;
    p = s_skip_ws(p);
    if (*p == ']') {
        p++;
    } else {
        for (;;) {
            if (*p++ != '"')
                goto slow;
            const char *s = p;
            while ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80 && *p != '"' && *p != '\\')
                p++;
            if (*p != '"')
                goto slow;
            s_table_add(t, s, (size_t)(p - s));
            p = s_skip_ws(p + 1);
            if (*p == ']') {
                p++;
                break;
            }
            if (*p++ != ',')
                goto slow;
            p = s_skip_ws(p);
        }
    }
    if (*s_skip_ws(p) == '\0')
        return true;
slow:
    t->n = 0;
    return false;
}

static void s_tables_of(const char *resources, struct s_tables *t)
{
    t->n = 0;
    if (s_tables_fast(resources, t))
        return;
    json_t *res = json_loads(resources, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(res, i, v)
    {
        if (json_is_string(v))
            s_table_add(t, json_string_value(v), json_string_length(v));
    }
    json_decref(res);
}

static void s_sig_add(struct lc_buf *sig, const char *s)
{
    lc_buf_append(sig, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* Everything s_row_series's choice of series depends on: the minute and every field it reads but the
 * duration (the latency value). NULL and "" lead to the same series. */
static void s_signature(struct lc_buf *sig, const struct lc_store_trail_event *ev)
{
    lc_buf_reset(sig);
    int64_t head[2] = {ev->time_ms - (((ev->time_ms % 60000) + 60000) % 60000), ev->http_status};
    lc_buf_append(sig, head, sizeof head);
    s_sig_add(sig, ev->service);
    s_sig_add(sig, ev->decision);
    s_sig_add(sig, ev->principal_arn);
    s_sig_add(sig, ev->key_id);
    s_sig_add(sig, ev->operation);
    s_sig_add(sig, ev->error_code);
    s_sig_add(sig, ev->resources);
}

static void s_row_series(struct s_agg *a, const struct lc_store_trail_event *ev);

static int s_row(const struct lc_store_trail_event *ev, void *ud)
{
    struct s_agg *a = ud;
    a->last_id = ev->id;
    s_signature(&a->scratch, ev);
    bool added;
    size_t sig = s_intern(&a->rows, a->scratch.data, a->scratch.len, &added);
    if (!added) {
        const struct s_row_targets *rt = &a->row_targets[sig];
        for (size_t i = rt->first; i < rt->first + rt->n; i++)
            s_obs_add(a, a->targets[i].series, s_value_of(a->targets[i].value, ev));
        return 0;
    }
    if (sig == a->cap_row_targets) {
        a->cap_row_targets = a->cap_row_targets ? a->cap_row_targets * 2 : 16;
        a->row_targets = lc_realloc(a->row_targets, a->cap_row_targets * sizeof *a->row_targets);
    }
    size_t first = a->n_targets;
    s_row_series(a, ev);
    a->row_targets[sig] = (struct s_row_targets){first, a->n_targets - first};
    return 0;
}

/* The row's datums, each added to its series. */
static void s_row_series(struct s_agg *a, const struct lc_store_trail_event *ev)
{
    bool ddb = !strcmp(ev->service, "dynamodb");
    bool allowed = !strcmp(ev->decision, "Allowed");
    bool denied = !strcmp(ev->decision, "ImplicitlyDenied") || !strcmp(ev->decision, "ExplicitlyDenied");
    bool ok = ev->http_status >= 200 && ev->http_status < 300;
    const char *who = ev->principal_arn && *ev->principal_arn ? ev->principal_arn : NULL;
    if (denied && who)
        s_add1(a, ev, LC_WATCH_NS_ACCESS, "DeniedRequests", "PrincipalArn", who);
    if (!ddb)
        return;
    /* The tables the request named, once each. */
    struct s_tables tables;
    s_tables_of(ev->resources ? ev->resources : "[]", &tables);
    bool throttled = ev->error_code && (!strcmp(ev->error_code, "ThrottlingException") ||
                                        !strcmp(ev->error_code, "ProvisionedThroughputExceededException") ||
                                        !strcmp(ev->error_code, "RequestLimitExceeded"));
    if (ev->http_status >= 400 && ev->http_status < 500 && !throttled)
        s_add(a, ev, LC_WATCH_NS_DYNAMODB, "UserErrors", NULL, 0, S_ONE, "Count");
    if (ev->http_status >= 500)
        s_add1(a, ev, LC_WATCH_NS_DYNAMODB, "SystemErrors", "Operation", ev->operation);
    /* Dimensions are listed in name order (Operation < PrincipalArn < TableName), as the key has them. */
    for (size_t k = 0; k < tables.n; k++) {
        const char *table = tables.name[k];
        if (ok)
            s_add2(a, ev, LC_WATCH_NS_DYNAMODB, "SuccessfulRequestLatency", "Operation", ev->operation, "TableName",
                   table, S_LATENCY, "Milliseconds");
        if (throttled)
            s_add2(a, ev, LC_WATCH_NS_DYNAMODB, "ThrottledRequests", "Operation", ev->operation, "TableName", table,
                   S_ONE, "Count");
        if (!allowed || !ok || !who)
            continue;
        const char *metric = s_is_read(ev->operation) ? "ReadRequests" : s_is_write(ev->operation) ? "WriteRequests"
                                                                                                    : NULL;
        if (!metric)
            continue;
        s_add2(a, ev, LC_WATCH_NS_ACCESS, metric, "PrincipalArn", who, "TableName", table, S_ONE, "Count");
        if (ev->key_id && *ev->key_id)
            s_add1(a, ev, LC_WATCH_NS_ACCESS, metric, "AccessKeyId", ev->key_id);
    }
}

static int s_cursor(struct lc_store *store, int64_t *value, struct lc_error *err)
{
    *value = 0;
    static const char sql[] = "SELECT value FROM watch_cursor WHERE name = 'trail'";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (sqlite3_step(st) == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    lc_store_stmt_done(st);
    return 0;
}

int lc__watch_ingest_trail(struct lc_store *store, struct lc_error *err)
{
    int rc = 0;
    for (int rounds = 0; !rc && rounds < 1000; rounds++) {
        struct lc_store_tx tx;
        if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
            return rc;
        int64_t cursor;
        rc = s_cursor(store, &cursor, err);
        struct s_agg a;
        s_agg_init(&a, cursor);
        if (!rc) {
            struct lc_store_trail_filter f = {.after_id = cursor, .limit = BATCH};
            rc = lc_store_trail_list(store, &f, s_row, &a, err);
        }
        bool more = !rc && a.last_id != cursor;
        if (more)
            rc = s_write(store, &a, err);
        if (more && !rc) {
            static const char sql[] =
                "INSERT INTO watch_cursor (name, value) VALUES ('trail', ?1)"
                " ON CONFLICT (name) DO UPDATE SET value = ?1";
            sqlite3_stmt *st = lc_store_stmt(store, sql, err);
            if (!st) {
                rc = LC_EINTERNAL;
            } else {
                sqlite3_bind_int64(st, 1, a.last_id);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = lc_store_sql_error(store, "moving the trail cursor", err);
                lc_store_stmt_done(st);
            }
        }
        s_agg_free(&a);
        rc = lc_store_tx_end(store, &tx, rc, err);
        if (!more)
            break;
    }
    return rc;
}
