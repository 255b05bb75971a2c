/*
 * pipeline.c: one request from bytes to answer: route -> authenticate -> authorize + act ->
 * render -> record (DESIGN.md, "The request pipeline"). Nothing here knows libmicrohttpd.
 */
#include "api/api_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/log.h"
#include "leastcloud/str.h"

struct lc_api_pipeline {
    struct lc_store *store;
    /* Held around every operation that may write, and by the trail writer: SQLite has one writer
     * at a time anyway, and threads that queue here wake at once, where threads that meet
     * SQLITE_BUSY sleep in the busy handler's back-off (the p99 of PutItem was over a second). */
    pthread_mutex_t write_lock;
    struct lc_auth_key_cache *signing_keys;
    struct lc_api_policy_cache *policies;
    struct lc_api_trail *trail;
    size_t n_started;  /* services whose start ran, in table order */
};

int lc__api_pipeline_new(struct lc_store *store, struct lc_api_pipeline **out, struct lc_error *err)
{
    int rc = lc_store_trail_init(store, err);
    if (rc)
        return rc;
    struct lc_api_pipeline *p = lc_calloc(1, sizeof *p);
    p->store = store;
    for (; lc_api_services[p->n_started]; p->n_started++) {
        const struct lc_api_service *svc = lc_api_services[p->n_started];
        if (svc->start && (rc = svc->start(store, err)) != 0) {
            lc_error_prefix(err, "starting %s", svc->name);
            lc__api_pipeline_free(p);
            return rc;
        }
    }
    pthread_mutex_init(&p->write_lock, NULL);
    p->trail = lc__api_trail_start(store, err);
    if (!p->trail) {
        lc__api_pipeline_free(p);
        return LC_EINTERNAL;
    }
    p->signing_keys = lc_auth_key_cache_new(0);
    p->policies = lc__api_policy_cache_new();
    *out = p;
    return 0;
}

void lc__api_pipeline_free(struct lc_api_pipeline *p)
{
    if (!p)
        return;
    lc__api_trail_stop(p->trail);
    for (size_t i = p->n_started; i > 0; i--)
        if (lc_api_services[i - 1]->stop)
            lc_api_services[i - 1]->stop();
    lc_auth_key_cache_destroy(p->signing_keys);
    lc__api_policy_cache_free(p->policies);
    pthread_mutex_destroy(&p->write_lock);
    lc_free(p);
}

void lc__api_pipeline_quiesce(struct lc_api_pipeline *p)
{
    for (size_t i = 0; p && i < p->n_started; i++)
        if (lc_api_services[i]->quiesce)
            lc_api_services[i]->quiesce();
}

void lc__api_response_init(struct lc_api_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    lc_buf_init(&resp->body, LC_BUF_UNLIMITED);
}

void lc__api_response_clean_up(struct lc_api_response *resp)
{
    lc_buf_free(&resp->body);
    for (size_t i = 0; i < resp->n_headers; i++)
        lc_free(resp->headers[i].value);
    resp->n_headers = 0;
}

/* ------------------------------------------------------------------ authentication */

struct s_auth_ctx {
    struct lc_store *store;
    const struct lc_api_pipeline *pipeline;
    int64_t iam_generation;
    struct lc_store_key key;
    bool have_key;
    bool have_caller;          /* the cache also knew the caller */
    struct lc_api_caller caller;
};

/*
 * Keys and their callers, per worker thread, valid while the store's "iam" generation stays the
 * same: every request needs them, and every IAM change (a key deactivated, a user deleted) bumps
 * the generation. Per thread, so that no lock is taken; fixed size, so that nothing is freed.
 */
#define KEY_CACHE_SLOTS 32

struct s_key_slot {
    const struct lc_api_pipeline *pipeline;
    int64_t generation;
    struct lc_store_key key;
    struct lc_api_caller caller;
};

static _Thread_local struct s_key_slot s_key_cache[KEY_CACHE_SLOTS];

static struct s_key_slot *s_key_slot(const char *key_id)
{
    uint32_t h = 2166136261u;
    for (const char *p = key_id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return &s_key_cache[h % KEY_CACHE_SLOTS];
}

static int s_lookup(struct lc_cur access_key_id, void *ud, struct lc_auth_key *key)
{
    struct s_auth_ctx *c = ud;
    char id[sizeof c->key.key_id];
    if (access_key_id.len == 0 || access_key_id.len >= sizeof id)
        return 0;
    memcpy(id, access_key_id.ptr, access_key_id.len);
    id[access_key_id.len] = '\0';
    struct s_key_slot *slot = s_key_slot(id);
    if (slot->pipeline == c->pipeline && slot->generation == c->iam_generation && !strcmp(slot->key.key_id, id)) {
        c->key = slot->key;
        c->caller = slot->caller;
        c->have_caller = true;
    } else {
        struct lc_error err;
        int rc = lc_store_key_lookup(c->store, id, &c->key, &err);
        if (rc == LC_ENOTFOUND)
            return 0;
        if (rc)
            return rc;
    }
    c->have_key = true;
    key->found = true;
    key->status = c->key.active ? LC_AUTH_KEY_ACTIVE : LC_AUTH_KEY_INACTIVE;
    key->secret_access_key = lc_strdup(c->key.secret);
    if (c->key.session_token[0]) {
        key->session_token_expected = true;
        key->session_token = lc_strdup(c->key.session_token);
    }
    key->expires_ms = c->key.expires_ms;
    return 0;
}

/* Who the verified key belongs to, as IAM and error messages name it. */
static int s_build_caller(struct lc_store *store, const struct lc_store_key *key,
                          const struct lc_auth_result *res, struct lc_api_caller *c, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = lc_store_principal_get(store, key->principal_arn, &p, err);
    if (rc)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "the principal of key %s is gone: %s",
                            key->key_id, err->message);
    memset(c, 0, sizeof *c);
    lc_strlcpy(c->key_id, key->key_id, sizeof c->key_id);
    lc_strlcpy(c->account, p.account, sizeof c->account);
    lc_strlcpy(c->principal_arn, p.arn, sizeof c->principal_arn);
    lc_strlcpy(c->region, res->region, sizeof c->region);
    if (key->session_arn[0]) {
        const char *slash = strrchr(key->session_arn, '/');
        c->type = LC_IAM_PRINCIPAL_ASSUMED_ROLE;
        c->session = true;
        lc_strlcpy(c->arn, key->session_arn, sizeof c->arn);
        lc_strlcpy(c->name, p.name, sizeof c->name);
        snprintf(c->user_id, sizeof c->user_id, "%s:%s", p.id, slash ? slash + 1 : "");
    } else if (p.type == LC_PRINCIPAL_ROOT) {
        c->type = LC_IAM_PRINCIPAL_ROOT;
        lc_strlcpy(c->arn, p.arn, sizeof c->arn);
        lc_strlcpy(c->user_id, p.account, sizeof c->user_id);
    } else {
        c->type = LC_IAM_PRINCIPAL_USER;
        lc_strlcpy(c->arn, p.arn, sizeof c->arn);
        lc_strlcpy(c->name, p.name, sizeof c->name);
        lc_strlcpy(c->user_id, p.id, sizeof c->user_id);
    }
    return 0;
}

/* ------------------------------------------------------------------ one request */

struct s_exchange {
    struct lc_api_pipeline *p;
    const struct lc_api_http *in;
    struct lc_api_request req;
    struct lc_api_route route;
    struct lc_api_caller caller;
    struct s_auth_ctx auth;
    bool authenticated;
    int64_t iam_generation;
    const char *decision;
    char request_id[LC_API_REQUEST_ID_MAX];
};

static bool s_has_auth(const struct lc_api_request *req)
{
    return lc_api_header(req, "authorization").ptr || (req->query && strstr(req->query, "X-Amz-Algorithm="));
}

/* The access key a request claims (Credential=AKIA.../ or X-Amz-Credential=AKIA...%2F), verified or
 * not, so that the trail shows which key a refused request tried. */
static void s_claimed_key(const struct lc_api_request *req, char *out, size_t size)
{
    out[0] = '\0';
    struct lc_cur auth = lc_api_header(req, "authorization");
    const char *p = NULL, *end = NULL;
    if (auth.ptr) {
        const char *c = NULL;
        for (size_t i = 0; i + 11 <= auth.len && !c; i++)
            if (!memcmp(auth.ptr + i, "Credential=", 11))
                c = auth.ptr + i;
        if (c) {
            p = c + 11;
            end = auth.ptr + auth.len;
        }
    } else if (req->query && (p = strstr(req->query, "X-Amz-Credential=")) != NULL) {
        p += 17;
        end = p + strlen(p);
    }
    size_t n = 0;
    while (p && p + n < end && n + 1 < size && p[n] != '/' && p[n] != '%' && p[n] != '&' && p[n] != ',')
        n++;
    if (p)
        memcpy(out, p, n);
    out[p ? n : 0] = '\0';
}

static int s_authenticate(struct s_exchange *x, struct lc_error *err)
{
    const struct lc_api_service *svc = x->route.svc;
    struct lc_auth_service profile;
    lc_auth_service_profile(svc->name, &profile);
    x->auth.store = x->p->store;
    x->auth.pipeline = x->p;
    x->auth.iam_generation = x->iam_generation;
    struct lc_auth_verifier v = {
        .lookup = s_lookup,
        .user_data = &x->auth,
        .cache = x->p->signing_keys,
        .region = NULL,
    };
    struct lc_auth_request ar = {
        .method = lc_cur_from_str(x->req.method),
        .path = lc_cur_from_str(x->req.path),
        .query = lc_cur_from_str(x->req.query),
        .headers = x->req.headers,
        .header_count = x->req.header_count,
        .payload = x->req.body,
        .payload_len = x->req.body_len,
    };
    struct lc_auth_result res;
    int rc = lc_auth_verify(&v, &ar, &profile, &res, err);
    if (rc)
        return rc;
    if (x->auth.have_caller) {
        x->caller = x->auth.caller;
        lc_strlcpy(x->caller.region, res.region, sizeof x->caller.region);
    } else {
        rc = s_build_caller(x->p->store, &x->auth.key, &res, &x->caller, err);
        if (rc)
            return rc;
        struct s_key_slot *slot = s_key_slot(x->auth.key.key_id);
        slot->pipeline = x->p;
        slot->generation = x->iam_generation;
        slot->key = x->auth.key;
        slot->caller = x->caller;
    }
    x->authenticated = true;
    return 0;
}

/* JSON protocols: the body must be one JSON object (AWS: ddb-serialization-order). */
static int s_parse_json(struct s_exchange *x, struct lc_error *err)
{
    if (!x->req.body_len)
        return 0;
    if (!lc_utf8_valid(x->req.body, x->req.body_len))
        return lc_error_set(err, LC_EINVAL, 400, "SerializationException",
                            "The request body is not valid UTF-8");
    json_error_t je;
    json_t *v = json_loadb(x->req.body, x->req.body_len, 0, &je);
    if (!v)
        return lc_error_set(err, LC_EINVAL, 400, "SerializationException",
                            "The request body is not valid JSON: %s at line %d, column %d", je.text, je.line,
                            je.column);
    if (!json_is_object(v)) {
        const char *what = json_is_array(v) ? "Start of list" : "Unexpected value";
        json_decref(v);
        return lc_error_set(err, LC_EINVAL, 400, "SerializationException",
                            "%s found where not expected: the request body must be a JSON object", what);
    }
    x->req.json = v;
    return 0;
}

static int s_unknown_operation(struct s_exchange *x, struct lc_error *err)
{
    if (x->route.protocol == LC_API_QUERY) {
        if (!x->route.svc)
            return lc_error_set(err, LC_EUNSUPPORTED, 400, "InvalidAction",
                                "Could not find a service for operation %s: sign the request with a "
                                "credential scope naming the service (iam, sts, cloudformation)",
                                x->route.operation);
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "InvalidAction",
                            "Could not find operation %s for service %s", x->route.operation, x->route.svc->name);
    }
    if (!x->route.operation[0])
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "UnknownOperationException",
                            "The request names no operation: send X-Amz-Target, Action=, or a service path");
    return lc_error_set(err, LC_EUNSUPPORTED, 400, "UnknownOperationException",
                        "Unknown operation %s%s%s", x->route.operation, x->route.svc ? " for service " : "",
                        x->route.svc ? x->route.svc->name : "");
}

static const char s_begin_sql[] = "BEGIN";
static const char s_commit_sql[] = "COMMIT";

static int s_authorized_call(struct s_exchange *x, struct lc_api_response *resp, struct lc_api_authz *authz,
                             struct lc_error *err);

static int s_run(struct s_exchange *x, struct lc_api_response *resp, struct lc_api_authz *authz,
                 struct lc_error *err)
{
    const struct lc_api_http *in = x->in;
    const struct lc_api_service *svc = x->route.svc;
    if (in->body_too_large)
        return lc_error_set(err, LC_ELIMIT, 413, "RequestEntityTooLarge",
                            "Request body of %llu bytes exceeds the maximum of %zu bytes for %s requests",
                            (unsigned long long)in->body_received,
                            svc && svc->max_body ? svc->max_body : LC_API_DEFAULT_MAX_BODY,
                            svc ? svc->name : "this endpoint's");
    if (!svc && !s_has_auth(&x->req)) {
        x->decision = x->route.protocol == LC_API_QUERY ? "MissingAuthenticationToken"
                                                        : "MissingAuthenticationTokenException";
        return lc_error_set(err, LC_EAUTH, x->route.protocol == LC_API_QUERY ? 403 : 400, x->decision,
                            "Request is missing Authentication Token");
    }
    if (!svc)
        return s_unknown_operation(x, err);
    int rc;
    if (svc->protocol == LC_API_JSON) {
        /* AWS (dynalite's notes on live DynamoDB): JSON syntax, then the target, then the signature. */
        if ((rc = s_parse_json(x, err)) != 0)
            return rc;
        if (!x->route.op)
            return s_unknown_operation(x, err);
    }
    bool read_only = x->route.op && (x->route.op->flags & LC_API_OP_READ_ONLY);
    if (read_only && lc_store_run(x->p->store, s_begin_sql, NULL) != 0)
        read_only = false; /* a failed BEGIN only costs the single snapshot */
    rc = s_authorized_call(x, resp, authz, err);
    if (read_only)
        lc_store_run(x->p->store, s_commit_sql, NULL);
    return rc;
}

static int s_authorized_call(struct s_exchange *x, struct lc_api_response *resp, struct lc_api_authz *authz,
                             struct lc_error *err)
{
    const struct lc_api_service *svc = x->route.svc;
    x->iam_generation = authz->iam_generation = lc_store_generation(x->p->store, "iam");
    int rc;
    if ((rc = s_authenticate(x, err)) != 0) {
        x->decision = err->aws_code;
        return rc;
    }
    if (!x->route.op)
        return s_unknown_operation(x, err);
    if (svc->protocol == LC_API_JSON && !x->req.json)
        return lc_error_set(err, LC_EINVAL, 400, "SerializationException",
                            "The request body is empty: expected a JSON object");
    struct lc_api_call call = {
        .store = x->p->store,
        .req = &x->req,
        .caller = &x->caller,
        .resp = resp,
        .authz = authz,
    };
    bool writes = svc->serialize_writes && !(x->route.op->flags & LC_API_OP_READ_ONLY);
    if (writes)
        pthread_mutex_lock(&x->p->write_lock);
    rc = x->route.op->fn(&call, err);
    if (writes)
        pthread_mutex_unlock(&x->p->write_lock);
    if (!rc && authz->n_checks == 0 && !(x->route.op->flags & LC_API_OP_NO_AUTHZ)) {
        /* A handler that acts without asking IAM is a bug; never let it look like success. */
        LC_LOGE("api", "%s:%s answered without an authorization check", svc->name, x->route.op->name);
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure",
                            "%s did not authorize the request", x->route.op->name);
    }
    if (!rc && svc->protocol == LC_API_QUERY)
        rc = lc__api_wrap_query_result(svc, x->route.op, &x->req, resp);
    return rc;
}

static const char *s_default_type(const struct lc_api_service *svc, enum lc_api_protocol proto)
{
    if (svc && svc->content_type)
        return svc->content_type;
    switch (proto) {
    case LC_API_QUERY: return "text/xml";
    case LC_API_REST_JSON: return "application/json";
    default: return "application/x-amz-json-1.0";
    }
}

/* JSON-escapes s into b as a quoted string ("" for NULL or text that is not UTF-8). */
static void s_json_str(struct lc_buf *b, const char *s)
{
    if (!s || lc_json_append_string(b, s, strlen(s)) == LC_EINVAL)
        lc_buf_append_str(b, "\"\"");
}

static void s_record(struct s_exchange *x, const struct lc_api_authz *a, const struct lc_api_response *resp,
                     const struct lc_error *err, int64_t t0_ms, int64_t duration_us)
{
    struct lc_buf resources, checks;
    lc_buf_init(&resources, LC_BUF_UNLIMITED);
    lc_buf_init(&checks, LC_BUF_UNLIMITED);
    lc_buf_append_byte(&resources, '[');
    /* The deciding check: the first denial, else the first check. */
    const struct lc_api_check *decider = a->n_checks ? &a->checks[0] : NULL;
    for (size_t i = 0; i < a->n_checks; i++) {
        if (i)
            lc_buf_append_byte(&resources, ',');
        s_json_str(&resources, a->checks[i].resource);
        if (a->checks[i].kind != LC_IAM_ALLOWED && decider->kind == LC_IAM_ALLOWED)
            decider = &a->checks[i];
    }
    lc_buf_append_byte(&resources, ']');
    if (a->n_checks > 1) {
        lc_buf_append_byte(&checks, '[');
        for (size_t i = 0; i < a->n_checks; i++) {
            const struct lc_api_check *c = &a->checks[i];
            lc_buf_append_str(&checks, i ? ",{\"action\":" : "{\"action\":");
            s_json_str(&checks, c->action);
            lc_buf_append_str(&checks, ",\"resource\":");
            s_json_str(&checks, c->resource);
            lc_buf_appendf(&checks, ",\"decision\":\"%s\",\"policy\":", lc_iam_decision_name(c->kind));
            s_json_str(&checks, c->policy);
            lc_buf_appendf(&checks, ",\"statement\":%d,\"sid\":", c->statement);
            s_json_str(&checks, c->sid);
            lc_buf_append_byte(&checks, '}');
        }
        lc_buf_append_byte(&checks, ']');
    }
    char claimed[sizeof x->auth.key.key_id];
    if (x->auth.have_key)
        lc_strlcpy(claimed, x->auth.key.key_id, sizeof claimed);
    else
        s_claimed_key(&x->req, claimed, sizeof claimed);
    const char *decision = x->decision ? x->decision : decider ? lc_iam_decision_name(decider->kind) : "";
    struct lc_store_trail_event ev = {
        .time_ms = t0_ms,
        .request_id = x->request_id,
        .principal_arn = x->authenticated ? x->caller.arn : "",
        .key_id = claimed,
        .source_ip = x->in->source_ip,
        .service = x->route.svc ? x->route.svc->name : "",
        .operation = x->route.operation,
        .action = decider ? decider->action : "",
        .resources = resources.data,
        .decision = decision,
        .policy = decider && decider->policy ? decider->policy : "",
        .statement = decider ? decider->statement : -1,
        .sid = decider ? decider->sid : "",
        .checks = checks.data ? checks.data : "",
        .error_code = err->code ? err->aws_code : "",
        .http_status = resp->status,
        .duration_us = duration_us,
    };
    lc__api_trail_push(x->p->trail, &ev);
    lc_buf_free(&resources);
    lc_buf_free(&checks);
    if (lc_log_enabled(LC_LOG_INFO))
        lc_log(LC_LOG_INFO, "api", "%s %s %s %d %s %s %lldus", x->in->source_ip ? x->in->source_ip : "-",
               ev.service[0] ? ev.service : "-", ev.operation[0] ? ev.operation : "-", resp->status,
               ev.principal_arn[0] ? ev.principal_arn : "-", err->code ? err->aws_code : decision,
               (long long)duration_us);
}

static int64_t s_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void lc__api_handle(struct lc_api_pipeline *p, const struct lc_api_http *in, struct lc_api_response *resp)
{
    int64_t t0 = s_mono_us(), t0_ms = lc_clock_now_ms();
    struct s_exchange x = {.p = p, .in = in};
    x.req = (struct lc_api_request){
        .method = in->method,
        .path = in->path,
        .query = in->query ? in->query : "",
        .headers = in->headers,
        .header_count = in->header_count,
        .body = in->body ? in->body : "",
        .body_len = in->body_len,
        .source_ip = in->source_ip,
    };
    lc__api_route(&x.req, &x.route);
    const struct lc_api_service *svc = x.route.svc;
    bool coral = svc ? svc->coral_ids : x.route.protocol == LC_API_JSON;
    lc__api_request_id(coral, x.request_id);
    x.req.request_id = x.request_id;
    x.req.operation = x.route.operation;

    struct lc_error err;
    lc_error_clear(&err);
    struct lc_api_authz authz;
    lc__api_authz_init(&authz, p->policies, svc);
    if (x.route.health) {
        lc_buf_append_str(&resp->body, "healthy: leastcloud\n");
        resp->content_type = "text/plain";
    } else {
        int rc = s_run(&x, resp, &authz, &err);
        if (rc) {
            if (!err.code)
                lc_error_set(&err, rc, 500, "InternalFailure", "%s", lc_strerror(rc));
            if (err.http_status >= 500)
                LC_LOGE("api", "%s %s: %s", svc ? svc->name : "-", x.route.operation, err.message);
            struct lc_api_response fresh;
            lc__api_response_init(&fresh);
            lc__api_response_clean_up(resp);
            *resp = fresh;
            struct lc_api_service fallback = {.name = "", .protocol = x.route.protocol, .coral_ids = coral};
            lc__api_render_error(svc ? svc : &fallback, &x.req, &err, resp);
        }
    }
    if (!resp->content_type)
        resp->content_type = s_default_type(svc, x.route.protocol);
    lc_api_response_header(resp, "x-amzn-RequestId", x.request_id);
    if (coral) {
        char crc[16];
        snprintf(crc, sizeof crc, "%u", lc_crc32(resp->body.data ? resp->body.data : "", resp->body.len));
        lc_api_response_header(resp, "x-amz-crc32", crc);
    }
    if (!x.route.health)
        s_record(&x, &authz, resp, &err, t0_ms, s_mono_us() - t0);
    lc__api_authz_clean_up(&authz);
    json_decref(x.req.json);
    lc__api_params_free((struct lc_api_param *)x.req.params, x.req.n_params);
    for (size_t i = 0; i < x.req.n_path_params; i++)
        lc_free(x.req.path_params[i]);
}
