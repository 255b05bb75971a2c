/* authz.c: lc_api_authorize: the IAM request context, cached compiled policy sets, AWS's denials. */
#include "api/api_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/log.h"

#define POLICY_CACHE_ENTRIES 4096

struct lc_api_policy_cache {
    struct lc_iam_cache *sets;
};

struct lc_api_policy_cache *lc__api_policy_cache_new(void)
{
    struct lc_api_policy_cache *c = lc_calloc(1, sizeof *c);
    c->sets = lc_iam_cache_new(POLICY_CACHE_ENTRIES);
    return c;
}

void lc__api_policy_cache_free(struct lc_api_policy_cache *c)
{
    if (!c)
        return;
    lc_iam_cache_free(c->sets);
    lc_free(c);
}

void lc__api_authz_init(struct lc_api_authz *a, struct lc_api_policy_cache *cache,
                        const struct lc_api_service *svc)
{
    memset(a, 0, sizeof *a);
    a->cache = cache;
    a->svc = svc;
    a->now_ms = lc_clock_now_ms();
}

/*
 * One IAM request per thread, reused from call to call: its arena then never goes back to malloc.
 * A pthread key (not a bare _Thread_local) so that a thread's request is freed when it exits.
 */
static pthread_key_t s_spare_key;
static pthread_once_t s_spare_once = PTHREAD_ONCE_INIT;

static void s_spare_free(void *p)
{
    lc_iam_request_free(p);
}

static void s_spare_init(void)
{
    pthread_key_create(&s_spare_key, s_spare_free);
}

static struct lc_iam_request *s_request_take(void)
{
    pthread_once(&s_spare_once, s_spare_init);
    struct lc_iam_request *r = pthread_getspecific(s_spare_key);
    if (!r)
        return lc_iam_request_new();
    pthread_setspecific(s_spare_key, NULL);
    lc_iam_request_reset(r);
    return r;
}

static void s_request_give_back(struct lc_iam_request *r)
{
    if (!r)
        return;
    pthread_once(&s_spare_once, s_spare_init);
    if (pthread_getspecific(s_spare_key) || pthread_setspecific(s_spare_key, r) != 0)
        lc_iam_request_free(r);
}

void lc__api_authz_clean_up(struct lc_api_authz *a)
{
    if (a->set)
        lc_iam_policy_set_release(a->set);
    s_request_give_back(a->ireq);
    for (size_t i = 0; i < a->n_checks; i++) {
        lc_free(a->checks[i].action);
        lc_free(a->checks[i].resource);
        lc_free(a->checks[i].policy);
        lc_free(a->checks[i].sid);
    }
    lc_free(a->checks);
    memset(a, 0, sizeof *a);
}

static int s_add_policy(struct lc_iam_policy_set *set, enum lc_iam_layer layer, const char *label,
                        const char *doc, struct lc_error *err)
{
    struct lc_error perr;
    struct lc_iam_policy *pol = lc_iam_policy_parse(doc, strlen(doc), LC_IAM_POLICY_IDENTITY, &perr);
    if (!pol)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "stored policy %s does not parse: %s",
                            label, perr.message);
    return lc_iam_policy_set_add(set, layer, label, pol);
}

/* Compiles everything that applies to the caller: identity policies and boundary of the user or
 * role, plus a session's own policy. */
static int s_load_set(struct lc_store *store, const struct lc_api_caller *caller,
                      struct lc_iam_policy_set **out, struct lc_error *err)
{
    struct lc_store_policies pols = {0};
    int rc = lc_store_principal_policies(store, caller->principal_arn, &pols, err);
    if (rc)
        return rc;
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    for (size_t i = 0; i < pols.n_identity && !rc; i++)
        rc = s_add_policy(set, LC_IAM_LAYER_IDENTITY, pols.identity[i].label, pols.identity[i].document, err);
    if (!rc && pols.boundary.document)
        rc = s_add_policy(set, LC_IAM_LAYER_BOUNDARY, pols.boundary.label, pols.boundary.document, err);
    if (!rc && caller->session) {
        char *doc = lc_store_session_policy(store, caller->key_id);
        if (doc)
            rc = s_add_policy(set, LC_IAM_LAYER_SESSION, "session policy", doc, err);
        lc_free(doc);
    }
    lc_store_policies_free(&pols);
    if (!rc)
        rc = lc_iam_policy_set_compile(set);
    if (rc) {
        lc_iam_policy_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

static int s_policy_set(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_api_authz *a = call->authz;
    if (a->set)
        return 0;
    const struct lc_api_caller *c = call->caller;
    char key[LC_ARN_MAX + 48];
    /* Sessions may carry their own policy, so they are cached per key; users per principal. */
    if (c->session)
        snprintf(key, sizeof key, "session:%s", c->key_id);
    else
        snprintf(key, sizeof key, "%s", c->principal_arn);
    uint64_t version = (uint64_t)a->iam_generation;
    a->set = lc_iam_cache_get(a->cache->sets, key, version);
    if (a->set)
        return 0;
    struct lc_iam_policy_set *set;
    int rc = s_load_set(call->store, c, &set, err);
    if (rc)
        return rc;
    a->set = lc_iam_cache_put(a->cache->sets, key, version, set);
    return 0;
}

static const char *s_principal_type_name(enum lc_iam_principal_type t)
{
    switch (t) {
    case LC_IAM_PRINCIPAL_ROOT: return "Account";
    case LC_IAM_PRINCIPAL_ASSUMED_ROLE: return "AssumedRole";
    default: return "User";
    }
}

/* The global condition keys every request carries (aws:*). */
static void s_global_keys(struct lc_api_call *call, struct lc_iam_request *r)
{
    const struct lc_api_caller *c = call->caller;
    /* Formatted once a second per thread: strftime and printf were a tenth of a GetItem's IAM cost. */
    static _Thread_local int64_t s_second = INT64_MIN;
    static _Thread_local char iso[21], epoch[24];
    int64_t second = call->authz->now_ms / 1000;
    if (second != s_second) {
        lc_time_format_iso(call->authz->now_ms, iso);
        snprintf(epoch, sizeof epoch, "%lld", (long long)second);
        s_second = second;
    }
    lc_iam_request_add_context(r, "aws:PrincipalArn", c->type == LC_IAM_PRINCIPAL_ASSUMED_ROLE ? c->principal_arn : c->arn);
    lc_iam_request_add_context(r, "aws:PrincipalAccount", c->account);
    lc_iam_request_add_context(r, "aws:PrincipalType", s_principal_type_name(c->type));
    if (c->type == LC_IAM_PRINCIPAL_USER)
        lc_iam_request_add_context(r, "aws:username", c->name);
    lc_iam_request_add_context(r, "aws:userid", c->user_id);
    lc_iam_request_add_context(r, "aws:SourceIp", call->req->source_ip ? call->req->source_ip : "");
    lc_iam_request_add_context(r, "aws:CurrentTime", iso);
    lc_iam_request_add_context(r, "aws:EpochTime", epoch);
    lc_iam_request_add_context(r, "aws:SecureTransport", "false");
    if (c->region[0])
        lc_iam_request_add_context(r, "aws:RequestedRegion", c->region);
    lc_iam_request_set_principal(r, c->arn, c->type);
    lc_iam_request_set_account(r, c->account);
}

static void s_record(struct lc_api_authz *a, const char *action, const char *resource,
                     enum lc_iam_decision_kind kind, const char *policy, int statement, const char *sid)
{
    if (a->n_checks == a->cap_checks) {
        a->cap_checks = a->cap_checks ? a->cap_checks * 2 : 4;
        a->checks = lc_realloc(a->checks, a->cap_checks * sizeof *a->checks);
    }
    a->checks[a->n_checks++] = (struct lc_api_check){
        .action = lc_strdup(action),
        .resource = lc_strdup(resource),
        .kind = kind,
        .policy = lc_strdup(policy),
        .statement = statement,
        .sid = lc_strdup(sid ? sid : ""),
    };
}

/* The account part of an ARN, or "" for "*" and non-ARNs. */
static void s_arn_account(const char *resource, char *out, size_t size)
{
    struct lc_iam_arn arn;
    out[0] = '\0';
    if (lc_iam_arn_parse(resource, strlen(resource), &arn) == 0 && arn.account_len < size) {
        memcpy(out, arn.account, arn.account_len);
        out[arn.account_len] = '\0';
    }
}

static int s_denied(struct lc_api_call *call, const struct lc_iam_decision *d, struct lc_error *err)
{
    struct lc_buf msg;
    lc_buf_init(&msg, LC_ERROR_MESSAGE_MAX - 1);
    lc_iam_denial_message(call->authz->ireq, d, &msg);
    const struct lc_api_service *svc = call->authz->svc;
    enum lc_api_protocol proto = svc ? svc->protocol : LC_API_JSON;
    /* AWS: access-denied-status. JSON services answer 400, REST-JSON (Lambda) and Query 403. */
    lc_error_set(err, LC_EDENIED, proto == LC_API_JSON ? 400 : 403,
                 proto == LC_API_QUERY ? "AccessDenied" : "AccessDeniedException", "%s",
                 msg.data ? msg.data : "");
    lc_buf_free(&msg);
    return LC_EDENIED;
}

int lc_api_authorize(struct lc_api_call *call, const char *action, const char *resource,
                     const struct lc_api_condition *conds, size_t n_conds, struct lc_error *err)
{
    struct lc_api_authz *a = call->authz;
    const struct lc_api_caller *c = call->caller;
    if (!resource || !*resource)
        resource = "*";
    if (c->type == LC_IAM_PRINCIPAL_ROOT) {
        /* Root may do anything in its own account and nothing elsewhere without a resource policy. */
        char acct[16];
        s_arn_account(resource, acct, sizeof acct);
        if (!acct[0] || !strcmp(acct, c->account)) {
            s_record(a, action, resource, LC_IAM_ALLOWED, "root", -1, "");
            return 0;
        }
    }
    int rc = s_policy_set(call, err);
    if (rc)
        return rc;
    if (!a->ireq)
        a->ireq = s_request_take();
    else
        lc_iam_request_reset(a->ireq);
    /* Condition keys first: set_principal fills aws:Principal* only when they are absent. */
    s_global_keys(call, a->ireq);
    for (size_t i = 0; i < n_conds; i++)
        lc_iam_request_add_context(a->ireq, conds[i].key, conds[i].value);
    lc_iam_request_set_action(a->ireq, action);
    lc_iam_request_set_resource(a->ireq, resource);
    struct lc_iam_decision d;
    if (lc_iam_evaluate(a->set, a->ireq, &d) != 0)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "evaluating %s on %s failed", action,
                            resource);
    s_record(a, action, resource, d.kind, d.policy_label, d.statement_index, d.sid);
    if (d.kind == LC_IAM_ALLOWED)
        return 0;
    return s_denied(call, &d, err);
}
