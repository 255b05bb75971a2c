/*
 * fuzz_cbor.c: libFuzzer target for the smithy-rpc-v2-cbor codec (src/watch/cbor.c). Input: a
 * request body as any client could send it.
 *
 * Whatever decodes must encode again and decode to the same value (json_equal), with one
 * documented exception. What the decoder already folds is not an exception, because the folded
 * value itself round-trips: byte strings arrive as base64 text (text re-encodes as text), tag 1
 * timestamps and other tags arrive as their inner value, half and single floats widen exactly to
 * double, undefined and non-finite floats arrive as null, integers beyond int64 are refused. The
 * exception is the encoder's convention: an object that is exactly {"$cbor_ts": number} is written
 * as tag 1 + float64, so a client map of that shape comes back as a real of the same value; the
 * expected value is computed with that one rewrite (s_expected).
 *
 * Whatever does not decode must leave an AWS-shaped error (SerializationException 400, or
 * RequestEntityTooLarge 413 past the decoded-size cap) with a terminated, non-empty message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first decode as the encoder will write it: {"$cbor_ts": n} becomes the real n. The test is
 * made on the original members, before they are rewritten, exactly as the encoder sees them. */
static json_t *s_expected(json_t *v)
{
    if (json_is_object(v)) {
        json_t *ts = json_object_get(v, "$cbor_ts");
        if (ts && json_object_size(v) == 1 && json_is_number(ts))
            return json_real(json_number_value(ts));
        json_t *out = json_object();
        const char *k;
        size_t klen;
        json_t *m;
        json_object_keylen_foreach(v, k, klen, m) json_object_setn_new(out, k, klen, s_expected(m));
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) json_array_append_new(out, s_expected(m));
        return out;
    }
    return json_incref(v);
}

/* json_equal plus what it does not see: jansson 2.14 compares object keys as C strings, so keys
 * that differ after an embedded NUL would compare equal. */
static bool s_same_keys(json_t *a, json_t *b)
{
    if (json_is_object(a)) {
        if (!json_is_object(b) || json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        size_t klen;
        json_t *m;
        json_object_keylen_foreach(a, k, klen, m)
        {
            json_t *o = json_object_getn(b, k, klen);
            if (!o || !s_same_keys(m, o))
                return false;
        }
        return true;
    }
    if (json_is_array(a)) {
        if (!json_is_array(b) || json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!s_same_keys(json_array_get(a, i), json_array_get(b, i)))
                return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_error err;
    memset(&err, 0x5a, sizeof err); /* no terminator unless the codec writes one */
    json_t *v = lc_watch_cbor_decode(data, size, &err);
    if (!v) {
        bool malformed = err.code == LC_EINVAL && err.http_status == 400 &&
                         strcmp(err.aws_code, "SerializationException") == 0;
        bool too_big = err.code == LC_ELIMIT && err.http_status == 413 &&
                       strcmp(err.aws_code, "RequestEntityTooLarge") == 0;
        if (memchr(err.message, '\0', sizeof err.message) == NULL || !err.message[0] || !(malformed || too_big))
            __builtin_trap();
        return 0;
    }
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    if (lc_watch_cbor_encode(v, &b) != 0)
        __builtin_trap();
    struct lc_error err2;
    json_t *back = lc_watch_cbor_decode(b.data, b.len, &err2);
    json_t *want = s_expected(v);
    if (!back || !json_equal(want, back) || !s_same_keys(want, back))
        __builtin_trap();
    json_decref(want);
    json_decref(back);
    lc_buf_free(&b);
    json_decref(v);
    return 0;
}
