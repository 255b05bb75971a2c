/*
 * fuzz_sigv4.c: libFuzzer target for the Authorization header parser, the canonicalizer and the
 * verifier, with a round-trip oracle.
 *
 * Input layout (lines separated by '\n'): the Authorization header value, the raw path, the raw
 * query, then "Name:value" header lines, a blank line and the body. Every parser and builder runs
 * on it; then, when the request is signable, it is signed with a known key and must verify —
 * any disagreement between the signer and the verifier aborts.
 */
#include "auth/auth_internal.h"

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"

#include <stdlib.h>
#include <string.h>

#define FZ_MAX_HEADERS 16
#define FZ_AKID "AKIDEXAMPLE"
#define FZ_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_lookup(struct lc_cur akid, void *user_data, struct lc_auth_key *key)
{
    if (!lc_cur_eq_str(akid, FZ_AKID))
        return 0;
    key->found = true;
    key->status = LC_AUTH_KEY_ACTIVE;
    key->secret_access_key = lc_strdup(FZ_SECRET);
    return 0;
}

static bool s_token_name(struct lc_cur n)
{
    if (!n.len)
        return false;
    for (size_t i = 0; i < n.len; i++) {
        char c = n.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool s_signer_owned(struct lc_cur n)
{
    static const char *const names[] = {"authorization", "x-amz-date", "date",
                                        "x-amz-security-token", "x-amz-content-sha256"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (lc_cur_eq_str_ci(n, names[i]))
            return true;
    return false;
}

static void s_round_trip(const struct lc_auth_request *in, const struct lc_auth_service *svc,
                         struct lc_auth_key_cache *cache)
{
    struct lc_auth_header h[FZ_MAX_HEADERS + 3];
    size_t n = 0;
    bool host = false;
    for (size_t i = 0; i < in->header_count; i++) {
        if (!s_token_name(in->headers[i].name) || s_signer_owned(in->headers[i].name))
            continue;
        host = host || lc_cur_eq_str_ci(in->headers[i].name, "host");
        h[n++] = in->headers[i];
    }
    if (!host || lc__auth_query_is_presigned(in->query))
        return;
    struct lc_auth_request req = *in;
    req.headers = h;
    req.header_count = n;
    struct lc_auth_sign_params p = {
        .access_key_id = FZ_AKID, .secret_access_key = FZ_SECRET, .region = "us-east-1",
        .service = svc->name, .time_ms = lc_clock_now_ms(), .normalize_path = svc->normalize_path,
        .double_encode_path = svc->double_encode_path,
    };
    struct lc_auth_signature sig;
    struct lc_error err;
    if (lc_auth_sign_header(&p, &req, &sig, &err))
        return;
    h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Amz-Date"), lc_cur_from_str(sig.amz_date)};
    h[n++] = (struct lc_auth_header){lc_cur_from_str("Authorization"),
                                     lc_cur_from_str(sig.authorization)};
    req.header_count = n;
    struct lc_auth_verifier v = {.lookup = s_lookup, .cache = cache};
    if (lc_auth_verify(&v, &req, svc, NULL, &err) != 0)
        abort(); /* the signer and the verifier disagree */
    lc_auth_signature_clean_up(&sig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lc_auth_key_cache *cache;
    if (!cache) {
        cache = lc_auth_key_cache_new(4);
        int64_t now;
        lc_time_parse_basic("20150830T123600Z", 16, &now);
        lc_clock_set_fixed_ms(now);
    }
    struct lc_cur rest = lc_cur_make((const char *)data, size), authz, path, query, line;
    lc_cur_split(&rest, '\n', &authz);
    lc_cur_split(&rest, '\n', &path);
    lc_cur_split(&rest, '\n', &query);
    struct lc_auth_header h[FZ_MAX_HEADERS + 1];
    size_t n = 0;
    h[n++] = (struct lc_auth_header){lc_cur_from_str("Authorization"), authz};
    while (rest.len) {
        lc_cur_split(&rest, '\n', &line);
        if (!line.len)
            break;
        struct lc_cur name, value = line;
        if (!lc_cur_split(&value, ':', &name) || n == FZ_MAX_HEADERS + 1)
            continue;
        h[n++] = (struct lc_auth_header){name, value};
    }
    struct lc_auth_request req = {
        .method = lc_cur_from_str("POST"), .path = path, .query = query, .headers = h,
        .header_count = n, .payload = rest.ptr ? rest.ptr : "", .payload_len = rest.len,
    };

    /* The parsers and builders on raw input. */
    struct lc__auth_fields f;
    lc__auth_fields_init(&f);
    lc__auth_parse_authorization(authz, &f);
    struct lc_buf b;
    lc_buf_init(&b, LC__AUTH_BUF_MAX);
    struct lc__auth_canon c = {
        .req = &req, .query = query, .query_exclude1 = "X-Amz-Signature", .headers = h,
        .header_count = n, .signed_headers = f.signed_headers,
        .payload_hash = lc_cur_from_str(LC_AUTH_UNSIGNED_PAYLOAD), .normalize_path = true,
        .double_encode_path = true,
    };
    lc__auth_canonical_request(&b, &c);
    lc_buf_reset(&b);
    lc__auth_canonical_uri(&b, path, false, false);
    lc__auth_fields_clean_up(&f);
    lc__auth_fields_init(&f);
    lc__auth_parse_presigned(query, &f);
    lc__auth_fields_clean_up(&f);
    lc_buf_free(&b);
    char svc_name[32];
    lc_auth_peek_service(&req, svc_name, sizeof svc_name);

    /* The verifier on raw input, in both families; it must never crash, whatever it says. */
    struct lc_auth_service svc;
    struct lc_auth_verifier v = {.lookup = s_lookup, .cache = cache};
    struct lc_error err;
    lc_auth_service_profile("dynamodb", &svc);
    lc_auth_verify(&v, &req, &svc, NULL, &err);
    lc_auth_service_profile("s3", &svc);
    lc_auth_verify(&v, &req, &svc, NULL, &err);

    /* The oracle. */
    lc_auth_service_profile("dynamodb", &svc);
    s_round_trip(&req, &svc, cache);
    lc_auth_service_profile("s3", &svc);
    s_round_trip(&req, &svc, cache);
    return 0;
}
