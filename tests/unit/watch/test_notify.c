/* test_notify.c: topics, subscriptions, publishing and http delivery (notify.c). */
#include "watch_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

struct s_listener {
    int fd;
    int port;
    char got[4096];
};

static void *s_serve_one(void *arg)
{
    struct s_listener *l = arg;
    int c = accept(l->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    size_t n = 0;
    ssize_t r;
    struct timeval tv = {2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (n < sizeof l->got - 1 && (r = recv(c, l->got + n, sizeof l->got - 1 - n, 0)) > 0) {
        n += (size_t)r;
        l->got[n] = '\0';
        char *body = strstr(l->got, "\r\n\r\n");
        char *cl = strstr(l->got, "Content-Length: ");
        if (body && cl && strlen(body + 4) >= (size_t)strtol(cl + 16, NULL, 10))
            break;
    }
    const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send(c, reply, sizeof reply - 1, 0);
    close(c);
    return NULL;
}

static int s_status(const struct lc_watch_notification *n, void *ud)
{
    snprintf(ud, 64, "%s", n->status);
    return 0;
}

static void test_publish_posts_to_a_local_http_endpoint(void **state)
{
    struct fixture *f = *state;
    struct s_listener l = {0};
    l.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(l.fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(l.fd, (struct sockaddr *)&a, &len);
    listen(l.fd, 1);
    pthread_t t;
    pthread_create(&t, NULL, s_serve_one, &l);
    char topic[1024], url[128];
    OK(lc_watch_topic_create(f->store, "hooks", topic, err));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/in", ntohs(a.sin_port));
    OK(lc_watch_subscribe(f->store, topic, "http", url, NULL, err));
    char id[37];
    OK(lc_watch_publish(f->store, topic, "subj", "hello", id, err));
    pthread_join(t, NULL);
    close(l.fd);
    assert_non_null(strstr(l.got, "POST /in HTTP/1.1"));
    assert_non_null(strstr(l.got, "x-amz-sns-message-type: Notification"));
    assert_non_null(strstr(l.got, "\"Message\":\"hello\""));
    assert_non_null(strstr(l.got, "\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:hooks\""));
    char status[64] = "";
    OK(lc_watch_notification_list(f->store, s_status, status, err));
    assert_string_equal(status, "delivered");
}

static void test_off_machine_endpoints_are_recorded_not_sent(void **state)
{
    struct fixture *f = *state;
    char topic[1024];
    OK(lc_watch_topic_create(f->store, "t", topic, err));
    OK(lc_watch_subscribe(f->store, topic, "http", "http://example.com/hook", NULL, err));
    OK(lc_watch_publish(f->store, topic, NULL, "m", NULL, err));
    char status[64] = "";
    OK(lc_watch_notification_list(f->store, s_status, status, err));
    assert_string_equal(status, "recorded");
}

static void test_unknown_topic_and_bad_input_are_sns_errors(void **state)
{
    struct fixture *f = *state;
    struct lc_error e = {0};
    assert_int_equal(lc_watch_publish(f->store, "arn:aws:sns:us-east-1:000000000000:none", NULL, "m", NULL, &e),
                     LC_ENOTFOUND);
    assert_string_equal(e.aws_code, "NotFound");
    assert_int_equal(lc_watch_topic_create(f->store, "bad name!", NULL, &e), LC_EINVAL);
    assert_string_equal(e.aws_code, "InvalidParameter");
    char topic[1024];
    OK(lc_watch_topic_create(f->store, "t", topic, err));
    assert_int_equal(lc_watch_subscribe(f->store, topic, "pigeon", "x", NULL, &e), LC_EINVAL);
    assert_int_equal(lc_watch_publish(f->store, topic, NULL, "", NULL, &e), LC_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_publish_posts_to_a_local_http_endpoint),
        FIXTURE_TEST(test_off_machine_endpoints_are_recorded_not_sent),
        FIXTURE_TEST(test_unknown_topic_and_bad_input_are_sns_errors),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
