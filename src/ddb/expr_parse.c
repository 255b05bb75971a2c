/*
 * expr_parse.c: a recursive-descent parser for DynamoDB's condition grammar (used by
 * KeyConditionExpression now, ConditionExpression and FilterExpression next) and for
 * ProjectionExpression. Precedence, lowest first: OR, AND, NOT, then comparisons, BETWEEN, IN and
 * function calls. Names and values are resolved against ExpressionAttributeNames/Values while
 * parsing; semantic errors are collected and reported in AWS's priority order after a successful
 * parse, since a syntax error anywhere wins over them.
 */
#include "ddb/expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"

#define MAX_DEPTH 64

struct parser {
    struct ddb_expr_ctx *ctx;
    struct ddb_lexer lx;
    const char *what;
    char *errors[DDB_XE_COUNT];
    int depth;
    bool failed; /* a syntax error was reported into err */
    struct lc_error *err;
};

static void s_note(struct parser *p, enum ddb_expr_err kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void s_note(struct parser *p, enum ddb_expr_err kind, const char *fmt, ...)
{
    if (p->errors[kind])
        return;
    va_list ap;
    va_start(ap, fmt);
    p->errors[kind] = lc_vasprintf(fmt, ap);
    va_end(ap);
}

static void s_parser_free(struct parser *p)
{
    for (int i = 0; i < DDB_XE_COUNT; i++)
        lc_free(p->errors[i]);
}

static struct ddb_node *s_syntax(struct parser *p)
{
    if (!p->failed)
        ddb_lex_syntax_error(&p->lx, p->what, p->err);
    p->failed = true;
    return NULL;
}

static struct ddb_node *s_node(struct parser *p, enum ddb_node_kind kind)
{
    struct ddb_node *n = ddb_arena_alloc(p->ctx, sizeof *n);
    n->kind = kind;
    return n;
}

static char *s_tok_dup(struct parser *p, const struct ddb_token *t)
{
    char *s = ddb_arena_alloc(p->ctx, t->len + 1);
    memcpy(s, p->lx.src + t->start, t->len);
    return s;
}

static void s_add_arg(struct parser *p, struct ddb_node *n, struct ddb_node *arg)
{
    struct ddb_node **args = ddb_arena_alloc(p->ctx, (n->nargs + 1) * sizeof *args);
    if (n->nargs)
        memcpy(args, n->args, n->nargs * sizeof *args);
    args[n->nargs++] = arg;
    n->args = args;
}

/* A path element name: an identifier (reserved words refused) or #name (resolved). */
static const char *s_path_name(struct parser *p)
{
    struct ddb_token t = p->lx.cur;
    char *text = s_tok_dup(p, &t);
    if (t.kind == DDB_T_NAME) {
        if (ddb_reserved_word(text, t.len))
            s_note(p, DDB_XE_RESERVED, "Attribute name is a reserved keyword; reserved keyword: %s", text);
        return text;
    }
    const json_t *v = p->ctx->names ? json_object_get(p->ctx->names, text) : NULL;
    if (!json_is_string(v)) {
        s_note(p, DDB_XE_ATTR_NAME_VAL,
               "An expression attribute name used in the document path is not defined; attribute name: %s", text);
        return text;
    }
    if (!p->ctx->used_names)
        p->ctx->used_names = json_object();
    json_object_set_new(p->ctx->used_names, text, json_true());
    return json_string_value(v);
}

/* path := name ( '.' name | '[' digits ']' )* ; the current token is the head name. */
static struct ddb_node *s_path(struct parser *p)
{
    struct ddb_node *n = s_node(p, DDB_N_PATH);
    n->text = s_tok_dup(p, &p->lx.cur);
    size_t cap = 4;
    n->path = ddb_arena_alloc(p->ctx, cap * sizeof *n->path);
    n->path[n->npath++].name = s_path_name(p);
    ddb_lex_next(&p->lx);
    for (;;) {
        struct ddb_path_elem e = {0};
        if (p->lx.cur.kind == DDB_T_DOT) {
            ddb_lex_next(&p->lx);
            if (p->lx.cur.kind != DDB_T_NAME && p->lx.cur.kind != DDB_T_HASHNAME)
                return s_syntax(p);
            e.name = s_path_name(p);
            ddb_lex_next(&p->lx);
        } else if (p->lx.cur.kind == DDB_T_LBRACK) {
            ddb_lex_next(&p->lx);
            if (p->lx.cur.kind != DDB_T_NUMBER)
                return s_syntax(p);
            char *digits = s_tok_dup(p, &p->lx.cur);
            e.index = p->lx.cur.len > 9 ? 999999999 : strtol(digits, NULL, 10);
            ddb_lex_next(&p->lx);
            if (p->lx.cur.kind != DDB_T_RBRACK)
                return s_syntax(p);
            ddb_lex_next(&p->lx);
        } else {
            return n;
        }
        if (n->npath == cap) {
            struct ddb_path_elem *bigger = ddb_arena_alloc(p->ctx, cap * 2 * sizeof *bigger);
            memcpy(bigger, n->path, cap * sizeof *bigger);
            n->path = bigger;
            cap *= 2;
        }
        n->path[n->npath++] = e;
    }
}

static struct ddb_node *s_value(struct parser *p)
{
    struct ddb_node *n = s_node(p, DDB_N_VALUE);
    char *text = s_tok_dup(p, &p->lx.cur);
    n->text = text;
    const json_t *v = p->ctx->values ? json_object_get(p->ctx->values, text) : NULL;
    if (!v) {
        s_note(p, DDB_XE_ATTR_NAME_VAL,
               "An expression attribute value used in expression is not defined; attribute value: %s", text);
    } else {
        if (!p->ctx->used_values)
            p->ctx->used_values = json_object();
        json_object_set_new(p->ctx->used_values, text, json_true());
    }
    n->value = v;
    ddb_lex_next(&p->lx);
    return n;
}

static const char *s_value_type(const struct ddb_node *n)
{
    if (n->kind == DDB_N_VALUE && n->value)
        return ddb_value_type(n->value);
    if (n->kind == DDB_N_FUNC && strcmp(n->func, "size") == 0)
        return "N";
    return NULL;
}

static char *s_path_text(const struct ddb_node *n)
{
    struct lc_buf b;
    lc_buf_init(&b, 4096);
    lc_buf_append_byte(&b, '[');
    for (size_t i = 0; i < n->npath; i++) {
        if (i)
            lc_buf_append_str(&b, ", ");
        if (n->path[i].name)
            lc_buf_append_str(&b, n->path[i].name);
        else
            lc_buf_appendf(&b, "[%ld]", n->path[i].index);
    }
    lc_buf_append_byte(&b, ']');
    return lc_buf_detach(&b, NULL);
}

static bool s_same_path(const struct ddb_node *a, const struct ddb_node *b)
{
    if (a->kind != DDB_N_PATH || b->kind != DDB_N_PATH || a->npath != b->npath)
        return false;
    for (size_t i = 0; i < a->npath; i++) {
        const struct ddb_path_elem *x = &a->path[i], *y = &b->path[i];
        if ((x->name == NULL) != (y->name == NULL))
            return false;
        if (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index)
            return false;
    }
    return true;
}

static void s_check_distinct(struct parser *p, const char *op, struct ddb_node *a, struct ddb_node *b)
{
    if (!s_same_path(a, b))
        return;
    char *text = s_path_text(a);
    s_note(p, DDB_XE_DISTINCT,
           "The first operand must be distinct from the remaining operands for this operator or function; "
           "operator: %s, first operand: %s", op, text);
    lc_free(text);
}

/* Functions other than size() may not be comparison operands. */
static void s_check_misused(struct parser *p, const struct ddb_node *n)
{
    if (n && n->kind == DDB_N_FUNC && strcmp(n->func, "size") != 0)
        s_note(p, DDB_XE_MISUSED_FUNCTION,
               "The function is not allowed to be used this way in an expression; function: %s", n->func);
}

static void s_check_function(struct parser *p, struct ddb_node *f)
{
    static const struct {
        const char *name;
        size_t nargs;
    } fns[] = {{"attribute_exists", 1}, {"attribute_not_exists", 1}, {"attribute_type", 2},
               {"begins_with", 2},      {"contains", 2},             {"size", 1}};
    size_t want = 0;
    bool known = false;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        if (strcmp(f->func, fns[i].name) == 0) {
            want = fns[i].nargs;
            known = true;
        }
    }
    if (!known) {
        s_note(p, DDB_XE_UNKNOWN_FUNCTION, "Invalid function name; function: %s", f->func);
        return;
    }
    if (f->nargs != want) {
        s_note(p, DDB_XE_OPERAND,
               "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %zu",
               f->func, f->nargs);
        return;
    }
    if (want == 2)
        s_check_distinct(p, f->func, f->args[0], f->args[1]);
    if (strncmp(f->func, "attribute_", 10) == 0 && strcmp(f->func, "attribute_type") != 0) {
        if (f->args[0]->kind != DDB_N_PATH)
            s_note(p, DDB_XE_FUNCTION, "Operator or function requires a document path; operator or function: %s", f->func);
    } else if (strcmp(f->func, "begins_with") == 0) {
        for (size_t i = 0; i < 2; i++) {
            const char *t = s_value_type(f->args[i]);
            if (t && strcmp(t, "S") != 0 && strcmp(t, "B") != 0)
                s_note(p, DDB_XE_FUNCTION,
                       "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
                       f->func, t);
        }
    } else if (strcmp(f->func, "attribute_type") == 0) {
        const char *t = s_value_type(f->args[1]);
        if (!t || strcmp(t, "S") != 0) {
            s_note(p, DDB_XE_FUNCTION,
                   "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
                   f->func, t ? t : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        } else {
            const char *name = json_string_value(json_object_get(f->args[1]->value, "S"));
            static const char *const types[] = {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
            bool ok = false;
            for (size_t i = 0; i < sizeof types / sizeof *types; i++)
                ok = ok || strcmp(name, types[i]) == 0;
            if (!ok)
                s_note(p, DDB_XE_FUNCTION, "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", name);
        }
    } else if (strcmp(f->func, "size") == 0) {
        const char *t = s_value_type(f->args[0]);
        if (t && (strcmp(t, "N") == 0 || strcmp(t, "BOOL") == 0 || strcmp(t, "NULL") == 0))
            s_note(p, DDB_XE_FUNCTION,
                   "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
                   f->func, t);
    }
}

static struct ddb_node *s_operand(struct parser *p);

/* name '(' operand (',' operand)* ')' with the current token the name. */
static struct ddb_node *s_call(struct parser *p)
{
    struct ddb_node *f = s_node(p, DDB_N_FUNC);
    char *name = s_tok_dup(p, &p->lx.cur);
    f->func = name;
    ddb_lex_next(&p->lx); /* name */
    ddb_lex_next(&p->lx); /* ( */
    if (p->lx.cur.kind == DDB_T_RPAREN)
        return s_syntax(p);
    for (;;) {
        struct ddb_node *a = s_operand(p);
        if (!a)
            return NULL;
        s_check_misused(p, a);
        s_add_arg(p, f, a);
        if (p->lx.cur.kind == DDB_T_COMMA) {
            ddb_lex_next(&p->lx);
            continue;
        }
        if (p->lx.cur.kind != DDB_T_RPAREN)
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        break;
    }
    s_check_function(p, f);
    return f;
}

static bool s_next_is_lparen(struct parser *p)
{
    struct ddb_lexer probe = p->lx;
    ddb_lex_next(&probe);
    return probe.cur.kind == DDB_T_LPAREN;
}

/* operand := path | :value | function call */
static struct ddb_node *s_operand(struct parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return s_syntax(p);
    struct ddb_node *n = NULL;
    switch (p->lx.cur.kind) {
    case DDB_T_VALUE:
        n = s_value(p);
        break;
    case DDB_T_HASHNAME:
        n = s_path(p);
        break;
    case DDB_T_NAME:
        if (ddb_tok_is_keyword(&p->lx, &p->lx.cur))
            return s_syntax(p);
        n = s_next_is_lparen(p) ? s_call(p) : s_path(p);
        break;
    default:
        return s_syntax(p);
    }
    p->depth--;
    return n;
}

static bool s_cmp_op(enum ddb_token_kind k, enum ddb_cmp_op *op)
{
    switch (k) {
    case DDB_T_EQ: *op = DDB_EQ; return true;
    case DDB_T_NE: *op = DDB_NE; return true;
    case DDB_T_LT: *op = DDB_LT; return true;
    case DDB_T_LE: *op = DDB_LE; return true;
    case DDB_T_GT: *op = DDB_GT; return true;
    case DDB_T_GE: *op = DDB_GE; return true;
    default: return false;
    }
}

static const char *const s_op_text[] = {"=", "<>", "<", "<=", ">", ">="};

/* A value as AWS prints it inside "AttributeValue: {S:text}". Caller frees with lc_free. */
static char *s_av_text(const json_t *v)
{
    if (json_is_string(v))
        return lc_strdup(json_string_value(v));
    char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *out = lc_strdup(dumped ? dumped : "");
    free(dumped);
    return out;
}

static void s_check_between(struct parser *p, struct ddb_node *lo, struct ddb_node *hi)
{
    if (lo->kind != DDB_N_VALUE || hi->kind != DDB_N_VALUE || !lo->value || !hi->value)
        return;
    const char *t1 = ddb_value_type(lo->value), *t2 = ddb_value_type(hi->value);
    if (!t1 || !t2)
        return;
    char *a = s_av_text(json_object_get(lo->value, t1));
    char *b = s_av_text(json_object_get(hi->value, t2));
    if (strcmp(t1, t2) != 0)
        s_note(p, DDB_XE_FUNCTION,
               "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
               "AttributeValue: {%s:%s}, upper bound operand: AttributeValue: {%s:%s}", t1, a, t2, b);
    else if (ddb_value_cmp(lo->value, hi->value) > 0)
        s_note(p, DDB_XE_FUNCTION,
               "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound "
               "operand: AttributeValue: {%s:%s}, upper bound operand: AttributeValue: {%s:%s}", t1, a, t2, b);
    lc_free(a);
    lc_free(b);
}

static struct ddb_node *s_or(struct parser *p);

/* A comparison, BETWEEN, IN, a function call used as a condition, or a parenthesised condition. */
static struct ddb_node *s_primary(struct parser *p)
{
    if (p->lx.cur.kind == DDB_T_LPAREN) {
        if (++p->depth > MAX_DEPTH)
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        bool inner_parens = p->lx.cur.kind == DDB_T_LPAREN;
        struct ddb_node *n = s_or(p);
        if (!n)
            return NULL;
        if (p->lx.cur.kind != DDB_T_RPAREN)
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        if (inner_parens && n->parens)
            s_note(p, DDB_XE_PARENS, "The expression has redundant parentheses;");
        n->parens = true;
        p->depth--;
        return n;
    }
    struct ddb_node *left = s_operand(p);
    if (!left)
        return NULL;
    enum ddb_cmp_op op;
    if (s_cmp_op(p->lx.cur.kind, &op)) {
        ddb_lex_next(&p->lx);
        struct ddb_node *right = s_operand(p);
        if (!right)
            return NULL;
        s_check_misused(p, left);
        s_check_misused(p, right);
        struct ddb_node *n = s_node(p, DDB_N_CMP);
        n->op = op;
        s_add_arg(p, n, left);
        s_add_arg(p, n, right);
        s_check_distinct(p, s_op_text[op], left, right);
        return n;
    }
    if (ddb_tok_is_word(&p->lx, &p->lx.cur, "BETWEEN")) {
        ddb_lex_next(&p->lx);
        struct ddb_node *lo = s_operand(p);
        if (!lo)
            return NULL;
        if (!ddb_tok_is_word(&p->lx, &p->lx.cur, "AND"))
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        struct ddb_node *hi = s_operand(p);
        if (!hi)
            return NULL;
        s_check_misused(p, left);
        s_check_misused(p, lo);
        s_check_misused(p, hi);
        struct ddb_node *n = s_node(p, DDB_N_BETWEEN);
        s_add_arg(p, n, left);
        s_add_arg(p, n, lo);
        s_add_arg(p, n, hi);
        s_check_between(p, lo, hi);
        return n;
    }
    if (ddb_tok_is_word(&p->lx, &p->lx.cur, "IN")) {
        ddb_lex_next(&p->lx);
        if (p->lx.cur.kind != DDB_T_LPAREN)
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        struct ddb_node *n = s_node(p, DDB_N_IN);
        s_check_misused(p, left);
        s_add_arg(p, n, left);
        for (;;) {
            struct ddb_node *a = s_operand(p);
            if (!a)
                return NULL;
            s_check_misused(p, a);
            s_add_arg(p, n, a);
            if (p->lx.cur.kind == DDB_T_COMMA) {
                ddb_lex_next(&p->lx);
                continue;
            }
            if (p->lx.cur.kind != DDB_T_RPAREN)
                return s_syntax(p);
            ddb_lex_next(&p->lx);
            break;
        }
        return n;
    }
    /* A bare function call is a condition (attribute_exists(a)); anything else is incomplete. */
    if (left->kind == DDB_N_FUNC) {
        if (strcmp(left->func, "size") == 0)
            s_note(p, DDB_XE_MISUSED_FUNCTION,
                   "The function is not allowed to be used this way in an expression; function: %s", left->func);
        return left;
    }
    return s_syntax(p);
}

static struct ddb_node *s_not(struct parser *p)
{
    if (ddb_tok_is_word(&p->lx, &p->lx.cur, "NOT")) {
        if (++p->depth > MAX_DEPTH)
            return s_syntax(p);
        ddb_lex_next(&p->lx);
        struct ddb_node *inner = s_not(p);
        if (!inner)
            return NULL;
        p->depth--;
        struct ddb_node *n = s_node(p, DDB_N_NOT);
        s_add_arg(p, n, inner);
        return n;
    }
    return s_primary(p);
}

static struct ddb_node *s_and(struct parser *p)
{
    struct ddb_node *left = s_not(p);
    while (left && ddb_tok_is_word(&p->lx, &p->lx.cur, "AND")) {
        ddb_lex_next(&p->lx);
        struct ddb_node *right = s_not(p);
        if (!right)
            return NULL;
        struct ddb_node *n = s_node(p, DDB_N_AND);
        s_add_arg(p, n, left);
        s_add_arg(p, n, right);
        left = n;
    }
    return left;
}

static struct ddb_node *s_or(struct parser *p)
{
    struct ddb_node *left = s_and(p);
    while (left && ddb_tok_is_word(&p->lx, &p->lx.cur, "OR")) {
        ddb_lex_next(&p->lx);
        struct ddb_node *right = s_and(p);
        if (!right)
            return NULL;
        struct ddb_node *n = s_node(p, DDB_N_OR);
        s_add_arg(p, n, left);
        s_add_arg(p, n, right);
        left = n;
    }
    return left;
}

static int s_report(struct parser *p, const enum ddb_expr_err *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p->errors[order[i]])
            return ddb_invalid(p->err, "Invalid %s: %s", p->what, p->errors[order[i]]);
    }
    return 0;
}

static void s_parser_init(struct parser *p, struct ddb_expr_ctx *ctx, const char *what, const char *src,
                          struct lc_error *err)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->what = what;
    p->err = err;
    ddb_lex_init(&p->lx, src);
}

int ddb_expr_parse_condition(struct ddb_expr_ctx *ctx, const char *what, const char *src,
                             struct ddb_node **out, struct lc_error *err)
{
    *out = NULL;
    if (!*src)
        return ddb_invalid(err, "Invalid %s: The expression can not be empty;", what);
    struct parser p;
    s_parser_init(&p, ctx, what, src, err);
    struct ddb_node *root = s_or(&p);
    if (root && p.lx.cur.kind != DDB_T_EOF)
        root = s_syntax(&p);
    int rc = LC_EINVAL;
    if (root) {
        static const enum ddb_expr_err order[] = {DDB_XE_PARENS, DDB_XE_UNKNOWN_FUNCTION, DDB_XE_MISUSED_FUNCTION,
                                                  DDB_XE_RESERVED, DDB_XE_ATTR_NAME_VAL, DDB_XE_OPERAND,
                                                  DDB_XE_DISTINCT, DDB_XE_FUNCTION};
        rc = s_report(&p, order, sizeof order / sizeof *order);
        if (rc == 0)
            *out = root;
    }
    s_parser_free(&p);
    return rc;
}

/* Projection paths may neither repeat nor contain one another (AWS's overlap/conflict rules). */
static void s_check_paths(struct parser *p, struct ddb_node **paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct ddb_node *a = paths[j], *b = paths[i];
            size_t common = a->npath < b->npath ? a->npath : b->npath;
            size_t k = 0;
            bool conflict = false;
            for (; k < common; k++) {
                const struct ddb_path_elem *x = &a->path[k], *y = &b->path[k];
                if ((x->name == NULL) != (y->name == NULL)) {
                    conflict = true;
                    break;
                }
                if (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index)
                    break;
            }
            char *ta = s_path_text(a), *tb = s_path_text(b);
            if (conflict)
                s_note(p, DDB_XE_PATH_CONFLICT,
                       "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                       "path one: %s, path two: %s", ta, tb);
            else if (k == common)
                s_note(p, DDB_XE_PATH_OVERLAP,
                       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                       "path one: %s, path two: %s", ta, tb);
            lc_free(ta);
            lc_free(tb);
        }
    }
}

int ddb_expr_parse_projection(struct ddb_expr_ctx *ctx, const char *src, struct ddb_node ***paths_out,
                              size_t *npaths, struct lc_error *err)
{
    *paths_out = NULL;
    *npaths = 0;
    if (!*src)
        return ddb_invalid(err, "Invalid ProjectionExpression: The expression can not be empty;");
    struct parser p;
    s_parser_init(&p, ctx, "ProjectionExpression", src, err);
    size_t n = 0, cap = 8;
    struct ddb_node **paths = ddb_arena_alloc(ctx, cap * sizeof *paths);
    int rc = LC_EINVAL;
    for (;;) {
        if (p.lx.cur.kind != DDB_T_NAME && p.lx.cur.kind != DDB_T_HASHNAME) {
            s_syntax(&p);
            goto done;
        }
        struct ddb_node *path = s_path(&p);
        if (!path)
            goto done;
        if (n == cap) {
            struct ddb_node **bigger = ddb_arena_alloc(ctx, cap * 2 * sizeof *bigger);
            memcpy(bigger, paths, cap * sizeof *bigger);
            paths = bigger;
            cap *= 2;
        }
        paths[n++] = path;
        if (p.lx.cur.kind == DDB_T_COMMA) {
            ddb_lex_next(&p.lx);
            continue;
        }
        if (p.lx.cur.kind != DDB_T_EOF) {
            s_syntax(&p);
            goto done;
        }
        break;
    }
    s_check_paths(&p, paths, n);
    static const enum ddb_expr_err order[] = {DDB_XE_RESERVED, DDB_XE_ATTR_NAME_VAL, DDB_XE_PATH_OVERLAP,
                                              DDB_XE_PATH_CONFLICT};
    rc = s_report(&p, order, sizeof order / sizeof *order);
    if (rc == 0) {
        *paths_out = paths;
        *npaths = n;
    }
done:
    s_parser_free(&p);
    return rc;
}

/* "{#a, #b}" of the keys of `all` missing from `used`, or NULL when every key was used. */
static char *s_unused(const json_t *all, const json_t *used)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    const char *k;
    json_t *v;
    size_t n = 0;
    json_object_foreach((json_t *)all, k, v)
    {
        if (used && json_object_get(used, k)) /* used is NULL when nothing was referenced */
            continue;
        lc_buf_append_str(&b, n++ ? ", " : "{");
        lc_buf_append_str(&b, k);
    }
    if (!n) {
        lc_buf_free(&b);
        return NULL;
    }
    lc_buf_append_byte(&b, '}');
    return lc_buf_detach(&b, NULL);
}

int ddb_expr_check_unused(struct ddb_expr_ctx *ctx, struct lc_error *err)
{
    char *s;
    if (ctx->names && (s = s_unused(ctx->names, ctx->used_names))) {
        int rc = ddb_invalid(err, "Value provided in ExpressionAttributeNames unused in expressions: keys: %s", s);
        lc_free(s);
        return rc;
    }
    if (ctx->values && (s = s_unused(ctx->values, ctx->used_values))) {
        int rc = ddb_invalid(err, "Value provided in ExpressionAttributeValues unused in expressions: keys: %s", s);
        lc_free(s);
        return rc;
    }
    return 0;
}

static bool s_key_ok(const char *k, char first)
{
    if (k[0] != first || !k[1])
        return false;
    for (const char *c = k + 1; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    }
    return true;
}

int ddb_expr_check_params(const json_t *request, json_t **values_out, struct lc_error *err)
{
    *values_out = NULL;
    const json_t *names, *values;
    int rc = ddb_req_object(request, "ExpressionAttributeNames", false, &names, err);
    if (rc)
        return rc;
    if (names) {
        if (json_object_size(names) == 0)
            return ddb_invalid(err, "ExpressionAttributeNames must not be empty");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)names, k, v)
        {
            if (!json_is_string(v))
                return ddb_wrong_type(v, "String", err);
            if (!s_key_ok(k, '#'))
                return ddb_invalid(err, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", k);
        }
    }
    if ((rc = ddb_req_object(request, "ExpressionAttributeValues", false, &values, err)))
        return rc;
    if (!values)
        return 0;
    if (json_object_size(values) == 0)
        return ddb_invalid(err, "ExpressionAttributeValues must not be empty");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)values, k, v)
    {
        if (!s_key_ok(k, ':'))
            return ddb_invalid(err, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", k);
    }
    json_t *canon = json_object();
    json_object_foreach((json_t *)values, k, v)
    {
        json_t *c;
        struct lc_error inner;
        lc_error_clear(&inner);
        if ((rc = ddb_value_check(v, &c, NULL, &inner))) {
            json_decref(canon);
            if (strcmp(inner.aws_code, "ValidationException") != 0) {
                if (err)
                    *err = inner;
                return rc;
            }
            return ddb_invalid(err, "ExpressionAttributeValues contains invalid value: %s for key %s", inner.message, k);
        }
        json_object_set_new(canon, k, c);
    }
    *values_out = canon;
    return 0;
}

/* ---------------------------------------------------------------- projection */

/* Copies the part of `src` (an AttributeValue) reached by path[i..] into `dst` (same shape). */
static void s_project_into(json_t *dst_av, const json_t *src_av, const struct ddb_path_elem *path, size_t n);

static void s_project_step(json_t *dst_map_or_list, const json_t *src_container, const char *type,
                           const struct ddb_path_elem *path, size_t n)
{
    const json_t *child;
    if (type[0] == 'M') {
        if (!path[0].name)
            return;
        child = json_object_get(src_container, path[0].name);
        if (!child)
            return;
        if (n == 1) {
            json_object_set(dst_map_or_list, path[0].name, (json_t *)child);
            return;
        }
        json_t *sub = json_object_get(dst_map_or_list, path[0].name);
        if (!sub) {
            const char *ct = ddb_value_type(child);
            if (!ct || (strcmp(ct, "M") != 0 && strcmp(ct, "L") != 0))
                return;
            sub = json_object();
            json_object_set_new(sub, ct, ct[0] == 'M' ? json_object() : json_array());
            json_object_set_new(dst_map_or_list, path[0].name, sub);
        }
        s_project_into(sub, child, path + 1, n - 1);
        return;
    }
    /* L: elements keep their relative order; a projected list is compacted, as AWS does. */
    if (path[0].name || path[0].index < 0 || (size_t)path[0].index >= json_array_size(src_container))
        return;
    child = json_array_get(src_container, (size_t)path[0].index);
    if (n == 1) {
        json_array_append(dst_map_or_list, (json_t *)child);
        return;
    }
    const char *ct = ddb_value_type(child);
    if (!ct || (strcmp(ct, "M") != 0 && strcmp(ct, "L") != 0))
        return;
    json_t *sub = json_object();
    json_object_set_new(sub, ct, ct[0] == 'M' ? json_object() : json_array());
    s_project_into(sub, child, path + 1, n - 1);
    json_array_append_new(dst_map_or_list, sub);
}

static void s_project_into(json_t *dst_av, const json_t *src_av, const struct ddb_path_elem *path, size_t n)
{
    const char *t = ddb_value_type(src_av);
    const char *dt = ddb_value_type(dst_av);
    if (!t || !dt || strcmp(t, dt) != 0)
        return;
    s_project_step(json_object_get(dst_av, dt), json_object_get(src_av, t), t, path, n);
}

json_t *ddb_project(const json_t *item, struct ddb_node **paths, size_t npaths)
{
    json_t *out = json_object();
    for (size_t i = 0; i < npaths; i++)
        s_project_step(out, item, "M", paths[i]->path, paths[i]->npath);
    /* Nested containers that received nothing are dropped. */
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(out, tmp, k, v)
    {
        const char *t = ddb_value_type(v);
        const json_t *inner = t ? json_object_get(v, t) : NULL;
        bool from_item = json_object_get(item, k) == v;
        if (!from_item && inner && ((json_is_object(inner) && json_object_size(inner) == 0) ||
                                    (json_is_array(inner) && json_array_size(inner) == 0)))
            json_object_del(out, k);
    }
    return out;
}
