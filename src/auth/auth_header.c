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

LC__AUTH_INLINE bool s_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
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
    size_t i = 0;
    while (i < v.len && !s_sep(v.ptr[i]))
        i++;
    f->algorithm = lc_cur_make(v.ptr, i);
    f->have_algorithm = true;
    while (i < v.len) {
        while (i < v.len && s_sep(v.ptr[i]))
            i++;
        size_t start = i;
        while (i < v.len && !s_sep(v.ptr[i]))
            i++;
        if (i == start)
            break;
        struct lc_cur token = lc_cur_make(v.ptr + start, i - start), key;
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
