/* http.c: the smallest HTTP/1.1 client that talks to our own 127.0.0.1 servers (one request per
 * connection), for C Lambda functions and the `leastcloud` command. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/clock.h"
#include "leastcloud/lambda_runtime.h"
#include "leastcloud/str.h"

#define HTTP_MAX_REPLY ((size_t)64 << 20)

int lc_lambda_http_parse_endpoint(const char *url, char host[64], uint16_t *port)
{
    if (!url)
        return LC_EINVAL;
    if (lc_str_starts_with(url, "http://"))
        url += 7;
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    size_t hlen = colon ? (size_t)(colon - url) : slash ? (size_t)(slash - url) : strlen(url);
    if (hlen == 0 || hlen >= 64)
        return LC_EINVAL;
    memcpy(host, url, hlen);
    host[hlen] = '\0';
    *port = 80;
    if (colon) {
        int64_t v = 0;
        const char *p = colon + 1;
        size_t n = 0;
        while (p[n] >= '0' && p[n] <= '9' && n < 6)
            v = v * 10 + (p[n++] - '0');
        if (n == 0 || v < 1 || v > 65535 || (p[n] && p[n] != '/'))
            return LC_EINVAL;
        *port = (uint16_t)v;
    }
    if (!strcmp(host, "localhost"))
        lc_strlcpy(host, "127.0.0.1", 64);
    return 0;
}

static int s_wait(int fd, short events, int64_t deadline_ms)
{
    int ms = -1;
    if (deadline_ms) {
        int64_t left = deadline_ms - lc_clock_now_ms();
        if (left <= 0)
            return -1;
        ms = left > 1000000 ? 1000000 : (int)left;
    }
    struct pollfd p = {.fd = fd, .events = events};
    int n;
    do
        n = poll(&p, 1, ms);
    while (n < 0 && errno == EINTR);
    return n > 0 ? 0 : -1;
}

static int s_send_all(int fd, const char *data, size_t len, int64_t deadline_ms)
{
    while (len) {
        if (s_wait(fd, POLLOUT, deadline_ms))
            return -1;
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Splits the raw reply in place into status, headers and body. */
static int s_parse(struct lc_lambda_http_response *r, size_t len)
{
    char *raw = r->raw;
    char *end = NULL;
    for (size_t i = 0; i + 3 < len && !end; i++)
        if (!memcmp(raw + i, "\r\n\r\n", 4))
            end = raw + i;
    if (!end || len < 12 || memcmp(raw, "HTTP/1.", 7))
        return -1;
    *end = '\0';
    r->status = 0;
    for (int i = 9; i < 12; i++) {
        if (raw[i] < '0' || raw[i] > '9')
            return -1;
        r->status = r->status * 10 + (raw[i] - '0');
    }
    char *line = strstr(raw, "\r\n");
    while (line && line < end) {
        *line = '\0';
        line += 2;
        char *next = strstr(line, "\r\n");
        char *colon = strchr(line, ':');
        if (colon && r->n_headers < LC_LAMBDA_HTTP_MAX_HEADERS) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            r->headers[r->n_headers].name = line;
            r->headers[r->n_headers].value = v;
            r->n_headers++;
        }
        line = next;
    }
    r->body = end + 4;
    r->body_len = len - (size_t)(r->body - raw);
    const char *cl = lc_lambda_http_header(r, "content-length");
    int64_t want;
    if (cl && lc_parse_i64(cl, &want) == 0 && want >= 0 && (size_t)want < r->body_len)
        r->body_len = (size_t)want;
    r->body[r->body_len] = '\0';
    return 0;
}

int lc_lambda_http_request(const char *host, uint16_t port, const char *method, const char *target,
                           const struct lc_lambda_http_header *headers, size_t n_headers, const void *body,
                           size_t body_len, int timeout_ms, struct lc_lambda_http_response *out,
                           struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return lc_error_set(err, LC_EINVAL, 0, NULL, "'%s' is not a numeric IPv4 address", host);
    int64_t deadline = timeout_ms > 0 ? lc_clock_now_ms() + timeout_ms : 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return lc_error_set(err, LC_EIO, 0, NULL, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        return lc_error_set(err, LC_EIO, 0, NULL, "cannot connect to %s:%u: %s", host, (unsigned)port, strerror(e));
    }
    struct lc_buf req;
    lc_buf_init(&req, LC_BUF_UNLIMITED);
    lc_buf_appendf(&req, "%s %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\nContent-Length: %zu\r\n", method,
                   target, host, (unsigned)port, body_len);
    for (size_t i = 0; i < n_headers; i++)
        lc_buf_appendf(&req, "%s: %s\r\n", headers[i].name, headers[i].value);
    lc_buf_append_str(&req, "\r\n");
    int rc = s_send_all(fd, req.data, req.len, deadline);
    lc_buf_free(&req);
    if (!rc && body_len)
        rc = s_send_all(fd, body, body_len, deadline);
    if (rc) {
        close(fd);
        return lc_error_set(err, LC_EIO, 0, NULL, "sending to %s:%u failed", host, (unsigned)port);
    }
    struct lc_buf in;
    lc_buf_init(&in, HTTP_MAX_REPLY);
    char chunk[16384];
    for (;;) {
        if (s_wait(fd, POLLIN, deadline)) {
            rc = lc_error_set(err, LC_EIO, 0, NULL, "no reply from %s:%u within %d ms", host, (unsigned)port,
                              timeout_ms);
            break;
        }
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = lc_error_set(err, LC_EIO, 0, NULL, "reading from %s:%u: %s", host, (unsigned)port, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (lc_buf_append(&in, chunk, (size_t)n)) {
            rc = lc_error_set(err, LC_ELIMIT, 0, NULL, "reply from %s:%u exceeds %zu bytes", host, (unsigned)port,
                              HTTP_MAX_REPLY);
            break;
        }
    }
    close(fd);
    if (rc) {
        lc_buf_free(&in);
        return rc;
    }
    lc_buf_append_byte(&in, '\0');
    size_t len = in.len - 1;
    out->raw = lc_buf_detach(&in, NULL);
    if (s_parse(out, len)) {
        lc_lambda_http_response_clean_up(out);
        return lc_error_set(err, LC_EIO, 0, NULL, "the reply from %s:%u is not HTTP/1.x", host, (unsigned)port);
    }
    return 0;
}

const char *lc_lambda_http_header(const struct lc_lambda_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (lc_str_eq_ci(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

void lc_lambda_http_response_clean_up(struct lc_lambda_http_response *r)
{
    lc_free(r->raw);
    memset(r, 0, sizeof *r);
}
