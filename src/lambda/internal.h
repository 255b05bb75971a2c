/* internal.h: what the files of src/lambda/ share (not part of the public API; unit tests use it). */
#ifndef LC_LAMBDA_INTERNAL_H
#define LC_LAMBDA_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "leastcloud/buf.h"
#include "leastcloud/lambda.h"
#include "leastcloud/store_iam.h"

/* ------------------------------------------------------------------ runtimes (runtime.c) */

enum lc__lambda_kind { LC__LAMBDA_NODE, LC__LAMBDA_PYTHON, LC__LAMBDA_PROVIDED, LC__LAMBDA_UNKNOWN };

/* "nodejs14.x", "nodejs20.x" -> NODE; "python3.12" -> PYTHON; "provided.al2023" -> PROVIDED. */
enum lc__lambda_kind lc__lambda_kind(const char *runtime);

/* A NULL-terminated environment array; each entry "NAME=value". */
struct lc__lambda_env {
    char **vars;
    size_t n, cap;
};
/* Sets (replacing an existing NAME) one variable. */
void lc__lambda_env_set(struct lc__lambda_env *e, const char *name, const char *value);
/* The value of NAME or NULL (borrowed). */
const char *lc__lambda_env_get(const struct lc__lambda_env *e, const char *name);
void lc__lambda_env_free(struct lc__lambda_env *e);

struct lc__lambda_env_inputs {
    const struct lc_lambda_function *fn;
    const struct lc_store_key *creds;   /* the execution role's session */
    const char *region;
    const char *runtime_api;            /* "127.0.0.1:PORT" */
    const char *endpoint_url;           /* may be NULL */
    const char *runtime_dir;            /* this runtime's bootstrap folder */
    const char *node_path;
};
/* The environment Lambda gives a runtime process: the function's own variables first, then the
 * reserved ones (which a function cannot override, as on AWS). LC_EINVAL when the function's
 * environment is not a JSON object of strings. */
int lc__lambda_env_build(const struct lc__lambda_env_inputs *in, struct lc__lambda_env *out, struct lc_error *err);

/* The program and arguments that start the runtime (NULL-terminated, caller frees with
 * lc__lambda_argv_free). For provided.* a missing `bootstrap` is reported as AWS's function error
 * (returns LC_ENOTFOUND with aws_code "Runtime.InvalidEntrypoint"). */
int lc__lambda_argv(enum lc__lambda_kind kind, const char *runtime_dir, const char *code_dir, char ***argv,
                    struct lc_error *err);
void lc__lambda_argv_free(char **argv);
/* Searches $PATH for an executable; caller frees. */
char *lc__lambda_which(const char *name);

/* ------------------------------------------------------------------ logs (logs.c) */

/* "RequestId: <id> Error: Task timed out after 10.00 seconds" document and log line. */
char *lc__lambda_timeout_error(const char *request_id, double timeout_s);
/* {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited ..."}. */
char *lc__lambda_exit_error(const char *request_id, int wait_status);
/* The framed log of one invocation: START, what the process printed, END, REPORT. */
char *lc__lambda_log_frame(const char *request_id, const char *output, size_t output_len, double duration_ms,
                           int memory_mb, int max_memory_mb, double init_ms);
/* A random UUID v4. */
void lc__lambda_uuid(char out[37]);

/* ------------------------------------------------------------------ the Runtime API (instance.c) */

enum lc__inv_state { LC__INV_PENDING, LC__INV_DELIVERED, LC__INV_DONE };

struct lc__invocation {
    char id[37];
    const char *payload;
    size_t payload_len;
    int64_t timeout_ms;         /* the function's own time, counted from delivery */
    int64_t deadline_ms;        /* set when the runtime takes it: delivered_ms + timeout_ms */
    int64_t delivered_ms;
    const char *function_arn;
    const char *client_context;
    char trace_id[96];
    enum lc__inv_state state;
    bool error;
    struct lc_buf result;
};

/* One runtime process and its Runtime API listener. Fields below `mu` in the supervisor. */
struct lc__instance {
    pthread_mutex_t *mu;        /* the supervisor's */
    pthread_cond_t *cond;       /* the supervisor's; broadcast when an invocation changes state */
    char *function;
    char *code_sha;
    char *role;
    int64_t last_modified_ms;
    pid_t pid;
    int listen_fd;
    uint16_t port;
    int wake[2];
    int out_fd;                 /* read end of the process's stdout+stderr */
    pthread_t thread;
    bool thread_started;
    bool stopping;
    bool busy;
    bool dead;
    bool used;                  /* served at least one invocation */
    int64_t idle_since_ms;      /* when it last finished an invocation */
    struct lc__invocation *inv;
    struct lc_buf output;       /* what the process printed since the last invocation ended */
    struct lc_buf init_error;   /* body of POST /init/error, if any */
    struct lc__instance *next;
};

/* Opens the listener on 127.0.0.1:0 and the wake pipe (no thread yet). */
int lc__instance_listen(struct lc__instance *in, struct lc_error *err);
/* Starts the thread that serves the Runtime API and collects the process's output. */
int lc__instance_start(struct lc__instance *in, struct lc_error *err);
/* Wakes the thread (an invocation was queued, or it must stop). */
void lc__instance_wake(struct lc__instance *in);
/* Stops and joins the thread, closes every descriptor. The process must be gone already. */
void lc__instance_close(struct lc__instance *in);

/* Parses one HTTP/1.1 request at the start of data[0..len). Returns the bytes it spans when complete,
 * 0 when more bytes are needed, -1 when it is malformed. */
struct lc__http_req {
    char method[8];
    char target[512];
    size_t body_off;
    size_t body_len;
    bool close;                 /* Connection: close */
};
long lc__http_parse_request(const char *data, size_t len, struct lc__http_req *out);

#endif
