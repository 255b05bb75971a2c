/*
 * cbor.c: the subset of CBOR (RFC 8949) that smithy-rpc-v2-cbor uses, to and from jansson values:
 * unsigned/negative integers, byte and text strings (definite and indefinite), arrays and maps
 * (definite and indefinite), tag 1 (epoch timestamps), false/true/null/undefined, half, single and
 * double floats. Nesting is bounded so that hostile input cannot exhaust the stack.
 */
#include "watch/watch_internal.h"

#include <math.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

#define MAX_DEPTH 64

/* ---------------------------------------------------------------- encoding */

static int s_head(struct lc_buf *out, unsigned major, uint64_t v)
{
    uint8_t b[9];
    size_t n;
    b[0] = (uint8_t)(major << 5);
    if (v < 24) {
        b[0] |= (uint8_t)v;
        n = 1;
    } else if (v <= 0xff) {
        b[0] |= 24;
        b[1] = (uint8_t)v;
        n = 2;
    } else if (v <= 0xffff) {
        b[0] |= 25;
        b[1] = (uint8_t)(v >> 8);
        b[2] = (uint8_t)v;
        n = 3;
    } else if (v <= 0xffffffffu) {
        b[0] |= 26;
        for (int i = 0; i < 4; i++)
            b[1 + i] = (uint8_t)(v >> (24 - 8 * i));
        n = 5;
    } else {
        b[0] |= 27;
        for (int i = 0; i < 8; i++)
            b[1 + i] = (uint8_t)(v >> (56 - 8 * i));
        n = 9;
    }
    return lc_buf_append(out, b, n);
}

static int s_double(struct lc_buf *out, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint8_t b[9] = {0xfb};
    for (int i = 0; i < 8; i++)
        b[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
    return lc_buf_append(out, b, sizeof b);
}

json_t *lc_watch_cbor_ts(int64_t ms)
{
    return json_pack("{sf}", "$cbor_ts", (double)ms / 1000.0);
}

int lc_watch_cbor_encode(const json_t *v, struct lc_buf *out)
{
    int rc = 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const json_t *ts = json_object_get(v, "$cbor_ts");
        if (ts && json_object_size(v) == 1 && json_is_number(ts)) {
            rc = s_head(out, 6, 1);
            return rc ? rc : s_double(out, json_number_value(ts));
        }
        rc = s_head(out, 5, json_object_size(v));
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            size_t len = strlen(k);
            if (rc || (rc = s_head(out, 3, len)) || (rc = lc_buf_append(out, k, len)) ||
                (rc = lc_watch_cbor_encode(m, out)))
                return rc;
        }
        return rc;
    }
    case JSON_ARRAY: {
        rc = s_head(out, 4, json_array_size(v));
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            if (rc || (rc = lc_watch_cbor_encode(m, out)))
                return rc;
        }
        return rc;
    }
    case JSON_STRING: {
        size_t len = json_string_length(v);
        rc = s_head(out, 3, len);
        return rc ? rc : lc_buf_append(out, json_string_value(v), len);
    }
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        return i >= 0 ? s_head(out, 0, (uint64_t)i) : s_head(out, 1, (uint64_t)(-(i + 1)));
    }
    case JSON_REAL: return s_double(out, json_real_value(v));
    case JSON_TRUE: return lc_buf_append_byte(out, (char)0xf5);
    case JSON_FALSE: return lc_buf_append_byte(out, (char)0xf4);
    case JSON_NULL: return lc_buf_append_byte(out, (char)0xf6);
    }
    return LC_EINVAL;
}

/* ---------------------------------------------------------------- decoding */

struct s_in {
    const uint8_t *p, *end;
};

static int s_arg(struct s_in *in, uint8_t info, uint64_t *out)
{
    if (info < 24) {
        *out = info;
        return 0;
    }
    size_t n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (!n || (size_t)(in->end - in->p) < n)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | in->p[i];
    in->p += n;
    *out = v;
    return 0;
}

static double s_half(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void s_base64(struct lc_buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {s_b64[(v >> 18) & 63], s_b64[(v >> 12) & 63], i + 1 < n ? s_b64[(v >> 6) & 63] : '=',
                     i + 2 < n ? s_b64[v & 63] : '='};
        lc_buf_append(b, q, 4);
    }
}

static json_t *s_item(struct s_in *in, int depth);

/* A (possibly chunked) string of major type 2 or 3 into b. */
static int s_string(struct s_in *in, unsigned major, uint8_t info, struct lc_buf *b)
{
    if (info == 31) {
        for (;;) {
            if (in->p >= in->end)
                return -1;
            uint8_t c = *in->p++;
            if (c == 0xff)
                return 0;
            if ((c >> 5) != major || (c & 31) == 31)
                return -1;
            if (s_string(in, major, c & 31, b) != 0)
                return -1;
        }
    }
    uint64_t len;
    if (s_arg(in, info, &len) != 0 || len > (uint64_t)(in->end - in->p))
        return -1;
    if (lc_buf_append(b, in->p, (size_t)len) != 0)
        return -1;
    in->p += len;
    return 0;
}

static json_t *s_item(struct s_in *in, int depth)
{
    if (in->p >= in->end || depth > MAX_DEPTH)
        return NULL;
    uint8_t c = *in->p++;
    unsigned major = c >> 5;
    uint8_t info = c & 31;
    uint64_t v;
    switch (major) {
    case 0:
        if (s_arg(in, info, &v) != 0 || v > (uint64_t)INT64_MAX)
            return NULL;
        return json_integer((json_int_t)v);
    case 1:
        if (s_arg(in, info, &v) != 0 || v > (uint64_t)INT64_MAX)
            return NULL;
        return json_integer(-1 - (json_int_t)v);
    case 2:
    case 3: {
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        json_t *out = NULL;
        if (s_string(in, major, info, &b) == 0) {
            if (major == 3) {
                out = json_stringn(b.data ? b.data : "", b.len); /* NULL when not UTF-8 */
            } else {
                struct lc_buf t;
                lc_buf_init(&t, LC_BUF_UNLIMITED);
                s_base64(&t, (const uint8_t *)b.data, b.len);
                out = json_stringn(t.data ? t.data : "", t.len);
                lc_buf_free(&t);
            }
        }
        lc_buf_free(&b);
        return out;
    }
    case 4: {
        json_t *arr = json_array();
        if (info == 31) {
            while (in->p < in->end && *in->p != 0xff) {
                json_t *m = s_item(in, depth + 1);
                if (!m) {
                    json_decref(arr);
                    return NULL;
                }
                json_array_append_new(arr, m);
            }
            if (in->p >= in->end) {
                json_decref(arr);
                return NULL;
            }
            in->p++;
            return arr;
        }
        if (s_arg(in, info, &v) != 0 || v > (uint64_t)(in->end - in->p)) {
            json_decref(arr);
            return NULL;
        }
        for (uint64_t i = 0; i < v; i++) {
            json_t *m = s_item(in, depth + 1);
            if (!m) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, m);
        }
        return arr;
    }
    case 5: {
        json_t *obj = json_object();
        bool indefinite = info == 31;
        uint64_t n = 0;
        if (!indefinite && (s_arg(in, info, &v) != 0 || v > (uint64_t)(in->end - in->p) / 2)) {
            json_decref(obj);
            return NULL;
        }
        for (;;) {
            if (indefinite) {
                if (in->p >= in->end)
                    break;
                if (*in->p == 0xff) {
                    in->p++;
                    return obj;
                }
            } else if (n++ == v) {
                return obj;
            }
            json_t *k = s_item(in, depth + 1);
            if (!json_is_string(k)) {
                json_decref(k);
                break;
            }
            json_t *m = s_item(in, depth + 1);
            if (!m) {
                json_decref(k);
                break;
            }
            json_object_setn_new(obj, json_string_value(k), json_string_length(k), m);
            json_decref(k);
        }
        json_decref(obj);
        return NULL;
    }
    case 6: {
        if (s_arg(in, info, &v) != 0)
            return NULL;
        json_t *inner = s_item(in, depth + 1);
        /* Tag 1 (epoch time) stays a number of seconds; other tags are transparent. */
        if (v == 1 && inner && !json_is_number(inner)) {
            json_decref(inner);
            return NULL;
        }
        return inner;
    }
    case 7:
        switch (info) {
        case 20: return json_false();
        case 21: return json_true();
        case 22:
        case 23: return json_null();
        case 25:
            if (s_arg(in, info, &v) != 0)
                return NULL;
            return json_real(s_half((uint16_t)v));
        case 26: {
            if (s_arg(in, info, &v) != 0)
                return NULL;
            uint32_t bits = (uint32_t)v;
            float f;
            memcpy(&f, &bits, sizeof f);
            return isfinite(f) ? json_real(f) : json_null();
        }
        case 27: {
            if (s_arg(in, info, &v) != 0)
                return NULL;
            double d;
            memcpy(&d, &v, sizeof d);
            return isfinite(d) ? json_real(d) : json_null();
        }
        default: return NULL;
        }
    }
    return NULL;
}

json_t *lc_watch_cbor_decode(const void *data, size_t len, struct lc_error *err)
{
    struct s_in in = {data, (const uint8_t *)data + len};
    json_t *v = len ? s_item(&in, 0) : NULL;
    if (!v || in.p != in.end) {
        json_decref(v);
        lc_error_set(err, LC_EINVAL, 400, "SerializationException", "The request body is not valid CBOR");
        return NULL;
    }
    return v;
}
