/* test_supervisor.c: starting, reusing, timing out and stopping runtime processes (supervisor.c),
 * with the fake C runtime (fake_bootstrap.c) as a provided.al2023 function. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include <jansson.h>

#include "lambda/internal.h"
#include "lambda_fixture.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda.h"

static struct fixture F;
static struct lc_lambda_supervisor *S;

static int s_setup(void **state)
{
    (void)state;
    fixture_open(&F);
    struct lc_error err;
    assert_int_equal(lc_lambda_supervisor_new(F.store, NULL, &S, &err), 0);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    lc_lambda_supervisor_destroy(S);
    fixture_close(&F);
    return 0;
}

/* Invokes and parses the payload as JSON (NULL when it is not). */
static json_t *s_invoke(const struct lc_lambda_function *fn, const char *event, struct lc_lambda_result *r)
{
    struct lc_error err;
    struct lc_lambda_invocation inv = {.payload = event, .payload_len = strlen(event),
                                       .endpoint_url = "http://127.0.0.1:4566"};
    int rc = lc_lambda_invoke(S, fn, &inv, r, &err);
    if (rc)
        fail_msg("invoke failed: %s", err.message);
    return json_loads(r->payload, 0, NULL);
}

static bool s_alive(int pid)
{
    return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_invoke_runs_the_bootstrap_with_lambdas_environment(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{\"hello\":1}", &r);
    assert_non_null(out);
    assert_false(r.function_error);
    assert_true(r.cold_start);
    assert_int_equal(strlen(r.request_id), 36);
    assert_string_equal(lc_json_str(out, "function"), "fake");
    assert_string_equal(lc_json_str(out, "arn"), fn.arn);
    assert_true(lc_str_starts_with(lc_json_str(out, "key"), "ASIA"));
    assert_true(strlen(lc_json_str(out, "token")) > 20);
    assert_string_equal(lc_json_str(out, "endpoint"), "http://127.0.0.1:4566");
    assert_true(lc_str_starts_with(lc_json_str(out, "api"), "127.0.0.1:"));
    assert_string_equal(lc_json_str(out, "root"), F.code_dir);
    assert_string_equal(lc_json_str(out, "handler"), "fake.handler");
    assert_string_equal(lc_json_str(out, "region"), "us-east-1");
    assert_true(json_is_true(json_object_get(out, "deadline_ok")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "event"), "hello")), 1);
    /* The key is a session of the role named after the function, as AWS names it. */
    struct lc_store_key key;
    struct lc_error err;
    assert_int_equal(lc_store_key_lookup(F.store, lc_json_str(out, "key"), &key, &err), 0);
    assert_string_equal(key.session_arn, "arn:aws:sts::000000000000:assumed-role/fn-role/fake");
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_warm_process_is_reused(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r1, r2;
    json_t *a = s_invoke(&fn, "{}", &r1);
    json_t *b = s_invoke(&fn, "{}", &r2);
    assert_int_equal(json_integer_value(json_object_get(a, "pid")), json_integer_value(json_object_get(b, "pid")));
    assert_true(r1.cold_start);
    assert_false(r2.cold_start);
    assert_string_not_equal(r1.request_id, r2.request_id);
    assert_int_equal(lc_lambda_supervisor_processes(S), 1);
    json_decref(a);
    json_decref(b);
    lc_lambda_result_clean_up(&r1);
    lc_lambda_result_clean_up(&r2);
}

static void test_new_code_starts_a_new_process_and_stops_the_old(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r1, r2;
    json_t *a = s_invoke(&fn, "{}", &r1);
    fn.code_sha256 = (char *)"sha-2";
    json_t *b = s_invoke(&fn, "{}", &r2);
    int old = (int)json_integer_value(json_object_get(a, "pid"));
    assert_int_not_equal(old, json_integer_value(json_object_get(b, "pid")));
    assert_false(s_alive(old));
    assert_int_equal(lc_lambda_supervisor_processes(S), 1);
    json_decref(a);
    json_decref(b);
    lc_lambda_result_clean_up(&r1);
    lc_lambda_result_clean_up(&r2);
}

static void test_timeout_kills_the_process_with_lambdas_message(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 1);
    struct lc_lambda_result r0, r;
    json_t *first = s_invoke(&fn, "{}", &r0);
    int pid = (int)json_integer_value(json_object_get(first, "pid"));
    int64_t t0 = lc_clock_now_ms();
    json_t *out = s_invoke(&fn, "{\"sleep_ms\":5000}", &r);
    int64_t took = lc_clock_now_ms() - t0;
    assert_true(took >= 1000 && took < 3000);
    assert_true(r.function_error);
    assert_string_equal(lc_json_str(out, "errorType"), "Sandbox.Timedout");
    char want[128];
    snprintf(want, sizeof want, "RequestId: %s Error: Task timed out after 1.00 seconds", r.request_id);
    assert_string_equal(lc_json_str(out, "errorMessage"), want);
    assert_non_null(strstr(r.log, "Task timed out after 1.00 seconds"));
    assert_false(s_alive(pid));
    assert_int_equal(lc_lambda_supervisor_processes(S), 0);
    json_decref(first);
    json_decref(out);
    lc_lambda_result_clean_up(&r0);
    lc_lambda_result_clean_up(&r);
}

static void test_crash_is_reported_as_runtime_exit_error(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{\"exit\":7}", &r);
    assert_true(r.function_error);
    assert_string_equal(lc_json_str(out, "errorType"), "Runtime.ExitError");
    assert_true(lc_str_ends_with(lc_json_str(out, "errorMessage"), "Runtime exited with error: exit status 7"));
    assert_int_equal(lc_lambda_supervisor_processes(S), 0);
    json_decref(out);
    lc_lambda_result_clean_up(&r);
    /* The next invocation gets a new process. */
    out = s_invoke(&fn, "{}", &r);
    assert_false(r.function_error);
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_handler_error_is_a_function_error_and_keeps_the_process(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{\"fail\":\"bad input\"}", &r);
    assert_true(r.function_error);
    assert_string_equal(lc_json_str(out, "errorType"), "FakeError");
    assert_string_equal(lc_json_str(out, "errorMessage"), "bad input");
    assert_int_equal(lc_lambda_supervisor_processes(S), 1);
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_output_is_framed_in_the_result_and_the_log_file(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{\"print\":\"hello from C\"}", &r);
    char start[256], end[256];
    snprintf(start, sizeof start, "START RequestId: %s Version: $LATEST\n", r.request_id);
    snprintf(end, sizeof end, "\nEND RequestId: %s\nREPORT RequestId: %s\tDuration: ", r.request_id, r.request_id);
    assert_true(lc_str_starts_with(r.log, start));
    assert_non_null(strstr(r.log, "hello from C\n"));
    assert_non_null(strstr(r.log, end));
    char *path = lc_lambda_log_path(lc_store_dir(F.store), "fake");
    char *file = lc_file_read(path, 1 << 20, NULL, NULL);
    assert_non_null(file);
    assert_non_null(strstr(file, r.log));
    lc_free(file);
    lc_free(path);
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_missing_bootstrap_is_an_entrypoint_error(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    fn.code_dir = F.dir; /* no bootstrap there */
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{}", &r);
    assert_true(r.function_error);
    assert_string_equal(lc_json_str(out, "errorType"), "Runtime.InvalidEntrypoint");
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_unknown_runtime_is_refused(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    fn.runtime = (char *)"java21";
    struct lc_lambda_invocation inv = {.payload = "{}", .payload_len = 2};
    struct lc_lambda_result r;
    struct lc_error err;
    assert_int_equal(lc_lambda_invoke(S, &fn, &inv, &r, &err), LC_EUNSUPPORTED);
    assert_string_equal(err.aws_code, "InvalidRuntimeException");
    lc_lambda_result_clean_up(&r);
}

static void test_role_that_does_not_exist_cannot_be_assumed(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    fn.role = (char *)"arn:aws:iam::000000000000:role/nobody";
    struct lc_lambda_invocation inv = {.payload = "{}", .payload_len = 2};
    struct lc_lambda_result r;
    struct lc_error err;
    assert_int_not_equal(lc_lambda_invoke(S, &fn, &inv, &r, &err), 0);
    assert_string_equal(err.message, "The role defined for the function cannot be assumed by Lambda.");
    lc_lambda_result_clean_up(&r);
}

static void test_response_over_6_mb_is_a_function_error(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 10);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{\"big\":6291557}", &r);
    assert_true(r.function_error);
    assert_string_equal(lc_json_str(out, "errorType"), "Function.ResponseSizeTooLarge");
    json_decref(out);
    lc_lambda_result_clean_up(&r);
    out = s_invoke(&fn, "{\"big\":6291556}", &r);
    assert_false(r.function_error);
    assert_int_equal(r.payload_len, 6291556);
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void test_idle_process_is_stopped_after_the_idle_time(void **state)
{
    (void)state;
    lc_lambda_supervisor_destroy(S);
    struct lc_lambda_options opts = {.idle_ms = 200};
    struct lc_error err;
    assert_int_equal(lc_lambda_supervisor_new(F.store, &opts, &S, &err), 0);
    struct lc_lambda_function a = fixture_function(&F, "a", 5), b = fixture_function(&F, "b", 5);
    struct lc_lambda_result r1, r2, r3;
    json_t *first = s_invoke(&a, "{}", &r1);
    int pid = (int)json_integer_value(json_object_get(first, "pid"));
    json_t *again = s_invoke(&a, "{}", &r2); /* within the idle time: reused */
    assert_int_equal(json_integer_value(json_object_get(again, "pid")), pid);
    usleep(300000);
    json_t *other = s_invoke(&b, "{}", &r3); /* any invocation collects idle processes */
    assert_false(s_alive(pid));
    assert_int_equal(lc_lambda_supervisor_processes(S), 1);
    json_decref(first);
    json_decref(again);
    json_decref(other);
    lc_lambda_result_clean_up(&r1);
    lc_lambda_result_clean_up(&r2);
    lc_lambda_result_clean_up(&r3);
}

struct s_concurrent {
    const struct lc_lambda_function *fn;
    int pid;
};

static void *s_concurrent_invoke(void *arg)
{
    struct s_concurrent *c = arg;
    struct lc_lambda_result r;
    json_t *out = s_invoke(c->fn, "{\"sleep_ms\":400}", &r);
    c->pid = (int)json_integer_value(json_object_get(out, "pid"));
    json_decref(out);
    lc_lambda_result_clean_up(&r);
    return NULL;
}

static void test_concurrent_invocations_run_in_their_own_processes(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct s_concurrent c[3] = {{&fn, 0}, {&fn, 0}, {&fn, 0}};
    pthread_t t[3];
    int64_t t0 = lc_clock_now_ms();
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, s_concurrent_invoke, &c[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    assert_true(lc_clock_now_ms() - t0 < 1200 * 3);
    assert_true(c[0].pid && c[1].pid && c[2].pid);
    assert_true(c[0].pid != c[1].pid && c[1].pid != c[2].pid && c[0].pid != c[2].pid);
    assert_int_equal(lc_lambda_supervisor_processes(S), 3);
}

static void test_destroy_stops_every_process(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_result r;
    json_t *out = s_invoke(&fn, "{}", &r);
    int pid = (int)json_integer_value(json_object_get(out, "pid"));
    assert_true(s_alive(pid));
    lc_lambda_supervisor_destroy(S);
    S = NULL;
    assert_false(s_alive(pid));
    json_decref(out);
    lc_lambda_result_clean_up(&r);
}

static void *s_long_invoke(void *arg)
{
    struct lc_lambda_result *r = arg;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 60);
    json_t *out = s_invoke(&fn, "{\"sleep_ms\":30000}", r);
    json_decref(out);
    return NULL;
}

static void test_interrupt_ends_invocations_in_flight_and_refuses_new_ones(void **state)
{
    (void)state;
    struct lc_lambda_result r;
    pthread_t t;
    pthread_create(&t, NULL, s_long_invoke, &r);
    for (int i = 0; i < 200 && lc_lambda_supervisor_processes(S) == 0; i++)
        usleep(10000);
    usleep(100000);
    int64_t t0 = lc_clock_now_ms();
    lc_lambda_supervisor_interrupt(S);
    pthread_join(t, NULL);
    assert_true(lc_clock_now_ms() - t0 < 2000);
    assert_true(r.function_error);
    assert_non_null(strstr(r.payload, "Runtime.ExitError"));
    lc_lambda_result_clean_up(&r);
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_invocation inv = {.payload = "{}", .payload_len = 2};
    struct lc_error err;
    assert_int_equal(lc_lambda_invoke(S, &fn, &inv, &r, &err), LC_ECONFLICT);
    assert_int_equal(err.http_status, 503);
    lc_lambda_result_clean_up(&r);
}

static void test_event_invocation_runs_in_the_background(void **state)
{
    (void)state;
    struct lc_lambda_function fn = fixture_function(&F, "fake", 5);
    struct lc_lambda_invocation inv = {.payload = "{\"print\":\"async ran\"}", .payload_len = 21};
    struct lc_error err;
    assert_int_equal(lc_lambda_invoke_async(S, &fn, &inv, &err), 0);
    char *path = lc_lambda_log_path(lc_store_dir(F.store), "fake");
    char *file = NULL;
    for (int i = 0; i < 200 && !(file && strstr(file, "REPORT RequestId")); i++) {
        lc_free(file);
        usleep(20000);
        file = lc_file_read(path, 1 << 20, NULL, NULL);
    }
    assert_non_null(file);
    assert_non_null(strstr(file, "async ran"));
    lc_free(file);
    lc_free(path);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invoke_runs_the_bootstrap_with_lambdas_environment, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_warm_process_is_reused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_new_code_starts_a_new_process_and_stops_the_old, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills_the_process_with_lambdas_message, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_crash_is_reported_as_runtime_exit_error, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_handler_error_is_a_function_error_and_keeps_the_process, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_output_is_framed_in_the_result_and_the_log_file, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_missing_bootstrap_is_an_entrypoint_error, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_runtime_is_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_role_that_does_not_exist_cannot_be_assumed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_response_over_6_mb_is_a_function_error, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_idle_process_is_stopped_after_the_idle_time, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_invocations_run_in_their_own_processes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_destroy_stops_every_process, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_event_invocation_runs_in_the_background, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_ends_invocations_in_flight_and_refuses_new_ones, s_setup,
                                        s_teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
