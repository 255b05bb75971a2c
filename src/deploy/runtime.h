/* runtime.h: Lambda runtimes' lifecycle dates (runtime_table.c is generated from cfn-lint's data by
 * scripts/cfn-gen-runtime-table.py). */
#ifndef LC_DEPLOY_RUNTIME_H
#define LC_DEPLOY_RUNTIME_H

#include <stddef.h>

struct lc_lambda_runtime_life {
    const char *name;
    const char *deprecated;    /* "YYYY-MM-DD" */
    const char *create_block;  /* from this day AWS refuses new functions on the runtime */
    const char *update_block;  /* from this day AWS refuses updates too */
};

extern const struct lc_lambda_runtime_life lc_lambda_runtime_lives[];
extern const size_t lc_lambda_runtime_lives_count;

/* The lifecycle of `runtime`, or NULL for a current runtime with no dates. */
const struct lc_lambda_runtime_life *lc_lambda_runtime_life(const char *runtime);

#endif
