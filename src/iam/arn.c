/* arn.c: ARN parsing and IAM's segment-wise ARN match. */
#include "iam/iam_internal.h"

#include <string.h>

#include "leastcloud/error.h"

/* Splits at the first five colons; missing parts are empty (part[i].ptr may then be NULL). */
void lc__iam_split_arn(const char *s, size_t len, struct lc_cur part[5])
{
    struct lc_cur c = lc_cur_make(s, len), head;
    lc_cur_split(&c, ':', &head);  /* "arn" */
    for (int i = 0; i < 4; i++) {
        if (!lc_cur_split(&c, ':', &part[i])) {
            for (int j = i + 1; j < 5; j++)
                part[j] = lc_cur_make(NULL, 0);
            return;
        }
    }
    part[4] = c;
}

static size_t s_count_colons(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ':';
    return n;
}

int lc_iam_arn_parse(const char *s, size_t len, struct lc_iam_arn *out)
{
    if (len < 4 || memcmp(s, "arn:", 4) != 0 || s_count_colons(s, len) < 5)
        return LC_EINVAL;
    struct lc_cur part[5];
    lc__iam_split_arn(s, len, part);
    if (part[0].len == 0 || part[1].len == 0 || part[4].len == 0)
        return LC_EINVAL;
    out->partition = part[0].ptr;
    out->partition_len = part[0].len;
    out->service = part[1].ptr;
    out->service_len = part[1].len;
    out->region = part[2].ptr;
    out->region_len = part[2].len;
    out->account = part[3].ptr;
    out->account_len = part[3].len;
    out->resource = part[4].ptr;
    out->resource_len = part[4].len;
    return 0;
}

/*
 * The first four parts match case-insensitively and on their own (a `*` in the region cannot
 * swallow the account); the resource part is case-sensitive and its `*` crosses '/' and ':'.
 * A pattern with fewer than six parts is padded with `*` parts, as identity policies are read.
 */
bool lc_iam_arn_match(const char *pattern, const char *value)
{
    size_t plen = strlen(pattern), vlen = strlen(value);
    if (plen == 1 && pattern[0] == '*')
        return true;
    if (vlen < 4 || memcmp(value, "arn:", 4) != 0 || s_count_colons(value, vlen) < 5)
        return false;
    if (plen < 4 || strncmp(pattern, "arn:", 4) != 0)
        return false;
    struct lc_cur pp[5], vp[5];
    size_t pc = s_count_colons(pattern, plen);
    lc__iam_split_arn(pattern, plen, pp);
    lc__iam_split_arn(value, vlen, vp);
    for (int i = 0; i < 5; i++) {
        if ((size_t)i + 1 > pc) {
            pp[i] = lc_cur_make("*", 1);
        }
        if (!lc__iam_wild(pp[i].ptr ? pp[i].ptr : "", pp[i].len, vp[i].ptr ? vp[i].ptr : "", vp[i].len, i < 4))
            return false;
    }
    return true;
}

/* Like lc__iam_split_arn, but a colon inside "${...}" (as in ${aws:username}) does not split. */
void lc__iam_split_arn_pattern(const char *s, size_t len, struct lc_cur part[5])
{
    size_t start = 0, idx = 0;
    int field = -1;  /* -1 is the "arn" prefix */
    for (int i = 0; i < 5; i++)
        part[i] = lc_cur_make(NULL, 0);
    while (idx < len && field < 4) {
        if (s[idx] == '$' && idx + 1 < len && s[idx + 1] == '{') {
            const char *end = memchr(s + idx, '}', len - idx);
            if (end) {
                idx = (size_t)(end - s) + 1;
                continue;
            }
        }
        if (s[idx] == ':') {
            if (field >= 0)
                part[field] = lc_cur_make(s + start, idx - start);
            field++;
            start = idx + 1;
        }
        idx++;
    }
    if (field >= 0)
        part[field] = lc_cur_make(s + start, len - start);
}
