/* expr_eval.c: evaluates a parsed condition (ConditionExpression, FilterExpression) against an item. */
#include "ddb/ddb_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

struct eval {
    const json_t *item;
    json_t *temps; /* values made while evaluating (size()), released at the end */
};

/* The value a path points at in the item, or NULL when any step is missing. Borrowed. */
static const json_t *s_resolve_path(const json_t *item, const struct ddb_node *n)
{
    const json_t *cur = json_object_get(item, n->path[0].name);
    for (size_t i = 1; cur && i < n->npath; i++) {
        const struct ddb_path_elem *e = &n->path[i];
        if (e->name) {
            cur = json_object_get(json_object_get(cur, "M"), e->name);
        } else {
            const json_t *l = json_object_get(cur, "L");
            cur = e->index >= 0 ? json_array_get(l, (size_t)e->index) : NULL;
        }
    }
    return cur;
}

static size_t s_size_of(const json_t *v, bool *ok)
{
    const char *t = ddb_value_type(v);
    const json_t *m = t ? json_object_get(v, t) : NULL;
    *ok = true;
    if (!t) {
        *ok = false;
        return 0;
    }
    if (strcmp(t, "S") == 0)
        return json_string_length(m);
    if (strcmp(t, "B") == 0) {
        size_t n = 0;
        uint8_t *b = lc_base64_decode(json_string_value(m), json_string_length(m), &n);
        lc_free(b);
        return n;
    }
    if (json_is_array(m))
        return json_array_size(m);
    if (json_is_object(m))
        return json_object_size(m);
    *ok = false;
    return 0;
}

static const json_t *s_operand(struct eval *ev, const struct ddb_node *n)
{
    switch (n->kind) {
    case DDB_N_PATH:
        return s_resolve_path(ev->item, n);
    case DDB_N_VALUE:
        return n->value;
    case DDB_N_FUNC:
        if (strcmp(n->func, "size") == 0) {
            const json_t *v = s_operand(ev, n->args[0]);
            bool ok;
            size_t size = v ? s_size_of(v, &ok) : 0;
            if (!v || !ok)
                return NULL;
            char text[32];
            snprintf(text, sizeof text, "%zu", size);
            json_t *num = json_pack("{s:s}", "N", text);
            json_array_append_new(ev->temps, num);
            return num;
        }
        return NULL;
    default:
        return NULL;
    }
}

static bool s_scalar_same_type(const json_t *a, const json_t *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    return ta && tb && strcmp(ta, tb) == 0 && (strcmp(ta, "S") == 0 || strcmp(ta, "N") == 0 || strcmp(ta, "B") == 0);
}

static bool s_contains(const json_t *hay, const json_t *needle)
{
    const char *th = ddb_value_type(hay), *tn = ddb_value_type(needle);
    if (!th || !tn)
        return false;
    const json_t *h = json_object_get(hay, th), *n = json_object_get(needle, tn);
    if (strcmp(th, "S") == 0 && strcmp(tn, "S") == 0) {
        size_t hl = json_string_length(h), nl = json_string_length(n);
        const char *hs = json_string_value(h), *ns = json_string_value(n);
        for (size_t i = 0; nl <= hl && i + nl <= hl; i++) {
            if (memcmp(hs + i, ns, nl) == 0)
                return true;
        }
        return false;
    }
    if ((strcmp(th, "SS") == 0 && strcmp(tn, "S") == 0) || (strcmp(th, "BS") == 0 && strcmp(tn, "B") == 0) ||
        (strcmp(th, "NS") == 0 && strcmp(tn, "N") == 0)) {
        for (size_t i = 0; i < json_array_size(h); i++) {
            json_t *e = json_pack("{s:O}", tn, json_array_get(h, i));
            bool eq = ddb_value_equal(e, needle);
            json_decref(e);
            if (eq)
                return true;
        }
        return false;
    }
    if (strcmp(th, "L") == 0) {
        for (size_t i = 0; i < json_array_size(h); i++) {
            if (ddb_value_equal(json_array_get(h, i), needle))
                return true;
        }
    }
    return false;
}

static bool s_begins_with(const json_t *v, const json_t *prefix)
{
    const char *tv = ddb_value_type(v), *tp = ddb_value_type(prefix);
    if (!tv || !tp || strcmp(tv, tp) != 0 || (strcmp(tv, "S") != 0 && strcmp(tv, "B") != 0))
        return false;
    const json_t *a = json_object_get(v, tv), *b = json_object_get(prefix, tp);
    if (tv[0] == 'S')
        return json_string_length(b) <= json_string_length(a) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(b)) == 0;
    size_t la = 0, lb = 0;
    uint8_t *ba = lc_base64_decode(json_string_value(a), json_string_length(a), &la);
    uint8_t *bb = lc_base64_decode(json_string_value(b), json_string_length(b), &lb);
    bool r = ba && bb && lb <= la && memcmp(ba, bb, lb) == 0;
    lc_free(ba);
    lc_free(bb);
    return r;
}

static bool s_eval(struct eval *ev, const struct ddb_node *n)
{
    switch (n->kind) {
    case DDB_N_AND:
        return s_eval(ev, n->args[0]) && s_eval(ev, n->args[1]);
    case DDB_N_OR:
        return s_eval(ev, n->args[0]) || s_eval(ev, n->args[1]);
    case DDB_N_NOT:
        return !s_eval(ev, n->args[0]);
    case DDB_N_CMP: {
        const json_t *a = s_operand(ev, n->args[0]), *b = s_operand(ev, n->args[1]);
        if (n->op == DDB_EQ)
            return a && b && ddb_value_equal(a, b);
        if (n->op == DDB_NE)
            return !(a && b && ddb_value_equal(a, b));
        if (!a || !b || !s_scalar_same_type(a, b))
            return false;
        int c = ddb_value_cmp(a, b);
        switch (n->op) {
        case DDB_LT: return c < 0;
        case DDB_LE: return c <= 0;
        case DDB_GT: return c > 0;
        default: return c >= 0;
        }
    }
    case DDB_N_BETWEEN: {
        const json_t *v = s_operand(ev, n->args[0]), *lo = s_operand(ev, n->args[1]), *hi = s_operand(ev, n->args[2]);
        return v && lo && hi && s_scalar_same_type(v, lo) && s_scalar_same_type(v, hi) && ddb_value_cmp(v, lo) >= 0 &&
               ddb_value_cmp(v, hi) <= 0;
    }
    case DDB_N_IN: {
        const json_t *v = s_operand(ev, n->args[0]);
        for (size_t i = 1; v && i < n->nargs; i++) {
            const json_t *c = s_operand(ev, n->args[i]);
            if (c && ddb_value_equal(v, c))
                return true;
        }
        return false;
    }
    case DDB_N_FUNC: {
        if (strcmp(n->func, "attribute_exists") == 0)
            return s_operand(ev, n->args[0]) != NULL;
        if (strcmp(n->func, "attribute_not_exists") == 0)
            return s_operand(ev, n->args[0]) == NULL;
        const json_t *a = s_operand(ev, n->args[0]);
        const json_t *b = n->nargs > 1 ? s_operand(ev, n->args[1]) : NULL;
        if (!a || !b)
            return false;
        if (strcmp(n->func, "attribute_type") == 0) {
            const char *t = ddb_value_type(a);
            const char *want = json_string_value(json_object_get(b, "S"));
            return t && want && strcmp(t, want) == 0;
        }
        if (strcmp(n->func, "begins_with") == 0)
            return s_begins_with(a, b);
        if (strcmp(n->func, "contains") == 0)
            return s_contains(a, b);
        return false;
    }
    default:
        return false;
    }
}

bool ddb_expr_eval(const struct ddb_node *root, const json_t *item)
{
    struct eval ev = {item ? item : NULL, json_array()};
    json_t *empty = NULL;
    if (!ev.item)
        ev.item = empty = json_object();
    bool r = s_eval(&ev, root);
    json_decref(ev.temps);
    json_decref(empty);
    return r;
}
