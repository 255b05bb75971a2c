/*
 * store_stacks.h: CloudFormation's state: stacks, their resources, their events and the exports of
 * their outputs (store domain "cfn").
 *
 * The deploy engine writes here; the CloudFormation API (DescribeStacks, DescribeStackEvents,
 * ListStackResources, GetTemplate, ...) and `leastcloud outputs` read. A stack that some process is
 * working on records that process (pid + start time), so that a reader can tell a live
 * CREATE_IN_PROGRESS from one whose process was killed (`stale`).
 *
 * Structs with `char *` members own them; free with the *_clear / *_free function named beside them.
 * Every function joins the caller's transaction when one is open (lc_store_tx_begin).
 */
#ifndef LEASTCLOUD_STORE_STACKS_H
#define LEASTCLOUD_STORE_STACKS_H

#include "leastcloud/store.h"

#include <stdbool.h>
#include <stdint.h>

#define LC_STACK_NAME_MAX 129
#define LC_STACK_ID_MAX 256
#define LC_STACK_STATUS_MAX 48

struct lc_stack {
    char stack_id[LC_STACK_ID_MAX];  /* arn:aws:cloudformation:<region>:<acct>:stack/<name>/<uuid> */
    char name[LC_STACK_NAME_MAX];
    char status[LC_STACK_STATUS_MAX];  /* CREATE_IN_PROGRESS, CREATE_COMPLETE, ROLLBACK_COMPLETE, ... */
    char status_reason[1024];
    char description[1024];
    int64_t created_ms, updated_ms, deleted_ms;  /* updated/deleted 0 when never */
    int owner_pid;                   /* the process working on the stack; 0 when none */
    int64_t owner_start;             /* its start time (clock ticks since boot), against pid reuse */
    bool stale;                      /* status is *_IN_PROGRESS and the owner process is gone */
};

/* Creates the domain's tables (idempotent). Every function below calls it; callers that open a
 * transaction first and then call these must call it once before (migrations cannot nest). */
int lc_store_stacks_migrate(struct lc_store *store, struct lc_error *err);

/* Creates a stack row in `status`, owned by the calling process. LC_EEXISTS (AlreadyExistsException,
 * "Stack [name] already exists") when a stack of that name is not DELETE_COMPLETE. */
int lc_store_stack_create(struct lc_store *store, const char *name, const char *status,
                          struct lc_stack *out, struct lc_error *err);
/* By name (the live stack) or by stack id (also deleted ones). LC_ENOTFOUND (ValidationError,
 * "Stack with id X does not exist") when absent. `stale` is computed on read. */
int lc_store_stack_get(struct lc_store *store, const char *name_or_id, struct lc_stack *out,
                       struct lc_error *err);
/* Sets the status and reason (reason may be NULL). `owned` records the calling process as the owner
 * (true for *_IN_PROGRESS states) or clears it. DELETE_COMPLETE also sets deleted_ms. */
int lc_store_stack_set_status(struct lc_store *store, const char *stack_id, const char *status,
                              const char *reason, bool owned, struct lc_error *err);
/* Calls fn per stack, newest first; deleted ones only when include_deleted. fn returning non-zero
 * stops the walk. */
int lc_store_stack_list(struct lc_store *store, bool include_deleted,
                        int (*fn)(const struct lc_stack *s, void *ud), void *ud, struct lc_error *err);

/* The stack's documents, each JSON text (caller frees with lc_free; NULL when unset):
 * "template" (the processed template, JSON), "template_body" (the text as given, JSON or YAML),
 * "parameters" ({"Name": "value"}), "outputs" ([{"OutputKey","OutputValue","Description",
 * "ExportName"}]), "prev_template" / "prev_parameters" (during an update, what to roll back to),
 * "description" (the template's Description, plain text, also in struct lc_stack). */
char *lc_store_stack_doc(struct lc_store *store, const char *stack_id, const char *which);
int lc_store_stack_set_doc(struct lc_store *store, const char *stack_id, const char *which,
                           const char *json_text, struct lc_error *err);

/* ---- resources ---- */

struct lc_stack_resource {
    char *logical_id;
    char *type;
    char *physical_id;           /* NULL until created */
    char *status;                /* CREATE_COMPLETE, UPDATE_COMPLETE, ... */
    char *status_reason;
    char *properties;            /* the resolved properties (JSON object), as the provider got them */
    char *attributes;            /* Fn::GetAtt values (JSON object) */
    char *deletion_policy;       /* "Delete", "Retain", "RetainExceptOnCreate", "Snapshot" */
    char *update_replace_policy;
    /* During an update: the state before it, to roll back to or clean up after a replacement. */
    char *prev_physical_id, *prev_properties, *prev_attributes, *prev_type;
    int64_t updated_ms;
};
void lc_stack_resource_clear(struct lc_stack_resource *r);

/* Inserts or replaces the row of (stack_id, r->logical_id); updated_ms is set to now. */
int lc_store_stack_resource_put(struct lc_store *store, const char *stack_id,
                                const struct lc_stack_resource *r, struct lc_error *err);
/* LC_ENOTFOUND when absent; *out filled otherwise (caller clears with lc_stack_resource_clear). */
int lc_store_stack_resource_get(struct lc_store *store, const char *stack_id, const char *logical_id,
                                struct lc_stack_resource *out, struct lc_error *err);
int lc_store_stack_resource_delete(struct lc_store *store, const char *stack_id,
                                   const char *logical_id, struct lc_error *err);
/* In creation order. fn's argument is borrowed for the call. */
int lc_store_stack_resource_list(struct lc_store *store, const char *stack_id,
                                 int (*fn)(const struct lc_stack_resource *r, void *ud), void *ud,
                                 struct lc_error *err);
/* Every live resource of `type` in every stack (e.g. "AWS::CloudWatch::Alarm" for the watch
 * module), with the stack id. */
int lc_store_stack_resources_of_type(struct lc_store *store, const char *type,
                                     int (*fn)(const char *stack_id, const struct lc_stack_resource *r,
                                               void *ud),
                                     void *ud, struct lc_error *err);

/* ---- events ---- */

struct lc_stack_event {
    char event_id[64];
    char stack_id[LC_STACK_ID_MAX];
    char stack_name[LC_STACK_NAME_MAX];
    char logical_id[256];
    char physical_id[1024];
    char resource_type[128];
    char status[LC_STACK_STATUS_MAX];
    char reason[2048];
    int64_t timestamp_ms;
};
/* Appends an event (event_id and timestamp are filled in; out may be NULL). */
int lc_store_stack_event_add(struct lc_store *store, const struct lc_stack_event *ev,
                             struct lc_stack_event *out, struct lc_error *err);
/* Newest first, as DescribeStackEvents answers. */
int lc_store_stack_event_list(struct lc_store *store, const char *stack_id,
                              int (*fn)(const struct lc_stack_event *ev, void *ud), void *ud,
                              struct lc_error *err);

/* ---- exports (Outputs with Export.Name), for Fn::ImportValue ---- */

/* LC_EEXISTS when another stack exports the name ("Export with name X is already exported by stack Y"). */
int lc_store_export_put(struct lc_store *store, const char *stack_id, const char *name,
                        const char *value, struct lc_error *err);
/* The value (caller frees with lc_free) or NULL when no stack exports it. */
char *lc_store_export_get(struct lc_store *store, const char *name);
/* Removes every export of the stack. */
int lc_store_export_clear(struct lc_store *store, const char *stack_id, struct lc_error *err);
/* Names of the stacks (other than `stack_id`) that import one of its exports: a comma-separated
 * list (caller frees) or NULL when none. The engine records imports with lc_store_import_put. */
char *lc_store_export_importers(struct lc_store *store, const char *stack_id);
int lc_store_import_put(struct lc_store *store, const char *stack_id, const char *export_name,
                        struct lc_error *err);
/* Forgets the stack's imports (when it is deleted). */
int lc_store_import_clear(struct lc_store *store, const char *stack_id, struct lc_error *err);

#endif
