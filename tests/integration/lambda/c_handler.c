/*
 * c_handler.c: a Lambda function written in C (runtime provided.al2023) for the integration tests.
 * It answers {"echo": <event>, "function": ..., "scan_status": N, "scan": <DynamoDB reply>}: the Scan of
 * $DYNAMO_TABLE_NAME is signed with the execution role's temporary credentials from the environment
 * and sent to $AWS_ENDPOINT_URL, as a C function on AWS would. An event {"fail": "message"} makes the
 * handler fail with errorType "CHandlerError".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "leastcloud/alloc.h"
#include "leastcloud/auth.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda_runtime.h"

static int s_scan(const char *table, int *status, struct lc_buf *reply, struct lc_error *err)
{
    char host[64];
    uint16_t port;
    if (lc_lambda_http_parse_endpoint(getenv("AWS_ENDPOINT_URL"), host, &port))
        return lc_error_set(err, LC_EINVAL, 0, "ConfigError", "AWS_ENDPOINT_URL is not http://host:port");
    char host_header[96], body[512];
    snprintf(host_header, sizeof host_header, "%s:%u", host, (unsigned)port);
    snprintf(body, sizeof body, "{\"TableName\":\"%s\"}", table);
    struct lc_auth_header h[] = {
        {lc_cur_from_str("host"), lc_cur_from_str(host_header)},
        {lc_cur_from_str("content-type"), lc_cur_from_str("application/x-amz-json-1.0")},
        {lc_cur_from_str("x-amz-target"), lc_cur_from_str("DynamoDB_20120810.Scan")},
    };
    struct lc_auth_request ar = {
        .method = lc_cur_from_str("POST"), .path = lc_cur_from_str("/"), .query = lc_cur_from_str(""),
        .headers = h, .header_count = 3, .payload = body, .payload_len = strlen(body),
    };
    struct lc_auth_sign_params p = {
        .access_key_id = getenv("AWS_ACCESS_KEY_ID"), .secret_access_key = getenv("AWS_SECRET_ACCESS_KEY"),
        .session_token = getenv("AWS_SESSION_TOKEN"), .region = getenv("AWS_REGION"), .service = "dynamodb",
        .time_ms = lc_clock_now_ms(), .normalize_path = true,
    };
    struct lc_auth_signature sig = {0};
    int rc = lc_auth_sign_header(&p, &ar, &sig, err);
    if (rc)
        return rc;
    struct lc_lambda_http_header hh[] = {
        {"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "DynamoDB_20120810.Scan"},
        {"X-Amz-Date", sig.amz_date}, {"Authorization", sig.authorization},
        {"X-Amz-Security-Token", p.session_token},
    };
    struct lc_lambda_http_response r;
    rc = lc_lambda_http_request(host, port, "POST", "/", hh, 5, body, strlen(body), 10000, &r, err);
    lc_auth_signature_clean_up(&sig);
    if (rc)
        return rc;
    *status = r.status;
    lc_buf_append(reply, r.body, r.body_len);
    lc_lambda_http_response_clean_up(&r);
    return 0;
}

static int s_handle(const struct lc_lambda_context *ctx, const char *event, size_t len, struct lc_buf *response,
                    struct lc_error *err)
{
    json_t *ev = json_loadb(event, len, 0, NULL);
    const char *fail = lc_json_str(ev, "fail");
    if (fail) {
        int rc = lc_error_set(err, LC_EINVAL, 0, "CHandlerError", "%s", fail);
        json_decref(ev);
        return rc;
    }
    printf("c handler %s invoked as %s\n", ctx->request_id, ctx->invoked_function_arn);
    fflush(stdout);
    int status = 0;
    struct lc_buf reply;
    lc_buf_init(&reply, LC_BUF_UNLIMITED);
    const char *table = getenv("DYNAMO_TABLE_NAME");
    int rc = table ? s_scan(table, &status, &reply, err) : 0;
    if (!rc) {
        json_t *scan = reply.len ? json_loadb(reply.data, reply.len, 0, NULL) : json_null();
        json_t *out = json_pack("{s:o, s:s, s:i, s:o}", "echo", ev ? json_incref(ev) : json_null(), "function",
                                ctx->function_name ? ctx->function_name : "", "scan_status", status, "scan",
                                scan ? scan : json_null());
        char *text = lc_json_stringify(out, 0);
        lc_buf_append_str(response, text);
        lc_free(text);
        json_decref(out);
    }
    lc_buf_free(&reply);
    json_decref(ev);
    return rc;
}

int main(void)
{
    return lc_lambda_runtime_main(s_handle, NULL);
}
