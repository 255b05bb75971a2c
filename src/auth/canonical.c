/* canonical.c: the SigV4 canonical request (URI, query, headers, payload line). */
#include "auth/auth_internal.h"

#include "leastcloud/alloc.h"

#include <stdlib.h>
#include <string.h>

/* Ample for normal requests; longer ones fall back to the heap. */
#define CANON_STACK_PARAMS 32
#define CANON_STACK_SEGMENTS 64

LC__AUTH_INLINE bool s_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int s_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lc__auth_uri_encode(struct lc_buf *b, struct lc_cur s, bool keep_slash, bool keep_percent)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0;
    while (i < s.len) {
        /* Runs of bytes kept as they are go in with one append: most paths are nothing else. */
        size_t start = i;
        for (; i < s.len; i++) {
            unsigned char c = (unsigned char)s.ptr[i];
            if (!(s_unreserved(c) || (keep_slash && c == '/') || (keep_percent && c == '%')))
                break;
        }
        int rc = i > start ? lc_buf_append(b, s.ptr + start, i - start) : 0;
        if (!rc && i < s.len) {
            unsigned char c = (unsigned char)s.ptr[i++];
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = lc_buf_append(b, esc, 3);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int lc__auth_uri_decode(struct lc_buf *b, struct lc_cur s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '%' && i + 2 < s.len && s_hexval(s.ptr[i + 1]) >= 0 &&
            s_hexval(s.ptr[i + 2]) >= 0) {
            c = (char)(s_hexval(s.ptr[i + 1]) * 16 + s_hexval(s.ptr[i + 2]));
            i += 2;
        }
        int rc = lc_buf_append_byte(b, c);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * Normalization follows RFC 3986 remove_dot_segments and also drops empty segments ("//"), as
 * AWS and the test suite do; a trailing slash survives unless the result is the root.
 */
static int s_normalized_path(struct lc_buf *b, struct lc_cur path)
{
    struct lc_cur stack_segs[CANON_STACK_SEGMENTS];
    struct lc_cur *segs = stack_segs;
    size_t cap = CANON_STACK_SEGMENTS, n = 0;
    struct lc_cur rest = path;
    while (rest.len) {
        struct lc_cur seg;
        lc_cur_split(&rest, '/', &seg);
        if (seg.len == 0 || lc_cur_eq_str(seg, "."))
            continue;
        if (lc_cur_eq_str(seg, "..")) {
            if (n)
                n--;
            continue;
        }
        if (n == cap) {
            struct lc_cur *bigger = lc_calloc(cap * 2, sizeof *bigger);
            memcpy(bigger, segs, n * sizeof *segs);
            if (segs != stack_segs)
                lc_free(segs);
            segs = bigger;
            cap *= 2;
        }
        segs[n++] = seg;
    }
    int rc = lc_buf_append_byte(b, '/');
    for (size_t i = 0; i < n && !rc; i++) {
        rc = lc_buf_append_cur(b, segs[i]);
        if (!rc && i + 1 < n)
            rc = lc_buf_append_byte(b, '/');
    }
    if (!rc && n && path.len && path.ptr[path.len - 1] == '/')
        rc = lc_buf_append_byte(b, '/');
    if (segs != stack_segs)
        lc_free(segs);
    return rc;
}

/* True when normalization would give `path` back unchanged: it starts with '/' and has no empty
 * (except a trailing slash), "." or ".." segment. Saves a copy on nearly every request. */
static bool s_path_is_normal(struct lc_cur path)
{
    if (!path.len || path.ptr[0] != '/')
        return false;
    struct lc_cur rest = lc_cur_make(path.ptr + 1, path.len - 1), seg;
    bool more = true;
    while (more) {
        more = lc_cur_split(&rest, '/', &seg);
        if ((seg.len == 0 && more) || lc_cur_eq_str(seg, ".") || lc_cur_eq_str(seg, ".."))
            return false;
    }
    return true;
}

int lc__auth_canonical_uri(struct lc_buf *b, struct lc_cur raw_path, bool normalize,
                           bool double_encode)
{
    if (raw_path.len == 0)
        return lc_buf_append_byte(b, '/');
    if (!normalize || s_path_is_normal(raw_path))
        return lc__auth_uri_encode(b, raw_path, true, !double_encode);
    struct lc_buf norm;
    lc_buf_init(&norm, LC__AUTH_BUF_MAX);
    int rc = s_normalized_path(&norm, raw_path);
    if (!rc)
        rc = lc__auth_uri_encode(b, lc_buf_cur(&norm), true, !double_encode);
    lc_buf_free(&norm);
    return rc;
}

struct param {
    char *key;    /* encoded, NUL-terminated */
    char *value;
};

static int s_param_cmp(const void *a, const void *b)
{
    const struct param *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes then re-encodes, so that "%7E" and "~" or "%2f" and "%2F" canonicalize alike. */
static char *s_reencode(struct lc_cur raw, struct lc_buf *tmp, int *rc)
{
    struct lc_buf out;
    lc_buf_init(&out, LC__AUTH_BUF_MAX);
    lc_buf_reset(tmp);
    *rc = lc__auth_uri_decode(tmp, raw);
    if (!*rc)
        *rc = lc__auth_uri_encode(&out, lc_buf_cur(tmp), false, false);
    if (!*rc)
        *rc = lc_buf_append(&out, "", 0); /* a NUL-terminated string even when empty */
    return lc_buf_detach(&out, NULL);
}

int lc__auth_canonical_query(struct lc_buf *b, struct lc_cur raw_query, const char *exclude1,
                             const char *exclude2)
{
    struct param stack_params[CANON_STACK_PARAMS];
    struct param *params = stack_params;
    size_t cap = CANON_STACK_PARAMS, n = 0;
    struct lc_buf tmp;
    lc_buf_init(&tmp, LC__AUTH_BUF_MAX);
    int rc = 0;
    struct lc_cur rest = raw_query;
    while (rest.len && !rc) {
        struct lc_cur pair, key;
        lc_cur_split(&rest, '&', &pair);
        if (pair.len == 0)
            continue;
        key = pair;
        struct lc_cur value = pair;
        if (!lc_cur_split(&value, '=', &key))
            value = lc_cur_make(pair.ptr + pair.len, 0);
        if (exclude1 || exclude2) {
            lc_buf_reset(&tmp);
            rc = lc__auth_uri_decode(&tmp, key);
            if (rc)
                break;
            struct lc_cur dk = lc_buf_cur(&tmp);
            if ((exclude1 && lc_cur_eq_str(dk, exclude1)) ||
                (exclude2 && lc_cur_eq_str(dk, exclude2)))
                continue;
        }
        if (n == cap) {
            struct param *bigger = lc_calloc(cap * 2, sizeof *bigger);
            memcpy(bigger, params, n * sizeof *params);
            if (params != stack_params)
                lc_free(params);
            params = bigger;
            cap *= 2;
        }
        params[n].key = s_reencode(key, &tmp, &rc);
        params[n].value = s_reencode(value, &tmp, &rc);
        n++;
    }
    if (!rc) {
        qsort(params, n, sizeof *params, s_param_cmp);
        for (size_t i = 0; i < n && !rc; i++) {
            if (i)
                rc = lc_buf_append_byte(b, '&');
            if (!rc)
                rc = lc_buf_appendf(b, "%s=%s", params[i].key, params[i].value);
        }
    }
    for (size_t i = 0; i < n; i++) {
        lc_free(params[i].key);
        lc_free(params[i].value);
    }
    if (params != stack_params)
        lc_free(params);
    lc_buf_free(&tmp);
    return rc;
}

/* Whitespace of header values, as a table: the value scan is one load per byte. */
static const bool s_space[256] = {[' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true};

/*
 * Small pieces gathered on the stack and handed to the buffer a few hundred bytes at a time: a
 * canonical header line is half a dozen pieces, and each lc_buf_append is a call chain of its own.
 * The first failing append's code sticks (LC_ELIMIT), which is what the builders report.
 */
struct stage {
    struct lc_buf *b;
    int rc;
    size_t n;
    char bytes[512];
};

/* Not `= {0}`: zeroing the 512 bytes would cost more than what they save. */
LC__AUTH_INLINE void s_stage_init(struct stage *s, struct lc_buf *b)
{
    s->b = b;
    s->rc = 0;
    s->n = 0;
}

static void s_flush(struct stage *s)
{
    if (s->n && !s->rc)
        s->rc = lc_buf_append(s->b, s->bytes, s->n);
    s->n = 0;
}

static void s_put(struct stage *s, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL then (an empty cursor), which memcpy does not allow */
    if (n > sizeof s->bytes - s->n) {
        s_flush(s);
        if (n > sizeof s->bytes) {
            if (!s->rc)
                s->rc = lc_buf_append(s->b, p, n);
            return;
        }
    }
    memcpy(s->bytes + s->n, p, n);
    s->n += n;
}

LC__AUTH_INLINE void s_put_byte(struct stage *s, char c)
{
    if (s->n == sizeof s->bytes)
        s_flush(s);
    s->bytes[s->n++] = c;
}

/* Puts the value trimmed, with every inner run of whitespace folded to one space. */
static void s_put_trimmed(struct stage *s, struct lc_cur v)
{
    const unsigned char *p = (const unsigned char *)v.ptr, *end = p + v.len;
    while (p < end && s_space[*p])
        p++;
    while (end > p && s_space[end[-1]])
        end--;
    /* Whole words at a time; after trimming, every whitespace run has a word after it. */
    while (p < end) {
        const unsigned char *word = p;
        while (p < end && !s_space[*p])
            p++;
        s_put(s, word, (size_t)(p - word));
        if (p < end) {
            s_put_byte(s, ' ');
            while (s_space[*p])
                p++;
        }
    }
}

static void s_put_headers(struct stage *s, const struct lc_auth_header *headers, size_t count,
                          struct lc_cur signed_headers)
{
    struct lc_cur rest = signed_headers;
    while (rest.len && !s->rc) {
        struct lc_cur name;
        lc_cur_split(&rest, ';', &name);
        for (size_t i = 0; i < name.len; i++)
            s_put_byte(s, lc__auth_lower(name.ptr[i]));
        s_put_byte(s, ':');
        bool first = true;
        for (size_t i = 0; i < count; i++) {
            if (headers[i].name.len != name.len ||
                !lc__auth_eq_ci(headers[i].name.ptr, name.ptr, name.len))
                continue;
            if (!first)
                s_put_byte(s, ',');
            s_put_trimmed(s, headers[i].value);
            first = false;
        }
        s_put_byte(s, '\n');
    }
}

int lc__auth_canonical_headers(struct lc_buf *b, const struct lc_auth_header *headers, size_t count,
                               struct lc_cur signed_headers)
{
    struct stage s;
    s_stage_init(&s, b);
    s_put_headers(&s, headers, count, signed_headers);
    s_flush(&s);
    return s.rc;
}

int lc__auth_canonical_request(struct lc_buf *b, const struct lc__auth_canon *c)
{
    const struct lc_auth_request *req = c->req;
    int rc = lc_buf_append_cur(b, req->method);
    rc = rc ? rc : lc_buf_append_byte(b, '\n');
    rc = rc ? rc : lc__auth_canonical_uri(b, req->path, c->normalize_path, c->double_encode_path);
    rc = rc ? rc : lc_buf_append_byte(b, '\n');
    rc = rc ? rc : lc__auth_canonical_query(b, c->query, c->query_exclude1, c->query_exclude2);
    if (rc)
        return rc;
    struct stage s;
    s_stage_init(&s, b);
    s_put_byte(&s, '\n');
    s_put_headers(&s, c->headers, c->header_count, c->signed_headers);
    s_put_byte(&s, '\n');
    s_put(&s, c->signed_headers.ptr, c->signed_headers.len);
    s_put_byte(&s, '\n');
    s_put(&s, c->payload_hash.ptr, c->payload_hash.len);
    s_flush(&s);
    return s.rc;
}

bool lc__auth_header_get(const struct lc_auth_header *headers, size_t count, const char *name,
                         struct lc_cur *value)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < count; i++) {
        if (headers[i].name.len == n && lc__auth_eq_ci(headers[i].name.ptr, name, n)) {
            *value = headers[i].value;
            return true;
        }
    }
    return false;
}

int lc__auth_query_get(struct lc_cur raw_query, const char *name, struct lc_buf *out)
{
    struct lc_cur rest = raw_query;
    size_t name_len = strlen(name);
    lc_buf_reset(out);
    while (rest.len) {
        struct lc_cur pair, key;
        lc_cur_split(&rest, '&', &pair);
        struct lc_cur value = pair;
        if (!lc_cur_split(&value, '=', &key))
            value = lc_cur_make(pair.ptr + pair.len, 0);
        /* Cheap reject before decoding: a decoded name is never longer than its encoding. */
        if (key.len < name_len)
            continue;
        lc_buf_reset(out);
        int rc = lc__auth_uri_decode(out, key);
        if (rc)
            return rc;
        if (lc_cur_eq_str(lc_buf_cur(out), name)) {
            lc_buf_reset(out);
            rc = lc__auth_uri_decode(out, value);
            return rc ? rc : 1;
        }
    }
    lc_buf_reset(out);
    return 0;
}
