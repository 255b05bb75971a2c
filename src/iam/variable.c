/*
 * variable.c: policy variables (${aws:username}, ${aws:PrincipalTag/team}, ${*}, ${?}, ${$},
 * and defaults as in ${aws:username, 'nobody'}), resolved per request into a pattern.
 */
#include "iam/iam_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

void lc__iam_scratch_init(struct iam_scratch *s, char *stack, size_t size)
{
    s->data = stack;
    s->cap = size;
    s->len = 0;
    s->heap = false;
}

void lc__iam_scratch_free(struct iam_scratch *s)
{
    if (s->heap)
        lc_free(s->data);
    s->data = NULL;
    s->heap = false;
}

/* Resolved strings are bounded by the policy size quota, so growth is rare and small. */
static int s_put(struct iam_scratch *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = (s->len + n + 1) * 2;
        if (cap > (1u << 20))
            return -1;
        char *d = lc_malloc(cap);
        memcpy(d, s->data, s->len);
        if (s->heap)
            lc_free(s->data);
        s->data = d;
        s->cap = cap;
        s->heap = true;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
    return 0;
}

static int s_put_literal(struct iam_scratch *out, char c, bool escape)
{
    if (escape && (c == '*' || c == '?' || c == '\\')) {
        char two[2] = {'\\', c};
        return s_put(out, two, 2);
    }
    return s_put(out, &c, 1);
}

static int s_put_value(struct iam_scratch *out, const char *v, size_t len)
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
static bool s_resolve_one(const char *body, size_t len, const struct lc_iam_request *r, struct iam_scratch *out)
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
    if (e && e->n == 1 && !lc__iam_ctx_is_list(e) && e->values[0][0] != '\0')
        return s_put_value(out, e->values[0], strlen(e->values[0])) == 0;
    if (has_def && def.len > 0)
        return s_put_value(out, def.ptr, def.len) == 0;
    return false;
}

bool lc__iam_resolve(const struct iam_pat *p, const struct lc_iam_request *r, bool keep_wild, struct iam_scratch *out)
{
    out->len = 0;
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
