/*
 * instance.c: the Lambda Runtime API of one runtime process (/2018-06-01/runtime/...), served on its
 * own 127.0.0.1 port by one thread that also collects what the process prints.
 *
 * The thread owns the sockets; the invocation it hands out and its outcome live under the
 * supervisor's mutex, and every state change is broadcast on the supervisor's condition variable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/log.h"
#include "leastcloud/str.h"

#define MAX_CONNS 16
#define MAX_REQUEST ((size_t)7 << 20)     /* a 6 MB response plus headers */
#define MAX_OUTPUT ((size_t)1 << 20)      /* per invocation; more is dropped, as a log would be cut */
#define RUNTIME "/2018-06-01/runtime/"

struct s_conn {
    int fd;
    bool parked;        /* waiting in GET /invocation/next */
    bool close_after;   /* the parked request asked for Connection: close */
    struct lc_buf in;
};

long lc__http_parse_request(const char *data, size_t len, struct lc__http_req *out)
{
    memset(out, 0, sizeof *out);
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len && !end; i++)
        if (!memcmp(data + i, "\r\n\r\n", 4))
            end = data + i;
    if (!end)
        return len > 65536 ? -1 : 0;
    const char *sp1 = memchr(data, ' ', (size_t)(end - data));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - data) >= sizeof out->method || (size_t)(sp2 - sp1 - 1) >= sizeof out->target)
        return -1;
    memcpy(out->method, data, (size_t)(sp1 - data));
    memcpy(out->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    const char *line = memchr(data, '\n', (size_t)(end - data));
    while (line && line < end) {
        line++;
        const char *eol = memchr(line, '\r', (size_t)(end + 2 - line));
        if (!eol)
            break;
        struct lc_cur h = lc_cur_make(line, (size_t)(eol - line)), name;
        if (lc_cur_split(&h, ':', &name)) {
            struct lc_cur v = lc_cur_trim(h);
            if (lc_cur_eq_str_ci(lc_cur_trim(name), "content-length")) {
                size_t n = 0;
                for (size_t i = 0; i < v.len; i++) {
                    if (v.ptr[i] < '0' || v.ptr[i] > '9' || n > MAX_REQUEST)
                        return -1;
                    n = n * 10 + (size_t)(v.ptr[i] - '0');
                }
                out->body_len = n;
            } else if (lc_cur_eq_str_ci(lc_cur_trim(name), "connection") && lc_cur_eq_str_ci(v, "close")) {
                out->close = true;
            }
        }
        line = memchr(eol, '\n', (size_t)(end + 2 - eol));
    }
    out->body_off = (size_t)(end - data) + 4;
    if (len < out->body_off + out->body_len)
        return 0;
    return (long)(out->body_off + out->body_len);
}

static int s_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int s_reply(int fd, int status, const char *reason, const char *extra_headers, const char *body, size_t len)
{
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n", status,
                     reason, len, extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    /* One write for head and body: two small writes meet Nagle and the peer's delayed ACK (40 ms). */
    struct iovec iov[2] = {{head, (size_t)n}, {(void *)body, len}};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    ssize_t w;
    do
        w = sendmsg(fd, &m, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        return -1;
    size_t sent = (size_t)w;
    if (sent < (size_t)n)
        return s_send_all(fd, head + sent, (size_t)n - sent) || (len && s_send_all(fd, body, len)) ? -1 : 0;
    sent -= (size_t)n;
    return sent < len ? s_send_all(fd, body + sent, len - sent) : 0;
}

static void s_conn_close(struct s_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->parked = false;
    lc_buf_free(&c->in);
}

/* Reads what the process printed so far (non-blocking). Caller holds the mutex. */
static void s_drain_output(struct lc__instance *in)
{
    char chunk[8192];
    while (in->out_fd >= 0) {
        ssize_t n = read(in->out_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            close(in->out_fd);
            in->out_fd = -1;
            return;
        }
        if (in->output.len + (size_t)n <= MAX_OUTPUT)
            lc_buf_append(&in->output, chunk, (size_t)n);
    }
}

/* Hands the queued invocation to a parked GET /next. Caller holds the mutex. */
static void s_deliver(struct lc__instance *in, struct s_conn *conns)
{
    struct lc__invocation *inv = in->inv;
    if (!inv || inv->state != LC__INV_PENDING)
        return;
    for (int i = 0; i < MAX_CONNS; i++) {
        struct s_conn *c = &conns[i];
        if (c->fd < 0 || !c->parked)
            continue;
        /* AWS: lambda-timeout-from-invoke. The function's time starts when its runtime takes the
         * event; starting the process (init) is not counted against it. */
        inv->delivered_ms = lc_clock_now_ms();
        if (inv->timeout_ms)
            inv->deadline_ms = inv->delivered_ms + inv->timeout_ms;
        char headers[1536];
        int n = snprintf(headers, sizeof headers,
                         "Lambda-Runtime-Aws-Request-Id: %s\r\nLambda-Runtime-Deadline-Ms: %lld\r\n"
                         "Lambda-Runtime-Invoked-Function-Arn: %s\r\nLambda-Runtime-Trace-Id: %s\r\n%s%s%s%s",
                         inv->id, (long long)inv->deadline_ms, inv->function_arn, inv->trace_id,
                         inv->client_context ? "Lambda-Runtime-Client-Context: " : "",
                         inv->client_context ? inv->client_context : "", inv->client_context ? "\r\n" : "",
                         c->close_after ? "Connection: close\r\n" : "");
        c->parked = false;
        /* Delivered before the bytes leave, so that whoever sees the reply also sees the state. */
        inv->state = LC__INV_DELIVERED;
        if (n < 0 || (size_t)n >= sizeof headers ||
            s_reply(c->fd, 200, "OK", headers, inv->payload ? inv->payload : "", inv->payload_len)) {
            inv->state = LC__INV_PENDING;
            s_conn_close(c);
            continue;
        }
        if (c->close_after)
            s_conn_close(c);
        return;
    }
}

static const char *s_ok = "{\"status\":\"OK\"}";

/* One complete request. Returns -1 to close the connection. Caller holds the mutex. */
static int s_handle(struct lc__instance *in, struct s_conn *c, const struct lc__http_req *r, const char *body)
{
    const char *t = r->target;
    if (!lc_str_starts_with(t, RUNTIME))
        goto not_found;
    t += strlen(RUNTIME);
    if (!strcmp(r->method, "GET") && !strcmp(t, "invocation/next")) {
        c->parked = true;
        c->close_after = r->close;
        return 1;
    }
    if (strcmp(r->method, "POST"))
        goto not_found;
    if (!strcmp(t, "init/error")) {
        lc_buf_reset(&in->init_error);
        lc_buf_append(&in->init_error, body, r->body_len);
        s_drain_output(in);
        if (in->inv && in->inv->state != LC__INV_DONE) {
            lc_buf_append(&in->inv->result, body, r->body_len);
            in->inv->error = true;
            in->inv->state = LC__INV_DONE;
            pthread_cond_broadcast(in->cond);
        }
        return s_reply(c->fd, 202, "Accepted", NULL, s_ok, strlen(s_ok));
    }
    if (lc_str_starts_with(t, "invocation/")) {
        const char *id = t + strlen("invocation/");
        const char *slash = strchr(id, '/');
        if (!slash)
            goto not_found;
        bool ok = !strcmp(slash, "/response"), err = !strcmp(slash, "/error");
        if (!ok && !err)
            goto not_found;
        struct lc__invocation *inv = in->inv;
        if (!inv || inv->state != LC__INV_DELIVERED || strlen(inv->id) != (size_t)(slash - id) ||
            memcmp(inv->id, id, (size_t)(slash - id))) {
            static const char bad[] = "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}";
            return s_reply(c->fd, 400, "Bad Request", NULL, bad, strlen(bad));
        }
        /* The process wrote its logs before posting (pipes are synchronous for node and python with
         * PYTHONUNBUFFERED), so everything it printed for this invocation is in the pipe now. */
        s_drain_output(in);
        lc_buf_append(&inv->result, body, r->body_len);
        inv->error = err;
        inv->state = LC__INV_DONE;
        pthread_cond_broadcast(in->cond);
        return s_reply(c->fd, 202, "Accepted", NULL, s_ok, strlen(s_ok));
    }
not_found:;
    static const char nf[] = "{\"errorMessage\":\"Not found\",\"errorType\":\"NotFound\"}";
    return s_reply(c->fd, 404, "Not Found", NULL, nf, strlen(nf));
}

static void s_on_readable(struct lc__instance *in, struct s_conn *c)
{
    char chunk[16384];
    ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0 || lc_buf_append(&c->in, chunk, (size_t)n)) {
        s_conn_close(c);
        return;
    }
    for (;;) {
        struct lc__http_req r;
        long used = lc__http_parse_request(c->in.data, c->in.len, &r);
        if (used == 0)
            return;
        if (used < 0) {
            s_conn_close(c);
            return;
        }
        pthread_mutex_lock(in->mu);
        int rc = s_handle(in, c, &r, c->in.data + r.body_off);
        pthread_mutex_unlock(in->mu);
        if (rc < 0 || (rc == 0 && r.close)) {
            s_conn_close(c);
            return;
        }
        memmove(c->in.data, c->in.data + used, c->in.len - (size_t)used);
        c->in.len -= (size_t)used;
    }
}

static void *s_thread(void *arg)
{
    struct lc__instance *in = arg;
    struct s_conn conns[MAX_CONNS];
    for (int i = 0; i < MAX_CONNS; i++) {
        conns[i].fd = -1;
        conns[i].parked = false;
        lc_buf_init(&conns[i].in, MAX_REQUEST);
    }
    for (;;) {
        struct pollfd p[3 + MAX_CONNS];
        p[0] = (struct pollfd){.fd = in->listen_fd, .events = POLLIN};
        p[1] = (struct pollfd){.fd = in->wake[0], .events = POLLIN};
        pthread_mutex_lock(in->mu);
        bool stopping = in->stopping;
        p[2] = (struct pollfd){.fd = in->out_fd, .events = POLLIN};
        s_deliver(in, conns);
        pthread_mutex_unlock(in->mu);
        if (stopping)
            break;
        for (int i = 0; i < MAX_CONNS; i++)
            p[3 + i] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
        if (poll(p, 3 + MAX_CONNS, -1) < 0) {
            if (errno == EINTR)
                continue;
            LC_LOGE("lambda", "runtime API poll: %s", strerror(errno));
            break;
        }
        if (p[1].revents) {
            char sink[64];
            while (read(in->wake[0], sink, sizeof sink) > 0) {
            }
        }
        if (p[2].revents) {
            pthread_mutex_lock(in->mu);
            s_drain_output(in);
            pthread_mutex_unlock(in->mu);
        }
        if (p[0].revents & POLLIN) {
            int fd = accept(in->listen_fd, NULL, NULL);
            int slot = -1;
            for (int i = 0; i < MAX_CONNS && slot < 0 && fd >= 0; i++)
                if (conns[i].fd < 0)
                    slot = i;
            if (slot >= 0) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                fcntl(fd, F_SETFD, FD_CLOEXEC);
                conns[slot].fd = fd;
            } else if (fd >= 0) {
                close(fd);
            }
        }
        for (int i = 0; i < MAX_CONNS; i++)
            if (conns[i].fd >= 0 && p[3 + i].fd == conns[i].fd && (p[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                s_on_readable(in, &conns[i]);
    }
    pthread_mutex_lock(in->mu);
    s_drain_output(in);
    pthread_mutex_unlock(in->mu);
    for (int i = 0; i < MAX_CONNS; i++)
        s_conn_close(&conns[i]);
    return NULL;
}

int lc__instance_listen(struct lc__instance *in, struct lc_error *err)
{
    in->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (in->listen_fd < 0)
        return lc_error_set(err, LC_EIO, 500, "ServiceException", "runtime API socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(in->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(in->listen_fd, 16) != 0 ||
        getsockname(in->listen_fd, (struct sockaddr *)&sa, &sl) != 0)
        return lc_error_set(err, LC_EIO, 500, "ServiceException", "runtime API listener: %s", strerror(errno));
    in->port = ntohs(sa.sin_port);
    if (pipe(in->wake) != 0)
        return lc_error_set(err, LC_EIO, 500, "ServiceException", "pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        fcntl(in->wake[i], F_SETFD, FD_CLOEXEC);
        fcntl(in->wake[i], F_SETFL, O_NONBLOCK);
    }
    return 0;
}

int lc__instance_start(struct lc__instance *in, struct lc_error *err)
{
    if (pthread_create(&in->thread, NULL, s_thread, in) != 0)
        return lc_error_set(err, LC_EINTERNAL, 500, "ServiceException", "cannot start the runtime API thread");
    in->thread_started = true;
    return 0;
}

void lc__instance_wake(struct lc__instance *in)
{
    if (in->wake[1] >= 0) {
        ssize_t n = write(in->wake[1], "x", 1);
        (void)n; /* a full pipe already wakes the thread */
    }
}

void lc__instance_close(struct lc__instance *in)
{
    if (in->thread_started) {
        pthread_mutex_lock(in->mu);
        in->stopping = true;
        pthread_mutex_unlock(in->mu);
        lc__instance_wake(in);
        pthread_join(in->thread, NULL);
        in->thread_started = false;
    }
    int *fds[] = {&in->listen_fd, &in->wake[0], &in->wake[1], &in->out_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}
