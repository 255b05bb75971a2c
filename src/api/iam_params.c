/* iam_params.c: IAM request parameters with IAM's validation messages, ARNs and lookups. */
#include "api/iam_api.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"

/* IAM names members in camelCase in its validation messages ("userName"). */
static void s_member_name(const char *param, char *out, size_t size)
{
    lc_strlcpy(out, param, size);
    if (out[0])
        out[0] = (char)tolower((unsigned char)out[0]);
}

const char *lc__iam_param_required(const struct lc_api_call *call, const char *name, struct lc_error *err)
{
    const char *v = lc_api_param(call->req, name);
    if (v)
        return v;
    char member[128];
    s_member_name(name, member, sizeof member);
    lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                 "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
                 member);
    return NULL;
}

int lc__iam_check_name(const char *param, const char *value, size_t max, struct lc_error *err)
{
    char member[128];
    s_member_name(param, member, sizeof member);
    size_t n = strlen(value);
    if (n < 1 || n > max)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member "
                            "must have length %s %zu", value, member, n < 1 ? "greater than or equal to" :
                            "less than or equal to", n < 1 ? (size_t)1 : max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (!isalnum(c) && !strchr("_+=,.@-", c))
            return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                                "Member must satisfy regular expression pattern: [\\w+=,.@-]+", value, member);
    }
    return 0;
}

int lc__iam_check_path(const char *value, struct lc_error *err)
{
    if (!value)
        return 0;
    size_t n = strlen(value);
    bool ok = n >= 1 && n <= 512 && value[0] == '/' && value[n - 1] == '/';
    for (size_t i = 0; ok && i < n; i++)
        ok = value[i] >= 0x21 && value[i] <= 0x7e;
    if (!ok)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member "
                            "must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
                            value);
    return 0;
}

size_t lc__iam_param_list(const struct lc_api_call *call, const char *prefix, const char **out, size_t max)
{
    size_t n = 0;
    char name[256];
    while (n < max) {
        snprintf(name, sizeof name, "%s.member.%zu", prefix, n + 1);
        const char *v = lc_api_param(call->req, name);
        if (!v)
            break;
        out[n++] = v;
    }
    return n;
}

int lc__iam_check_policy(const char *doc, enum lc_iam_policy_kind kind, size_t max_size, struct lc_error *err)
{
    size_t len = strlen(doc);
    struct lc_iam_policy *p = lc_iam_policy_parse(doc, len, kind, err);
    if (!p) {
        /* The engine already names the place; IAM's code is MalformedPolicyDocument either way. */
        lc_strlcpy(err->aws_code, "MalformedPolicyDocument", sizeof err->aws_code);
        err->http_status = 400;
        return LC_EINVAL;
    }
    lc_iam_policy_free(p);
    size_t size = lc_iam_policy_size(doc, len);
    if (size > max_size)
        return lc_error_set(err, LC_ELIMIT, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: %zu",
                            max_size);
    return 0;
}

void lc__iam_arn(const struct lc_api_call *call, const char *type, const char *path, const char *name, char *out)
{
    snprintf(out, LC_ARN_MAX, "arn:aws:iam::%s:%s%s%s", call->caller->account, type, path && *path ? path : "/",
             name);
}

int lc__iam_principal(const struct lc_api_call *call, enum lc_principal_type type, const char *name,
                      struct lc_store_principal *out, struct lc_error *err)
{
    int rc = lc_store_principal_get_by_name(call->store, type, name, out, err);
    if (rc) {
        memset(out, 0, sizeof *out);
        out->type = type;
        lc_strlcpy(out->name, name, sizeof out->name);
        lc__iam_arn(call, lc_principal_type_name(type), "/", name, out->arn);
    }
    return rc;
}

int lc__iam_authorize_then(struct lc_api_call *call, const char *action, const char *arn, int lookup_rc,
                           const struct lc_error *lookup_err, struct lc_error *err)
{
    int rc = lc_api_authorize(call, action, arn, NULL, 0, err);
    if (rc)
        return rc;
    if (lookup_rc && lookup_err != err)
        *err = *lookup_err;
    return lookup_rc;
}

int lc__iam_named(struct lc_api_call *call, enum lc_principal_type type, const char *param, const char *action,
                  struct lc_store_principal *out, struct lc_error *err)
{
    const char *name = lc__iam_param_required(call, param, err);
    if (!name)
        return LC_EINVAL;
    struct lc_error lerr;
    int lrc = lc__iam_principal(call, type, name, out, &lerr);
    return lc__iam_authorize_then(call, action, out->arn, lrc, &lerr, err);
}

int lc__iam_pager_init(const struct lc_api_call *call, struct lc__iam_pager *pg, struct lc_error *err)
{
    memset(pg, 0, sizeof *pg);
    pg->marker = lc_api_param(call->req, "Marker");
    pg->started = pg->marker == NULL;
    pg->max = 100;
    const char *max = lc_api_param(call->req, "MaxItems");
    int64_t v;
    if (max) {
        if (lc_parse_i64(max, &v) != 0 || v < 1 || v > 1000)
            return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: "
                                "Member must have value %s", max,
                                lc_parse_i64(max, &v) == 0 && v > 1000 ? "less than or equal to 1000"
                                                                       : "greater than or equal to 1");
        pg->max = (size_t)v;
    }
    return 0;
}

int lc__iam_pager_take(struct lc__iam_pager *pg, const char *key)
{
    if (!pg->started) {
        if (strcmp(key, pg->marker) != 0)
            return 0;
        pg->started = true;
    }
    if (pg->n == pg->max) {
        pg->truncated = true;
        lc_strlcpy(pg->next, key, sizeof pg->next);
        return -1;
    }
    pg->n++;
    return 1;
}

void lc__iam_pager_end(struct lc_buf *b, const struct lc__iam_pager *pg)
{
    lc__iam_xml_bool(b, "IsTruncated", pg->truncated);
    if (pg->truncated)
        lc_api_xml_elem(b, "Marker", pg->next);
}
