/*
 * deploy.h: the local CloudFormation engine.
 *
 * A template (JSON or YAML, CDK's or hand-written) becomes resources in the state: DynamoDB tables,
 * IAM users, roles, groups, policies and access keys, Lambda functions and permissions, KMS keys,
 * SNS topics and subscriptions, CloudWatch alarms. The whole template is validated before anything
 * is touched; resources are created in dependency order; a failure rolls back what was made
 * (ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE); an update applies a computed change set (add,
 * modify in place, replace, remove); a delete goes in reverse order and honours DeletionPolicy and
 * UpdateReplacePolicy. Stacks, resources and events live in the state (store_stacks.h), and each
 * resource is created in the same SQLite transaction that records it, so a process killed in the
 * middle leaves a stack whose record is true; lc_deploy_recover finishes or rolls back its work.
 *
 * Both the CLI (`leastcloud deploy/diff/destroy/outputs`) and the CloudFormation API call these.
 * Functions are synchronous; run them on a worker thread to answer CreateStack at once, as AWS does:
 * template problems fail before any event, and the first event (the stack's CREATE_IN_PROGRESS or
 * UPDATE_IN_PROGRESS) carries the new stack id, so the API can answer from on_event.
 *
 * Ownership: json_t results are new references (json_decref); option pointers are borrowed for the
 * call; callbacks run on the calling thread and their arguments are borrowed for the call.
 */
#ifndef LEASTCLOUD_DEPLOY_H
#define LEASTCLOUD_DEPLOY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "leastcloud/store_stacks.h"

struct lc_error;
struct lc_store;

struct lc_deploy_options {
    const char *stack_name;         /* required */
    const char *template_body;      /* the template text, JSON or YAML; or else */
    const char *template_path;      /* a template file */
    const char *assets_dir;         /* cloud assembly holding the assets (default: the template's folder) */
    const json_t *parameters;       /* {"Name": "value"}; NULL: defaults only */
    const char *bootstrap_version;  /* the answer to CDK's /cdk-bootstrap/<q>/version parameter; "30" */
    bool strict;                    /* refuse what AWS refuses today (e.g. creating nodejs14.x functions) */
    /* Each stack and resource event, as it is recorded. */
    void (*on_event)(const struct lc_stack_event *ev, void *ud);
    /* Warnings that do not stop the deploy (a deprecated runtime, a setting not applied). */
    void (*on_warning)(const char *logical_id, const char *message, void *ud);
    void *ud;
};

struct lc_deploy_result {
    char stack_id[LC_STACK_ID_MAX];
    char status[LC_STACK_STATUS_MAX];  /* CREATE_COMPLETE, UPDATE_COMPLETE, ROLLBACK_COMPLETE, ... */
    bool no_changes;                   /* an update found nothing to do */
    json_t *outputs;                   /* [{"OutputKey","OutputValue"[,"Description"][,"ExportName"]}] */
};
void lc_deploy_result_clear(struct lc_deploy_result *r);

/*
 * Creates the stack, or updates it when it exists. A stack left ROLLBACK_COMPLETE by a failed
 * create is deleted first (as the CDK CLI does); an interrupted one (its process died) is recovered
 * first (lc_deploy_recover). Template problems fail with LC_EINVAL and ValidationError listing every
 * problem, with nothing created. A failure while creating or updating rolls back and returns the
 * first resource failure in err, with out->status the final state (out may be NULL).
 */
int lc_deploy_stack(struct lc_store *store, const struct lc_deploy_options *opt, struct lc_deploy_result *out,
                    struct lc_error *err);

/* Deletes a stack (name or id): resources in reverse dependency order, Retain ones kept.
 * opt supplies the callbacks only (may be NULL). LC_ENOTFOUND when there is no such stack. */
int lc_deploy_delete_stack(struct lc_store *store, const char *stack, const struct lc_deploy_options *opt,
                           struct lc_error *err);

/* Finishes what a killed process left: an interrupted create rolls back (ROLLBACK_COMPLETE), an
 * interrupted update rolls back to the previous template (UPDATE_ROLLBACK_COMPLETE), an interrupted
 * cleanup, rollback or delete completes. Nothing to do for a stack that is not stale. */
int lc_deploy_recover(struct lc_store *store, const char *stack, const struct lc_deploy_options *opt,
                      struct lc_error *err);

/*
 * The change set deploying opt's template would apply, without applying it: *changes receives
 * [{"Action": "Add"|"Modify"|"Remove", "LogicalResourceId", "ResourceType", "PhysicalResourceId"?,
 *   "Replacement": "True"|"False"|"Conditional", "Scope": [...], "Details": [property names]}];
 * an empty array when nothing would change. A stack that does not exist yet gives all Adds.
 */
int lc_deploy_changeset(struct lc_store *store, const struct lc_deploy_options *opt, json_t **changes,
                        struct lc_error *err);

/* ValidateTemplate: parses and checks the template. *summary (may be NULL) receives
 * {"Parameters": [{"ParameterKey","DefaultValue"?,"NoEcho","Description"?}], "Description"?}. */
int lc_deploy_validate_template(const char *body, size_t len, json_t **summary, struct lc_error *err);

/* ---- what to deploy: a template, or the stacks of a CDK app (for the CLI) ---- */

struct lc_deploy_target {
    char *stack_name;
    char *template_path;  /* absolute */
    char *assets_dir;     /* the cloud assembly, or the template's folder */
};

struct lc_deploy_target_query {
    const char *template_path;       /* --template FILE (with stack_name) */
    const char *stack_name;          /* --stack-name NAME */
    const char *app;                 /* --app DIR|CMD, else cdk.json's "app" in the working directory */
    const char *const *stacks;       /* the STACK arguments (NULL-terminated; NULL or empty: all) */
};

/* Resolves the query into targets, running the CDK app when there is one (lc_cdk_synth_app).
 * LC_ENOTFOUND when a named stack is not in the app. Free with lc_deploy_targets_free. */
int lc_deploy_targets(const struct lc_deploy_target_query *q, struct lc_deploy_target **out, size_t *n,
                      struct lc_error *err);
void lc_deploy_targets_free(struct lc_deploy_target *t, size_t n);

#endif
