/*
 * op_query.c: Query and Scan, on a table or a secondary index, paginated by Limit, by 1 MB pages and
 * by ExclusiveStartKey / LastEvaluatedKey.
 *
 * Key ranges are turned into half-open byte ranges [lo, hi) over the sort key column, so one cached
 * statement per direction serves every operator: an exclusive lower bound x becomes x||00 (the
 * smallest key after x), an inclusive upper bound x becomes x||00 too, and "no upper bound" is a
 * string of 0xff bytes longer than any key DynamoDB allows.
 */
#include "ddb/ddb_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"

static const char *const SQL_Q_ASC =
    "SELECT size, item FROM ddb_item WHERE tid=?1 AND pk=?2 AND sk>=?3 AND sk<?4 ORDER BY sk ASC";
static const char *const SQL_Q_DESC =
    "SELECT size, item FROM ddb_item WHERE tid=?1 AND pk=?2 AND sk>=?3 AND sk<?4 ORDER BY sk DESC";
/* Without an upper bound (or, on an index, without a start key) the statements below do without
 * the bound / the row-value term, which SQLite tests on every row: it is always true then (keys are
 * shorter than the 0xff top; table keys are never empty). */
static const char *const SQL_Q_ASC_OPEN =
    "SELECT size, item FROM ddb_item WHERE tid=?1 AND pk=?2 AND sk>=?3 ORDER BY sk ASC";
static const char *const SQL_Q_DESC_OPEN =
    "SELECT size, item FROM ddb_item WHERE tid=?1 AND pk=?2 AND sk>=?3 ORDER BY sk DESC";
static const char *const SQL_QI_ASC_ALL =
    "SELECT size, item, tpk, tsk FROM ddb_index_item WHERE tid=?1 AND ix=?2 AND pk=?3 AND sk>=?4 AND sk<?5"
    " ORDER BY sk ASC, tpk ASC, tsk ASC";
static const char *const SQL_QI_DESC_ALL =
    "SELECT size, item, tpk, tsk FROM ddb_index_item WHERE tid=?1 AND ix=?2 AND pk=?3 AND sk>=?4 AND sk<?5"
    " ORDER BY sk DESC, tpk DESC, tsk DESC";
static const char *const SQL_QI_ASC =
    "SELECT size, item, tpk, tsk FROM ddb_index_item WHERE tid=?1 AND ix=?2 AND pk=?3 AND sk>=?4 AND sk<?5"
    " AND (sk, tpk, tsk) > (?6, ?7, ?8) ORDER BY sk ASC, tpk ASC, tsk ASC";
static const char *const SQL_QI_DESC =
    "SELECT size, item, tpk, tsk FROM ddb_index_item WHERE tid=?1 AND ix=?2 AND pk=?3 AND sk>=?4 AND sk<?5"
    " AND (sk, tpk, tsk) < (?6, ?7, ?8) ORDER BY sk DESC, tpk DESC, tsk DESC";
/* A table scan is one range of the primary key. SQLite seeks to a row-value bound but then
 * re-tests it on every row, so the scan from a start key is two plain ranges instead (the rest of
 * the start key's partition, then the partitions after it), and a scan from the top has none. */
static const char *const SQL_SCAN = "SELECT size, item, pk FROM ddb_item WHERE tid=?1 ORDER BY pk, sk";
static const char *const SQL_SCAN_REST =
    "SELECT size, item, pk FROM ddb_item WHERE tid=?1 AND pk=?2 AND sk>?3 ORDER BY pk, sk";
static const char *const SQL_SCAN_AFTER = "SELECT size, item, pk FROM ddb_item WHERE tid=?1 AND pk>?2 ORDER BY pk, sk";
static const char *const SQL_SCAN_IX =
    "SELECT size, item, tpk, tsk, pk FROM ddb_index_item WHERE tid=?1 AND ix=?2 AND (pk, sk, tpk, tsk) > (?3, ?4, ?5, ?6)"
    " ORDER BY pk, sk, tpk, tsk";

/* Longer than any key part (hash keys <= 2048 bytes, range keys <= 1024, numbers <= 22). */
#define KEY_TOP_LEN 2050

static const char *const s_rcc[] = {"INDEXES", "TOTAL", "NONE"};
static const char *const s_select[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"};

struct plan {
    bool query;
    const struct ddb_table *t;
    const struct ddb_index *ix; /* NULL: the table itself */
    const struct ddb_key_attr *hash, *range; /* the schema being read */
    const char *rcc, *select;
    bool consistent, forward;
    int64_t limit; /* 0: none */
    int64_t segment, total_segments;
    struct ddb_exprs x;
    struct ddb_key_range kr;
    json_t *start; /* canonical ExclusiveStartKey or NULL */
    bool fetch_from_table;
    /* Fetched for the filter only: the reply still carries what the index projects. */
    bool reply_index_item;
};

static void s_plan_free(struct plan *p)
{
    ddb_exprs_free(&p->x);
    ddb_key_range_free(&p->kr);
    json_decref(p->start);
}

static char *s_int_text(int64_t v)
{
    return lc_asprintf("%lld", (long long)v);
}

/* Parameters both operations share, in DynamoDB's order of checks. */
static int s_params(const json_t *req, struct plan *p, struct lc_error *err)
{
    int rc = ddb_check_table_name(json_object_get(req, "TableName"), "TableName", err);
    if (rc)
        return rc;
    if ((rc = ddb_check_enum(req, "ReturnConsumedCapacity", s_rcc, 3, &p->rcc, err)))
        return rc;
    if ((rc = ddb_check_enum(req, "Select", s_select, 4, &p->select, err)))
        return rc;
    if ((rc = ddb_req_bool(req, "ConsistentRead", &p->consistent, err)))
        return rc;
    bool present;
    if ((rc = ddb_req_int(req, "Limit", &present, &p->limit, err)))
        return rc;
    if (present && p->limit < 1) {
        char *v = s_int_text(p->limit);
        rc = ddb_constraint(err, v, "limit", "Member must have value greater than or equal to 1");
        lc_free(v);
        return rc;
    }
    const char *ixname;
    if ((rc = ddb_req_string(req, "IndexName", false, &ixname, err)))
        return rc;
    if (ixname && (strlen(ixname) < 3 || strlen(ixname) > 255))
        return ddb_constraint(err, ixname, "indexName",
                              strlen(ixname) < 3 ? "Member must have length greater than or equal to 3"
                                                 : "Member must have length less than or equal to 255");
    p->forward = true;
    if (p->query) {
        const json_t *sif = json_object_get(req, "ScanIndexForward");
        if (sif && !json_is_null(sif)) {
            bool fwd;
            if ((rc = ddb_req_bool(req, "ScanIndexForward", &fwd, err)))
                return rc;
            p->forward = fwd;
        }
    } else {
        bool has_seg, has_total;
        if ((rc = ddb_req_int(req, "Segment", &has_seg, &p->segment, err)) ||
            (rc = ddb_req_int(req, "TotalSegments", &has_total, &p->total_segments, err)))
            return rc;
        if (has_seg && (p->segment < 0 || p->segment > 999999)) {
            char *v = s_int_text(p->segment);
            rc = ddb_constraint(err, v, "segment", p->segment < 0 ? "Member must have value greater than or equal to 0"
                                                                   : "Member must have value less than or equal to 999999");
            lc_free(v);
            return rc;
        }
        if (has_total && (p->total_segments < 1 || p->total_segments > 1000000)) {
            char *v = s_int_text(p->total_segments);
            rc = ddb_constraint(err, v, "totalSegments",
                                p->total_segments < 1 ? "Member must have value greater than or equal to 1"
                                                      : "Member must have value less than or equal to 1000000");
            lc_free(v);
            return rc;
        }
        if (has_seg && !has_total)
            return ddb_invalid(err, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
        if (has_total && !has_seg)
            return ddb_invalid(err, "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
        if (has_total && p->segment >= p->total_segments)
            return ddb_invalid(err, "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                                    "Segment: %lld is not less than TotalSegments: %lld",
                               (long long)p->segment, (long long)p->total_segments);
        if (!has_total)
            p->total_segments = 0;
    }
    const json_t *esk;
    if ((rc = ddb_req_object(req, "ExclusiveStartKey", false, &esk, err)))
        return rc;
    if (esk) {
        struct lc_error inner;
        lc_error_clear(&inner);
        if ((rc = ddb_item_check(esk, &p->start, NULL, &inner))) {
            if (err)
                *err = inner;
            if (strcmp(inner.aws_code, "ValidationException") == 0 &&
                !strstr(inner.message, "contains duplicates") && !strstr(inner.message, "number set") &&
                !strstr(inner.message, "numeric value") && !strstr(inner.message, "significant digits") &&
                !strstr(inner.message, "number with magnitude"))
                lc_error_prefix(err, "The provided starting key is invalid");
            return rc;
        }
    }
    unsigned flags = DDB_X_PROJECTION | DDB_X_FILTER | DDB_X_ATTRS_TO_GET | (p->query ? DDB_X_KEYCOND : 0);
    if (p->query && !json_object_get(req, "KeyConditionExpression") && !json_object_get(req, "KeyConditions")) {
        memset(&p->x, 0, sizeof p->x);
        return ddb_invalid(err, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    }
    if ((rc = ddb_exprs_parse(req, flags, &p->x, err)))
        return rc;
    if (p->select && strcmp(p->select, "SPECIFIC_ATTRIBUTES") != 0 && p->x.projection) {
        bool is_pe = json_object_get(req, "ProjectionExpression") != NULL;
        if (strcmp(p->select, "COUNT") == 0)
            return ddb_invalid(err, "Cannot specify the %s when choosing to get only the Count", is_pe ? "ProjectionExpression" : "AttributesToGet");
        return ddb_invalid(err, "Cannot specify the %s when choosing to get %s", is_pe ? "ProjectionExpression" : "AttributesToGet", p->select);
    }
    return 0;
}

/* Whether a local index's copy of an item holds the top-level attribute `name`. */
static bool s_ix_holds(const struct ddb_table *t, const struct ddb_index *ix, const char *name)
{
    if (ix->projection == DDB_PROJ_ALL)
        return true;
    const char *keys[4] = {t->hash.name, t->range.name, ix->hash.name, ix->range.name};
    for (size_t i = 0; i < 4; i++) {
        if (keys[i] && strcmp(keys[i], name) == 0)
            return true;
    }
    for (size_t i = 0; i < ix->n_include; i++) {
        if (strcmp(ix->include[i], name) == 0)
            return true;
    }
    return false;
}

/* Whether an expression names an attribute the index does not hold. */
static bool s_names_unprojected(const struct ddb_node *n, const struct ddb_table *t, const struct ddb_index *ix)
{
    if (!n)
        return false;
    if (n->kind == DDB_N_PATH)
        return !s_ix_holds(t, ix, n->path[0].name);
    for (size_t i = 0; i < n->nargs; i++) {
        if (s_names_unprojected(n->args[i], t, ix))
            return true;
    }
    return false;
}

/*
 * A local index answers for attributes it does not project: DynamoDB fetches them from the table
 * when the projection or the filter names them (a global index cannot, and just lacks them).
 */
static void s_lsi_fetch(struct plan *p)
{
    bool project = false;
    for (size_t i = 0; i < p->x.nprojection; i++)
        project = project || s_names_unprojected(p->x.projection[i], p->t, p->ix);
    if (project) {
        p->fetch_from_table = true;
    } else if (s_names_unprojected(p->x.filter, p->t, p->ix)) {
        p->fetch_from_table = true;
        p->reply_index_item = !p->x.projection && !(p->select && strcmp(p->select, "ALL_ATTRIBUTES") == 0);
    }
}

/* The table, the index and their rules. */
static int s_resolve(struct lc_ddb *ddb, const json_t *req, struct plan *p, struct lc_error *err)
{
    p->t = ddb_table_get(ddb, json_string_value(json_object_get(req, "TableName")), err);
    if (!p->t)
        return err ? err->code : LC_ENOTFOUND;
    p->hash = &p->t->hash;
    p->range = &p->t->range;
    const char *ixname = lc_json_str(req, "IndexName");
    if (ixname) {
        p->ix = ddb_table_index(p->t, ixname);
        if (!p->ix)
            return ddb_invalid(err, "The table does not have the specified index: %s", ixname);
        if (p->ix->global && p->consistent)
            return ddb_invalid(err, "Consistent reads are not supported on global secondary indexes");
        p->hash = &p->ix->hash;
        p->range = &p->ix->range;
        if (p->select && strcmp(p->select, "ALL_ATTRIBUTES") == 0 && p->ix->projection != DDB_PROJ_ALL) {
            if (p->ix->global)
                return ddb_invalid(err, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                                        "for global secondary index %s because its projection type is not ALL", ixname);
            p->fetch_from_table = true;
        }
        if (!p->ix->global && !p->fetch_from_table)
            s_lsi_fetch(p);
    } else if (p->select && strcmp(p->select, "ALL_PROJECTED_ATTRIBUTES") == 0) {
        return ddb_invalid(err, "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
                                "supported only for index queries");
    }
    return 0;
}

/* Filter expressions of a Query may not name the key being queried. */
static int s_filter_keys(const struct ddb_node *n, const struct plan *p, struct lc_error *err)
{
    if (!n)
        return 0;
    if (n->kind == DDB_N_PATH) {
        const char *head = n->path[0].name;
        if (strcmp(head, p->hash->name) == 0 || (p->range->type && strcmp(head, p->range->name) == 0))
            return ddb_invalid(err, "Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", head);
        return 0;
    }
    for (size_t i = 0; i < n->nargs; i++) {
        int rc = s_filter_keys(n->args[i], p, err);
        if (rc)
            return rc;
    }
    return 0;
}

static bool s_key_matches(const struct ddb_key_attr *k, const json_t *v)
{
    const char *t = ddb_value_type(v);
    return t && t[0] == k->type && t[1] == '\0';
}

/* ExclusiveStartKey holds exactly the table key plus the index key, with the right types. */
static int s_check_start(const struct plan *p, struct lc_error *err)
{
    if (!p->start)
        return 0;
    const struct ddb_key_attr *attrs[4] = {&p->t->hash, &p->t->range, NULL, NULL};
    if (p->ix) {
        attrs[2] = &p->ix->hash;
        attrs[3] = &p->ix->range;
    }
    size_t want = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!attrs[i] || !attrs[i]->type)
            continue;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup = dup || (attrs[j] && attrs[j]->type && strcmp(attrs[j]->name, attrs[i]->name) == 0);
        if (dup)
            continue;
        want++;
        const json_t *v = json_object_get(p->start, attrs[i]->name);
        if (!v || !s_key_matches(attrs[i], v))
            return p->ix || p->query ? ddb_invalid(err, "The provided starting key is invalid")
                                     : ddb_invalid(err, "The provided starting key is invalid: The provided key element does not match the schema");
    }
    if (json_object_size(p->start) != want)
        return p->ix || p->query ? ddb_invalid(err, "The provided starting key is invalid")
                                 : ddb_invalid(err, "The provided starting key is invalid: The provided key element does not match the schema");
    return 0;
}

/* KEY_TOP_LEN bytes of 0xff, filled once: appending them one by one cost more than the rest of a
 * 100-item Query. */
static char s_top_bytes[KEY_TOP_LEN];
static pthread_once_t s_top_once = PTHREAD_ONCE_INIT;

static void s_top_init(void)
{
    memset(s_top_bytes, 0xff, sizeof s_top_bytes);
}

static void s_top(struct lc_buf *b)
{
    pthread_once(&s_top_once, s_top_init);
    lc_buf_reset(b);
    lc_buf_append(b, s_top_bytes, sizeof s_top_bytes);
}

static int s_buf_cmp(const struct lc_buf *a, const struct lc_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static void s_bind_buf(sqlite3_stmt *st, int i, const struct lc_buf *b)
{
    sqlite3_bind_blob(st, i, b->len ? b->data : "", (int)b->len, SQLITE_STATIC);
}

/* ---------------------------------------------------------------- key members of a stored item
 * LastEvaluatedKey needs 2-4 attributes of the last item, but parsing its whole stored text with
 * jansson costs about as much as copying a hundred items (jansson reads a character at a time).
 * The stored text is compact JSON written by jansson, so a small scanner finds the members and
 * only their values are parsed. Anything unexpected (escaped member names, odd syntax) makes the
 * caller parse the whole item as before. */

static const char *s_skip_ws(const char *c, const char *end)
{
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r'))
        c++;
    return c;
}

/* c at an opening quote: returns the position after the closing quote, or NULL. */
static const char *s_skip_string(const char *c, const char *end)
{
    for (c++; c < end; c++) {
        if (*c == '\\')
            c++;
        else if (*c == '"')
            return c + 1;
    }
    return NULL;
}

/* c at the start of a value: returns the position after it, or NULL. */
static const char *s_skip_value(const char *c, const char *end)
{
    if (c >= end)
        return NULL;
    if (*c == '"')
        return s_skip_string(c, end);
    if (*c != '{' && *c != '[') {
        while (c < end && *c != ',' && *c != '}' && *c != ']')
            c++;
        return c;
    }
    size_t depth = 0;
    while (c < end) {
        if (*c == '"') {
            if (!(c = s_skip_string(c, end)))
                return NULL;
            continue;
        }
        if (*c == '{' || *c == '[') {
            depth++;
        } else if (*c == '}' || *c == ']') {
            if (--depth == 0)
                return c + 1;
        }
        c++;
    }
    return NULL;
}

/* A new object with the members of the stored item `text` named in `names` (NULL entries are
 * skipped), or NULL when the text is not what jansson writes (the caller then parses it all). */
static json_t *s_item_members(const char *text, size_t len, const char *const *names, size_t n)
{
    const char *c = text, *end = text + len;
    c = s_skip_ws(c, end);
    if (c >= end || *c++ != '{')
        return NULL;
    json_t *out = json_object();
    for (bool first = true;; first = false) {
        c = s_skip_ws(c, end);
        if (first && c < end && *c == '}' && s_skip_ws(c + 1, end) == end)
            return out; /* {} */
        if (c >= end || *c != '"')
            break;
        const char *key = c + 1;
        const char *after = s_skip_string(c, end);
        if (!after || memchr(key, '\\', (size_t)(after - 1 - key)))
            break;
        size_t klen = (size_t)(after - 1 - key);
        c = s_skip_ws(after, end);
        if (c >= end || *c++ != ':')
            break;
        c = s_skip_ws(c, end);
        const char *vend = s_skip_value(c, end);
        if (!vend)
            break;
        for (size_t i = 0; i < n; i++) {
            if (!names[i] || strlen(names[i]) != klen || memcmp(names[i], key, klen) != 0 ||
                json_object_get(out, names[i]))
                continue;
            json_t *v = json_loadb(c, (size_t)(vend - c), JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);
            if (!v)
                goto fail;
            json_object_set_new(out, names[i], v);
        }
        c = s_skip_ws(vend, end);
        if (c < end && *c == ',') {
            c++;
            continue;
        }
        if (c < end && *c == '}' && s_skip_ws(c + 1, end) == end)
            return out;
        break;
    }
fail:
    json_decref(out);
    return NULL;
}

/* The last item's key as LastEvaluatedKey: table key plus index key. */
static json_t *s_last_key(const struct plan *p, const json_t *item)
{
    json_t *k = json_object();
    const struct ddb_key_attr *attrs[4] = {&p->t->hash, &p->t->range, p->ix ? &p->ix->hash : NULL,
                                           p->ix ? &p->ix->range : NULL};
    for (size_t i = 0; i < 4; i++) {
        if (!attrs[i] || !attrs[i]->type)
            continue;
        const json_t *v = json_object_get(item, attrs[i]->name);
        if (v)
            json_object_set(k, attrs[i]->name, (json_t *)v);
    }
    return k;
}

static int s_run(struct lc_ddb *ddb, struct plan *p, json_t **response, struct ddb_sink *sink, struct lc_error *err)
{
    struct lc_buf lo, hi, s_pk, s_sk, s_tpk, s_tsk;
    lc_buf_init(&lo, LC_BUF_UNLIMITED);
    lc_buf_init(&hi, LC_BUF_UNLIMITED);
    lc_buf_init(&s_pk, LC_BUF_UNLIMITED);
    lc_buf_init(&s_sk, LC_BUF_UNLIMITED);
    lc_buf_init(&s_tpk, LC_BUF_UNLIMITED);
    lc_buf_init(&s_tsk, LC_BUF_UNLIMITED);
    json_t *items = json_array();
    json_t *last = NULL;
    int rc = 0;
    sqlite3_stmt *st = NULL;
    sqlite3_stmt *next_st = NULL; /* read once st is exhausted (a table scan from a start key) */
    /* Items that need no work are copied as stored text when the caller takes text. */
    bool raw = sink && sink->text && !p->x.filter && !p->x.projection && !p->fetch_from_table;
    /* The last raw item, for LastEvaluatedKey: where it sits in the sink (no copy per item), or a
     * copy in last_raw when items are only counted (Select COUNT). */
    struct lc_buf last_raw;
    lc_buf_init(&last_raw, LC_BUF_UNLIMITED);
    size_t last_off = 0, last_len = 0;
    bool want_items = !p->select || strcmp(p->select, "COUNT") != 0;
    if (sink)
        sink->member = raw && want_items ? "Items" : NULL;

    /* Encoded start key parts (validated by s_check_start). */
    if (p->start) {
        ddb_item_key(p->start, p->hash, p->range, &s_pk, &s_sk);
        if (p->ix)
            ddb_item_key(p->start, &p->t->hash, &p->t->range, &s_tpk, &s_tsk);
    }

    if (p->query) {
        if (p->kr.has_lo) {
            lc_buf_append(&lo, p->kr.lo.data, p->kr.lo.len);
            if (!p->kr.lo_incl)
                lc_buf_append_byte(&lo, '\0');
        }
        if (p->kr.has_hi) {
            lc_buf_append(&hi, p->kr.hi.data, p->kr.hi.len);
            if (p->kr.hi_incl)
                lc_buf_append_byte(&hi, '\0');
        } else {
            s_top(&hi);
        }
        bool hi_top = !p->kr.has_hi;
        if (p->start && !p->ix) {
            /* Table query: fold the start key into the bounds. */
            if (p->forward) {
                struct lc_buf after;
                lc_buf_init(&after, LC_BUF_UNLIMITED);
                lc_buf_append(&after, s_sk.data, s_sk.len);
                lc_buf_append_byte(&after, '\0');
                if (s_buf_cmp(&after, &lo) > 0) {
                    lc_buf_reset(&lo);
                    lc_buf_append(&lo, after.data, after.len);
                }
                lc_buf_free(&after);
            } else if (s_buf_cmp(&s_sk, &hi) < 0) {
                lc_buf_reset(&hi);
                lc_buf_append(&hi, s_sk.data, s_sk.len);
                hi_top = false;
            }
        }
        if (!p->ix) {
            const char *sql = hi_top ? (p->forward ? SQL_Q_ASC_OPEN : SQL_Q_DESC_OPEN) : (p->forward ? SQL_Q_ASC : SQL_Q_DESC);
            st = lc_store_stmt(ddb->store, sql, err);
            if (!st) {
                rc = LC_EINTERNAL;
                goto done;
            }
            sqlite3_bind_int64(st, 1, p->t->id);
            s_bind_buf(st, 2, &p->kr.pk);
            s_bind_buf(st, 3, &lo);
            if (!hi_top)
                s_bind_buf(st, 4, &hi);
        } else {
            /* Without a start key, the statement has no start-key terms at all. */
            const char *sql = p->start ? (p->forward ? SQL_QI_ASC : SQL_QI_DESC)
                                       : (p->forward ? SQL_QI_ASC_ALL : SQL_QI_DESC_ALL);
            st = lc_store_stmt(ddb->store, sql, err);
            if (!st) {
                rc = LC_EINTERNAL;
                goto done;
            }
            sqlite3_bind_int64(st, 1, p->t->id);
            sqlite3_bind_int64(st, 2, p->ix->id);
            s_bind_buf(st, 3, &p->kr.pk);
            s_bind_buf(st, 4, &lo);
            s_bind_buf(st, 5, &hi);
            if (p->start) {
                s_bind_buf(st, 6, &s_sk);
                s_bind_buf(st, 7, &s_tpk);
                s_bind_buf(st, 8, &s_tsk);
            }
        }
    } else if (!p->ix) {
        st = lc_store_stmt(ddb->store, p->start ? SQL_SCAN_REST : SQL_SCAN, err);
        if (st && p->start)
            next_st = lc_store_stmt(ddb->store, SQL_SCAN_AFTER, err);
        if (!st || (p->start && !next_st)) {
            rc = LC_EINTERNAL;
            goto done;
        }
        sqlite3_bind_int64(st, 1, p->t->id);
        if (p->start) {
            s_bind_buf(st, 2, &s_pk);
            s_bind_buf(st, 3, &s_sk);
            sqlite3_bind_int64(next_st, 1, p->t->id);
            s_bind_buf(next_st, 2, &s_pk);
        }
    } else {
        st = lc_store_stmt(ddb->store, SQL_SCAN_IX, err);
        if (!st) {
            rc = LC_EINTERNAL;
            goto done;
        }
        sqlite3_bind_int64(st, 1, p->t->id);
        sqlite3_bind_int64(st, 2, p->ix->id);
        s_bind_buf(st, 3, &s_pk);
        s_bind_buf(st, 4, &s_sk);
        s_bind_buf(st, 5, &s_tpk);
        s_bind_buf(st, 6, &s_tsk);
    }

    int64_t scanned = 0, count = 0;
    size_t bytes = 0, table_bytes = 0;
    bool stopped = false;
    int step;
next_range:
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((p->limit && scanned >= p->limit) || bytes >= DDB_PAGE_MAX_BYTES) {
            stopped = true;
            break;
        }
        if (p->total_segments) {
            int pk_col = p->ix ? 4 : 2;
            const void *pk = sqlite3_column_blob(st, pk_col);
            uint32_t h = lc_crc32(pk ? pk : "", (size_t)sqlite3_column_bytes(st, pk_col));
            if ((int64_t)(h % (uint32_t)p->total_segments) != p->segment)
                continue;
        }
        size_t size = (size_t)sqlite3_column_int64(st, 0);
        if (raw) {
            const char *text = sqlite3_column_blob(st, 1);
            size_t len = (size_t)sqlite3_column_bytes(st, 1);
            scanned++;
            count++;
            bytes += size;
            if (want_items) {
                /* n_items counts the items spliced; "Items" stays an array even when empty. */
                if (sink->n_items++)
                    lc_buf_append_byte(&sink->items, ',');
                last_off = sink->items.len;
                lc_buf_append(&sink->items, text, len);
            } else {
                lc_buf_reset(&last_raw);
                lc_buf_append(&last_raw, text, len);
            }
            last_len = len;
            continue;
        }
        json_error_t jerr;
        json_t *item = json_loadb(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), JSON_ALLOW_NUL, &jerr);
        if (!item) {
            rc = lc_error_set(err, LC_EINTERNAL, 500, "InternalServerError", "a stored item is damaged: %s", jerr.text);
            break;
        }
        scanned++;
        bytes += size;
        json_decref(last);
        last = json_incref(item);
        bool filtered = false;
        if (p->fetch_from_table) {
            struct lc_buf tpk = {(char *)sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2), 0, 0};
            struct lc_buf tsk = {(char *)sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), 0, 0};
            json_t *full = NULL;
            size_t full_size = 0;
            /* A second statement while the first is stepping is fine on one connection. */
            if ((rc = ddb_store_get(ddb, p->t, &tpk, &tsk, &full, &full_size, err))) {
                json_decref(item);
                break;
            }
            table_bytes += full_size;
            if (full && p->reply_index_item) {
                filtered = true;
                bool keep = ddb_expr_eval(p->x.filter, full);
                json_decref(full);
                if (!keep) {
                    json_decref(item);
                    continue;
                }
            } else if (full) {
                json_decref(item);
                item = full;
            }
        }
        if (p->x.filter && !filtered && !ddb_expr_eval(p->x.filter, item)) {
            json_decref(item);
            continue;
        }
        count++;
        if (want_items) {
            if (p->x.projection) {
                json_array_append_new(items, ddb_project(item, p->x.projection, p->x.nprojection));
                json_decref(item);
            } else {
                json_array_append_new(items, item);
            }
        } else {
            json_decref(item);
        }
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = lc_store_sql_error(ddb->store, p->query ? "querying" : "scanning", err);
    if (rc == 0 && step == SQLITE_DONE && next_st) {
        lc_store_stmt_done(st);
        st = next_st;
        next_st = NULL;
        goto next_range;
    }
    lc_store_stmt_done(st);
    lc_store_stmt_done(next_st);
    if (rc)
        goto done;
    /* DynamoDB also returns LastEvaluatedKey when the page ends exactly at Limit. */
    if (!stopped && p->limit && scanned >= p->limit)
        stopped = true;
    if (raw && stopped && last_len) {
        const char *text = want_items ? sink->items.data + last_off : last_raw.data;
        const char *names[4] = {p->t->hash.name, p->t->range.type ? p->t->range.name : NULL,
                                p->ix ? p->ix->hash.name : NULL, p->ix && p->ix->range.type ? p->ix->range.name : NULL};
        last = s_item_members(text, last_len, names, 4);
        if (!last)
            last = json_loadb(text, last_len, JSON_ALLOW_NUL, NULL);
        if (!last) {
            rc = lc_error_set(err, LC_EINTERNAL, 500, "InternalServerError", "a stored item is damaged");
            goto done;
        }
    }

    double read_units = ddb_read_units(bytes, p->consistent);
    double idx_units[DDB_MAX_GSI + DDB_MAX_LSI] = {0};
    double table_units = read_units;
    if (p->ix) {
        idx_units[p->ix->id] = read_units;
        table_units = p->fetch_from_table ? ddb_read_units(table_bytes, p->consistent) : 0;
    }
    ddb_account(ddb, p->t->name, table_units + (p->ix ? idx_units[p->ix->id] : 0), 0, false);
    json_t *out = json_object();
    if (want_items && !raw)
        json_object_set_new(out, "Items", items);
    else
        json_decref(items);
    items = NULL;
    json_object_set_new(out, "Count", json_integer(count));
    json_object_set_new(out, "ScannedCount", json_integer(scanned));
    if (stopped && last)
        json_object_set_new(out, "LastEvaluatedKey", s_last_key(p, last));
    json_t *cc = ddb_consumed(p->t, p->rcc, table_units, p->ix ? idx_units : NULL, true);
    if (cc)
        json_object_set_new(out, "ConsumedCapacity", cc);
    *response = out;
done:
    lc_buf_free(&last_raw);
    json_decref(items);
    json_decref(last);
    lc_buf_free(&lo);
    lc_buf_free(&hi);
    lc_buf_free(&s_pk);
    lc_buf_free(&s_sk);
    lc_buf_free(&s_tpk);
    lc_buf_free(&s_tsk);
    return rc;
}

/* For a Query, the start key must lie in the queried partition and satisfy the range condition. */
static int s_check_query_start(const struct plan *p, struct lc_error *err)
{
    if (!p->start)
        return 0;
    const json_t *h = json_object_get(p->start, p->hash->name);
    if (!ddb_value_equal(h, p->kr.hash_value))
        return ddb_invalid(err, "The provided starting key is outside query boundaries based on provided conditions");
    if (!p->range->type || (!p->kr.has_lo && !p->kr.has_hi))
        return 0;
    struct lc_buf sk;
    lc_buf_init(&sk, LC_BUF_UNLIMITED);
    ddb_key_encode(json_object_get(p->start, p->range->name), p->range->type, &sk);
    bool ok = true;
    if (p->kr.has_lo) {
        int c = s_buf_cmp(&sk, &p->kr.lo);
        ok = ok && (c > 0 || (c == 0 && p->kr.lo_incl));
    }
    if (p->kr.has_hi) {
        int c = s_buf_cmp(&sk, &p->kr.hi);
        ok = ok && (c < 0 || (c == 0 && p->kr.hi_incl));
    }
    lc_buf_free(&sk);
    if (!ok)
        return ddb_invalid(err, "The provided starting key does not match the range key predicate");
    return 0;
}

int ddb_query_scan(struct lc_ddb *ddb, const json_t *request, bool query, json_t **response, struct ddb_sink *sink,
                   struct lc_error *err)
{
    *response = NULL;
    struct plan p;
    memset(&p, 0, sizeof p);
    p.query = query;
    lc_buf_init(&p.kr.pk, LC_BUF_UNLIMITED);
    lc_buf_init(&p.kr.lo, LC_BUF_UNLIMITED);
    lc_buf_init(&p.kr.hi, LC_BUF_UNLIMITED);
    int rc = s_params(request, &p, err);
    if (!rc && query && !p.x.keycond)
        rc = ddb_invalid(err, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
    struct ddb_tx tx = {false};
    if (!rc)
        rc = ddb_tx_read(ddb, &tx, err);
    bool in_tx = rc == 0;
    if (!rc)
        rc = s_resolve(ddb, request, &p, err);
    if (!rc && query) {
        ddb_key_range_free(&p.kr);
        rc = ddb_key_condition(p.x.keycond, p.hash, p.range, &p.kr, err);
    }
    if (!rc && query)
        rc = s_filter_keys(p.x.filter, &p, err);
    if (!rc)
        rc = s_check_start(&p, err);
    if (!rc && query)
        rc = s_check_query_start(&p, err);
    if (!rc)
        rc = s_run(ddb, &p, response, sink, err);
    if (in_tx)
        rc = ddb_tx_end(ddb, &tx, rc, err);
    if (rc) {
        json_decref(*response);
        *response = NULL;
    }
    s_plan_free(&p);
    return rc;
}

int lc_ddb_query(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    return ddb_query_scan(ddb, request, true, response, NULL, err);
}

int lc_ddb_scan(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err)
{
    return ddb_query_scan(ddb, request, false, response, NULL, err);
}
