/*
 * svc_iam.c: the IAM API (Query protocol, XML, https://iam.amazonaws.com/doc/2010-05-08/).
 * The operations live in iam_principals.c, iam_keys.c, iam_policies.c and iam_simulate.c; every
 * one authorizes its iam:<Action> on the ARN of the user, role, group or policy concerned before
 * acting, and answers with botocore's shapes. See docs/internals/query-services.md.
 */
#include "api/iam_api.h"

#define OP(name, fn) {name, lc__iam_op_##fn, 0}
#define OP_EMPTY(name, fn) {name, lc__iam_op_##fn, LC_API_OP_NO_RESULT}

static const struct lc_api_operation s_ops[] = {
    OP("CreateUser", create_user),
    OP("GetUser", get_user),
    OP("ListUsers", list_users),
    OP_EMPTY("DeleteUser", delete_user),
    OP("CreateGroup", create_group),
    OP("GetGroup", get_group),
    OP("ListGroups", list_groups),
    OP_EMPTY("DeleteGroup", delete_group),
    OP_EMPTY("AddUserToGroup", add_user_to_group),
    OP_EMPTY("RemoveUserFromGroup", remove_user_from_group),
    OP("ListGroupsForUser", list_groups_for_user),
    OP("CreateRole", create_role),
    OP("GetRole", get_role),
    OP("ListRoles", list_roles),
    OP_EMPTY("DeleteRole", delete_role),
    OP_EMPTY("UpdateAssumeRolePolicy", update_assume_role_policy),
    OP_EMPTY("TagUser", tag_user),
    OP_EMPTY("UntagUser", untag_user),
    OP("ListUserTags", list_user_tags),
    OP_EMPTY("TagRole", tag_role),
    OP_EMPTY("UntagRole", untag_role),
    OP("ListRoleTags", list_role_tags),
    OP("CreateAccessKey", create_access_key),
    OP("ListAccessKeys", list_access_keys),
    OP_EMPTY("UpdateAccessKey", update_access_key),
    OP_EMPTY("DeleteAccessKey", delete_access_key),
    OP_EMPTY("PutUserPolicy", put_user_policy),
    OP("GetUserPolicy", get_user_policy),
    OP_EMPTY("DeleteUserPolicy", delete_user_policy),
    OP("ListUserPolicies", list_user_policies),
    OP_EMPTY("PutRolePolicy", put_role_policy),
    OP("GetRolePolicy", get_role_policy),
    OP_EMPTY("DeleteRolePolicy", delete_role_policy),
    OP("ListRolePolicies", list_role_policies),
    OP_EMPTY("PutGroupPolicy", put_group_policy),
    OP("GetGroupPolicy", get_group_policy),
    OP_EMPTY("DeleteGroupPolicy", delete_group_policy),
    OP("ListGroupPolicies", list_group_policies),
    OP("CreatePolicy", create_policy),
    OP("GetPolicy", get_policy),
    OP_EMPTY("DeletePolicy", delete_policy),
    OP("ListPolicies", list_policies),
    OP("GetPolicyVersion", get_policy_version),
    OP("CreatePolicyVersion", create_policy_version),
    OP("ListPolicyVersions", list_policy_versions),
    OP_EMPTY("DeletePolicyVersion", delete_policy_version),
    OP_EMPTY("SetDefaultPolicyVersion", set_default_policy_version),
    OP_EMPTY("AttachUserPolicy", attach_user_policy),
    OP_EMPTY("DetachUserPolicy", detach_user_policy),
    OP("ListAttachedUserPolicies", list_attached_user_policies),
    OP_EMPTY("AttachRolePolicy", attach_role_policy),
    OP_EMPTY("DetachRolePolicy", detach_role_policy),
    OP("ListAttachedRolePolicies", list_attached_role_policies),
    OP_EMPTY("AttachGroupPolicy", attach_group_policy),
    OP_EMPTY("DetachGroupPolicy", detach_group_policy),
    OP("ListAttachedGroupPolicies", list_attached_group_policies),
    OP("SimulatePrincipalPolicy", simulate_principal_policy),
    OP("SimulateCustomPolicy", simulate_custom_policy),
    OP("GetAccountAuthorizationDetails", get_account_authorization_details),
};

static int s_start(struct lc_store *store, struct lc_error *err)
{
    return lc__iam_state_migrate(store, err);
}

const struct lc_api_service lc_api_svc_iam = {
    .name = "iam",
    .protocol = LC_API_QUERY,
    .content_type = "text/xml",
    .xml_namespace = "https://iam.amazonaws.com/doc/2010-05-08/",
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
    .start = s_start,
};
