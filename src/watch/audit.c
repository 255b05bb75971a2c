/*
 * audit.c: least privilege, measured. For each principal: what its policies grant (wildcards expanded
 * with the IAM engine's action table), what the decision trail shows it used, what it was denied and
 * by which layer, and the smallest policy that would have served exactly what it used (plus what it
 * was denied but asked for, marked as such).
 */
#include "watch/watch_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

/* ---------------------------------------------------------------- small sets of strings */

static void s_strs_add(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i], s))
            return;
    *v = lc_realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = lc_strdup(s);
}

static void s_strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lc_free(v[i]);
    lc_free(v);
}

static int s_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---------------------------------------------------------------- one principal being audited */

struct s_principal {
    struct lc_watch_audit_principal *p;
    size_t cap;
    struct lc_iam_policy_set *set; /* compiled current policies, to name the layer of a denial */
};

static struct lc_watch_audit_action *s_action(struct s_principal *sp, const char *name, char level)
{
    struct lc_watch_audit_principal *p = sp->p;
    for (size_t i = 0; i < p->n_actions; i++)
        if (lc_str_eq_ci(p->actions[i].action, name))
            return &p->actions[i];
    if (p->n_actions == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 16;
        p->actions = lc_realloc(p->actions, sp->cap * sizeof *p->actions);
    }
    struct lc_watch_audit_action *a = &p->actions[p->n_actions++];
    memset(a, 0, sizeof *a);
    a->action = lc_strdup(name);
    a->level = level;
    return a;
}

struct s_grab {
    char level;
    char name[256];
};

static int s_grab_first(const char *action, char level, void *ud)
{
    struct s_grab *g = ud;
    g->level = level;
    lc_strlcpy(g->name, action, sizeof g->name);
    return 1;
}

struct s_expand {
    struct s_principal *sp;
    const json_t *resources;
    bool deny;
};

static int s_expand_one(const char *action, char level, void *ud)
{
    struct s_expand *e = ud;
    struct lc_watch_audit_action *a = s_action(e->sp, action, level);
    a->level = level;
    if (e->deny) {
        a->granted = false;
        return 0;
    }
    a->granted = true;
    size_t i;
    json_t *r;
    json_array_foreach(e->resources, i, r)
        if (json_is_string(r))
            s_strs_add(&a->resources, &a->n_resources, json_string_value(r));
    return 0;
}

static json_t *s_as_array(const json_t *v)
{
    if (json_is_array(v))
        return json_incref((json_t *)v);
    json_t *a = json_array();
    if (json_is_string(v) || json_is_object(v))
        json_array_append(a, (json_t *)v);
    return a;
}

/* Allow statements expand into granted actions; a Deny on every resource without conditions
 * takes the action away again (applied after all allows). */
static void s_grants_of(struct s_principal *sp, const char *document, json_t *denies)
{
    json_t *doc = json_loads(document, 0, NULL);
    json_t *stmts = s_as_array(json_object_get(doc, "Statement"));
    size_t i;
    json_t *st;
    json_array_foreach(stmts, i, st)
    {
        const char *effect = lc_json_str(st, "Effect");
        json_t *actions = s_as_array(json_object_get(st, "Action"));
        json_t *res = json_object_get(st, "Resource") ? s_as_array(json_object_get(st, "Resource"))
                                                        : json_pack("[s]", "*");
        bool conditional = json_object_get(st, "Condition") != NULL || json_object_get(st, "NotResource") != NULL;
        if (effect && !strcmp(effect, "Allow")) {
            struct s_expand e = {sp, res, false};
            size_t k;
            json_t *a;
            json_array_foreach(actions, k, a)
                if (json_is_string(a))
                    lc_iam_action_each(json_string_value(a), s_expand_one, &e);
        } else if (effect && !strcmp(effect, "Deny") && !conditional) {
            bool everywhere = false;
            size_t k;
            json_t *r;
            json_array_foreach(res, k, r)
                everywhere = everywhere || (json_is_string(r) && !strcmp(json_string_value(r), "*"));
            if (everywhere)
                json_array_extend(denies, actions);
        }
        json_decref(actions);
        json_decref(res);
    }
    json_decref(stmts);
    json_decref(doc);
}

static int s_take_away(const char *action, char level, void *ud)
{
    struct s_principal *sp = ud;
    for (size_t i = 0; i < sp->p->n_actions; i++)
        if (!strcmp(sp->p->actions[i].action, action))
            sp->p->actions[i].granted = false;
    return 0;
}

/* A permissions boundary: what it does not allow is not granted. */
static void s_apply_boundary(struct s_principal *sp, const char *boundary)
{
    struct lc_watch_audit_principal saved = *sp->p;
    struct lc_watch_audit_principal tmp = {0};
    struct s_principal b = {&tmp, 0, NULL};
    json_t *denies = json_array();
    s_grants_of(&b, boundary, denies);
    json_decref(denies);
    for (size_t i = 0; i < saved.n_actions; i++) {
        bool allowed = false;
        for (size_t k = 0; k < tmp.n_actions && !allowed; k++)
            allowed = tmp.actions[k].granted && !strcmp(tmp.actions[k].action, saved.actions[i].action);
        if (!allowed)
            sp->p->actions[i].granted = false;
    }
    for (size_t k = 0; k < tmp.n_actions; k++) {
        lc_free(tmp.actions[k].action);
        s_strs_free(tmp.actions[k].resources, tmp.actions[k].n_resources);
    }
    lc_free(tmp.actions);
}

static struct lc_iam_policy_set *s_compile(const struct lc_store_policies *pol)
{
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    for (size_t i = 0; i < pol->n_identity; i++) {
        struct lc_iam_policy *p = lc_iam_policy_parse(pol->identity[i].document, strlen(pol->identity[i].document),
                                                      LC_IAM_POLICY_IDENTITY, NULL);
        if (p)
            lc_iam_policy_set_add(set, LC_IAM_LAYER_IDENTITY, pol->identity[i].label, p);
    }
    if (pol->boundary.document) {
        struct lc_iam_policy *p = lc_iam_policy_parse(pol->boundary.document, strlen(pol->boundary.document),
                                                      LC_IAM_POLICY_IDENTITY, NULL);
        if (p)
            lc_iam_policy_set_add(set, LC_IAM_LAYER_BOUNDARY, pol->boundary.label, p);
    }
    lc_iam_policy_set_compile(set);
    return set;
}

/* Why a denied call was denied, in IAM's words. */
static char *s_denied_by(struct s_principal *sp, const char *action, const char *resource, const char *decision,
                         const char *policy, int statement)
{
    if (!strcmp(decision, "ExplicitlyDenied"))
        return lc_asprintf("explicit deny in %s statement %d", policy && *policy ? policy : "a policy", statement);
    enum lc_iam_layer layer = LC_IAM_LAYER_IDENTITY;
    if (sp->set) {
        struct lc_iam_request *r = lc_iam_request_new();
        lc_iam_request_set_principal(r, sp->p->arn, lc_iam_principal_type_of(sp->p->arn));
        lc_iam_request_set_action(r, action);
        lc_iam_request_set_resource(r, resource && *resource ? resource : "*");
        struct lc_iam_decision d;
        if (lc_iam_evaluate(sp->set, r, &d) == 0 && d.kind == LC_IAM_IMPLICITLY_DENIED &&
            d.layer != LC_IAM_LAYER_NONE)
            layer = d.layer;
        lc_iam_request_free(r);
    }
    return lc_asprintf("no %s allows the %s action", lc_iam_layer_phrase(layer), action);
}

static void s_record_check(struct s_principal *sp, const char *action, const char *resource, const char *decision,
                           const char *policy, int statement)
{
    if (!action || !*action)
        return;
    struct lc_watch_audit_action *a = NULL;
    for (size_t i = 0; i < sp->p->n_actions && !a; i++)
        if (lc_str_eq_ci(sp->p->actions[i].action, action))
            a = &sp->p->actions[i];
    if (!a) {
        /* Not granted: the table gives its spelling and access level (wildcards never reach here). */
        struct s_grab g = {'?', ""};
        if (!strpbrk(action, "*?"))
            lc_iam_action_each(action, s_grab_first, &g);
        a = s_action(sp, g.name[0] ? g.name : action, g.level);
    }
    if (!strcmp(decision, "Allowed")) {
        a->used++;
        if (resource && *resource)
            s_strs_add(&a->used_resources, &a->n_used_resources, resource);
    } else if (!strcmp(decision, "ImplicitlyDenied") || !strcmp(decision, "ExplicitlyDenied")) {
        a->denied++;
        sp->p->denied_calls++;
        if (!a->denied_resource && resource && *resource)
            a->denied_resource = lc_strdup(resource);
        if (!a->denied_by)
            a->denied_by = s_denied_by(sp, action, resource, decision, policy, statement);
    }
}

/* ---------------------------------------------------------------- the trail */

struct s_run {
    struct lc_store *store;
    struct s_principal *all;
    size_t n;
    json_t *role_of_session; /* session ARN -> role ARN cache */
};

/* The IAM principal a trail row belongs to: users and root as they are, sessions as their role. */
static const char *s_owner(struct s_run *run, const char *caller)
{
    if (!lc_str_starts_with(caller, "arn:aws:sts::") || !strstr(caller, ":assumed-role/"))
        return caller;
    const char *cached = lc_json_str(run->role_of_session, caller);
    if (cached)
        return cached;
    const char *name = strstr(caller, ":assumed-role/") + 14;
    char role[LC_IAM_NAME_MAX];
    size_t len = strcspn(name, "/");
    if (len >= sizeof role)
        return caller;
    memcpy(role, name, len);
    role[len] = '\0';
    struct lc_store_principal p;
    if (lc_store_principal_get_by_name(run->store, LC_PRINCIPAL_ROLE, role, &p, NULL) != 0)
        return caller;
    json_object_set_new(run->role_of_session, caller, json_string(p.arn));
    return lc_json_str(run->role_of_session, caller);
}

static int s_trail_row(const struct lc_store_trail_event *ev, void *ud)
{
    struct s_run *run = ud;
    if (!ev->principal_arn || !*ev->principal_arn)
        return 0;
    const char *owner = s_owner(run, ev->principal_arn);
    struct s_principal *sp = NULL;
    for (size_t i = 0; i < run->n && !sp; i++)
        if (!strcmp(run->all[i].p->arn, owner))
            sp = &run->all[i];
    if (!sp)
        return 0;
    sp->p->calls++;
    if (ev->checks && *ev->checks) {
        json_t *checks = json_loads(ev->checks, 0, NULL);
        size_t i;
        json_t *c;
        json_array_foreach(checks, i, c)
        {
            json_int_t stmt = json_integer_value(json_object_get(c, "statement"));
            s_record_check(sp, lc_json_str(c, "action"), lc_json_str(c, "resource"),
                           lc_json_str(c, "decision") ? lc_json_str(c, "decision") : "", lc_json_str(c, "policy"),
                           (int)stmt);
        }
        json_decref(checks);
        return 0;
    }
    json_t *res = json_loads(ev->resources ? ev->resources : "[]", 0, NULL);
    const char *first = json_string_value(json_array_get(res, 0));
    s_record_check(sp, ev->action, first, ev->decision ? ev->decision : "", ev->policy, ev->statement);
    json_decref(res);
    return 0;
}

/* ---------------------------------------------------------------- the minimal policy */

static int s_action_cmp(const void *a, const void *b)
{
    return strcmp(((const struct lc_watch_audit_action *)a)->action, ((const struct lc_watch_audit_action *)b)->action);
}

/* Statements grouping actions that need exactly the same resources. */
static void s_add_grouped(json_t *stmts, const char *sid, struct lc_watch_audit_action **acts, char ***res,
                          size_t *nres, size_t n)
{
    bool *done = lc_calloc(n ? n : 1, sizeof *done);
    int group = 0;
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        json_t *actions = json_array();
        for (size_t k = i; k < n; k++) {
            bool same = !done[k] && nres[k] == nres[i];
            for (size_t r = 0; same && r < nres[i]; r++)
                same = !strcmp(res[k][r], res[i][r]);
            if (same) {
                done[k] = true;
                json_array_append_new(actions, json_string(acts[k]->action));
            }
        }
        json_t *resources = json_array();
        for (size_t r = 0; r < nres[i]; r++)
            json_array_append_new(resources, json_string(res[i][r]));
        if (nres[i] == 0)
            json_array_append_new(resources, json_string("*"));
        char name[64];
        snprintf(name, sizeof name, group ? "%s%d" : "%s", sid, group + 1);
        group++;
        json_array_append_new(stmts, json_pack("{ss ss so so}", "Sid", name, "Effect", "Allow", "Action",
                                               json_array_size(actions) == 1 ? json_incref(json_array_get(actions, 0))
                                                                             : json_incref(actions),
                                               "Resource",
                                               json_array_size(resources) == 1
                                                   ? json_incref(json_array_get(resources, 0))
                                                   : json_incref(resources)));
        json_decref(actions);
        json_decref(resources);
    }
    lc_free(done);
}

static json_t *s_minimal(const struct lc_watch_audit_principal *p)
{
    json_t *stmts = json_array();
    struct lc_watch_audit_action **acts = lc_calloc(p->n_actions + 1, sizeof *acts);
    char ***res = lc_calloc(p->n_actions + 1, sizeof *res);
    size_t *nres = lc_calloc(p->n_actions + 1, sizeof *nres);
    size_t n = 0;
    for (size_t i = 0; i < p->n_actions; i++)
        if (p->actions[i].used > 0) {
            acts[n] = &p->actions[i];
            res[n] = p->actions[i].used_resources;
            nres[n++] = p->actions[i].n_used_resources;
        }
    s_add_grouped(stmts, "Used", acts, res, nres, n);
    /* Denied calls that never succeeded: the caller asked for them, so the owner decides. */
    char ***dres = lc_calloc(p->n_actions + 1, sizeof *dres);
    char **dstore = lc_calloc(p->n_actions + 1, sizeof *dstore);
    n = 0;
    for (size_t i = 0; i < p->n_actions; i++)
        if (p->actions[i].denied > 0 && p->actions[i].used == 0) {
            acts[n] = &p->actions[i];
            dstore[n] = p->actions[i].denied_resource ? p->actions[i].denied_resource : (char *)"*";
            dres[n] = &dstore[n];
            nres[n++] = 1;
        }
    s_add_grouped(stmts, "DeniedButNeeded", acts, dres, nres, n);
    lc_free(dres);
    lc_free(dstore);
    lc_free(acts);
    lc_free(res);
    lc_free(nres);
    return json_pack("{ss so}", "Version", "2012-10-17", "Statement", stmts);
}

/* ---------------------------------------------------------------- entry points */

struct s_collect {
    struct s_run *run;
    size_t cap;
};

static void s_add_principal(struct s_run *run, size_t *cap, const char *arn, const char *type)
{
    for (size_t i = 0; i < run->n; i++)
        if (!strcmp(run->all[i].p->arn, arn))
            return;
    if (run->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        run->all = lc_realloc(run->all, *cap * sizeof *run->all);
    }
    struct s_principal *sp = &run->all[run->n++];
    memset(sp, 0, sizeof *sp);
    sp->p = lc_calloc(1, sizeof *sp->p);
    sp->p->arn = lc_strdup(arn);
    sp->p->type = lc_strdup(type);
}

static int s_collect_principal(const struct lc_store_principal *p, void *ud)
{
    struct s_collect *c = ud;
    s_add_principal(c->run, &c->cap, p->arn, lc_principal_type_name(p->type));
    return 0;
}

static void s_action_free(struct lc_watch_audit_action *a)
{
    lc_free(a->action);
    s_strs_free(a->resources, a->n_resources);
    s_strs_free(a->used_resources, a->n_used_resources);
    lc_free(a->denied_resource);
    lc_free(a->denied_by);
}

static void s_principal_clear(struct lc_watch_audit_principal *p)
{
    for (size_t k = 0; k < p->n_actions; k++)
        s_action_free(&p->actions[k]);
    lc_free(p->actions);
    lc_free(p->arn);
    lc_free(p->type);
    json_decref(p->minimal_policy);
    memset(p, 0, sizeof *p);
}

int lc_watch_audit_run(struct lc_store *store, const char *principal_arn, struct lc_watch_audit *out,
                       struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = lc_store_trail_init(store, err);
    if (rc)
        return rc;
    struct s_run run = {store, NULL, 0, json_object()};
    struct s_collect c = {&run, 0};
    if (principal_arn) {
        const char *owner = s_owner(&run, principal_arn);
        struct lc_store_principal p;
        if ((rc = lc_store_principal_get(store, owner, &p, err)) != 0) {
            json_decref(run.role_of_session);
            return rc;
        }
        s_add_principal(&run, &c.cap, p.arn, lc_principal_type_name(p.type));
    } else {
        rc = lc_store_principal_list(store, LC_PRINCIPAL_USER, s_collect_principal, &c, err);
        if (!rc)
            rc = lc_store_principal_list(store, LC_PRINCIPAL_ROLE, s_collect_principal, &c, err);
    }
    /* What each may do. */
    for (size_t i = 0; !rc && i < run.n; i++) {
        struct s_principal *sp = &run.all[i];
        struct lc_store_policies pol;
        if (lc_store_principal_policies(store, sp->p->arn, &pol, NULL) != 0)
            continue;
        json_t *denies = json_array();
        for (size_t k = 0; k < pol.n_identity; k++)
            s_grants_of(sp, pol.identity[k].document, denies);
        size_t k;
        json_t *d;
        json_array_foreach(denies, k, d)
            if (json_is_string(d))
                lc_iam_action_each(json_string_value(d), s_take_away, sp);
        json_decref(denies);
        if (pol.boundary.document)
            s_apply_boundary(sp, pol.boundary.document);
        sp->set = s_compile(&pol);
        lc_store_policies_free(&pol);
    }
    /* What each did. */
    if (!rc)
        rc = lc_store_trail_list(store, &(struct lc_store_trail_filter){0}, s_trail_row, &run, err);
    /* Principals with neither policies nor calls are left out of an audit of everyone. */
    out->principals = lc_calloc(run.n + 1, sizeof *out->principals);
    for (size_t i = 0; i < run.n; i++) {
        struct s_principal *sp = &run.all[i];
        struct lc_watch_audit_principal *p = sp->p;
        lc_iam_policy_set_free(sp->set);
        /* Actions neither granted nor touched came from a Deny only. */
        size_t w = 0;
        for (size_t k = 0; k < p->n_actions; k++) {
            if (p->actions[k].granted || p->actions[k].used || p->actions[k].denied)
                p->actions[w++] = p->actions[k];
            else
                s_action_free(&p->actions[k]);
        }
        p->n_actions = w;
        if (p->n_actions)
            qsort(p->actions, p->n_actions, sizeof *p->actions, s_action_cmp);
        for (size_t k = 0; k < p->n_actions; k++) {
            struct lc_watch_audit_action *a = &p->actions[k];
            if (a->n_used_resources)
                qsort(a->used_resources, a->n_used_resources, sizeof *a->used_resources, s_strcmp);
            bool read = a->level == 'R' || a->level == 'L';
            if (a->granted) {
                p->granted++;
                p->granted_read += read;
                p->used_granted += a->used > 0;
                p->used_read += read && a->used > 0;
            }
        }
        p->minimal_policy = s_minimal(p);
        if (!principal_arn && p->n_actions == 0 && p->calls == 0) {
            s_principal_clear(p);
            lc_free(p);
            continue;
        }
        out->principals[out->n++] = *p;
        lc_free(p);
    }
    lc_free(run.all);
    json_decref(run.role_of_session);
    if (rc)
        lc_watch_audit_free(out);
    return rc;
}

void lc_watch_audit_free(struct lc_watch_audit *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        s_principal_clear(&a->principals[i]);
    lc_free(a->principals);
    memset(a, 0, sizeof *a);
}
