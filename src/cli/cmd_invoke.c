/*
 * cmd_invoke.c: `leastcloud invoke FUNCTION [--payload JSON] [--tail] [--event] [--json]`: one Lambda
 * Invoke through the running local cloud at --endpoint-url, signed with the account's root
 * credentials from the state, as `aws lambda invoke` would send it.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "leastcloud/alloc.h"
#include "leastcloud/auth.h"
#include "leastcloud/clock.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda_runtime.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"

#define INVOKE_TIMEOUT_MS (16 * 60 * 1000) /* Lambda's longest timeout, 15 minutes, plus slack */

static int s_usage(void)
{
    return lc_cli_usage_error("invoke", "usage: leastcloud invoke FUNCTION [--payload JSON] [--tail] [--event] [--json]");
}

struct s_args {
    const char *function;
    const char *payload;
    bool tail;
    bool event;
};

static int s_parse(int argc, char **argv, struct s_args *a)
{
    memset(a, 0, sizeof *a);
    a->payload = "{}";
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--payload") && v) {
            a->payload = v;
            i++;
        } else if (!strcmp(argv[i], "--tail") || !strcmp(argv[i], "--log-type=Tail")) {
            a->tail = true;
        } else if (!strcmp(argv[i], "--log-type") && v) {
            a->tail = !strcmp(v, "Tail");
            i++;
        } else if (!strcmp(argv[i], "--event")) {
            a->event = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: leastcloud invoke FUNCTION [--payload JSON] [--tail] [--event] [--json]\n"
                   "runs FUNCTION on the local cloud at --endpoint-url and prints its result;\n"
                   "--tail also prints the invocation's log (to stderr, or as LogResult with --json)\n");
            return 1;
        } else if (argv[i][0] == '-' || a->function) {
            return s_usage();
        } else {
            a->function = argv[i];
        }
    }
    return a->function ? 0 : s_usage();
}

/* Signs and sends the request; the reply is the caller's. */
static int s_send(const struct lc_cli *cli, const struct lc_store_key *key, const char *region,
                  const struct s_args *a, struct lc_lambda_http_response *out, struct lc_error *err)
{
    char host[64];
    uint16_t port;
    if (lc_lambda_http_parse_endpoint(cli->endpoint_url, host, &port))
        return lc_error_set(err, LC_EINVAL, 0, NULL, "--endpoint-url %s is not http://HOST:PORT", cli->endpoint_url);
    char host_header[96];
    snprintf(host_header, sizeof host_header, "%s:%u", host, (unsigned)port);
    char *path = lc_asprintf("/2015-03-31/functions/%s/invocations", a->function);
    const char *type = a->event ? "Event" : "RequestResponse";
    struct lc_auth_header h[] = {
        {lc_cur_from_str("host"), lc_cur_from_str(host_header)},
        {lc_cur_from_str("content-type"), lc_cur_from_str("application/json")},
        {lc_cur_from_str("x-amz-invocation-type"), lc_cur_from_str(type)},
        {lc_cur_from_str("x-amz-log-type"), lc_cur_from_str(a->tail ? "Tail" : "None")},
    };
    struct lc_auth_request ar = {
        .method = lc_cur_from_str("POST"), .path = lc_cur_from_str(path), .query = lc_cur_from_str(""),
        .headers = h, .header_count = sizeof h / sizeof h[0], .payload = a->payload,
        .payload_len = strlen(a->payload),
    };
    struct lc_auth_sign_params p = {
        .access_key_id = key->key_id, .secret_access_key = key->secret, .region = region, .service = "lambda",
        .time_ms = lc_clock_now_ms(), .normalize_path = true, .double_encode_path = true,
    };
    struct lc_auth_signature sig = {0};
    int rc = lc_auth_sign_header(&p, &ar, &sig, err);
    if (!rc) {
        struct lc_lambda_http_header hh[] = {
            {"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", type},
            {"X-Amz-Log-Type", a->tail ? "Tail" : "None"}, {"X-Amz-Date", sig.amz_date},
            {"Authorization", sig.authorization},
        };
        rc = lc_lambda_http_request(host, port, "POST", path, hh, sizeof hh / sizeof hh[0], a->payload,
                                    strlen(a->payload), INVOKE_TIMEOUT_MS, out, err);
        if (rc)
            lc_error_prefix(err, "is `leastcloud serve` running at %s?", cli->endpoint_url);
    }
    lc_auth_signature_clean_up(&sig);
    lc_free(path);
    return rc;
}

static char *s_decode_log(const char *b64)
{
    size_t n = 0;
    uint8_t *raw = b64 ? lc_base64_decode(b64, strlen(b64), &n) : NULL;
    if (!raw)
        return NULL;
    char *s = lc_strndup((const char *)raw, n);
    lc_free(raw);
    return s;
}

static int s_print(const struct lc_cli *cli, const struct s_args *a, const struct lc_lambda_http_response *r)
{
    const char *fn_error = lc_lambda_http_header(r, "X-Amz-Function-Error");
    char *log = s_decode_log(lc_lambda_http_header(r, "X-Amz-Log-Result"));
    if (r->status >= 300) {
        json_t *e = json_loadb(r->body, r->body_len, 0, NULL);
        const char *type = lc_lambda_http_header(r, "x-amzn-ErrorType");
        const char *msg = lc_json_str(e, "message");
        if (!msg)
            msg = lc_json_str(e, "Message");
        if (cli->json)
            printf("{\"StatusCode\":%d,\"Error\":{\"Code\":\"%s\"},\"Body\":%.*s}\n", r->status, type ? type : "",
                   (int)r->body_len, r->body_len ? r->body : "null");
        fprintf(stderr, "leastcloud invoke: %s: %s\n", type ? type : "error", msg ? msg : r->body);
        json_decref(e);
        lc_free(log);
        return LC_EXIT_FAIL;
    }
    if (cli->json) {
        json_t *o = json_pack("{s:i, s:s}", "StatusCode", r->status, "ExecutedVersion", "$LATEST");
        if (fn_error)
            json_object_set_new(o, "FunctionError", json_string(fn_error));
        if (r->body_len) {
            json_t *payload = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
            json_object_set_new(o, "Payload", payload ? payload : json_stringn(r->body, r->body_len));
        }
        if (log)
            json_object_set_new(o, "LogResult", json_string(log));
        char *text = lc_json_stringify(o, 2);
        printf("%s\n", text);
        lc_free(text);
        json_decref(o);
    } else {
        if (log)
            fputs(log, stderr);
        if (r->body_len)
            printf("%.*s\n", (int)r->body_len, r->body);
        else if (a->event)
            fprintf(stderr, "leastcloud invoke: queued %s (event)\n", a->function);
        if (fn_error)
            fprintf(stderr, "leastcloud invoke: %s failed (%s)\n", a->function, fn_error);
    }
    lc_free(log);
    return fn_error ? LC_EXIT_FAIL : LC_EXIT_OK;
}

int lc_cli_invoke(const struct lc_cli *cli, int argc, char **argv)
{
    struct s_args a;
    int prc = s_parse(argc, argv, &a);
    if (prc == 1)
        return LC_EXIT_OK;
    if (prc)
        return prc;
    struct lc_error err;
    struct lc_store *store;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud invoke: cannot open the state in %s: %s\n", cli->state_dir, err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_store_key key;
    int rc = lc_store_root_key(store, &key, &err);
    char region[64];
    snprintf(region, sizeof region, "%s", lc_store_region(store));
    lc_store_close(store);
    if (rc) {
        fprintf(stderr, "leastcloud invoke: no root credentials in %s: %s\n", cli->state_dir, err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_lambda_http_response r;
    if (s_send(cli, &key, region, &a, &r, &err) != 0) {
        fprintf(stderr, "leastcloud invoke: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    int status = s_print(cli, &a, &r);
    lc_lambda_http_response_clean_up(&r);
    return status;
}
