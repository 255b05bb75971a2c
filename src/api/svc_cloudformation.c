/*
 * svc_cloudformation.c: the CloudFormation API (Query protocol,
 * http://cloudformation.amazonaws.com/doc/2010-05-15/) on the deploy engine (deploy.h), so that
 * `aws cloudformation deploy --template-file ...` works against leastcloud.
 *
 * AWS runs stack operations asynchronously and clients poll (DescribeChangeSet, DescribeStacks);
 * here CreateChangeSet, ExecuteChangeSet, CreateStack, UpdateStack and DeleteStack do their work
 * before answering, so the first poll already sees the final state and waiters never sleep. A
 * deploy that fails and rolls back is still answered 200, as on AWS: the stack's status tells.
 *
 * CloudFormation acts with the caller's permissions (cfn_authz.c): each resource change is
 * authorized as the call CloudFormation would make for it, before anything is touched.
 *
 * Lambda code: templates name S3 objects (CDK's asset bucket). leastcloud has no S3; the engine
 * finds the code in a cloud assembly folder, named by the stack tag `leastcloud:assets` or else
 * `<state>/assets`.
 */
#include "api/cfn_api.h"
#include "api/service.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/deploy.h"
#include "leastcloud/deploy_api.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

#define MAX_LIST 200
#define ASSETS_TAG "leastcloud:assets"

/* ------------------------------------------------------------------ request helpers */

static const char *s_required(const struct lc_api_call *call, const char *name, struct lc_error *err)
{
    const char *v = lc_api_param(call->req, name);
    if (!v || !*v)
        lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                     "1 validation error detected: Value null at '%c%s' failed to satisfy constraint: Member must not "
                     "be null", name[0] + ('a' - 'A'), name + 1);
    return v && *v ? v : NULL;
}

static bool s_true(const struct lc_api_call *call, const char *name)
{
    const char *v = lc_api_param(call->req, name);
    return v && !strcmp(v, "true");
}

/* A parameter whose stored value is what an SSM parameter name resolved to: reusing the value as
 * the name would be wrong, so UsePreviousValue lets the template's default resolve again. */
static bool s_resolved_parameter(const char *body, const char *key)
{
    json_t *tmpl = body ? lc_deploy_api_template_parse(body, strlen(body), NULL) : NULL;
    const char *type = lc_json_str(json_object_get(json_object_get(tmpl, "Parameters"), key), "Type");
    bool ssm = type && lc_str_starts_with(type, "AWS::SSM::Parameter::Value");
    json_decref(tmpl);
    return ssm;
}

/* Parameters.member.N.{ParameterKey, ParameterValue, UsePreviousValue} over `previous`. */
static json_t *s_parameters(const struct lc_api_call *call, const json_t *previous, const char *body)
{
    json_t *out = json_object();
    char k[96];
    for (size_t i = 1; i <= MAX_LIST; i++) {
        snprintf(k, sizeof k, "Parameters.member.%zu.ParameterKey", i);
        const char *key = lc_api_param(call->req, k);
        if (!key)
            break;
        snprintf(k, sizeof k, "Parameters.member.%zu.UsePreviousValue", i);
        const char *prev = lc_api_param(call->req, k);
        snprintf(k, sizeof k, "Parameters.member.%zu.ParameterValue", i);
        const char *value = lc_api_param(call->req, k);
        if (prev && !strcmp(prev, "true")) {
            const json_t *pv = json_object_get(previous, key);
            if (pv && !s_resolved_parameter(body, key))
                json_object_set(out, key, (json_t *)pv);
        } else if (value) {
            json_object_set_new(out, key, json_string(value));
        }
    }
    return out;
}

static json_t *s_members(const struct lc_api_call *call, const char *prefix)
{
    json_t *out = json_array();
    char k[96];
    for (size_t i = 1; i <= MAX_LIST; i++) {
        snprintf(k, sizeof k, "%s.member.%zu", prefix, i);
        const char *v = lc_api_param(call->req, k);
        if (!v)
            break;
        json_array_append_new(out, json_string(v));
    }
    return out;
}

static json_t *s_tags(const struct lc_api_call *call)
{
    json_t *out = json_array();
    char k[96], v[96];
    for (size_t i = 1; i <= MAX_LIST; i++) {
        snprintf(k, sizeof k, "Tags.member.%zu.Key", i);
        snprintf(v, sizeof v, "Tags.member.%zu.Value", i);
        const char *key = lc_api_param(call->req, k);
        if (!key)
            break;
        const char *value = lc_api_param(call->req, v);
        json_array_append_new(out, json_pack("{s:s, s:s}", "Key", key, "Value", value ? value : ""));
    }
    return out;
}

static bool s_has(const json_t *list, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
    return false;
}

/* ------------------------------------------------------------------ stacks and authorization */

static void s_stack_pattern(const struct lc_api_call *call, const char *name, char *out, size_t size)
{
    if (!strncmp(name, "arn:", 4))
        lc_strlcpy(out, name, size);
    else
        snprintf(out, size, "arn:aws:cloudformation:%s:%s:stack/%s/*", lc_store_region(call->store),
                 call->caller->account, name);
}

/* Authorizes action on the stack (its id when it exists, else the name's ARN pattern). */
static int s_authorize_stack(struct lc_api_call *call, const char *action, const char *name, struct lc_stack *st,
                             bool *exists, struct lc_error *err)
{
    char arn[LC_STACK_ID_MAX + 64];
    bool found = name && lc_store_stack_get(call->store, name, st, NULL) == 0;
    if (exists)
        *exists = found;
    if (found)
        lc_strlcpy(arn, st->stack_id, sizeof arn);
    else if (name)
        s_stack_pattern(call, name, arn, sizeof arn);
    else
        lc_strlcpy(arn, "*", sizeof arn);
    return lc_api_authorize(call, action, arn, NULL, 0, err);
}

static char *s_assets_dir(const struct lc_api_call *call, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t) {
        const char *k = lc_json_str(t, "Key");
        if (k && !strcmp(k, ASSETS_TAG))
            return lc_strdup(lc_json_str(t, "Value"));
    }
    char *dir = lc_asprintf("%s/assets", lc_store_dir(call->store));
    struct stat sb;
    if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return dir;
    lc_free(dir);
    return NULL;
}

/*
 * AWS refuses templates that create IAM resources unless the caller acknowledges it:
 * CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when they carry custom names. Fills *needed
 * ("" when none) and the reason sentence.
 */
static void s_capabilities_needed(const json_t *tmpl, char *needed, size_t size, struct lc_buf *types)
{
    static const struct {
        const char *type, *name_prop;
    } named[] = {{"AWS::IAM::User", "UserName"}, {"AWS::IAM::Role", "RoleName"}, {"AWS::IAM::Group", "GroupName"},
                 {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"}, {"AWS::IAM::InstanceProfile", "InstanceProfileName"}};
    needed[0] = '\0';
    const char *logical;
    const json_t *def;
    json_object_foreach((json_t *)json_object_get(tmpl, "Resources"), logical, def) {
        const char *type = lc_json_str(def, "Type");
        if (!type || strncmp(type, "AWS::IAM::", 10) != 0)
            continue;
        if (!strstr(types->data ? types->data : "", type))
            lc_buf_appendf(types, "%s%s", types->len ? ", " : "", type);
        if (!needed[0])
            lc_strlcpy(needed, "CAPABILITY_IAM", size);
        for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
            if (!strcmp(type, named[i].type) && json_object_get(json_object_get(def, "Properties"), named[i].name_prop))
                lc_strlcpy(needed, "CAPABILITY_NAMED_IAM", size);
    }
}

static int s_check_capabilities(const char *body, const json_t *given, struct lc_error *err)
{
    json_t *tmpl = lc_deploy_api_template_parse(body, strlen(body), err);
    if (!tmpl)
        return err->code ? err->code : LC_EINVAL;
    char needed[32];
    struct lc_buf types;
    lc_buf_init(&types, LC_BUF_UNLIMITED);
    s_capabilities_needed(tmpl, needed, sizeof needed, &types);
    json_decref(tmpl);
    lc_buf_free(&types);
    if (!needed[0] || s_has(given, "CAPABILITY_NAMED_IAM") || (!strcmp(needed, "CAPABILITY_IAM") && s_has(given, needed)))
        return 0;
    return lc_error_set(err, LC_EDENIED, 400, "InsufficientCapabilitiesException", "Requires capabilities : [%s]",
                        needed);
}

/* ------------------------------------------------------------------ XML */

static void s_time(struct lc_buf *b, const char *name, int64_t ms)
{
    char iso[25];
    lc_time_format_iso_ms(ms, iso);
    lc_api_xml_elem(b, name, iso);
}

static void s_params_xml(struct lc_buf *b, const json_t *params)
{
    lc_buf_append_str(b, "<Parameters>");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)params, k, v) {
        lc_buf_append_str(b, "<member>");
        lc_api_xml_elem(b, "ParameterKey", k);
        char *text = json_is_string(v) ? lc_strdup(json_string_value(v)) : lc_json_stringify(v, 0);
        lc_api_xml_elem(b, "ParameterValue", text);
        lc_free(text);
        lc_buf_append_str(b, "</member>");
    }
    lc_buf_append_str(b, "</Parameters>");
}

static void s_strings_xml(struct lc_buf *b, const char *elem, const json_t *list)
{
    lc_buf_appendf(b, "<%s>", elem);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) lc_api_xml_elem(b, "member", json_string_value(v));
    lc_buf_appendf(b, "</%s>", elem);
}

static void s_tags_xml(struct lc_buf *b, const json_t *tags)
{
    lc_buf_append_str(b, "<Tags>");
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t) {
        lc_buf_append_str(b, "<member>");
        lc_api_xml_elem(b, "Key", lc_json_str(t, "Key"));
        lc_api_xml_elem(b, "Value", lc_json_str(t, "Value"));
        lc_buf_append_str(b, "</member>");
    }
    lc_buf_append_str(b, "</Tags>");
}

static json_t *s_doc(struct lc_store *store, const char *stack_id, const char *which, bool object)
{
    char *text = lc_store_stack_doc(store, stack_id, which);
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    lc_free(text);
    return v ? v : object ? json_object() : json_array();
}

static void s_stack_xml(struct lc_api_call *call, struct lc_buf *b, const struct lc_stack *s)
{
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "StackId", s->stack_id);
    lc_api_xml_elem(b, "StackName", s->name);
    if (s->description[0])
        lc_api_xml_elem(b, "Description", s->description);
    json_t *params = s_doc(call->store, s->stack_id, "parameters", true);
    s_params_xml(b, params);
    json_decref(params);
    s_time(b, "CreationTime", s->created_ms);
    if (s->updated_ms)
        s_time(b, "LastUpdatedTime", s->updated_ms);
    if (s->deleted_ms)
        s_time(b, "DeletionTime", s->deleted_ms);
    lc_buf_append_str(b, "<RollbackConfiguration/>");
    lc_api_xml_elem(b, "StackStatus", s->status);
    if (s->status_reason[0] || s->stale) {
        char reason[1200];
        snprintf(reason, sizeof reason, "%s%s%s", s->status_reason,
                 s->status_reason[0] && s->stale ? " " : "",
                 s->stale ? "(the process working on this stack is gone: delete the stack or deploy again to "
                            "roll it back)" : "");
        lc_api_xml_elem(b, "StackStatusReason", reason);
    }
    lc_buf_append_str(b, "<DisableRollback>false</DisableRollback><NotificationARNs/>");
    json_t *caps, *tags;
    lc__cfn_stack_meta_get(call->store, s->stack_id, &caps, &tags);
    if (json_array_size(caps))
        s_strings_xml(b, "Capabilities", caps);
    json_t *outputs = s_doc(call->store, s->stack_id, "outputs", false);
    if (json_array_size(outputs)) {
        lc_buf_append_str(b, "<Outputs>");
        size_t i;
        const json_t *o;
        json_array_foreach(outputs, i, o) {
            lc_buf_append_str(b, "<member>");
            lc_api_xml_elem(b, "OutputKey", lc_json_str(o, "OutputKey"));
            lc_api_xml_elem(b, "OutputValue", lc_json_str(o, "OutputValue"));
            if (lc_json_str(o, "Description"))
                lc_api_xml_elem(b, "Description", lc_json_str(o, "Description"));
            if (lc_json_str(o, "ExportName"))
                lc_api_xml_elem(b, "ExportName", lc_json_str(o, "ExportName"));
            lc_buf_append_str(b, "</member>");
        }
        lc_buf_append_str(b, "</Outputs>");
    }
    s_tags_xml(b, tags);
    json_decref(outputs);
    json_decref(caps);
    json_decref(tags);
    lc_buf_append_str(b, "<EnableTerminationProtection>false</EnableTerminationProtection>"
                         "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>");
    lc_buf_append_str(b, "</member>");
}

/* ------------------------------------------------------------------ deploying */

struct s_deploy {
    const char *stack_name;
    const char *body;
    const json_t *parameters;
    const json_t *capabilities;
    const json_t *tags;
};

/* Runs the engine; a failure that left a stack behind (rolled back) is the stack's status to
 * report, not an API error, as with AWS's asynchronous operations. */
static int s_run_deploy(struct lc_api_call *call, const struct s_deploy *d, char stack_id[LC_STACK_ID_MAX],
                        bool *no_changes, struct lc_error *err)
{
    char *assets = s_assets_dir(call, d->tags);
    struct lc_deploy_options opt = {
        .stack_name = d->stack_name,
        .template_body = d->body,
        .assets_dir = assets,
        .parameters = d->parameters,
    };
    struct lc_deploy_result res;
    struct lc_error derr;
    lc_error_clear(&derr);
    int rc = lc_deploy_stack(call->store, &opt, &res, &derr);
    lc_free(assets);
    if (no_changes)
        *no_changes = res.no_changes;
    lc_strlcpy(stack_id, res.stack_id, LC_STACK_ID_MAX);
    lc_deploy_result_clear(&res);
    if (rc && !stack_id[0]) {
        *err = derr;
        if (!err->aws_code[0])
            lc_error_set(err, rc, 400, "ValidationError", "%s", derr.message);
        return rc;
    }
    if (stack_id[0])
        lc__cfn_stack_meta_put(call->store, stack_id, d->capabilities, d->tags, NULL);
    return 0;
}

static int s_create_or_update(struct lc_api_call *call, bool create, struct lc_error *err)
{
    const char *name = s_required(call, "StackName", err);
    if (!name)
        return LC_EINVAL;
    struct lc_stack st;
    bool exists;
    int rc = s_authorize_stack(call, create ? "cloudformation:CreateStack" : "cloudformation:UpdateStack", name, &st,
                               &exists, err);
    if (rc)
        return rc;
    if (create && exists && strcmp(st.status, "ROLLBACK_COMPLETE") != 0)
        return lc_error_set(err, LC_EEXISTS, 400, "AlreadyExistsException", "Stack [%s] already exists", name);
    if (!create && !exists)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack [%s] does not exist", name);
    char *prev_body = NULL;
    const char *body = lc_api_param(call->req, "TemplateBody");
    if (!create && s_true(call, "UsePreviousTemplate"))
        body = prev_body = lc_store_stack_doc(call->store, st.stack_id, "template_body");
    if (!body) {
        lc_free(prev_body);
        if (lc_api_param(call->req, "TemplateURL"))
            return lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError",
                                "TemplateURL needs S3, which leastcloud does not have: pass TemplateBody");
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Either Template URL or Template Body must be specified.");
    }
    json_t *prev_params = exists ? s_doc(call->store, st.stack_id, "parameters", true) : json_object();
    json_t *params = s_parameters(call, prev_params, body), *caps = s_members(call, "Capabilities"), *tags = s_tags(call);
    rc = s_check_capabilities(body, caps, err);
    char stack_id[LC_STACK_ID_MAX] = "";
    bool no_changes = false;
    if (!rc) {
        /* The caller's own permissions for every resource, before anything is touched. */
        char *assets = s_assets_dir(call, tags);
        struct lc_deploy_options opt = {.stack_name = name, .template_body = body, .assets_dir = assets,
                                        .parameters = params};
        json_t *changes = NULL;
        rc = lc_deploy_changeset(call->store, &opt, &changes, err);
        lc_free(assets);
        if (!rc)
            rc = lc__cfn_authorize_changes(call, body, changes, err);
        json_decref(changes);
    }
    if (!rc) {
        struct s_deploy d = {name, body, params, caps, tags};
        rc = s_run_deploy(call, &d, stack_id, &no_changes, err);
    }
    if (!rc && !create && no_changes)
        rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError", "No updates are to be performed.");
    if (!rc)
        lc_api_xml_elem(&call->resp->body, "StackId", stack_id);
    json_decref(prev_params);
    json_decref(params);
    json_decref(caps);
    json_decref(tags);
    lc_free(prev_body);
    return rc;
}

static int s_create_stack(struct lc_api_call *call, struct lc_error *err)
{
    return s_create_or_update(call, true, err);
}

static int s_update_stack(struct lc_api_call *call, struct lc_error *err)
{
    return s_create_or_update(call, false, err);
}

static int s_delete_stack(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = s_required(call, "StackName", err);
    if (!name)
        return LC_EINVAL;
    struct lc_stack st;
    bool exists;
    int rc = s_authorize_stack(call, "cloudformation:DeleteStack", name, &st, &exists, err);
    if (rc || !exists)
        return rc; /* AWS: deleting a stack that does not exist succeeds */
    if ((rc = lc__cfn_authorize_delete(call, st.stack_id, err)) != 0)
        return rc;
    rc = lc_deploy_delete_stack(call->store, st.stack_id, NULL, err);
    if (rc == LC_ENOTFOUND)
        return 0;
    if (rc && lc_store_stack_get(call->store, st.stack_id, &st, NULL) == 0 && !strcmp(st.status, "DELETE_FAILED"))
        return 0; /* the stack's status and events tell, as on AWS */
    return rc;
}

/* ------------------------------------------------------------------ reading stacks */

struct s_walk {
    struct lc_api_call *call;
    const json_t *filter;
    bool summaries;
};

static int s_stack_member(const struct lc_stack *s, void *ud)
{
    struct s_walk *w = ud;
    struct lc_buf *b = &w->call->resp->body;
    if (!w->summaries) {
        s_stack_xml(w->call, b, s);
        return 0;
    }
    if (json_array_size(w->filter) && !s_has(w->filter, s->status))
        return 0;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "StackId", s->stack_id);
    lc_api_xml_elem(b, "StackName", s->name);
    if (s->description[0])
        lc_api_xml_elem(b, "TemplateDescription", s->description);
    s_time(b, "CreationTime", s->created_ms);
    if (s->updated_ms)
        s_time(b, "LastUpdatedTime", s->updated_ms);
    if (s->deleted_ms)
        s_time(b, "DeletionTime", s->deleted_ms);
    lc_api_xml_elem(b, "StackStatus", s->status);
    if (s->status_reason[0])
        lc_api_xml_elem(b, "StackStatusReason", s->status_reason);
    lc_buf_append_str(b, "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>"
                         "</member>");
    return 0;
}

static int s_describe_stacks(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "StackName");
    struct lc_stack st;
    bool exists;
    int rc = s_authorize_stack(call, "cloudformation:DescribeStacks", name, &st, &exists, err);
    if (rc)
        return rc;
    if (name && !exists)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack with id %s does not exist", name);
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<Stacks>");
    if (name) {
        s_stack_xml(call, b, &st);
    } else {
        struct s_walk w = {call, NULL, false};
        rc = lc_store_stack_list(call->store, false, s_stack_member, &w, err);
    }
    lc_buf_append_str(b, "</Stacks>");
    return rc;
}

static int s_list_stacks(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "cloudformation:ListStacks", "*", NULL, 0, err);
    if (rc)
        return rc;
    json_t *filter = s_members(call, "StackStatusFilter");
    struct s_walk w = {call, filter, true};
    lc_buf_append_str(&call->resp->body, "<StackSummaries>");
    rc = lc_store_stack_list(call->store, true, s_stack_member, &w, err);
    lc_buf_append_str(&call->resp->body, "</StackSummaries>");
    json_decref(filter);
    return rc;
}

/* The stack a read names (by name or id), authorized; NotFound as CloudFormation words it. */
static int s_existing(struct lc_api_call *call, const char *action, struct lc_stack *st, struct lc_error *err)
{
    const char *name = s_required(call, "StackName", err);
    if (!name)
        return LC_EINVAL;
    bool exists;
    int rc = s_authorize_stack(call, action, name, st, &exists, err);
    if (!rc && !exists)
        rc = lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack with id %s does not exist", name);
    return rc;
}

struct s_events {
    struct lc_buf *b;
};

static int s_event_member(const struct lc_stack_event *e, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "StackId", e->stack_id);
    lc_api_xml_elem(b, "EventId", e->event_id);
    lc_api_xml_elem(b, "StackName", e->stack_name);
    lc_api_xml_elem(b, "LogicalResourceId", e->logical_id);
    lc_api_xml_elem(b, "PhysicalResourceId", e->physical_id);
    lc_api_xml_elem(b, "ResourceType", e->resource_type);
    s_time(b, "Timestamp", e->timestamp_ms);
    lc_api_xml_elem(b, "ResourceStatus", e->status);
    if (e->reason[0])
        lc_api_xml_elem(b, "ResourceStatusReason", e->reason);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_describe_stack_events(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_stack st;
    int rc = s_existing(call, "cloudformation:DescribeStackEvents", &st, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<StackEvents>");
    rc = lc_store_stack_event_list(call->store, st.stack_id, s_event_member, &call->resp->body, err);
    lc_buf_append_str(&call->resp->body, "</StackEvents>");
    return rc;
}

struct s_resources {
    struct lc_buf *b;
    const struct lc_stack *st;
    const char *logical;  /* filter, NULL for all */
    bool summaries;
};

static int s_resource_member(const struct lc_stack_resource *r, void *ud)
{
    struct s_resources *w = ud;
    struct lc_buf *b = w->b;
    if (w->logical && strcmp(w->logical, r->logical_id) != 0)
        return 0;
    lc_buf_append_str(b, "<member>");
    if (!w->summaries) {
        lc_api_xml_elem(b, "StackName", w->st->name);
        lc_api_xml_elem(b, "StackId", w->st->stack_id);
    }
    lc_api_xml_elem(b, "LogicalResourceId", r->logical_id);
    if (r->physical_id)
        lc_api_xml_elem(b, "PhysicalResourceId", r->physical_id);
    lc_api_xml_elem(b, "ResourceType", r->type);
    s_time(b, w->summaries ? "LastUpdatedTimestamp" : "Timestamp", r->updated_ms);
    lc_api_xml_elem(b, "ResourceStatus", r->status);
    if (r->status_reason && r->status_reason[0])
        lc_api_xml_elem(b, "ResourceStatusReason", r->status_reason);
    lc_buf_append_str(b, "<DriftInformation><StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus>"
                         "</DriftInformation></member>");
    return 0;
}

static int s_resources(struct lc_api_call *call, const char *action, bool summaries, struct lc_error *err)
{
    struct lc_stack st;
    int rc = s_existing(call, action, &st, err);
    if (rc)
        return rc;
    struct s_resources w = {&call->resp->body, &st, lc_api_param(call->req, "LogicalResourceId"), summaries};
    const char *elem = summaries ? "StackResourceSummaries" : "StackResources";
    lc_buf_appendf(w.b, "<%s>", elem);
    rc = lc_store_stack_resource_list(call->store, st.stack_id, s_resource_member, &w, err);
    lc_buf_appendf(w.b, "</%s>", elem);
    return rc;
}

static int s_describe_stack_resources(struct lc_api_call *call, struct lc_error *err)
{
    return s_resources(call, "cloudformation:DescribeStackResources", false, err);
}

static int s_list_stack_resources(struct lc_api_call *call, struct lc_error *err)
{
    return s_resources(call, "cloudformation:ListStackResources", true, err);
}

static int s_get_template(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_stack st;
    int rc = s_existing(call, "cloudformation:GetTemplate", &st, err);
    if (rc)
        return rc;
    const char *stage = lc_api_param(call->req, "TemplateStage");
    bool processed = stage && !strcmp(stage, "Processed");
    char *body = lc_store_stack_doc(call->store, st.stack_id, processed ? "template" : "template_body");
    if (!body && !processed)
        body = lc_store_stack_doc(call->store, st.stack_id, "template");
    lc_api_xml_elem(&call->resp->body, "TemplateBody", body ? body : "{}");
    lc_buf_append_str(&call->resp->body, "<StagesAvailable><member>Original</member><member>Processed</member>"
                                         "</StagesAvailable>");
    lc_free(body);
    return 0;
}

static int s_validate_template(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "cloudformation:ValidateTemplate", "*", NULL, 0, err);
    if (rc)
        return rc;
    const char *body = lc_api_param(call->req, "TemplateBody");
    if (!body)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Either Template URL or Template Body must be specified.");
    json_t *summary = NULL;
    if ((rc = lc_deploy_validate_template(body, strlen(body), &summary, err)) != 0)
        return rc;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<Parameters>");
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(summary, "Parameters"), i, p) {
        lc_buf_append_str(b, "<member>");
        lc_api_xml_elem(b, "ParameterKey", lc_json_str(p, "ParameterKey"));
        if (lc_json_str(p, "DefaultValue"))
            lc_api_xml_elem(b, "DefaultValue", lc_json_str(p, "DefaultValue"));
        lc_buf_appendf(b, "<NoEcho>%s</NoEcho>", json_is_true(json_object_get(p, "NoEcho")) ? "true" : "false");
        if (lc_json_str(p, "Description"))
            lc_api_xml_elem(b, "Description", lc_json_str(p, "Description"));
        lc_buf_append_str(b, "</member>");
    }
    lc_buf_append_str(b, "</Parameters>");
    if (lc_json_str(summary, "Description"))
        lc_api_xml_elem(b, "Description", lc_json_str(summary, "Description"));
    json_decref(summary);
    json_t *tmpl = lc_deploy_api_template_parse(body, strlen(body), NULL);
    char needed[32];
    struct lc_buf types;
    lc_buf_init(&types, LC_BUF_UNLIMITED);
    s_capabilities_needed(tmpl, needed, sizeof needed, &types);
    if (needed[0]) {
        lc_buf_appendf(b, "<Capabilities><member>%s</member></Capabilities>", needed);
        lc_buf_append_str(b, "<CapabilitiesReason>The following resource(s) require capabilities: [");
        lc_api_xml_escape(b, types.data);
        lc_buf_append_str(b, "]</CapabilitiesReason>");
    }
    lc_buf_free(&types);
    json_decref(tmpl);
    return 0;
}

/* GetTemplateSummary: what `aws cloudformation deploy` reads to merge parameters on an update. */
static int s_get_template_summary(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "StackName");
    struct lc_stack st;
    bool exists = false;
    int rc = name ? s_authorize_stack(call, "cloudformation:GetTemplateSummary", name, &st, &exists, err)
                  : lc_api_authorize(call, "cloudformation:GetTemplateSummary", "*", NULL, 0, err);
    if (rc)
        return rc;
    if (name && !exists)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack with id %s does not exist", name);
    char *stored = name ? lc_store_stack_doc(call->store, st.stack_id, "template_body") : NULL;
    const char *body = name ? stored : lc_api_param(call->req, "TemplateBody");
    if (!body) {
        lc_free(stored);
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Either Template URL or Template Body must be specified.");
    }
    json_t *tmpl = lc_deploy_api_template_parse(body, strlen(body), err);
    lc_free(stored);
    if (!tmpl)
        return err->code ? err->code : LC_EINVAL;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<Parameters>");
    const char *k;
    const json_t *def;
    json_object_foreach(json_object_get(tmpl, "Parameters"), k, def) {
        lc_buf_append_str(b, "<member>");
        lc_api_xml_elem(b, "ParameterKey", k);
        const json_t *dv = json_object_get(def, "Default");
        if (dv) {
            char *text = json_is_string(dv) ? lc_strdup(json_string_value(dv)) : lc_json_stringify(dv, 0);
            lc_api_xml_elem(b, "DefaultValue", text);
            lc_free(text);
        }
        lc_api_xml_elem(b, "ParameterType", lc_json_str(def, "Type") ? lc_json_str(def, "Type") : "String");
        lc_buf_appendf(b, "<NoEcho>%s</NoEcho>", json_is_true(json_object_get(def, "NoEcho")) ? "true" : "false");
        if (lc_json_str(def, "Description"))
            lc_api_xml_elem(b, "Description", lc_json_str(def, "Description"));
        lc_buf_append_str(b, "<ParameterConstraints/></member>");
    }
    lc_buf_append_str(b, "</Parameters>");
    if (lc_json_str(tmpl, "Description"))
        lc_api_xml_elem(b, "Description", lc_json_str(tmpl, "Description"));
    char needed[32];
    struct lc_buf types;
    lc_buf_init(&types, LC_BUF_UNLIMITED);
    s_capabilities_needed(tmpl, needed, sizeof needed, &types);
    if (needed[0]) {
        lc_buf_appendf(b, "<Capabilities><member>%s</member></Capabilities>", needed);
        lc_buf_append_str(b, "<CapabilitiesReason>The following resource(s) require capabilities: [");
        lc_api_xml_escape(b, types.data);
        lc_buf_append_str(b, "]</CapabilitiesReason>");
    }
    lc_buf_free(&types);
    lc_buf_append_str(b, "<ResourceTypes>");
    json_t *seen = json_object();
    json_object_foreach(json_object_get(tmpl, "Resources"), k, def) {
        const char *type = lc_json_str(def, "Type");
        if (type && !json_object_get(seen, type)) {
            json_object_set_new(seen, type, json_true());
            lc_api_xml_elem(b, "member", type);
        }
    }
    json_decref(seen);
    lc_buf_append_str(b, "</ResourceTypes>");
    lc_api_xml_elem(b, "Version", lc_json_str(tmpl, "AWSTemplateFormatVersion") ? lc_json_str(tmpl, "AWSTemplateFormatVersion")
                                                                               : "2010-09-09");
    json_decref(tmpl);
    return 0;
}

/* ------------------------------------------------------------------ change sets */

static void s_uuid(char out[37])
{
    uint8_t r[16];
    lc_random_bytes(r, sizeof r);
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    char hex[33];
    lc_hex_encode(r, 16, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static int s_create_change_set(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = s_required(call, "StackName", err);
    const char *cs_name = name ? s_required(call, "ChangeSetName", err) : NULL;
    if (!cs_name)
        return LC_EINVAL;
    const char *type = lc_api_param(call->req, "ChangeSetType");
    if (!type)
        type = "UPDATE";
    if (strcmp(type, "CREATE") && strcmp(type, "UPDATE") && strcmp(type, "IMPORT"))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]", type);
    struct lc_stack st;
    bool exists;
    int rc = s_authorize_stack(call, "cloudformation:CreateChangeSet", name, &st, &exists, err);
    if (rc)
        return rc;
    if (!strcmp(type, "CREATE") && exists && strcmp(st.status, "ROLLBACK_COMPLETE") != 0)
        return lc_error_set(err, LC_EEXISTS, 400, "AlreadyExistsException", "Stack [%s] already exists and cannot be "
                            "created again with the changeSet [%s].", name, cs_name);
    if (!strcmp(type, "UPDATE") && !exists)
        return lc_error_set(err, LC_ENOTFOUND, 400, "ValidationError", "Stack [%s] does not exist", name);
    if (!strcmp(type, "IMPORT"))
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError", "leastcloud does not import resources");
    char *prev_body = NULL;
    const char *body = lc_api_param(call->req, "TemplateBody");
    if (exists && s_true(call, "UsePreviousTemplate"))
        body = prev_body = lc_store_stack_doc(call->store, st.stack_id, "template_body");
    if (!body)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Either Template URL or Template Body must be specified.");
    json_t *prev_params = exists ? s_doc(call->store, st.stack_id, "parameters", true) : json_object();
    struct lc__cfn_changeset cs = {0};
    cs.parameters = s_parameters(call, prev_params, body);
    cs.capabilities = s_members(call, "Capabilities");
    cs.tags = s_tags(call);
    json_decref(prev_params);
    rc = s_check_capabilities(body, cs.capabilities, err);
    json_t *changes = NULL;
    if (!rc) {
        char *assets = s_assets_dir(call, cs.tags);
        struct lc_deploy_options opt = {.stack_name = name, .template_body = body, .assets_dir = assets,
                                        .parameters = cs.parameters};
        rc = lc_deploy_changeset(call->store, &opt, &changes, err);
        lc_free(assets);
    }
    if (rc) {
        lc_free(prev_body);
        lc__cfn_changeset_clear(&cs);
        return rc;
    }
    char uuid[37];
    s_uuid(uuid);
    cs.id = lc_asprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/%s", lc_store_region(call->store),
                        call->caller->account, cs_name, uuid);
    cs.name = lc_strdup(cs_name);
    cs.stack_name = lc_strdup(name);
    if (exists) {
        cs.stack_id = lc_strdup(st.stack_id);
    } else {
        s_uuid(uuid);
        cs.stack_id = lc_asprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", lc_store_region(call->store),
                                  call->caller->account, name, uuid);
    }
    cs.type = lc_strdup(type);
    cs.description = lc_api_param(call->req, "Description") ? lc_strdup(lc_api_param(call->req, "Description")) : NULL;
    cs.template_body = lc_strdup(body);
    cs.changes = changes;
    cs.created_ms = lc_clock_now_ms();
    if (json_array_size(changes) == 0 && exists) {
        /* AWS's exact words: the CLI's `deploy` looks for them to say "No changes to deploy". */
        cs.status = lc_strdup("FAILED");
        cs.status_reason = lc_strdup("The submitted information didn't contain changes. Submit different information "
                                     "to create a change set.");
        cs.execution_status = lc_strdup("UNAVAILABLE");
    } else {
        cs.status = lc_strdup("CREATE_COMPLETE");
        cs.execution_status = lc_strdup("AVAILABLE");
    }
    rc = lc__cfn_changeset_put(call->store, &cs, err);
    if (!rc) {
        lc_api_xml_elem(&call->resp->body, "Id", cs.id);
        lc_api_xml_elem(&call->resp->body, "StackId", cs.stack_id);
    }
    lc__cfn_changeset_clear(&cs);
    lc_free(prev_body);
    return rc;
}

/* The change set a request names (ChangeSetName: name or ARN, StackName), authorized on its stack. */
static int s_changeset(struct lc_api_call *call, const char *action, struct lc__cfn_changeset *cs,
                       struct lc_error *err)
{
    const char *id = s_required(call, "ChangeSetName", err);
    if (!id)
        return LC_EINVAL;
    const char *stack = lc_api_param(call->req, "StackName");
    if (strncmp(id, "arn:", 4) != 0 && !stack)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "StackName must be specified if ChangeSetName is not specified as an ARN.");
    struct lc_error lerr;
    int lrc = lc__cfn_changeset_get(call->store, id, stack, cs, &lerr);
    char arn[LC_STACK_ID_MAX + 64];
    if (!lrc)
        lc_strlcpy(arn, cs->stack_id, sizeof arn);
    else
        s_stack_pattern(call, stack ? stack : "*", arn, sizeof arn);
    int rc = lc_api_authorize(call, action, arn, NULL, 0, err);
    if (!rc && lrc) {
        *err = lerr;
        rc = lrc;
    }
    return rc;
}

static int s_describe_change_set(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__cfn_changeset cs;
    int rc = s_changeset(call, "cloudformation:DescribeChangeSet", &cs, err);
    if (rc) {
        lc__cfn_changeset_clear(&cs);
        return rc;
    }
    struct lc_buf *b = &call->resp->body;
    lc_api_xml_elem(b, "ChangeSetName", cs.name);
    lc_api_xml_elem(b, "ChangeSetId", cs.id);
    lc_api_xml_elem(b, "StackId", cs.stack_id);
    lc_api_xml_elem(b, "StackName", cs.stack_name);
    if (cs.description)
        lc_api_xml_elem(b, "Description", cs.description);
    s_params_xml(b, cs.parameters);
    s_time(b, "CreationTime", cs.created_ms);
    lc_api_xml_elem(b, "ExecutionStatus", cs.execution_status);
    lc_api_xml_elem(b, "Status", cs.status);
    if (cs.status_reason)
        lc_api_xml_elem(b, "StatusReason", cs.status_reason);
    lc_buf_append_str(b, "<NotificationARNs/>");
    s_strings_xml(b, "Capabilities", cs.capabilities);
    s_tags_xml(b, cs.tags);
    lc_buf_append_str(b, "<Changes>");
    size_t i;
    const json_t *c;
    json_array_foreach(cs.changes, i, c) {
        lc_buf_append_str(b, "<member><Type>Resource</Type><ResourceChange>");
        lc_api_xml_elem(b, "Action", lc_json_str(c, "Action"));
        lc_api_xml_elem(b, "LogicalResourceId", lc_json_str(c, "LogicalResourceId"));
        if (lc_json_str(c, "PhysicalResourceId") && *lc_json_str(c, "PhysicalResourceId"))
            lc_api_xml_elem(b, "PhysicalResourceId", lc_json_str(c, "PhysicalResourceId"));
        lc_api_xml_elem(b, "ResourceType", lc_json_str(c, "ResourceType"));
        if (lc_json_str(c, "Replacement"))
            lc_api_xml_elem(b, "Replacement", lc_json_str(c, "Replacement"));
        const json_t *details = json_object_get(c, "Details");
        if (json_array_size(details)) {
            lc_buf_append_str(b, "<Scope><member>Properties</member></Scope><Details>");
            size_t j;
            const json_t *d;
            json_array_foreach(details, j, d) {
                lc_buf_append_str(b, "<member><Target><Attribute>Properties</Attribute>");
                lc_api_xml_elem(b, "Name", json_is_string(d) ? json_string_value(d) : lc_json_str(d, "Name"));
                lc_buf_append_str(b, "</Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification"
                                     "</ChangeSource></member>");
            }
            lc_buf_append_str(b, "</Details>");
        } else {
            lc_buf_append_str(b, "<Scope/><Details/>");
        }
        lc_buf_append_str(b, "</ResourceChange></member>");
    }
    lc_buf_append_str(b, "</Changes><IncludeNestedStacks>false</IncludeNestedStacks>");
    lc__cfn_changeset_clear(&cs);
    return 0;
}

static int s_execute_change_set(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__cfn_changeset cs;
    int rc = s_changeset(call, "cloudformation:ExecuteChangeSet", &cs, err);
    if (!rc && strcmp(cs.execution_status, "AVAILABLE") != 0)
        rc = lc_error_set(err, LC_ECONFLICT, 400, "InvalidChangeSetStatus",
                          "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.id, cs.status);
    if (rc) {
        lc__cfn_changeset_clear(&cs);
        return rc;
    }
    if ((rc = lc__cfn_authorize_changes(call, cs.template_body, cs.changes, err)) != 0) {
        lc__cfn_changeset_clear(&cs);
        return rc;
    }
    char stack_id[LC_STACK_ID_MAX] = "";
    struct s_deploy d = {cs.stack_name, cs.template_body, cs.parameters, cs.capabilities, cs.tags};
    rc = s_run_deploy(call, &d, stack_id, NULL, err);
    lc_free(cs.execution_status);
    cs.execution_status = lc_strdup(rc ? "EXECUTE_FAILED" : "EXECUTE_COMPLETE");
    if (stack_id[0]) {
        lc_free(cs.stack_id);
        cs.stack_id = lc_strdup(stack_id);
    }
    struct lc_error ignored;
    lc__cfn_changeset_put(call->store, &cs, &ignored);
    lc__cfn_changeset_clear(&cs);
    return rc;
}

static int s_delete_change_set(struct lc_api_call *call, struct lc_error *err)
{
    struct lc__cfn_changeset cs;
    int rc = s_changeset(call, "cloudformation:DeleteChangeSet", &cs, err);
    if (!rc)
        rc = lc__cfn_changeset_delete(call->store, cs.id, err);
    lc__cfn_changeset_clear(&cs);
    return rc;
}

struct s_cs_walk {
    struct lc_buf *b;
};

static int s_cs_member(const struct lc__cfn_changeset *cs, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "StackId", cs->stack_id);
    lc_api_xml_elem(b, "StackName", cs->stack_name);
    lc_api_xml_elem(b, "ChangeSetId", cs->id);
    lc_api_xml_elem(b, "ChangeSetName", cs->name);
    lc_api_xml_elem(b, "ExecutionStatus", cs->execution_status);
    lc_api_xml_elem(b, "Status", cs->status);
    if (cs->status_reason)
        lc_api_xml_elem(b, "StatusReason", cs->status_reason);
    s_time(b, "CreationTime", cs->created_ms);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_list_change_sets(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = s_required(call, "StackName", err);
    if (!name)
        return LC_EINVAL;
    struct lc_stack st;
    int rc = s_authorize_stack(call, "cloudformation:ListChangeSets", name, &st, NULL, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Summaries>");
    rc = lc__cfn_changeset_list(call->store, name, s_cs_member, &call->resp->body, err);
    lc_buf_append_str(&call->resp->body, "</Summaries>");
    return rc;
}

static int s_start(struct lc_store *store, struct lc_error *err)
{
    int rc = lc__cfn_state_migrate(store, err);
    return rc ? rc : lc_store_stacks_migrate(store, err);
}

static const struct lc_api_operation s_ops[] = {
    {"CreateStack", s_create_stack, 0},
    {"UpdateStack", s_update_stack, 0},
    {"DeleteStack", s_delete_stack, LC_API_OP_NO_RESULT},
    {"DescribeStacks", s_describe_stacks, 0},
    {"DescribeStackEvents", s_describe_stack_events, 0},
    {"DescribeStackResources", s_describe_stack_resources, 0},
    {"ListStacks", s_list_stacks, 0},
    {"ListStackResources", s_list_stack_resources, 0},
    {"GetTemplate", s_get_template, 0},
    {"ValidateTemplate", s_validate_template, 0},
    {"GetTemplateSummary", s_get_template_summary, 0},
    {"CreateChangeSet", s_create_change_set, 0},
    {"DescribeChangeSet", s_describe_change_set, 0},
    {"ExecuteChangeSet", s_execute_change_set, 0},
    {"DeleteChangeSet", s_delete_change_set, 0},
    {"ListChangeSets", s_list_change_sets, 0},
};

const struct lc_api_service lc_api_svc_cloudformation = {
    .name = "cloudformation",
    .protocol = LC_API_QUERY,
    .content_type = "text/xml",
    .xml_namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/",
    .blocks = true,
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
    .start = s_start,
};
