/* request.c: reading a request: headers, Query-protocol parameters, percent-decoding. */
#include "api/api_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

struct lc_cur lc_api_header(const struct lc_api_request *req, const char *name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (lc_cur_eq_str_ci(req->headers[i].name, name))
            return req->headers[i].value;
    return (struct lc_cur){0};
}

const char *lc_api_param(const struct lc_api_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (!strcmp(req->params[i].name, name))
            return req->params[i].value;
    return NULL;
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *lc__api_pct_decode(const char *s, size_t len, bool plus_space)
{
    char *out = lc_malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = s_hex(s[i + 1])) >= 0 && (lo = s_hex(s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (plus_space && s[i] == '+') {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void lc__api_parse_form(const char *s, size_t len, struct lc_api_param **params, size_t *n)
{
    struct lc_cur rest = lc_cur_make(s, len);
    while (rest.len) {
        struct lc_cur pair;
        lc_cur_split(&rest, '&', &pair);
        if (!pair.len)
            continue;
        const char *eq = memchr(pair.ptr, '=', pair.len);
        struct lc_cur key = eq ? lc_cur_make(pair.ptr, (size_t)(eq - pair.ptr)) : pair;
        struct lc_cur val = eq ? lc_cur_make(eq + 1, pair.len - (size_t)(eq - pair.ptr) - 1) : lc_cur_make("", 0);
        *params = lc_realloc(*params, (*n + 1) * sizeof **params);
        (*params)[*n].name = lc__api_pct_decode(key.ptr, key.len, true);
        (*params)[*n].value = lc__api_pct_decode(val.ptr, val.len, true);
        (*n)++;
    }
}

void lc__api_params_free(struct lc_api_param *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lc_free(params[i].name);
        lc_free(params[i].value);
    }
    lc_free(params);
}
