/* test_pipeline.c: route -> authenticate -> authorize -> act -> render, with AWS's exact answers. */
#include "api_fixture.h"

#include "leastcloud/hash.h"
#include "leastcloud/store_trail.h"

#define GET_ITEM "DynamoDB_20120810.GetItem"
#define JSON10 "application/x-amz-json-1.0"

static struct fx_req s_ddb(const struct lc_store_key *k, const char *body)
{
    return (struct fx_req){.key_id = k ? k->key_id : NULL, .secret = k ? k->secret : NULL,
                           .target = GET_ITEM, .content_type = JSON10, .body = body};
}

static void test_root_is_allowed_everything_in_its_account(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->root, "{\"pk\":\"a\"}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"caller\":\"arn:aws:iam::000000000000:root\"}");
    assert_string_equal(r.content_type, JSON10);
    fx_resp_free(&r);
}

static void test_user_allowed_by_policy_gets_the_answer(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"caller\":\"arn:aws:iam::000000000000:user/reader\"}");
    fx_resp_free(&r);
}

static void test_denial_is_aws_access_denied_exception_with_the_sentence(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    q.target = "DynamoDB_20120810.BatchGetItem";
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body,
                        "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User: "
                        "arn:aws:iam::000000000000:user/reader is not authorized to perform: "
                        "dynamodb:BatchGetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/t "
                        "because no identity-based policy allows the dynamodb:BatchGetItem action\"}");
    fx_resp_free(&r);
}

static void test_explicit_deny_names_the_identity_based_policy(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_inline_policy_put(f->store, f->user_arn, "deny-a",
                                                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                                                "\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\",\"Condition\":"
                                                "{\"ForAnyValue:StringEquals\":{\"dynamodb:LeadingKeys\":\"a\"}}}]}",
                                                &err), 0);
    struct fx_req q = s_ddb(&f->user, "{\"pk\":\"a\"}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "dynamodb:GetItem on resource: " FX_TABLE_ARN
                                   " with an explicit deny in an identity-based policy\"}"));
    fx_resp_free(&r);
    /* The condition key reached IAM: another partition key is still allowed. */
    q.body = "{\"pk\":\"b\"}";
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    fx_resp_free(&r);
}

static void test_policy_change_applies_to_the_next_request(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    fx_resp_free(&r);
    struct lc_error err;
    assert_int_equal(lc_store_inline_policy_delete(f->store, f->user_arn, "read", &err), 0);
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "because no identity-based policy allows the dynamodb:GetItem action"));
    fx_resp_free(&r);
}

static void test_unsigned_request_is_missing_authentication_token(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(NULL, "{}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"__type\":\"com.amazon.coral.service#MissingAuthenticationTokenException\","
                                "\"message\":\"Request is missing Authentication Token\"}");
    fx_resp_free(&r);
}

static void test_unknown_key_is_unrecognized_client(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(NULL, "{}");
    q.key_id = "AKIAUNKNOWNUNKNOWN00";
    q.secret = "secretsecretsecretsecretsecretsecret0000";
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\","
                                "\"message\":\"The security token included in the request is invalid.\"}");
    fx_resp_free(&r);
}

static void test_wrong_secret_is_invalid_signature(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    q.secret = "wrongwrongwrongwrongwrongwrongwrongwrong";
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\","
                                   "\"message\":\"The request signature we calculated does not match"));
    fx_resp_free(&r);
}

static void test_inactive_key_is_refused(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_key_set_active(f->store, f->user.key_id, false, &err), 0);
    struct fx_req q = s_ddb(&f->user, "{}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "UnrecognizedClientException"));
    fx_resp_free(&r);
}

static void test_session_credentials_act_as_the_assumed_role(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    struct lc_store_principal role;
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "fn-role", NULL,
                                               "{\"Version\":\"2012-10-17\",\"Statement\":[]}", &role, &err), 0);
    struct lc_store_key k;
    assert_int_equal(lc_store_session_create(f->store, role.arn, "read-function", 3600, NULL, &k, &err), 0);
    struct fx_req q = s_ddb(&k, "{}");
    q.token = k.session_token;
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"Message\":\"User: arn:aws:sts::000000000000:assumed-role/fn-role/"
                                   "read-function is not authorized to perform: dynamodb:GetItem"));
    fx_resp_free(&r);
    /* A wrong token is refused before IAM is asked. */
    q.token = "not-the-token";
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "UnrecognizedClientException"));
    fx_resp_free(&r);
}

static void test_bad_json_is_serialization_exception(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{\"TableName\":");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "{\"__type\":\"com.amazon.coral.service#SerializationException\","
                                   "\"message\":\"The request body is not valid JSON: "));
    fx_resp_free(&r);
}

static void test_bad_utf8_is_serialization_exception(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{\"pk\":\"\xc3\x28\"}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "SerializationException\",\"message\":\"The request body is not valid UTF-8"));
    fx_resp_free(&r);
}

static void test_body_that_is_not_an_object_is_serialization_exception(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "[1,2]");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "SerializationException\",\"message\":\"Start of list found where not expected"));
    fx_resp_free(&r);
}

static void test_empty_body_is_serialization_exception_after_authentication(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "SerializationException"));
    fx_resp_free(&r);
}

static void test_unknown_operation_is_unknown_operation_exception(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    q.target = "DynamoDB_20120810.FlyToTheMoon";
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\","
                                "\"message\":\"Unknown operation FlyToTheMoon for service dynamodb\"}");
    fx_resp_free(&r);
}

static void test_body_over_the_limit_is_answered_413(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->user, "{}");
    q.too_large = true;
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "RequestEntityTooLarge\",\"message\":\"Request body of 1048576 bytes exceeds "
                                   "the maximum of 4096 bytes for dynamodb requests"));
    fx_resp_free(&r);
}

static void test_operation_that_skips_authorization_fails_closed(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->root, "{}");
    q.target = "DynamoDB_20120810.Sloppy";
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "InternalFailure"));
    fx_resp_free(&r);
}

static void test_dynamodb_replies_carry_a_52_character_id_and_the_body_crc32(void **state)
{
    struct fx *f = *state;
    struct fx_req q = s_ddb(&f->root, "{}");
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(strlen(r.request_id), 52);
    for (size_t i = 0; i < 52; i++)
        assert_true((r.request_id[i] >= 'A' && r.request_id[i] <= 'Z') ||
                    (r.request_id[i] >= '0' && r.request_id[i] <= '9'));
    char crc[16];
    snprintf(crc, sizeof crc, "%u", lc_crc32(r.body, strlen(r.body)));
    assert_string_equal(r.crc32, crc);
    fx_resp_free(&r);
}

static void test_query_denial_is_the_xml_error_envelope(void **state)
{
    struct fx *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_inline_policy_delete(f->store, f->user_arn, "read", &err), 0);
    struct fx_req q = {.key_id = f->user.key_id, .secret = f->user.secret, .service = "iam",
                       .content_type = "application/x-www-form-urlencoded; charset=utf-8",
                       .body = "Action=GetUser&Version=2010-05-08&UserName=bob"};
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.content_type, "text/xml");
    assert_int_equal(strlen(r.request_id), 36);
    char expect[2048];
    snprintf(expect, sizeof expect,
             "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
             "  <Error>\n"
             "    <Type>Sender</Type>\n"
             "    <Code>AccessDenied</Code>\n"
             "    <Message>User: arn:aws:iam::000000000000:user/reader is not authorized to perform: iam:GetUser "
             "on resource: arn:aws:iam::000000000000:user/bob because no identity-based policy allows the "
             "iam:GetUser action</Message>\n"
             "  </Error>\n"
             "  <RequestId>%s</RequestId>\n"
             "</ErrorResponse>\n",
             r.request_id);
    assert_string_equal(r.body, expect);
    fx_resp_free(&r);
}

static void test_query_result_is_wrapped_with_response_metadata(void **state)
{
    struct fx *f = *state;
    struct fx_req q = {.key_id = f->user.key_id, .secret = f->user.secret, .service = "iam",
                       .content_type = "application/x-www-form-urlencoded",
                       .body = "Action=GetUser&Version=2010-05-08&UserName=a%26b"};
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
             "  <GetUserResult>\n"
             "    <User>\n      <UserName>a&amp;b</UserName>\n    </User>\n"
             "  </GetUserResult>\n"
             "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
             "</GetUserResponse>\n",
             r.request_id);
    assert_string_equal(r.body, expect);
    fx_resp_free(&r);
}

static void test_query_unknown_key_is_invalid_client_token_id(void **state)
{
    struct fx *f = *state;
    struct fx_req q = {.key_id = "AKIANOBODYNOBODY0000", .secret = "x", .service = "sts",
                       .content_type = "application/x-www-form-urlencoded",
                       .body = "Action=GetCallerIdentity&Version=2011-06-15"};
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    assert_non_null(strstr(r.body, "<Code>InvalidClientTokenId</Code>"));
    fx_resp_free(&r);
}

static void test_operation_flagged_no_authz_answers_without_a_check(void **state)
{
    struct fx *f = *state;
    struct fx_req q = {.key_id = f->user.key_id, .secret = f->user.secret, .service = "sts",
                       .content_type = "application/x-www-form-urlencoded",
                       .body = "Action=GetCallerIdentity&Version=2011-06-15"};
    struct fx_resp r;
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<Arn>arn:aws:iam::000000000000:user/reader</Arn>"));
    fx_resp_free(&r);
}

struct s_rows {
    int n;
    char decisions[8][160];
    char principals[8][128];
    char checks[8][512];
    int status[8];
};

static int s_row(const struct lc_store_trail_event *e, void *ud)
{
    struct s_rows *rows = ud;
    if (rows->n < 8) {
        snprintf(rows->decisions[rows->n], 160, "%s|%s|%s|%s", e->decision, e->operation, e->action, e->error_code);
        snprintf(rows->principals[rows->n], 128, "%s", e->principal_arn);
        snprintf(rows->checks[rows->n], 512, "%s", e->checks);
        rows->status[rows->n] = e->http_status;
    }
    rows->n++;
    return 0;
}

static void test_every_answered_request_leaves_a_trail_row(void **state)
{
    struct fx *f = *state;
    struct fx_resp r;
    struct fx_req ok = s_ddb(&f->user, "{}");
    fx_send(f, &ok, &r);
    fx_resp_free(&r);
    struct fx_req denied = s_ddb(&f->user, "{}");
    denied.target = "DynamoDB_20120810.BatchGetItem";
    fx_send(f, &denied, &r);
    fx_resp_free(&r);
    struct fx_req unknown = s_ddb(NULL, "{}");
    unknown.key_id = "AKIAUNKNOWNUNKNOWN00";
    unknown.secret = "x";
    fx_send(f, &unknown, &r);
    fx_resp_free(&r);
    /* Stopping the pipeline flushes the writer's queue. */
    lc__api_pipeline_free(f->pipeline);
    f->pipeline = NULL;
    struct s_rows rows = {0};
    struct lc_error err;
    assert_int_equal(lc_store_trail_list(f->store, NULL, s_row, &rows, &err), 0);
    assert_int_equal(rows.n, 3);
    assert_string_equal(rows.decisions[0], "Allowed|GetItem|dynamodb:GetItem|");
    assert_string_equal(rows.principals[0], "arn:aws:iam::000000000000:user/reader");
    assert_int_equal(rows.status[0], 200);
    assert_string_equal(rows.decisions[1], "ImplicitlyDenied|BatchGetItem|dynamodb:BatchGetItem|AccessDeniedException");
    assert_int_equal(rows.status[1], 400);
    assert_string_equal(rows.decisions[2], "UnrecognizedClientException|GetItem||UnrecognizedClientException");
    assert_string_equal(rows.principals[2], "");
}

static void test_each_check_of_a_multi_resource_request_is_recorded(void **state)
{
    struct fx *f = *state;
    struct fx_resp r;
    struct fx_req q = s_ddb(&f->root, "{}");
    q.target = "DynamoDB_20120810.BatchGetItem";
    fx_send(f, &q, &r);
    assert_int_equal(r.status, 200);
    fx_resp_free(&r);
    lc__api_pipeline_free(f->pipeline);
    f->pipeline = NULL;
    struct s_rows rows = {0};
    struct lc_error err;
    assert_int_equal(lc_store_trail_list(f->store, NULL, s_row, &rows, &err), 0);
    assert_int_equal(rows.n, 1);
    assert_non_null(strstr(rows.checks[0], "\"resource\":\"arn:aws:dynamodb:us-east-1:000000000000:table/u\""));
    assert_non_null(strstr(rows.checks[0], "\"decision\":\"Allowed\",\"policy\":\"root\""));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_root_is_allowed_everything_in_its_account),
        FX_TEST(test_user_allowed_by_policy_gets_the_answer),
        FX_TEST(test_denial_is_aws_access_denied_exception_with_the_sentence),
        FX_TEST(test_explicit_deny_names_the_identity_based_policy),
        FX_TEST(test_policy_change_applies_to_the_next_request),
        FX_TEST(test_unsigned_request_is_missing_authentication_token),
        FX_TEST(test_unknown_key_is_unrecognized_client),
        FX_TEST(test_wrong_secret_is_invalid_signature),
        FX_TEST(test_inactive_key_is_refused),
        FX_TEST(test_session_credentials_act_as_the_assumed_role),
        FX_TEST(test_bad_json_is_serialization_exception),
        FX_TEST(test_bad_utf8_is_serialization_exception),
        FX_TEST(test_body_that_is_not_an_object_is_serialization_exception),
        FX_TEST(test_empty_body_is_serialization_exception_after_authentication),
        FX_TEST(test_unknown_operation_is_unknown_operation_exception),
        FX_TEST(test_body_over_the_limit_is_answered_413),
        FX_TEST(test_operation_that_skips_authorization_fails_closed),
        FX_TEST(test_dynamodb_replies_carry_a_52_character_id_and_the_body_crc32),
        FX_TEST(test_query_denial_is_the_xml_error_envelope),
        FX_TEST(test_query_result_is_wrapped_with_response_metadata),
        FX_TEST(test_query_unknown_key_is_invalid_client_token_id),
        FX_TEST(test_operation_flagged_no_authz_answers_without_a_check),
        FX_TEST(test_every_answered_request_leaves_a_trail_row),
        FX_TEST(test_each_check_of_a_multi_resource_request_is_recorded),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
