/* iam_principals.c: IAM users, groups and roles, group membership and tags. */
#include "api/iam_api.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"

#define MAX_TAG_PARAMS 64
#define MAX_TRUST_SIZE 2048

/* Tags.member.N.Key / .Value of a request. Returns the count; pointers borrowed. */
static size_t s_tag_params(const struct lc_api_call *call, struct lc__iam_tag *out, size_t max)
{
    size_t n = 0;
    char k[64], v[64];
    while (n < max) {
        snprintf(k, sizeof k, "Tags.member.%zu.Key", n + 1);
        snprintf(v, sizeof v, "Tags.member.%zu.Value", n + 1);
        const char *key = lc_api_param(call->req, k);
        if (!key)
            break;
        const char *value = lc_api_param(call->req, v);
        out[n].key = (char *)key;
        out[n].value = (char *)(value ? value : "");
        n++;
    }
    return n;
}

static int s_name_param(struct lc_api_call *call, const char *param, size_t max, const char **out,
                        struct lc_error *err)
{
    *out = lc__iam_param_required(call, param, err);
    if (!*out)
        return LC_EINVAL;
    return lc__iam_check_name(param, *out, max, err);
}

/* ------------------------------------------------------------------ users */

int lc__iam_op_create_user(struct lc_api_call *call, struct lc_error *err)
{
    const char *name, *path = lc_api_param(call->req, "Path");
    int rc = s_name_param(call, "UserName", 64, &name, err);
    if (rc || (rc = lc__iam_check_path(path, err)) != 0)
        return rc;
    char arn[LC_ARN_MAX];
    lc__iam_arn(call, "user", path, name, arn);
    struct lc__iam_tag tags[MAX_TAG_PARAMS];
    size_t n_tags = s_tag_params(call, tags, MAX_TAG_PARAMS);
    if ((rc = lc_api_authorize(call, "iam:CreateUser", arn, NULL, 0, err)) != 0)
        return rc;
    if (n_tags && (rc = lc_api_authorize(call, "iam:TagUser", arn, NULL, 0, err)) != 0)
        return rc;
    struct lc_store_principal p;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(call->store, &tx, err)) != 0)
        return rc;
    rc = lc_store_principal_create(call->store, LC_PRINCIPAL_USER, name, path, NULL, &p, err);
    if (!rc && n_tags)
        rc = lc__iam_tags_put(call->store, p.arn, tags, n_tags, err);
    if ((rc = lc_store_tx_end(call->store, &tx, rc, err)) != 0)
        return rc;
    lc_buf_append_str(&call->resp->body, "<User>");
    lc__iam_xml_user(call, &call->resp->body, &p, true);
    lc_buf_append_str(&call->resp->body, "</User>");
    return 0;
}

int lc__iam_op_get_user(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "UserName");
    const struct lc_api_caller *c = call->caller;
    struct lc_store_principal p;
    struct lc_error lerr;
    int lrc;
    if (!name) {
        /* No UserName: the caller itself (root included); roles have no user to show. */
        if (c->type == LC_IAM_PRINCIPAL_ASSUMED_ROLE) {
            int rc = lc_api_authorize(call, "iam:GetUser", c->principal_arn, NULL, 0, err);
            return rc ? rc : lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                          "Must specify userName when calling with non-User credentials");
        }
        lrc = lc_store_principal_get(call->store, c->principal_arn, &p, &lerr);
    } else {
        lrc = lc__iam_principal(call, LC_PRINCIPAL_USER, name, &p, &lerr);
    }
    int rc = lc__iam_authorize_then(call, "iam:GetUser", name ? p.arn : c->arn, lrc, &lerr, err);
    if (rc)
        return rc;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<User>");
    if (p.type == LC_PRINCIPAL_ROOT) {
        lc_api_xml_elem(b, "UserId", p.account);
        lc_api_xml_elem(b, "Arn", p.arn);
        lc__iam_xml_time(b, "CreateDate", p.created_ms);
    } else {
        lc__iam_xml_user(call, b, &p, true);
    }
    lc_buf_append_str(b, "</User>");
    return 0;
}

struct s_list {
    struct lc_api_call *call;
    const char *prefix;
    enum lc_principal_type type;
    struct lc__iam_pager pager;
};

static int s_list_one(const struct lc_store_principal *p, void *ud)
{
    struct s_list *l = ud;
    if (l->prefix && !lc_str_starts_with(p->path, l->prefix))
        return 0;
    int take = lc__iam_pager_take(&l->pager, p->arn);
    if (take <= 0)
        return take < 0;
    struct lc_buf *b = &l->call->resp->body;
    lc_buf_append_str(b, "<member>");
    if (l->type == LC_PRINCIPAL_USER)
        lc__iam_xml_user(l->call, b, p, false);
    else if (l->type == LC_PRINCIPAL_ROLE)
        lc__iam_xml_role(l->call, b, p, false);
    else
        lc__iam_xml_group(b, p);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_list(struct lc_api_call *call, enum lc_principal_type type, const char *action, const char *elem,
                  struct lc_error *err)
{
    const char *prefix = lc_api_param(call->req, "PathPrefix");
    char arn[LC_ARN_MAX];
    /* AWS names the path as the resource: "... iam:ListUsers on resource: arn:aws:iam::<acct>:user/" */
    lc__iam_arn(call, lc_principal_type_name(type), prefix ? prefix : "/", "", arn);
    int rc = lc_api_authorize(call, action, arn, NULL, 0, err);
    if (rc)
        return rc;
    struct s_list l = {call, prefix, type, {0}};
    if ((rc = lc__iam_pager_init(call, &l.pager, err)) != 0)
        return rc;
    lc_buf_appendf(&call->resp->body, "<%s>", elem);
    rc = lc_store_principal_list(call->store, type, s_list_one, &l, err);
    lc_buf_appendf(&call->resp->body, "</%s>", elem);
    lc__iam_pager_end(&call->resp->body, &l.pager);
    return rc;
}

int lc__iam_op_list_users(struct lc_api_call *call, struct lc_error *err)
{
    return s_list(call, LC_PRINCIPAL_USER, "iam:ListUsers", "Users", err);
}

static int s_delete_conflict(const struct lc__iam_usage *u, enum lc_principal_type type, struct lc_error *err)
{
    /* AWS: the order IAM checks in, each with its own sentence. */
    if (type == LC_PRINCIPAL_USER && u->keys)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict", "Cannot delete entity, must delete access keys first.");
    if (u->inline_policies)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
    if (u->attached)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict", "Cannot delete entity, must detach all policies first.");
    if (type == LC_PRINCIPAL_USER && u->groups)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict",
                            "Cannot delete entity, must remove user from all groups first.");
    if (type == LC_PRINCIPAL_GROUP && u->groups)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict",
                            "Cannot delete entity, must remove users from group first.");
    return 0;
}

static int s_delete(struct lc_api_call *call, enum lc_principal_type type, const char *param, const char *action,
                    struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, type, param, action, &p, err);
    if (rc)
        return rc;
    struct lc__iam_usage u;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(call->store, &tx, err)) != 0)
        return rc;
    rc = lc__iam_usage(call->store, p.arn, &u, err);
    if (!rc)
        rc = s_delete_conflict(&u, type, err);
    if (!rc)
        rc = lc_store_principal_delete(call->store, p.arn, err);
    if (!rc)
        lc__iam_state_forget(call->store, p.arn);
    return lc_store_tx_end(call->store, &tx, rc, err);
}

int lc__iam_op_delete_user(struct lc_api_call *call, struct lc_error *err)
{
    return s_delete(call, LC_PRINCIPAL_USER, "UserName", "iam:DeleteUser", err);
}

/* ------------------------------------------------------------------ groups */

int lc__iam_op_create_group(struct lc_api_call *call, struct lc_error *err)
{
    const char *name, *path = lc_api_param(call->req, "Path");
    int rc = s_name_param(call, "GroupName", 128, &name, err);
    if (rc || (rc = lc__iam_check_path(path, err)) != 0)
        return rc;
    char arn[LC_ARN_MAX];
    lc__iam_arn(call, "group", path, name, arn);
    if ((rc = lc_api_authorize(call, "iam:CreateGroup", arn, NULL, 0, err)) != 0)
        return rc;
    struct lc_store_principal p;
    if ((rc = lc_store_principal_create(call->store, LC_PRINCIPAL_GROUP, name, path, NULL, &p, err)) != 0)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Group>");
    lc__iam_xml_group(&call->resp->body, &p);
    lc_buf_append_str(&call->resp->body, "</Group>");
    return 0;
}

static int s_user_member(const struct lc_store_principal *u, void *ud)
{
    struct lc_api_call *call = ud;
    lc_buf_append_str(&call->resp->body, "<member>");
    lc__iam_xml_user(call, &call->resp->body, u, false);
    lc_buf_append_str(&call->resp->body, "</member>");
    return 0;
}

int lc__iam_op_get_group(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal g;
    int rc = lc__iam_named(call, LC_PRINCIPAL_GROUP, "GroupName", "iam:GetGroup", &g, err);
    if (rc)
        return rc;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<Group>");
    lc__iam_xml_group(b, &g);
    lc_buf_append_str(b, "</Group><Users>");
    rc = lc__iam_users_of_group(call->store, g.arn, s_user_member, call, err);
    lc_buf_append_str(b, "</Users><IsTruncated>false</IsTruncated>");
    return rc;
}

int lc__iam_op_list_groups(struct lc_api_call *call, struct lc_error *err)
{
    return s_list(call, LC_PRINCIPAL_GROUP, "iam:ListGroups", "Groups", err);
}

int lc__iam_op_delete_group(struct lc_api_call *call, struct lc_error *err)
{
    return s_delete(call, LC_PRINCIPAL_GROUP, "GroupName", "iam:DeleteGroup", err);
}

/* Looks up the group (authorizing `action` on it) and the user; fills both. */
static int s_group_and_user(struct lc_api_call *call, const char *action, struct lc_store_principal *g,
                            struct lc_store_principal *u, struct lc_error *err)
{
    const char *gname = lc__iam_param_required(call, "GroupName", err);
    if (!gname)
        return LC_EINVAL;
    const char *uname = lc__iam_param_required(call, "UserName", err);
    if (!uname)
        return LC_EINVAL;
    struct lc_error lerr;
    int lrc = lc__iam_principal(call, LC_PRINCIPAL_GROUP, gname, g, &lerr);
    int rc = lc__iam_authorize_then(call, action, g->arn, lrc, &lerr, err);
    if (rc)
        return rc;
    return lc__iam_principal(call, LC_PRINCIPAL_USER, uname, u, err);
}

int lc__iam_op_add_user_to_group(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal g, u;
    int rc = s_group_and_user(call, "iam:AddUserToGroup", &g, &u, err);
    return rc ? rc : lc_store_group_add_user(call->store, g.arn, u.arn, err);
}

static int s_is_member(const struct lc_store_principal *g, void *ud)
{
    const char **want = ud;
    if (*want && !strcmp(g->arn, *want)) {
        *want = NULL;
        return 1;
    }
    return 0;
}

int lc__iam_op_remove_user_from_group(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal g, u;
    int rc = s_group_and_user(call, "iam:RemoveUserFromGroup", &g, &u, err);
    if (rc)
        return rc;
    const char *want = g.arn;
    if ((rc = lc__iam_groups_of_user(call->store, u.arn, s_is_member, &want, err)) != 0)
        return rc;
    if (want)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The user with name %s cannot be found.", u.name);
    return lc_store_group_remove_user(call->store, g.arn, u.arn, err);
}

static int s_group_member(const struct lc_store_principal *g, void *ud)
{
    struct lc_api_call *call = ud;
    lc_buf_append_str(&call->resp->body, "<member>");
    lc__iam_xml_group(&call->resp->body, g);
    lc_buf_append_str(&call->resp->body, "</member>");
    return 0;
}

int lc__iam_op_list_groups_for_user(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal u;
    int rc = lc__iam_named(call, LC_PRINCIPAL_USER, "UserName", "iam:ListGroupsForUser", &u, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Groups>");
    rc = lc__iam_groups_of_user(call->store, u.arn, s_group_member, call, err);
    lc_buf_append_str(&call->resp->body, "</Groups><IsTruncated>false</IsTruncated>");
    return rc;
}

/* ------------------------------------------------------------------ roles */

static int s_trust_param(struct lc_api_call *call, const char *param, const char **doc, struct lc_error *err)
{
    *doc = lc__iam_param_required(call, param, err);
    if (!*doc)
        return LC_EINVAL;
    return lc__iam_check_policy(*doc, LC_IAM_POLICY_TRUST, MAX_TRUST_SIZE, err);
}

int lc__iam_op_create_role(struct lc_api_call *call, struct lc_error *err)
{
    const char *name, *trust, *path = lc_api_param(call->req, "Path");
    const char *desc = lc_api_param(call->req, "Description");
    const char *max_s = lc_api_param(call->req, "MaxSessionDuration");
    int rc = s_name_param(call, "RoleName", 64, &name, err);
    if (rc || (rc = lc__iam_check_path(path, err)) != 0)
        return rc;
    const char *trust_raw = lc__iam_param_required(call, "AssumeRolePolicyDocument", err);
    if (!trust_raw)
        return LC_EINVAL;
    int64_t max_session = 3600;
    if (max_s && (lc_parse_i64(max_s, &max_session) != 0 || max_session < 3600 || max_session > 43200))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy "
                            "constraint: Member must have value between 3600 and 43200", max_s);
    char arn[LC_ARN_MAX];
    lc__iam_arn(call, "role", path, name, arn);
    struct lc__iam_tag tags[MAX_TAG_PARAMS];
    size_t n_tags = s_tag_params(call, tags, MAX_TAG_PARAMS);
    if ((rc = lc_api_authorize(call, "iam:CreateRole", arn, NULL, 0, err)) != 0)
        return rc;
    if (n_tags && (rc = lc_api_authorize(call, "iam:TagRole", arn, NULL, 0, err)) != 0)
        return rc;
    if ((rc = s_trust_param(call, "AssumeRolePolicyDocument", &trust, err)) != 0)
        return rc;
    struct lc_store_principal p;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(call->store, &tx, err)) != 0)
        return rc;
    rc = lc_store_principal_create(call->store, LC_PRINCIPAL_ROLE, name, path, trust, &p, err);
    if (!rc && (desc || max_s))
        rc = lc__iam_role_meta_set(call->store, p.arn, desc, (int)max_session, err);
    if (!rc && n_tags)
        rc = lc__iam_tags_put(call->store, p.arn, tags, n_tags, err);
    if ((rc = lc_store_tx_end(call->store, &tx, rc, err)) != 0)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Role>");
    lc__iam_xml_role(call, &call->resp->body, &p, true);
    lc_buf_append_str(&call->resp->body, "</Role>");
    return 0;
}

int lc__iam_op_get_role(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:GetRole", &p, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Role>");
    lc__iam_xml_role(call, &call->resp->body, &p, true);
    lc_buf_append_str(&call->resp->body, "</Role>");
    return 0;
}

int lc__iam_op_list_roles(struct lc_api_call *call, struct lc_error *err)
{
    return s_list(call, LC_PRINCIPAL_ROLE, "iam:ListRoles", "Roles", err);
}

int lc__iam_op_delete_role(struct lc_api_call *call, struct lc_error *err)
{
    return s_delete(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:DeleteRole", err);
}

int lc__iam_op_update_assume_role_policy(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:UpdateAssumeRolePolicy", &p, err);
    const char *doc;
    if (rc || (rc = s_trust_param(call, "PolicyDocument", &doc, err)) != 0)
        return rc;
    return lc_store_role_set_trust_policy(call->store, p.arn, doc, err);
}

/* ------------------------------------------------------------------ tags */

static int s_tag(struct lc_api_call *call, enum lc_principal_type type, const char *param, const char *action,
                 struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, type, param, action, &p, err);
    if (rc)
        return rc;
    struct lc__iam_tag tags[MAX_TAG_PARAMS];
    size_t n = s_tag_params(call, tags, MAX_TAG_PARAMS);
    if (!n)
        return lc__iam_param_required(call, "Tags", err) ? 0 : LC_EINVAL;
    return lc__iam_tags_put(call->store, p.arn, tags, n, err);
}

static int s_untag(struct lc_api_call *call, enum lc_principal_type type, const char *param, const char *action,
                   struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, type, param, action, &p, err);
    if (rc)
        return rc;
    const char *keys[MAX_TAG_PARAMS];
    size_t n = lc__iam_param_list(call, "TagKeys", keys, MAX_TAG_PARAMS);
    if (!n)
        return lc__iam_param_required(call, "TagKeys", err) ? 0 : LC_EINVAL;
    return lc__iam_tags_remove(call->store, p.arn, keys, n, err);
}

static int s_list_tags(struct lc_api_call *call, enum lc_principal_type type, const char *param,
                       const char *action, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc__iam_named(call, type, param, action, &p, err);
    if (rc)
        return rc;
    lc__iam_xml_tags(call, &call->resp->body, p.arn, true);
    lc_buf_append_str(&call->resp->body, "<IsTruncated>false</IsTruncated>");
    return 0;
}

int lc__iam_op_tag_user(struct lc_api_call *call, struct lc_error *err)
{
    return s_tag(call, LC_PRINCIPAL_USER, "UserName", "iam:TagUser", err);
}

int lc__iam_op_untag_user(struct lc_api_call *call, struct lc_error *err)
{
    return s_untag(call, LC_PRINCIPAL_USER, "UserName", "iam:UntagUser", err);
}

int lc__iam_op_list_user_tags(struct lc_api_call *call, struct lc_error *err)
{
    return s_list_tags(call, LC_PRINCIPAL_USER, "UserName", "iam:ListUserTags", err);
}

int lc__iam_op_tag_role(struct lc_api_call *call, struct lc_error *err)
{
    return s_tag(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:TagRole", err);
}

int lc__iam_op_untag_role(struct lc_api_call *call, struct lc_error *err)
{
    return s_untag(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:UntagRole", err);
}

int lc__iam_op_list_role_tags(struct lc_api_call *call, struct lc_error *err)
{
    return s_list_tags(call, LC_PRINCIPAL_ROLE, "RoleName", "iam:ListRoleTags", err);
}
