/*
 * verify.c: SigV4 verification with AWS's checks in AWS's order (AWS-BEHAVIOUR.md §2.5, the
 * order live DynamoDB was observed to use): missing authentication, incomplete fields, date
 * format, clock skew, Host signed, algorithm, credential shape, credential scope, key, signature,
 * session token. Each check has AWS's exact message; tags `AWS: auth-N` refer to the table rows.
 */
#include "auth/auth_internal.h"

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/hash.h"
#include "leastcloud/str.h"

#include <stdio.h>
#include <string.h>

#define INVALID_TOKEN_MSG "The security token included in the request is invalid"
#define BAD_SIGNATURE_MSG                                                                      \
    "The request signature we calculated does not match the signature you provided. Check your " \
    "AWS Secret Access Key and signing method. Consult the service documentation for details."

/* Everything one verification holds, so that one cleanup path frees it. */
struct verify_state {
    const struct lc_auth_verifier *v;
    const struct lc_auth_request *req;
    const struct lc_auth_service *svc;
    struct lc_error *err;
    struct lc__auth_fields f;
    char amz_date[17];
    int64_t t_ms;
    struct lc_cur parts[5]; /* key id, date, region, service, terminator */
    struct lc_auth_key key;
    struct lc_buf msg, canonical, sts, tmp;
};

/* A region looks like "us-east-1" or "us-gov-west-1": two letters, words, then a number. */
static bool s_valid_region(struct lc_cur r)
{
    struct lc_cur rest = r, part;
    size_t n = 0;
    bool more = true, ok = true;
    while (more) {
        more = lc_cur_split(&rest, '-', &part);
        bool letters = part.len > 0, digits = part.len > 0;
        for (size_t i = 0; i < part.len; i++) {
            letters = letters && part.ptr[i] >= 'a' && part.ptr[i] <= 'z';
            digits = digits && part.ptr[i] >= '0' && part.ptr[i] <= '9';
        }
        if (n == 0)
            ok = ok && letters && part.len == 2;
        else if (more)
            ok = ok && letters;
        else
            ok = ok && digits;
        n++;
    }
    return ok && n >= 3;
}

/* Copies a cursor into a fixed buffer, truncating; always terminated. */
static void s_copy(char *dst, size_t size, struct lc_cur c)
{
    size_t n = c.len < size - 1 ? c.len : size - 1;
    memcpy(dst, c.ptr, n);
    dst[n] = '\0';
}

static int s_fail(struct verify_state *s, enum lc__auth_failure kind, const char *msg)
{
    return lc__auth_fail(s->err, s->svc, kind, "%s", msg);
}

/* AWS: auth-0, and both forms at once (dynalite's capture). */
static int s_check_present(struct verify_state *s, struct lc_cur *authz)
{
    const struct lc_auth_request *r = s->req;
    bool has_header = lc__auth_header_get(r->headers, r->header_count, "authorization", authz);
    bool has_query = lc__auth_query_is_presigned(r->query);
    if (has_header && has_query)
        return s_fail(s, LC__AUTH_BAD_SIGNATURE,
                      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' "
                      "as HTTP header.");
    if ((!has_header && !has_query) ||
        (has_header && !lc_cur_starts_with(lc_cur_trim(*authz), "AWS4-")))
        return s_fail(s, LC__AUTH_MISSING, "Request is missing Authentication Token");
    if (has_query)
        return lc__auth_parse_presigned(r->query, &s->f) ? lc_error_set(s->err, LC_ELIMIT, 400,
                                                               "IncompleteSignatureException",
                                                               "The query string is too long.")
                                                         : 0;
    lc__auth_parse_authorization(*authz, &s->f);
    return 0;
}

/* AWS: auth-1. The messages list every missing piece, in this order. */
static int s_check_complete(struct verify_state *s)
{
    struct lc__auth_fields *f = &s->f;
    const struct lc_auth_request *r = s->req;
    struct lc_buf *m = &s->msg;
    if (!f->presigned) {
        if (f->bad_pair.len) {
            struct lc_cur key = f->bad_pair;
            return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                                 "'" LC_CUR_PRI "' not a valid key=value pair (missing equal-sign) "
                                 "in Authorization header: '" LC_CUR_PRI "'.",
                                 LC_CUR_ARG(key), LC_CUR_ARG(f->authorization));
        }
        struct lc_cur date;
        if (!f->have_credential)
            lc_buf_append_str(m, "Authorization header requires 'Credential' parameter. ");
        if (!f->have_signature)
            lc_buf_append_str(m, "Authorization header requires 'Signature' parameter. ");
        if (!f->have_signed_headers)
            lc_buf_append_str(m, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!lc__auth_header_get(r->headers, r->header_count, "x-amz-date", &date) &&
            !lc__auth_header_get(r->headers, r->header_count, "date", &date))
            lc_buf_append_str(m, "Authorization header requires existence of either a "
                                 "'X-Amz-Date' or a 'Date' header. ");
        if (m->len)
            lc_buf_appendf(m, "Authorization=" LC_CUR_PRI, LC_CUR_ARG(f->authorization));
    } else {
        static const char *const names[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                            "X-Amz-Signature", "X-Amz-SignedHeaders",
                                            "X-Amz-Date"};
        const bool have[] = {f->have_algorithm, f->have_credential, f->have_signature,
                             f->have_signed_headers, f->have_date};
        for (size_t i = 0; i < 5; i++)
            if (!have[i])
                lc_buf_appendf(m, "AWS query-string parameters must include '%s'. ", names[i]);
        if (m->len)
            lc_buf_append_str(m, "Re-examine the query-string parameters.");
    }
    if (m->len)
        return s_fail(s, LC__AUTH_INCOMPLETE, m->data);
    return 0;
}

/* AWS: auth-2 (format) and auth-3 (skew), plus X-Amz-Expires for presigned URLs. */
static int s_check_date(struct verify_state *s)
{
    const struct lc_auth_request *r = s->req;
    struct lc_cur date;
    bool basic = true;
    if (s->f.presigned)
        date = s->f.date;
    else if (!lc__auth_header_get(r->headers, r->header_count, "x-amz-date", &date)) {
        lc__auth_header_get(r->headers, r->header_count, "date", &date);
        basic = false;
    }
    date = lc_cur_trim(date);
    int rc = basic ? lc_time_parse_basic(date.ptr, date.len, &s->t_ms)
                   : lc__auth_parse_http_date(date, &s->t_ms);
    if (rc)
        return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                             "Date must be in ISO-8601 'basic format'. Got '" LC_CUR_PRI
                             "'. See http://en.wikipedia.org/wiki/ISO_8601",
                             LC_CUR_ARG(date));
    if (basic)
        s_copy(s->amz_date, sizeof s->amz_date, date); /* sign with the text as sent */
    else
        lc__auth_basic_time(s->t_ms, s->amz_date);

    int64_t expires_s = -1;
    if (s->f.presigned && s->f.have_expires) {
        char text[32];
        snprintf(text, sizeof text, LC_CUR_PRI, (int)(s->f.expires.len < 31 ? s->f.expires.len : 31),
                 s->f.expires.ptr);
        if (s->f.expires.len > 30 || lc_parse_i64(text, &expires_s) || expires_s < 0)
            return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                                 "X-Amz-Expires should be a number");
        if (expires_s > LC_AUTH_PRESIGN_MAX_EXPIRES_S)
            return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                                 "X-Amz-Expires must be less than a week (in seconds); that is, "
                                 "the given X-Amz-Expires must be less than 604800 seconds");
    }

    int64_t now = lc_clock_now_ms();
    int64_t window_ms = (int64_t)s->svc->skew_window_min * 60000;
    char now_s[17], edge_s[17];
    if (s->t_ms > now + window_ms) {
        lc__auth_basic_time(now, now_s);
        lc__auth_basic_time(now + window_ms, edge_s);
        return lc__auth_fail(s->err, s->svc, LC__AUTH_BAD_SIGNATURE,
                             "Signature not yet current: %s is still later than %s (%s + %d min.)",
                             s->amz_date, edge_s, now_s, s->svc->skew_window_min);
    }
    if (expires_s >= 0) {
        /* A presigned URL lives X-Amz-Expires seconds from its date, whatever the window. */
        if (now > s->t_ms + expires_s * 1000) {
            lc__auth_basic_time(now, now_s);
            lc__auth_basic_time(now - expires_s * 1000, edge_s);
            if (expires_s % 60 == 0)
                return lc__auth_fail(s->err, s->svc, LC__AUTH_BAD_SIGNATURE,
                                     "Signature expired: %s is now earlier than %s (%s - %lld "
                                     "min.)",
                                     s->amz_date, edge_s, now_s, (long long)(expires_s / 60));
            return lc__auth_fail(s->err, s->svc, LC__AUTH_BAD_SIGNATURE,
                                 "Signature expired: %s is now earlier than %s (%s - %lld sec.)",
                                 s->amz_date, edge_s, now_s, (long long)expires_s);
        }
    } else if (s->t_ms < now - window_ms) {
        lc__auth_basic_time(now, now_s);
        lc__auth_basic_time(now - window_ms, edge_s);
        return lc__auth_fail(s->err, s->svc, LC__AUTH_BAD_SIGNATURE,
                             "Signature expired: %s is now earlier than %s (%s - %d min.)",
                             s->amz_date, edge_s, now_s, s->svc->skew_window_min);
    }
    return 0;
}

/* AWS: auth-4. */
static int s_check_host_signed(struct verify_state *s)
{
    struct lc_cur rest = s->f.signed_headers, name;
    while (rest.len) {
        lc_cur_split(&rest, ';', &name);
        if (lc_cur_eq_str_ci(name, "host"))
            return 0;
    }
    return s_fail(s, LC__AUTH_BAD_SIGNATURE,
                  "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

/* AWS: auth-5 (the trailing space is AWS's). */
static int s_check_algorithm(struct verify_state *s)
{
    if (lc_cur_eq_str(s->f.algorithm, LC_AUTH_ALGORITHM))
        return 0;
    return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                         "Unsupported AWS 'algorithm': '" LC_CUR_PRI
                         "' (only AWS4-HMAC-SHA256 for now). ",
                         LC_CUR_ARG(s->f.algorithm));
}

/* AWS: auth-6 (trailing slashes are ignored) and auth-7 (every wrong part, in this order). */
static int s_check_credential(struct verify_state *s)
{
    struct lc_cur cred = s->f.credential;
    while (cred.len && cred.ptr[cred.len - 1] == '/')
        cred.len--;
    struct lc_cur rest = cred;
    size_t n = 0;
    for (bool more = true; more; n++) {
        struct lc_cur part;
        more = lc_cur_split(&rest, '/', &part);
        if (n < 5)
            s->parts[n] = part;
    }
    if (n != 5)
        return lc__auth_fail(s->err, s->svc, LC__AUTH_INCOMPLETE,
                             "Credential must have exactly 5 slash-delimited elements, e.g. "
                             "keyid/date/region/service/term, got '" LC_CUR_PRI "'",
                             LC_CUR_ARG(cred));
    struct lc_buf *m = &s->msg;
    struct lc_cur date = s->parts[1], region = s->parts[2], service = s->parts[3],
                  term = s->parts[4];
    bool region_ok = s->v->region ? lc_cur_eq_str(region, s->v->region) : s_valid_region(region);
    if (!region_ok)
        lc_buf_appendf(m, "Credential should be scoped to a valid region, not '" LC_CUR_PRI "'. ",
                       LC_CUR_ARG(region));
    if (s->svc->name && !lc_cur_eq_str(service, s->svc->name))
        lc_buf_appendf(m, "Credential should be scoped to correct service: '%s'. ", s->svc->name);
    if (!lc_cur_eq_str(term, "aws4_request"))
        lc_buf_appendf(m,
                       "Credential should be scoped with a valid terminator: 'aws4_request', not '" LC_CUR_PRI
                       "'. ",
                       LC_CUR_ARG(term));
    if (date.len != 8 || memcmp(date.ptr, s->amz_date, 8) != 0)
        lc_buf_appendf(m,
                       "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                       "date from HTTP: '" LC_CUR_PRI "' != '%.8s', from '%s'. ",
                       LC_CUR_ARG(date), s->amz_date, s->amz_date);
    if (m->len) {
        m->data[--m->len] = '\0'; /* the last sentence's separator */
        return s_fail(s, LC__AUTH_BAD_SIGNATURE, m->data);
    }
    return 0;
}

/* AWS: auth-8. Unknown and inactive keys read the same, as on AWS. */
static int s_check_key(struct verify_state *s)
{
    int rc = s->v->lookup(s->parts[0], s->v->user_data, &s->key);
    if (rc < 0)
        return lc_error_set(s->err, LC_EINTERNAL, 500, "InternalFailure",
                            "The credential store could not be read.");
    if (!s->key.found || s->key.status != LC_AUTH_KEY_ACTIVE || !s->key.secret_access_key)
        return s_fail(s, LC__AUTH_UNKNOWN_KEY,
                      s->svc->family == LC_AUTH_FAMILY_JSON ? INVALID_TOKEN_MSG "."
                                                            : INVALID_TOKEN_MSG);
    if (s->key.expires_ms && lc_clock_now_ms() >= s->key.expires_ms)
        return s_fail(s, LC__AUTH_EXPIRED_TOKEN,
                      "The security token included in the request is expired");
    return 0;
}

/* The last line of the canonical request: see struct lc_auth_request. */
static struct lc_cur s_payload_line(struct verify_state *s, char hex[65])
{
    const struct lc_auth_request *r = s->req;
    struct lc_cur claimed = {0};
    bool have_claim = lc__auth_header_get(r->headers, r->header_count, "x-amz-content-sha256",
                                          &claimed);
    if (have_claim && lc_cur_eq_str(lc_cur_trim(claimed), LC_AUTH_UNSIGNED_PAYLOAD))
        return lc_cur_from_str(LC_AUTH_UNSIGNED_PAYLOAD);
    if (s->f.presigned && s->svc->name && strcmp(s->svc->name, "s3") == 0 && !have_claim)
        return lc_cur_from_str(LC_AUTH_UNSIGNED_PAYLOAD);
    if (r->payload) {
        lc__auth_sha256_hex(lc_cur_make(r->payload, r->payload_len), hex);
        return lc_cur_make(hex, LC_SHA256_HEX_LEN);
    }
    if (r->payload_hash.len)
        return r->payload_hash;
    if (have_claim)
        return lc_cur_trim(claimed);
    lc__auth_sha256_hex(lc_cur_make("", 0), hex);
    return lc_cur_make(hex, LC_SHA256_HEX_LEN);
}

/* AWS: auth-9. The message echoes what we expected (it holds nothing secret). */
static int s_check_signature(struct verify_state *s)
{
    char payload_hex[65];
    struct lc__auth_canon c = {
        .req = s->req,
        .query = s->req->query,
        .query_exclude1 = s->f.presigned ? "X-Amz-Signature" : NULL,
        .query_exclude2 =
            s->f.presigned && s->svc->presign_token_unsigned ? "X-Amz-Security-Token" : NULL,
        .headers = s->req->headers,
        .header_count = s->req->header_count,
        .signed_headers = s->f.signed_headers,
        .payload_hash = s_payload_line(s, payload_hex),
        .normalize_path = s->svc->normalize_path,
        .double_encode_path = s->svc->double_encode_path,
    };
    /* The scope is the credential after the key id, as sent (checked equal to what we expect). */
    struct lc_cur scope = lc_cur_make(s->parts[1].ptr, (size_t)(s->parts[4].ptr + s->parts[4].len -
                                                                 s->parts[1].ptr));
    struct lc_cur amz_date = lc_cur_from_str(s->amz_date);
    /* The string to sign is only MACed, not built (it is built below for a failure's message);
     * a request whose string to sign would be too long to build is refused as before. */
    if (lc__auth_canonical_request(&s->canonical, &c) ||
        lc__auth_string_to_sign_len(amz_date, scope) > LC__AUTH_BUF_MAX)
        return s_fail(s, LC__AUTH_INCOMPLETE, "The request is too large to authenticate.");
    struct lc_hmac_sha256_key key;
    lc__auth_signing_hmac_key(s->v->cache, lc_cur_from_str(s->key.secret_access_key), s->parts[1],
                              s->parts[2], s->parts[3], &key);
    uint8_t expected[LC_SHA256_LEN];
    lc__auth_signature_of(&key, amz_date, scope, lc_buf_cur(&s->canonical), expected);
    memset(&key, 0, sizeof key);
    if (lc__auth_signature_matches(expected, s->f.signature))
        return 0;
    if (!s->svc->echo_canonical)
        return s_fail(s, LC__AUTH_BAD_SIGNATURE, BAD_SIGNATURE_MSG);
    if (lc__auth_string_to_sign(&s->sts, amz_date, scope, lc_buf_cur(&s->canonical)))
        return s_fail(s, LC__AUTH_INCOMPLETE, "The request is too large to authenticate.");
    return lc__auth_fail(s->err, s->svc, LC__AUTH_BAD_SIGNATURE,
                         BAD_SIGNATURE_MSG "\n\nThe Canonical String for this request should have "
                                           "been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
                         s->canonical.data, s->sts.data);
}

/* AWS: auth-10. A token must come with, and only with, temporary credentials. */
static int s_check_token(struct verify_state *s, bool *session)
{
    const struct lc_auth_request *r = s->req;
    struct lc_cur token = {0};
    bool have = false;
    if (s->f.presigned) {
        lc_buf_reset(&s->tmp);
        have = lc__auth_query_get(r->query, "X-Amz-Security-Token", &s->tmp) == 1;
        token = lc_buf_cur(&s->tmp);
    }
    if (!have)
        have = lc__auth_header_get(r->headers, r->header_count, "x-amz-security-token", &token);
    token = lc_cur_trim(token);
    *session = false;
    if (!s->key.session_token_expected) {
        if (have && token.len)
            return s_fail(s, LC__AUTH_UNKNOWN_KEY, INVALID_TOKEN_MSG);
        return 0;
    }
    const char *want = s->key.session_token ? s->key.session_token : "";
    size_t want_len = strlen(want);
    if (!have || token.len != want_len || want_len == 0 || !lc_const_eq(token.ptr, want, want_len))
        return s_fail(s, LC__AUTH_UNKNOWN_KEY, INVALID_TOKEN_MSG);
    *session = true;
    return 0;
}

int lc_auth_verify(const struct lc_auth_verifier *v, const struct lc_auth_request *req,
                   const struct lc_auth_service *svc, struct lc_auth_result *out,
                   struct lc_error *err)
{
    struct verify_state s = {.v = v, .req = req, .svc = svc, .err = err};
    lc__auth_fields_init(&s.f);
    struct lc_buf *bufs[] = {&s.msg, &s.canonical, &s.sts, &s.tmp};
    for (size_t i = 0; i < 4; i++)
        lc_buf_init(bufs[i], LC__AUTH_BUF_MAX);
    lc_error_clear(err);
    struct lc_cur authz = {0};
    bool session = false;
    int rc = s_check_present(&s, &authz);
    rc = rc ? rc : s_check_complete(&s);
    rc = rc ? rc : s_check_date(&s);
    rc = rc ? rc : s_check_host_signed(&s);
    rc = rc ? rc : s_check_algorithm(&s);
    rc = rc ? rc : s_check_credential(&s);
    rc = rc ? rc : s_check_key(&s);
    rc = rc ? rc : s_check_signature(&s);
    rc = rc ? rc : s_check_token(&s, &session);
    if (!rc && out) {
        *out = (struct lc_auth_result){
            .principal = s.key.principal,
            .presigned = s.f.presigned,
            .session = session,
            .request_time_ms = s.t_ms,
        };
        s_copy(out->access_key_id, sizeof out->access_key_id, s.parts[0]);
        s_copy(out->region, sizeof out->region, s.parts[2]);
        s_copy(out->service, sizeof out->service, s.parts[3]);
    }
    if (s.key.secret_access_key)
        memset(s.key.secret_access_key, 0, strlen(s.key.secret_access_key));
    lc_free(s.key.secret_access_key);
    lc_free(s.key.session_token);
    for (size_t i = 0; i < 4; i++)
        lc_buf_free(bufs[i]);
    lc__auth_fields_clean_up(&s.f);
    return rc;
}

bool lc_auth_peek_service(const struct lc_auth_request *req, char *out, size_t out_size)
{
    struct lc__auth_fields f;
    lc__auth_fields_init(&f);
    struct lc_cur authz;
    bool ok = false;
    if (lc__auth_header_get(req->headers, req->header_count, "authorization", &authz))
        lc__auth_parse_authorization(authz, &f);
    else if (lc__auth_parse_presigned(req->query, &f))
        f.have_credential = false;
    if (f.have_credential) {
        struct lc_cur rest = f.credential, part = {0};
        for (int i = 0; i < 4 && rest.len; i++)
            lc_cur_split(&rest, '/', &part);
        if (part.len && rest.len && part.len < out_size) {
            memcpy(out, part.ptr, part.len);
            out[part.len] = '\0';
            ok = true;
        }
    }
    lc__auth_fields_clean_up(&f);
    return ok;
}
