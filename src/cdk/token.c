/* token.c: deploy-time values travelling inside strings, resolved at synth as CDK resolves them. */
#include "cdk/internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

#define TOKEN_PREFIX "${Token[TOKEN."

const char *lc__token(struct lc_app *app, int kind, struct lc_node *target, const char *attr)
{
    /* One token per (kind, target, attr): the same value always prints the same way. */
    for (size_t i = 0; i < app->ntokens; i++) {
        struct token *t = &app->tokens[i];
        if ((int)t->kind == kind && t->target == target &&
            ((!t->attr && !attr) || (t->attr && attr && !strcmp(t->attr, attr))))
            return t->text;
    }
    if (app->ntokens == app->captokens) {
        app->captokens = app->captokens ? app->captokens * 2 : 16;
        app->tokens = lc_realloc(app->tokens, app->captokens * sizeof *app->tokens);
    }
    struct token *t = &app->tokens[app->ntokens];
    t->kind = kind;
    t->target = target;
    t->attr = lc_strdup(attr);
    t->text = lc_asprintf(TOKEN_PREFIX "%zu]}", app->ntokens + 1);
    app->ntokens++;
    return t->text;
}

const char *lc__ref(struct lc_node *l1)
{
    return lc__token(l1->app, TOK_REF, l1, NULL);
}

const char *lc__getatt(struct lc_node *l1, const char *attr)
{
    return lc__token(l1->app, TOK_GETATT, l1, attr);
}

bool lc_token_is_unresolved(const char *s)
{
    return s && strstr(s, TOKEN_PREFIX) != NULL;
}

/* Finds the next token in s: returns its start and sets *end and *index, or NULL. */
static const char *s_next_token(const char *s, const char **end, size_t *index)
{
    for (const char *p = strstr(s, TOKEN_PREFIX); p; p = strstr(p + 1, TOKEN_PREFIX)) {
        const char *q = p + strlen(TOKEN_PREFIX);
        size_t v = 0;
        const char *d = q;
        while (*d >= '0' && *d <= '9')
            v = v * 10 + (size_t)(*d++ - '0');
        if (d > q && d[0] == ']' && d[1] == '}') {
            *end = d + 2;
            *index = v;
            return p;
        }
    }
    return NULL;
}

static json_t *s_token_value(struct lc_app *app, size_t index)
{
    if (index == 0 || index > app->ntokens)
        return NULL;
    struct token *t = &app->tokens[index - 1];
    const char *lid = t->target->cfn ? t->target->cfn->logical_id : NULL;
    switch (t->kind) {
    case TOK_REF:
        return json_pack("{s:s}", "Ref", lid ? lid : "");
    case TOK_GETATT:
        return json_pack("{s:[s,s]}", "Fn::GetAtt", lid ? lid : "", t->attr);
    case TOK_INDEX_ARN:
        if (t->target->u.table.nindexes == 0)
            return NULL;
        {
            char *s = lc_asprintf("%s/index/*", lc_table_arn(t->target));
            json_t *v = lc__resolve_string(app, s);
            lc_free(s);
            return v;
        }
    }
    return NULL;
}

static void s_push_literal(json_t *parts, struct lc_buf *lit)
{
    if (lit->len) {
        json_array_append_new(parts, json_stringn(lit->data, lit->len));
        lc_buf_reset(lit);
    }
}

json_t *lc__resolve_string(struct lc_app *app, const char *s)
{
    const char *end;
    size_t index;
    const char *p = s_next_token(s, &end, &index);
    if (!p)
        return json_string(s);
    if (p == s && *end == '\0')
        return s_token_value(app, index);

    json_t *parts = json_array();
    struct lc_buf lit;
    lc_buf_init(&lit, LC_BUF_UNLIMITED);
    const char *cur = s;
    while (p) {
        lc_buf_append(&lit, cur, (size_t)(p - cur));
        json_t *v = s_token_value(app, index);
        if (json_is_string(v)) {
            lc_buf_append_str(&lit, json_string_value(v));
        } else if (v) {
            /* A nested join with the same (empty) delimiter is flattened, as CDK's resolver does. */
            json_t *inner = json_object_get(v, "Fn::Join");
            if (inner && json_is_string(json_array_get(inner, 0)) &&
                !strcmp(json_string_value(json_array_get(inner, 0)), "")) {
                size_t i;
                json_t *e;
                json_array_foreach(json_array_get(inner, 1), i, e) {
                    if (json_is_string(e)) {
                        lc_buf_append_str(&lit, json_string_value(e));
                    } else {
                        s_push_literal(parts, &lit);
                        json_array_append(parts, e);
                    }
                }
            } else {
                s_push_literal(parts, &lit);
                json_array_append(parts, v);
            }
        }
        json_decref(v);
        cur = end;
        p = s_next_token(cur, &end, &index);
    }
    lc_buf_append_str(&lit, cur);
    s_push_literal(parts, &lit);
    lc_buf_free(&lit);
    if (json_array_size(parts) == 1 && json_is_string(json_array_get(parts, 0))) {
        json_t *one = json_incref(json_array_get(parts, 0));
        json_decref(parts);
        return one;
    }
    return json_pack("{s:[s,o]}", "Fn::Join", "", parts);
}

json_t *lc__resolve(struct lc_app *app, const json_t *v)
{
    if (json_is_string(v))
        return lc__resolve_string(app, json_string_value(v));
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) {
            json_t *r = lc__resolve(app, e);
            if (r)
                json_object_set_new(out, k, r);
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            json_t *r = lc__resolve(app, e);
            if (r)
                json_array_append_new(out, r);
        }
        return out;
    }
    return json_incref((json_t *)v);
}
