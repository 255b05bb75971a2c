/* run.h: one operation on one stack (create, update, delete, recover), shared by run.c and stack.c. */
#ifndef LC_DEPLOY_RUN_H
#define LC_DEPLOY_RUN_H

#include "deploy/internal.h"
#include "leastcloud/deploy.h"
#include "leastcloud/store_stacks.h"

struct lc_ddb;

struct lc_run {
    struct lc_store *store;
    const struct lc_deploy_options *opt;
    struct lc_ddb *ddb;
    struct lc_stack stack;        /* filled once the stack row exists */
    char *body;                   /* the template text as given */
    json_t *tmpl;                 /* the parsed template (NULL for delete/recover) */
    json_t *include;              /* set of logical ids whose Condition holds */
    struct lc_cfn_eval ev;
    json_t *live;                 /* logical id -> {"id": physical id, "attrs": {...}} */
    char *template_dir;           /* folder of the template file, for assets */
};

/* Sets up a run: opens DynamoDB and the store's tables; no template yet. */
int lc_run_init(struct lc_run *run, struct lc_store *store, const struct lc_deploy_options *opt,
                struct lc_error *err);
void lc_run_clear(struct lc_run *run);

/* Reads, parses and checks opt's template, resolves parameters, conditions and rules. Every problem
 * is reported at once (ValidationError); nothing in the state changes. */
int lc_run_prepare(struct lc_run *run, struct lc_error *err);

/* Records an event for the stack (logical_id NULL) or one of its resources, and tells opt->on_event. */
void lc_run_event(struct lc_run *run, const char *logical_id, const char *physical_id, const char *type,
                  const char *status, const char *reason);
/* The provider call context for one resource. */
struct lc_provider_call lc_run_call(struct lc_run *run, const char *logical_id, const char *type);

/* Loads the stack's resources into run->live. */
int lc_run_load_live(struct lc_run *run, struct lc_error *err);
/* Evaluates the outputs of the template and stores them (and their exports). */
int lc_run_outputs(struct lc_run *run, struct lc_error *err);

/* Sleeps LEASTCLOUD_DEPLOY_STEP_DELAY_MS milliseconds when set: lets tests kill -9 a deploy in the
 * middle. */
void lc_run_step_delay(void);

#endif
