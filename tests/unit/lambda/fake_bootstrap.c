/*
 * fake_bootstrap.c: a provided.* runtime for the supervisor's unit tests, built on the C runtime
 * client (lambda_runtime.h). The event says what to do:
 *   {"sleep_ms": N}  sleep, then answer     {"exit": N}    exit with status N mid-invocation
 *   {"fail": "msg"}  a handler error        {"print": "s"} print s on stdout, then answer
 *   {"big": N}       answer N bytes
 * and the answer reports what the process saw: {"pid", "function", "arn", "key", "token", "endpoint",
 * "api", "root", "handler", "region", "deadline_ok", "event"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda_runtime.h"

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v ? v : "";
}

static int s_handle(const struct lc_lambda_context *ctx, const char *event, size_t len, struct lc_buf *response,
                    struct lc_error *err)
{
    json_t *ev = json_loadb(event, len, 0, NULL);
    json_int_t sleep_ms = json_integer_value(json_object_get(ev, "sleep_ms"));
    json_t *ex = json_object_get(ev, "exit");
    const char *fail = lc_json_str(ev, "fail");
    const char *print = lc_json_str(ev, "print");
    if (sleep_ms > 0) {
        struct timespec ts = {(time_t)(sleep_ms / 1000), (long)(sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (ex)
        exit((int)json_integer_value(ex));
    if (fail) {
        int rc = lc_error_set(err, LC_EINVAL, 0, "FakeError", "%s", fail);
        json_decref(ev);
        return rc;
    }
    json_int_t big = json_integer_value(json_object_get(ev, "big"));
    if (big > 0) {
        for (json_int_t i = 0; i < big; i++)
            lc_buf_append_byte(response, 'x');
        json_decref(ev);
        return 0;
    }
    if (print) {
        printf("%s\n", print);
        fflush(stdout);
    }
    json_t *out = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:O}", "pid", (int)getpid(),
                            "function", ctx->function_name ? ctx->function_name : "", "arn", ctx->invoked_function_arn,
                            "key", s_env("AWS_ACCESS_KEY_ID"), "token", s_env("AWS_SESSION_TOKEN"), "endpoint",
                            s_env("AWS_ENDPOINT_URL"), "api", s_env("AWS_LAMBDA_RUNTIME_API"), "root",
                            s_env("LAMBDA_TASK_ROOT"), "handler", s_env("_HANDLER"), "region", s_env("AWS_REGION"),
                            "deadline_ok", ctx->deadline_ms > lc_clock_now_ms(), "event", ev ? ev : json_null());
    char *text = lc_json_stringify(out, 0);
    lc_buf_append_str(response, text);
    lc_free(text);
    json_decref(out);
    json_decref(ev);
    return 0;
}

int main(void)
{
    return lc_lambda_runtime_main(s_handle, NULL);
}
