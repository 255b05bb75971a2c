/*
 * presigned.c: query-string authentication (presigned URLs). The X-Amz-* parameters arrive
 * percent-encoded; each is decoded into its own buffer of struct lc__auth_fields.
 */
#include "auth/auth_internal.h"

#include <string.h>

bool lc__auth_query_is_presigned(struct lc_cur raw_query)
{
    struct lc_buf tmp;
    lc_buf_init(&tmp, LC__AUTH_BUF_MAX);
    bool found = lc__auth_query_get(raw_query, "X-Amz-Algorithm", &tmp) == 1;
    lc_buf_free(&tmp);
    return found;
}

static int s_get(struct lc_cur q, const char *name, struct lc_buf *b, struct lc_cur *out,
                 bool *have)
{
    int rc = lc__auth_query_get(q, name, b);
    if (rc < 0)
        return rc;
    *out = lc_buf_cur(b);
    if (!out->ptr)
        *out = lc_cur_make("", 0);
    *have = rc == 1 && out->len > 0;
    return 0;
}

int lc__auth_parse_presigned(struct lc_cur q, struct lc__auth_fields *f)
{
    f->presigned = true;
    int rc = s_get(q, "X-Amz-Algorithm", &f->q_algorithm, &f->algorithm, &f->have_algorithm);
    rc = rc ? rc : s_get(q, "X-Amz-Credential", &f->q_credential, &f->credential,
                         &f->have_credential);
    rc = rc ? rc : s_get(q, "X-Amz-Signature", &f->q_signature, &f->signature, &f->have_signature);
    rc = rc ? rc : s_get(q, "X-Amz-SignedHeaders", &f->q_signed_headers, &f->signed_headers,
                         &f->have_signed_headers);
    rc = rc ? rc : s_get(q, "X-Amz-Date", &f->q_date, &f->date, &f->have_date);
    rc = rc ? rc : s_get(q, "X-Amz-Expires", &f->q_expires, &f->expires, &f->have_expires);
    return rc;
}
