/* test_str.c: bounded string helpers, JSON output compatible with JSON.stringify, errors. */
#include "lc_test.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

static void test_strlcpy_truncates_and_terminates(void **state)
{
    char b[4];
    assert_int_equal(lc_strlcpy(b, "abcdef", sizeof b), 6);
    assert_string_equal(b, "abc");
}

static void test_parse_i64_rejects_trailing_junk(void **state)
{
    int64_t v;
    assert_int_equal(lc_parse_i64("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(lc_parse_i64("42x", &v), LC_EINVAL);
    assert_int_equal(lc_parse_i64("", &v), LC_EINVAL);
    assert_int_equal(lc_parse_i64("99999999999999999999", &v), LC_EINVAL);
}

static void test_utf8_validation_rejects_overlong_and_surrogates(void **state)
{
    assert_true(lc_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11));
    assert_false(lc_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(lc_utf8_valid("\xed\xa0\x80", 3));     /* U+D800 */
    assert_false(lc_utf8_valid("\xe2\x82", 2));         /* truncated */
    assert_false(lc_utf8_valid("\xff", 1));
}

static void test_json_stringify_matches_javascript_layout(void **state)
{
    json_t *v = json_pack("{s:{s:[s,i]},s:{}}", "b", "x", "y", 10, "a");
    char *s = lc_json_stringify(v, 1);
    assert_string_equal(s, "{\n \"b\": {\n  \"x\": [\n   \"y\",\n   10\n  ]\n },\n \"a\": {}\n}");
    lc_free(s);
    s = lc_json_stringify(v, 0);
    assert_string_equal(s, "{\"b\":{\"x\":[\"y\",10]},\"a\":{}}");
    lc_free(s);
    json_decref(v);
}

static void test_error_set_fills_and_returns_code(void **state)
{
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_error_set(&err, LC_EINVAL, 400, "ValidationException", "bad %s", "thing");
    assert_int_equal(rc, LC_EINVAL);
    assert_string_equal(err.aws_code, "ValidationException");
    lc_error_prefix(&err, "Statement[%d]", 1);
    assert_string_equal(err.message, "Statement[1]: bad thing");
    assert_string_equal(lc_errno_name(LC_EINVAL), "EINVAL");
    assert_int_equal(lc_error_set(NULL, LC_ENOMEM, 0, NULL, "x"), LC_ENOMEM);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_strlcpy_truncates_and_terminates),
    cmocka_unit_test(test_parse_i64_rejects_trailing_junk),
    cmocka_unit_test(test_utf8_validation_rejects_overlong_and_surrogates),
    cmocka_unit_test(test_json_stringify_matches_javascript_layout),
    cmocka_unit_test(test_error_set_fills_and_returns_code),
};
LC_TEST_MAIN(tests)
