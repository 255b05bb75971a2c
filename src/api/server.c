/*
 * server.c: the libmicrohttpd transport: a pool of epoll event loops with keep-alive, the body
 * gathered under a per-service limit (a larger body is read to its end and answered with an error,
 * never by dropping the connection), requests that may block moved off the loops, and a drain on
 * stop that lets in-flight requests finish.
 */
#include "api/api_internal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/log.h"
#include "leastcloud/str.h"

#define MAX_HEADERS 128
/* libmicrohttpd's per-connection pool (headers and read buffer; bodies are gathered by us). It is
 * cleared for every request, so its size is paid on each one: 16 KiB holds any SigV4 request's
 * headers, session token included, with room to spare (MHD's default is 32 KiB). */
#define CONNECTION_MEMORY (16 * 1024)

struct lc_api_server {
    struct lc_store *store;
    struct MHD_Daemon *mhd;
    struct lc_api_pipeline *pipeline;
    uint16_t port;
    unsigned drain_timeout_ms;
    atomic_int in_flight;
    atomic_int offloaded;  /* requests running on threads of their own */
    atomic_uint_fast64_t requests;
};

struct s_job;

/* One request's state across the access handler's calls. */
struct s_conn_req {
    char *target;   /* the request-target as sent: SigV4 signs these bytes, not MHD's decoded URL */
    bool started;   /* the access handler has seen the headers */
    bool blocks;    /* must run off the event loop (LC_API_OP_BLOCKS) */
    struct lc_buf body;
    size_t limit;
    uint64_t received;
    bool too_large;
    struct s_job *job; /* set while (and after) the request runs on its own thread */
};

/* A request that runs on a thread of its own while its connection is suspended: everything it
 * needs is copied out of libmicrohttpd's memory first, and its answer waits here for the loop. */
struct s_job {
    struct lc_api_server *srv;
    struct MHD_Connection *conn;
    char *method, *path, *query;
    struct lc_auth_header *headers;
    char **header_text; /* owned copies the headers point into */
    size_t header_count;
    struct lc_buf body;
    bool too_large;
    uint64_t received;
    char ip[64];
    struct lc_api_response resp;
};

static enum MHD_Result s_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct lc_api_http *h = cls;
    struct lc_auth_header *hs = (struct lc_auth_header *)h->headers;
    if (h->header_count >= MAX_HEADERS)
        return MHD_NO;
    hs[h->header_count].name = lc_cur_from_str(key);
    hs[h->header_count].value = lc_cur_from_str(value ? value : "");
    h->header_count++;
    return MHD_YES;
}

static void s_source_ip(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    lc_strlcpy(out, "-", size);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

static void s_split_target(const struct s_conn_req *r, const char *url, char **path, char **query)
{
    if (r->target)
        url = r->target;
    const char *q = strchr(url, '?');
    *path = q ? lc_strndup(url, (size_t)(q - url)) : lc_strdup(url);
    *query = lc_strdup(q ? q + 1 : "");
}

static void s_free_buffer(void *p)
{
    lc_free(p);
}

static enum MHD_Result s_queue(struct lc_api_server *srv, struct MHD_Connection *c, struct lc_api_response *resp)
{
    size_t len;
    char *body = lc_buf_detach(&resp->body, &len);
    struct MHD_Response *mr = MHD_create_response_from_buffer_with_free_callback(len, body, s_free_buffer);
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    lc__api_response_clean_up(resp);
    atomic_fetch_add(&srv->requests, 1);
    return ok;
}

static enum MHD_Result s_answer(struct lc_api_server *srv, struct MHD_Connection *c, const char *url,
                                const char *method, struct s_conn_req *r)
{
    struct lc_auth_header headers[MAX_HEADERS];
    char ip[64];
    char *path, *query;
    s_split_target(r, url, &path, &query);
    s_source_ip(c, ip, sizeof ip);
    struct lc_api_http in = {
        .method = method,
        .path = path,
        .query = query,
        .headers = headers,
        .body = r->body.data ? r->body.data : "",
        .body_len = r->body.len,
        .body_too_large = r->too_large,
        .body_received = r->received,
        .source_ip = ip,
    };
    MHD_get_connection_values(c, MHD_HEADER_KIND, s_collect_header, &in);
    struct lc_api_response resp;
    lc__api_response_init(&resp);
    lc__api_handle(srv->pipeline, &in, &resp);
    lc_free(path);
    lc_free(query);
    return s_queue(srv, c, &resp);
}

static void s_job_free(struct s_job *j)
{
    if (!j)
        return;
    lc_free(j->method);
    lc_free(j->path);
    lc_free(j->query);
    for (size_t i = 0; i < 2 * j->header_count; i++)
        lc_free(j->header_text[i]);
    lc_free(j->header_text);
    lc_free(j->headers);
    lc_buf_free(&j->body);
    lc__api_response_clean_up(&j->resp);
    lc_free(j);
}

static void *s_job_run(void *arg)
{
    struct s_job *j = arg;
    struct lc_api_server *srv = j->srv;
    struct MHD_Connection *c = j->conn;
    struct lc_api_http in = {
        .method = j->method,
        .path = j->path,
        .query = j->query,
        .headers = j->headers,
        .header_count = j->header_count,
        .body = j->body.data ? j->body.data : "",
        .body_len = j->body.len,
        .body_too_large = j->too_large,
        .body_received = j->received,
        .source_ip = j->ip,
    };
    lc__api_handle(srv->pipeline, &in, &j->resp);
    /* From here the loop owns the job again (it answers, then frees it): touch nothing after. */
    MHD_resume_connection(c);
    atomic_fetch_sub(&srv->offloaded, 1);
    return NULL;
}

/* Copies the request out of libmicrohttpd's memory, suspends the connection and runs the request
 * on a detached thread; the loop answers when the thread resumes the connection. */
static enum MHD_Result s_offload(struct lc_api_server *srv, struct MHD_Connection *c, const char *url,
                                 const char *method, struct s_conn_req *r)
{
    struct s_job *j = lc_calloc(1, sizeof *j);
    j->srv = srv;
    j->conn = c;
    j->method = lc_strdup(method);
    s_split_target(r, url, &j->path, &j->query);
    s_source_ip(c, j->ip, sizeof j->ip);
    struct lc_auth_header headers[MAX_HEADERS];
    struct lc_api_http h = {.headers = headers};
    MHD_get_connection_values(c, MHD_HEADER_KIND, s_collect_header, &h);
    j->header_count = h.header_count;
    j->headers = lc_calloc(h.header_count ? h.header_count : 1, sizeof *j->headers);
    j->header_text = lc_calloc(2 * h.header_count + 1, sizeof *j->header_text);
    for (size_t i = 0; i < h.header_count; i++) {
        j->header_text[2 * i] = lc_strndup(headers[i].name.ptr, headers[i].name.len);
        j->header_text[2 * i + 1] = lc_strndup(headers[i].value.ptr, headers[i].value.len);
        j->headers[i].name = lc_cur_from_str(j->header_text[2 * i]);
        j->headers[i].value = lc_cur_from_str(j->header_text[2 * i + 1]);
    }
    j->body = r->body;
    memset(&r->body, 0, sizeof r->body);
    j->too_large = r->too_large;
    j->received = r->received;
    lc__api_response_init(&j->resp);
    r->job = j;
    MHD_suspend_connection(c);
    atomic_fetch_add(&srv->offloaded, 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &attr, s_job_run, j);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        /* No thread to spare: answer on the loop rather than fail the request. */
        LC_LOGW("api", "no thread for a blocking request (%s); running it on the event loop", strerror(rc));
        s_job_run(j);
    }
    return MHD_YES;
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    struct lc_api_server *srv = cls;
    struct s_conn_req *r = *con_cls;
    if (!r) { /* no URI callback ran (MHD always calls it; kept so the handler stands alone) */
        r = lc_calloc(1, sizeof *r);
        *con_cls = r;
        atomic_fetch_add(&srv->in_flight, 1);
    }
    if (!r->started) {
        r->started = true;
        /* The limit depends on the service, which the headers already tell. */
        struct lc_auth_header headers[MAX_HEADERS];
        struct lc_api_http h = {.headers = headers};
        MHD_get_connection_values(c, MHD_HEADER_KIND, s_collect_header, &h);
        char *path, *query;
        s_split_target(r, url, &path, &query);
        struct lc_api_request req = {.method = method, .path = path, .query = query, .headers = headers,
                                     .header_count = h.header_count, .body = ""};
        lc__api_preroute(&req, &r->limit, &r->blocks);
        lc_free(path);
        lc_free(query);
        lc_buf_init(&r->body, r->limit);
        return MHD_YES;
    }
    if (*upload_data_size) {
        r->received += *upload_data_size;
        if (!r->too_large && lc_buf_append(&r->body, upload_data, *upload_data_size) != 0) {
            r->too_large = true;
            lc_buf_free(&r->body); /* what is kept of an oversized body is never used */
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->job) /* resumed: the request ran on its own thread */
        return s_queue(srv, c, &r->job->resp);
    if (r->blocks)
        return s_offload(srv, c, url, method, r);
    return s_answer(srv, c, url, method, r);
}

static void s_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct lc_api_server *srv = cls;
    struct s_conn_req *r = *con_cls;
    if (!r)
        return;
    lc_buf_free(&r->body);
    s_job_free(r->job);
    lc_free(r->target);
    lc_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* Called by MHD with the request-target before it unescapes it or splits off the query; what it
 * returns becomes the request's context. */
static void *s_uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct lc_api_server *srv = cls;
    struct s_conn_req *r = lc_calloc(1, sizeof *r);
    r->target = lc_strdup(uri ? uri : "/");
    atomic_fetch_add(&srv->in_flight, 1);
    return r;
}

/* One event loop per core: a loop never waits (blocking requests leave it), so more loops than
 * cores only add switches between them. */
static unsigned s_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

int lc_api_server_start(struct lc_store *store, const struct lc_api_options *opts, struct lc_api_server **out,
                        struct lc_error *err)
{
    struct lc_api_options o = opts ? *opts : (struct lc_api_options){0};
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(o.port)};
    if (inet_pton(AF_INET, o.host ? o.host : "127.0.0.1", &addr.sin_addr) != 1)
        return lc_error_set(err, LC_EINVAL, 0, NULL, "--host %s is not an IPv4 address", o.host);
    struct lc_api_server *srv = lc_calloc(1, sizeof *srv);
    srv->store = store;
    srv->drain_timeout_ms = o.drain_timeout_ms ? o.drain_timeout_ms : 10000;
    int rc = lc__api_pipeline_new(store, &srv->pipeline, err);
    if (rc) {
        lc_free(srv);
        return rc;
    }
    unsigned threads = o.threads ? o.threads : s_default_threads();
    srv->mhd = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
                                s_access, srv,
                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                MHD_OPTION_THREAD_POOL_SIZE, threads,
                                MHD_OPTION_NOTIFY_COMPLETED, s_completed, srv,
                                MHD_OPTION_URI_LOG_CALLBACK, s_uri_seen, srv,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                                MHD_OPTION_END);
    if (!srv->mhd) {
        lc__api_pipeline_free(srv->pipeline);
        lc_free(srv);
        return lc_error_set(err, LC_EIO, 0, NULL, "cannot listen on %s:%u (in use, or no permission)",
                            o.host ? o.host : "127.0.0.1", (unsigned)o.port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : o.port;
    *out = srv;
    return 0;
}

uint16_t lc_api_server_port(const struct lc_api_server *srv)
{
    return srv->port;
}

uint64_t lc_api_server_requests(const struct lc_api_server *srv)
{
    return atomic_load(&((struct lc_api_server *)srv)->requests);
}

void lc_api_server_stop(struct lc_api_server *srv)
{
    if (!srv)
        return;
    /* Stop accepting, let the requests already begun finish, then close idle keep-alive
     * connections with the daemon. */
    MHD_socket s = MHD_quiesce_daemon(srv->mhd);
    if (s != MHD_INVALID_SOCKET)
        close(s);
    lc__api_pipeline_quiesce(srv->pipeline);
    struct timespec pause = {0, 5 * 1000 * 1000};
    for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < srv->drain_timeout_ms; waited += 5)
        nanosleep(&pause, NULL);
    /* A request on its own thread uses the pipeline and resumes its connection: both must outlive
     * it. Quiesce has ended what could hold it (Lambda invocations), so this wait is short. */
    while (atomic_load(&srv->offloaded) > 0)
        nanosleep(&pause, NULL);
    MHD_stop_daemon(srv->mhd);
    lc__api_pipeline_free(srv->pipeline);
    lc_free(srv);
}
