/* kms.c: a KMS key (CDK's aws_kms.Key) with the account-root key policy, and grants on it. */
#include "cdk/internal.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

lc_key *lc_key_new(lc_construct *scope, const char *id, const lc_key_props *props)
{
    static const lc_key_props none;
    if (!props)
        props = &none;
    struct lc_node *k = lc__node_new(scope, id, N_KEY, "aws-cdk-lib.aws_kms.Key");
    k->resource = lc__cfn_child(k, "Resource", "AWS::KMS::Key", "aws-cdk-lib.aws_kms.CfnKey");
    struct cfn *c = k->resource->cfn;
    c->update_replace_policy = c->deletion_policy =
        props->removal_policy == LC_REMOVAL_DESTROY ? "Delete" : "Retain";
    if (props->description)
        json_object_set_new(c->props, "Description", json_string(props->description));
    if (props->enable_key_rotation)
        json_object_set_new(c->props, "EnableKeyRotation", json_true());
    json_t *root = json_pack("{s:[s,[s,{s:s},s,{s:s},s]]}", "Fn::Join", "", "arn:", "Ref", "AWS::Partition",
                             ":iam::", "Ref", "AWS::AccountId", ":root");
    json_object_set_new(c->props, "KeyPolicy",
                        json_pack("{s:[{s:s,s:s,s:{s:o},s:s}],s:s}", "Statement", "Action", "kms:*",
                                  "Effect", "Allow", "Principal", "AWS", root, "Resource", "*",
                                  "Version", "2012-10-17"));
    return k;
}

const char *lc_key_arn(lc_key *k)
{
    return lc__getatt(k->resource, "Arn");
}

int lc_key_grant_actions(lc_key *k, lc_grantable *g, const char *const *actions)
{
    if (!k || k->kind != N_KEY)
        return LC_EINVAL;
    size_t n = actions ? lc__list_len(actions, LC_CDK_MAX_LIST) : 0;
    if (!n)
        return LC_EINVAL;
    const char *arn[] = {lc_key_arn(k)};
    return lc__grant(g, actions, n, arn, 1);
}
