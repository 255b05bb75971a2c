/* reply.c: response helpers, request ids, and AWS's error bodies per protocol. */
#include "api/api_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"

int lc_api_response_header(struct lc_api_response *resp, const char *name, const char *value)
{
    if (resp->n_headers >= LC_API_MAX_HEADERS)
        return LC_ELIMIT;
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = lc_strdup(value);
    resp->n_headers++;
    return 0;
}

/*
 * Compact JSON, byte for byte what json_dumps(v, JSON_COMPACT) writes, straight into the buffer:
 * replies of 100 items are ~17 KB and jansson's callback-per-fragment dump cost more than the
 * query that produced them. Strings in a json_t are valid UTF-8 (jansson checks on the way in).
 */
int lc__api_json_write(struct lc_buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        bool first = true;
        lc_buf_append_byte(b, '{');
        json_object_foreach((json_t *)v, key, val) {
            if (!first)
                lc_buf_append_byte(b, ',');
            first = false;
            lc_json_append_string(b, key, strlen(key));
            lc_buf_append_byte(b, ':');
            lc__api_json_write(b, val);
        }
        return lc_buf_append_byte(b, '}');
    }
    case JSON_ARRAY: {
        lc_buf_append_byte(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                lc_buf_append_byte(b, ',');
            lc__api_json_write(b, json_array_get(v, i));
        }
        return lc_buf_append_byte(b, ']');
    }
    case JSON_STRING:
        lc_json_append_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
        return lc_buf_appendf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL: {
        char num[40];
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        char *e = strchr(num, 'e');
        if (e) {
            /* as jansson: no '+' and no leading zeros in the exponent (1e300, 1e-7) */
            char *in = e + 1, *out = e + 1;
            if (*in == '-')
                *out++ = *in++;
            else if (*in == '+')
                in++;
            while (*in == '0' && in[1])
                in++;
            memmove(out, in, strlen(in) + 1);
        } else if (!strpbrk(num, ".n")) {
            return lc_buf_appendf(b, "%s.0", num); /* jansson keeps reals recognisable: 1.0 */
        }
        return lc_buf_append_str(b, num);
    }
    case JSON_TRUE:
        return lc_buf_append_str(b, "true");
    case JSON_FALSE:
        return lc_buf_append_str(b, "false");
    default:
        return lc_buf_append_str(b, "null");
    }
}

int lc_api_reply_json(struct lc_api_response *resp, const json_t *v)
{
    lc_buf_reset(&resp->body);
    return lc__api_json_write(&resp->body, v);
}

int lc_api_xml_escape(struct lc_buf *out, const char *text)
{
    int rc = 0;
    const char *run = text;
    for (const char *p = text; *p && !rc; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: continue;
        }
        rc = lc_buf_append(out, run, (size_t)(p - run));
        if (!rc)
            rc = lc_buf_append_str(out, rep);
        run = p + 1;
    }
    return rc ? rc : lc_buf_append_str(out, run);
}

int lc_api_xml_elem(struct lc_buf *out, const char *name, const char *text)
{
    int rc = lc_buf_appendf(out, "<%s>", name);
    if (!rc)
        rc = lc_api_xml_escape(out, text ? text : "");
    return rc ? rc : lc_buf_appendf(out, "</%s>", name);
}

/*
 * Request ids only need to be unique, not secret: a per-thread xorshift generator seeded once from
 * the system's randomness costs nanoseconds where RAND_bytes costs a microsecond per request.
 */
static _Thread_local uint64_t s_rng;

static uint64_t s_next(void)
{
    if (!s_rng) {
        if (lc_random_bytes(&s_rng, sizeof s_rng) != 0 || !s_rng)
            s_rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&s_rng;
    }
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

static void s_random(uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = s_next();
        for (size_t j = 0; j < 8 && i + j < n; j++)
            out[i + j] = (uint8_t)(v >> (8 * j));
    }
}

void lc__api_request_id(bool coral, char out[LC_API_REQUEST_ID_MAX])
{
    uint8_t r[56];
    s_random(r, coral ? 52 : 16);
    if (coral) {
        /* AWS: ddb-request-id, 52 upper-case letters and digits */
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < 52; i++)
            out[i] = alphabet[r[i] % 36];
        out[52] = '\0';
        return;
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char hex[33];
    lc_hex_encode(r, 16, hex);
    size_t o = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
}

/* DynamoDB's errors come from three namespaces: the coral framework (authentication, routing,
 * serialization), coral's validator, and the service's own model. */
static const char *s_coral_namespace(const char *code)
{
    static const char *const framework[] = {
        "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
        "IncompleteSignatureException", "MissingAuthenticationTokenException",
        "UnknownOperationException", "SerializationException", "InternalFailure",
        "RequestEntityTooLarge", "ServiceUnavailableException", "ThrottlingException",
        "ExpiredTokenException", "InvalidClientTokenId", "MissingAction",
    };
    if (!strcmp(code, "ValidationException"))
        return "com.amazon.coral.validate#";
    for (size_t i = 0; i < sizeof framework / sizeof framework[0]; i++)
        if (!strcmp(code, framework[i]))
            return "com.amazon.coral.service#";
    return "com.amazonaws.dynamodb.v20120810#";
}

static int s_render_json(const struct lc_api_service *svc, const struct lc_error *e,
                         struct lc_api_response *resp)
{
    const char *code = e->aws_code[0] ? e->aws_code : "InternalFailure";
    json_t *o = json_object();
    char type[LC_ERROR_CODE_MAX + 48];
    if (svc && svc->coral_ids)
        snprintf(type, sizeof type, "%s%s", s_coral_namespace(code), code);
    else
        snprintf(type, sizeof type, "%s", code);
    json_object_set_new(o, "__type", json_string(type));
    /* AWS: ddb-error-message-case. AccessDenied says "Message", everything else "message". */
    const char *key = !strcmp(code, "AccessDeniedException") ? "Message" : "message";
    if (e->message[0])
        json_object_set_new(o, key, json_stringn_nocheck(e->message, strlen(e->message)));
    int rc = lc_api_reply_json(resp, o);
    json_decref(o);
    return rc;
}

static int s_render_query(const struct lc_api_service *svc, const struct lc_api_request *req,
                          const struct lc_error *e, struct lc_api_response *resp)
{
    /* AWS: query-error-envelope (AWS-BEHAVIOUR.md 2.3), whitespace as AWS sends it. */
    struct lc_buf *b = &resp->body;
    lc_buf_reset(b);
    const char *ns = svc && svc->xml_namespace ? svc->xml_namespace : "https://iam.amazonaws.com/doc/2010-05-08/";
    int rc = lc_buf_appendf(b, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s</Type>\n    ", ns,
                            resp->status >= 500 ? "Receiver" : "Sender");
    rc = rc ? rc : lc_api_xml_elem(b, "Code", e->aws_code[0] ? e->aws_code : "InternalFailure");
    rc = rc ? rc : lc_buf_append_str(b, "\n    ");
    rc = rc ? rc : lc_api_xml_elem(b, "Message", e->message);
    rc = rc ? rc : lc_buf_append_str(b, "\n  </Error>\n  ");
    rc = rc ? rc : lc_api_xml_elem(b, "RequestId", req->request_id);
    return rc ? rc : lc_buf_append_str(b, "\n</ErrorResponse>\n");
}

int lc__api_render_error(const struct lc_api_service *svc, const struct lc_api_request *req,
                         const struct lc_error *e, struct lc_api_response *resp)
{
    resp->status = e->http_status ? e->http_status : 500;
    resp->content_type = NULL;
    if (svc && svc->render_error)
        return svc->render_error(svc, req, e, resp);
    if (svc && svc->protocol == LC_API_QUERY) {
        resp->content_type = "text/xml";
        return s_render_query(svc, req, e, resp);
    }
    if (svc && svc->protocol == LC_API_REST_JSON) {
        resp->content_type = "application/json";
        lc_api_response_header(resp, "x-amzn-ErrorType", e->aws_code[0] ? e->aws_code : "InternalFailure");
    }
    return s_render_json(svc, e, resp);
}

int lc__api_wrap_query_result(const struct lc_api_service *svc, const struct lc_api_operation *op,
                              const struct lc_api_request *req, struct lc_api_response *resp)
{
    struct lc_buf out;
    lc_buf_init(&out, LC_BUF_UNLIMITED);
    int rc = lc_buf_appendf(&out, "<%sResponse xmlns=\"%s\">\n", op->name, svc->xml_namespace);
    if (!rc && !(op->flags & LC_API_OP_NO_RESULT)) {
        rc = lc_buf_appendf(&out, "  <%sResult>\n", op->name);
        rc = rc ? rc : lc_buf_append(&out, resp->body.data ? resp->body.data : "", resp->body.len);
        rc = rc ? rc : lc_buf_appendf(&out, "\n  </%sResult>\n", op->name);
    }
    rc = rc ? rc : lc_buf_append_str(&out, "  <ResponseMetadata>\n    ");
    rc = rc ? rc : lc_api_xml_elem(&out, "RequestId", req->request_id);
    rc = rc ? rc : lc_buf_appendf(&out, "\n  </ResponseMetadata>\n</%sResponse>\n", op->name);
    if (rc) {
        lc_buf_free(&out);
        return rc;
    }
    lc_buf_free(&resp->body);
    resp->body = out;
    return 0;
}
