/* test_logs.c: Lambda's error documents and log framing (logs.c). */
#include "lc_test.h"

#include <sys/wait.h>

#include <jansson.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

static void test_timeout_document_names_the_request_and_seconds(void **state)
{
    (void)state;
    char *doc = lc__lambda_timeout_error("abc-123", 10);
    json_t *j = json_loads(doc, 0, NULL);
    assert_string_equal(lc_json_str(j, "errorType"), "Sandbox.Timedout");
    assert_string_equal(lc_json_str(j, "errorMessage"), "RequestId: abc-123 Error: Task timed out after 10.00 seconds");
    json_decref(j);
    lc_free(doc);
}

static void test_exit_document_says_how_the_runtime_ended(void **state)
{
    (void)state;
    char *doc = lc__lambda_exit_error("r1", 3 << 8); /* exited with status 3 */
    json_t *j = json_loads(doc, 0, NULL);
    assert_string_equal(lc_json_str(j, "errorType"), "Runtime.ExitError");
    assert_string_equal(lc_json_str(j, "errorMessage"), "RequestId: r1 Error: Runtime exited with error: exit status 3");
    json_decref(j);
    lc_free(doc);
    doc = lc__lambda_exit_error("r2", 9); /* killed by SIGKILL */
    assert_non_null(strstr(doc, "Runtime exited with error: signal: killed"));
    lc_free(doc);
}

static void test_log_frame_has_start_output_end_report(void **state)
{
    (void)state;
    char *log = lc__lambda_log_frame("id-1", "hello\nworld", 11, 12.3, 128, 40, 0);
    assert_string_equal(log, "START RequestId: id-1 Version: $LATEST\nhello\nworld\nEND RequestId: id-1\n"
                             "REPORT RequestId: id-1\tDuration: 12.30 ms\tBilled Duration: 13 ms\t"
                             "Memory Size: 128 MB\tMax Memory Used: 40 MB\t\n");
    lc_free(log);
}

static void test_log_frame_reports_init_duration_on_cold_start(void **state)
{
    (void)state;
    char *log = lc__lambda_log_frame("id-2", "", 0, 5, 256, 0, 150.5);
    assert_non_null(strstr(log, "\tBilled Duration: 5 ms\t"));
    assert_true(lc_str_ends_with(log, "\tInit Duration: 150.50 ms\t\n"));
    assert_null(strstr(log, "\n\nEND"));
    lc_free(log);
}

static void test_log_tail_keeps_the_last_4_kb(void **state)
{
    (void)state;
    char *big = lc_malloc(10001);
    memset(big, 'a', 10000);
    memcpy(big + 10000 - 3, "END", 3);
    big[10000] = '\0';
    char *tail = lc_lambda_log_tail(big);
    size_t n = 0;
    uint8_t *raw = lc_base64_decode(tail, strlen(tail), &n);
    assert_int_equal(n, 4096);
    assert_memory_equal(raw + n - 3, "END", 3);
    lc_free(raw);
    lc_free(tail);
    lc_free(big);
    tail = lc_lambda_log_tail("short");
    assert_string_equal(tail, "c2hvcnQ=");
    lc_free(tail);
}

static void test_uuids_are_version_4(void **state)
{
    (void)state;
    char a[37], b[37];
    lc__lambda_uuid(a);
    lc__lambda_uuid(b);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_document_names_the_request_and_seconds),
        cmocka_unit_test(test_exit_document_says_how_the_runtime_ended),
        cmocka_unit_test(test_log_frame_has_start_output_end_report),
        cmocka_unit_test(test_log_frame_reports_init_duration_on_cold_start),
        cmocka_unit_test(test_log_tail_keeps_the_last_4_kb),
        cmocka_unit_test(test_uuids_are_version_4),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
