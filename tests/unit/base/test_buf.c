/* test_buf.c: cursors and capped buffers. */
#include "lc_test.h"

#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

static void test_buf_append_grows_and_stays_terminated(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(lc_buf_appendf(&b, "%d,", i % 10), 0);
    assert_int_equal(b.len, 2000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    lc_buf_free(&b);
}

static void test_buf_refuses_to_pass_its_cap_and_keeps_its_content(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, 8);
    assert_int_equal(lc_buf_append_str(&b, "12345"), 0);
    assert_int_equal(lc_buf_append_str(&b, "6789"), LC_ELIMIT);
    assert_string_equal(b.data, "12345");
    assert_int_equal(lc_buf_append_str(&b, "678"), 0);
    assert_int_equal(b.len, 8);
    lc_buf_free(&b);
}

static void test_buf_detach_of_empty_buffer_gives_empty_string(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, 10);
    size_t len = 99;
    char *s = lc_buf_detach(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    lc_free(s);
}

static void test_cur_split_walks_fields(void **state)
{
    struct lc_cur c = lc_cur_from_str("AKID/20150830/us-east-1/iam/aws4_request"), part;
    const char *want[] = {"AKID", "20150830", "us-east-1", "iam", "aws4_request"};
    for (int i = 0; i < 5; i++) {
        bool found = lc_cur_split(&c, '/', &part);
        assert_true(found == (i < 4));
        assert_true(lc_cur_eq_str(part, want[i]));
    }
    assert_int_equal(c.len, 0);
}

static void test_cur_trim_and_case_insensitive_compare(void **state)
{
    struct lc_cur c = lc_cur_trim(lc_cur_from_str("  \tX-Amz-Date \n"));
    assert_true(lc_cur_eq_str_ci(c, "x-amz-date"));
    assert_false(lc_cur_eq_str(c, "x-amz-date"));
    assert_true(lc_cur_starts_with(c, "X-Amz"));
}

static void test_file_write_is_atomic_and_readable(void **state)
{
    char path[] = "/tmp/lc_test_buf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct lc_error err;
    assert_int_equal(lc_file_write(path, "hello", 5, 0600, &err), 0);
    size_t len;
    char *s = lc_file_read(path, 100, &len, &err);
    assert_non_null(s);
    assert_int_equal(len, 5);
    assert_string_equal(s, "hello");
    lc_free(s);
    assert_null(lc_file_read(path, 3, &len, &err));
    assert_int_equal(err.code, LC_ELIMIT);
    unlink(path);
    assert_null(lc_file_read(path, 100, &len, &err));
    assert_int_equal(err.code, LC_ENOTFOUND);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_buf_append_grows_and_stays_terminated),
    cmocka_unit_test(test_buf_refuses_to_pass_its_cap_and_keeps_its_content),
    cmocka_unit_test(test_buf_detach_of_empty_buffer_gives_empty_string),
    cmocka_unit_test(test_cur_split_walks_fields),
    cmocka_unit_test(test_cur_trim_and_case_insensitive_compare),
    cmocka_unit_test(test_file_write_is_atomic_and_readable),
};
LC_TEST_MAIN(tests)
