/*
 * svc_lambda.c: AWS Lambda (restJson1 under /2015-03-31/): Invoke, GetFunction,
 * GetFunctionConfiguration, ListFunctions, AddPermission, RemovePermission, GetPolicy, over the
 * functions the deploy engine keeps in the store and the process supervisor of src/lambda/.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/str.h"

#define PREFIX "/2015-03-31/functions"
#define INVOKE_MAX_REQUEST 6291456

extern const struct lc_api_service lc_api_svc_lambda;

static struct lc_lambda_supervisor *s_sup;

static int s_start(struct lc_store *store, struct lc_error *err)
{
    /* Read-only operations run in a read transaction, where a first migration could not write. */
    int rc = lc_store_lambda_migrate(store, err);
    return rc ? rc : lc_lambda_supervisor_new(store, NULL, &s_sup, err);
}

/* The server is stopping: invocations in flight would otherwise hold it up for their whole timeout. */
static void s_quiesce(void)
{
    lc_lambda_supervisor_interrupt(s_sup);
}

static void s_stop(void)
{
    lc_lambda_supervisor_destroy(s_sup);
    s_sup = NULL;
}

/* ------------------------------------------------------------------ errors */

/* Lambda's error bodies: AccessDenied carries only "Message"; modelled errors carry "Type" (User
 * or Service) and "message". The code travels in x-amzn-ErrorType. */
static int s_render_error(const struct lc_api_service *svc, const struct lc_api_request *req,
                          const struct lc_error *e, struct lc_api_response *resp)
{
    const char *code = e->aws_code[0] ? e->aws_code : "ServiceException";
    resp->content_type = "application/json";
    lc_api_response_header(resp, "x-amzn-ErrorType", code);
    json_t *o = json_object();
    if (strcmp(code, "AccessDeniedException") != 0)
        json_object_set_new(o, "Type", json_string(resp->status >= 500 ? "Service" : "User"));
    json_object_set_new(o, !strcmp(code, "AccessDeniedException") ? "Message" : "message",
                        json_stringn_nocheck(e->message, strlen(e->message)));
    int rc = lc_api_reply_json(resp, o);
    json_decref(o);
    return rc;
}

/* ------------------------------------------------------------------ shapes */

static char *s_function_arn(struct lc_store *store, const char *name_or_arn)
{
    if (lc_str_starts_with(name_or_arn, "arn:"))
        return lc_strdup(name_or_arn);
    return lc_asprintf("arn:aws:lambda:%s:%s:function:%s", lc_store_region(store), lc_store_account(store),
                       name_or_arn);
}

static json_t *s_configuration(const struct lc_lambda_function *f)
{
    char iso[25];
    lc_time_format_iso_ms(f->last_modified_ms, iso);
    char modified[32];
    snprintf(modified, sizeof modified, "%.23s+0000", iso);
    json_t *vars = f->environment ? json_loads(f->environment, 0, NULL) : NULL;
    if (!json_is_object(vars)) {
        json_decref(vars);
        vars = json_object();
    }
    char group[300];
    snprintf(group, sizeof group, "/aws/lambda/%s", f->name);
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:i, s:s, s:s, s:s, s:{s:o}, s:{s:s},"
                          " s:s, s:s, s:s, s:[s], s:{s:i}, s:{s:s, s:s}}",
                          "FunctionName", f->name, "FunctionArn", f->arn ? f->arn : "",
                          "Runtime", f->runtime ? f->runtime : "", "Role", f->role ? f->role : "",
                          "Handler", f->handler ? f->handler : "", "CodeSize", (json_int_t)f->code_size,
                          "Description", f->description ? f->description : "",
                          "Timeout", f->timeout_s > 0 ? f->timeout_s : 3,
                          "MemorySize", f->memory_mb > 0 ? f->memory_mb : 128, "LastModified", modified,
                          "CodeSha256", f->code_sha256 ? f->code_sha256 : "", "Version", "$LATEST",
                          "Environment", "Variables", vars, "TracingConfig", "Mode", "PassThrough",
                          "State", "Active", "LastUpdateStatus", "Successful", "PackageType", "Zip",
                          "Architectures", f->architecture && *f->architecture ? f->architecture : "x86_64",
                          "EphemeralStorage", "Size", 512,
                          "LoggingConfig", "LogFormat", "Text", "LogGroup", group);
    return c;
}

/* Looks the function up after the caller was allowed `action` on it (AWS answers AccessDenied before
 * it says whether the function exists). A qualifier other than $LATEST names no version here. */
static int s_authorized_function(struct lc_api_call *call, const char *action, struct lc_lambda_function *f,
                                 struct lc_error *err)
{
    const char *name = call->req->n_path_params ? call->req->path_params[0] : "";
    char *arn = s_function_arn(call->store, name);
    int rc = lc_api_authorize(call, action, arn, NULL, 0, err);
    if (!rc) {
        char *q = NULL;
        const char *qs = call->req->query;
        const char *qp = qs ? strstr(qs, "Qualifier=") : NULL;
        if (qp) {
            const char *v = qp + 10;
            size_t len = strcspn(v, "&");
            q = lc__api_pct_decode(v, len, true);
        }
        if (q && *q && strcmp(q, "$LATEST") != 0)
            rc = lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFoundException", "Function not found: %s:%s", arn, q);
        else
            rc = lc_store_lambda_get(call->store, name, f, err);
        lc_free(q);
    }
    lc_free(arn);
    return rc;
}

/* ------------------------------------------------------------------ operations */

static void s_endpoint(const struct lc_api_request *req, char *out, size_t size)
{
    struct lc_cur host = lc_api_header(req, "host");
    /* "localhost" may resolve to ::1 inside the function while the server listens on IPv4 only. */
    if (host.ptr && lc_cur_starts_with(host, "localhost"))
        snprintf(out, size, "http://127.0.0.1%.*s", (int)(host.len - 9), host.ptr + 9);
    else if (host.ptr && host.len < size - 8)
        snprintf(out, size, "http://%.*s", (int)host.len, host.ptr);
    else
        snprintf(out, size, "http://127.0.0.1:4566");
}

static int s_invoke(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:InvokeFunction", &f, err);
    if (rc)
        return rc;
    if (call->req->body_len > INVOKE_MAX_REQUEST) {
        lc_lambda_function_clear(&f);
        /* AWS: lambda-request-limit */
        return lc_error_set(err, LC_ELIMIT, 413, "RequestTooLargeException",
                            "Request must be smaller than %d bytes for the InvokeFunction operation",
                            INVOKE_MAX_REQUEST);
    }
    struct lc_cur type = lc_api_header(call->req, "x-amz-invocation-type");
    struct lc_cur log_type = lc_api_header(call->req, "x-amz-log-type");
    struct lc_cur cc = lc_api_header(call->req, "x-amz-client-context");
    char endpoint[300];
    s_endpoint(call->req, endpoint, sizeof endpoint);
    char *client_context = cc.ptr ? lc_cur_dup(cc) : NULL;
    struct lc_lambda_invocation inv = {
        .payload = call->req->body,
        .payload_len = call->req->body_len,
        .endpoint_url = endpoint,
        .client_context = client_context,
    };
    if (type.ptr && lc_cur_eq_str(type, "DryRun")) {
        call->resp->status = 204;
    } else if (type.ptr && lc_cur_eq_str(type, "Event")) {
        rc = lc_lambda_invoke_async(s_sup, &f, &inv, err);
        if (!rc)
            call->resp->status = 202;
    } else if (type.ptr && !lc_cur_eq_str(type, "RequestResponse")) {
        rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                          "1 validation error detected: Value '%.*s' at 'invocationType' failed to satisfy "
                          "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                          (int)type.len, type.ptr);
    } else {
        struct lc_lambda_result r;
        rc = lc_lambda_invoke(s_sup, &f, &inv, &r, err);
        if (!rc) {
            call->resp->status = 200;
            call->resp->content_type = "application/json";
            lc_api_response_header(call->resp, "X-Amz-Executed-Version", "$LATEST");
            if (r.function_error)
                lc_api_response_header(call->resp, "X-Amz-Function-Error", "Unhandled");
            if (log_type.ptr && lc_cur_eq_str(log_type, "Tail")) {
                char *tail = lc_lambda_log_tail(r.log ? r.log : "");
                lc_api_response_header(call->resp, "X-Amz-Log-Result", tail);
                lc_free(tail);
            }
            lc_buf_reset(&call->resp->body);
            lc_buf_append(&call->resp->body, r.payload ? r.payload : "", r.payload_len);
            lc_lambda_result_clean_up(&r);
        }
    }
    lc_free(client_context);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_get_function_configuration(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:GetFunctionConfiguration", &f, err);
    if (rc)
        return rc;
    json_t *c = s_configuration(&f);
    rc = lc_api_reply_json(call->resp, c);
    json_decref(c);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_get_function(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:GetFunction", &f, err);
    if (rc)
        return rc;
    char *location = lc_asprintf("file://%s", f.code_dir ? f.code_dir : "");
    json_t *o = json_pack("{s:o, s:{s:s, s:s}, s:{}}", "Configuration", s_configuration(&f), "Code",
                          "RepositoryType", "S3", "Location", location, "Tags");
    rc = lc_api_reply_json(call->resp, o);
    json_decref(o);
    lc_free(location);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_list_one(const struct lc_lambda_function *f, void *ud)
{
    json_array_append_new(ud, s_configuration(f));
    return 0;
}

static int s_list_functions(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "lambda:ListFunctions", "*", NULL, 0, err);
    if (rc)
        return rc;
    json_t *list = json_array();
    rc = lc_store_lambda_list(call->store, s_list_one, list, err);
    if (!rc) {
        json_t *o = json_pack("{s:o}", "Functions", list);
        rc = lc_api_reply_json(call->resp, o);
        json_decref(o);
    } else {
        json_decref(list);
    }
    return rc;
}

static int s_get_policy(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:GetPolicy", &f, err);
    if (rc)
        return rc;
    char *doc = lc_store_lambda_policy(call->store, f.name);
    if (!doc) {
        rc = lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFoundException",
                          "The resource you requested does not exist.");
    } else {
        json_t *o = json_pack("{s:s, s:s}", "Policy", doc, "RevisionId", f.code_sha256 ? f.code_sha256 : "");
        rc = lc_api_reply_json(call->resp, o);
        json_decref(o);
    }
    lc_free(doc);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_add_permission(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:AddPermission", &f, err);
    if (rc)
        return rc;
    json_t *in = call->req->body_len ? json_loadb(call->req->body, call->req->body_len, 0, NULL) : NULL;
    const char *sid = lc_json_str(in, "StatementId");
    const char *action = lc_json_str(in, "Action");
    const char *principal = lc_json_str(in, "Principal");
    if (!sid || !action || !principal) {
        rc = lc_error_set(err, LC_EINVAL, 400, "ValidationException",
                          "StatementId, Action and Principal are required");
    } else {
        json_t *p = strchr(principal, ':') || !strcmp(principal, "*")
                        ? (strcmp(principal, "*") ? json_pack("{s:s}", "AWS", principal) : json_string("*"))
                        : json_pack("{s:s}", "Service", principal);
        json_t *st = json_pack("{s:s, s:s, s:o, s:s, s:s}", "Sid", sid, "Effect", "Allow", "Principal", p,
                               "Action", action, "Resource", f.arn ? f.arn : "");
        const char *src_arn = lc_json_str(in, "SourceArn");
        const char *src_acct = lc_json_str(in, "SourceAccount");
        if (src_arn || src_acct) {
            json_t *cond = json_object();
            if (src_arn)
                json_object_set_new(cond, "ArnLike", json_pack("{s:s}", "AWS:SourceArn", src_arn));
            if (src_acct)
                json_object_set_new(cond, "StringEquals", json_pack("{s:s}", "AWS:SourceAccount", src_acct));
            json_object_set_new(st, "Condition", cond);
        }
        char *text = lc_json_stringify(st, 0);
        rc = lc_store_lambda_permission_add(call->store, f.name, sid, text, err);
        if (!rc) {
            call->resp->status = 201;
            json_t *o = json_pack("{s:s}", "Statement", text);
            rc = lc_api_reply_json(call->resp, o);
            json_decref(o);
        }
        lc_free(text);
        json_decref(st);
    }
    json_decref(in);
    lc_lambda_function_clear(&f);
    return rc;
}

static int s_remove_permission(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_lambda_function f;
    int rc = s_authorized_function(call, "lambda:RemovePermission", &f, err);
    if (rc)
        return rc;
    const char *sid = call->req->n_path_params > 1 ? call->req->path_params[1] : "";
    rc = lc_store_lambda_permission_remove(call->store, f.name, sid, err);
    if (!rc)
        call->resp->status = 204;
    lc_lambda_function_clear(&f);
    return rc;
}

static const struct lc_api_operation s_ops[] = {
    {"Invoke", s_invoke, LC_API_OP_BLOCKS},
    {"GetFunction", s_get_function, LC_API_OP_READ_ONLY},
    {"GetFunctionConfiguration", s_get_function_configuration, LC_API_OP_READ_ONLY},
    {"ListFunctions", s_list_functions, LC_API_OP_READ_ONLY},
    {"GetPolicy", s_get_policy, LC_API_OP_READ_ONLY},
    {"AddPermission", s_add_permission, 0},
    {"RemovePermission", s_remove_permission, 0},
};

static const struct lc_api_operation *s_op(const char *name)
{
    return lc_api_operation_find(&lc_api_svc_lambda, name, strlen(name));
}

/* Path segments after /2015-03-31/functions: [name] [suffix] [sid]. */
static const struct lc_api_operation *s_route(const struct lc_api_service *svc, struct lc_api_request *req)
{
    (void)svc;
    const char *p = req->path;
    if (!lc_str_starts_with(p, PREFIX))
        return NULL;
    p += strlen(PREFIX);
    if (!*p || !strcmp(p, "/"))
        return !strcmp(req->method, "GET") ? s_op("ListFunctions") : NULL;
    if (*p != '/')
        return NULL;
    p++;
    const char *seg[3] = {0};
    size_t len[3] = {0}, n = 0;
    while (*p && n < 3) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        seg[n] = p;
        len[n++] = l;
        p += l;
        if (*p == '/')
            p++;
    }
    if (*p || !n || !len[0])
        return NULL;
    const char *name = NULL;
    const char *m = req->method;
#define SEG_IS(i, s) (n > (i) && len[i] == strlen(s) && !memcmp(seg[i], s, len[i]))
    if (n == 1 && !strcmp(m, "GET"))
        name = "GetFunction";
    else if (n == 2 && SEG_IS(1, "invocations") && !strcmp(m, "POST"))
        name = "Invoke";
    else if (n == 2 && SEG_IS(1, "configuration") && !strcmp(m, "GET"))
        name = "GetFunctionConfiguration";
    else if (n == 2 && SEG_IS(1, "policy") && !strcmp(m, "GET"))
        name = "GetPolicy";
    else if (n == 2 && SEG_IS(1, "policy") && !strcmp(m, "POST"))
        name = "AddPermission";
    else if (n == 3 && SEG_IS(1, "policy") && !strcmp(m, "DELETE"))
        name = "RemovePermission";
#undef SEG_IS
    if (!name)
        return NULL;
    req->path_params[0] = lc__api_pct_decode(seg[0], len[0], false);
    req->n_path_params = 1;
    if (n == 3) {
        req->path_params[1] = lc__api_pct_decode(seg[2], len[2], false);
        req->n_path_params = 2;
    }
    return s_op(name);
}

const struct lc_api_service lc_api_svc_lambda = {
    .name = "lambda",
    .protocol = LC_API_REST_JSON,
    .content_type = "application/json",
    .path_prefix = "/2015-03-31/",
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
    .route = s_route,
    .start = s_start,
    .stop = s_stop,
    .quiesce = s_quiesce,
    .render_error = s_render_error,
};
