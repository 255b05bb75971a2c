/*
 * iam_simulate.c: SimulatePrincipalPolicy and SimulateCustomPolicy answered by the IAM engine,
 * GetAccountAuthorizationDetails, and the policy-set builder STS's AssumeRole shares.
 */
#include "api/iam_api.h"
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

#define MAX_SIM_ITEMS 128
#define ALLOW_ALL "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"

static int s_add(struct lc_iam_policy_set *set, enum lc_iam_layer layer, const char *label, const char *doc,
                 enum lc_iam_policy_kind kind, struct lc_error *err)
{
    struct lc_iam_policy *p = lc_iam_policy_parse(doc, strlen(doc), kind, err);
    if (!p) {
        lc_strlcpy(err->aws_code, "MalformedPolicyDocument", sizeof err->aws_code);
        err->http_status = 400;
        return LC_EINVAL;
    }
    return lc_iam_policy_set_add(set, layer, label, p);
}

int lc__iam_build_set(struct lc_store *store, const char *principal_arn, const char *session_key,
                      bool identity_allow_all, const char *const *extra, size_t n_extra,
                      const char *resource_doc, enum lc_iam_policy_kind resource_kind, const char *resource_label,
                      struct lc_iam_policy_set **out, struct lc_error *err)
{
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    struct lc_store_policies pols = {0};
    int rc = 0;
    if (identity_allow_all)
        rc = s_add(set, LC_IAM_LAYER_IDENTITY, "root", ALLOW_ALL, LC_IAM_POLICY_IDENTITY, err);
    else if (principal_arn && (rc = lc_store_principal_policies(store, principal_arn, &pols, err)) == 0) {
        for (size_t i = 0; i < pols.n_identity && !rc; i++)
            rc = s_add(set, LC_IAM_LAYER_IDENTITY, pols.identity[i].label, pols.identity[i].document,
                       LC_IAM_POLICY_IDENTITY, err);
        if (!rc && pols.boundary.document)
            rc = s_add(set, LC_IAM_LAYER_BOUNDARY, pols.boundary.label, pols.boundary.document,
                       LC_IAM_POLICY_IDENTITY, err);
    }
    lc_store_policies_free(&pols);
    if (!rc && session_key) {
        char *doc = lc_store_session_policy(store, session_key);
        if (doc)
            rc = s_add(set, LC_IAM_LAYER_SESSION, "session policy", doc, LC_IAM_POLICY_IDENTITY, err);
        lc_free(doc);
    }
    for (size_t i = 0; i < n_extra && !rc; i++) {
        char label[48];
        snprintf(label, sizeof label, "PolicyInputList.%zu", i + 1);
        rc = s_add(set, LC_IAM_LAYER_IDENTITY, label, extra[i], LC_IAM_POLICY_IDENTITY, err);
    }
    if (!rc && resource_doc)
        rc = s_add(set, LC_IAM_LAYER_RESOURCE, resource_label ? resource_label : "ResourcePolicy", resource_doc,
                   resource_kind, err);
    if (!rc)
        rc = lc_iam_policy_set_compile(set);
    if (rc) {
        lc_iam_policy_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

void lc__iam_record_check(struct lc_api_call *call, const char *action, const char *resource,
                          const struct lc_iam_decision *d)
{
    struct lc_api_authz *a = call->authz;
    if (a->n_checks == a->cap_checks) {
        a->cap_checks = a->cap_checks ? a->cap_checks * 2 : 4;
        a->checks = lc_realloc(a->checks, a->cap_checks * sizeof *a->checks);
    }
    a->checks[a->n_checks++] = (struct lc_api_check){
        .action = lc_strdup(action),
        .resource = lc_strdup(resource),
        .kind = d->kind,
        .policy = d->policy_label ? lc_strdup(d->policy_label) : NULL,
        .statement = d->statement_index,
        .sid = lc_strdup(d->sid ? d->sid : ""),
    };
}

/* ------------------------------------------------------------------ simulation */

static const char *s_eval_decision(enum lc_iam_decision_kind k)
{
    switch (k) {
    case LC_IAM_ALLOWED: return "allowed";
    case LC_IAM_EXPLICITLY_DENIED: return "explicitDeny";
    default: return "implicitDeny";
    }
}

/* ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M} */
static void s_context(const struct lc_api_call *call, struct lc_iam_request *r)
{
    char name[96];
    for (size_t i = 1; i <= MAX_SIM_ITEMS; i++) {
        snprintf(name, sizeof name, "ContextEntries.member.%zu.ContextKeyName", i);
        const char *key = lc_api_param(call->req, name);
        if (!key)
            break;
        snprintf(name, sizeof name, "ContextEntries.member.%zu.ContextKeyValues", i);
        const char *values[MAX_SIM_ITEMS];
        size_t n = lc__iam_param_list(call, name, values, MAX_SIM_ITEMS);
        for (size_t j = 0; j < n; j++)
            lc_iam_request_add_context(r, key, values[j]);
        snprintf(name, sizeof name, "ContextEntries.member.%zu.ContextKeyType", i);
        const char *type = lc_api_param(call->req, name);
        if (type && lc_str_ends_with(type, "List"))
            lc_iam_request_mark_multivalued(r, key);
    }
}

static int s_simulate(struct lc_api_call *call, const struct lc_iam_policy_set *set, const char *principal,
                      struct lc_error *err)
{
    const char *actions[MAX_SIM_ITEMS], *resources[MAX_SIM_ITEMS];
    size_t n_actions = lc__iam_param_list(call, "ActionNames", actions, MAX_SIM_ITEMS);
    size_t n_resources = lc__iam_param_list(call, "ResourceArns", resources, MAX_SIM_ITEMS);
    if (!n_actions)
        return lc__iam_param_required(call, "ActionNames", err) ? 0 : LC_EINVAL;
    if (!n_resources) {
        resources[0] = "*";
        n_resources = 1;
    }
    const char *caller = lc_api_param(call->req, "CallerArn");
    if (caller)
        principal = caller;
    struct lc_iam_request *r = lc_iam_request_new();
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<EvaluationResults>");
    for (size_t i = 0; i < n_actions; i++) {
        for (size_t j = 0; j < n_resources; j++) {
            lc_iam_request_reset(r);
            s_context(call, r);
            lc_iam_request_set_principal(r, principal, lc_iam_principal_type_of(principal));
            lc_iam_request_set_account(r, call->caller->account);
            lc_iam_request_set_action(r, actions[i]);
            lc_iam_request_set_resource(r, resources[j]);
            struct lc_iam_decision d;
            if (lc_iam_evaluate(set, r, &d) != 0) {
                lc_iam_request_free(r);
                return lc_error_set(err, LC_EINVAL, 400, "InvalidInput", "cannot evaluate %s on %s", actions[i],
                                    resources[j]);
            }
            lc_buf_append_str(b, "<member>");
            lc_api_xml_elem(b, "EvalActionName", actions[i]);
            lc_api_xml_elem(b, "EvalResourceName", resources[j]);
            lc_api_xml_elem(b, "EvalDecision", s_eval_decision(d.kind));
            lc_buf_append_str(b, "<MatchedStatements>");
            if (d.policy_label) {
                lc_buf_append_str(b, "<member>");
                lc_api_xml_elem(b, "SourcePolicyId", d.policy_label);
                lc_api_xml_elem(b, "SourcePolicyType", lc_str_starts_with(d.policy_label, "arn:aws:iam::aws:")
                                                           ? "aws-managed"
                                                       : lc_str_starts_with(d.policy_label, "arn:")
                                                           ? "user-managed"
                                                       : d.layer == LC_IAM_LAYER_RESOURCE ? "resource"
                                                                                           : "user");
                lc_buf_append_str(b, "</member>");
            }
            lc_buf_append_str(b, "</MatchedStatements><MissingContextValues/>");
            lc_buf_append_str(b, "</member>");
        }
    }
    lc_buf_append_str(b, "</EvaluationResults><IsTruncated>false</IsTruncated>");
    lc_iam_request_free(r);
    return 0;
}

int lc__iam_op_simulate_principal_policy(struct lc_api_call *call, struct lc_error *err)
{
    const char *source = lc__iam_param_required(call, "PolicySourceArn", err);
    if (!source)
        return LC_EINVAL;
    int rc = lc_api_authorize(call, "iam:SimulatePrincipalPolicy", source, NULL, 0, err);
    if (rc)
        return rc;
    struct lc_store_principal p;
    if ((rc = lc_store_principal_get(call->store, source, &p, err)) != 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The entity %s cannot be found.", source);
    const char *extra[MAX_SIM_ITEMS];
    size_t n_extra = lc__iam_param_list(call, "PolicyInputList", extra, MAX_SIM_ITEMS);
    struct lc_iam_policy_set *set;
    if ((rc = lc__iam_build_set(call->store, p.arn, NULL, p.type == LC_PRINCIPAL_ROOT, extra, n_extra, NULL,
                                LC_IAM_POLICY_RESOURCE, NULL, &set, err)) != 0)
        return rc;
    rc = s_simulate(call, set, p.arn, err);
    lc_iam_policy_set_free(set);
    return rc;
}

int lc__iam_op_simulate_custom_policy(struct lc_api_call *call, struct lc_error *err)
{
    const char *docs[MAX_SIM_ITEMS];
    size_t n = lc__iam_param_list(call, "PolicyInputList", docs, MAX_SIM_ITEMS);
    if (!n)
        return lc__iam_param_required(call, "PolicyInputList", err) ? 0 : LC_EINVAL;
    int rc = lc_api_authorize(call, "iam:SimulateCustomPolicy", "*", NULL, 0, err);
    if (rc)
        return rc;
    const char *resource_doc = lc_api_param(call->req, "ResourcePolicy");
    struct lc_iam_policy_set *set;
    if ((rc = lc__iam_build_set(call->store, NULL, NULL, false, docs, n, resource_doc, LC_IAM_POLICY_RESOURCE,
                                "ResourcePolicy", &set, err)) != 0)
        return rc;
    char principal[LC_ARN_MAX];
    snprintf(principal, sizeof principal, "arn:aws:iam::%s:user/simulated", call->caller->account);
    rc = s_simulate(call, set, principal, err);
    lc_iam_policy_set_free(set);
    return rc;
}

/* ------------------------------------------------------------------ GetAccountAuthorizationDetails */

struct s_details {
    struct lc_api_call *call;
    struct lc_buf *b;
    struct lc_error *err;
    const char *prefix;  /* "User", "Role", "Group" */
};

static int s_inline_member(const char *name, const char *doc, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "PolicyName", name);
    lc__iam_xml_doc(b, "PolicyDocument", doc);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_group_name(const struct lc_store_principal *g, void *ud)
{
    lc_api_xml_elem(ud, "member", g->name);
    return 0;
}

static int s_principal_detail(const struct lc_store_principal *p, void *ud)
{
    struct s_details *d = ud;
    struct lc_buf *b = d->b;
    lc_buf_append_str(b, "<member>");
    if (p->type == LC_PRINCIPAL_USER)
        lc__iam_xml_user(d->call, b, p, false);
    else if (p->type == LC_PRINCIPAL_ROLE)
        lc__iam_xml_role_detail(d->call, b, p);
    else
        lc__iam_xml_group(b, p);
    lc_buf_appendf(b, "<%sPolicyList>", d->prefix);
    lc_store_inline_policy_list(d->call->store, p->arn, s_inline_member, b, NULL);
    lc_buf_appendf(b, "</%sPolicyList>", d->prefix);
    if (p->type == LC_PRINCIPAL_USER) {
        lc_buf_append_str(b, "<GroupList>");
        lc__iam_groups_of_user(d->call->store, p->arn, s_group_name, b, NULL);
        lc_buf_append_str(b, "</GroupList>");
    }
    if (p->type == LC_PRINCIPAL_ROLE)
        lc_buf_append_str(b, "<InstanceProfileList/>");
    lc__iam_xml_attached(d->call, b, "AttachedManagedPolicies", p->arn, NULL);
    if (p->type != LC_PRINCIPAL_GROUP)
        lc__iam_xml_tags(d->call, b, p->arn, false);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_version_detail(const struct lc__iam_policy_version *v, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    lc__iam_xml_doc(b, "Document", v->document);
    lc_api_xml_elem(b, "VersionId", v->version_id);
    lc__iam_xml_bool(b, "IsDefaultVersion", v->is_default);
    lc__iam_xml_time(b, "CreateDate", v->created_ms);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_policy_detail(const struct lc__iam_policy_info *p, void *ud)
{
    struct s_details *d = ud;
    struct lc_buf *b = d->b;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "PolicyName", p->name);
    lc_api_xml_elem(b, "PolicyId", p->id);
    lc_api_xml_elem(b, "Arn", p->arn);
    lc_api_xml_elem(b, "Path", p->path);
    lc_api_xml_elem(b, "DefaultVersionId", p->default_version);
    lc__iam_xml_int(b, "AttachmentCount", p->attachment_count);
    lc__iam_xml_int(b, "PermissionsBoundaryUsageCount", p->boundary_count);
    lc__iam_xml_bool(b, "IsAttachable", true);
    if (p->description[0])
        lc_api_xml_elem(b, "Description", p->description);
    lc__iam_xml_time(b, "CreateDate", p->created_ms);
    lc__iam_xml_time(b, "UpdateDate", p->updated_ms);
    lc_buf_append_str(b, "<PolicyVersionList>");
    lc__iam_policy_versions(d->call->store, p->arn, s_version_detail, b, NULL);
    lc_buf_append_str(b, "</PolicyVersionList></member>");
    return 0;
}

static bool s_filter(const char *const *filters, size_t n, const char *what)
{
    if (!n)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(filters[i], what))
            return true;
    return false;
}

int lc__iam_op_get_account_authorization_details(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "iam:GetAccountAuthorizationDetails", "*", NULL, 0, err);
    if (rc)
        return rc;
    const char *filters[8];
    size_t nf = lc__iam_param_list(call, "Filter", filters, 8);
    struct lc_buf *b = &call->resp->body;
    struct s_details d = {call, b, err, "User"};
    if (s_filter(filters, nf, "User")) {
        lc_buf_append_str(b, "<UserDetailList>");
        rc = lc_store_principal_list(call->store, LC_PRINCIPAL_USER, s_principal_detail, &d, err);
        lc_buf_append_str(b, "</UserDetailList>");
    }
    if (!rc && s_filter(filters, nf, "Group")) {
        d.prefix = "Group";
        lc_buf_append_str(b, "<GroupDetailList>");
        rc = lc_store_principal_list(call->store, LC_PRINCIPAL_GROUP, s_principal_detail, &d, err);
        lc_buf_append_str(b, "</GroupDetailList>");
    }
    if (!rc && s_filter(filters, nf, "Role")) {
        d.prefix = "Role";
        lc_buf_append_str(b, "<RoleDetailList>");
        rc = lc_store_principal_list(call->store, LC_PRINCIPAL_ROLE, s_principal_detail, &d, err);
        lc_buf_append_str(b, "</RoleDetailList>");
    }
    bool local = s_filter(filters, nf, "LocalManagedPolicy"), aws = s_filter(filters, nf, "AWSManagedPolicy");
    if (!rc && (local || aws)) {
        lc_buf_append_str(b, "<Policies>");
        rc = lc__iam_policy_list(call->store, local && aws ? "All" : local ? "Local" : "AWS", false, s_policy_detail,
                                 &d, err);
        lc_buf_append_str(b, "</Policies>");
    }
    lc_buf_append_str(b, "<IsTruncated>false</IsTruncated>");
    return rc;
}
