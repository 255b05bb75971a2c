/* test_instance.c: the Runtime API one runtime process talks to (instance.c), driven over real
 * sockets with the C client, as a runtime would. */
#include "lc_test.h"

#include <pthread.h>
#include <unistd.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/lambda_runtime.h"

static void test_request_parser_waits_for_the_whole_body(void **state)
{
    (void)state;
    struct lc__http_req r;
    const char *head = "POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", head, "hel");
    assert_int_equal(lc__http_parse_request(buf, strlen(buf), &r), 0);
    snprintf(buf, sizeof buf, "%s%s", head, "helloGET");
    assert_int_equal(lc__http_parse_request(buf, strlen(buf), &r), (long)strlen(head) + 5);
    assert_string_equal(r.method, "POST");
    assert_string_equal(r.target, "/2018-06-01/runtime/invocation/x/response");
    assert_int_equal(r.body_len, 5);
    assert_memory_equal(buf + r.body_off, "hello", 5);
    assert_false(r.close);
    assert_int_equal(lc__http_parse_request("GET / HTTP/1.1\r\nHost: x", 24, &r), 0);
}

static void test_request_parser_sees_connection_close_and_refuses_garbage(void **state)
{
    (void)state;
    struct lc__http_req r;
    const char *req = "GET /next HTTP/1.1\r\nconnection: Close\r\n\r\n";
    assert_int_equal(lc__http_parse_request(req, strlen(req), &r), (long)strlen(req));
    assert_true(r.close);
    assert_int_equal(r.body_len, 0);
    const char *bad = "NOSPACES\r\n\r\n";
    assert_int_equal(lc__http_parse_request(bad, strlen(bad), &r), -1);
    const char *neg = "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n";
    assert_int_equal(lc__http_parse_request(neg, strlen(neg), &r), -1);
    const char *huge = "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n";
    assert_int_equal(lc__http_parse_request(huge, strlen(huge), &r), -1);
}

/* An instance without a process: the test plays the runtime. */
struct rig {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct lc__instance in;
    struct lc__invocation inv;
};

static void s_rig_open(struct rig *g)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->in.mu = &g->mu;
    g->in.cond = &g->cond;
    g->in.listen_fd = g->in.out_fd = g->in.wake[0] = g->in.wake[1] = -1;
    lc_buf_init(&g->in.output, LC_BUF_UNLIMITED);
    lc_buf_init(&g->in.init_error, LC_BUF_UNLIMITED);
    struct lc_error err;
    assert_int_equal(lc__instance_listen(&g->in, &err), 0);
    assert_int_equal(lc__instance_start(&g->in, &err), 0);
    lc_buf_init(&g->inv.result, LC_BUF_UNLIMITED);
}

static void s_rig_queue(struct rig *g, const char *id, const char *payload)
{
    pthread_mutex_lock(&g->mu);
    snprintf(g->inv.id, sizeof g->inv.id, "%s", id);
    g->inv.payload = payload;
    g->inv.payload_len = strlen(payload);
    g->inv.deadline_ms = 1234567890123;
    g->inv.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    snprintf(g->inv.trace_id, sizeof g->inv.trace_id, "Root=1-00000000-000000000000000000000000;Sampled=0");
    g->inv.state = LC__INV_PENDING;
    g->in.inv = &g->inv;
    pthread_mutex_unlock(&g->mu);
    lc__instance_wake(&g->in);
}

static void s_rig_close(struct rig *g)
{
    lc__instance_close(&g->in);
    lc_buf_free(&g->in.output);
    lc_buf_free(&g->in.init_error);
    lc_buf_free(&g->inv.result);
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->mu);
}

static int s_call(struct rig *g, const char *method, const char *path, const char *body,
                  struct lc_lambda_http_response *r)
{
    struct lc_error err;
    int rc = lc_lambda_http_request("127.0.0.1", g->in.port, method, path, NULL, 0, body, body ? strlen(body) : 0,
                                    5000, r, &err);
    if (rc)
        fail_msg("%s %s: %s", method, path, err.message);
    return r->status;
}

static void test_next_hands_out_the_invocation_with_lambdas_headers(void **state)
{
    (void)state;
    struct rig g;
    s_rig_open(&g);
    s_rig_queue(&g, "req-1", "{\"k\":1}");
    struct lc_lambda_http_response r;
    assert_int_equal(s_call(&g, "GET", "/2018-06-01/runtime/invocation/next", NULL, &r), 200);
    assert_string_equal(r.body, "{\"k\":1}");
    assert_string_equal(lc_lambda_http_header(&r, "Lambda-Runtime-Aws-Request-Id"), "req-1");
    assert_string_equal(lc_lambda_http_header(&r, "Lambda-Runtime-Deadline-Ms"), "1234567890123");
    assert_string_equal(lc_lambda_http_header(&r, "Lambda-Runtime-Invoked-Function-Arn"),
                        "arn:aws:lambda:us-east-1:000000000000:function:f");
    assert_true(strncmp(lc_lambda_http_header(&r, "Lambda-Runtime-Trace-Id"), "Root=1-", 7) == 0);
    lc_lambda_http_response_clean_up(&r);
    pthread_mutex_lock(&g.mu);
    assert_int_equal(g.inv.state, LC__INV_DELIVERED);
    pthread_mutex_unlock(&g.mu);
    assert_int_equal(s_call(&g, "POST", "/2018-06-01/runtime/invocation/req-1/response", "\"done\"", &r), 202);
    lc_lambda_http_response_clean_up(&r);
    pthread_mutex_lock(&g.mu);
    assert_int_equal(g.inv.state, LC__INV_DONE);
    assert_false(g.inv.error);
    assert_memory_equal(g.inv.result.data, "\"done\"", 6);
    pthread_mutex_unlock(&g.mu);
    s_rig_close(&g);
}

static void test_error_post_marks_a_function_error(void **state)
{
    (void)state;
    struct rig g;
    s_rig_open(&g);
    s_rig_queue(&g, "req-2", "{}");
    struct lc_lambda_http_response r;
    assert_int_equal(s_call(&g, "GET", "/2018-06-01/runtime/invocation/next", NULL, &r), 200);
    lc_lambda_http_response_clean_up(&r);
    const char *doc = "{\"errorType\":\"Error\",\"errorMessage\":\"x\"}";
    assert_int_equal(s_call(&g, "POST", "/2018-06-01/runtime/invocation/req-2/error", doc, &r), 202);
    lc_lambda_http_response_clean_up(&r);
    pthread_mutex_lock(&g.mu);
    assert_true(g.inv.error);
    assert_int_equal(g.inv.state, LC__INV_DONE);
    pthread_mutex_unlock(&g.mu);
    s_rig_close(&g);
}

static void test_wrong_request_id_and_unknown_paths_are_refused(void **state)
{
    (void)state;
    struct rig g;
    s_rig_open(&g);
    s_rig_queue(&g, "req-3", "{}");
    struct lc_lambda_http_response r;
    assert_int_equal(s_call(&g, "POST", "/2018-06-01/runtime/invocation/req-3/response", "1", &r), 400);
    assert_non_null(strstr(r.body, "InvalidRequestID")); /* not delivered yet */
    lc_lambda_http_response_clean_up(&r);
    assert_int_equal(s_call(&g, "GET", "/2018-06-01/runtime/invocation/next", NULL, &r), 200);
    lc_lambda_http_response_clean_up(&r);
    assert_int_equal(s_call(&g, "POST", "/2018-06-01/runtime/invocation/other/response", "1", &r), 400);
    lc_lambda_http_response_clean_up(&r);
    assert_int_equal(s_call(&g, "GET", "/2018-06-01/runtime/nope", NULL, &r), 404);
    lc_lambda_http_response_clean_up(&r);
    assert_int_equal(s_call(&g, "GET", "/elsewhere", NULL, &r), 404);
    lc_lambda_http_response_clean_up(&r);
    pthread_mutex_lock(&g.mu);
    assert_int_equal(g.inv.state, LC__INV_DELIVERED);
    pthread_mutex_unlock(&g.mu);
    s_rig_close(&g);
}

static void test_init_error_fails_the_waiting_invocation(void **state)
{
    (void)state;
    struct rig g;
    s_rig_open(&g);
    s_rig_queue(&g, "req-4", "{}");
    struct lc_lambda_http_response r;
    const char *doc = "{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"no\"}";
    assert_int_equal(s_call(&g, "POST", "/2018-06-01/runtime/init/error", doc, &r), 202);
    lc_lambda_http_response_clean_up(&r);
    pthread_mutex_lock(&g.mu);
    assert_true(g.inv.error);
    assert_int_equal(g.inv.state, LC__INV_DONE);
    assert_int_equal(g.in.init_error.len, strlen(doc));
    pthread_mutex_unlock(&g.mu);
    s_rig_close(&g);
}

struct s_waiter {
    struct rig *g;
    int status;
    char body[64];
};

static void *s_next(void *arg)
{
    struct s_waiter *w = arg;
    struct lc_lambda_http_response r;
    w->status = s_call(w->g, "GET", "/2018-06-01/runtime/invocation/next", NULL, &r);
    snprintf(w->body, sizeof w->body, "%s", r.body);
    lc_lambda_http_response_clean_up(&r);
    return NULL;
}

static void test_next_long_polls_until_an_invocation_arrives(void **state)
{
    (void)state;
    struct rig g;
    s_rig_open(&g);
    struct s_waiter w = {.g = &g};
    pthread_t t;
    pthread_create(&t, NULL, s_next, &w);
    usleep(100000);
    assert_int_equal(w.status, 0); /* still waiting */
    s_rig_queue(&g, "req-5", "{\"late\":true}");
    pthread_join(t, NULL);
    assert_int_equal(w.status, 200);
    assert_string_equal(w.body, "{\"late\":true}");
    s_rig_close(&g);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_parser_waits_for_the_whole_body),
        cmocka_unit_test(test_request_parser_sees_connection_close_and_refuses_garbage),
        cmocka_unit_test(test_next_hands_out_the_invocation_with_lambdas_headers),
        cmocka_unit_test(test_error_post_marks_a_function_error),
        cmocka_unit_test(test_wrong_request_id_and_unknown_paths_are_refused),
        cmocka_unit_test(test_init_error_fails_the_waiting_invocation),
        cmocka_unit_test(test_next_long_polls_until_an_invocation_arrives),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
