/* test_json.c: lc_json_append_string writes what jansson's json_dumps writes, without a json_t. */
#include "lc_test.h"

#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

static void s_same_as_jansson(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    assert_non_null(j);
    char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc_json_append_string(&b, s, len), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    lc_buf_free(&b);
    free(want);
    json_decref(j);
}

static void test_append_string_matches_jansson_on_every_escape(void **state)
{
    static const char *const texts[] = {
        "",
        "arn:aws:dynamodb:us-east-1:000000000000:table/t",
        "quote \" back \\ slash / tab \t nl \n cr \r bs \b ff \f",
        "del \x7f and h\xc3\xa9llo \xf0\x9f\x98\x80 \xe2\x80\xa8 end",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        s_same_as_jansson(texts[i], strlen(texts[i]));
    char all[32];
    for (int i = 0; i < 32; i++)
        all[i] = (char)i; /* every control character, NUL included */
    s_same_as_jansson(all, sizeof all);
}

static void test_append_string_refuses_invalid_utf8_and_appends_nothing(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "x");
    assert_int_equal(lc_json_append_string(&b, "bad \xc0\xaf", 6), LC_EINVAL);
    assert_int_equal(b.len, 1);
    assert_null(json_stringn("bad \xc0\xaf", 6)); /* as jansson */
    lc_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_append_string_matches_jansson_on_every_escape),
    cmocka_unit_test(test_append_string_refuses_invalid_utf8_and_appends_nothing),
};
LC_TEST_MAIN(tests)
