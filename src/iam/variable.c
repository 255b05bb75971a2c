/*
 * variable.c: policy variables (${aws:username}, ${aws:PrincipalTag/team}, ${*}, ${?}, ${$},
 * and defaults as in ${aws:username, 'nobody'}), resolved per request into a pattern.
 */
#include "iam/iam_internal.h"

#include <string.h>

static int s_put_literal(struct lc_buf *out, char c, bool escape)
{
    if (escape && (c == '*' || c == '?' || c == '\\')) {
        char two[2] = {'\\', c};
        return lc_buf_append(out, two, 2);
    }
    return lc_buf_append_byte(out, c);
}

static int s_put_value(struct lc_buf *out, const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s_put_literal(out, v[i], true) != 0)
            return -1;
    return 0;
}

/*
 * One ${...} body (without the braces). Writes the substitution; false when it cannot be
 * resolved (no value, more than one value, and no default).
 */
static bool s_resolve_one(const char *body, size_t len, const struct lc_iam_request *r, struct lc_buf *out)
{
    if (len == 1 && (body[0] == '*' || body[0] == '?' || body[0] == '$'))
        return s_put_literal(out, body[0], true) == 0;
    struct lc_cur name = lc_cur_make(body, len), def = {0};
    bool has_def = false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (body[i] == ',' && body[i + 1] == ' ') {
            struct lc_cur d = lc_cur_trim(lc_cur_make(body + i + 2, len - i - 2));
            if (d.len >= 2 && d.ptr[0] == '\'' && d.ptr[d.len - 1] == '\'') {
                def = lc_cur_make(d.ptr + 1, d.len - 2);
                has_def = true;
            }
            name = lc_cur_make(body, i);
            break;
        }
    }
    name = lc_cur_trim(name);
    const struct iam_ctx_entry *e = lc__iam_request_find(r, name.ptr, name.len);
    if (e && e->n == 1 && !e->is_list && e->values[0][0] != '\0')
        return s_put_value(out, e->values[0], strlen(e->values[0])) == 0;
    if (has_def && def.len > 0)
        return s_put_value(out, def.ptr, def.len) == 0;
    return false;
}

bool lc__iam_resolve(const struct iam_pat *p, const struct lc_iam_request *r, bool keep_wild, struct lc_buf *out)
{
    lc_buf_reset(out);
    const char *s = p->s;
    size_t n = p->len;
    for (size_t i = 0; i < n;) {
        if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
            const char *end = memchr(s + i + 2, '}', n - i - 2);
            if (end) {
                if (!s_resolve_one(s + i + 2, (size_t)(end - (s + i + 2)), r, out))
                    return false;
                i = (size_t)(end - s) + 1;
                continue;
            }
        }
        bool wild = s[i] == '*' || s[i] == '?';
        if (s_put_literal(out, s[i], !(wild && keep_wild)) != 0)
            return false;
        i++;
    }
    return true;
}
