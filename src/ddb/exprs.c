/* exprs.c: a request's expression parameters, checked and parsed together as DynamoDB does. */
#include "ddb/ddb_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/json.h"

#include "leastcloud/alloc.h"

static const struct {
    unsigned flag;
    const char *name;
} s_exprs[] = {
    {DDB_X_CONDITION, "ConditionExpression"},
    {DDB_X_KEYCOND, "KeyConditionExpression"},
    {DDB_X_FILTER, "FilterExpression"},
    {DDB_X_PROJECTION, "ProjectionExpression"},
};

/* The legacy parameters that may not be mixed with expressions. */
static const char *const s_legacy[] = {"AttributesToGet", "Expected", "KeyConditions", "QueryFilter", "ScanFilter",
                                       "ConditionalOperator"};

void ddb_exprs_free(struct ddb_exprs *x)
{
    ddb_expr_ctx_free(&x->ctx);
    json_decref(x->values);
    memset(x, 0, sizeof *x);
}

/* Appends `sep` (when dst is not empty) and `s`, truncating at the buffer's end as snprintf would. */
static void s_join(char *dst, size_t cap, const char *sep, const char *s)
{
    size_t len = strlen(dst);
    const char *parts[2] = {len ? sep : "", s};
    for (size_t i = 0; i < 2; i++) {
        for (const char *c = parts[i]; *c && len + 1 < cap; c++)
            dst[len++] = *c;
    }
    dst[len] = '\0';
}

/*
 * The request members this file reads, found in one pass over the request (a handful of members)
 * instead of a hashed lookup per name (sixteen per parse, most of them absent).
 */
struct members {
    const json_t *expr[sizeof s_exprs / sizeof *s_exprs];
    const json_t *legacy[sizeof s_legacy / sizeof *s_legacy];
    bool any; /* any of them, or ExpressionAttributeNames / ExpressionAttributeValues */
};

static void s_members(const json_t *req, struct members *m)
{
    memset(m, 0, sizeof *m);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)req, k, v)
    {
        /* Every name below starts with one of these letters; most request members do not. */
        if (!strchr("ACEFKPQS", k[0]))
            continue;
        for (size_t i = 0; i < sizeof s_exprs / sizeof *s_exprs; i++) {
            if (strcmp(k, s_exprs[i].name) == 0) {
                m->expr[i] = v;
                m->any = true;
            }
        }
        for (size_t i = 0; i < sizeof s_legacy / sizeof *s_legacy; i++) {
            if (strcmp(k, s_legacy[i]) == 0) {
                m->legacy[i] = v;
                m->any = true;
            }
        }
        if (strcmp(k, "ExpressionAttributeNames") == 0 || strcmp(k, "ExpressionAttributeValues") == 0)
            m->any = true;
    }
}

static bool s_present(const json_t *v)
{
    return v && !json_is_null(v);
}

static const char *s_str(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int s_attributes_to_get(const json_t *req, struct ddb_exprs *x, struct lc_error *err)
{
    const json_t *list;
    int rc = ddb_req_array(req, "AttributesToGet", false, &list, err);
    if (rc || !list)
        return rc;
    size_t n = json_array_size(list);
    if (n < 1 || n > 255)
        return ddb_constraint(err, "[]", "attributesToGet",
                              n < 1 ? "Member must have length greater than or equal to 1"
                                    : "Member must have length less than or equal to 255");
    x->projection = ddb_arena_alloc(&x->ctx, n * sizeof *x->projection);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(list, i);
        if (!json_is_string(e))
            return ddb_wrong_type(e, "String", err);
        for (size_t j = 0; j < i; j++) {
            if (json_equal(e, json_array_get(list, j)))
                return ddb_invalid(err, "One or more parameter values were invalid: Duplicate value in attribute name: %s",
                                   json_string_value(e));
        }
        struct ddb_node *p = ddb_arena_alloc(&x->ctx, sizeof *p);
        p->kind = DDB_N_PATH;
        p->path = ddb_arena_alloc(&x->ctx, sizeof *p->path);
        p->path[0].name = json_string_value(e);
        p->npath = 1;
        p->text = p->path[0].name;
        x->projection[x->nprojection++] = p;
    }
    return 0;
}

int ddb_exprs_parse(const json_t *req, unsigned flags, struct ddb_exprs *x, struct lc_error *err)
{
    memset(x, 0, sizeof *x);
    struct members m;
    s_members(req, &m);
    if (!m.any) {
        /* No expression, no legacy parameter, no names or values: nothing to check or parse
         * (what the steps below conclude too, at a dozen lookups and allocations). */
        ddb_expr_ctx_init(&x->ctx, NULL, NULL);
        return 0;
    }
    int rc = ddb_expr_check_params(req, &x->values, err);
    const json_t *names = json_object_get(req, "ExpressionAttributeNames");
    ddb_expr_ctx_init(&x->ctx, json_is_object(names) ? names : NULL, x->values);
    if (rc)
        return rc;

    /* Which expressions and legacy parameters the request uses. */
    char used_exprs[160] = "", used_legacy[160] = "";
    bool any_expr = false, any_value_expr = false;
    for (size_t i = 0; i < sizeof s_exprs / sizeof *s_exprs; i++) {
        if (!(flags & s_exprs[i].flag) || !s_present(m.expr[i]))
            continue;
        const json_t *v = m.expr[i];
        if (!json_is_string(v))
            return ddb_wrong_type(v, "String", err);
        s_join(used_exprs, sizeof used_exprs, ", ", s_exprs[i].name);
        any_expr = true;
        if (s_exprs[i].flag != DDB_X_PROJECTION)
            any_value_expr = true;
    }
    bool any_legacy = false;
    for (size_t i = 0; i < sizeof s_legacy / sizeof *s_legacy; i++) {
        if (!s_present(m.legacy[i]))
            continue;
        s_join(used_legacy, sizeof used_legacy, ", ", s_legacy[i]);
        any_legacy = true;
    }
    if (any_expr && any_legacy)
        return ddb_invalid(err, "Can not use both expression and non-expression parameters in the same request: "
                                "Non-expression parameters: {%s} Expression parameters: {%s}", used_legacy, used_exprs);
    if (names && !json_is_null(names) && !any_expr)
        return ddb_invalid(err, "ExpressionAttributeNames can only be specified when using expressions");
    if (x->values && !any_value_expr) {
        char list[160] = "";
        size_t n = 0;
        for (size_t i = 0; i < sizeof s_exprs / sizeof *s_exprs; i++) {
            if (!(flags & s_exprs[i].flag) || s_exprs[i].flag == DDB_X_PROJECTION)
                continue;
            n++;
            s_join(list, sizeof list, " and ", s_exprs[i].name);
        }
        if (n)
            return ddb_invalid(err, "ExpressionAttributeValues can only be specified when using expressions: %s %s null",
                               list, n > 1 ? "are" : "is");
    }
    if (any_legacy) {
        for (size_t i = 0; i < sizeof s_legacy / sizeof *s_legacy; i++) {
            if (!s_present(m.legacy[i]))
                continue;
            if (i == 0 && (flags & DDB_X_ATTRS_TO_GET))
                continue;
            return ddb_invalid(err, "The legacy parameter %s is not supported by leastcloud; use the expression "
                                    "parameters (ConditionExpression, KeyConditionExpression, FilterExpression, "
                                    "ProjectionExpression) instead", s_legacy[i]);
        }
        if ((rc = s_attributes_to_get(req, x, err)))
            return rc;
    }

    /* m.expr follows s_exprs: condition, key condition, filter, projection. */
    const char *src;
    if ((flags & DDB_X_CONDITION) && (src = s_str(m.expr[0])) &&
        (rc = ddb_expr_parse_condition(&x->ctx, "ConditionExpression", src, &x->condition, err)))
        return rc;
    if ((flags & DDB_X_KEYCOND) && (src = s_str(m.expr[1])) &&
        (rc = ddb_expr_parse_condition(&x->ctx, "KeyConditionExpression", src, &x->keycond, err)))
        return rc;
    if ((flags & DDB_X_FILTER) && (src = s_str(m.expr[2])) &&
        (rc = ddb_expr_parse_condition(&x->ctx, "FilterExpression", src, &x->filter, err)))
        return rc;
    if ((flags & DDB_X_PROJECTION) && (src = s_str(m.expr[3])) &&
        (rc = ddb_expr_parse_projection(&x->ctx, src, &x->projection, &x->nprojection, err)))
        return rc;
    return ddb_expr_check_unused(&x->ctx, err);
}
