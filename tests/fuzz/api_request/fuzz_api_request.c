/*
 * fuzz_api_request.c: libFuzzer target for the server's request handling short of the network:
 * routing (X-Amz-Target, Action= forms, query strings, paths, credential scopes), percent-decoding,
 * JSON body checks, SigV4 parsing up to the key lookup, and error rendering in every protocol.
 *
 * Input: "METHOD PATH[?QUERY]\n" then "Name: value\n" header lines, a blank line, then the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/log.h"
#include "leastcloud/store.h"

static int s_op(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/t", NULL, 0, err);
    if (!rc)
        lc_buf_append_str(&call->resp->body, "{}");
    return rc;
}

static const struct lc_api_operation s_json_ops[] = {{"GetItem", s_op, 0}};
static const struct lc_api_operation s_query_ops[] = {{"GetUser", s_op, 0}, {"ListUsers", s_op, LC_API_OP_NO_RESULT}};
static const struct lc_api_operation *s_rest_route(const struct lc_api_service *svc, struct lc_api_request *req)
{
    if (req->n_path_params < 4)
        req->path_params[req->n_path_params++] = lc__api_pct_decode(req->path, strlen(req->path), false);
    return strstr(req->path, "/functions/") ? &svc->ops[0] : NULL;
}
static const struct lc_api_service s_json = {.name = "dynamodb", .protocol = LC_API_JSON,
    .target_prefix = "DynamoDB_20120810", .max_body = 1 << 16, .coral_ids = true, .ops = s_json_ops, .n_ops = 1};
static const struct lc_api_service s_query = {.name = "iam", .protocol = LC_API_QUERY,
    .xml_namespace = "https://iam.amazonaws.com/doc/2010-05-08/", .ops = s_query_ops, .n_ops = 2};
static const struct lc_api_service s_rest = {.name = "lambda", .protocol = LC_API_REST_JSON,
    .path_prefix = "/2015-03-31/", .ops = s_json_ops, .n_ops = 1, .route = s_rest_route};
static const struct lc_api_service *const s_services[] = {&s_json, &s_query, &s_rest, NULL};

static struct lc_store *s_store;
static struct lc_api_pipeline *s_pipeline;

static void s_init(void)
{
    char tmpl[] = "/tmp/lc_fuzz_api_XXXXXX";
    char *dir = mkdtemp(tmpl);
    struct lc_error err;
    lc_log_set_level(LC_LOG_ERROR);
    lc_api_services = s_services;
    if (!dir || lc_store_open(dir, NULL, &s_store, &err) || lc__api_pipeline_new(s_store, &s_pipeline, &err)) {
        fprintf(stderr, "fuzz setup failed\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s_pipeline)
        s_init();
    char *text = lc_strndup((const char *)data, size);
    size_t len = strlen(text); /* NULs end the request line/headers; the body may hold none */
    char *cursor = text, *line_end = strchr(cursor, '\n');
    if (!line_end) {
        lc_free(text);
        return 0;
    }
    *line_end = '\0';
    char *sp = strchr(cursor, ' ');
    const char *method = "POST", *target = cursor;
    if (sp) {
        *sp = '\0';
        method = cursor;
        target = sp + 1;
    }
    char *path = lc_strdup(target), *q = strchr(path, '?');
    const char *query = "";
    if (q) {
        *q = '\0';
        query = q + 1;
    }
    struct lc_auth_header headers[32];
    size_t n = 0;
    cursor = line_end + 1;
    while (cursor < text + len) {
        line_end = strchr(cursor, '\n');
        if (!line_end)
            line_end = text + len;
        *line_end = '\0';
        if (cursor == line_end) {
            cursor++;
            break;
        }
        char *colon = strchr(cursor, ':');
        if (colon && n < 32) {
            headers[n].name = lc_cur_make(cursor, (size_t)(colon - cursor));
            headers[n].value = lc_cur_from_str(colon + 1);
            n++;
        }
        cursor = line_end + 1;
    }
    const char *body = cursor < text + len ? cursor : "";
    size_t body_len = cursor < text + len ? (size_t)(text + len - cursor) : 0;
    struct lc_api_http in = {.method = method, .path = path, .query = query, .headers = headers,
                             .header_count = n, .body = body, .body_len = body_len,
                             .body_received = body_len, .source_ip = "127.0.0.1"};
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    lc__api_handle(s_pipeline, &in, &resp);
    if (resp.status < 200 || resp.status > 599 || !resp.content_type)
        abort();
    lc__api_response_clean_up(&resp);
    lc_free(path);
    lc_free(text);
    return 0;
}
