/* test_route.c: which service and operation a request is for. */
#include "api_fixture.h"

static void s_route(struct lc_api_request *req, struct lc_api_route *out, const struct lc_auth_header *h,
                    size_t n)
{
    lc_api_services = fx_services;
    req->headers = h;
    req->header_count = n;
    if (!req->method)
        req->method = "POST";
    if (!req->path)
        req->path = "/";
    if (!req->query)
        req->query = "";
    if (!req->body)
        req->body = "";
    lc__api_route(req, out);
}

static void s_done(struct lc_api_request *req)
{
    lc__api_params_free((struct lc_api_param *)req->params, req->n_params);
}

#define H(n, v) {lc_cur_from_str(n), lc_cur_from_str(v)}
#define AUTH_IAM "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"

static void test_target_header_names_service_and_operation(void **state)
{
    struct lc_auth_header h[] = {H("X-Amz-Target", "DynamoDB_20120810.PutItem")};
    struct lc_api_request req = {0};
    struct lc_api_route r;
    s_route(&req, &r, h, 1);
    assert_ptr_equal(r.svc, &fx_ddb);
    assert_null(r.op); /* the fake service has no PutItem */
    assert_string_equal(r.operation, "PutItem");
    h[0] = (struct lc_auth_header)H("x-amz-target", "DynamoDB_20120810.GetItem");
    s_route(&req, &r, h, 1);
    assert_ptr_equal(r.op, &fx_ddb_ops[0]);
    s_done(&req);
}

static void test_unknown_target_prefix_names_no_service(void **state)
{
    struct lc_auth_header h[] = {H("X-Amz-Target", "Kinesis_20131202.PutRecord")};
    struct lc_api_request req = {0};
    struct lc_api_route r;
    s_route(&req, &r, h, 1);
    assert_null(r.svc);
    assert_int_equal(r.protocol, LC_API_JSON);
    assert_string_equal(r.operation, "PutRecord");
}

static void test_form_action_routes_by_credential_scope(void **state)
{
    struct lc_auth_header h[] = {H("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                                 H("Authorization", AUTH_IAM)};
    struct lc_api_request req = {.body = "Action=GetUser&Version=2010-05-08&UserName=Bob%20Smith+Jr"};
    req.body_len = strlen(req.body);
    struct lc_api_route r;
    s_route(&req, &r, h, 2);
    assert_ptr_equal(r.svc, &fx_iam);
    assert_ptr_equal(r.op, &fx_iam_ops[0]);
    assert_int_equal(r.protocol, LC_API_QUERY);
    assert_string_equal(lc_api_param(&req, "UserName"), "Bob Smith Jr");
    assert_null(lc_api_param(&req, "Missing"));
    s_done(&req);
}

static void test_query_string_action_routes_by_host_when_unsigned(void **state)
{
    struct lc_auth_header h[] = {H("Host", "sts.us-east-1.amazonaws.com")};
    struct lc_api_request req = {.method = "GET", .query = "Action=GetCallerIdentity&Version=2011-06-15"};
    struct lc_api_route r;
    s_route(&req, &r, h, 1);
    assert_ptr_equal(r.svc, &fx_sts);
    assert_string_equal(r.operation, "GetCallerIdentity");
    s_done(&req);
}

static void test_bare_get_of_the_root_is_a_health_probe(void **state)
{
    struct lc_api_request req = {.method = "GET"};
    struct lc_api_route r;
    s_route(&req, &r, NULL, 0);
    assert_true(r.health);
    assert_null(r.svc);
}

static void test_body_limit_follows_the_service(void **state)
{
    lc_api_services = fx_services;
    struct lc_auth_header h[] = {H("X-Amz-Target", "DynamoDB_20120810.GetItem")};
    struct lc_api_request req = {.method = "POST", .path = "/", .query = "", .body = "", .headers = h,
                                 .header_count = 1};
    size_t limit;
    bool blocks;
    lc__api_preroute(&req, &limit, &blocks);
    assert_int_equal(limit, 4096);
    req.header_count = 0;
    lc__api_preroute(&req, &limit, &blocks);
    assert_int_equal(limit, LC_API_DEFAULT_MAX_BODY);
}

extern const struct lc_api_service lc_api_svc_dynamodb, lc_api_svc_lambda, lc_api_svc_cloudformation;

/* What may wait on a call back into the server leaves the event loop, decided from the headers. */
static void test_invoke_and_cloudformation_block_and_getitem_does_not(void **state)
{
    static const struct lc_api_service *const real[] = {&lc_api_svc_dynamodb, &lc_api_svc_lambda,
                                                        &lc_api_svc_cloudformation, NULL};
    lc_api_services = real;
    size_t limit;
    bool blocks = true;
    struct lc_auth_header ddb[] = {H("X-Amz-Target", "DynamoDB_20120810.GetItem")};
    struct lc_api_request req = {.method = "POST", .path = "/", .query = "", .body = "", .headers = ddb,
                                 .header_count = 1};
    lc__api_preroute(&req, &limit, &blocks);
    assert_false(blocks);

    req.path = "/2015-03-31/functions/read-function/invocations";
    req.header_count = 0;
    lc__api_preroute(&req, &limit, &blocks);
    assert_true(blocks);
    req.path = "/2015-03-31/functions/read-function";
    lc__api_preroute(&req, &limit, &blocks);
    assert_false(blocks); /* GetFunction */

    struct lc_auth_header cfn[] = {
        H("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/cloudformation/aws4_request, "
                           "SignedHeaders=host, Signature=00"),
        H("Content-Type", "application/x-www-form-urlencoded")};
    req.path = "/";
    req.headers = cfn;
    req.header_count = 2;
    lc__api_preroute(&req, &limit, &blocks);
    assert_true(blocks);
}

static void test_percent_decoding_keeps_malformed_escapes(void **state)
{
    char *s = lc__api_pct_decode("a%2Fb%zz%4", 10, false);
    assert_string_equal(s, "a/b%zz%4");
    lc_free(s);
    s = lc__api_pct_decode("a+b", 3, true);
    assert_string_equal(s, "a b");
    lc_free(s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_header_names_service_and_operation),
        cmocka_unit_test(test_unknown_target_prefix_names_no_service),
        cmocka_unit_test(test_form_action_routes_by_credential_scope),
        cmocka_unit_test(test_query_string_action_routes_by_host_when_unsigned),
        cmocka_unit_test(test_bare_get_of_the_root_is_a_health_probe),
        cmocka_unit_test(test_body_limit_follows_the_service),
        cmocka_unit_test(test_invoke_and_cloudformation_block_and_getitem_does_not),
        cmocka_unit_test(test_percent_decoding_keeps_malformed_escapes),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
