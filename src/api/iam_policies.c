/* iam_policies.c: inline policies, managed policies with versions, attach and detach. */
#include "api/iam_api.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"

/* IAM's quotas (non-whitespace characters): inline per user 2048, role 10240, group 5120;
 * managed 6144; versions 5 per policy. */
#define MAX_MANAGED_SIZE 6144
#define MAX_VERSIONS 5

struct s_kind {
    enum lc_principal_type type;
    const char *param;  /* "UserName" */
    const char *word;   /* "User", for action names and errors */
    size_t max_inline;
};

static const struct s_kind s_user = {LC_PRINCIPAL_USER, "UserName", "User", 2048};
static const struct s_kind s_role = {LC_PRINCIPAL_ROLE, "RoleName", "Role", 10240};
static const struct s_kind s_group = {LC_PRINCIPAL_GROUP, "GroupName", "Group", 5120};

/* Finds the principal of the request and authorizes iam:<verb><Word><suffix> on it. */
static int s_subject(struct lc_api_call *call, const struct s_kind *k, const char *verb, const char *suffix,
                     struct lc_store_principal *p, struct lc_error *err)
{
    char action[96];
    snprintf(action, sizeof action, "iam:%s%s%s", verb, k->word, suffix);
    return lc__iam_named(call, k->type, k->param, action, p, err);
}

/* ------------------------------------------------------------------ inline policies */

static int s_put_inline(struct lc_api_call *call, const struct s_kind *k, struct lc_error *err)
{
    const char *pname = lc__iam_param_required(call, "PolicyName", err);
    const char *doc = pname ? lc__iam_param_required(call, "PolicyDocument", err) : NULL;
    if (!doc)
        return LC_EINVAL;
    int rc = lc__iam_check_name("PolicyName", pname, 128, err);
    struct lc_store_principal p;
    if (rc || (rc = s_subject(call, k, "Put", "Policy", &p, err)) != 0)
        return rc;
    if ((rc = lc__iam_check_policy(doc, LC_IAM_POLICY_IDENTITY, k->max_inline, err)) != 0)
        return rc;
    return lc_store_inline_policy_put(call->store, p.arn, pname, doc, err);
}

static int s_get_inline(struct lc_api_call *call, const struct s_kind *k, struct lc_error *err)
{
    const char *pname = lc__iam_param_required(call, "PolicyName", err);
    if (!pname)
        return LC_EINVAL;
    struct lc_store_principal p;
    int rc = s_subject(call, k, "Get", "Policy", &p, err);
    if (rc)
        return rc;
    char *doc = lc_store_inline_policy_get(call->store, p.arn, pname, NULL);
    if (!doc)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                            lc_principal_type_name(k->type), pname);
    struct lc_buf *b = &call->resp->body;
    char elem[32];
    snprintf(elem, sizeof elem, "%sName", k->word);
    lc_api_xml_elem(b, elem, p.name);
    lc_api_xml_elem(b, "PolicyName", pname);
    lc__iam_xml_doc(b, "PolicyDocument", doc);
    lc_free(doc);
    return 0;
}

static int s_delete_inline(struct lc_api_call *call, const struct s_kind *k, struct lc_error *err)
{
    const char *pname = lc__iam_param_required(call, "PolicyName", err);
    if (!pname)
        return LC_EINVAL;
    struct lc_store_principal p;
    int rc = s_subject(call, k, "Delete", "Policy", &p, err);
    if (rc)
        return rc;
    rc = lc_store_inline_policy_delete(call->store, p.arn, pname, err);
    if (rc == LC_ENOTFOUND)
        lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                     lc_principal_type_name(k->type), pname);
    return rc;
}

static int s_name_member(const char *name, const char *doc, void *ud)
{
    (void)doc;
    struct lc_buf *b = ud;
    lc_api_xml_elem(b, "member", name);
    return 0;
}

static int s_list_inline(struct lc_api_call *call, const struct s_kind *k, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = s_subject(call, k, "List", "Policies", &p, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<PolicyNames>");
    rc = lc_store_inline_policy_list(call->store, p.arn, s_name_member, &call->resp->body, err);
    lc_buf_append_str(&call->resp->body, "</PolicyNames><IsTruncated>false</IsTruncated>");
    return rc;
}

#define INLINE_OPS(low, kind)                                                                           \
    int lc__iam_op_put_##low##_policy(struct lc_api_call *call, struct lc_error *err)                  \
    {                                                                                                   \
        return s_put_inline(call, &kind, err);                                                          \
    }                                                                                                   \
    int lc__iam_op_get_##low##_policy(struct lc_api_call *call, struct lc_error *err)                  \
    {                                                                                                   \
        return s_get_inline(call, &kind, err);                                                          \
    }                                                                                                   \
    int lc__iam_op_delete_##low##_policy(struct lc_api_call *call, struct lc_error *err)               \
    {                                                                                                   \
        return s_delete_inline(call, &kind, err);                                                       \
    }                                                                                                   \
    int lc__iam_op_list_##low##_policies(struct lc_api_call *call, struct lc_error *err)               \
    {                                                                                                   \
        return s_list_inline(call, &kind, err);                                                         \
    }

INLINE_OPS(user, s_user)
INLINE_OPS(role, s_role)
INLINE_OPS(group, s_group)

/* ------------------------------------------------------------------ managed policies */

static void s_policy_xml(struct lc_buf *b, const struct lc__iam_policy_info *p)
{
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
}

/* PolicyArn of the request, authorized for action, with its info (lookup failure after authz). */
static int s_policy(struct lc_api_call *call, const char *action, struct lc__iam_policy_info *info,
                    struct lc_error *err)
{
    const char *arn = lc__iam_param_required(call, "PolicyArn", err);
    if (!arn)
        return LC_EINVAL;
    struct lc_error lerr;
    int lrc = lc__iam_policy_info(call->store, arn, info, &lerr);
    if (lrc)
        lc_strlcpy(info->arn, arn, sizeof info->arn);
    return lc__iam_authorize_then(call, action, arn, lrc, &lerr, err);
}

int lc__iam_op_create_policy(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc__iam_param_required(call, "PolicyName", err);
    const char *doc = name ? lc__iam_param_required(call, "PolicyDocument", err) : NULL;
    if (!doc)
        return LC_EINVAL;
    const char *path = lc_api_param(call->req, "Path"), *desc = lc_api_param(call->req, "Description");
    int rc = lc__iam_check_name("PolicyName", name, 128, err);
    if (rc || (rc = lc__iam_check_path(path, err)) != 0)
        return rc;
    char arn[LC_ARN_MAX];
    lc__iam_arn(call, "policy", path, name, arn);
    if ((rc = lc_api_authorize(call, "iam:CreatePolicy", arn, NULL, 0, err)) != 0)
        return rc;
    if ((rc = lc__iam_check_policy(doc, LC_IAM_POLICY_IDENTITY, MAX_MANAGED_SIZE, err)) != 0)
        return rc;
    if ((rc = lc_store_managed_policy_create(call->store, name, path, doc, desc, false, arn, err)) != 0)
        return rc;
    struct lc__iam_policy_info info;
    if ((rc = lc__iam_policy_info(call->store, arn, &info, err)) != 0)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Policy>");
    s_policy_xml(&call->resp->body, &info);
    lc_buf_append_str(&call->resp->body, "</Policy>");
    return 0;
}

int lc__iam_op_get_policy(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:GetPolicy", &info, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Policy>");
    s_policy_xml(&call->resp->body, &info);
    lc_buf_append_str(&call->resp->body, "</Policy>");
    return 0;
}

static int s_count_versions(const struct lc__iam_policy_version *v, void *ud)
{
    (void)v;
    (*(int *)ud)++;
    return 0;
}

int lc__iam_op_delete_policy(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:DeletePolicy", &info, err);
    if (rc)
        return rc;
    if (info.aws_managed)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidInput", "Policy %s cannot be deleted: it is AWS managed.",
                            info.arn);
    int n = 0;
    if ((rc = lc__iam_policy_versions(call->store, info.arn, s_count_versions, &n, err)) != 0)
        return rc;
    if (info.attachment_count)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict", "Cannot delete a policy attached to entities.");
    if (n > 1)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict",
                            "This policy has more than one version. Before you delete a policy, you must delete "
                            "the policy's versions. The default version is deleted with the policy.");
    return lc_store_managed_policy_delete(call->store, info.arn, err);
}

struct s_plist {
    struct lc_buf *b;
    const char *prefix;
    struct lc__iam_pager pager;
};

static int s_policy_member(const struct lc__iam_policy_info *p, void *ud)
{
    struct s_plist *l = ud;
    if (l->prefix && !lc_str_starts_with(p->path, l->prefix))
        return 0;
    int take = lc__iam_pager_take(&l->pager, p->arn);
    if (take <= 0)
        return take < 0;
    lc_buf_append_str(l->b, "<member>");
    s_policy_xml(l->b, p);
    lc_buf_append_str(l->b, "</member>");
    return 0;
}

int lc__iam_op_list_policies(struct lc_api_call *call, struct lc_error *err)
{
    const char *scope = lc_api_param(call->req, "Scope"), *only = lc_api_param(call->req, "OnlyAttached");
    if (scope && strcmp(scope, "All") && strcmp(scope, "AWS") && strcmp(scope, "Local"))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [All, AWS, Local]", scope);
    int rc = lc_api_authorize(call, "iam:ListPolicies", "*", NULL, 0, err);
    if (rc)
        return rc;
    struct s_plist l = {&call->resp->body, lc_api_param(call->req, "PathPrefix"), {0}};
    if ((rc = lc__iam_pager_init(call, &l.pager, err)) != 0)
        return rc;
    lc_buf_append_str(l.b, "<Policies>");
    rc = lc__iam_policy_list(call->store, scope, only && !strcmp(only, "true"), s_policy_member, &l, err);
    lc_buf_append_str(l.b, "</Policies>");
    lc__iam_pager_end(l.b, &l.pager);
    return rc;
}

static void s_version_xml(struct lc_buf *b, const struct lc__iam_policy_version *v, const char *doc)
{
    if (doc)
        lc__iam_xml_doc(b, "Document", doc);
    lc_api_xml_elem(b, "VersionId", v->version_id);
    lc__iam_xml_bool(b, "IsDefaultVersion", v->is_default);
    lc__iam_xml_time(b, "CreateDate", v->created_ms);
}

int lc__iam_op_get_policy_version(struct lc_api_call *call, struct lc_error *err)
{
    const char *vid = lc__iam_param_required(call, "VersionId", err);
    if (!vid)
        return LC_EINVAL;
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:GetPolicyVersion", &info, err);
    if (rc)
        return rc;
    struct lc__iam_policy_version v;
    char *doc = lc__iam_policy_version_get(call->store, info.arn, vid, &v, err);
    if (!doc)
        return err->code;
    lc_buf_append_str(&call->resp->body, "<PolicyVersion>");
    s_version_xml(&call->resp->body, &v, doc);
    lc_buf_append_str(&call->resp->body, "</PolicyVersion>");
    lc_free(doc);
    return 0;
}

int lc__iam_op_create_policy_version(struct lc_api_call *call, struct lc_error *err)
{
    const char *doc = lc__iam_param_required(call, "PolicyDocument", err);
    if (!doc)
        return LC_EINVAL;
    const char *set_default = lc_api_param(call->req, "SetAsDefault");
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:CreatePolicyVersion", &info, err);
    if (rc)
        return rc;
    if ((rc = lc__iam_check_policy(doc, LC_IAM_POLICY_IDENTITY, MAX_MANAGED_SIZE, err)) != 0)
        return rc;
    int n = 0;
    if ((rc = lc__iam_policy_versions(call->store, info.arn, s_count_versions, &n, err)) != 0)
        return rc;
    if (n >= MAX_VERSIONS)
        return lc_error_set(err, LC_ELIMIT, 409, "LimitExceeded",
                            "A managed policy can have up to %d versions. Before you create a new version, you must "
                            "delete an existing version.", MAX_VERSIONS);
    char version[8];
    bool def = set_default && !strcmp(set_default, "true");
    if ((rc = lc_store_managed_policy_add_version(call->store, info.arn, doc, def, version, err)) != 0)
        return rc;
    struct lc__iam_policy_version v;
    char *stored = lc__iam_policy_version_get(call->store, info.arn, version, &v, err);
    if (!stored)
        return err->code;
    lc_free(stored);
    lc_buf_append_str(&call->resp->body, "<PolicyVersion>");
    s_version_xml(&call->resp->body, &v, NULL);
    lc_buf_append_str(&call->resp->body, "</PolicyVersion>");
    return 0;
}

static int s_version_member(const struct lc__iam_policy_version *v, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    s_version_xml(b, v, NULL);
    lc_buf_append_str(b, "</member>");
    return 0;
}

int lc__iam_op_list_policy_versions(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:ListPolicyVersions", &info, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Versions>");
    rc = lc__iam_policy_versions(call->store, info.arn, s_version_member, &call->resp->body, err);
    lc_buf_append_str(&call->resp->body, "</Versions><IsTruncated>false</IsTruncated>");
    return rc;
}

int lc__iam_op_delete_policy_version(struct lc_api_call *call, struct lc_error *err)
{
    const char *vid = lc__iam_param_required(call, "VersionId", err);
    if (!vid)
        return LC_EINVAL;
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:DeletePolicyVersion", &info, err);
    return rc ? rc : lc__iam_policy_version_delete(call->store, info.arn, vid, err);
}

int lc__iam_op_set_default_policy_version(struct lc_api_call *call, struct lc_error *err)
{
    const char *vid = lc__iam_param_required(call, "VersionId", err);
    if (!vid)
        return LC_EINVAL;
    struct lc__iam_policy_info info;
    int rc = s_policy(call, "iam:SetDefaultPolicyVersion", &info, err);
    return rc ? rc : lc__iam_policy_set_default(call->store, info.arn, vid, err);
}

/* ------------------------------------------------------------------ attach / detach */

static int s_attach(struct lc_api_call *call, const struct s_kind *k, bool attach, struct lc_error *err)
{
    const char *policy = lc__iam_param_required(call, "PolicyArn", err);
    if (!policy)
        return LC_EINVAL;
    struct lc_store_principal p;
    /* iam:AttachUserPolicy is authorized on the user; AWS conditions it with iam:PolicyARN. */
    const char *name = lc__iam_param_required(call, k->param, err);
    if (!name)
        return LC_EINVAL;
    char action[96];
    snprintf(action, sizeof action, "iam:%s%sPolicy", attach ? "Attach" : "Detach", k->word);
    struct lc_error lerr;
    int lrc = lc__iam_principal(call, k->type, name, &p, &lerr);
    struct lc_api_condition cond = {"iam:PolicyARN", policy};
    int rc = lc_api_authorize(call, action, p.arn, &cond, 1, err);
    if (rc)
        return rc;
    if (lrc) {
        *err = lerr;
        return lrc;
    }
    struct lc__iam_policy_info info;
    if ((rc = lc__iam_policy_info(call->store, policy, &info, err)) != 0)
        return rc;
    return attach ? lc_store_policy_attach(call->store, p.arn, policy, err)
                  : lc_store_policy_detach(call->store, p.arn, policy, err);
}

static int s_list_attached(struct lc_api_call *call, const struct s_kind *k, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = s_subject(call, k, "ListAttached", "Policies", &p, err);
    if (rc)
        return rc;
    rc = lc__iam_xml_attached(call, &call->resp->body, "AttachedPolicies", p.arn, err);
    lc_buf_append_str(&call->resp->body, "<IsTruncated>false</IsTruncated>");
    return rc;
}

#define ATTACH_OPS(low, kind)                                                                           \
    int lc__iam_op_attach_##low##_policy(struct lc_api_call *call, struct lc_error *err)               \
    {                                                                                                   \
        return s_attach(call, &kind, true, err);                                                        \
    }                                                                                                   \
    int lc__iam_op_detach_##low##_policy(struct lc_api_call *call, struct lc_error *err)               \
    {                                                                                                   \
        return s_attach(call, &kind, false, err);                                                       \
    }                                                                                                   \
    int lc__iam_op_list_attached_##low##_policies(struct lc_api_call *call, struct lc_error *err)      \
    {                                                                                                   \
        return s_list_attached(call, &kind, err);                                                       \
    }

ATTACH_OPS(user, s_user)
ATTACH_OPS(role, s_role)
ATTACH_OPS(group, s_group)
