/* tree.c: the app, its stacks and the construct tree (ids, paths, duplicate checks, context). */
#include "cdk/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

static void s_context_merge(json_t *into, const char *text, const char *where, struct lc_app *app)
{
    if (!text || !*text)
        return;
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    if (!json_is_object(v)) {
        lc__app_error(app, "%s is not a JSON object (%s)", where, v ? "wrong type" : je.text);
        json_decref(v);
        return;
    }
    json_object_update(into, v);
    json_decref(v);
}

lc_app *lc_app_new(const lc_app_props *props)
{
    struct lc_app *app = lc_calloc(1, sizeof *app);
    app->root.kind = N_APP;
    app->root.app = app;
    app->root.id = lc_strdup("");
    app->root.path = lc_strdup("");
    app->root.fqn = "aws-cdk-lib.App";
    lc_buf_init(&app->errors, LC_BUF_UNLIMITED);
    app->context = json_object();
    s_context_merge(app->context, getenv("CDK_CONTEXT_JSON"), "$CDK_CONTEXT_JSON", app);
    if (props)
        s_context_merge(app->context, props->context_json, "context_json", app);
    const char *outdir = props && props->outdir ? props->outdir : getenv("CDK_OUTDIR");
    app->outdir = lc_strdup(outdir && *outdir ? outdir : "cdk.out");
    return app;
}

void lc__node_free(struct lc_node *n)
{
    for (size_t i = 0; i < n->nchildren; i++)
        lc__node_free(n->children[i]);
    lc_free(n->children);
    if (n->cfn) {
        lc_free(n->cfn->type);
        json_decref(n->cfn->props);
        lc_free(n->cfn->logical_id);
        lc_free(n->cfn->deps);
        json_decref(n->cfn->asset_metadata);
        lc_free(n->cfn);
    }
    switch (n->kind) {
    case N_STACK:
        lc_free(n->u.stack.account);
        lc_free(n->u.stack.region);
        lc_free(n->u.stack.description);
        break;
    case N_TABLE:
        for (size_t i = 0; i < n->u.table.nindexes; i++) {
            struct index_def *x = &n->u.table.indexes[i];
            lc_free(x->name);
            lc_free(x->pk);
            lc_free(x->sk);
            for (size_t j = 0; j < x->nnon_key; j++)
                lc_free(x->non_key[j]);
            lc_free(x->non_key);
        }
        lc_free(n->u.table.indexes);
        json_decref(n->u.table.attrs);
        lc_free(n->u.table.pk);
        lc_free(n->u.table.sk);
        break;
    case N_FUNCTION:
        lc_free(n->u.fn.asset_source);
        break;
    case N_POLICY:
        lc__statement_list_free(&n->u.policy.statements);
        lc_free(n->u.policy.roles);
        lc_free(n->u.policy.users);
        lc_free(n->u.policy.name);
        break;
    default:
        break;
    }
    lc_free(n->id);
    lc_free(n->path);
    if (n->kind != N_APP)
        lc_free(n);
}

void lc_app_free(lc_app *app)
{
    if (!app)
        return;
    lc__node_free(&app->root);
    for (size_t i = 0; i < app->ntokens; i++) {
        lc_free(app->tokens[i].attr);
        lc_free(app->tokens[i].text);
    }
    lc_free(app->tokens);
    for (size_t i = 0; i < app->nwarnings; i++)
        lc_free(app->warnings[i]);
    lc_free(app->warnings);
    json_decref(app->context);
    lc_free(app->outdir);
    lc_buf_free(&app->errors);
    lc_free(app);
}

void lc__app_error(struct lc_app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lc_buf_vappendf(&app->errors, fmt, ap);
    va_end(ap);
    lc_buf_append_byte(&app->errors, '\n');
    app->nerrors++;
}

const char *lc_app_errors(lc_app *app)
{
    return app->errors.data ? app->errors.data : "";
}

bool lc__context_flag(struct lc_app *app, const char *key)
{
    json_t *v = json_object_get(app->context, key);
    if (json_is_string(v))
        return !strcmp(json_string_value(v), "true");
    return json_is_true(v);
}

bool lc__literal_required(struct lc_app *app, const char *what, const char *value)
{
    if (value && lc_token_is_unresolved(value)) {
        lc__app_error(app, "%s must be a literal string, but got a token (%s): its value is only "
                           "known at deploy time", what, value);
        return false;
    }
    return true;
}

struct lc_node *lc__node_new(struct lc_node *scope, const char *id, enum node_kind kind, const char *fqn)
{
    if (!scope) {
        fprintf(stderr, "leastcloud cdk: construct '%s' created with a NULL scope\n", id ? id : "?");
        abort();
    }
    struct lc_app *app = scope->app;
    struct lc_node *n = lc_calloc(1, sizeof *n);
    n->kind = kind;
    n->app = app;
    n->parent = scope;
    n->fqn = fqn;
    if (!id || !*id) {
        lc__app_error(app, "Only root constructs may have an empty ID (under '%s')",
                      scope->path[0] ? scope->path : "App");
        id = "Unnamed";
    } else if (lc_token_is_unresolved(id)) {
        lc__app_error(app, "Cannot use tokens in construct ID: %s", id);
    }
    /* CDK replaces the path separator so that paths stay unambiguous. */
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (const char *p = id; *p; p++) {
        if (*p == '/')
            lc_buf_append_str(&b, "--");
        else
            lc_buf_append_byte(&b, *p);
    }
    n->id = lc_buf_detach(&b, NULL);
    for (size_t i = 0; i < scope->nchildren; i++) {
        if (!strcmp(scope->children[i]->id, n->id)) {
            lc__app_error(app, "There is already a Construct with name '%s' in %s", n->id,
                          scope->kind == N_APP ? "App" : scope->path);
            break;
        }
    }
    n->path = scope->path[0] ? lc_asprintf("%s/%s", scope->path, n->id) : lc_strdup(n->id);
    if (scope->nchildren == scope->capchildren) {
        scope->capchildren = scope->capchildren ? scope->capchildren * 2 : 4;
        scope->children = lc_realloc(scope->children, scope->capchildren * sizeof *scope->children);
    }
    scope->children[scope->nchildren++] = n;
    return n;
}

struct lc_node *lc__stack_of(struct lc_node *n)
{
    while (n && n->kind != N_STACK)
        n = n->parent;
    return n;
}

struct cfn *lc__cfn_attach(struct lc_node *n, const char *type)
{
    n->cfn = lc_calloc(1, sizeof *n->cfn);
    n->cfn->type = lc_strdup(type);
    n->cfn->props = json_object();
    if (!lc__stack_of(n)) {
        lc__app_error(n->app, "%s: a CloudFormation resource must be inside a stack", n->path);
        n->cfn->logical_id = lc_strdup("Invalid");
    } else {
        n->cfn->logical_id = lc__logical_id_for(n);
    }
    return n->cfn;
}

struct lc_node *lc__cfn_child(struct lc_node *scope, const char *id, const char *type, const char *fqn)
{
    struct lc_node *n = lc__node_new(scope, id, N_CFN, fqn);
    lc__cfn_attach(n, type);
    return n;
}

void lc__node_add_dep(struct lc_node *n, struct lc_node *on)
{
    struct cfn *c = n->cfn ? n->cfn : n->resource ? n->resource->cfn : NULL;
    if (!c)
        return;
    for (size_t i = 0; i < c->ndeps; i++)
        if (c->deps[i] == on)
            return;
    if (c->ndeps == c->capdeps) {
        c->capdeps = c->capdeps ? c->capdeps * 2 : 4;
        c->deps = lc_realloc(c->deps, c->capdeps * sizeof *c->deps);
    }
    c->deps[c->ndeps++] = on;
}

void lc_construct_add_dependency(lc_construct *c, lc_construct *on)
{
    if (c && on)
        lc__node_add_dep(c, on);
}

void lc__nodes_walk(struct lc_node *n, void (*fn)(struct lc_node *, void *), void *ctx)
{
    fn(n, ctx);
    for (size_t i = 0; i < n->nchildren; i++)
        lc__nodes_walk(n->children[i], fn, ctx);
}

const char *lc_construct_path(const lc_construct *c)
{
    return c ? c->path : NULL;
}

const char *lc_construct_logical_id(const lc_construct *c)
{
    if (!c)
        return NULL;
    if (c->cfn)
        return c->cfn->logical_id;
    return c->resource && c->resource->cfn ? c->resource->cfn->logical_id : NULL;
}

lc_stack *lc_stack_new(lc_app *app, const char *id, const lc_stack_props *props)
{
    struct lc_node *s = lc__node_new(&app->root, id, N_STACK, "aws-cdk-lib.Stack");
    if (id && (!*id || strlen(id) > 128 || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(id)
               || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z'))))
        lc__app_error(app, "Stack name must match the regular expression: /^[A-Za-z][A-Za-z0-9-]*$/, "
                           "got '%s'", id);
    if (props) {
        s->u.stack.account = lc_strdup(props->account);
        s->u.stack.region = lc_strdup(props->region);
        s->u.stack.description = lc_strdup(props->description);
        s->u.stack.termination_protection = props->termination_protection;
    }
    return s;
}

size_t lc__list_len(const char *const *list, size_t max)
{
    size_t n = 0;
    while (n < max && list[n])
        n++;
    return n;
}

/*
 * JavaScript's a.localeCompare(b) under ICU's root collation, for the ASCII paths CDK compares:
 * punctuation sorts before digits before letters, letters compare case-insensitively first and
 * lower case wins a tie.
 */
static int s_weight(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return 300 + (c - 'a') * 2;
    if (c >= 'A' && c <= 'Z')
        return 300 + (c - 'A') * 2;
    if (c >= '0' && c <= '9')
        return 200 + c;
    return c;
}

int lc__locale_compare(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; *x && *y; x++, y++) {
        int d = s_weight(*x) - s_weight(*y);
        if (d)
            return d;
    }
    if (*x || *y)
        return *x ? 1 : -1;
    for (x = (const unsigned char *)a, y = (const unsigned char *)b; *x; x++, y++) {
        if (*x != *y) {
            bool xl = *x >= 'a' && *x <= 'z';
            return xl ? -1 : 1;
        }
    }
    return 0;
}
