/*
 * lambda_runtime.h: Lambda functions written in C (runtime "provided.*"), and the small HTTP/1.1
 * client they and the `leastcloud` command use to talk to 127.0.0.1.
 *
 * A C function is a program named `bootstrap` in the function's code directory:
 *
 *     static int handle(const struct lc_lambda_context *ctx, const char *event, size_t len,
 *                       struct lc_buf *response, struct lc_error *err)
 *     {
 *         return lc_buf_append(response, event, len);          // echo
 *     }
 *     int main(void) { return lc_lambda_runtime_main(handle, NULL); }
 *
 * lc_lambda_runtime_main talks to the Lambda Runtime API named by $AWS_LAMBDA_RUNTIME_API
 * (GET /2018-06-01/runtime/invocation/next, POST .../response, .../error), exactly as AWS's own
 * runtime clients do, so the same program runs on AWS Lambda. A handler that returns non-zero is
 * reported as a function error: errorType = err->aws_code (or "Error"), errorMessage = err->message.
 *
 * Ownership: everything passed to a handler is borrowed for the duration of the call; the response
 * buffer is owned by the runtime (append to it, never free it). lc_lambda_http_request's response is
 * owned by the caller: free it with lc_lambda_http_response_clean_up.
 */
#ifndef LEASTCLOUD_LAMBDA_RUNTIME_H
#define LEASTCLOUD_LAMBDA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "leastcloud/buf.h"
#include "leastcloud/error.h"

/* What Lambda tells a handler about the invocation (the Runtime API's headers). */
struct lc_lambda_context {
    const char *request_id;            /* Lambda-Runtime-Aws-Request-Id */
    const char *invoked_function_arn;  /* Lambda-Runtime-Invoked-Function-Arn */
    const char *trace_id;              /* Lambda-Runtime-Trace-Id, "" when absent */
    int64_t deadline_ms;               /* Lambda-Runtime-Deadline-Ms, Unix epoch milliseconds */
    const char *function_name;         /* $AWS_LAMBDA_FUNCTION_NAME */
    void *user_data;                   /* as given to lc_lambda_runtime_main */
};

/* Returns 0 with the result (usually JSON) appended to `response`, or non-zero with *err filled. */
typedef int (*lc_lambda_handler_fn)(const struct lc_lambda_context *ctx, const char *event, size_t event_len,
                                    struct lc_buf *response, struct lc_error *err);

/*
 * Serves invocations until the Runtime API goes away (the process is then stopped by Lambda).
 * Returns 1 when $AWS_LAMBDA_RUNTIME_API is unset or unreachable at start (after reporting an
 * init error when it can), so it can be main's return value.
 */
int lc_lambda_runtime_main(lc_lambda_handler_fn handler, void *user_data);

/* ------------------------------------------------------------------ a minimal HTTP/1.1 client */

struct lc_lambda_http_header {
    const char *name;
    const char *value;
};

#define LC_LAMBDA_HTTP_MAX_HEADERS 32

struct lc_lambda_http_response {
    int status;
    struct lc_lambda_http_header headers[LC_LAMBDA_HTTP_MAX_HEADERS]; /* point into `raw` */
    size_t n_headers;
    char *body;          /* NUL-terminated (not counted in body_len); points into raw */
    size_t body_len;
    char *raw;           /* owned */
};

/*
 * One request over a fresh connection (Connection: close) to host:port, which must be a numeric
 * IPv4 address. `target` is the path plus query. Content-Length is added from body_len. Waits at
 * most timeout_ms for the whole exchange (0 = no limit). LC_EIO when the connection fails or the
 * reply is not HTTP; LC_ELIMIT when the reply exceeds 64 MiB.
 */
int lc_lambda_http_request(const char *host, uint16_t port, const char *method, const char *target,
                           const struct lc_lambda_http_header *headers, size_t n_headers, const void *body,
                           size_t body_len, int timeout_ms, struct lc_lambda_http_response *out,
                           struct lc_error *err);
/* The first header named `name` (case-insensitive), or NULL. Borrowed from the response. */
const char *lc_lambda_http_header(const struct lc_lambda_http_response *r, const char *name);
void lc_lambda_http_response_clean_up(struct lc_lambda_http_response *r);

/* Splits "http://127.0.0.1:4566" or "127.0.0.1:9001" into host and port (default 80).
 * LC_EINVAL for other shapes. host must hold 64 bytes. */
int lc_lambda_http_parse_endpoint(const char *url, char host[64], uint16_t *port);

#endif
