/* test_presigned.c: query-string authentication, parsed and verified. */
#include "lc_test.h"

#include "auth/auth_internal.h"
#include "auth_fixture.h"

#define NOW "20130609T100015Z"

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

static void test_presigned_parameters_are_decoded(void **state)
{
    struct lc__auth_fields f;
    lc__auth_fields_init(&f);
    struct lc_cur q = lc_cur_from_str(
        "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130609"
        "%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20130609T100000Z&X-Amz-Expires=60&"
        "X-Amz-SignedHeaders=host%3Bx-a&X-Amz-Signature=abc");
    assert_true(lc__auth_query_is_presigned(q));
    assert_int_equal(lc__auth_parse_presigned(q, &f), 0);
    assert_true(f.presigned);
    assert_true(lc_cur_eq_str(f.credential, "AKID/20130609/us-east-1/sts/aws4_request"));
    assert_true(lc_cur_eq_str(f.signed_headers, "host;x-a"));
    assert_true(lc_cur_eq_str(f.expires, "60"));
    assert_true(f.have_algorithm && f.have_date && f.have_expires && f.have_signature);
    lc__auth_fields_clean_up(&f);
    assert_false(lc__auth_query_is_presigned(lc_cur_from_str("Action=X&x-amz-algorithm=A")));
}

static void s_presigned(struct fx_req *r, const char *service, const char *when, int64_t expires_s)
{
    fx_ddb_request(r, "");
    r->req.method = lc_cur_from_str("GET");
    r->req.query = lc_cur_from_str("Action=GetCallerIdentity&Version=2011-06-15");
    fx_remove(r, "Content-Type");
    fx_remove(r, "X-Amz-Target");
    struct lc_auth_sign_params p = fx_params(service, fx_time(when));
    p.expires_s = expires_s;
    assert_int_equal(fx_presign(r, &p), 0);
}

static void test_presigned_url_is_accepted(void **state)
{
    struct fx_req r;
    s_presigned(&r, "sts", NOW, 900);
    struct lc_auth_result res;
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "sts", &res, &err), 0);
    assert_true(res.presigned);
    assert_string_equal(res.service, "sts");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_missing_parameters_are_listed(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "");
    r.req.query = lc_cur_from_str("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20130609T100000Z");
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "IncompleteSignature");
    assert_string_equal(err.message,
                        "AWS query-string parameters must include 'X-Amz-Credential'. AWS "
                        "query-string parameters must include 'X-Amz-Signature'. AWS query-string "
                        "parameters must include 'X-Amz-SignedHeaders'. Re-examine the "
                        "query-string parameters.");
}

static void test_presigned_url_expires_after_x_amz_expires(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_presigned(&r, "sts", "20130609T095915Z", 60); /* exactly 60 s old: still valid */
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
    s_presigned(&r, "sts", "20130609T095914Z", 60);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "SignatureDoesNotMatch");
    assert_string_equal(err.message, "Signature expired: 20130609T095914Z is now earlier than "
                                     "20130609T095915Z (20130609T100015Z - 1 min.)");
    lc_auth_signature_clean_up(&r.sig);
    s_presigned(&r, "dynamodb", "20130609T095900Z", 45);
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "InvalidSignatureException");
    assert_string_equal(err.message, "Signature expired: 20130609T095900Z is now earlier than "
                                     "20130609T095930Z (20130609T100015Z - 45 sec.)");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_url_may_outlive_the_skew_window(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_presigned(&r, "sts", "20130609T080000Z", 3 * 3600);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_url_from_the_future_is_not_yet_current(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_presigned(&r, "sts", "20130609T110000Z", 3600);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.message, "Signature not yet current: 20130609T110000Z is still later "
                                     "than 20130609T101515Z (20130609T100015Z + 15 min.)");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_expires_beyond_a_week_or_not_a_number_is_refused(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_presigned(&r, "sts", NOW, 60);
    char *q = lc_strdup(r.query);
    char *e = strstr(r.query, "X-Amz-Expires=60");
    snprintf(e, sizeof r.query - (size_t)(e - r.query), "X-Amz-Expires=604801%s",
             strstr(q, "X-Amz-Expires=60") + strlen("X-Amz-Expires=60"));
    r.req.query = lc_cur_from_str(r.query);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "IncompleteSignature");
    assert_string_equal(err.message, "X-Amz-Expires must be less than a week (in seconds); that "
                                     "is, the given X-Amz-Expires must be less than 604800 "
                                     "seconds");
    e = strstr(r.query, "X-Amz-Expires=604801");
    memcpy(e + strlen("X-Amz-Expires="), "60480x", 6);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.message, "X-Amz-Expires should be a number");
    lc_free(q);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_query_tampering_breaks_the_signature(void **state)
{
    struct fx_req r;
    struct lc_error err;
    s_presigned(&r, "sts", NOW, 900);
    char *a = strstr(r.query, "GetCallerIdentity");
    a[0] = 'S'; /* GetCallerIdentity -> SetCallerIdentity */
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "SignatureDoesNotMatch");
    assert_non_null(strstr(err.message, "Action=SetCallerIdentity&Version=2011-06-15&"
                                        "X-Amz-Algorithm=AWS4-HMAC-SHA256"));
    lc_auth_signature_clean_up(&r.sig);
}

static void test_presigned_session_token_must_match(void **state)
{
    struct fx_req r;
    struct lc_error err;
    struct lc_auth_result res;
    fx_ddb_request(&r, "");
    r.req.method = lc_cur_from_str("GET");
    struct lc_auth_sign_params p = fx_params("sts", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN;
    p.expires_s = 300;
    assert_int_equal(fx_presign(&r, &p), 0);
    assert_non_null(strstr(r.query, "X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2Btoken%2Fwith%3D"));
    assert_int_equal(fx_verify(&r, "sts", &res, &err), 0);
    assert_true(res.session);
    lc_auth_signature_clean_up(&r.sig);
    /* Signed with the wrong token: the signature holds, the token does not. */
    p.session_token = "wrong";
    r.req.query = lc_cur_from_str("");
    assert_int_equal(fx_presign(&r, &p), 0);
    assert_int_equal(fx_verify(&r, "sts", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "InvalidClientTokenId");
    assert_string_equal(err.message, "The security token included in the request is invalid");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_s3_presigned_url_signs_unsigned_payload(void **state)
{
    struct fx_req r;
    struct lc_error err;
    fx_ddb_request(&r, "");
    r.req.method = lc_cur_from_str("GET");
    r.req.path = lc_cur_from_str("/bucket/key%20with%20space");
    r.req.payload = NULL;
    r.req.payload_len = 0;
    struct lc_auth_sign_params p = fx_params("s3", fx_time(NOW));
    p.normalize_path = false;
    p.double_encode_path = false;
    p.unsigned_payload = true;
    assert_int_equal(fx_presign(&r, &p), 0);
    assert_int_equal(fx_verify(&r, "s3", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_presigned_parameters_are_decoded),
    cmocka_unit_test(test_presigned_url_is_accepted),
    cmocka_unit_test(test_presigned_missing_parameters_are_listed),
    cmocka_unit_test(test_presigned_url_expires_after_x_amz_expires),
    cmocka_unit_test(test_presigned_url_may_outlive_the_skew_window),
    cmocka_unit_test(test_presigned_url_from_the_future_is_not_yet_current),
    cmocka_unit_test(test_presigned_expires_beyond_a_week_or_not_a_number_is_refused),
    cmocka_unit_test(test_presigned_query_tampering_breaks_the_signature),
    cmocka_unit_test(test_presigned_session_token_must_match),
    cmocka_unit_test(test_s3_presigned_url_signs_unsigned_payload),
};

int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
