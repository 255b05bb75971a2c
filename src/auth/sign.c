/*
 * sign.c: producing SigV4 signatures, as an Authorization header or as a presigned URL. Used by
 * the Lambda runtime and the benchmarks, and by the tests to round-trip through the verifier.
 */
#include "auth/auth_internal.h"

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Headers that proxies and clients rewrite in flight; botocore and aws-c-auth skip them too. */
static const char *const s_unsigned_headers[] = {
    "authorization", "user-agent", "expect", "transfer-encoding", "connection", "x-amzn-trace-id",
    "x-amz-date",    "x-amz-security-token",
};

struct sign_state {
    const struct lc_auth_sign_params *p;
    const struct lc_auth_request *req;
    struct lc_auth_header *headers;
    size_t nheaders;
    char **names;            /* lower-cased, sorted, unique */
    size_t nnames;
    struct lc_buf signed_headers, query, canonical, sts, scope;
};

static bool s_skip(const struct sign_state *s, struct lc_cur name)
{
    for (size_t i = 0; i < sizeof s_unsigned_headers / sizeof s_unsigned_headers[0]; i++)
        if (lc_cur_eq_str_ci(name, s_unsigned_headers[i]))
            return true;
    /* The signer supplies its own content hash header when it signs the body. */
    return s->p->sign_body && lc_cur_eq_str_ci(name, "x-amz-content-sha256");
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The headers to sign: the request's own, minus s_unsigned_headers, plus the signer's. */
static void s_collect_headers(struct sign_state *s, const char *amz_date, bool presign,
                              const char *payload_hash)
{
    const struct lc_auth_request *r = s->req;
    s->headers = lc_calloc(r->header_count + 3, sizeof *s->headers);
    for (size_t i = 0; i < r->header_count; i++)
        if (!s_skip(s, r->headers[i].name))
            s->headers[s->nheaders++] = r->headers[i];
    if (!presign) {
        s->headers[s->nheaders++] =
            (struct lc_auth_header){lc_cur_from_str("X-Amz-Date"), lc_cur_from_str(amz_date)};
        if (s->p->session_token && !s->p->omit_session_token)
            s->headers[s->nheaders++] = (struct lc_auth_header){
                lc_cur_from_str("X-Amz-Security-Token"), lc_cur_from_str(s->p->session_token)};
    }
    if (s->p->sign_body && !presign)
        s->headers[s->nheaders++] = (struct lc_auth_header){
            lc_cur_from_str("x-amz-content-sha256"), lc_cur_from_str(payload_hash)};
    s->names = lc_calloc(s->nheaders ? s->nheaders : 1, sizeof *s->names);
    for (size_t i = 0; i < s->nheaders; i++) {
        char *n = lc_cur_dup(s->headers[i].name);
        for (char *c = n; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        s->names[s->nnames++] = n;
    }
    qsort(s->names, s->nnames, sizeof *s->names, s_name_cmp);
    size_t out = 0;
    for (size_t i = 0; i < s->nnames; i++) {
        if (out && strcmp(s->names[out - 1], s->names[i]) == 0) {
            lc_free(s->names[i]);
            continue;
        }
        s->names[out++] = s->names[i];
    }
    s->nnames = out;
    for (size_t i = 0; i < s->nnames; i++) {
        if (i)
            lc_buf_append_byte(&s->signed_headers, ';');
        lc_buf_append_str(&s->signed_headers, s->names[i]);
    }
}

static void s_clean(struct sign_state *s)
{
    for (size_t i = 0; i < s->nnames; i++)
        lc_free(s->names[i]);
    lc_free(s->names);
    lc_free(s->headers);
    lc_buf_free(&s->signed_headers);
    lc_buf_free(&s->query);
    lc_buf_free(&s->canonical);
    lc_buf_free(&s->sts);
    lc_buf_free(&s->scope);
}

static void s_payload_hash(const struct lc_auth_sign_params *p, const struct lc_auth_request *r,
                           char out65[65])
{
    if (p->unsigned_payload)
        snprintf(out65, 65, "%s", LC_AUTH_UNSIGNED_PAYLOAD);
    else if (r->payload)
        lc_sha256_hex(r->payload, r->payload_len, out65);
    else if (r->payload_hash.len)
        snprintf(out65, 65, LC_CUR_PRI, LC_CUR_ARG(r->payload_hash));
    else
        lc_sha256_hex("", 0, out65);
}

static int s_sign(const struct lc_auth_sign_params *p, const struct lc_auth_request *req,
                  bool presign, struct lc_auth_signature *out, struct lc_error *err)
{
    *out = (struct lc_auth_signature){0};
    struct lc_cur host;
    if (!p->access_key_id || !p->secret_access_key || !p->region || !p->service)
        return lc_error_set(err, LC_EINVAL, 0, NULL,
                            "signing needs an access key id, a secret, a region and a service");
    if (!lc__auth_header_get(req->headers, req->header_count, "host", &host))
        return lc_error_set(err, LC_EINVAL, 0, NULL,
                            "a request must have a Host header to be signed (SigV4 signs it)");
    if (presign && (p->expires_s < 1 || p->expires_s > LC_AUTH_PRESIGN_MAX_EXPIRES_S))
        return lc_error_set(err, LC_EINVAL, 0, NULL,
                            "X-Amz-Expires must be between 1 and 604800 seconds, not %lld",
                            (long long)p->expires_s);
    struct sign_state s = {.p = p, .req = req};
    struct lc_buf *bufs[] = {&s.signed_headers, &s.query, &s.canonical, &s.sts, &s.scope};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lc_buf_init(bufs[i], LC__AUTH_BUF_MAX);

    lc__auth_basic_time(p->time_ms, out->amz_date);
    s_payload_hash(p, req, out->payload_hash);
    /* S3 presigned URLs never cover the body (botocore S3SigV4QueryAuth; the verifier agrees). */
    if (presign && strcmp(p->service, "s3") == 0)
        snprintf(out->payload_hash, sizeof out->payload_hash, "%s", LC_AUTH_UNSIGNED_PAYLOAD);
    s_collect_headers(&s, out->amz_date, presign, out->payload_hash);
    int rc = lc_buf_appendf(&s.scope, "%.8s/%s/%s/aws4_request", out->amz_date, p->region,
                            p->service);

    rc = rc ? rc : lc_buf_append_cur(&s.query, req->query);
    if (presign && !rc) {
        struct lc_buf *q = &s.query;
        if (q->len)
            rc = lc_buf_append_byte(q, '&');
        rc = rc ? rc : lc_buf_appendf(q, "X-Amz-Algorithm=%s&X-Amz-Credential=", LC_AUTH_ALGORITHM);
        rc = rc ? rc : lc__auth_uri_encode(q, lc_cur_from_str(p->access_key_id), false, false);
        rc = rc ? rc : lc_buf_append_str(q, "%2F");
        rc = rc ? rc : lc__auth_uri_encode(q, lc_buf_cur(&s.scope), false, false);
        rc = rc ? rc : lc_buf_appendf(q, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", out->amz_date);
        rc = rc ? rc : lc__auth_uri_encode(q, lc_buf_cur(&s.signed_headers), false, false);
        rc = rc ? rc : lc_buf_appendf(q, "&X-Amz-Expires=%lld", (long long)p->expires_s);
        if (p->session_token && !p->omit_session_token) {
            rc = rc ? rc : lc_buf_append_str(q, "&X-Amz-Security-Token=");
            rc = rc ? rc : lc__auth_uri_encode(q, lc_cur_from_str(p->session_token), false, false);
        }
    }
    struct lc__auth_canon c = {
        .req = req,
        .query = lc_buf_cur(&s.query),
        .headers = s.headers,
        .header_count = s.nheaders,
        .signed_headers = lc_buf_cur(&s.signed_headers),
        .payload_hash = lc_cur_from_str(out->payload_hash),
        .normalize_path = p->normalize_path,
        .double_encode_path = p->double_encode_path,
    };
    rc = rc ? rc : lc__auth_canonical_request(&s.canonical, &c);
    rc = rc ? rc : lc__auth_string_to_sign(&s.sts, lc_cur_from_str(out->amz_date),
                                           lc_buf_cur(&s.scope), lc_buf_cur(&s.canonical));
    if (rc) {
        s_clean(&s);
        return lc_error_set(err, rc, 0, NULL, "the request is too large to sign");
    }
    uint8_t key[32];
    lc_auth_signing_key(NULL, lc_cur_from_str(p->secret_access_key),
                        lc_cur_make(out->amz_date, 8), lc_cur_from_str(p->region),
                        lc_cur_from_str(p->service), key);
    lc__auth_signature_hex(key, lc_buf_cur(&s.sts), out->signature);
    memset(key, 0, sizeof key);

    if (presign) {
        struct lc_buf *q = &s.query;
        if (p->session_token && p->omit_session_token) {
            lc_buf_append_str(q, "&X-Amz-Security-Token=");
            lc__auth_uri_encode(q, lc_cur_from_str(p->session_token), false, false);
        }
        lc_buf_appendf(q, "&X-Amz-Signature=%s", out->signature);
        out->query = lc_buf_detach(q, NULL);
    } else {
        out->authorization =
            lc_asprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", LC_AUTH_ALGORITHM,
                        p->access_key_id, s.scope.data, s.signed_headers.data, out->signature);
    }
    out->canonical_request = lc_buf_detach(&s.canonical, NULL);
    out->string_to_sign = lc_buf_detach(&s.sts, NULL);
    s_clean(&s);
    return 0;
}

int lc_auth_sign_header(const struct lc_auth_sign_params *p, const struct lc_auth_request *req,
                        struct lc_auth_signature *out, struct lc_error *err)
{
    return s_sign(p, req, false, out, err);
}

int lc_auth_presign(const struct lc_auth_sign_params *p, const struct lc_auth_request *req,
                    struct lc_auth_signature *out, struct lc_error *err)
{
    return s_sign(p, req, true, out, err);
}

void lc_auth_signature_clean_up(struct lc_auth_signature *sig)
{
    lc_free(sig->authorization);
    lc_free(sig->query);
    lc_free(sig->canonical_request);
    lc_free(sig->string_to_sign);
    *sig = (struct lc_auth_signature){0};
}
