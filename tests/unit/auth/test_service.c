/* test_service.c: service profiles and the two error vocabularies. */
#include "lc_test.h"

#include "auth/auth_internal.h"
#include "leastcloud/clock.h"

static void test_profiles_carry_aws_windows_and_families(void **state)
{
    struct lc_auth_service s;
    lc_auth_service_profile("dynamodb", &s);
    assert_int_equal(s.family, LC_AUTH_FAMILY_JSON);
    assert_int_equal(s.status, 400);
    assert_int_equal(s.skew_window_min, 15);
    lc_auth_service_profile("lambda", &s);
    assert_int_equal(s.family, LC_AUTH_FAMILY_JSON);
    assert_int_equal(s.status, 403);
    assert_int_equal(s.skew_window_min, 5);
    lc_auth_service_profile("kms", &s);
    assert_int_equal(s.skew_window_min, 5);
    lc_auth_service_profile("sts", &s);
    assert_int_equal(s.family, LC_AUTH_FAMILY_QUERY);
    assert_int_equal(s.skew_window_min, 15);
    lc_auth_service_profile("s3", &s);
    assert_false(s.normalize_path);
    assert_false(s.double_encode_path);
    lc_auth_service_profile("something-new", &s);
    assert_string_equal(s.name, "something-new");
    assert_int_equal(s.family, LC_AUTH_FAMILY_QUERY);
    assert_true(s.normalize_path && s.double_encode_path && s.echo_canonical);
}

static void test_failure_codes_follow_the_family(void **state)
{
    struct lc_auth_service json, query;
    lc_auth_service_profile("dynamodb", &json);
    lc_auth_service_profile("iam", &query);
    const struct {
        enum lc__auth_failure kind;
        const char *json, *query;
        int query_status;
    } rows[] = {
        {LC__AUTH_MISSING, "MissingAuthenticationTokenException", "MissingAuthenticationToken", 403},
        {LC__AUTH_INCOMPLETE, "IncompleteSignatureException", "IncompleteSignature", 400},
        {LC__AUTH_BAD_SIGNATURE, "InvalidSignatureException", "SignatureDoesNotMatch", 403},
        {LC__AUTH_UNKNOWN_KEY, "UnrecognizedClientException", "InvalidClientTokenId", 403},
        {LC__AUTH_EXPIRED_TOKEN, "ExpiredTokenException", "ExpiredToken", 403},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct lc_error err;
        assert_int_equal(lc__auth_fail(&err, &json, rows[i].kind, "m%d", 1), LC_EAUTH);
        assert_string_equal(err.aws_code, rows[i].json);
        assert_int_equal(err.http_status, 400);
        assert_string_equal(err.message, "m1");
        assert_int_equal(lc__auth_fail(&err, &query, rows[i].kind, "m"), LC_EAUTH);
        assert_string_equal(err.aws_code, rows[i].query);
        assert_int_equal(err.http_status, rows[i].query_status);
    }
    assert_int_equal(lc__auth_fail(NULL, &json, LC__AUTH_MISSING, "x"), LC_EAUTH);
}

static void test_http_date_is_parsed_strictly(void **state)
{
    int64_t ms, want;
    assert_int_equal(lc__auth_parse_http_date(lc_cur_from_str("Sun, 30 Aug 2015 12:36:00 GMT"),
                                              &ms),
                     0);
    lc_time_parse_basic("20150830T123600Z", 16, &want);
    assert_true(ms == want);
    assert_int_equal(lc__auth_parse_http_date(lc_cur_from_str("Sun, 30 Foo 2015 12:36:00 GMT"),
                                              &ms),
                     LC_EINVAL);
    assert_int_equal(lc__auth_parse_http_date(lc_cur_from_str("30 Aug 2015"), &ms), LC_EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_profiles_carry_aws_windows_and_families),
    cmocka_unit_test(test_failure_codes_follow_the_family),
    cmocka_unit_test(test_http_date_is_parsed_strictly),
};
LC_TEST_MAIN(tests)
