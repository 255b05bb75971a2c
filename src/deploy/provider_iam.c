/* provider_iam.c: AWS::IAM::Role, User, Group, Policy, ManagedPolicy and AccessKey on the state's IAM. */
#include <string.h>

#include "deploy/internal.h"
#include "deploy/managed_policy.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/str.h"

static const char *s_type_word(enum lc_principal_type t)
{
    return t == LC_PRINCIPAL_ROLE ? "role" : t == LC_PRINCIPAL_GROUP ? "group" : "user";
}

static int s_lookup(const struct lc_provider_call *c, enum lc_principal_type type, const char *name,
                    struct lc_store_principal *out, struct lc_error *err)
{
    if (lc_store_principal_get_by_name(c->store, type, name, out, NULL) == 0)
        return 0;
    const char *w = s_type_word(type);
    return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The %s with name %s cannot be found.", w, name);
}

/* IAM checks every document it is given: a malformed one fails the resource as on AWS. */
static int s_check_doc(const char *text, enum lc_iam_policy_kind kind, struct lc_error *err)
{
    struct lc_iam_policy *p = lc_iam_policy_parse(text, strlen(text), kind, err);
    if (!p)
        return err ? err->code : LC_EINVAL;
    lc_iam_policy_free(p);
    return 0;
}

/* ---- inline policies and managed attachments, shared by roles, users and groups ---- */

static bool s_named_in(const json_t *policies, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p) if (!strcmp(lc_prov_str(p, "PolicyName") ? lc_prov_str(p, "PolicyName") : "",
                                                   name)) return true;
    return false;
}

static int s_sync_inline(const struct lc_provider_call *c, const char *arn, const json_t *old_list,
                         const json_t *new_list, struct lc_error *err)
{
    size_t i;
    json_t *p;
    json_array_foreach(old_list, i, p) {
        const char *name = lc_prov_str(p, "PolicyName");
        if (name && !s_named_in(new_list, name))
            lc_store_inline_policy_delete(c->store, arn, name, NULL);
    }
    json_array_foreach(new_list, i, p) {
        const char *name = lc_prov_str(p, "PolicyName");
        const json_t *doc = json_object_get(p, "PolicyDocument");
        if (!name || !doc)
            return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                "Policies[%zu] needs PolicyName and PolicyDocument", i);
        char *text = lc_prov_policy_text(doc);
        int rc = s_check_doc(text, LC_IAM_POLICY_IDENTITY, err);
        if (!rc)
            rc = lc_store_inline_policy_put(c->store, arn, name, text, err);
        lc_free(text);
        if (rc)
            return rc;
    }
    return 0;
}

static bool s_str_in(const json_t *list, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), s)) return true;
    return false;
}

static int s_sync_managed(const struct lc_provider_call *c, const char *arn, const json_t *old_list,
                          const json_t *new_list, struct lc_error *err)
{
    size_t i;
    json_t *e;
    json_array_foreach(old_list, i, e) if (json_is_string(e) && !s_str_in(new_list, json_string_value(e)))
        lc_store_policy_detach(c->store, arn, json_string_value(e), NULL);
    json_array_foreach(new_list, i, e) {
        if (!json_is_string(e) || s_str_in(old_list, json_string_value(e)))
            continue;
        int rc = lc_deploy_managed_policy_ensure(c->store, json_string_value(e), err);
        if (!rc)
            rc = lc_store_policy_attach(c->store, arn, json_string_value(e), err);
        if (rc)
            return rc;
    }
    return 0;
}

static int s_sync_boundary(const struct lc_provider_call *c, const char *arn, const json_t *old_props,
                           const json_t *new_props, struct lc_error *err)
{
    const char *o = lc_prov_str(old_props, "PermissionsBoundary");
    const char *n = lc_prov_str(new_props, "PermissionsBoundary");
    if ((o && n && !strcmp(o, n)) || (!o && !n))
        return 0;
    if (n) {
        int rc = lc_deploy_managed_policy_ensure(c->store, n, err);
        if (rc)
            return rc;
    }
    return lc_store_principal_set_boundary(c->store, arn, n, err);
}

static int s_sync_groups(const struct lc_provider_call *c, const char *user_arn, const json_t *old_list,
                         const json_t *new_list, struct lc_error *err)
{
    size_t i;
    json_t *e;
    struct lc_store_principal g;
    json_array_foreach(old_list, i, e) {
        if (json_is_string(e) && !s_str_in(new_list, json_string_value(e)) &&
            s_lookup(c, LC_PRINCIPAL_GROUP, json_string_value(e), &g, NULL) == 0)
            lc_store_group_remove_user(c->store, g.arn, user_arn, NULL);
    }
    json_array_foreach(new_list, i, e) {
        if (!json_is_string(e) || s_str_in(old_list, json_string_value(e)))
            continue;
        int rc = s_lookup(c, LC_PRINCIPAL_GROUP, json_string_value(e), &g, err);
        if (!rc)
            rc = lc_store_group_add_user(c->store, g.arn, user_arn, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int s_sync_all(const struct lc_provider_call *c, enum lc_principal_type type, const char *arn,
                      const json_t *old_props, const json_t *new_props, struct lc_error *err)
{
    int rc = s_sync_inline(c, arn, json_object_get(old_props, "Policies"), json_object_get(new_props, "Policies"), err);
    if (!rc)
        rc = s_sync_managed(c, arn, json_object_get(old_props, "ManagedPolicyArns"),
                            json_object_get(new_props, "ManagedPolicyArns"), err);
    if (!rc && type != LC_PRINCIPAL_GROUP)
        rc = s_sync_boundary(c, arn, old_props, new_props, err);
    if (!rc && type == LC_PRINCIPAL_USER)
        rc = s_sync_groups(c, arn, json_object_get(old_props, "Groups"), json_object_get(new_props, "Groups"), err);
    return rc;
}

/* ---- roles, users, groups ---- */

static int s_principal_create(const struct lc_provider_call *c, enum lc_principal_type type,
                              const char *name_prop, size_t max, const json_t *props, char **physical_id,
                              json_t **attrs, struct lc_error *err)
{
    char *name = lc_prov_name(c, props, name_prop, max);
    char *trust = NULL;
    int rc = 0;
    if (type == LC_PRINCIPAL_ROLE) {
        trust = lc_prov_policy_text(json_object_get(props, "AssumeRolePolicyDocument"));
        rc = s_check_doc(trust, LC_IAM_POLICY_TRUST, err);
    }
    struct lc_store_principal p;
    if (!rc)
        rc = lc_store_principal_create(c->store, type, name, lc_prov_str(props, "Path"), trust, &p, err);
    lc_free(trust);
    if (!rc)
        rc = s_sync_all(c, type, p.arn, NULL, props, err);
    if (rc) {
        lc_free(name);
        return rc;
    }
    *physical_id = name;
    *attrs = json_pack("{ss}", "Arn", p.arn);
    if (type == LC_PRINCIPAL_ROLE)
        json_object_set_new(*attrs, "RoleId", json_string(p.id));
    return 0;
}

static int s_principal_update(const struct lc_provider_call *c, enum lc_principal_type type,
                              const char *physical_id, const json_t *old_props, const json_t *new_props,
                              json_t **attrs, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = s_lookup(c, type, physical_id, &p, err);
    if (rc)
        return rc;
    if (type == LC_PRINCIPAL_ROLE) {
        char *trust = lc_prov_policy_text(json_object_get(new_props, "AssumeRolePolicyDocument"));
        rc = s_check_doc(trust, LC_IAM_POLICY_TRUST, err);
        if (!rc)
            rc = lc_store_role_set_trust_policy(c->store, p.arn, trust, err);
        lc_free(trust);
        if (rc)
            return rc;
    }
    if ((rc = s_sync_all(c, type, p.arn, old_props, new_props, err)) != 0)
        return rc;
    *attrs = json_pack("{ss}", "Arn", p.arn);
    if (type == LC_PRINCIPAL_ROLE)
        json_object_set_new(*attrs, "RoleId", json_string(p.id));
    return 0;
}

static int s_principal_remove(const struct lc_provider_call *c, enum lc_principal_type type,
                              const char *physical_id, struct lc_error *err)
{
    struct lc_store_principal p;
    if (s_lookup(c, type, physical_id, &p, NULL) != 0)
        return 0; /* already gone: deleting is idempotent, as in CloudFormation */
    return lc_store_principal_delete(c->store, p.arn, err);
}

static int s_role_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                         struct lc_error *err)
{
    return s_principal_create(c, LC_PRINCIPAL_ROLE, "RoleName", 64, props, id, attrs, err);
}
static int s_role_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                         json_t **attrs, struct lc_error *err)
{
    return s_principal_update(c, LC_PRINCIPAL_ROLE, id, o, n, attrs, err);
}
static int s_role_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                         const json_t *attrs, struct lc_error *err)
{
    return s_principal_remove(c, LC_PRINCIPAL_ROLE, id, err);
}
static int s_user_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                         struct lc_error *err)
{
    return s_principal_create(c, LC_PRINCIPAL_USER, "UserName", 64, props, id, attrs, err);
}
static int s_user_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                         json_t **attrs, struct lc_error *err)
{
    return s_principal_update(c, LC_PRINCIPAL_USER, id, o, n, attrs, err);
}
static int s_user_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                         const json_t *attrs, struct lc_error *err)
{
    return s_principal_remove(c, LC_PRINCIPAL_USER, id, err);
}
static int s_group_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                          struct lc_error *err)
{
    return s_principal_create(c, LC_PRINCIPAL_GROUP, "GroupName", 128, props, id, attrs, err);
}
static int s_group_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                          json_t **attrs, struct lc_error *err)
{
    return s_principal_update(c, LC_PRINCIPAL_GROUP, id, o, n, attrs, err);
}
static int s_group_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                          const json_t *attrs, struct lc_error *err)
{
    return s_principal_remove(c, LC_PRINCIPAL_GROUP, id, err);
}

const struct lc_provider lc_provider_iam_role = {"AWS::IAM::Role", "RoleName", 64, s_role_create,
                                                 s_role_update, s_role_remove};
const struct lc_provider lc_provider_iam_user = {"AWS::IAM::User", "UserName", 64, s_user_create,
                                                 s_user_update, s_user_remove};
const struct lc_provider lc_provider_iam_group = {"AWS::IAM::Group", "GroupName", 128, s_group_create,
                                                  s_group_update, s_group_remove};

/* ---- AWS::IAM::Policy: one inline policy put on each of its roles, users and groups ---- */

static const struct {
    const char *prop;
    enum lc_principal_type type;
} s_targets[] = {{"Roles", LC_PRINCIPAL_ROLE}, {"Users", LC_PRINCIPAL_USER}, {"Groups", LC_PRINCIPAL_GROUP}};

static int s_policy_apply(const struct lc_provider_call *c, const json_t *props, bool put, struct lc_error *err)
{
    const char *name = lc_prov_str(props, "PolicyName");
    char *doc = put ? lc_prov_policy_text(json_object_get(props, "PolicyDocument")) : NULL;
    int rc = doc ? s_check_doc(doc, LC_IAM_POLICY_IDENTITY, err) : 0;
    for (size_t t = 0; t < 3 && !rc; t++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(props, s_targets[t].prop), i, e) {
            struct lc_store_principal p;
            if (!json_is_string(e))
                continue;
            if (!put) {
                if (s_lookup(c, s_targets[t].type, json_string_value(e), &p, NULL) == 0)
                    lc_store_inline_policy_delete(c->store, p.arn, name, NULL);
                continue;
            }
            rc = s_lookup(c, s_targets[t].type, json_string_value(e), &p, err);
            if (!rc)
                rc = lc_store_inline_policy_put(c->store, p.arn, name, doc, err);
            if (rc)
                break;
        }
    }
    lc_free(doc);
    return rc;
}

static int s_policy_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                           struct lc_error *err)
{
    if (!json_array_size(json_object_get(props, "Roles")) && !json_array_size(json_object_get(props, "Users")) &&
        !json_array_size(json_object_get(props, "Groups")))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "At least one of [Groups,Roles,Users] must be non-empty.");
    int rc = s_policy_apply(c, props, true, err);
    if (rc)
        return rc;
    *id = lc_cfn_physical_name(c->stack_name, c->logical_id, 64);
    *attrs = json_pack("{ss}", "Id", *id);
    return 0;
}

static int s_policy_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                           json_t **attrs, struct lc_error *err)
{
    s_policy_apply(c, o, false, NULL);
    int rc = s_policy_apply(c, n, true, err);
    if (!rc)
        *attrs = json_pack("{ss}", "Id", id);
    return rc;
}

static int s_policy_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                           const json_t *attrs, struct lc_error *err)
{
    return s_policy_apply(c, props, false, err);
}

const struct lc_provider lc_provider_iam_policy = {"AWS::IAM::Policy", NULL, 64, s_policy_create,
                                                   s_policy_update, s_policy_remove};

/* ---- AWS::IAM::ManagedPolicy ---- */

static int s_attach_all(const struct lc_provider_call *c, const char *policy_arn, const json_t *old_props,
                        const json_t *new_props, struct lc_error *err)
{
    for (size_t t = 0; t < 3; t++) {
        const json_t *ol = json_object_get(old_props, s_targets[t].prop);
        const json_t *nl = json_object_get(new_props, s_targets[t].prop);
        size_t i;
        json_t *e;
        struct lc_store_principal p;
        json_array_foreach(ol, i, e) {
            if (json_is_string(e) && !s_str_in(nl, json_string_value(e)) &&
                s_lookup(c, s_targets[t].type, json_string_value(e), &p, NULL) == 0)
                lc_store_policy_detach(c->store, p.arn, policy_arn, NULL);
        }
        json_array_foreach(nl, i, e) {
            if (!json_is_string(e) || s_str_in(ol, json_string_value(e)))
                continue;
            int rc = s_lookup(c, s_targets[t].type, json_string_value(e), &p, err);
            if (!rc)
                rc = lc_store_policy_attach(c->store, p.arn, policy_arn, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int s_managed_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                            struct lc_error *err)
{
    char *name = lc_prov_name(c, props, "ManagedPolicyName", 128);
    char *doc = lc_prov_policy_text(json_object_get(props, "PolicyDocument"));
    char arn[LC_ARN_MAX];
    int rc = s_check_doc(doc, LC_IAM_POLICY_IDENTITY, err);
    if (!rc)
        rc = lc_store_managed_policy_create(c->store, name, lc_prov_str(props, "Path"), doc,
                                            lc_prov_str(props, "Description"), false, arn, err);
    lc_free(doc);
    lc_free(name);
    if (!rc)
        rc = s_attach_all(c, arn, NULL, props, err);
    if (rc)
        return rc;
    *id = lc_strdup(arn);
    *attrs = json_pack("{sssssb}", "PolicyArn", arn, "DefaultVersionId", "v1", "IsAttachable", 1);
    return 0;
}

static int s_managed_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                            json_t **attrs, struct lc_error *err)
{
    char *old_doc = lc_prov_policy_text(json_object_get(o, "PolicyDocument"));
    char *new_doc = lc_prov_policy_text(json_object_get(n, "PolicyDocument"));
    char version[8] = "v1";
    int rc = s_check_doc(new_doc, LC_IAM_POLICY_IDENTITY, err);
    if (!rc && strcmp(old_doc, new_doc) != 0)
        rc = lc_store_managed_policy_add_version(c->store, id, new_doc, true, version, err);
    lc_free(old_doc);
    lc_free(new_doc);
    if (!rc)
        rc = s_attach_all(c, id, o, n, err);
    if (!rc)
        *attrs = json_pack("{sssssb}", "PolicyArn", id, "DefaultVersionId", version, "IsAttachable", 1);
    return rc;
}

static int s_managed_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                            const json_t *attrs, struct lc_error *err)
{
    s_attach_all(c, id, props, NULL, NULL);
    int rc = lc_store_managed_policy_delete(c->store, id, err);
    return rc == LC_ENOTFOUND ? 0 : rc;
}

const struct lc_provider lc_provider_iam_managed_policy = {"AWS::IAM::ManagedPolicy", "ManagedPolicyName", 128,
                                                           s_managed_create, s_managed_update, s_managed_remove};

/* ---- AWS::IAM::AccessKey ---- */

static int s_key_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                        struct lc_error *err)
{
    struct lc_store_principal u;
    int rc = s_lookup(c, LC_PRINCIPAL_USER, lc_prov_str(props, "UserName") ? lc_prov_str(props, "UserName") : "",
                      &u, err);
    if (rc)
        return rc;
    struct lc_store_key k;
    if ((rc = lc_store_key_create(c->store, u.arn, &k, err)) != 0)
        return rc;
    const char *status = lc_prov_str(props, "Status");
    if (status && !strcmp(status, "Inactive") && (rc = lc_store_key_set_active(c->store, k.key_id, false, err)))
        return rc;
    *id = lc_strdup(k.key_id);
    *attrs = json_pack("{ssss}", "SecretAccessKey", k.secret, "Id", k.key_id);
    return 0;
}

static int s_key_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                        json_t **attrs, struct lc_error *err)
{
    const char *status = lc_prov_str(n, "Status");
    int rc = lc_store_key_set_active(c->store, id, !(status && !strcmp(status, "Inactive")), err);
    if (rc)
        return rc;
    struct lc_store_key k;
    if ((rc = lc_store_key_lookup(c->store, id, &k, err)) != 0)
        return rc;
    *attrs = json_pack("{ssss}", "SecretAccessKey", k.secret, "Id", k.key_id);
    return 0;
}

static int s_key_remove(const struct lc_provider_call *c, const char *id, const json_t *props,
                        const json_t *attrs, struct lc_error *err)
{
    int rc = lc_store_key_delete(c->store, id, err);
    return rc == LC_ENOTFOUND ? 0 : rc;
}

const struct lc_provider lc_provider_iam_access_key = {"AWS::IAM::AccessKey", NULL, 0, s_key_create,
                                                       s_key_update, s_key_remove};
