/*
 * test_verify.c: every check of lc_auth_verify, with AWS's messages, in AWS's order
 * (AWS-BEHAVIOUR.md §2.5 and §2.6). The clock is pinned to 2013-06-09T10:00:15Z so that the
 * messages can be compared with the ones captured from DynamoDB (dynalite's comments).
 */
#include "lc_test.h"

#include "auth_fixture.h"
#include "auth/auth_internal.h"
#include "leastcloud/hash.h"

#include <pthread.h>
#include <stdio.h>

#define NOW "20130609T100015Z"
#define BODY "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"}}}"

static int s_setup(void **state)
{
    lc_clock_set_fixed_ms(fx_time(NOW));
    return 0;
}

static int s_teardown(void **state)
{
    lc_clock_set_fixed_ms(-1);
    return 0;
}

/* A signed DynamoDB request at `when` with the fixture's root key. */
static void s_signed(struct fx_req *r, const char *when)
{
    fx_ddb_request(r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(when));
    assert_int_equal(fx_sign(r, &p), 0);
}

static void s_expect(struct fx_req *r, const char *service, const char *code, int status,
                     const char *message)
{
    struct lc_error err;
    assert_int_equal(fx_verify(r, service, NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, code);
    assert_int_equal(err.http_status, status);
    if (message)
        assert_string_equal(err.message, message);
    lc_auth_signature_clean_up(&r->sig);
}

static void test_valid_header_signature_is_accepted(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    struct lc_auth_result res;
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", &res, &err), 0);
    assert_string_equal((const char *)res.principal, "root");
    assert_string_equal(res.access_key_id, FX_AKID);
    assert_string_equal(res.region, "us-east-1");
    assert_string_equal(res.service, "dynamodb");
    assert_false(res.presigned);
    assert_false(res.session);
    assert_true(res.request_time_ms == fx_time(NOW));
    lc_auth_signature_clean_up(&r.sig);
}

static void test_missing_authorization_is_missing_authentication_token(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_remove(&r, "Authorization");
    s_expect(&r, "dynamodb", "MissingAuthenticationTokenException", 400,
             "Request is missing Authentication Token");
}

static void test_non_aws4_authorization_is_missing_authentication_token(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "Authorization", "Basic dGVzdDp0ZXN0");
    s_expect(&r, "dynamodb", "MissingAuthenticationTokenException", 400,
             "Request is missing Authentication Token");
}

static void test_query_family_missing_token_is_missing_authentication_token_403(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_remove(&r, "Authorization");
    s_expect(&r, "sts", "MissingAuthenticationToken", 403,
             "Request is missing Authentication Token");
}

static void test_header_and_query_authentication_together_are_refused(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    r.req.query = lc_cur_from_str("X-Amz-Algorithm=AWS4-HMAC-SHA256");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
             "header.");
}

static void test_pair_without_equal_sign_is_incomplete_signature(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders");
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "'Credential' not a valid key=value pair (missing equal-sign) in Authorization "
             "header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.");
}

static void test_missing_fields_and_date_are_listed_in_aws_order(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_remove(&r, "X-Amz-Date");
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA256 Foo=bar");
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "Authorization header requires 'Credential' parameter. Authorization header "
             "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
             "parameter. Authorization header requires existence of either a 'X-Amz-Date' or a "
             "'Date' header. Authorization=AWS4-HMAC-SHA256 Foo=bar");
}

static void test_query_family_incomplete_signature_is_400(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host");
    s_expect(&r, "iam", "IncompleteSignature", 400,
             "Authorization header requires 'Signature' parameter. "
             "Authorization=AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host");
}

static void test_bad_date_format_is_incomplete_signature(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "X-Amz-Date", "201");
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "Date must be in ISO-8601 'basic format'. Got '201'. See "
             "http://en.wikipedia.org/wiki/ISO_8601");
}

static void test_old_date_is_signature_expired_with_aws_message(void **state)
{
    struct fx_req r;
    s_signed(&r, "20130301T000000Z");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Signature expired: 20130301T000000Z is now earlier than 20130609T094515Z "
             "(20130609T100015Z - 15 min.)");
}

static void test_future_date_is_signature_not_yet_current(void **state)
{
    struct fx_req r;
    s_signed(&r, "20130609T102000Z");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Signature not yet current: 20130609T102000Z is still later than 20130609T101515Z "
             "(20130609T100015Z + 15 min.)");
}

static void test_skew_at_the_window_edges_is_accepted(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_signed(&r, "20130609T094515Z"); /* exactly 15 minutes behind */
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
    s_signed(&r, "20130609T101515Z"); /* exactly 15 minutes ahead */
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
    s_signed(&r, "20130609T094514Z"); /* one second further */
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400, NULL);
}

static void test_lambda_window_is_five_minutes_and_answers_403(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{}");
    struct lc_auth_sign_params p = fx_params("lambda", fx_time("20130609T095400Z"));
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "lambda", "InvalidSignatureException", 403,
             "Signature expired: 20130609T095400Z is now earlier than 20130609T095515Z "
             "(20130609T100015Z - 5 min.)");
}

static void test_query_family_skew_is_signature_does_not_match(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "Action=GetCallerIdentity&Version=2011-06-15");
    struct lc_auth_sign_params p = fx_params("sts", fx_time("20130609T090000Z"));
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "sts", "SignatureDoesNotMatch", 403,
             "Signature expired: 20130609T090000Z is now earlier than 20130609T094515Z "
             "(20130609T100015Z - 15 min.)");
}

static void test_host_must_be_a_signed_header(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    char *a = lc_strdup(r.sig.authorization);
    memcpy(strstr(a, ";host;") + 1, "xost", 4);
    fx_set(&r, "Authorization", a);
    lc_free(a);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

static void test_unsupported_algorithm_keeps_aws_trailing_space(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    char *a = lc_asprintf("AWS4-HMAC-SHA25%s", r.sig.authorization + strlen("AWS4-HMAC-SHA256"));
    fx_set(&r, "Authorization", a);
    lc_free(a);
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
}

static void test_credential_must_have_five_elements(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "Authorization",
           "AWS4-HMAC-SHA256 Credential=a/b/c/d//, SignedHeaders=host, Signature=abc");
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "Credential must have exactly 5 slash-delimited elements, e.g. "
             "keyid/date/region/service/term, got 'a/b/c/d'");
}

static void test_credential_scope_errors_are_reported_together(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "X-Amz-Date", "20130609T095204Z");
    fx_set(&r, "Authorization",
           "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=abc");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Credential should be scoped to a valid region, not 'c'. Credential should be scoped "
             "to correct service: 'dynamodb'. Credential should be scoped with a valid "
             "terminator: 'aws4_request', not 'e'. Date in Credential scope does not match "
             "YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20130609', from "
             "'20130609T095204Z'.");
}

static void test_scope_for_another_service_is_refused(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "lambda", "InvalidSignatureException", 403,
             "Credential should be scoped to correct service: 'lambda'.");
}

static void test_configured_region_is_enforced(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    struct lc_auth_service svc;
    lc_auth_service_profile("dynamodb", &svc);
    struct lc_auth_verifier v = {.lookup = fx_lookup, .region = "eu-west-1"};
    struct lc_error err;
    assert_int_equal(lc_auth_verify(&v, &r.req, &svc, NULL, &err), LC_EAUTH);
    assert_string_equal(err.message,
                        "Credential should be scoped to a valid region, not 'us-east-1'.");
    v.region = "us-east-1";
    assert_int_equal(lc_auth_verify(&v, &r.req, &svc, NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_unknown_key_is_unrecognized_client_with_period(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "UnrecognizedClientException", 400,
             "The security token included in the request is invalid.");
}

static void test_inactive_key_reads_like_an_unknown_key(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = "AKIDINACTIVE";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "UnrecognizedClientException", 400,
             "The security token included in the request is invalid.");
}

static void test_query_family_unknown_key_is_invalid_client_token_id(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "Action=GetUser&Version=2010-05-08");
    struct lc_auth_sign_params p = fx_params("iam", fx_time(NOW));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "iam", "InvalidClientTokenId", 403,
             "The security token included in the request is invalid");
}

static void test_lambda_unknown_key_is_403(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "");
    struct lc_auth_sign_params p = fx_params("lambda", fx_time(NOW));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "lambda", "UnrecognizedClientException", 403, NULL);
}

static void test_wrong_secret_echoes_canonical_request_and_string_to_sign(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.secret_access_key = "not-the-secret";
    assert_int_equal(fx_sign(&r, &p), 0);
    /* Same inputs, so what we signed is what the server expected: only the key differs. */
    char *want = lc_asprintf(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.\n\nThe Canonical String for this request should have been\n'%s'\n\nThe "
        "String-to-Sign should have been\n'%s'\n",
        r.sig.canonical_request, r.sig.string_to_sign);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400, want);
    lc_free(want);
}

static void test_query_family_bad_signature_is_signature_does_not_match(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "Action=GetCallerIdentity&Version=2011-06-15");
    struct lc_auth_sign_params p = fx_params("sts", fx_time(NOW));
    p.secret_access_key = "not-the-secret";
    assert_int_equal(fx_sign(&r, &p), 0);
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "SignatureDoesNotMatch");
    assert_int_equal(err.http_status, 403);
    assert_true(lc_str_starts_with(err.message, "The request signature we calculated does not "
                                                "match the signature you provided."));
    lc_auth_signature_clean_up(&r.sig);
}

static void test_tampered_body_breaks_the_signature(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    r.req.payload = "{\"TableName\":\"other\"}";
    r.req.payload_len = strlen(r.req.payload);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400, NULL);
}

static void test_tampered_signed_header_breaks_the_signature(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    fx_set(&r, "X-Amz-Target", "DynamoDB_20120810.DeleteTable");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400, NULL);
}

static void test_session_credentials_with_their_token_are_accepted(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN;
    assert_int_equal(fx_sign(&r, &p), 0);
    struct lc_auth_result res;
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", &res, &err), 0);
    assert_true(res.session);
    assert_string_equal((const char *)res.principal, "temp");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_session_credentials_without_token_are_refused(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "UnrecognizedClientException", 400,
             "The security token included in the request is invalid");
}

static void test_session_credentials_with_wrong_token_are_refused(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("sts", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN "x";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "sts", "InvalidClientTokenId", 403,
             "The security token included in the request is invalid");
}

static void test_token_with_long_term_key_is_refused(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.session_token = "some-token";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "UnrecognizedClientException", 400,
             "The security token included in the request is invalid");
}

static void test_unsigned_token_header_is_accepted_when_it_matches(void **state)
{
    /* post-sts-header-after: AWS accepts a token header that the signature does not cover. */
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN;
    p.omit_session_token = true;
    assert_int_equal(fx_sign(&r, &p), 0);
    assert_null(strstr(r.sig.authorization, "x-amz-security-token"));
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_expired_session_credentials_are_expired_token(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = "ASIAEXPIRED";
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN;
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "ExpiredTokenException", 400,
             "The security token included in the request is expired");
}

static void test_store_failure_is_internal_failure_500(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = "AKIDBROKEN";
    assert_int_equal(fx_sign(&r, &p), 0);
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EINTERNAL);
    assert_int_equal(err.http_status, 500);
    assert_string_equal(err.aws_code, "InternalFailure");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_earliest_failing_check_wins(void **state)
{
    struct fx_req r;
    /* Expired and unknown key and host unsigned: the skew check comes first. */
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time("20130301T000000Z"));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    char *a = lc_strdup(r.sig.authorization);
    memcpy(strstr(a, ";host;") + 1, "xost", 4);
    fx_set(&r, "Authorization", a);
    lc_free(a);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Signature expired: 20130301T000000Z is now earlier than 20130609T094515Z "
             "(20130609T100015Z - 15 min.)");
    /* Host unsigned before algorithm before credential shape. */
    s_signed(&r, NOW);
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA1 Credential=a/b, SignedHeaders=x-amz-date, "
                                "Signature=abc");
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    s_signed(&r, NOW);
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA1 Credential=a/b, SignedHeaders=host, "
                                "Signature=abc");
    s_expect(&r, "dynamodb", "IncompleteSignatureException", 400,
             "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). ");
    /* Scope before key: an unknown key with a bad scope reports the scope. */
    fx_ddb_request(&r, BODY);
    p = fx_params("sts", fx_time(NOW));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400,
             "Credential should be scoped to correct service: 'dynamodb'.");
    /* Key before signature: an unknown key with a garbage signature reports the key. */
    fx_ddb_request(&r, BODY);
    p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = "AKIDUNKNOWN";
    assert_int_equal(fx_sign(&r, &p), 0);
    fx_set(&r, "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20130609/us-east-1/"
                                "dynamodb/aws4_request, SignedHeaders=host, Signature=00");
    s_expect(&r, "dynamodb", "UnrecognizedClientException", 400, NULL);
    /* Signature before token: a wrong token with a bad signature reports the signature. */
    fx_ddb_request(&r, BODY);
    p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = "wrong";
    p.session_token = "wrong-token";
    assert_int_equal(fx_sign(&r, &p), 0);
    s_expect(&r, "dynamodb", "InvalidSignatureException", 400, NULL);
}

/* Signs r by hand with the Date header as the only date (the public signer always adds
 * X-Amz-Date), as old SDKs did. */
static void s_sign_with_date_header(struct fx_req *r, const char *http_date, const char *basic)
{
    fx_set(r, "Date", http_date);
    struct lc__auth_canon c = {
        .req = &r->req,
        .query = r->req.query,
        .headers = r->headers,
        .header_count = r->req.header_count,
        .signed_headers = lc_cur_from_str("date;host;x-amz-target"),
        .normalize_path = true,
        .double_encode_path = true,
    };
    char hex[65];
    lc_sha256_hex(r->req.payload, r->req.payload_len, hex);
    c.payload_hash = lc_cur_from_str(hex);
    struct lc_buf creq, sts;
    lc_buf_init(&creq, LC_BUF_UNLIMITED);
    lc_buf_init(&sts, LC_BUF_UNLIMITED);
    char scope[64];
    snprintf(scope, sizeof scope, "%.8s/us-east-1/dynamodb/aws4_request", basic);
    assert_int_equal(lc__auth_canonical_request(&creq, &c), 0);
    assert_int_equal(lc__auth_string_to_sign(&sts, lc_cur_from_str(basic), lc_cur_from_str(scope),
                                             lc_buf_cur(&creq)),
                     0);
    uint8_t key[32];
    lc_auth_signing_key(NULL, lc_cur_from_str(FX_SECRET), lc_cur_make(basic, 8),
                        lc_cur_from_str("us-east-1"), lc_cur_from_str("dynamodb"), key);
    char sig[65];
    lc__auth_signature_hex(key, lc_buf_cur(&sts), sig);
    char *authz = lc_asprintf("AWS4-HMAC-SHA256 Credential=" FX_AKID "/%s, "
                              "SignedHeaders=date;host;x-amz-target, Signature=%s",
                              scope, sig);
    fx_set(r, "Authorization", authz);
    lc_free(authz);
    lc_buf_free(&creq);
    lc_buf_free(&sts);
}

static void test_date_header_stands_in_for_x_amz_date(void **state)
{
    struct fx_req r;
    struct lc_error err;
    struct lc_auth_result res;
    fx_ddb_request(&r, BODY);
    s_sign_with_date_header(&r, "Sun, 09 Jun 2013 10:00:00 GMT", "20130609T100000Z");
    assert_int_equal(fx_verify(&r, "dynamodb", &res, &err), 0);
    assert_true(res.request_time_ms == fx_time("20130609T100000Z"));
    s_sign_with_date_header(&r, "Sun, 09 Jun 2013 09:00:00 GMT", "20130609T090000Z");
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EAUTH);
    assert_string_equal(err.message, "Signature expired: 20130609T090000Z is now earlier than "
                                     "20130609T094515Z (20130609T100015Z - 15 min.)");
    fx_set(&r, "Date", "yesterday");
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EAUTH);
    assert_string_equal(err.message, "Date must be in ISO-8601 'basic format'. Got 'yesterday'. "
                                     "See http://en.wikipedia.org/wiki/ISO_8601");
}

static void test_unsigned_payload_header_is_honoured(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, BODY);
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.unsigned_payload = true;
    p.sign_body = true;
    assert_int_equal(fx_sign(&r, &p), 0);
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    /* The body is not covered, so changing it keeps the signature valid. */
    r.req.payload = "{}";
    r.req.payload_len = 2;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_payload_hash_may_stand_in_for_the_body(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    char hex[65];
    lc_sha256_hex(BODY, strlen(BODY), hex);
    r.req.payload = NULL;
    r.req.payload_hash = lc_cur_from_str(hex);
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    hex[0] = hex[0] == '0' ? '1' : '0';
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EAUTH);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_peek_service_reads_the_credential_scope(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    char svc[32];
    assert_true(lc_auth_peek_service(&r.req, svc, sizeof svc));
    assert_string_equal(svc, "dynamodb");
    lc_auth_signature_clean_up(&r.sig);
    fx_ddb_request(&r, "");
    struct lc_auth_sign_params p = fx_params("sts", fx_time(NOW));
    assert_int_equal(fx_presign(&r, &p), 0);
    assert_true(lc_auth_peek_service(&r.req, svc, sizeof svc));
    assert_string_equal(svc, "sts");
    lc_auth_signature_clean_up(&r.sig);
    fx_ddb_request(&r, "");
    assert_false(lc_auth_peek_service(&r.req, svc, sizeof svc));
}

static void test_signing_key_cache_is_used_by_the_verifier(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    struct lc_auth_service svc;
    lc_auth_service_profile("dynamodb", &svc);
    struct lc_auth_key_cache *cache = lc_auth_key_cache_new(0);
    struct lc_auth_verifier v = {.lookup = fx_lookup, .cache = cache};
    struct lc_error err;
    for (int i = 0; i < 5; i++)
        assert_int_equal(lc_auth_verify(&v, &r.req, &svc, NULL, &err), 0);
    uint64_t hits, misses;
    lc_auth_key_cache_stats(cache, &hits, &misses);
    assert_int_equal(misses, 1);
    assert_int_equal(hits, 4);
    lc_auth_key_cache_destroy(cache);
    lc_auth_signature_clean_up(&r.sig);
}

struct verify_worker {
    const struct lc_auth_request *req;
    struct lc_auth_key_cache *cache;
    int failures;
};

static void *s_verify_worker(void *arg)
{
    struct verify_worker *w = arg;
    struct lc_auth_service svc;
    lc_auth_service_profile("dynamodb", &svc);
    struct lc_auth_verifier v = {.lookup = fx_lookup, .cache = w->cache};
    for (int i = 0; i < 300; i++) {
        struct lc_error err;
        struct lc_auth_result res;
        if (lc_auth_verify(&v, w->req, &svc, &res, &err) ||
            strcmp(res.access_key_id, FX_AKID) != 0)
            w->failures++;
    }
    return NULL;
}

static void test_verifier_is_safe_to_share_between_threads(void **state)
{
    struct fx_req r;
    s_signed(&r, NOW);
    struct lc_auth_key_cache *cache = lc_auth_key_cache_new(4);
    pthread_t th[4];
    struct verify_worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct verify_worker){&r.req, cache, 0};
        assert_int_equal(pthread_create(&th[i], NULL, s_verify_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    lc_auth_key_cache_destroy(cache);
    lc_auth_signature_clean_up(&r.sig);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_header_signature_is_accepted),
        cmocka_unit_test(test_missing_authorization_is_missing_authentication_token),
        cmocka_unit_test(test_non_aws4_authorization_is_missing_authentication_token),
        cmocka_unit_test(test_query_family_missing_token_is_missing_authentication_token_403),
        cmocka_unit_test(test_header_and_query_authentication_together_are_refused),
        cmocka_unit_test(test_pair_without_equal_sign_is_incomplete_signature),
        cmocka_unit_test(test_missing_fields_and_date_are_listed_in_aws_order),
        cmocka_unit_test(test_query_family_incomplete_signature_is_400),
        cmocka_unit_test(test_bad_date_format_is_incomplete_signature),
        cmocka_unit_test(test_old_date_is_signature_expired_with_aws_message),
        cmocka_unit_test(test_future_date_is_signature_not_yet_current),
        cmocka_unit_test(test_skew_at_the_window_edges_is_accepted),
        cmocka_unit_test(test_lambda_window_is_five_minutes_and_answers_403),
        cmocka_unit_test(test_query_family_skew_is_signature_does_not_match),
        cmocka_unit_test(test_host_must_be_a_signed_header),
        cmocka_unit_test(test_unsupported_algorithm_keeps_aws_trailing_space),
        cmocka_unit_test(test_credential_must_have_five_elements),
        cmocka_unit_test(test_credential_scope_errors_are_reported_together),
        cmocka_unit_test(test_scope_for_another_service_is_refused),
        cmocka_unit_test(test_configured_region_is_enforced),
        cmocka_unit_test(test_unknown_key_is_unrecognized_client_with_period),
        cmocka_unit_test(test_inactive_key_reads_like_an_unknown_key),
        cmocka_unit_test(test_query_family_unknown_key_is_invalid_client_token_id),
        cmocka_unit_test(test_lambda_unknown_key_is_403),
        cmocka_unit_test(test_wrong_secret_echoes_canonical_request_and_string_to_sign),
        cmocka_unit_test(test_query_family_bad_signature_is_signature_does_not_match),
        cmocka_unit_test(test_tampered_body_breaks_the_signature),
        cmocka_unit_test(test_tampered_signed_header_breaks_the_signature),
        cmocka_unit_test(test_session_credentials_with_their_token_are_accepted),
        cmocka_unit_test(test_session_credentials_without_token_are_refused),
        cmocka_unit_test(test_session_credentials_with_wrong_token_are_refused),
        cmocka_unit_test(test_token_with_long_term_key_is_refused),
        cmocka_unit_test(test_unsigned_token_header_is_accepted_when_it_matches),
        cmocka_unit_test(test_expired_session_credentials_are_expired_token),
        cmocka_unit_test(test_store_failure_is_internal_failure_500),
        cmocka_unit_test(test_earliest_failing_check_wins),
        cmocka_unit_test(test_date_header_stands_in_for_x_amz_date),
        cmocka_unit_test(test_unsigned_payload_header_is_honoured),
        cmocka_unit_test(test_payload_hash_may_stand_in_for_the_body),
        cmocka_unit_test(test_peek_service_reads_the_credential_scope),
        cmocka_unit_test(test_signing_key_cache_is_used_by_the_verifier),
        cmocka_unit_test(test_verifier_is_safe_to_share_between_threads),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
