/*
 * service.h: the service-handler interface of the local cloud's HTTP front door.
 *
 * Every AWS service the server speaks is one `struct lc_api_service` in its own file
 * `src/api/svc_<service>.c`, listed once in `src/api/service_table.c`. A service is a table of
 * operations; each operation is a function that receives the parsed, authenticated request (a
 * `struct lc_api_call`) and fills a `struct lc_api_response` or returns an error.
 *
 * What the pipeline does before the handler runs (see docs/internals/api.md):
 *   route (X-Amz-Target / Action= / path / credential scope) -> parse the body by protocol ->
 *   authenticate (SigV4, secrets from the store) -> build the caller -> handler.
 * What the handler must do: call lc_api_authorize() for every IAM action/resource it acts on BEFORE
 * acting (an operation that never authorizes gets an InternalFailure, unless it is flagged
 * LC_API_OP_NO_AUTHZ as sts:GetCallerIdentity is), then act, then write the result.
 * What the pipeline does after: renders errors in the service's protocol, adds x-amzn-RequestId
 * (and x-amz-crc32 for DynamoDB), records one trail row.
 *
 * Ownership: everything in a call is borrowed for the duration of the handler; the response's
 * body buffer is owned by the pipeline (handlers append to it, never free it).
 */
#ifndef LC_API_SERVICE_H
#define LC_API_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leastcloud/auth.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"
#include "leastcloud/store_iam.h"

struct lc_store;
struct lc_api_call;
struct lc_api_response;
struct lc_api_request;

/* How a service puts requests and replies on the wire. */
enum lc_api_protocol {
    LC_API_JSON,      /* awsJson1_0 / awsJson1_1: POST /, X-Amz-Target: <prefix>.<Operation> */
    LC_API_QUERY,     /* awsQuery: Action=<Operation>&Version=... form body or query string, XML replies */
    LC_API_REST_JSON, /* restJson1: the operation is in the method and path (Lambda) */
};

/* ------------------------------------------------------------------ request */

/* A decoded name=value pair of a form body or query string ("Action", "UserName", "Tags.member.1.Key"). */
struct lc_api_param {
    char *name;
    char *value;
};

struct lc_api_request {
    const char *method;                  /* "POST" */
    const char *path;                    /* raw path, no query ("/2015-03-31/functions/f/invocations") */
    const char *query;                   /* raw query string without '?', "" when none */
    const struct lc_auth_header *headers;
    size_t header_count;
    const char *body;                    /* NUL-terminated (the NUL is not counted) */
    size_t body_len;
    const char *source_ip;               /* "127.0.0.1" */
    const char *request_id;              /* what x-amzn-RequestId will say */
    const char *operation;               /* the operation name as routed ("GetItem", "GetUser") */
    json_t *json;                        /* JSON protocols: the body, always an object; else NULL */
    const struct lc_api_param *params;   /* Query protocol: form body + query string, in order */
    size_t n_params;
    /* REST services: what their route function captured from the path (e.g. the function name),
     * percent-decoded; owned by the pipeline. */
    char *path_params[4];
    size_t n_path_params;
};

/* A header's value (first occurrence, name case-insensitive) as a new cursor, or ptr NULL. */
struct lc_cur lc_api_header(const struct lc_api_request *req, const char *name);
/* A Query-protocol parameter's value (first occurrence, exact name), or NULL. Borrowed. */
const char *lc_api_param(const struct lc_api_request *req, const char *name);

/* ------------------------------------------------------------------ caller */

/* Who is calling, as authentication established it. */
struct lc_api_caller {
    enum lc_iam_principal_type type;  /* USER, ROOT or ASSUMED_ROLE */
    char arn[LC_ARN_MAX];             /* as IAM and errors name it: user/root ARN, or the STS session ARN */
    char principal_arn[LC_ARN_MAX];   /* the stored principal owning the key (the role for sessions) */
    char name[LC_IAM_NAME_MAX];       /* user or role name; "" for root */
    char user_id[192];                /* aws:userid: AIDA..., AROA...:session, or the account for root */
    char key_id[32];                  /* the access key that signed */
    char account[13];
    char region[64];                  /* the credential scope's region */
    bool session;                     /* temporary (ASIA) credentials */
};

/* ------------------------------------------------------------------ response */

#define LC_API_MAX_HEADERS 8

struct lc_api_response {
    int status;                 /* 200 unless the handler sets another */
    struct lc_buf body;         /* see the protocol notes at lc_api_operation */
    const char *content_type;   /* static string; NULL for the protocol's default */
    struct {
        const char *name;       /* static string */
        char *value;            /* owned by the response */
    } headers[LC_API_MAX_HEADERS];
    size_t n_headers;
};

/* Adds a response header (value copied). Returns 0 or LC_ELIMIT past LC_API_MAX_HEADERS. */
int lc_api_response_header(struct lc_api_response *resp, const char *name, const char *value);
/* Writes v (compact JSON) as the whole body. Returns 0 or LC_ELIMIT. */
int lc_api_reply_json(struct lc_api_response *resp, const json_t *v);

/* XML helpers for Query-protocol results. Text is escaped (&, <, >, ", '). */
int lc_api_xml_escape(struct lc_buf *out, const char *text);
/* <name>escaped text</name> */
int lc_api_xml_elem(struct lc_buf *out, const char *name, const char *text);

/* ------------------------------------------------------------------ the call */

struct lc_api_call {
    struct lc_store *store;                 /* the state; the calling thread has its own connection */
    const struct lc_api_request *req;
    const struct lc_api_caller *caller;
    struct lc_api_response *resp;
    struct lc_api_authz *authz;             /* pipeline-private: the checks made so far */
};

/* One extra condition key for a check ("dynamodb:LeadingKeys" = "alice"); repeat a key for more values. */
struct lc_api_condition {
    const char *key;
    const char *value;
};

/*
 * Decides whether the caller may perform `action` ("dynamodb:GetItem") on `resource` (an ARN, or
 * "*" for account-level actions) with the request's global condition keys plus `conds`. Root is
 * allowed everything in its own account; everyone else is evaluated against their identity
 * policies, permissions boundary and session policy (compiled once, cached per principal until any
 * IAM change). Returns 0 when allowed, LC_EDENIED with *err holding AWS's exact denial for the
 * service (DynamoDB/JSON: 400 AccessDeniedException; Query: 403 AccessDenied) otherwise, or
 * LC_EINTERNAL when a stored policy could not be read. Every check is recorded in the trail.
 */
int lc_api_authorize(struct lc_api_call *call, const char *action, const char *resource,
                     const struct lc_api_condition *conds, size_t n_conds, struct lc_error *err);

/* ------------------------------------------------------------------ services */

/*
 * Returns 0 with the response filled, or a negative LC_E* with *err filled (aws_code, http_status,
 * message); the pipeline renders the error in the service's protocol.
 *
 * Body conventions: JSON services write the whole JSON body (lc_api_reply_json). Query services
 * append only the INNER XML of <OperationResult> (e.g. "<User>...</User>"): the pipeline wraps it in
 * <OperationResponse xmlns=...><OperationResult>...</OperationResult><ResponseMetadata>...; an
 * operation flagged LC_API_OP_NO_RESULT gets no Result element. REST services write the whole body.
 */
typedef int (*lc_api_op_fn)(struct lc_api_call *call, struct lc_error *err);

enum {
    LC_API_OP_NO_AUTHZ = 1 << 0,   /* the operation needs no IAM permission (sts:GetCallerIdentity) */
    LC_API_OP_NO_RESULT = 1 << 1,  /* Query protocol: no <OperationResult> element (iam:DeleteUser) */
    /* The operation never writes the store: the pipeline runs authentication, authorization and
     * the handler in one read transaction (one snapshot, and far fewer transaction starts). */
    LC_API_OP_READ_ONLY = 1 << 2,
    /* The operation may wait for something that calls back into this server (Lambda's Invoke
     * waits for a function that calls DynamoDB): it runs on a thread of its own, never on one of
     * the event loops, which would stall every connection that loop serves. */
    LC_API_OP_BLOCKS = 1 << 3,
};

struct lc_api_operation {
    const char *name;   /* "GetItem" */
    lc_api_op_fn fn;
    unsigned flags;
};

struct lc_api_service {
    const char *name;            /* the credential scope's service: "dynamodb", "iam", "sts", ... */
    enum lc_api_protocol protocol;
    const char *target_prefix;   /* JSON: "DynamoDB_20120810" */
    const char *content_type;    /* default reply type: "application/x-amz-json-1.0", "text/xml" */
    const char *xml_namespace;   /* Query: "https://iam.amazonaws.com/doc/2010-05-08/" */
    const char *path_prefix;     /* REST: "/2015-03-31/" */
    size_t max_body;             /* bytes; larger bodies are answered with an error, 0 = 16 MiB */
    bool coral_ids;              /* DynamoDB style: 52-character request ids and x-amz-crc32 */
    /* Operations not flagged LC_API_OP_READ_ONLY run one at a time in this process (with the trail
     * writer), so that concurrent writers queue on a mutex instead of sleeping in SQLite's busy
     * back-off. Only for services whose operations are short: never for one that waits on another
     * request (Lambda's Invoke), which would deadlock. */
    bool serialize_writes;
    /* Every operation of the service is LC_API_OP_BLOCKS (CloudFormation: a deploy runs for a
     * while, and which operation a Query-protocol request is lies in its body). */
    bool blocks;
    const struct lc_api_operation *ops;
    size_t n_ops;
    /* REST only: picks the operation from method + path and fills req->path_params; NULL if none. */
    const struct lc_api_operation *(*route)(const struct lc_api_service *svc, struct lc_api_request *req);
    /* Optional: called once at server start (migrations, caches). */
    int (*start)(struct lc_store *store, struct lc_error *err);
    /* Optional: called once when the server stops, after the last request. */
    void (*stop)(void);
    /* Optional: called when the server begins to stop (it accepts no new connection), before it
     * waits for the requests in flight: ends work that would hold them up (Lambda invocations). */
    void (*quiesce)(void);
    /* Optional: renders an error body; default by protocol (see reply.c). */
    int (*render_error)(const struct lc_api_service *svc, const struct lc_api_request *req,
                        const struct lc_error *e, struct lc_api_response *resp);
};

/* Every service the server knows (service_table.c), terminated by NULL. A variable so that tests
 * can serve their own list. */
extern const struct lc_api_service *const *lc_api_services;

/* Lookups over lc_api_services. */
const struct lc_api_service *lc_api_service_by_name(const char *name, size_t len);
const struct lc_api_service *lc_api_service_by_target(const char *prefix, size_t len);
const struct lc_api_operation *lc_api_operation_find(const struct lc_api_service *svc, const char *name,
                                                     size_t len);

#endif
