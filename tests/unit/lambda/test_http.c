/* test_http.c: the small HTTP client of C functions and the CLI (client/http.c). */
#include "lc_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leastcloud/lambda_runtime.h"

static void test_endpoints_parse_into_host_and_port(void **state)
{
    (void)state;
    char host[64];
    uint16_t port;
    assert_int_equal(lc_lambda_http_parse_endpoint("http://127.0.0.1:4566", host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 4566);
    assert_int_equal(lc_lambda_http_parse_endpoint("127.0.0.1:9001", host, &port), 0);
    assert_int_equal(port, 9001);
    assert_int_equal(lc_lambda_http_parse_endpoint("http://localhost:80/", host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(lc_lambda_http_parse_endpoint("http://10.0.0.1", host, &port), 0);
    assert_int_equal(port, 80);
    assert_int_equal(lc_lambda_http_parse_endpoint("http://h:0", host, &port), LC_EINVAL);
    assert_int_equal(lc_lambda_http_parse_endpoint("http://h:70000", host, &port), LC_EINVAL);
    assert_int_equal(lc_lambda_http_parse_endpoint("http://h:12x", host, &port), LC_EINVAL);
    assert_int_equal(lc_lambda_http_parse_endpoint("", host, &port), LC_EINVAL);
    assert_int_equal(lc_lambda_http_parse_endpoint(NULL, host, &port), LC_EINVAL);
}

static void test_closed_port_is_an_io_error(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    close(fd); /* a port nobody listens on */
    struct lc_lambda_http_response r;
    struct lc_error err;
    assert_int_equal(lc_lambda_http_request("127.0.0.1", ntohs(sa.sin_port), "GET", "/", NULL, 0, NULL, 0, 1000, &r, &err),
                     LC_EIO);
    assert_non_null(strstr(err.message, "cannot connect"));
}

/* A one-shot server that answers `reply` and records what it got. */
struct s_server {
    int fd;
    uint16_t port;
    const char *reply;
    char got[2048];
};

static void *s_serve(void *arg)
{
    struct s_server *s = arg;
    int c = accept(s->fd, NULL, NULL);
    size_t n = 0;
    while (n < sizeof s->got - 1) {
        ssize_t k = recv(c, s->got + n, sizeof s->got - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        s->got[n] = '\0';
        char *end = strstr(s->got, "\r\n\r\n");
        if (end && strstr(s->got, "Content-Length: 4") && strlen(end + 4) >= 4)
            break;
    }
    send(c, s->reply, strlen(s->reply), 0);
    close(c);
    return NULL;
}

static void s_listen(struct s_server *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->fd, 1), 0);
    getsockname(s->fd, (struct sockaddr *)&sa, &sl);
    s->port = ntohs(sa.sin_port);
}

static void test_request_sends_headers_and_body_and_parses_the_reply(void **state)
{
    (void)state;
    struct s_server s = {.reply = "HTTP/1.1 201 Created\r\nX-Thing:  spaced \r\nContent-Length: 2\r\n\r\nokEXTRA"};
    s_listen(&s);
    pthread_t t;
    pthread_create(&t, NULL, s_serve, &s);
    struct lc_lambda_http_header h[] = {{"X-Amz-Target", "T.Op"}};
    struct lc_lambda_http_response r;
    struct lc_error err;
    assert_int_equal(lc_lambda_http_request("127.0.0.1", s.port, "POST", "/p?q=1", h, 1, "body", 4, 5000, &r, &err), 0);
    pthread_join(t, NULL);
    close(s.fd);
    assert_non_null(strstr(s.got, "POST /p?q=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(s.got, "Content-Length: 4\r\n"));
    assert_non_null(strstr(s.got, "X-Amz-Target: T.Op\r\n"));
    assert_non_null(strstr(s.got, "\r\n\r\nbody"));
    assert_int_equal(r.status, 201);
    assert_string_equal(lc_lambda_http_header(&r, "x-thing"), "spaced ");
    assert_int_equal(r.body_len, 2);
    assert_string_equal(r.body, "ok");
    assert_null(lc_lambda_http_header(&r, "missing"));
    lc_lambda_http_response_clean_up(&r);
}

static void test_reply_that_is_not_http_is_an_error(void **state)
{
    (void)state;
    struct s_server s = {.reply = "SSH-2.0-OpenSSH\r\n"};
    s_listen(&s);
    pthread_t t;
    pthread_create(&t, NULL, s_serve, &s);
    struct lc_lambda_http_response r;
    struct lc_error err;
    assert_int_equal(lc_lambda_http_request("127.0.0.1", s.port, "POST", "/", NULL, 0, "body", 4, 5000, &r, &err),
                     LC_EIO);
    pthread_join(t, NULL);
    close(s.fd);
    assert_null(r.raw);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints_parse_into_host_and_port),
        cmocka_unit_test(test_closed_port_is_an_io_error),
        cmocka_unit_test(test_request_sends_headers_and_body_and_parses_the_reply),
        cmocka_unit_test(test_reply_that_is_not_http_is_an_error),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
