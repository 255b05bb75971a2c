/* runtime.c: the Runtime API client loop for Lambda functions written in C (lambda_runtime.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda_runtime.h"
#include "leastcloud/str.h"

#define RUNTIME_PREFIX "/2018-06-01/runtime"

struct s_api {
    char host[64];
    uint16_t port;
};

static int s_post(const struct s_api *api, const char *target, const char *content_type, const char *body,
                  size_t len, const char *error_type)
{
    struct lc_lambda_http_header h[2] = {{"Content-Type", content_type}};
    size_t n = 1;
    if (error_type)
        h[n++] = (struct lc_lambda_http_header){"Lambda-Runtime-Function-Error-Type", error_type};
    struct lc_lambda_http_response r;
    struct lc_error err;
    int rc = lc_lambda_http_request(api->host, api->port, "POST", target, h, n, body, len, 0, &r, &err);
    if (rc) {
        fprintf(stderr, "lambda runtime: POST %s: %s\n", target, err.message);
        return rc;
    }
    rc = r.status == 202 || r.status == 200 ? 0 : LC_EIO;
    lc_lambda_http_response_clean_up(&r);
    return rc;
}

/* {"errorType":..., "errorMessage":..., "trace":[]} as AWS's runtimes report errors. */
static char *s_error_json(const char *type, const char *message)
{
    json_t *o = json_pack("{s:s, s:s, s:[]}", "errorType", type, "errorMessage", message, "trace");
    char *s = lc_json_stringify(o, 0);
    json_decref(o);
    return s;
}

static int s_serve_one(const struct s_api *api, lc_lambda_handler_fn handler, void *user_data)
{
    struct lc_lambda_http_response next;
    struct lc_error err;
    int rc = lc_lambda_http_request(api->host, api->port, "GET", RUNTIME_PREFIX "/invocation/next", NULL, 0, NULL, 0,
                                    0, &next, &err);
    if (rc)
        return rc;
    if (next.status != 200) {
        lc_lambda_http_response_clean_up(&next);
        return LC_EIO;
    }
    const char *id = lc_lambda_http_header(&next, "Lambda-Runtime-Aws-Request-Id");
    const char *deadline = lc_lambda_http_header(&next, "Lambda-Runtime-Deadline-Ms");
    const char *trace = lc_lambda_http_header(&next, "Lambda-Runtime-Trace-Id");
    int64_t deadline_ms = 0;
    if (deadline)
        lc_parse_i64(deadline, &deadline_ms);
    struct lc_lambda_context ctx = {
        .request_id = id ? id : "",
        .invoked_function_arn = lc_lambda_http_header(&next, "Lambda-Runtime-Invoked-Function-Arn"),
        .trace_id = trace ? trace : "",
        .deadline_ms = deadline_ms,
        .function_name = getenv("AWS_LAMBDA_FUNCTION_NAME"),
        .user_data = user_data,
    };
    if (!ctx.invoked_function_arn)
        ctx.invoked_function_arn = "";
    if (trace)
        setenv("_X_AMZN_TRACE_ID", trace, 1);
    struct lc_buf out;
    lc_buf_init(&out, LC_BUF_UNLIMITED);
    lc_error_clear(&err);
    int hrc = handler(&ctx, next.body, next.body_len, &out, &err);
    char target[256];
    if (hrc == 0) {
        snprintf(target, sizeof target, RUNTIME_PREFIX "/invocation/%s/response", ctx.request_id);
        rc = s_post(api, target, "application/json", out.data ? out.data : "", out.len, NULL);
    } else {
        const char *type = err.aws_code[0] ? err.aws_code : "Error";
        char *body = s_error_json(type, err.message[0] ? err.message : "handler failed");
        snprintf(target, sizeof target, RUNTIME_PREFIX "/invocation/%s/error", ctx.request_id);
        rc = s_post(api, target, "application/json", body, strlen(body), type);
        lc_free(body);
    }
    lc_buf_free(&out);
    lc_lambda_http_response_clean_up(&next);
    return rc;
}

int lc_lambda_runtime_main(lc_lambda_handler_fn handler, void *user_data)
{
    struct s_api api;
    const char *where = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!where || lc_lambda_http_parse_endpoint(where, api.host, &api.port)) {
        fprintf(stderr, "lambda runtime: AWS_LAMBDA_RUNTIME_API is not set to host:port\n");
        return 1;
    }
    /* Like AWS's runtime clients: keep serving; a failed POST is logged and the loop goes on, but a
     * Runtime API that no longer answers means Lambda is shutting this environment down. */
    int failures = 0;
    while (failures < 3) {
        if (s_serve_one(&api, handler, user_data) == 0)
            failures = 0;
        else
            failures++;
    }
    return failures ? 1 : 0;
}
