/*
 * auth_fixture.h: a fake credential store and signed requests for the auth unit tests.
 * Header-only (static functions) so each test program stays one file plus this.
 */
#ifndef LC_TEST_AUTH_FIXTURE_H
#define LC_TEST_AUTH_FIXTURE_H

#include "leastcloud/alloc.h"
#include "leastcloud/auth.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

#include <string.h>

#define FX_AKID "AKIDEXAMPLE"
#define FX_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define FX_TEMP_AKID "ASIATEMPEXAMPLE"
#define FX_TEMP_SECRET "tempSecretKeyForSessionCredentials000000"
#define FX_TEMP_TOKEN "FQoGZXIvYXdzEXAMPLE+token/with=chars"
#define FX_MAX_HEADERS 16


/* The store: one long-term key, one inactive, one session key, one expired, one that breaks. */
static inline int fx_lookup(struct lc_cur akid, void *user_data, struct lc_auth_key *key)
{
    (void)user_data;
    if (lc_cur_eq_str(akid, "AKIDBROKEN"))
        return LC_EIO;
    if (lc_cur_eq_str(akid, FX_AKID) || lc_cur_eq_str(akid, "AKIDINACTIVE")) {
        key->found = true;
        key->status = lc_cur_eq_str(akid, FX_AKID) ? LC_AUTH_KEY_ACTIVE : LC_AUTH_KEY_INACTIVE;
        key->secret_access_key = lc_strdup(FX_SECRET);
        key->principal = (void *)"root";
    } else if (lc_cur_eq_str(akid, FX_TEMP_AKID) || lc_cur_eq_str(akid, "ASIAEXPIRED")) {
        key->found = true;
        key->status = LC_AUTH_KEY_ACTIVE;
        key->secret_access_key = lc_strdup(FX_TEMP_SECRET);
        key->session_token_expected = true;
        key->session_token = lc_strdup(FX_TEMP_TOKEN);
        key->principal = (void *)"temp";
        if (lc_cur_eq_str(akid, "ASIAEXPIRED"))
            key->expires_ms = 1000;
    }
    return 0;
}

/* A request under construction: headers point into `store` or at literals. */
struct fx_req {
    struct lc_auth_header headers[FX_MAX_HEADERS];
    char store[FX_MAX_HEADERS][2048];
    struct lc_auth_request req;
    char query[4096];
    struct lc_auth_signature sig;
};

static inline void fx_set(struct fx_req *r, const char *name, const char *value)
{
    size_t i;
    for (i = 0; i < r->req.header_count; i++)
        if (lc_cur_eq_str_ci(r->headers[i].name, name))
            break;
    if (i == r->req.header_count) {
        if (i == FX_MAX_HEADERS)
            return;
        r->req.header_count++;
    }
    lc_strlcpy(r->store[i], value, sizeof r->store[i]);
    r->headers[i].name = lc_cur_from_str(name);
    r->headers[i].value = lc_cur_from_str(r->store[i]);
}

static inline void fx_remove(struct fx_req *r, const char *name)
{
    size_t out = 0;
    for (size_t i = 0; i < r->req.header_count; i++) {
        if (lc_cur_eq_str_ci(r->headers[i].name, name))
            continue;
        if (out != i) {
            memcpy(r->store[out], r->store[i], sizeof r->store[out]);
            r->headers[out].name = r->headers[i].name;
            r->headers[out].value = lc_cur_make(r->store[out], r->headers[i].value.len);
        }
        out++;
    }
    r->req.header_count = out;
}

/* A DynamoDB GetItem as botocore sends it, not yet signed. */
static inline void fx_ddb_request(struct fx_req *r, const char *body)
{
    memset(r, 0, sizeof *r);
    r->req.method = lc_cur_from_str("POST");
    r->req.path = lc_cur_from_str("/");
    r->req.query = lc_cur_from_str("");
    r->req.headers = r->headers;
    fx_set(r, "Host", "127.0.0.1:4566");
    fx_set(r, "Content-Type", "application/x-amz-json-1.0");
    fx_set(r, "X-Amz-Target", "DynamoDB_20120810.GetItem");
    r->req.payload = body;
    r->req.payload_len = strlen(body);
}

static inline struct lc_auth_sign_params fx_params(const char *service, int64_t time_ms)
{
    return (struct lc_auth_sign_params){
        .access_key_id = FX_AKID,
        .secret_access_key = FX_SECRET,
        .region = "us-east-1",
        .service = service,
        .time_ms = time_ms,
        .normalize_path = true,
        .double_encode_path = true,
        .expires_s = 60,
    };
}

/* Signs r with an Authorization header and adds the headers the signer asks for. */
static inline int fx_sign(struct fx_req *r, const struct lc_auth_sign_params *p)
{
    struct lc_error err;
    lc_auth_signature_clean_up(&r->sig);
    int rc = lc_auth_sign_header(p, &r->req, &r->sig, &err);
    if (rc)
        return rc;
    fx_set(r, "X-Amz-Date", r->sig.amz_date);
    if (p->session_token)
        fx_set(r, "X-Amz-Security-Token", p->session_token);
    if (p->sign_body)
        fx_set(r, "x-amz-content-sha256", r->sig.payload_hash);
    fx_set(r, "Authorization", r->sig.authorization);
    return 0;
}

/* Presigns r and makes its query the presigned one. */
static inline int fx_presign(struct fx_req *r, const struct lc_auth_sign_params *p)
{
    struct lc_error err;
    lc_auth_signature_clean_up(&r->sig);
    int rc = lc_auth_presign(p, &r->req, &r->sig, &err);
    if (rc)
        return rc;
    lc_strlcpy(r->query, r->sig.query, sizeof r->query);
    r->req.query = lc_cur_from_str(r->query);
    return 0;
}

static inline int fx_verify(struct fx_req *r, const char *service, struct lc_auth_result *res,
                     struct lc_error *err)
{
    struct lc_auth_service svc;
    lc_auth_service_profile(service, &svc);
    struct lc_auth_verifier v = {.lookup = fx_lookup};
    return lc_auth_verify(&v, &r->req, &svc, res, err);
}

static inline int64_t fx_time(const char *basic)
{
    int64_t ms = 0;
    lc_time_parse_basic(basic, strlen(basic), &ms);
    return ms;
}

#endif
