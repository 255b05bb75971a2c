/* route.c: which service and operation a request is for (DESIGN.md, "The request pipeline", step 1). */
#include "api/api_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"

const struct lc_api_service *lc_api_service_by_name(const char *name, size_t len)
{
    for (size_t i = 0; lc_api_services[i]; i++) {
        const char *n = lc_api_services[i]->name;
        if (strlen(n) == len && !memcmp(n, name, len))
            return lc_api_services[i];
    }
    return NULL;
}

const struct lc_api_service *lc_api_service_by_target(const char *prefix, size_t len)
{
    for (size_t i = 0; lc_api_services[i]; i++) {
        const char *t = lc_api_services[i]->target_prefix;
        if (t && strlen(t) == len && !memcmp(t, prefix, len))
            return lc_api_services[i];
    }
    return NULL;
}

const struct lc_api_operation *lc_api_operation_find(const struct lc_api_service *svc, const char *name,
                                                     size_t len)
{
    for (size_t i = 0; svc && i < svc->n_ops; i++)
        if (strlen(svc->ops[i].name) == len && !memcmp(svc->ops[i].name, name, len))
            return &svc->ops[i];
    return NULL;
}

/* The credential scope's service without verifying anything. */
static const struct lc_api_service *s_scope_service(const struct lc_api_request *req)
{
    struct lc_auth_request ar = {
        .method = lc_cur_from_str(req->method),
        .path = lc_cur_from_str(req->path),
        .query = lc_cur_from_str(req->query),
        .headers = req->headers,
        .header_count = req->header_count,
    };
    char name[64];
    if (!lc_auth_peek_service(&ar, name, sizeof name))
        return NULL;
    return lc_api_service_by_name(name, strlen(name));
}

/* "sts.us-east-1.amazonaws.com" names sts; "localhost:4566" names nothing. */
static const struct lc_api_service *s_host_service(const struct lc_api_request *req)
{
    struct lc_cur host = lc_api_header(req, "host");
    if (!host.ptr)
        return NULL;
    const char *dot = memchr(host.ptr, '.', host.len);
    if (!dot)
        return NULL;
    return lc_api_service_by_name(host.ptr, (size_t)(dot - host.ptr));
}

static void s_set_operation(struct lc_api_route *out, const char *name, size_t len)
{
    if (len >= sizeof out->operation)
        len = sizeof out->operation - 1;
    memcpy(out->operation, name, len);
    out->operation[len] = '\0';
}

static bool s_is_form(const struct lc_api_request *req)
{
    struct lc_cur ct = lc_api_header(req, "content-type");
    return ct.ptr && lc_cur_starts_with(lc_cur_trim(ct), "application/x-www-form-urlencoded");
}

static bool s_route_target(struct lc_api_request *req, struct lc_api_route *out)
{
    struct lc_cur target = lc_cur_trim(lc_api_header(req, "x-amz-target"));
    if (!target.ptr)
        return false;
    out->protocol = LC_API_JSON;
    const char *dot = NULL;
    for (size_t i = target.len; i > 0; i--)
        if (target.ptr[i - 1] == '.') {
            dot = target.ptr + i - 1;
            break;
        }
    if (!dot) {
        s_set_operation(out, target.ptr, target.len);
        out->svc = s_scope_service(req);
        return true;
    }
    out->svc = lc_api_service_by_target(target.ptr, (size_t)(dot - target.ptr));
    if (!out->svc)
        out->svc = s_scope_service(req);
    const char *op = dot + 1;
    size_t op_len = target.len - (size_t)(op - target.ptr);
    s_set_operation(out, op, op_len);
    if (out->svc && out->svc->target_prefix &&
        (size_t)(dot - target.ptr) == strlen(out->svc->target_prefix) &&
        !memcmp(target.ptr, out->svc->target_prefix, (size_t)(dot - target.ptr)))
        out->op = lc_api_operation_find(out->svc, op, op_len);
    return true;
}

static bool s_route_query(struct lc_api_request *req, struct lc_api_route *out)
{
    const char *action = lc_api_param(req, "Action");
    if (!action)
        return false;
    out->protocol = LC_API_QUERY;
    s_set_operation(out, action, strlen(action));
    const struct lc_api_service *svc = s_scope_service(req);
    if (!svc || svc->protocol != LC_API_QUERY)
        svc = s_host_service(req);
    if (svc && svc->protocol != LC_API_QUERY)
        svc = NULL;
    out->svc = svc;
    out->op = lc_api_operation_find(svc, action, strlen(action));
    return true;
}

static bool s_route_rest(struct lc_api_request *req, struct lc_api_route *out)
{
    for (size_t i = 0; lc_api_services[i]; i++) {
        const struct lc_api_service *svc = lc_api_services[i];
        if (svc->protocol != LC_API_REST_JSON || !svc->path_prefix || !svc->route ||
            !lc_str_starts_with(req->path, svc->path_prefix))
            continue;
        out->protocol = LC_API_REST_JSON;
        out->svc = svc;
        out->op = svc->route(svc, req);
        if (out->op)
            s_set_operation(out, out->op->name, strlen(out->op->name));
        return true;
    }
    return false;
}

void lc__api_route(struct lc_api_request *req, struct lc_api_route *out)
{
    memset(out, 0, sizeof *out);
    out->protocol = LC_API_JSON;
    if (s_route_target(req, out))
        return;
    /* The Query protocol carries its parameters in the query string (GET) or a form body (POST). */
    struct lc_api_param *params = NULL;
    size_t n = 0;
    if (req->query && *req->query && !strstr(req->query, "X-Amz-Target"))
        lc__api_parse_form(req->query, strlen(req->query), &params, &n);
    if (s_is_form(req) && req->body_len)
        lc__api_parse_form(req->body, req->body_len, &params, &n);
    req->params = params;
    req->n_params = n;
    if (s_route_query(req, out) || s_route_rest(req, out))
        return;
    out->svc = s_scope_service(req);
    if (out->svc)
        out->protocol = out->svc->protocol;
    else if (!strcmp(req->method, "GET") && !strcmp(req->path, "/"))
        out->health = true;
}

void lc__api_preroute(const struct lc_api_request *req, size_t *limit, bool *blocks)
{
    struct lc_api_route r;
    struct lc_api_request copy = *req;
    copy.body = "";
    copy.body_len = 0;
    lc__api_route(&copy, &r);
    lc__api_params_free((struct lc_api_param *)copy.params, copy.n_params);
    for (size_t i = 0; i < copy.n_path_params; i++)
        lc_free(copy.path_params[i]);
    *limit = r.svc && r.svc->max_body ? r.svc->max_body : LC_API_DEFAULT_MAX_BODY;
    *blocks = r.svc && (r.svc->blocks || (r.op && (r.op->flags & LC_API_OP_BLOCKS)));
}
