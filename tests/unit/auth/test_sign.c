/* test_sign.c: the signer, checked by round trips through the verifier. */
#include "lc_test.h"

#include "auth_fixture.h"

#define NOW "20150830T123600Z"

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

static void test_signed_dynamodb_post_verifies(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{\"TableName\":\"dynamoTable\"}");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    assert_int_equal(fx_sign(&r, &p), 0);
    assert_true(lc_str_starts_with(r.sig.authorization,
                                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                                   "dynamodb/aws4_request, SignedHeaders=content-type;host;"
                                   "x-amz-date;x-amz-target, Signature="));
    assert_string_equal(r.sig.amz_date, NOW);
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_signer_skips_headers_that_proxies_rewrite(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{}");
    fx_set(&r, "User-Agent", "Boto3/1.43");
    fx_set(&r, "X-Amzn-Trace-Id", "Root=1");
    fx_set(&r, "Authorization", "stale");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    assert_int_equal(fx_sign(&r, &p), 0);
    assert_null(strstr(r.sig.authorization, "user-agent"));
    assert_null(strstr(r.sig.authorization, "x-amzn-trace-id"));
    fx_set(&r, "User-Agent", "changed-in-flight");
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_every_service_profile_round_trips(void **state)
{
    const char *services[] = {"dynamodb", "sts", "iam", "lambda", "kms", "sqs", "s3", "custom"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        struct fx_req r;
        fx_ddb_request(&r, "Action=Do");
        r.req.path = lc_cur_from_str("/a b/./c%2Fd/");
        struct lc_auth_service svc;
        lc_auth_service_profile(services[i], &svc);
        struct lc_auth_sign_params p = fx_params(services[i], fx_time(NOW));
        p.normalize_path = svc.normalize_path;
        p.double_encode_path = svc.double_encode_path;
        assert_int_equal(fx_sign(&r, &p), 0);
        struct lc_error err;
        assert_int_equal(fx_verify(&r, services[i], NULL, &err), 0);
        lc_auth_signature_clean_up(&r.sig);
        assert_int_equal(fx_presign(&r, &p), 0);
        fx_remove(&r, "Authorization");
        fx_remove(&r, "X-Amz-Date");
        if (fx_verify(&r, services[i], NULL, &err))
            fail_msg("%s: %s", services[i], err.message);
        lc_auth_signature_clean_up(&r.sig);
    }
}

static void test_session_token_is_signed_unless_omitted(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{}");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.access_key_id = FX_TEMP_AKID;
    p.secret_access_key = FX_TEMP_SECRET;
    p.session_token = FX_TEMP_TOKEN;
    assert_int_equal(fx_sign(&r, &p), 0);
    assert_non_null(strstr(r.sig.authorization, ";x-amz-security-token;"));
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    /* A signed token cannot be swapped. */
    fx_set(&r, "X-Amz-Security-Token", "other");
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), LC_EAUTH);
    assert_string_equal(err.aws_code, "InvalidSignatureException");
    lc_auth_signature_clean_up(&r.sig);
}

static void test_sign_body_adds_content_hash_header(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "Param1=value1");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    p.sign_body = true;
    assert_int_equal(fx_sign(&r, &p), 0);
    assert_string_equal(r.sig.payload_hash,
                        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    assert_non_null(strstr(r.sig.authorization, ";x-amz-content-sha256;"));
    struct lc_error err;
    assert_int_equal(fx_verify(&r, "dynamodb", NULL, &err), 0);
    lc_auth_signature_clean_up(&r.sig);
}

static void test_signing_without_host_or_credentials_is_invalid(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{}");
    fx_remove(&r, "Host");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    struct lc_auth_signature sig;
    struct lc_error err;
    assert_int_equal(lc_auth_sign_header(&p, &r.req, &sig, &err), LC_EINVAL);
    fx_set(&r, "Host", "h");
    p.secret_access_key = NULL;
    assert_int_equal(lc_auth_sign_header(&p, &r.req, &sig, &err), LC_EINVAL);
    p = fx_params("dynamodb", fx_time(NOW));
    p.expires_s = 0;
    assert_int_equal(lc_auth_presign(&p, &r.req, &sig, &err), LC_EINVAL);
    p.expires_s = 604801;
    assert_int_equal(lc_auth_presign(&p, &r.req, &sig, &err), LC_EINVAL);
    lc_auth_signature_clean_up(&sig); /* safe on a zeroed signature */
}

static void test_signature_clean_up_is_idempotent(void **state)
{
    struct fx_req r;
    fx_ddb_request(&r, "{}");
    struct lc_auth_sign_params p = fx_params("dynamodb", fx_time(NOW));
    assert_int_equal(fx_sign(&r, &p), 0);
    lc_auth_signature_clean_up(&r.sig);
    assert_null(r.sig.authorization);
    lc_auth_signature_clean_up(&r.sig);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_signed_dynamodb_post_verifies),
    cmocka_unit_test(test_signer_skips_headers_that_proxies_rewrite),
    cmocka_unit_test(test_every_service_profile_round_trips),
    cmocka_unit_test(test_session_token_is_signed_unless_omitted),
    cmocka_unit_test(test_sign_body_adds_content_hash_header),
    cmocka_unit_test(test_signing_without_host_or_credentials_is_invalid),
    cmocka_unit_test(test_signature_clean_up_is_idempotent),
};

int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
