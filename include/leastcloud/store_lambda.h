/*
 * store_lambda.h: Lambda functions in the state (store domain "lambda_fn"): configuration, where the
 * code lives on disk, and the resource-based policy statements (AWS::Lambda::Permission / AddPermission).
 *
 * The deploy engine writes functions; the Lambda engine and API read them. Code is kept as an
 * unpacked directory under the state directory (<state>/lambda/<name>/<code sha>/), so a runtime can
 * start the handler straight from it.
 *
 * struct lc_lambda_function owns its `char *` members: free with lc_lambda_function_clear.
 */
#ifndef LEASTCLOUD_STORE_LAMBDA_H
#define LEASTCLOUD_STORE_LAMBDA_H

#include "leastcloud/store.h"

#include <stdint.h>

struct lc_lambda_function {
    char *name;          /* FunctionName */
    char *arn;           /* arn:aws:lambda:<region>:<acct>:function:<name> */
    char *runtime;       /* "nodejs14.x", "python3.12", "provided.al2023", ... */
    char *handler;       /* "index.handler" */
    char *role;          /* execution role ARN */
    char *description;
    char *environment;   /* JSON object of environment variables ({} when none) */
    char *code_dir;      /* absolute path of the unpacked code */
    char *code_sha256;   /* base64 SHA-256 over the code, as Lambda's CodeSha256 */
    char *architecture;  /* "x86_64" or "arm64" */
    char *config;        /* the full CloudFormation properties, JSON, for what is not broken out */
    int timeout_s;       /* default 3 */
    int memory_mb;       /* default 128 */
    int64_t code_size;
    int64_t last_modified_ms;
};
void lc_lambda_function_clear(struct lc_lambda_function *f);

int lc_store_lambda_migrate(struct lc_store *store, struct lc_error *err);
/* Inserts or replaces the function named f->name. */
int lc_store_lambda_put(struct lc_store *store, const struct lc_lambda_function *f,
                        struct lc_error *err);
/* By name or ARN. LC_ENOTFOUND (ResourceNotFoundException, 404, "Function not found: <arn>"). */
int lc_store_lambda_get(struct lc_store *store, const char *name_or_arn, struct lc_lambda_function *out,
                        struct lc_error *err);
/* Deletes the function and its permissions (not its code directory: see code_dir). */
int lc_store_lambda_delete(struct lc_store *store, const char *name, struct lc_error *err);
int lc_store_lambda_list(struct lc_store *store,
                         int (*fn)(const struct lc_lambda_function *f, void *ud), void *ud,
                         struct lc_error *err);

/* Resource-based policy statements. LC_EEXISTS (ResourceConflictException) when the sid is taken. */
int lc_store_lambda_permission_add(struct lc_store *store, const char *function_name, const char *sid,
                                   const char *statement_json, struct lc_error *err);
int lc_store_lambda_permission_remove(struct lc_store *store, const char *function_name,
                                      const char *sid, struct lc_error *err);
/* The function's policy document ({"Version":"2012-10-17","Id":"default","Statement":[...]}),
 * caller frees with lc_free; NULL when it has no statement. */
char *lc_store_lambda_policy(struct lc_store *store, const char *function_name);

#endif
