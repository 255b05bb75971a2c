/*
 * api_fixture.h: a pipeline over a fresh state directory with fake services, and signed requests.
 * The fake services stand in for real ones so that these tests exercise the pipeline alone.
 */
#ifndef API_FIXTURE_H
#define API_FIXTURE_H

#include "lc_test.h"

#include <ftw.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/store_iam.h"

#define FX_TABLE_ARN "arn:aws:dynamodb:us-east-1:000000000000:table/t"

/* DynamoDB-like: GetItem authorizes on the table (with one LeadingKeys value from "pk"), Sloppy
 * forgets to authorize. */
static inline int fx_get_item(struct lc_api_call *call, struct lc_error *err)
{
    const char *pk = lc_json_str(call->req->json, "pk");
    struct lc_api_condition c = {"dynamodb:LeadingKeys", pk ? pk : ""};
    int rc = lc_api_authorize(call, "dynamodb:GetItem", FX_TABLE_ARN, &c, pk ? 1 : 0, err);
    if (rc)
        return rc;
    json_t *o = json_pack("{s:s}", "caller", call->caller->arn);
    rc = lc_api_reply_json(call->resp, o);
    json_decref(o);
    return rc;
}

static inline int fx_batch(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "dynamodb:BatchGetItem", FX_TABLE_ARN, NULL, 0, err);
    if (!rc)
        rc = lc_api_authorize(call, "dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/u",
                              NULL, 0, err);
    if (!rc)
        lc_buf_append_str(&call->resp->body, "{}");
    return rc;
}

static inline int fx_sloppy(struct lc_api_call *call, struct lc_error *err)
{
    lc_buf_append_str(&call->resp->body, "{}");
    return 0;
}

static inline int fx_get_user(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "UserName");
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:iam::000000000000:user/%s", name ? name : "");
    int rc = lc_api_authorize(call, "iam:GetUser", arn, NULL, 0, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "    <User>\n      ");
    lc_api_xml_elem(&call->resp->body, "UserName", name);
    lc_buf_append_str(&call->resp->body, "\n    </User>");
    return 0;
}

static inline int fx_whoami(struct lc_api_call *call, struct lc_error *err)
{
    lc_api_xml_elem(&call->resp->body, "Arn", call->caller->arn);
    return 0;
}

static const struct lc_api_operation fx_ddb_ops[] = {
    {"GetItem", fx_get_item, 0},
    {"BatchGetItem", fx_batch, 0},
    {"Sloppy", fx_sloppy, 0},
};
static const struct lc_api_service fx_ddb = {
    .name = "dynamodb", .protocol = LC_API_JSON, .target_prefix = "DynamoDB_20120810",
    .content_type = "application/x-amz-json-1.0", .max_body = 4096, .coral_ids = true,
    .ops = fx_ddb_ops, .n_ops = 3,
};
static const struct lc_api_operation fx_iam_ops[] = {
    {"GetUser", fx_get_user, 0},
};
static const struct lc_api_service fx_iam = {
    .name = "iam", .protocol = LC_API_QUERY, .content_type = "text/xml",
    .xml_namespace = "https://iam.amazonaws.com/doc/2010-05-08/", .ops = fx_iam_ops, .n_ops = 1,
};
static const struct lc_api_operation fx_sts_ops[] = {
    {"GetCallerIdentity", fx_whoami, LC_API_OP_NO_AUTHZ},
};
static const struct lc_api_service fx_sts = {
    .name = "sts", .protocol = LC_API_QUERY, .content_type = "text/xml",
    .xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/", .ops = fx_sts_ops, .n_ops = 1,
};
static const struct lc_api_service *const fx_services[] = {&fx_ddb, &fx_iam, &fx_sts, NULL};

static inline int fx_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

struct fx {
    char *dir;
    struct lc_store *store;
    struct lc_api_pipeline *pipeline;
    struct lc_store_key root, user;
    char user_arn[LC_ARN_MAX];
};

static inline int fx_setup(void **state)
{
    struct fx *f = lc_calloc(1, sizeof *f);
    char tmpl[] = "/tmp/lc_api_test_XXXXXX";
    f->dir = lc_strdup(mkdtemp(tmpl));
    struct lc_error err;
    lc_api_services = fx_services;
    if (lc_store_open(f->dir, NULL, &f->store, &err) || lc_store_root_key(f->store, &f->root, &err) ||
        lc__api_pipeline_new(f->store, &f->pipeline, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    struct lc_store_principal p;
    if (lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "reader", NULL, NULL, &p, &err) ||
        lc_store_key_create(f->store, p.arn, &f->user, &err) ||
        lc_store_inline_policy_put(f->store, p.arn, "read",
                                   "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                   "\"Action\":[\"dynamodb:GetItem\",\"iam:GetUser\"],\"Resource\":\"*\"}]}",
                                   &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    snprintf(f->user_arn, sizeof f->user_arn, "%s", p.arn);
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    lc__api_pipeline_free(f->pipeline);
    lc_store_close(f->store);
    nftw(f->dir, fx_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    lc_free(f->dir);
    lc_free(f);
    lc_clock_set_fixed_ms(-1);
    return 0;
}

#define FX_TEST(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

/* A request to send: headers are added in order, then signed when key_id is set. */
struct fx_req {
    const char *method, *path, *query;
    const char *service;                   /* credential scope service */
    const char *key_id, *secret, *token;   /* NULL: unsigned */
    const char *target;                    /* X-Amz-Target or NULL */
    const char *content_type;
    const char *body;
    size_t body_len;                       /* 0: strlen(body) */
    bool too_large;
};

struct fx_resp {
    int status;
    char *body;
    char content_type[64];
    char request_id[80];
    char crc32[16];
};

static inline void fx_resp_free(struct fx_resp *r)
{
    lc_free(r->body);
}

static inline void fx_send(struct fx *f, const struct fx_req *q, struct fx_resp *out)
{
    struct lc_auth_header h[12];
    size_t n = 0;
    h[n++] = (struct lc_auth_header){lc_cur_from_str("Host"), lc_cur_from_str("127.0.0.1:4566")};
    if (q->content_type)
        h[n++] = (struct lc_auth_header){lc_cur_from_str("Content-Type"), lc_cur_from_str(q->content_type)};
    if (q->target)
        h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Amz-Target"), lc_cur_from_str(q->target)};
    const char *body = q->body ? q->body : "";
    size_t body_len = q->body_len ? q->body_len : strlen(body);
    struct lc_auth_signature sig = {0};
    if (q->key_id) {
        struct lc_auth_request ar = {
            .method = lc_cur_from_str(q->method ? q->method : "POST"),
            .path = lc_cur_from_str(q->path ? q->path : "/"),
            .query = lc_cur_from_str(q->query ? q->query : ""),
            .headers = h, .header_count = n, .payload = body, .payload_len = body_len,
        };
        struct lc_auth_sign_params p = {
            .access_key_id = q->key_id, .secret_access_key = q->secret, .session_token = q->token,
            .region = "us-east-1", .service = q->service ? q->service : "dynamodb",
            .time_ms = lc_clock_now_ms(), .normalize_path = true, .double_encode_path = true,
        };
        struct lc_error err;
        assert_int_equal(lc_auth_sign_header(&p, &ar, &sig, &err), 0);
        h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Amz-Date"), lc_cur_from_str(sig.amz_date)};
        h[n++] = (struct lc_auth_header){lc_cur_from_str("Authorization"), lc_cur_from_str(sig.authorization)};
        if (q->token)
            h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Amz-Security-Token"), lc_cur_from_str(q->token)};
    }
    struct lc_api_http in = {
        .method = q->method ? q->method : "POST", .path = q->path ? q->path : "/",
        .query = q->query ? q->query : "", .headers = h, .header_count = n,
        .body = body, .body_len = body_len, .body_too_large = q->too_large,
        .body_received = q->too_large ? 1u << 20 : body_len, .source_ip = "127.0.0.1",
    };
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    lc__api_handle(f->pipeline, &in, &resp);
    memset(out, 0, sizeof *out);
    out->status = resp.status;
    out->body = lc_strndup(resp.body.data ? resp.body.data : "", resp.body.len);
    snprintf(out->content_type, sizeof out->content_type, "%s", resp.content_type);
    for (size_t i = 0; i < resp.n_headers; i++) {
        if (!strcmp(resp.headers[i].name, "x-amzn-RequestId"))
            snprintf(out->request_id, sizeof out->request_id, "%s", resp.headers[i].value);
        if (!strcmp(resp.headers[i].name, "x-amz-crc32"))
            snprintf(out->crc32, sizeof out->crc32, "%s", resp.headers[i].value);
    }
    lc__api_response_clean_up(&resp);
    lc_auth_signature_clean_up(&sig);
}

#endif
