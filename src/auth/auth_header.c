/*
 * auth_header.c: splitting `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...` into fields. Like AWS, pairs may be separated by commas, spaces or both; the
 * checks on what was found happen in verify.c, in AWS's order.
 */
#include "auth/auth_internal.h"

#include <string.h>

void lc__auth_fields_init(struct lc__auth_fields *f)
{
    *f = (struct lc__auth_fields){0};
    struct lc_buf *bufs[] = {&f->q_algorithm, &f->q_credential, &f->q_signed_headers,
                             &f->q_signature, &f->q_date,       &f->q_expires};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lc_buf_init(bufs[i], LC__AUTH_BUF_MAX);
}

void lc__auth_fields_clean_up(struct lc__auth_fields *f)
{
    struct lc_buf *bufs[] = {&f->q_algorithm, &f->q_credential, &f->q_signed_headers,
                             &f->q_signature, &f->q_date,       &f->q_expires};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        lc_buf_free(bufs[i]);
}

/* The pair separators ',', ' ' and '\t'. */
static const bool s_sep[256] = {[','] = true, [' '] = true, ['\t'] = true};

/*
 * Finds the end of a token: the nearest next ',', ' ' or '\t' at or after p (or end). Each
 * separator's next position is found with memchr and remembered until p passes it, so the header
 * (~220 bytes, mostly the credential and the signature) is not walked a byte at a time.
 */
struct sep_finder {
    const char *next[3]; /* NULL: not looked for yet */
};

static const char *s_token_end(struct sep_finder *sf, const char *p, const char *end)
{
    static const char seps[3] = {',', ' ', '\t'};
    if (p >= end)
        return end; /* also keeps an empty value's NULL pointer away from memchr */
    const char *nearest = end;
    for (int k = 0; k < 3; k++) {
        if (!sf->next[k] || sf->next[k] < p) {
            const char *hit = memchr(p, seps[k], (size_t)(end - p));
            sf->next[k] = hit ? hit : end;
        }
        if (sf->next[k] < nearest)
            nearest = sf->next[k];
    }
    return nearest;
}

LC__AUTH_INLINE bool s_is(struct lc_cur c, const char *lit)
{
    size_t n = strlen(lit);
    return c.len == n && memcmp(c.ptr, lit, n) == 0;
}

void lc__auth_parse_authorization(struct lc_cur value, struct lc__auth_fields *f)
{
    f->presigned = false;
    f->authorization = value;
    struct lc_cur v = lc_cur_trim(value);
    const char *p = v.ptr, *end = v.ptr + v.len;
    struct sep_finder sf = {{NULL, NULL, NULL}};
    p = s_token_end(&sf, p, end);
    f->algorithm = lc_cur_make(v.ptr, (size_t)(p - v.ptr));
    f->have_algorithm = true;
    while (p < end) {
        while (p < end && s_sep[(unsigned char)*p])
            p++;
        const char *start = p;
        p = s_token_end(&sf, p, end);
        if (p == start)
            break;
        struct lc_cur token = lc_cur_make(start, (size_t)(p - start)), key;
        struct lc_cur val = token;
        if (!lc_cur_split(&val, '=', &key)) {
            if (!f->bad_pair.len)
                f->bad_pair = token;
            continue;
        }
        /* The first occurrence wins, as AWS reads the header. */
        if (s_is(key, "Credential") && !f->have_credential) {
            f->credential = val;
            f->have_credential = val.len > 0;
        } else if (s_is(key, "SignedHeaders") && !f->have_signed_headers) {
            f->signed_headers = val;
            f->have_signed_headers = val.len > 0;
        } else if (s_is(key, "Signature") && !f->have_signature) {
            f->signature = val;
            f->have_signature = val.len > 0;
        }
    }
}
