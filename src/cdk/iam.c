/* iam.c: Role, User and CfnAccessKey, and the grantable views of principals. */
#include "cdk/internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

static json_t *s_managed_policy_arn(const char *name)
{
    if (!strncmp(name, "arn:", 4) || lc_token_is_unresolved(name))
        return json_string(name);
    char *tail = lc_asprintf(":iam::aws:policy/%s", name);
    json_t *v = json_pack("{s:[s,[s,{s:s},s]]}", "Fn::Join", "", "arn:", "Ref", "AWS::Partition", tail);
    lc_free(tail);
    return v;
}

static json_t *s_managed_policies(const char *const *names)
{
    size_t n = lc__list_len(names, LC_CDK_MAX_LIST);
    if (!n)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, s_managed_policy_arn(names[i]));
    return a;
}

static void s_check_name(struct lc_app *app, const char *what, const char *name, size_t max)
{
    if (!name || lc_token_is_unresolved(name))
        return;
    size_t n = strlen(name);
    if (n == 0 || n > max || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") != n)
        lc__app_error(app, "Invalid %s name '%s': it must be 1 to %zu characters of letters, digits "
                           "and +=,.@_-", what, name, max);
}

lc_role *lc_role_new(lc_construct *scope, const char *id, const lc_role_props *props)
{
    static const lc_role_props none;
    if (!props)
        props = &none;
    struct lc_node *r = lc__node_new(scope, id, N_ROLE, "aws-cdk-lib.aws_iam.Role");
    s_check_name(r->app, "role", props->role_name, 64);
    if (!props->assumed_by)
        lc__app_error(r->app, "%s: assumed_by is required (a service principal such as "
                              "\"lambda.amazonaws.com\")", r->path);
    r->resource = lc__cfn_child(r, "Resource", "AWS::IAM::Role", "aws-cdk-lib.aws_iam.CfnRole");
    json_t *p = r->resource->cfn->props;
    json_object_set_new(p, "AssumeRolePolicyDocument",
                        json_pack("{s:[{s:s,s:s,s:{s:s}}],s:s}", "Statement", "Action", "sts:AssumeRole",
                                  "Effect", "Allow", "Principal", "Service",
                                  props->assumed_by ? props->assumed_by : "", "Version", "2012-10-17"));
    if (props->description)
        json_object_set_new(p, "Description", json_string(props->description));
    json_t *mp = s_managed_policies(props->managed_policies);
    if (mp)
        json_object_set_new(p, "ManagedPolicyArns", mp);
    if (props->path)
        json_object_set_new(p, "Path", json_string(props->path));
    if (props->role_name)
        json_object_set_new(p, "RoleName", json_string(props->role_name));
    return r;
}

const char *lc_role_name(lc_role *r) { return lc__ref(r->resource); }
const char *lc_role_arn(lc_role *r) { return lc__getatt(r->resource, "Arn"); }
lc_grantable *lc_role_grantable(lc_role *r) { return r; }

lc_user *lc_user_new(lc_construct *scope, const char *id, const lc_user_props *props)
{
    static const lc_user_props none;
    if (!props)
        props = &none;
    struct lc_node *u = lc__node_new(scope, id, N_USER, "aws-cdk-lib.aws_iam.User");
    s_check_name(u->app, "user", props->user_name, 64);
    u->resource = lc__cfn_child(u, "Resource", "AWS::IAM::User", "aws-cdk-lib.aws_iam.CfnUser");
    json_t *p = u->resource->cfn->props;
    json_t *mp = s_managed_policies(props->managed_policies);
    if (mp)
        json_object_set_new(p, "ManagedPolicyArns", mp);
    if (props->path)
        json_object_set_new(p, "Path", json_string(props->path));
    if (props->user_name)
        json_object_set_new(p, "UserName", json_string(props->user_name));
    return u;
}

const char *lc_user_name(lc_user *u) { return lc__ref(u->resource); }
const char *lc_user_arn(lc_user *u) { return lc__getatt(u->resource, "Arn"); }
lc_grantable *lc_user_grantable(lc_user *u) { return u; }

lc_cfn_resource *lc_access_key_new(lc_construct *scope, const char *id, const lc_access_key_props *props)
{
    struct lc_node *k = lc__cfn_child(scope, id, "AWS::IAM::AccessKey", "aws-cdk-lib.aws_iam.CfnAccessKey");
    if (!props || !props->user_name)
        lc__app_error(k->app, "%s: user_name is required for an access key", k->path);
    if (props && props->status)
        json_object_set_new(k->cfn->props, "Status", json_string(props->status));
    if (props && props->user_name)
        json_object_set_new(k->cfn->props, "UserName", json_string(props->user_name));
    return k;
}

const char *lc_access_key_ref(lc_cfn_resource *k) { return lc__ref(k); }
const char *lc_access_key_secret(lc_cfn_resource *k) { return lc__getatt(k, "SecretAccessKey"); }
