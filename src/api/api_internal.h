/* api_internal.h: what the files of src/api share and the transport-neutral pipeline entry. */
#ifndef LC_API_INTERNAL_H
#define LC_API_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/service.h"
#include "leastcloud/api.h"
#include "leastcloud/store_trail.h"

#define LC_API_REQUEST_ID_MAX 64
#define LC_API_DEFAULT_MAX_BODY ((size_t)16 * 1024 * 1024)
#define LC_API_OPERATION_MAX 128

/* Fills out with a fresh request id: 52 upper-case alphanumerics (coral) or a v4 UUID. */
void lc__api_request_id(bool coral, char out[LC_API_REQUEST_ID_MAX]);
/* Renders e as the service's protocol error into resp (status, body, content type). svc may be NULL. */
int lc__api_render_error(const struct lc_api_service *svc, const struct lc_api_request *req,
                         const struct lc_error *e, struct lc_api_response *resp);
/* Wraps a Query handler's inner XML into the <OpResponse> document. */
int lc__api_wrap_query_result(const struct lc_api_service *svc, const struct lc_api_operation *op,
                              const struct lc_api_request *req, struct lc_api_response *resp);
void lc__api_response_init(struct lc_api_response *resp);
/* Appends v as compact JSON, the bytes json_dumps(v, JSON_COMPACT) would give. */
int lc__api_json_write(struct lc_buf *b, const json_t *v);
void lc__api_response_clean_up(struct lc_api_response *resp);

/* ------------------------------------------------------------------ parsing helpers (request.c) */

/* Percent-decodes (and '+' -> ' ' when plus_space); caller frees with lc_free. */
char *lc__api_pct_decode(const char *s, size_t len, bool plus_space);
/* Appends the pairs of an x-www-form-urlencoded string to *params (grown with lc_realloc). */
void lc__api_parse_form(const char *s, size_t len, struct lc_api_param **params, size_t *n);
void lc__api_params_free(struct lc_api_param *params, size_t n);

/* ------------------------------------------------------------------ routing (route.c) */

struct lc_api_route {
    const struct lc_api_service *svc;  /* NULL when nothing in the request names a known service */
    const struct lc_api_operation *op; /* NULL when the operation is unknown to svc */
    enum lc_api_protocol protocol;     /* how to answer, also when svc is NULL */
    char operation[LC_API_OPERATION_MAX]; /* as the request named it ("" when it named none) */
    bool health;                       /* GET / with nothing else: a liveness probe */
};

/*
 * Routes a request whose method, path, query, headers and body are set in *req: X-Amz-Target for
 * JSON protocols, Action= for the Query protocol (service from the credential scope, else the Host
 * header), REST path prefixes, and finally the credential scope alone. REST routes fill
 * req->path_params. Never fails: what it could not find is NULL in *out.
 */
void lc__api_route(struct lc_api_request *req, struct lc_api_route *out);
/* What the transport must know before the body arrives: the body limit, and whether the request
 * may block (LC_API_OP_BLOCKS, or a service that blocks) and so must leave the event loop. */
void lc__api_preroute(const struct lc_api_request *req, size_t *limit, bool *blocks);

/* ------------------------------------------------------------------ the pipeline (pipeline.c) */

/* A request as the transport received it. */
struct lc_api_http {
    const char *method;
    const char *path;
    const char *query;          /* "" when none */
    const struct lc_auth_header *headers;
    size_t header_count;
    const char *body;           /* NUL-terminated; at most the limit when body_too_large */
    size_t body_len;
    bool body_too_large;
    uint64_t body_received;     /* bytes the client sent, also past the limit */
    const char *source_ip;
};

struct lc_api_pipeline;
struct lc_api_trail;

int lc__api_pipeline_new(struct lc_store *store, struct lc_api_pipeline **out, struct lc_error *err);
/* Stops the services and the trail writer (flushing it) and frees. */
void lc__api_pipeline_free(struct lc_api_pipeline *p);
/* Calls every started service's quiesce hook (the server is stopping). */
void lc__api_pipeline_quiesce(struct lc_api_pipeline *p);
/*
 * Runs one request through route -> authenticate -> authorize+act -> record and fills resp
 * (initialized by the caller with lc__api_response_init) with the status, body and headers to send,
 * x-amzn-RequestId and Content-Type included. Thread-safe.
 */
void lc__api_handle(struct lc_api_pipeline *p, const struct lc_api_http *in, struct lc_api_response *resp);

/* ------------------------------------------------------------------ authorization (authz.c) */

struct lc_api_check {
    char *action;
    char *resource;
    enum lc_iam_decision_kind kind;
    char *policy;        /* deciding policy label, NULL when none */
    int statement;       /* -1 when none */
    char *sid;
};

struct lc_api_policy_cache;
struct lc_api_policy_cache *lc__api_policy_cache_new(void);
void lc__api_policy_cache_free(struct lc_api_policy_cache *c);

struct lc_api_authz {
    struct lc_api_policy_cache *cache;
    const struct lc_api_service *svc;
    const struct lc_iam_policy_set *set; /* reference held for the request, NULL until needed */
    struct lc_iam_request *ireq;
    struct lc_api_check *checks;
    size_t n_checks, cap_checks;
    int64_t now_ms;
    int64_t iam_generation;  /* read once per request, before authentication */
};
void lc__api_authz_init(struct lc_api_authz *a, struct lc_api_policy_cache *cache,
                        const struct lc_api_service *svc);
void lc__api_authz_clean_up(struct lc_api_authz *a);

/* ------------------------------------------------------------------ the trail writer (trail_writer.c) */

/* A background thread that batches trail rows into the store. */
/* The rows go to trail.db alone, so a batch never waits for (or holds up) the pipeline's writers. */
struct lc_api_trail *lc__api_trail_start(struct lc_store *store, struct lc_error *err);
/* Copies ev into the queue; the row is written within a few milliseconds. */
void lc__api_trail_push(struct lc_api_trail *t, const struct lc_store_trail_event *ev);
/* Writes every queued row, stops the thread and frees. NULL is a no-op. */
void lc__api_trail_stop(struct lc_api_trail *t);

#endif
