/* matcher.c: does a statement's Action, Resource and Principal apply to a request? */
#include "iam/iam_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool lc__iam_action_matches(const struct iam_statement *st, const char *action_lc, size_t len)
{
    bool any = false;
    for (size_t i = 0; i < st->n_actions && !any; i++) {
        const struct iam_action_pat *a = &st->actions[i];
        if (a->all)
            any = true;
        else if (a->p.s[0] != action_lc[0] && a->p.s[0] != '*' && a->p.s[0] != '?')
            continue;  /* most patterns name another service: refuse on the first byte */
        else if (!a->p.has_wild)
            any = a->p.len == len && memcmp(a->p.s, action_lc, len) == 0;
        else
            any = lc__iam_wild(a->p.s, a->p.len, action_lc, len, false);
    }
    return st->not_action ? !any : any;
}

enum { RM_NO, RM_YES, RM_UNRESOLVED };

/* One ARN pattern against the request's resource, part by part. */
static int s_arn_pattern_matches(const struct iam_res_pat *rp, const struct lc_iam_request *r, struct iam_scratch *scratch)
{
    if (!r->resource_is_arn)
        return RM_NO;
    /* Literal parts first (cheap, and the resource part differs most often); a part that cannot
     * match decides NO before any variable is found unresolvable. */
    for (int i = 4; i >= 0; i--) {
        if (!rp->part_literal[i])
            continue;
        const struct lc_cur *vp = &r->resource_part[i];
        if (rp->part[i].len != vp->len ||
            (i < 4 ? strncasecmp(rp->part[i].ptr, vp->ptr, vp->len) : memcmp(rp->part[i].ptr, vp->ptr, vp->len)) != 0)
            return RM_NO;
    }
    for (int i = 0; i < 5; i++) {
        if (rp->part_literal[i])
            continue;
        struct lc_cur pp = rp->part[i];
        if (!pp.ptr)
            pp = lc_cur_make("*", 1);  /* a short ARN pattern: missing parts match anything */
        const struct lc_cur *vp = &r->resource_part[i];
        bool ci = i < 4;
        bool m;
        if (rp->whole.has_var && memchr(pp.ptr, '$', pp.len)) {
            struct iam_pat part = {.s = (char *)pp.ptr, .len = pp.len, .has_var = true};
            if (!lc__iam_resolve(&part, r, true, scratch))
                return RM_UNRESOLVED;
            m = lc__iam_wild_esc(scratch->data ? scratch->data : "", scratch->len, vp->ptr ? vp->ptr : "", vp->len, ci);
        } else {
            m = lc__iam_wild(pp.ptr, pp.len, vp->ptr ? vp->ptr : "", vp->len, ci);
        }
        if (!m)
            return RM_NO;
    }
    return RM_YES;
}

/*
 * A pattern whose variable has no value matches nothing (AWS: "policy-vars-no-value"); in a
 * NotResource that leaves the exclusion unknowable, so the statement does not apply at all.
 */
bool lc__iam_resource_matches(const struct iam_statement *st, const struct lc_iam_request *r, struct iam_scratch *scratch)
{
    if (!st->has_resource)
        return true;
    bool any = false, unresolved = false;
    for (size_t i = 0; i < st->n_resources && !any; i++) {
        const struct iam_res_pat *rp = &st->resources[i];
        if (rp->all) {
            any = true;
        } else if (rp->is_arn) {
            int m = s_arn_pattern_matches(rp, r, scratch);
            any = m == RM_YES;
            unresolved = unresolved || m == RM_UNRESOLVED;
        }
    }
    if (st->not_resource)
        return !any && !unresolved;
    return any;
}

/* "arn:aws:sts::123:assumed-role/Role/session" -> "arn:aws:iam::123:role/Role" into out. */
static bool s_role_of_session(const char *arn, char *out, size_t size)
{
    struct lc_iam_arn a;
    if (lc_iam_arn_parse(arn, strlen(arn), &a) != 0 || a.resource_len < 13 ||
        strncmp(a.resource, "assumed-role/", 13) != 0)
        return false;
    const char *role = a.resource + 13;
    const char *slash = memchr(role, '/', a.resource_len - 13);
    if (!slash)
        return false;
    int n = snprintf(out, size, "arn:%.*s:iam::%.*s:role/%.*s", (int)a.partition_len, a.partition,
                     (int)a.account_len, a.account, (int)(slash - role), role);
    return n > 0 && (size_t)n < size;
}

static enum iam_pmatch s_one(const struct iam_principal *p, const struct lc_iam_request *r, const char *role)
{
    const char *who = r->principal ? r->principal : "";
    switch (p->kind) {
    case IAM_PR_ANY:
        return IAM_PM_ANY;
    case IAM_PR_SERVICE:
        return r->principal_type == LC_IAM_PRINCIPAL_SERVICE && strcmp(p->value, who) == 0 ? IAM_PM_DIRECT
                                                                                             : IAM_PM_NONE;
    case IAM_PR_AWS:
        if (strcmp(p->value, "*") == 0)
            return r->principal_type == LC_IAM_PRINCIPAL_SERVICE ? IAM_PM_NONE : IAM_PM_ANY;
        if (strcmp(p->value, who) == 0)
            return IAM_PM_DIRECT;
        if (role && strcmp(p->value, role) == 0)
            return IAM_PM_ROLE;
        if (r->account && r->principal_type != LC_IAM_PRINCIPAL_SERVICE) {
            struct lc_iam_arn a;
            size_t alen = strlen(r->account);
            if (lc_iam_arn_parse(p->value, strlen(p->value), &a) == 0 && a.resource_len == 4 &&
                memcmp(a.resource, "root", 4) == 0 && a.account_len == alen && memcmp(a.account, r->account, alen) == 0)
                return IAM_PM_ACCOUNT;
        }
        return IAM_PM_NONE;
    default:
        return strcmp(p->value, who) == 0 ? IAM_PM_DIRECT : IAM_PM_NONE;
    }
}

enum iam_pmatch lc__iam_principal_match(const struct iam_statement *st, const struct lc_iam_request *r)
{
    if (!st->has_principal)
        return IAM_PM_NONE;
    char role_buf[512];
    const char *role = r->principal && s_role_of_session(r->principal, role_buf, sizeof role_buf) ? role_buf : NULL;
    enum iam_pmatch best = IAM_PM_NONE;
    for (size_t i = 0; i < st->n_principals; i++) {
        enum iam_pmatch m = s_one(&st->principals[i], r, role);
        if (m > best)
            best = m;
    }
    if (!st->not_principal)
        return best;
    /* NotPrincipal: applies to everyone the list does not name (an account or role ARN names its
     * users and sessions too), as "*" would: it does not name the session, so session policies
     * still limit it. evaluate.c adds the permissions-boundary exception for Deny. */
    return best == IAM_PM_NONE ? IAM_PM_ANY : IAM_PM_NONE;
}
