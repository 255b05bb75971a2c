/*
 * cbor.c: the subset of CBOR (RFC 8949) that smithy-rpc-v2-cbor uses, to and from jansson values:
 * unsigned/negative integers, byte and text strings (definite and indefinite), arrays and maps
 * (definite and indefinite), tag 1 (epoch timestamps), false/true/null/undefined, half, single and
 * double floats. Hostile input must not exhaust the stack or the heap: nesting is bounded, a
 * declared length is checked against the bytes left, and what a body decodes to is capped
 * (MAX_DECODED). Text holding U+0000 is refused, as the JSON protocols refuse it. Errors name the
 * first fault and its byte offset.
 * tests/fuzz/cbor is the libFuzzer target (decode, encode, decode again: the same value).
 */
#include "watch/watch_internal.h"

#include <math.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

#define MAX_DEPTH 64
/* What a body may cost once decoded. jansson spends up to 224 bytes on a one-byte item (an empty
 * map), so the body limit alone (16 MiB) let one request take 3.7 GB. PutMetricData past AWS's
 * own limits (1000 metrics of 150 values, 150 counts and 30 dimensions: a 4 MB body) decodes to
 * 31 MB. Measured, a body just under the cap takes 67-84 MB (the estimate leaves out jansson's
 * array growth). */
#define MAX_DECODED ((size_t)64 << 20)
/* Heap bytes per decoded value (jansson 2.14, glibc, 64-bit), its slot in the parent included. */
#define COST_SLOT 8
#define COST_NUMBER 32
#define COST_STRING 80
#define COST_ARRAY 128
#define COST_MAP 224
#define COST_MEMBER 64

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
        size_t len;
        json_t *m;
        /* With the key's length: jansson keys may hold NUL, and strlen would cut them short. */
        json_object_keylen_foreach((json_t *)v, k, len, m)
        {
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
    const uint8_t *start, *p, *end;
    const char *why; /* the first failure, for the client's message */
    size_t at;
    size_t spent;    /* estimated heap bytes of what is decoded so far */
    bool too_big;
};

static json_t *s_fail(struct s_in *in, const uint8_t *at, const char *why)
{
    if (!in->why) {
        in->why = why;
        in->at = (size_t)(at - in->start);
    }
    return NULL;
}

/* Charged before the allocation it stands for. */
static int s_charge(struct s_in *in, const uint8_t *at, size_t cost)
{
    if (cost > MAX_DECODED - in->spent) {
        if (!in->why)
            in->too_big = true;
        s_fail(in, at, "decoded values past the limit");
        return -1;
    }
    in->spent += cost;
    return 0;
}

static int s_arg(struct s_in *in, uint8_t info, uint64_t *out)
{
    if (info < 24) {
        *out = info;
        return 0;
    }
    size_t n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (!n) {
        s_fail(in, in->p - 1, info == 31 ? "indefinite length not allowed here" : "reserved additional information");
        return -1;
    }
    if ((size_t)(in->end - in->p) < n) {
        s_fail(in, in->p - 1, "truncated argument");
        return -1;
    }
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

/* JSON has no NaN or infinity (json_real refuses them): every width maps them to null alike. */
static json_t *s_real(double d)
{
    return isfinite(d) ? json_real(d) : json_null();
}

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int s_base64(struct lc_buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {s_b64[(v >> 18) & 63], s_b64[(v >> 12) & 63], i + 1 < n ? s_b64[(v >> 6) & 63] : '=',
                     i + 2 < n ? s_b64[v & 63] : '='};
        if (lc_buf_append(b, q, 4) != 0)
            return -1;
    }
    return 0;
}

static json_t *s_item(struct s_in *in, int depth);

/* A (possibly chunked) string of major type 2 or 3 into b. */
static int s_string(struct s_in *in, unsigned major, uint8_t info, struct lc_buf *b)
{
    if (info == 31) {
        for (;;) {
            if (in->p >= in->end) {
                s_fail(in, in->p, "unterminated indefinite-length string");
                return -1;
            }
            uint8_t c = *in->p++;
            if (c == 0xff)
                return 0;
            if ((c >> 5) != major || (c & 31) == 31) {
                s_fail(in, in->p - 1, "chunk of an indefinite-length string is not a definite string of its type");
                return -1;
            }
            if (s_string(in, major, c & 31, b) != 0)
                return -1;
        }
    }
    uint64_t len;
    if (s_arg(in, info, &len) != 0)
        return -1;
    if (len > (uint64_t)(in->end - in->p)) {
        s_fail(in, in->p, "string length past the end of the body");
        return -1;
    }
    if (lc_buf_append(b, in->p, (size_t)len) != 0) {
        s_fail(in, in->p, "string too long");
        return -1;
    }
    in->p += len;
    return 0;
}

static json_t *s_text_or_bytes(struct s_in *in, unsigned major, uint8_t info)
{
    const uint8_t *at = in->p - 1;
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    json_t *out = NULL;
    if (s_string(in, major, info, &b) != 0 ||
        s_charge(in, at, COST_STRING + (major == 2 ? b.len / 3 * 4 + 4 : b.len)) != 0) {
        /* reason already set */
    } else if (major == 2) {
        struct lc_buf t;
        lc_buf_init(&t, LC_BUF_UNLIMITED);
        out = s_base64(&t, (const uint8_t *)b.data, b.len) == 0 ? json_stringn(t.data ? t.data : "", t.len) : NULL;
        lc_buf_free(&t);
        if (!out)
            s_fail(in, at, "byte string too long");
    } else if (b.len && memchr(b.data, '\0', b.len)) {
        /* As the JSON protocols (jansson without JSON_ALLOW_NUL): the service reads names as C
         * strings, so "a\0b" would be read as "a" in one place and kept whole in another. */
        s_fail(in, at, "text string contains U+0000");
    } else if (!(out = json_stringn(b.data ? b.data : "", b.len))) {
        s_fail(in, at, "text string is not valid UTF-8");
    }
    lc_buf_free(&b);
    return out;
}

static json_t *s_array(struct s_in *in, uint8_t info, int depth)
{
    const uint8_t *at = in->p - 1;
    bool indefinite = info == 31;
    uint64_t n = 0;
    /* Each item takes at least one byte: a declared count past the body fails before any work. */
    if (!indefinite && s_arg(in, info, &n) != 0)
        return NULL;
    if (!indefinite && n > (uint64_t)(in->end - in->p))
        return s_fail(in, at, "array length past the end of the body");
    if (s_charge(in, at, COST_ARRAY) != 0)
        return NULL;
    json_t *arr = json_array();
    for (uint64_t i = 0;; i++) {
        if (indefinite) {
            if (in->p >= in->end) {
                json_decref(arr);
                return s_fail(in, in->p, "unterminated indefinite-length array");
            }
            if (*in->p == 0xff) {
                in->p++;
                return arr;
            }
        } else if (i == n) {
            return arr;
        }
        json_t *m = s_item(in, depth + 1);
        if (!m) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, m);
    }
}

static json_t *s_map(struct s_in *in, uint8_t info, int depth)
{
    const uint8_t *at = in->p - 1;
    bool indefinite = info == 31;
    uint64_t n = 0;
    if (!indefinite && s_arg(in, info, &n) != 0)
        return NULL;
    if (!indefinite && n > (uint64_t)(in->end - in->p) / 2)
        return s_fail(in, at, "map length past the end of the body");
    if (s_charge(in, at, COST_MAP) != 0)
        return NULL;
    json_t *obj = json_object();
    for (uint64_t i = 0;; i++) {
        if (indefinite) {
            if (in->p >= in->end)
                break;
            if (*in->p == 0xff) {
                in->p++;
                return obj;
            }
        } else if (i == n) {
            return obj;
        }
        const uint8_t *key_at = in->p;
        json_t *k = s_item(in, depth + 1);
        if (k && !json_is_string(k))
            s_fail(in, key_at, "map key is not a text string");
        json_t *m = json_is_string(k) && s_charge(in, key_at, COST_MEMBER + json_string_length(k)) == 0
                        ? s_item(in, depth + 1)
                        : NULL;
        if (!m) {
            json_decref(k);
            json_decref(obj);
            return NULL;
        }
        json_object_setn_new(obj, json_string_value(k), json_string_length(k), m);
        json_decref(k);
    }
    json_decref(obj);
    return s_fail(in, in->p, "unterminated indefinite-length map");
}

static json_t *s_simple(struct s_in *in, uint8_t info)
{
    const uint8_t *at = in->p - 1;
    uint64_t v;
    switch (info) {
    case 20: return json_false();
    case 21: return json_true();
    case 22:
    case 23: return json_null();
    case 25:
        return s_arg(in, info, &v) == 0 ? s_real(s_half((uint16_t)v)) : NULL;
    case 26: {
        if (s_arg(in, info, &v) != 0)
            return NULL;
        uint32_t bits = (uint32_t)v;
        float f;
        memcpy(&f, &bits, sizeof f);
        return s_real(f);
    }
    case 27: {
        if (s_arg(in, info, &v) != 0)
            return NULL;
        double d;
        memcpy(&d, &v, sizeof d);
        return s_real(d);
    }
    case 31: return s_fail(in, at, "break outside an indefinite-length item");
    default: return s_fail(in, at, "unsupported simple value");
    }
}

static json_t *s_item(struct s_in *in, int depth)
{
    if (in->p >= in->end)
        return s_fail(in, in->p, "unexpected end of the body");
    if (depth > MAX_DEPTH)
        return s_fail(in, in->p, "nested deeper than 64 levels");
    const uint8_t *at = in->p;
    uint8_t c = *in->p++;
    unsigned major = c >> 5;
    uint8_t info = c & 31;
    uint64_t v;
    switch (major) {
    case 0:
    case 1:
        if (s_arg(in, info, &v) != 0 || s_charge(in, at, COST_NUMBER) != 0)
            return NULL;
        if (v > (uint64_t)INT64_MAX)
            return s_fail(in, at, "integer outside the 64-bit signed range");
        return json_integer(major == 0 ? (json_int_t)v : -1 - (json_int_t)v);
    case 2:
    case 3: return s_text_or_bytes(in, major, info);
    case 4: return s_array(in, info, depth);
    case 5: return s_map(in, info, depth);
    case 6: {
        if (s_arg(in, info, &v) != 0)
            return NULL;
        json_t *inner = s_item(in, depth + 1);
        /* Tag 1 (epoch time) stays a number of seconds; other tags are transparent. */
        if (v == 1 && inner && !json_is_number(inner)) {
            json_decref(inner);
            return s_fail(in, at, "tag 1 (epoch time) on something other than a number");
        }
        return inner;
    }
    default: return s_charge(in, at, info >= 25 ? COST_NUMBER : COST_SLOT) == 0 ? s_simple(in, info) : NULL;
    }
}

json_t *lc_watch_cbor_decode(const void *data, size_t len, struct lc_error *err)
{
    const uint8_t *p = data;
    struct s_in in = {p, p, p + len, NULL, 0, 0, false};
    json_t *v = s_item(&in, 0);
    if (v && in.p != in.end) {
        json_decref(v);
        v = s_fail(&in, in.p, "trailing bytes after the first data item");
    }
    if (v)
        return v;
    if (in.too_big)
        lc_error_set(err, LC_ELIMIT, 413, "RequestEntityTooLarge",
                     "The request body decodes to more than %zu MiB of values (at byte %zu); send fewer items per "
                     "request",
                     MAX_DECODED >> 20, in.at);
    else
        lc_error_set(err, LC_EINVAL, 400, "SerializationException", "The request body is not valid CBOR: %s at byte %zu",
                     in.why ? in.why : "malformed item", in.at);
    return NULL;
}
