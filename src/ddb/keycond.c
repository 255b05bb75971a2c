/* keycond.c: a parsed KeyConditionExpression turned into a key range, with AWS's messages. */
#include "ddb/ddb_internal.h"

#include <string.h>

struct cond {
    const char *attr;
    const struct ddb_node *node; /* the comparison / BETWEEN / begins_with */
    enum { C_EQ, C_LT, C_LE, C_GT, C_GE, C_BETWEEN, C_BEGINS } op;
    const json_t *v1, *v2;
};

struct collect {
    struct cond conds[2];
    size_t n;
};

static const char *s_upper_kind(const struct ddb_node *n)
{
    switch (n->kind) {
    case DDB_N_OR: return "OR";
    case DDB_N_NOT: return "NOT";
    case DDB_N_IN: return "IN";
    default: return "<>";
    }
}

static int s_add(struct collect *c, const char *attr, const struct ddb_node *node, int op, const json_t *v1,
                 const json_t *v2, struct lc_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->conds[i].attr, attr) == 0)
            return ddb_invalid(err, "KeyConditionExpressions must only contain one condition per key");
    }
    if (c->n == 2)
        return ddb_invalid(err, "KeyConditionExpressions must only contain one condition per key");
    c->conds[c->n++] = (struct cond){attr, node, op, v1, v2};
    return 0;
}

/* The single key attribute among a condition's operands (AWS refuses none, several or nested). */
static int s_attr_of(const struct ddb_node *n, size_t *which, const char **attr, struct lc_error *err)
{
    *attr = NULL;
    for (size_t i = 0; i < n->nargs; i++) {
        const struct ddb_node *a = n->args[i];
        if (a->kind == DDB_N_FUNC)
            return ddb_invalid(err, "KeyConditionExpressions cannot contain nested operations");
        if (a->kind != DDB_N_PATH)
            continue;
        if (*attr)
            return ddb_invalid(err, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
        if (a->npath > 1)
            return ddb_invalid(err, "KeyConditionExpressions cannot have conditions on nested attributes");
        *attr = a->path[0].name;
        *which = i;
    }
    if (!*attr)
        return ddb_invalid(err, "Invalid condition in KeyConditionExpression: No key attribute specified");
    return 0;
}

static int s_collect(const struct ddb_node *n, struct collect *c, struct lc_error *err)
{
    int rc;
    size_t which = 0;
    const char *attr;
    switch (n->kind) {
    case DDB_N_AND:
        if ((rc = s_collect(n->args[0], c, err)))
            return rc;
        return s_collect(n->args[1], c, err);
    case DDB_N_OR:
    case DDB_N_NOT:
    case DDB_N_IN:
        return ddb_invalid(err, "Invalid operator used in KeyConditionExpression: %s", s_upper_kind(n));
    case DDB_N_CMP: {
        if (n->op == DDB_NE)
            return ddb_invalid(err, "Invalid operator used in KeyConditionExpression: <>");
        if ((rc = s_attr_of(n, &which, &attr, err)))
            return rc;
        enum ddb_cmp_op op = n->op;
        if (which == 1) { /* :v < key  ==  key > :v */
            static const enum ddb_cmp_op flip[] = {DDB_EQ, DDB_NE, DDB_GT, DDB_GE, DDB_LT, DDB_LE};
            op = flip[op];
        }
        static const int map[] = {C_EQ, C_EQ, C_LT, C_LE, C_GT, C_GE};
        return s_add(c, attr, n, map[op], n->args[1 - which]->value, NULL, err);
    }
    case DDB_N_BETWEEN:
        if (n->args[0]->kind != DDB_N_PATH)
            return ddb_invalid(err, "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
        if ((rc = s_attr_of(n, &which, &attr, err)))
            return rc;
        return s_add(c, attr, n, C_BETWEEN, n->args[1]->value, n->args[2]->value, err);
    case DDB_N_FUNC:
        if (strcmp(n->func, "begins_with") != 0) {
            if (strcmp(n->func, "size") == 0)
                return ddb_invalid(err, "KeyConditionExpressions cannot contain nested operations");
            return ddb_invalid(err, "Invalid operator used in KeyConditionExpression: %s", n->func);
        }
        if (n->args[0]->kind != DDB_N_PATH)
            return ddb_invalid(err, "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
        if ((rc = s_attr_of(n, &which, &attr, err)))
            return rc;
        return s_add(c, attr, n, C_BEGINS, n->args[1]->value, NULL, err);
    default:
        return ddb_invalid(err, "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"\"");
    }
}

static bool s_of_type(const json_t *v, char type)
{
    const char *t = v ? ddb_value_type(v) : NULL;
    return t && t[0] == type && t[1] == '\0';
}

void ddb_key_range_free(struct ddb_key_range *r)
{
    lc_buf_free(&r->pk);
    lc_buf_free(&r->lo);
    lc_buf_free(&r->hi);
    json_decref(r->hash_value);
    r->hash_value = NULL;
}

/* The smallest byte string greater than every string that starts with `b`: drop trailing 0xff
 * bytes and increment the last one. False when there is none (all 0xff). */
static bool s_prefix_successor(struct lc_buf *b)
{
    while (b->len > 0 && (unsigned char)b->data[b->len - 1] == 0xff)
        b->len--;
    if (b->len == 0)
        return false;
    b->data[b->len - 1] = (char)((unsigned char)b->data[b->len - 1] + 1);
    return true;
}

int ddb_key_condition(const struct ddb_node *root, const struct ddb_key_attr *hash,
                      const struct ddb_key_attr *range, struct ddb_key_range *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    lc_buf_init(&out->pk, LC_BUF_UNLIMITED);
    lc_buf_init(&out->lo, LC_BUF_UNLIMITED);
    lc_buf_init(&out->hi, LC_BUF_UNLIMITED);
    struct collect c = {0};
    int rc = s_collect(root, &c, err);
    if (rc)
        return rc;
    const struct cond *hc = NULL, *rcnd = NULL;
    for (size_t i = 0; i < c.n; i++) {
        if (strcmp(c.conds[i].attr, hash->name) == 0)
            hc = &c.conds[i];
        else if (range->type && strcmp(c.conds[i].attr, range->name) == 0)
            rcnd = &c.conds[i];
    }
    if (!range->type && c.n > 1)
        return ddb_invalid(err, "Query key condition not supported");
    if (!hc)
        return ddb_invalid(err, "Query condition missed key schema element: %s", hash->name);
    if (c.n > 1 && !rcnd)
        return ddb_invalid(err, "Query condition missed key schema element: %s", range->name);
    if (!s_of_type(hc->v1, hash->type))
        return ddb_invalid(err, "One or more parameter values were invalid: Condition parameter type does not match schema type");
    if (rcnd && (!s_of_type(rcnd->v1, range->type) || (rcnd->v2 && !s_of_type(rcnd->v2, range->type))))
        return ddb_invalid(err, "One or more parameter values were invalid: Condition parameter type does not match schema type");
    if (hc->op != C_EQ)
        return ddb_invalid(err, "Query key condition not supported");
    if (rcnd && rcnd->op == C_BEGINS && range->type == 'N')
        return ddb_invalid(err, "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    ddb_key_encode(hc->v1, hash->type, &out->pk);
    out->hash_value = json_incref((json_t *)hc->v1);
    if (!rcnd)
        return 0;
    switch (rcnd->op) {
    case C_EQ:
        out->has_lo = out->has_hi = out->lo_incl = out->hi_incl = true;
        ddb_key_encode(rcnd->v1, range->type, &out->lo);
        ddb_key_encode(rcnd->v1, range->type, &out->hi);
        break;
    case C_LT:
    case C_LE:
        out->has_hi = true;
        out->hi_incl = rcnd->op == C_LE;
        ddb_key_encode(rcnd->v1, range->type, &out->hi);
        break;
    case C_GT:
    case C_GE:
        out->has_lo = true;
        out->lo_incl = rcnd->op == C_GE;
        ddb_key_encode(rcnd->v1, range->type, &out->lo);
        break;
    case C_BETWEEN:
        out->has_lo = out->has_hi = out->lo_incl = out->hi_incl = true;
        ddb_key_encode(rcnd->v1, range->type, &out->lo);
        ddb_key_encode(rcnd->v2, range->type, &out->hi);
        break;
    case C_BEGINS:
        out->has_lo = out->lo_incl = true;
        ddb_key_encode(rcnd->v1, range->type, &out->lo);
        ddb_key_encode(rcnd->v1, range->type, &out->hi);
        out->has_hi = s_prefix_successor(&out->hi);
        out->hi_incl = false;
        break;
    }
    return 0;
}
