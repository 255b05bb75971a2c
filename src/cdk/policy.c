/* policy.c: IAM statements, policy documents (CDK's post-processing), Policy and DefaultPolicy. */
#include "cdk/internal.h"

#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

#define MINIMIZE_FLAG "@aws-cdk/aws-iam:minimizePolicies"

static char **s_strv_dup(const char *const *v, size_t n)
{
    char **out = lc_calloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = lc_strdup(v[i]);
    return out;
}

static void s_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lc_free(v[i]);
    lc_free(v);
}

void lc__statement_list_add(struct statement_list *l, lc_effect effect, const char *const *actions,
                            size_t nactions, const char *const *resources, size_t nresources,
                            const char *sid)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->items = lc_realloc(l->items, l->cap * sizeof *l->items);
    }
    struct statement *s = &l->items[l->len++];
    s->effect = effect;
    s->actions = s_strv_dup(actions, nactions);
    s->nactions = nactions;
    s->resources = s_strv_dup(resources, nresources);
    s->nresources = nresources;
    s->sid = lc_strdup(sid);
}

static void s_statement_free(struct statement *s)
{
    s_strv_free(s->actions, s->nactions);
    s_strv_free(s->resources, s->nresources);
    lc_free(s->sid);
}

void lc__statement_list_free(struct statement_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        s_statement_free(&l->items[i]);
    lc_free(l->items);
    memset(l, 0, sizeof *l);
}

static json_t *s_list_json(char **v, size_t n)
{
    if (n == 1)
        return json_string(v[0]);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *s_statement_json(const struct statement *s)
{
    json_t *o = json_object();
    if (s->nactions)
        json_object_set_new(o, "Action", s_list_json(s->actions, s->nactions));
    json_object_set_new(o, "Effect", json_string(s->effect == LC_EFFECT_DENY ? "Deny" : "Allow"));
    if (s->nresources)
        json_object_set_new(o, "Resource", s_list_json(s->resources, s->nresources));
    if (s->sid)
        json_object_set_new(o, "Sid", json_string(s->sid));
    return o;
}

json_t *lc__policy_document(struct lc_app *app, const struct statement_list *l)
{
    json_t *st = json_array();
    for (size_t i = 0; i < l->len; i++)
        json_array_append_new(st, s_statement_json(&l->items[i]));
    return json_pack("{s:o,s:s}", "Statement", st, "Version", "2012-10-17");
}

static bool s_set_equal(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        bool found = false;
        for (size_t j = 0; j < nb && !found; j++)
            found = !strcmp(a[i], b[j]);
        if (!found)
            return false;
    }
    return true;
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted union without duplicates (CDK's setMerge). */
static char **s_set_merge(char **a, size_t na, char **b, size_t nb, size_t *n)
{
    char **out = lc_calloc(na + nb + 1, sizeof *out);
    size_t m = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        char **v = pass ? b : a;
        size_t nv = pass ? nb : na;
        for (size_t i = 0; i < nv; i++) {
            bool dup = false;
            for (size_t j = 0; j < m && !dup; j++)
                dup = !strcmp(out[j], v[i]);
            if (!dup)
                out[m++] = lc_strdup(v[i]);
        }
    }
    qsort(out, m, sizeof *out, s_cmp_str);
    *n = m;
    return out;
}

/* CDK's mergeStatements with mergeIfCombinable, on a copy of the list. */
static void s_minimize(struct statement_list *l)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < l->len; i++) {
            size_t j = i + 1;
            while (j < l->len) {
                struct statement *a = &l->items[i], *b = &l->items[j];
                int same = (int)s_set_equal(a->actions, a->nactions, b->actions, b->nactions) +
                           (int)s_set_equal(a->resources, a->nresources, b->resources, b->nresources) +
                           1 /* no principals in identity policies */;
                if (a->effect != b->effect || a->sid || b->sid || same < 2) {
                    j++;
                    continue;
                }
                size_t na, nr;
                char **acts = s_set_merge(a->actions, a->nactions, b->actions, b->nactions, &na);
                char **res = s_set_merge(a->resources, a->nresources, b->resources, b->nresources, &nr);
                s_strv_free(a->actions, a->nactions);
                s_strv_free(a->resources, a->nresources);
                a->actions = acts;
                a->nactions = na;
                a->resources = res;
                a->nresources = nr;
                s_statement_free(b);
                memmove(&l->items[j], &l->items[j + 1], (l->len - j - 1) * sizeof *l->items);
                l->len--;
                changed = true;
            }
        }
    }
}

static int s_cmp_json(const void *a, const void *b)
{
    return strcmp(((char *const *)a)[0], ((char *const *)b)[0]);
}

/* CDK's sortByJson: unique by JSON text, sorted by it, a single element unwrapped. */
static json_t *s_sort_by_json(json_t *v)
{
    if (!json_is_array(v))
        return json_incref(v);
    size_t n = json_array_size(v);
    char **keys = lc_calloc(2 * n + 2, sizeof *keys);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char *k = lc_json_stringify(json_array_get(v, i), 0);
        bool dup = false;
        for (size_t j = 0; j < m && !dup; j++)
            dup = !strcmp(keys[2 * j], k);
        if (dup) {
            lc_free(k);
            continue;
        }
        keys[2 * m] = k;
        keys[2 * m + 1] = (char *)json_array_get(v, i);
        m++;
    }
    qsort(keys, m, 2 * sizeof *keys, s_cmp_json);
    json_t *out = json_array();
    for (size_t i = 0; i < m; i++) {
        json_array_append(out, (json_t *)keys[2 * i + 1]);
        lc_free(keys[2 * i]);
    }
    lc_free(keys);
    if (json_array_size(out) == 1) {
        json_t *one = json_incref(json_array_get(out, 0));
        json_decref(out);
        return one;
    }
    return out;
}

json_t *lc__policy_document_resolved(struct lc_app *app, const struct statement_list *src)
{
    bool minimize = lc__context_flag(app, MINIMIZE_FLAG);
    struct statement_list copy = {0};
    for (size_t i = 0; i < src->len; i++) {
        const struct statement *s = &src->items[i];
        lc__statement_list_add(&copy, s->effect, (const char *const *)s->actions, s->nactions,
                               (const char *const *)s->resources, s->nresources, s->sid);
    }
    if (minimize)
        s_minimize(&copy);
    json_t *doc = lc__policy_document(app, &copy);
    lc__statement_list_free(&copy);
    json_t *resolved = lc__resolve(app, doc);
    json_decref(doc);

    /* Identical statements are dropped (CDK's PostProcessPolicyDocument). */
    json_t *unique = json_array();
    json_t *seen = json_object();
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(resolved, "Statement"), i, st) {
        char *key = lc_json_stringify(st, 0);
        if (!json_object_get(seen, key)) {
            json_object_set_new(seen, key, json_true());
            if (minimize) {
                const char *fields[] = {"Action", "Resource"};
                for (size_t f = 0; f < 2; f++) {
                    json_t *v = json_object_get(st, fields[f]);
                    if (v)
                        json_object_set_new(st, fields[f], s_sort_by_json(v));
                }
            }
            json_array_append(unique, st);
        }
        lc_free(key);
    }
    json_decref(seen);
    json_object_set_new(resolved, "Statement", unique);
    return resolved;
}

/* ---- Policy construct ------------------------------------------------------------------------ */

static void s_policy_render(struct lc_node *res)
{
    struct lc_node *p = res->parent;
    struct lc_app *app = p->app;
    json_t *props = json_object();
    json_object_set_new(props, "PolicyDocument", lc__policy_document_resolved(app, &p->u.policy.statements));
    json_object_set_new(props, "PolicyName",
                        json_string(p->u.policy.name ? p->u.policy.name : res->cfn->logical_id));
    if (p->u.policy.nroles) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->u.policy.nroles; i++)
            json_array_append_new(a, json_string(lc__ref(p->u.policy.roles[i]->resource)));
        json_object_set_new(props, "Roles", a);
    }
    if (p->u.policy.nusers) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->u.policy.nusers; i++)
            json_array_append_new(a, json_string(lc__ref(p->u.policy.users[i]->resource)));
        json_object_set_new(props, "Users", a);
    }
    json_decref(res->cfn->props);
    res->cfn->props = props;
}

static struct lc_node *s_policy_node(struct lc_node *scope, const char *id, const char *name)
{
    struct lc_node *p = lc__node_new(scope, id, N_POLICY, "aws-cdk-lib.aws_iam.Policy");
    p->u.policy.name = lc_strdup(name);
    p->resource = lc__cfn_child(p, "Resource", "AWS::IAM::Policy", "aws-cdk-lib.aws_iam.CfnPolicy");
    p->resource->cfn->render = s_policy_render;
    return p;
}

static void s_attach(struct lc_node ***v, size_t *n, struct lc_node *x)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == x)
            return;
    *v = lc_realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = x;
}

void lc_policy_attach_to_role(lc_policy *p, lc_role *r)
{
    if (p && r && p->kind == N_POLICY && r->kind == N_ROLE)
        s_attach(&p->u.policy.roles, &p->u.policy.nroles, r);
}

void lc_policy_attach_to_user(lc_policy *p, lc_user *u)
{
    if (p && u && p->kind == N_POLICY && u->kind == N_USER)
        s_attach(&p->u.policy.users, &p->u.policy.nusers, u);
}

static void s_add_statement(struct lc_app *app, struct statement_list *l, const lc_statement *s)
{
    size_t na = lc__list_len(s->actions, LC_CDK_MAX_LIST);
    size_t nr = lc__list_len(s->resources, LC_CDK_MAX_LIST);
    if (!na)
        lc__app_error(app, "A PolicyStatement used in an identity-based policy must specify at least one action");
    if (!nr)
        lc__app_error(app, "A PolicyStatement used in an identity-based policy must specify at least one resource");
    lc__statement_list_add(l, s->effect, s->actions, na, s->resources, nr, s->sid);
}

void lc_policy_add_statement(lc_policy *p, const lc_statement *s)
{
    if (p && s && p->kind == N_POLICY)
        s_add_statement(p->app, &p->u.policy.statements, s);
}

lc_policy *lc_policy_new(lc_construct *scope, const char *id, const lc_policy_props *props)
{
    static const lc_policy_props none;
    if (!props)
        props = &none;
    struct lc_node *p = s_policy_node(scope, id, props->policy_name);
    for (size_t i = 0; i < sizeof props->statements / sizeof props->statements[0]; i++) {
        if (!props->statements[i].actions[0])
            break;
        s_add_statement(p->app, &p->u.policy.statements, &props->statements[i]);
    }
    return p;
}

/* ---- Grants ---------------------------------------------------------------------------------- */

struct lc_node *lc__principal_of(struct lc_node *g)
{
    if (!g)
        return NULL;
    if (g->kind == N_FUNCTION)
        return g->u.fn.role;
    if (g->kind == N_ROLE || g->kind == N_USER)
        return g;
    return NULL;
}

static struct lc_node *s_default_policy(struct lc_node *principal)
{
    if (!principal->u.principal.default_policy) {
        struct lc_node *p = s_policy_node(principal, "DefaultPolicy", NULL);
        p->u.policy.is_default = true;
        p->u.policy.owner = principal;
        if (principal->kind == N_ROLE)
            lc_policy_attach_to_role(p, principal);
        else
            lc_policy_attach_to_user(p, principal);
        principal->u.principal.default_policy = p;
    }
    return principal->u.principal.default_policy;
}

int lc__grant(struct lc_node *g, const char *const *actions, size_t nactions,
              const char *const *resources, size_t nresources)
{
    struct lc_node *principal = lc__principal_of(g);
    if (!principal) {
        if (g)
            lc__app_error(g->app, "%s cannot be granted permissions: grants take a role, a user or a function",
                          g->path);
        return LC_EINVAL;
    }
    struct lc_node *p = s_default_policy(principal);
    lc__statement_list_add(&p->u.policy.statements, LC_EFFECT_ALLOW, actions, nactions, resources,
                           nresources, NULL);
    return 0;
}

int lc_grantable_add_to_policy(lc_grantable *g, const lc_statement *s)
{
    struct lc_node *principal = lc__principal_of(g);
    if (!principal || !s)
        return LC_EINVAL;
    s_add_statement(principal->app, &s_default_policy(principal)->u.policy.statements, s);
    return 0;
}
