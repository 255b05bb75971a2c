/*
 * auth.h: AWS Signature Version 4, verified and produced.
 *
 * The server calls lc_auth_verify() on every request with a transport-neutral view of it
 * (struct lc_auth_request); the Lambda runtime and the benchmarks call lc_auth_sign_header() or
 * lc_auth_presign() to sign their own requests. Nothing here knows about HTTP libraries or SQLite:
 * the secret behind an access key is obtained through a caller-supplied lookup callback.
 *
 * Ownership, once for the whole module: every pointer or cursor the caller passes in is borrowed
 * for the duration of the call only; every `char *` this module returns inside a struct is owned
 * by that struct and freed by the struct's `_clean_up` function. Nothing else needs freeing.
 *
 * Failures fill `struct lc_error` with what AWS answers: the AWS error code of the service's
 * protocol family (JSON services such as DynamoDB and Lambda, or Query/XML services such as IAM and
 * STS), the HTTP status, and AWS's exact message. The checks run in AWS's order (see
 * docs/internals/auth.md and AWS-BEHAVIOUR.md §2.5).
 */
#ifndef LEASTCLOUD_AUTH_H
#define LEASTCLOUD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leastcloud/buf.h"
#include "leastcloud/error.h"

#define LC_AUTH_ALGORITHM "AWS4-HMAC-SHA256"
#define LC_AUTH_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* The longest X-Amz-Expires AWS accepts: seven days, the life of a signing key. */
#define LC_AUTH_PRESIGN_MAX_EXPIRES_S 604800

/* One header as received: name in any case, value untrimmed. Repeats are allowed. */
struct lc_auth_header {
    struct lc_cur name;
    struct lc_cur value;
};

/*
 * A request as the verifier and the signer see it. `path` and `query` are the raw bytes of the
 * request target before any percent-decoding (`query` without the '?'). The payload is either the
 * body bytes (`payload` non-NULL, possibly with payload_len 0) or, when the body is not at hand,
 * its hex SHA-256 or "UNSIGNED-PAYLOAD" in `payload_hash`; when both are absent the value of the
 * `x-amz-content-sha256` header is used, and when that is absent too the body counts as empty.
 */
struct lc_auth_request {
    struct lc_cur method;
    struct lc_cur path;
    struct lc_cur query;
    const struct lc_auth_header *headers;
    size_t header_count;
    const void *payload;
    size_t payload_len;
    struct lc_cur payload_hash;
};

/* Which error vocabulary a service answers with. */
enum lc_auth_family {
    LC_AUTH_FAMILY_JSON,  /* InvalidSignatureException, UnrecognizedClientException, ... */
    LC_AUTH_FAMILY_QUERY, /* SignatureDoesNotMatch, InvalidClientTokenId, ... */
};

/*
 * How one service authenticates and reports failures. lc_auth_service_profile() fills in the
 * built-in profile of a known service; callers may also fill their own (the test vectors use the
 * service name "service").
 */
struct lc_auth_service {
    const char *name;           /* the credential scope's service, e.g. "dynamodb" */
    enum lc_auth_family family;
    int status;                 /* HTTP status of authentication errors (JSON family) */
    int skew_window_min;        /* allowed clock skew, minutes (15, or 5 for Lambda, KMS, ...) */
    bool normalize_path;        /* remove "." / ".." / "//" segments (false for S3) */
    bool double_encode_path;    /* encode '%' in the path again (false for S3) */
    bool echo_canonical;        /* a bad signature's message shows the canonical request */
    bool presign_token_unsigned; /* X-Amz-Security-Token is added after presigning (IoT style) */
};

/*
 * Fills *out with the built-in profile of the credential-scope service `name`: dynamodb and kms
 * (JSON family, 400), lambda (JSON, 403, 5-minute window), sts, iam, sqs, sns, route53, monitoring
 * (Query family, 403), s3 (no path normalization or double encoding). Any other name gets a
 * Query-family profile with a 15-minute window. out->name borrows `name`.
 */
void lc_auth_service_profile(const char *name, struct lc_auth_service *out);

/* The key's state as the store knows it. */
enum lc_auth_key_status {
    LC_AUTH_KEY_ACTIVE,
    LC_AUTH_KEY_INACTIVE,
};

/*
 * What the lookup callback reports about an access key id. The callback sets `found`; when found,
 * it sets `secret_access_key` (and `session_token` for temporary ASIA... credentials) to strings
 * allocated with lc_malloc/lc_strdup, which the verifier frees; `principal` is an opaque handle
 * handed back untouched in the result. `expires_ms` is 0 for keys that never expire.
 */
struct lc_auth_key {
    bool found;
    enum lc_auth_key_status status;
    char *secret_access_key;
    bool session_token_expected;
    char *session_token;
    int64_t expires_ms;
    void *principal;
};

/*
 * Looks up `access_key_id` (not NUL-terminated). Returns 0 (whether or not the key exists; say so
 * with key->found) or a negative LC_E* code for a failure of the store itself, which the verifier
 * reports as a 500 InternalFailure. `key` arrives zeroed.
 */
typedef int (*lc_auth_lookup_fn)(struct lc_cur access_key_id, void *user_data,
                                 struct lc_auth_key *key);

/*
 * A small thread-safe cache of derived signing keys, keyed by (secret, date, region, service).
 * Deriving a key costs four HMACs; a hit costs a hash and a compare.
 */
struct lc_auth_key_cache;

/* A cache with room for `slots` keys (0 picks a default). Never NULL; free with _destroy. */
struct lc_auth_key_cache *lc_auth_key_cache_new(size_t slots);
void lc_auth_key_cache_destroy(struct lc_auth_key_cache *cache); /* NULL is a no-op */
/* Hits and misses so far (either pointer may be NULL). */
void lc_auth_key_cache_stats(struct lc_auth_key_cache *cache, uint64_t *hits, uint64_t *misses);

/*
 * Derives the SigV4 signing key for (secret, date YYYYMMDD, region, service) into out32, through
 * `cache` when it is not NULL.
 */
void lc_auth_signing_key(struct lc_auth_key_cache *cache, struct lc_cur secret, struct lc_cur date,
                         struct lc_cur region, struct lc_cur service, uint8_t out32[32]);

/* The verifier's configuration; the caller owns it and may share it between threads. */
struct lc_auth_verifier {
    lc_auth_lookup_fn lookup;
    void *user_data;
    struct lc_auth_key_cache *cache; /* may be NULL: no caching */
    const char *region;              /* the only region accepted in scopes; NULL accepts any valid one */
};

/* What a successful verification established. */
struct lc_auth_result {
    void *principal;             /* the lookup's handle */
    char access_key_id[129];
    char region[64];
    char service[64];
    bool presigned;              /* true for query-string authentication */
    bool session;                /* the request carried a session token that matched */
    int64_t request_time_ms;     /* X-Amz-Date (or Date) */
};

/*
 * Verifies `req` against the expected service profile `svc` (the service the router picked; see
 * lc_auth_peek_service) with the clock lc_clock_now_ms(). Returns 0 and fills *out, or
 * LC_EAUTH with *err describing the failure as AWS would (code, status, message), or LC_EINTERNAL
 * (500 InternalFailure) when the lookup failed, or LC_ELIMIT for a query string over 1 MB.
 * `v->lookup` is required; `out` may be NULL. Safe to call from many threads at once.
 */
int lc_auth_verify(const struct lc_auth_verifier *v, const struct lc_auth_request *req,
                   const struct lc_auth_service *svc, struct lc_auth_result *out,
                   struct lc_error *err);

/*
 * The service named in the request's credential scope (Authorization header or X-Amz-Credential),
 * without verifying anything, for routing requests that carry no other hint. Returns false when
 * there is none; `out` holds at most out_size-1 bytes and is NUL-terminated.
 */
bool lc_auth_peek_service(const struct lc_auth_request *req, char *out, size_t out_size);

/* Inputs of the signer. */
struct lc_auth_sign_params {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;   /* NULL for long-term keys */
    const char *region;
    const char *service;
    int64_t time_ms;             /* the signing time; usually lc_clock_now_ms() */
    bool normalize_path;         /* as struct lc_auth_service (true except for S3) */
    bool double_encode_path;
    bool sign_body;              /* add and sign x-amz-content-sha256 (S3 style) */
    bool unsigned_payload;       /* sign "UNSIGNED-PAYLOAD" instead of the payload's hash */
    bool omit_session_token;     /* add the token after signing, unsigned (IoT style) */
    int64_t expires_s;           /* presign only: X-Amz-Expires */
};

/*
 * A signature and what it was computed from. After lc_auth_sign_header(), the caller adds to its
 * request: `X-Amz-Date: amz_date`, `Authorization: authorization`, `X-Amz-Security-Token` when a
 * token was given, and `x-amz-content-sha256: payload_hash` when sign_body was set. After
 * lc_auth_presign(), the request target becomes path + "?" + query.
 */
struct lc_auth_signature {
    char amz_date[17];
    char signature[65];
    char payload_hash[65];
    char *authorization;       /* header signing only, else NULL */
    char *query;               /* presign only: the full query string to send, else NULL */
    char *canonical_request;
    char *string_to_sign;
};

/* Frees the strings and zeroes the struct; safe on a zeroed or already cleaned struct. */
void lc_auth_signature_clean_up(struct lc_auth_signature *sig);

/*
 * Signs `req` with an Authorization header: every header of req is signed except the ones that
 * proxies rewrite (user-agent, expect, transfer-encoding, connection, x-amzn-trace-id) and any
 * existing authorization / x-amz-date / x-amz-security-token, which the signer supplies itself.
 * Returns 0 and fills *out (clean it up), or LC_EINVAL when the request has no Host header.
 */
int lc_auth_sign_header(const struct lc_auth_sign_params *p, const struct lc_auth_request *req,
                        struct lc_auth_signature *out, struct lc_error *err);

/*
 * Presigns `req` (query-string authentication, X-Amz-Expires = p->expires_s, 1..604800). The
 * request's own headers are signed as for lc_auth_sign_header; the payload is signed as its hash,
 * or as UNSIGNED-PAYLOAD when p->unsigned_payload is set or the service is "s3" (as botocore
 * presigns S3 URLs).
 */
int lc_auth_presign(const struct lc_auth_sign_params *p, const struct lc_auth_request *req,
                    struct lc_auth_signature *out, struct lc_error *err);

#endif
