/*
 * service.c: per-service authentication profiles and the two error vocabularies.
 *
 * AWS answers the same failure differently by protocol: JSON services (DynamoDB, KMS, Lambda)
 * with `InvalidSignatureException`-style codes, Query/XML services (IAM, STS, SQS, ...) with
 * `SignatureDoesNotMatch`-style ones (AWS-BEHAVIOUR.md §2.5). Windows are per service (§2.6).
 */
#include "auth/auth_internal.h"

#include "leastcloud/clock.h"
#include "leastcloud/str.h"

#include <stdio.h>
#include <string.h>

struct profile_row {
    const char *name;
    enum lc_auth_family family;
    int status;
    int window_min;
};

/* AWS: auth-skew-window, auth-family-status (measured, ministackorg/ministack#1745). */
static const struct profile_row s_profiles[] = {
    {"dynamodb", LC_AUTH_FAMILY_JSON, 400, 15},
    {"kms", LC_AUTH_FAMILY_JSON, 400, 5},
    {"lambda", LC_AUTH_FAMILY_JSON, 403, 5},
    {"sts", LC_AUTH_FAMILY_QUERY, 403, 15},
    {"iam", LC_AUTH_FAMILY_QUERY, 403, 15},
    {"sqs", LC_AUTH_FAMILY_QUERY, 403, 15},
    {"sns", LC_AUTH_FAMILY_QUERY, 403, 15},
    {"route53", LC_AUTH_FAMILY_QUERY, 403, 5},
    {"monitoring", LC_AUTH_FAMILY_QUERY, 403, 5},
    {"cloudformation", LC_AUTH_FAMILY_QUERY, 403, 15},
    {"s3", LC_AUTH_FAMILY_QUERY, 403, 15},
};

void lc_auth_service_profile(const char *name, struct lc_auth_service *out)
{
    *out = (struct lc_auth_service){
        .name = name,
        .family = LC_AUTH_FAMILY_QUERY,
        .status = 403,
        .skew_window_min = 15,
        .normalize_path = true,
        .double_encode_path = true,
        .echo_canonical = true,
    };
    if (!name)
        return;
    for (size_t i = 0; i < sizeof s_profiles / sizeof s_profiles[0]; i++) {
        if (strcmp(s_profiles[i].name, name) == 0) {
            out->family = s_profiles[i].family;
            out->status = s_profiles[i].status;
            out->skew_window_min = s_profiles[i].window_min;
        }
    }
    if (strcmp(name, "s3") == 0) {
        /* S3 signs the path exactly as sent (aws4_testsuite normalize-path.txt). */
        out->normalize_path = false;
        out->double_encode_path = false;
    }
}

int lc__auth_fail(struct lc_error *err, const struct lc_auth_service *svc,
                  enum lc__auth_failure kind, const char *fmt, ...)
{
    static const char *const json_codes[] = {
        [LC__AUTH_MISSING] = "MissingAuthenticationTokenException",
        [LC__AUTH_INCOMPLETE] = "IncompleteSignatureException",
        [LC__AUTH_BAD_SIGNATURE] = "InvalidSignatureException",
        [LC__AUTH_UNKNOWN_KEY] = "UnrecognizedClientException",
        [LC__AUTH_EXPIRED_TOKEN] = "ExpiredTokenException",
    };
    static const char *const query_codes[] = {
        [LC__AUTH_MISSING] = "MissingAuthenticationToken",
        [LC__AUTH_INCOMPLETE] = "IncompleteSignature",
        [LC__AUTH_BAD_SIGNATURE] = "SignatureDoesNotMatch",
        [LC__AUTH_UNKNOWN_KEY] = "InvalidClientTokenId",
        [LC__AUTH_EXPIRED_TOKEN] = "ExpiredToken",
    };
    const char *code;
    int status;
    if (svc->family == LC_AUTH_FAMILY_JSON) {
        code = json_codes[kind];
        status = svc->status;
    } else {
        code = query_codes[kind];
        /* AWS common errors: IncompleteSignature is the one 400 of the Query vocabulary. */
        status = kind == LC__AUTH_INCOMPLETE ? 400 : 403;
    }
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = LC_EAUTH;
        err->http_status = status;
        lc_strlcpy(err->aws_code, code, sizeof err->aws_code);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return LC_EAUTH;
}

void lc__auth_basic_time(int64_t ms, char out17[17])
{
    lc_time_format_basic(ms, out17);
}

int lc__auth_parse_http_date(struct lc_cur s, int64_t *ms)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /* "Sun, 30 Aug 2015 12:36:00 GMT": fixed width, 29 bytes. */
    if (s.len != 29 || s.ptr[3] != ',' || s.ptr[4] != ' ' || s.ptr[7] != ' ' || s.ptr[11] != ' ' ||
        s.ptr[16] != ' ' || s.ptr[19] != ':' || s.ptr[22] != ':' || memcmp(s.ptr + 25, " GMT", 4))
        return LC_EINVAL;
    int mon = -1;
    for (int i = 0; i < 12; i++)
        if (memcmp(s.ptr + 8, months[i], 3) == 0)
            mon = i + 1;
    if (mon < 0)
        return LC_EINVAL;
    char basic[17];
    memcpy(basic, s.ptr + 12, 4);
    basic[4] = (char)('0' + mon / 10);
    basic[5] = (char)('0' + mon % 10);
    memcpy(basic + 6, s.ptr + 5, 2);
    basic[8] = 'T';
    memcpy(basic + 9, s.ptr + 17, 2);
    memcpy(basic + 11, s.ptr + 20, 2);
    memcpy(basic + 13, s.ptr + 23, 2);
    basic[15] = 'Z';
    basic[16] = '\0';
    return lc_time_parse_basic(basic, 16, ms);
}
