/*
 * auth_internal.h: the pieces of SigV4 shared between the verifier and the signer.
 * Every builder appends to a caller's struct lc_buf and returns 0 or LC_ELIMIT/LC_EINVAL.
 */
#ifndef LC_AUTH_INTERNAL_H
#define LC_AUTH_INTERNAL_H

#include "leastcloud/auth.h"
#include "leastcloud/hash.h"

#include <stdarg.h>

/*
 * For the per-byte helpers of the hot path: inlined even in Debug (-O0) builds, where a call per
 * byte costs several times the byte's own work (and the server's profiles are taken on them).
 */
#define LC__AUTH_INLINE static inline __attribute__((always_inline))

/* ASCII lower case (header names are ASCII tokens; no locale). */
LC__AUTH_INLINE char lc__auth_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* ASCII case-insensitive equality of n bytes. */
LC__AUTH_INLINE bool lc__auth_eq_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && lc__auth_lower(a[i]) != lc__auth_lower(b[i]))
            return false;
    return true;
}

/* Growth cap of every buffer built here: far above any real request line or header block. */
#define LC__AUTH_BUF_MAX (1024 * 1024)

/* ---- canonical.c: the canonical request ---- */

/* Appends s percent-encoded the SigV4 way (unreserved bytes kept, upper-case hex). */
int lc__auth_uri_encode(struct lc_buf *b, struct lc_cur s, bool keep_slash, bool keep_percent);
/* Percent-decodes s into b ("%zz" that is not an escape stays as it is). */
int lc__auth_uri_decode(struct lc_buf *b, struct lc_cur s);
int lc__auth_canonical_uri(struct lc_buf *b, struct lc_cur raw_path, bool normalize,
                           bool double_encode);
/* Sorted, re-encoded query; parameters named exclude1/exclude2 (may be NULL) are left out. */
int lc__auth_canonical_query(struct lc_buf *b, struct lc_cur raw_query, const char *exclude1,
                             const char *exclude2);
/*
 * One "name:value\n" line per name of the ';'-separated signed_headers list: repeated headers
 * joined by ',', values trimmed and inner whitespace runs folded to one space. A signed name
 * that the request lacks gets an empty value (so the signature will not match).
 */
int lc__auth_canonical_headers(struct lc_buf *b, const struct lc_auth_header *headers, size_t count,
                               struct lc_cur signed_headers);

struct lc__auth_canon {
    const struct lc_auth_request *req;
    struct lc_cur query;            /* raw query to canonicalize (may differ from req->query) */
    const char *query_exclude1;
    const char *query_exclude2;
    const struct lc_auth_header *headers; /* the headers to take signed values from */
    size_t header_count;
    struct lc_cur signed_headers;   /* as it appears in the signature: "host;x-amz-date" */
    struct lc_cur payload_hash;     /* the last line */
    bool normalize_path;
    bool double_encode_path;
};

int lc__auth_canonical_request(struct lc_buf *b, const struct lc__auth_canon *c);

/* First header named `name` (case-insensitive); false when absent. */
bool lc__auth_header_get(const struct lc_auth_header *headers, size_t count, const char *name,
                         struct lc_cur *value);
/*
 * The decoded value of the first query parameter whose decoded name is `name` (exact case),
 * appended to `out` (reset first). Returns 1 when found, 0 when absent, negative on error.
 */
int lc__auth_query_get(struct lc_cur raw_query, const char *name, struct lc_buf *out);

/* ---- string_to_sign.c ---- */

/* lc_sha256_hex() without libcrypto's EVP dispatch, which costs as much as hashing a small body. */
void lc__auth_sha256_hex(struct lc_cur data, char out65[65]);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>" */
int lc__auth_string_to_sign(struct lc_buf *b, struct lc_cur amz_date, struct lc_cur scope,
                            struct lc_cur canonical_request);
/* Lower-case hex HMAC of the string to sign under the signing key; out65 is NUL-terminated. */
void lc__auth_signature_hex(const uint8_t key[32], struct lc_cur string_to_sign, char out65[65]);
/* The length lc__auth_string_to_sign would produce (for its size limit, LC__AUTH_BUF_MAX). */
size_t lc__auth_string_to_sign_len(struct lc_cur amz_date, struct lc_cur scope);
/*
 * The verifier's steps 2-4 in one pass: the HMAC of the string to sign that lc__auth_string_to_sign
 * would build from these inputs, MACed piece by piece under `key` (see lc__auth_signing_hmac_key)
 * instead of being built first.
 */
void lc__auth_signature_of(const struct lc_hmac_sha256_key *key, struct lc_cur amz_date,
                           struct lc_cur scope, struct lc_cur canonical_request,
                           uint8_t out32[LC_SHA256_LEN]);
/*
 * True when `hex` is exactly the lower-case hex of `mac` (what comparing it with
 * lc_hex_encode(mac) would say), comparing the MAC bytes in constant time.
 */
bool lc__auth_signature_matches(const uint8_t mac[LC_SHA256_LEN], struct lc_cur hex);

/* ---- signing_key.c ---- */

/* lc_auth_signing_key() as an HMAC key with its pads hashed (cached with the key itself). */
void lc__auth_signing_hmac_key(struct lc_auth_key_cache *cache, struct lc_cur secret,
                               struct lc_cur date, struct lc_cur region, struct lc_cur service,
                               struct lc_hmac_sha256_key *out);

/* ---- auth_header.c: the Authorization header ---- */

/* The SigV4 fields of a request, from the Authorization header or from the query string. */
struct lc__auth_fields {
    bool presigned;
    struct lc_cur authorization;  /* the whole header value (for messages) */
    struct lc_cur algorithm;
    struct lc_cur credential;
    struct lc_cur signed_headers;
    struct lc_cur signature;
    bool have_credential, have_signed_headers, have_signature;
    struct lc_cur bad_pair;       /* a "key" without '=' (header form), or empty */
    /* Presigned form: the decoded values live in these buffers. */
    struct lc_buf q_algorithm, q_credential, q_signed_headers, q_signature, q_date, q_expires;
    bool have_algorithm, have_date, have_expires;
    struct lc_cur date;
    struct lc_cur expires;
};

void lc__auth_fields_init(struct lc__auth_fields *f);
void lc__auth_fields_clean_up(struct lc__auth_fields *f);
/* Splits an Authorization header value into its fields; cursors point into `value`. */
void lc__auth_parse_authorization(struct lc_cur value, struct lc__auth_fields *f);

/* ---- presigned.c: query-string authentication ---- */

/* Reads the X-Amz-* parameters of `raw_query` into f (decoded copies). */
int lc__auth_parse_presigned(struct lc_cur raw_query, struct lc__auth_fields *f);
/* True when the query carries an X-Amz-Algorithm parameter. */
bool lc__auth_query_is_presigned(struct lc_cur raw_query);

/* ---- service.c: error vocabulary per protocol family ---- */

enum lc__auth_failure {
    LC__AUTH_MISSING,       /* no authentication at all */
    LC__AUTH_INCOMPLETE,    /* malformed or incomplete signature fields */
    LC__AUTH_BAD_SIGNATURE, /* skew, scope, signature */
    LC__AUTH_UNKNOWN_KEY,   /* unknown or inactive key, wrong session token */
    LC__AUTH_EXPIRED_TOKEN, /* temporary credentials past their expiry */
};

int lc__auth_fail(struct lc_error *err, const struct lc_auth_service *svc,
                  enum lc__auth_failure kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "20150830T123600Z" from ms, NUL-terminated in out17. */
void lc__auth_basic_time(int64_t ms, char out17[17]);
/* Parses an RFC 1123 Date header ("Sun, 30 Aug 2015 12:36:00 GMT"). */
int lc__auth_parse_http_date(struct lc_cur s, int64_t *ms);

#endif
