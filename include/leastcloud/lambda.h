/*
 * lambda.h: running Lambda functions on the local cloud: a process supervisor plus the Lambda
 * Runtime API (/2018-06-01/runtime/...) that the function's runtime process polls.
 *
 * One supervisor per server. lc_lambda_invoke runs one invocation of a function (as the store
 * describes it, store_lambda.h) in a warm runtime process of that function if one is idle, else in
 * a new one: fork/exec in its own process group, with the environment Lambda sets (handler, region,
 * the execution role's temporary credentials from an STS session named after the function,
 * AWS_LAMBDA_RUNTIME_API, AWS_ENDPOINT_URL = the local cloud, the function's own variables).
 * Each process gets its own Runtime API listener on 127.0.0.1 (an ephemeral port) served by one
 * thread. Runtimes: nodejs* (node + src/lambda/runtime/node/bootstrap.js), python3* (python3 +
 * src/lambda/runtime/python/bootstrap.py), provided.* (the code's `bootstrap` executable).
 *
 * An invocation that outlives the function's timeout kills the process group and fails with
 * Lambda's "Task timed out after N.NN seconds". What the process prints is captured per
 * invocation, framed by START/END/REPORT lines, and appended to <state>/logs/lambda/<name>.log.
 *
 * Ownership: the supervisor borrows the store (it must outlive the supervisor); results are owned
 * by the caller and freed with lc_lambda_result_clean_up.
 */
#ifndef LEASTCLOUD_LAMBDA_H
#define LEASTCLOUD_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leastcloud/error.h"
#include "leastcloud/store_lambda.h"

struct lc_lambda_supervisor;

struct lc_lambda_options {
    const char *runtime_dir;   /* where node/bootstrap.js and python/bootstrap.py are; NULL = built-in
                                * default ($LEASTCLOUD_LAMBDA_RUNTIME_DIR, else the source tree's) */
    const char *node_path;     /* NODE_PATH for Node functions (the @aws-sdk v3 modules); NULL = default
                                * ($LEASTCLOUD_NODE_PATH, else the source tree's node_modules) */
    const char *log_dir;       /* NULL = <state>/logs/lambda */
    int64_t idle_ms;           /* a warm process idle this long is stopped at the next invocation of
                                * any function; 0 = $LEASTCLOUD_LAMBDA_IDLE_MS, else 15 minutes */
};

/* Creates a supervisor over `store` (borrowed). opts may be NULL. Caller frees with
 * lc_lambda_supervisor_destroy. */
int lc_lambda_supervisor_new(struct lc_store *store, const struct lc_lambda_options *opts,
                             struct lc_lambda_supervisor **out, struct lc_error *err);
/* Stops every runtime process (SIGKILL to its process group), waits for running and queued
 * invocations to end, and frees everything. NULL is a no-op. */
void lc_lambda_supervisor_destroy(struct lc_lambda_supervisor *sup);
/* Refuses new invocations and kills every runtime process, so that invocations in flight end now
 * (as Runtime.ExitError); for a server that is stopping. destroy must still be called. */
void lc_lambda_supervisor_interrupt(struct lc_lambda_supervisor *sup);
/* Runtime processes alive now (busy or warm). */
size_t lc_lambda_supervisor_processes(struct lc_lambda_supervisor *sup);

struct lc_lambda_invocation {
    const void *payload;         /* the event, usually JSON; may be NULL for "{}"-less empty events */
    size_t payload_len;
    const char *endpoint_url;    /* AWS_ENDPOINT_URL for a process started for this invocation */
    const char *client_context;  /* base64, passed through as Lambda-Runtime-Client-Context; may be NULL */
};

struct lc_lambda_result {
    char request_id[40];         /* the invocation's id (a UUID) */
    char *payload;               /* the function's result, or its error document; owned, NUL-terminated */
    size_t payload_len;
    bool function_error;         /* the payload is an error (X-Amz-Function-Error: Unhandled) */
    char *log;                   /* this invocation's log (START ... REPORT), owned */
    double duration_ms;
    bool cold_start;             /* a new process was started for it */
};
void lc_lambda_result_clean_up(struct lc_lambda_result *r);

/*
 * Runs one invocation of `fn` and waits for it (at most fn->timeout_s seconds of the function's
 * own time). A function that fails, crashes or times out is still a success of this call: the
 * result says function_error and carries Lambda's error document. Fails (non-zero, *err filled)
 * only when the function cannot be started: unknown runtime (InvalidRuntimeException), missing
 * handler file, a role that cannot be assumed, or a supervisor that is stopping.
 */
int lc_lambda_invoke(struct lc_lambda_supervisor *sup, const struct lc_lambda_function *fn,
                     const struct lc_lambda_invocation *inv, struct lc_lambda_result *out, struct lc_error *err);

/* Queues an asynchronous ("Event") invocation and returns at once; its outcome is only logged. */
int lc_lambda_invoke_async(struct lc_lambda_supervisor *sup, const struct lc_lambda_function *fn,
                           const struct lc_lambda_invocation *inv, struct lc_error *err);

/* The last 4 KB of an invocation's log, base64, as X-Amz-Log-Result carries it. Caller frees. */
char *lc_lambda_log_tail(const char *log);

/* Where `function`'s log file is (caller frees with lc_free). */
char *lc_lambda_log_path(const char *state_dir, const char *function);

#endif
