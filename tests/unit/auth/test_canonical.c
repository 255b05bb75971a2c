/* test_canonical.c: the pieces of the canonical request (URI, query, headers). */
#include "lc_test.h"

#include "auth/auth_internal.h"
#include "leastcloud/alloc.h"

static char *s_uri(const char *path, bool normalize, bool double_encode)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_canonical_uri(&b, lc_cur_from_str(path), normalize, double_encode),
                     0);
    return lc_buf_detach(&b, NULL);
}

static void s_expect_uri(const char *path, bool normalize, bool double_encode, const char *want)
{
    char *got = s_uri(path, normalize, double_encode);
    assert_string_equal(got, want);
    lc_free(got);
}

static void test_path_normalization_removes_dot_segments_and_empty_segments(void **state)
{
    s_expect_uri("", true, true, "/");
    s_expect_uri("/", true, true, "/");
    s_expect_uri("//", true, true, "/");
    s_expect_uri("/./", true, true, "/");
    s_expect_uri("/example/..", true, true, "/");
    s_expect_uri("/example1/example2/../..", true, true, "/");
    s_expect_uri("//example//", true, true, "/example/");
    s_expect_uri("/./example", true, true, "/example");
    s_expect_uri("/a/b/../c/./d/", true, true, "/a/c/d/");
    s_expect_uri("/../../a", true, true, "/a");
}

static void test_unnormalized_path_is_kept_as_sent(void **state)
{
    s_expect_uri("//example//", false, false, "//example//");
    s_expect_uri("/example/..", false, false, "/example/..");
}

static void test_path_is_encoded_once_more_except_for_s3(void **state)
{
    /* botocore sends "/a%20b" and signs "/a%2520b"; S3 signs the path as sent. */
    s_expect_uri("/a%20b", true, true, "/a%2520b");
    s_expect_uri("/a%20b", false, false, "/a%20b");
    s_expect_uri("/example space/$", true, true, "/example%20space/%24");
    s_expect_uri("/\xe1\x88\xb4", true, true, "/%E1%88%B4");
    s_expect_uri("/-._~AZaz09", true, true, "/-._~AZaz09");
}

static char *s_query(const char *q, const char *exclude)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_canonical_query(&b, lc_cur_from_str(q), exclude, NULL), 0);
    return lc_buf_detach(&b, NULL);
}

static void s_expect_query(const char *q, const char *exclude, const char *want)
{
    char *got = s_query(q, exclude);
    assert_string_equal(got, want);
    lc_free(got);
}

static void test_query_is_sorted_by_key_then_value_and_reencoded(void **state)
{
    s_expect_query("", NULL, "");
    s_expect_query("b=2&a=1", NULL, "a=1&b=2");
    s_expect_query("a=2&a=1", NULL, "a=1&a=2");
    s_expect_query("Param1", NULL, "Param1=");
    s_expect_query("k=a%7eb&%2f=x", NULL, "%2F=x&k=a~b");
    s_expect_query("k=a+b&k2=a b", NULL, "k=a%2Bb&k2=a%20b");
    s_expect_query("a=1&&b=2&", NULL, "a=1&b=2");
    s_expect_query("B=1&a=1", NULL, "B=1&a=1");
}

static void test_query_leaves_out_excluded_parameters_by_decoded_name(void **state)
{
    s_expect_query("X-Amz-Signature=abc&b=1", "X-Amz-Signature", "b=1");
    s_expect_query("X-Amz%2DSignature=abc&b=1", "X-Amz-Signature", "b=1");
}

static char *s_headers(const struct lc_auth_header *h, size_t n, const char *signed_headers)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_canonical_headers(&b, h, n, lc_cur_from_str(signed_headers)), 0);
    return lc_buf_detach(&b, NULL);
}

#define H(n, v) {{n, sizeof(n) - 1}, {v, sizeof(v) - 1}}

static void test_headers_are_lowercased_trimmed_folded_and_joined(void **state)
{
    const struct lc_auth_header h[] = {
        H("Host", "example.amazonaws.com"),
        H("My-Header1", "  a   b\t c  "),
        H("my-header1", "second"),
        H("My-Header2", "value1\n  value2\n     value3"),
        H("Unsigned", "x"),
    };
    char *got = s_headers(h, 5, "host;my-header1;my-header2");
    assert_string_equal(got, "host:example.amazonaws.com\nmy-header1:a b c,second\n"
                             "my-header2:value1 value2 value3\n");
    lc_free(got);
}

static void test_signed_header_missing_from_request_gets_empty_value(void **state)
{
    const struct lc_auth_header h[] = {H("Host", "h")};
    char *got = s_headers(h, 1, "host;x-absent");
    assert_string_equal(got, "host:h\nx-absent:\n");
    lc_free(got);
}

static void test_empty_and_blank_header_values_give_empty_canonical_values(void **state)
{
    const struct lc_auth_header h[] = {
        {{"Host", 4}, {NULL, 0}}, /* an empty value may come without a pointer */
        H("X-Blank", " \t \r\n "),
        H("x-blank", ""),
    };
    char *got = s_headers(h, 3, "host;x-blank");
    assert_string_equal(got, "host:\nx-blank:,\n");
    lc_free(got);
}

static void test_long_header_lines_are_kept_whole_and_in_order(void **state)
{
    /* Values and lines longer than any staging buffer, each with folded whitespace. */
    char v1[3001], v2[700];
    for (size_t i = 0; i < sizeof v1 - 1; i++)
        v1[i] = (i % 100 == 50) ? ' ' : (char)('a' + i % 26);
    v1[sizeof v1 - 1] = '\0';
    for (size_t i = 0; i < sizeof v2 - 1; i++)
        v2[i] = (i % 7 == 3) ? '\t' : (char)('A' + i % 26);
    v2[sizeof v2 - 1] = '\0';
    struct lc_auth_header h[40];
    size_t n = 0;
    h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Long"), lc_cur_from_str(v1)};
    h[n++] = (struct lc_auth_header){lc_cur_from_str("X-Tabs"), lc_cur_from_str(v2)};
    for (; n < 40; n++)
        h[n] = (struct lc_auth_header){lc_cur_from_str("X-Many"), lc_cur_from_str(" 0123456789 ")};
    char *got = s_headers(h, n, "x-long;X-MANY;x-tabs");

    struct lc_buf want;
    lc_buf_init(&want, LC_BUF_UNLIMITED);
    lc_buf_append_str(&want, "x-long:");
    lc_buf_append_str(&want, v1);
    lc_buf_append_str(&want, "\nx-many:");
    for (size_t i = 2; i < 40; i++)
        lc_buf_append_str(&want, i > 2 ? ",0123456789" : "0123456789");
    lc_buf_append_str(&want, "\nx-tabs:");
    for (size_t i = 0; i < sizeof v2 - 1; i++)
        lc_buf_append_byte(&want, v2[i] == '\t' ? ' ' : v2[i]);
    lc_buf_append_str(&want, "\n");
    assert_string_equal(got, want.data);
    lc_buf_free(&want);
    lc_free(got);
}

static void test_canonical_headers_over_the_limit_fail_with_elimit(void **state)
{
    const struct lc_auth_header h[] = {H("Host", "example.amazonaws.com")};
    struct lc_buf b;
    lc_buf_init(&b, 20); /* "host:example.amazonaws.com\n" is 27 bytes */
    assert_int_equal(lc__auth_canonical_headers(&b, h, 1, lc_cur_from_str("host")), LC_ELIMIT);
    lc_buf_free(&b);
    lc_buf_init(&b, 27);
    assert_int_equal(lc__auth_canonical_headers(&b, h, 1, lc_cur_from_str("host")), 0);
    assert_string_equal(b.data, "host:example.amazonaws.com\n");
    lc_buf_free(&b);
}

static void test_already_normal_paths_are_encoded_as_they_are(void **state)
{
    s_expect_uri("/a", true, true, "/a");
    s_expect_uri("/a/b/", true, true, "/a/b/");
    s_expect_uri("/.a/..b/...", true, true, "/.a/..b/...");
    s_expect_uri("/a/.", true, true, "/a");
    s_expect_uri("/a/..", true, true, "/");
    s_expect_uri("/a//b", true, true, "/a/b");
    s_expect_uri("a/b", true, true, "/a/b");
    s_expect_uri("/a b/%41", true, true, "/a%20b/%2541");
}

static void test_canonical_request_joins_the_six_parts(void **state)
{
    const struct lc_auth_header h[] = {H("Host", "h"), H("X-Amz-Date", "20150830T123600Z")};
    struct lc_auth_request req = {
        .method = lc_cur_from_str("GET"),
        .path = lc_cur_from_str("/a/../b"),
        .query = lc_cur_from_str("z=1&a=2"),
        .headers = h,
        .header_count = 2,
    };
    struct lc__auth_canon c = {
        .req = &req,
        .query = req.query,
        .headers = h,
        .header_count = 2,
        .signed_headers = lc_cur_from_str("host;x-amz-date"),
        .payload_hash = lc_cur_from_str("UNSIGNED-PAYLOAD"),
        .normalize_path = true,
        .double_encode_path = true,
    };
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_canonical_request(&b, &c), 0);
    assert_string_equal(b.data, "GET\n/b\na=2&z=1\nhost:h\nx-amz-date:20150830T123600Z\n\n"
                                "host;x-amz-date\nUNSIGNED-PAYLOAD");
    lc_buf_free(&b);
}

static void test_query_get_decodes_name_and_value(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    struct lc_cur q = lc_cur_from_str("a=1&X-Amz-Credential=AKID%2F2015&flag");
    assert_int_equal(lc__auth_query_get(q, "X-Amz-Credential", &b), 1);
    assert_string_equal(b.data, "AKID/2015");
    assert_int_equal(lc__auth_query_get(q, "flag", &b), 1);
    assert_int_equal(b.len, 0);
    assert_int_equal(lc__auth_query_get(q, "x-amz-credential", &b), 0);
    lc_buf_free(&b);
}

static void test_uri_decode_keeps_broken_escapes(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc__auth_uri_decode(&b, lc_cur_from_str("%41%zz%4")), 0);
    assert_string_equal(b.data, "A%zz%4");
    lc_buf_free(&b);
}

static void test_header_get_is_case_insensitive_and_takes_the_first(void **state)
{
    const struct lc_auth_header h[] = {H("X-A", "1"), H("x-a", "2")};
    struct lc_cur v;
    assert_true(lc__auth_header_get(h, 2, "x-a", &v));
    assert_true(lc_cur_eq_str(v, "1"));
    assert_false(lc__auth_header_get(h, 2, "x-b", &v));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_path_normalization_removes_dot_segments_and_empty_segments),
    cmocka_unit_test(test_unnormalized_path_is_kept_as_sent),
    cmocka_unit_test(test_path_is_encoded_once_more_except_for_s3),
    cmocka_unit_test(test_query_is_sorted_by_key_then_value_and_reencoded),
    cmocka_unit_test(test_query_leaves_out_excluded_parameters_by_decoded_name),
    cmocka_unit_test(test_headers_are_lowercased_trimmed_folded_and_joined),
    cmocka_unit_test(test_signed_header_missing_from_request_gets_empty_value),
    cmocka_unit_test(test_empty_and_blank_header_values_give_empty_canonical_values),
    cmocka_unit_test(test_long_header_lines_are_kept_whole_and_in_order),
    cmocka_unit_test(test_canonical_headers_over_the_limit_fail_with_elimit),
    cmocka_unit_test(test_already_normal_paths_are_encoded_as_they_are),
    cmocka_unit_test(test_canonical_request_joins_the_six_parts),
    cmocka_unit_test(test_query_get_decodes_name_and_value),
    cmocka_unit_test(test_uri_decode_keeps_broken_escapes),
    cmocka_unit_test(test_header_get_is_case_insensitive_and_takes_the_first),
};
LC_TEST_MAIN(tests)
