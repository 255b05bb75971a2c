/*
 * cfn_authz.c: CloudFormation acts with the caller's permissions (no service role): before the
 * engine touches anything, every resource the change set adds, modifies or removes is authorized
 * as the service call CloudFormation would make for it (iam:CreateUser, dynamodb:DeleteTable, ...).
 *
 * AWS lets the stack operation start and fails the resource (CREATE_FAILED, then rollback) with
 * the same denial sentence; here the request is refused before anything is created, with that
 * sentence, so nothing needs rolling back.
 */
#include "api/cfn_api.h"
#include "api/service.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/deploy_api.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

struct s_type {
    const char *type;
    const char *create, *update, *remove;  /* IAM actions; NULL: nothing to check */
    const char *arn_service;               /* the ARN's service; IAM's ARNs have no region */
    const char *arn_prefix;                /* before the name: "table/", "function:", "" */
    const char *name_prop;                 /* the property that names it, NULL when generated only */
    bool physical_is_name;                 /* the physical id is the name (else an ARN or an id) */
};

static const struct s_type s_types[] = {
    {"AWS::DynamoDB::Table", "dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable",
     "dynamodb", "table/", "TableName", true},
    {"AWS::IAM::User", "iam:CreateUser", "iam:UpdateUser", "iam:DeleteUser", "iam", "user/", "UserName",
     true},
    {"AWS::IAM::Role", "iam:CreateRole", "iam:UpdateRole", "iam:DeleteRole", "iam", "role/", "RoleName",
     true},
    {"AWS::IAM::Group", "iam:CreateGroup", "iam:UpdateGroup", "iam:DeleteGroup", "iam", "group/",
     "GroupName", true},
    {"AWS::IAM::ManagedPolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy",
     "iam", "policy/", "ManagedPolicyName", false},
    {"AWS::IAM::Policy", "iam:PutRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
     "iam", "role/", NULL, false},
    {"AWS::IAM::AccessKey", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey",
     "iam", "user/", "UserName", false},
    {"AWS::Lambda::Function", "lambda:CreateFunction", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction",
     "lambda", "function:", "FunctionName", true},
    {"AWS::Lambda::Permission", "lambda:AddPermission", "lambda:AddPermission", "lambda:RemovePermission",
     "lambda", "function:", NULL, false},
    {"AWS::KMS::Key", "kms:CreateKey", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion",
     "kms", "key/", NULL, false},
    {"AWS::SNS::Topic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns", "",
     "TopicName", false},
    {"AWS::SNS::Subscription", "sns:Subscribe", "sns:Subscribe", "sns:Unsubscribe", "sns", "", NULL,
     false},
    {"AWS::CloudWatch::Alarm", "cloudwatch:PutMetricAlarm", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms",
     "cloudwatch", "alarm:", "AlarmName", true},
};

static const struct s_type *s_find(const char *type)
{
    for (size_t i = 0; type && i < sizeof s_types / sizeof s_types[0]; i++)
        if (!strcmp(s_types[i].type, type))
            return &s_types[i];
    return NULL;
}

static int s_check(struct lc_api_call *call, const struct s_type *t, const char *action, const char *name,
                   struct lc_error *err)
{
    if (!action)
        return 0;
    char arn[1024];
    snprintf(arn, sizeof arn, "arn:aws:%s:%s:%s:%s%s", t->arn_service,
             strcmp(t->arn_service, "iam") ? lc_store_region(call->store) : "", call->caller->account, t->arn_prefix,
             name && *name ? name : "*");
    return lc_api_authorize(call, action, arn, NULL, 0, err);
}

int lc__cfn_authorize_changes(struct lc_api_call *call, const char *body, const json_t *changes,
                              struct lc_error *err)
{
    json_t *tmpl = body ? lc_deploy_api_template_parse(body, strlen(body), NULL) : NULL;
    const json_t *resources = json_object_get(tmpl, "Resources");
    int rc = 0;
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        const struct s_type *t = s_find(lc_json_str(c, "ResourceType"));
        const char *what = lc_json_str(c, "Action");
        if (!t || !what)
            continue;
        const char *physical = lc_json_str(c, "PhysicalResourceId");
        const json_t *props = json_object_get(json_object_get(resources, lc_json_str(c, "LogicalResourceId")),
                                              "Properties");
        const char *named = t->name_prop ? lc_json_str(props, t->name_prop) : NULL;
        const char *name = t->physical_is_name && physical && *physical ? physical : named;
        if (!strcmp(what, "Add"))
            rc = s_check(call, t, t->create, named, err);
        else if (!strcmp(what, "Modify"))
            rc = s_check(call, t, t->update, name, err);
        else if (!strcmp(what, "Remove") && strcmp(lc_json_str(c, "DeletionPolicy") ? lc_json_str(c, "DeletionPolicy")
                                                                                     : "Delete", "Retain") != 0)
            rc = s_check(call, t, t->remove, name, err);
        if (rc)
            break;
    }
    json_decref(tmpl);
    return rc;
}

struct s_removal {
    struct lc_api_call *call;
    struct lc_error *err;
    int rc;
};

static int s_remove_one(const struct lc_stack_resource *r, void *ud)
{
    struct s_removal *w = ud;
    const struct s_type *t = s_find(r->type);
    if (!t || (r->deletion_policy && !strcmp(r->deletion_policy, "Retain")) || !r->physical_id)
        return 0;
    w->rc = s_check(w->call, t, t->remove, t->physical_is_name ? r->physical_id : NULL, w->err);
    return w->rc;
}

int lc__cfn_authorize_delete(struct lc_api_call *call, const char *stack_id, struct lc_error *err)
{
    struct s_removal w = {call, err, 0};
    int rc = lc_store_stack_resource_list(call->store, stack_id, s_remove_one, &w, err);
    return w.rc ? w.rc : rc;
}
