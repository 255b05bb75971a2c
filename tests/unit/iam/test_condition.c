/*
 * test_condition.c: one test per rule of AWS's "IAM JSON policy elements: Condition operators"
 * and "Multivalued context keys" pages.
 */
#include "iam_test.h"

/* Evaluates a one-statement Allow with the given Condition for alice, with context k=v pairs. */
static enum lc_iam_decision_kind s_cond(const char *cond_json, const char *const *kv)
{
    char policy[4096];
    snprintf(policy, sizeof policy,
             "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":%s}}",
             cond_json);
    struct lc_iam_request *r = t_req(ALICE, "dynamodb:GetItem", TABLE);
    for (size_t i = 0; kv && kv[i]; i += 2)
        lc_iam_request_add_context(r, kv[i], kv[i + 1]);
    return t_eval(t_set(policy, NULL, NULL, NULL), r);
}

#define ALLOWED(c, ...) assert_int_equal(s_cond(c, (const char *const[]){__VA_ARGS__, NULL}), LC_IAM_ALLOWED)
#define DENIED(c, ...) assert_int_equal(s_cond(c, (const char *const[]){__VA_ARGS__, NULL}), LC_IAM_IMPLICITLY_DENIED)

static void test_string_equals_is_case_sensitive_and_any_value_matches(void **state)
{
    ALLOWED("{\"StringEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}", "aws:username", "alice");
    DENIED("{\"StringEquals\":{\"aws:username\":\"Alice\"}}", "aws:username", "alice");
    ALLOWED("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}", "aws:username", "alice");
}

static void test_condition_keys_are_case_insensitive(void **state)
{
    ALLOWED("{\"StringEquals\":{\"AWS:UserName\":\"alice\"}}", "aws:username", "alice");
}

static void test_string_not_equals_needs_every_value_to_differ(void **state)
{
    DENIED("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}", "aws:username", "alice");
    ALLOWED("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"carol\"]}}", "aws:username", "alice");
}

static void test_string_like_uses_wildcards_and_string_equals_does_not(void **state)
{
    ALLOWED("{\"StringLike\":{\"aws:username\":\"al*\"}}", "aws:username", "alice");
    DENIED("{\"StringEquals\":{\"aws:username\":\"al*\"}}", "aws:username", "alice");
    DENIED("{\"StringNotLike\":{\"aws:username\":\"?lice\"}}", "aws:username", "alice");
}

static void test_missing_key_fails_positive_operators_and_satisfies_negated_ones(void **state)
{
    DENIED("{\"StringEquals\":{\"aws:username\":\"alice\"}}", "aws:SourceIp", "10.0.0.1");
    ALLOWED("{\"StringNotEquals\":{\"aws:username\":\"alice\"}}", "aws:SourceIp", "10.0.0.1");
}

static void test_if_exists_holds_when_the_key_is_absent(void **state)
{
    ALLOWED("{\"StringEqualsIfExists\":{\"dynamodb:Select\":\"COUNT\"}}", "aws:username", "alice");
    DENIED("{\"StringEqualsIfExists\":{\"dynamodb:Select\":\"COUNT\"}}", "dynamodb:Select", "ALL_ATTRIBUTES");
}

static void test_numeric_operators_compare_numbers_not_text(void **state)
{
    ALLOWED("{\"NumericLessThan\":{\"aws:EpochTime\":\"1000\"}}", "aws:EpochTime", "999.5");
    DENIED("{\"NumericLessThan\":{\"aws:EpochTime\":\"1000\"}}", "aws:EpochTime", "10000");
    ALLOWED("{\"NumericGreaterThanEquals\":{\"aws:EpochTime\":1000}}", "aws:EpochTime", "1000");
    DENIED("{\"NumericEquals\":{\"aws:EpochTime\":\"1000\"}}", "aws:EpochTime", "1e3x");
}

static void test_date_operators_accept_iso_and_epoch_seconds(void **state)
{
    ALLOWED("{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}", "aws:CurrentTime", "2025-06-15T12:00:00Z");
    DENIED("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2030-01-01\"}}", "aws:CurrentTime", "2025-06-15T12:00:00Z");
    ALLOWED("{\"DateEquals\":{\"aws:EpochTime\":\"2025-06-15T12:00:00Z\"}}", "aws:EpochTime", "1749988800");
}

static void test_bool_compares_true_and_false_case_insensitively(void **state)
{
    ALLOWED("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", "aws:SecureTransport", "TRUE");
    DENIED("{\"Bool\":{\"aws:SecureTransport\":true}}", "aws:SecureTransport", "false");
    DENIED("{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}", "aws:SecureTransport", "true");
}

static void test_ip_address_matches_cidr_ranges_in_v4_and_v6(void **state)
{
    ALLOWED("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "10.200.3.4");
    DENIED("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "11.0.0.1");
    ALLOWED("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", "aws:SourceIp", "2001:db8:1::5");
    ALLOWED("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "aws:SourceIp", "8.8.8.8");
    DENIED("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "2001:db8::1");
}

static void test_not_ip_address_holds_outside_every_range(void **state)
{
    ALLOWED("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}", "aws:SourceIp", "8.8.8.8");
    DENIED("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}", "aws:SourceIp", "192.168.4.4");
    ALLOWED("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.1.2.3\"}}", "aws:SourceIp", "2001:db8::5");
}

static void test_arn_like_matches_part_by_part(void **state)
{
    ALLOWED("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/*\"}}", "aws:PrincipalArn", ALICE);
    DENIED("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/*\"}}", "aws:PrincipalArn", ALICE);
    ALLOWED("{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/*\"}}", "aws:PrincipalArn", ALICE);
    DENIED("{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/*\"}}", "aws:PrincipalArn", "not-an-arn");
}

static void test_binary_equals_compares_base64_text(void **state)
{
    ALLOWED("{\"BinaryEquals\":{\"aws:x\":\"QmluYXJ5\"}}", "aws:x", "QmluYXJ5");
    DENIED("{\"BinaryEquals\":{\"aws:x\":\"QmluYXJ5\"}}", "aws:x", "qmluyxj5");
}

static void test_null_checks_presence_of_the_key(void **state)
{
    ALLOWED("{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}", "aws:username", "alice");
    DENIED("{\"Null\":{\"aws:username\":\"true\"}}", "aws:username", "alice");
    ALLOWED("{\"Null\":{\"aws:username\":\"false\"}}", "aws:username", "alice");
}

static void test_for_any_value_needs_one_request_value_to_match(void **state)
{
    ALLOWED("{\"ForAnyValue:StringEquals\":{\"dynamodb:Attributes\":[\"id\"]}}", "dynamodb:Attributes", "name",
            "dynamodb:Attributes", "id");
    DENIED("{\"ForAnyValue:StringEquals\":{\"dynamodb:Attributes\":[\"secret\"]}}", "dynamodb:Attributes", "name");
    DENIED("{\"ForAnyValue:StringEquals\":{\"dynamodb:Attributes\":[\"id\"]}}", "aws:username", "alice");
}

static void test_for_all_values_needs_every_request_value_and_holds_when_absent(void **state)
{
    ALLOWED("{\"ForAllValues:StringEquals\":{\"dynamodb:Attributes\":[\"id\",\"name\"]}}", "dynamodb:Attributes", "name",
            "dynamodb:Attributes", "id");
    DENIED("{\"ForAllValues:StringEquals\":{\"dynamodb:Attributes\":[\"id\",\"name\"]}}", "dynamodb:Attributes", "name",
           "dynamodb:Attributes", "secret");
    ALLOWED("{\"ForAllValues:StringEquals\":{\"dynamodb:Attributes\":[\"id\"]}}", "aws:username", "alice");
}

static void test_if_exists_with_a_set_operator_holds_when_the_key_is_absent(void **state)
{
    ALLOWED("{\"ForAnyValue:StringEqualsIfExists\":{\"dynamodb:Attributes\":\"id\"}}", "aws:username", "alice");
}

static void test_leading_keys_are_multivalued_so_a_plain_operator_cannot_match(void **state)
{
    DENIED("{\"StringEquals\":{\"dynamodb:LeadingKeys\":\"alice\"}}", "dynamodb:LeadingKeys", "alice");
    ALLOWED("{\"ForAllValues:StringEquals\":{\"dynamodb:LeadingKeys\":\"${aws:username}\"}}", "dynamodb:LeadingKeys",
            "alice", "aws:username", "alice");
}

static void test_all_condition_blocks_and_keys_must_hold(void **state)
{
    ALLOWED("{\"StringEquals\":{\"aws:username\":\"alice\",\"aws:RequestedRegion\":\"us-east-1\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}",
            "aws:username", "alice", "aws:RequestedRegion", "us-east-1", "aws:SecureTransport", "true");
    DENIED("{\"StringEquals\":{\"aws:username\":\"alice\",\"aws:RequestedRegion\":\"us-east-1\"}}", "aws:username", "alice",
           "aws:RequestedRegion", "eu-west-1");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_string_equals_is_case_sensitive_and_any_value_matches),
    cmocka_unit_test(test_condition_keys_are_case_insensitive),
    cmocka_unit_test(test_string_not_equals_needs_every_value_to_differ),
    cmocka_unit_test(test_string_like_uses_wildcards_and_string_equals_does_not),
    cmocka_unit_test(test_missing_key_fails_positive_operators_and_satisfies_negated_ones),
    cmocka_unit_test(test_if_exists_holds_when_the_key_is_absent),
    cmocka_unit_test(test_numeric_operators_compare_numbers_not_text),
    cmocka_unit_test(test_date_operators_accept_iso_and_epoch_seconds),
    cmocka_unit_test(test_bool_compares_true_and_false_case_insensitively),
    cmocka_unit_test(test_ip_address_matches_cidr_ranges_in_v4_and_v6),
    cmocka_unit_test(test_not_ip_address_holds_outside_every_range),
    cmocka_unit_test(test_arn_like_matches_part_by_part),
    cmocka_unit_test(test_binary_equals_compares_base64_text),
    cmocka_unit_test(test_null_checks_presence_of_the_key),
    cmocka_unit_test(test_for_any_value_needs_one_request_value_to_match),
    cmocka_unit_test(test_for_all_values_needs_every_request_value_and_holds_when_absent),
    cmocka_unit_test(test_if_exists_with_a_set_operator_holds_when_the_key_is_absent),
    cmocka_unit_test(test_leading_keys_are_multivalued_so_a_plain_operator_cannot_match),
    cmocka_unit_test(test_all_condition_blocks_and_keys_must_hold),
};

LC_TEST_MAIN(tests)
