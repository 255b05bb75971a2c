/* test_reply.c: response helpers and AWS's error bodies. */
#include "api_fixture.h"

static void test_xml_text_is_escaped(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc_api_xml_elem(&b, "Message", "a<b>&\"c'"), 0);
    assert_string_equal(b.data, "<Message>a&lt;b&gt;&amp;&quot;c&apos;</Message>");
    lc_buf_free(&b);
}

static void test_uuid_request_ids_are_version_4(void **state)
{
    char id[LC_API_REQUEST_ID_MAX];
    lc__api_request_id(false, id);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[8], '-');
    assert_int_equal(id[14], '4');
    char other[LC_API_REQUEST_ID_MAX];
    lc__api_request_id(false, other);
    assert_string_not_equal(id, other);
}

static void test_validation_and_service_errors_get_their_namespaces(void **state)
{
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    struct lc_error e;
    lc_error_set(&e, LC_EINVAL, 400, "ValidationException", "bad");
    struct lc_api_request req = {.request_id = "X"};
    lc__api_render_error(&fx_ddb, &req, &e, &resp);
    assert_string_equal(resp.body.data, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"bad\"}");
    lc_error_set(&e, LC_ENOTFOUND, 400, "ResourceNotFoundException", "Requested resource not found");
    lc__api_render_error(&fx_ddb, &req, &e, &resp);
    assert_string_equal(resp.body.data, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
                                        "\"message\":\"Requested resource not found\"}");
    lc__api_response_clean_up(&resp);
}

static void test_server_errors_are_receiver_faults_in_query_protocol(void **state)
{
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    struct lc_error e;
    lc_error_set(&e, LC_EINTERNAL, 500, "ServiceFailure", "boom");
    struct lc_api_request req = {.request_id = "r-1"};
    lc__api_render_error(&fx_sts, &req, &e, &resp);
    assert_int_equal(resp.status, 500);
    assert_non_null(strstr(resp.body.data, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    assert_non_null(strstr(resp.body.data, "<Type>Receiver</Type>"));
    assert_non_null(strstr(resp.body.data, "<RequestId>r-1</RequestId>"));
    lc__api_response_clean_up(&resp);
}

static void test_response_headers_are_bounded(void **state)
{
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    for (int i = 0; i < LC_API_MAX_HEADERS; i++)
        assert_int_equal(lc_api_response_header(&resp, "x-a", "v"), 0);
    assert_int_equal(lc_api_response_header(&resp, "x-a", "v"), LC_ELIMIT);
    lc__api_response_clean_up(&resp);
}

static void test_json_replies_are_the_bytes_jansson_would_write(void **state)
{
    const char *docs[] = {
        "{\"Items\":[{\"p\":{\"S\":\"a\\\"b\\\\c\\n\\u0001\\u001f\\t\\r\\b\\f/\u00e9\u2028\"}}],\"Count\":2}",
        "{\"ConsumedCapacity\":{\"CapacityUnits\":1.0,\"Half\":0.5,\"Tiny\":1e-07,\"Big\":1e+300}}",
        "[true,false,null,-9223372036854775807,{},[],\"\"]",
        "{\"z\":1,\"a\":2,\"m\":{\"y\":[1,2,{\"k\":\"v\"}]}}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_error_t je;
        json_t *v = json_loads(docs[i], 0, &je);
        assert_non_null(v);
        char *expect = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        assert_int_equal(lc__api_json_write(&b, v), 0);
        assert_string_equal(b.data, expect);
        lc_buf_free(&b);
        free(expect);
        json_decref(v);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_text_is_escaped),
        cmocka_unit_test(test_uuid_request_ids_are_version_4),
        cmocka_unit_test(test_validation_and_service_errors_get_their_namespaces),
        cmocka_unit_test(test_server_errors_are_receiver_faults_in_query_protocol),
        cmocka_unit_test(test_response_headers_are_bounded),
        cmocka_unit_test(test_json_replies_are_the_bytes_jansson_would_write),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
