/*
 * evaluate.c: AWS's policy evaluation logic for one request
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 *   1. an explicit Deny in any layer decides;
 *   2. same account: an identity-based or a resource-based allow is needed; then every permissions
 *      boundary and session policy present must allow too, except that a resource-based policy
 *      naming the user or session ARN is limited by neither, and one naming "*" is not limited by
 *      the boundary (a session's role ARN is limited by both);
 *   3. cross account: the identity side (with its boundary and session policies) and the
 *      resource-based policy must both allow.
 * Whatever is not allowed is implicitly denied, naming the first layer that failed to allow.
 */
#include "iam/policy_set.h"

#include <string.h>

#include "leastcloud/error.h"

struct hit {
    int pol, stmt;
};

struct layer_result {
    struct hit allow, deny;
    enum iam_pmatch allow_pm;  /* resource layer: how strongly the allowing statement names us */
};

static bool s_statement_applies(const struct iam_statement *st, const struct lc_iam_request *r, size_t alen,
                                struct iam_scratch *scratch)
{
    return lc__iam_action_matches(st, r->action_lc, alen) && lc__iam_resource_matches(st, r, scratch) &&
           lc__iam_conditions_match(st, r, scratch);
}

static void s_scan(const struct lc_iam_policy_set *s, enum lc_iam_layer layer, const struct lc_iam_request *r,
                   size_t alen, struct iam_scratch *scratch, struct layer_result *out)
{
    bool has_boundary = s->count[LC_IAM_LAYER_BOUNDARY] > 0 && r->principal_type != LC_IAM_PRINCIPAL_ROOT;
    out->allow = out->deny = (struct hit){-1, -1};
    out->allow_pm = IAM_PM_NONE;
    size_t end = s->first[layer] + s->count[layer];
    for (size_t pi = s->first[layer]; pi < end; pi++) {
        const struct lc_iam_policy *p = s->pol[pi].policy;
        for (size_t si = 0; si < p->n_statements; si++) {
            const struct iam_statement *st = &p->statements[si];
            /* Once a deny is found nothing else matters; once allowed, only denies do. */
            if (!st->deny && out->allow.pol >= 0 && (layer != LC_IAM_LAYER_RESOURCE || out->allow_pm == IAM_PM_DIRECT))
                continue;
            enum iam_pmatch pm = IAM_PM_DIRECT;
            /*
             * AWS's NotPrincipal page: a Deny with NotPrincipal denies a principal that has a
             * permissions boundary even when the NotPrincipal list names it.
             */
            if (layer == LC_IAM_LAYER_RESOURCE && !(st->deny && st->not_principal && has_boundary) &&
                (pm = lc__iam_principal_match(st, r)) == IAM_PM_NONE)
                continue;
            if (!s_statement_applies(st, r, alen, scratch))
                continue;
            if (st->deny) {
                out->deny = (struct hit){(int)pi, (int)si};
                return;
            }
            if (out->allow.pol < 0 || pm > out->allow_pm) {
                out->allow = (struct hit){(int)pi, (int)si};
                out->allow_pm = pm;
            }
        }
    }
}

static void s_decide(struct lc_iam_decision *d, const struct lc_iam_policy_set *s, enum lc_iam_decision_kind k,
                     enum lc_iam_layer layer, struct hit h)
{
    d->kind = k;
    d->layer = layer;
    if (h.pol < 0) {
        d->policy_label = NULL;
        d->statement_index = -1;
        d->sid = "";
        return;
    }
    d->policy_label = s->pol[h.pol].label;
    d->statement_index = h.stmt;
    d->sid = s->pol[h.pol].policy->statements[h.stmt].sid;
}

/* The resource's account: set explicitly, else from its ARN; NULL when unknown (S3 ARNs, "*"). */
static const char *s_resource_account(const struct lc_iam_request *r, char *buf, size_t size)
{
    if (r->resource_account)
        return r->resource_account;
    if (r->resource_is_arn && r->resource_part[3].len > 0 && r->resource_part[3].len < size) {
        memcpy(buf, r->resource_part[3].ptr, r->resource_part[3].len);
        buf[r->resource_part[3].len] = '\0';
        return buf;
    }
    return NULL;
}

int lc_iam_evaluate(const struct lc_iam_policy_set *s, const struct lc_iam_request *r, struct lc_iam_decision *d)
{
    if (!s || !s->compiled || !r || !r->action_lc || !r->principal)
        return LC_EINVAL;
    char stack[1024];
    struct iam_scratch scratch;
    lc__iam_scratch_init(&scratch, stack, sizeof stack);
    size_t alen = strlen(r->action_lc);
    static const enum lc_iam_layer order[] = {LC_IAM_LAYER_IDENTITY, LC_IAM_LAYER_RESOURCE, LC_IAM_LAYER_BOUNDARY,
                                              LC_IAM_LAYER_SESSION};
    struct layer_result res[LC_IAM_LAYER_SESSION + 1];
    for (size_t i = 0; i < 4; i++) {
        enum lc_iam_layer l = order[i];
        s_scan(s, l, r, alen, &scratch, &res[l]);
        if (res[l].deny.pol >= 0) {
            lc__iam_scratch_free(&scratch);
            s_decide(d, s, LC_IAM_EXPLICITLY_DENIED, l, res[l].deny);
            return 0;
        }
    }
    lc__iam_scratch_free(&scratch);

    bool has_boundary = s->count[LC_IAM_LAYER_BOUNDARY] > 0 && r->principal_type != LC_IAM_PRINCIPAL_ROOT;
    bool has_session = s->count[LC_IAM_LAYER_SESSION] > 0;
    bool boundary_ok = !has_boundary || res[LC_IAM_LAYER_BOUNDARY].allow.pol >= 0;
    bool session_ok = !has_session || res[LC_IAM_LAYER_SESSION].allow.pol >= 0;
    const struct layer_result *id = &res[LC_IAM_LAYER_IDENTITY], *rp = &res[LC_IAM_LAYER_RESOURCE];
    char acct[64];
    const char *racct = s_resource_account(r, acct, sizeof acct);
    bool same_account = !racct || (r->account && strcmp(racct, r->account) == 0);

    if (same_account) {
        /* How far the resource-based allow reaches past the identity side's other layers. */
        bool rp_allows = rp->allow_pm >= IAM_PM_ROLE;
        bool past_boundary = rp->allow_pm >= IAM_PM_ANY, past_session = rp->allow_pm == IAM_PM_DIRECT;
        bool id_allows = id->allow.pol >= 0;
        enum lc_iam_layer fail = LC_IAM_LAYER_NONE;
        if (!id_allows && !rp_allows)
            fail = LC_IAM_LAYER_IDENTITY;
        else if (!boundary_ok && !past_boundary)
            fail = LC_IAM_LAYER_BOUNDARY;
        else if (!session_ok && !past_session)
            fail = LC_IAM_LAYER_SESSION;
        if (fail != LC_IAM_LAYER_NONE)
            s_decide(d, s, LC_IAM_IMPLICITLY_DENIED, fail, (struct hit){-1, -1});
        else if (id_allows && boundary_ok && session_ok)
            s_decide(d, s, LC_IAM_ALLOWED, LC_IAM_LAYER_IDENTITY, id->allow);
        else
            s_decide(d, s, LC_IAM_ALLOWED, LC_IAM_LAYER_RESOURCE, rp->allow);
        return 0;
    }
    if (id->allow.pol < 0)
        s_decide(d, s, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_IDENTITY, (struct hit){-1, -1});
    else if (!boundary_ok)
        s_decide(d, s, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_BOUNDARY, (struct hit){-1, -1});
    else if (!session_ok)
        s_decide(d, s, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_SESSION, (struct hit){-1, -1});
    else if (rp->allow_pm == IAM_PM_NONE)
        s_decide(d, s, LC_IAM_IMPLICITLY_DENIED, LC_IAM_LAYER_RESOURCE, (struct hit){-1, -1});
    else
        s_decide(d, s, LC_IAM_ALLOWED, LC_IAM_LAYER_IDENTITY, id->allow);
    return 0;
}
