/*
 * cfn_api.h: what svc_cloudformation.c keeps beside the deploy engine's state (store_stacks.h):
 * change sets awaiting execution and the stack settings the engine does not record (capabilities,
 * tags). Store domain "cfn_api". Strings in the structs are owned; free with the *_clear function.
 */
#ifndef LC_API_CFN_API_H
#define LC_API_CFN_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "leastcloud/store.h"
#include "leastcloud/store_stacks.h"

struct lc_api_call;

int lc__cfn_state_migrate(struct lc_store *store, struct lc_error *err);

struct lc__cfn_changeset {
    char *id;             /* arn:aws:cloudformation:<region>:<acct>:changeSet/<name>/<uuid> */
    char *name;
    char *stack_name;
    char *stack_id;
    char *type;           /* CREATE | UPDATE */
    char *status;         /* CREATE_COMPLETE | FAILED | DELETE_COMPLETE */
    char *status_reason;
    char *execution_status; /* AVAILABLE | UNAVAILABLE | EXECUTE_COMPLETE | EXECUTE_FAILED | OBSOLETE */
    char *description;
    char *template_body;
    json_t *parameters;   /* {"Name": "value"} */
    json_t *capabilities; /* ["CAPABILITY_IAM"] */
    json_t *tags;         /* [{"Key","Value"}] */
    json_t *changes;      /* lc_deploy_changeset's list */
    int64_t created_ms;
};
void lc__cfn_changeset_clear(struct lc__cfn_changeset *c);

int lc__cfn_changeset_put(struct lc_store *store, const struct lc__cfn_changeset *c, struct lc_error *err);
/* By ARN, or by name within stack_name. LC_ENOTFOUND (ChangeSetNotFound, 404) when absent. */
int lc__cfn_changeset_get(struct lc_store *store, const char *name_or_id, const char *stack_name,
                          struct lc__cfn_changeset *out, struct lc_error *err);
int lc__cfn_changeset_delete(struct lc_store *store, const char *id, struct lc_error *err);
/* Change sets of a stack, newest first. */
int lc__cfn_changeset_list(struct lc_store *store, const char *stack_name,
                           int (*fn)(const struct lc__cfn_changeset *c, void *ud), void *ud, struct lc_error *err);

/* Capabilities and tags given when the stack was last created or updated (JSON arrays, new refs;
 * empty arrays when unknown). */
int lc__cfn_stack_meta_put(struct lc_store *store, const char *stack_id, const json_t *capabilities,
                           const json_t *tags, struct lc_error *err);
void lc__cfn_stack_meta_get(struct lc_store *store, const char *stack_id, json_t **capabilities, json_t **tags);

/* cfn_authz.c: authorizes, as the caller, the service action CloudFormation would make for each
 * change (lc_deploy_changeset's list; body is the template, for names of resources to add), or for
 * removing each resource of a stack (Retain ones skipped). AWS's AccessDenied on the first denial. */
int lc__cfn_authorize_changes(struct lc_api_call *call, const char *body, const json_t *changes,
                              struct lc_error *err);
int lc__cfn_authorize_delete(struct lc_api_call *call, const char *stack_id, struct lc_error *err);

#endif
