/* test_cbor.c: the CBOR codec of smithy-rpc-v2-cbor (cbor.c). */
#include "lc_test.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/watch.h"

static json_t *s_round_trip(const json_t *v)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc_watch_cbor_encode(v, &b), 0);
    struct lc_error err = {0};
    json_t *back = lc_watch_cbor_decode(b.data, b.len, &err);
    lc_buf_free(&b);
    assert_non_null(back);
    return back;
}

static void test_values_round_trip(void **state)
{
    const char *docs[] = {
        "{\"Namespace\":\"Test\",\"MetricData\":[{\"MetricName\":\"M\",\"Value\":1.5,\"Dimensions\":[{\"Name\":\"A\","
        "\"Value\":\"b\"}]}]}",
        "[0, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -24, -25, -257, -4294967297]",
        "{\"t\":true,\"f\":false,\"n\":null,\"s\":\"\",\"u\":\"\\u00e9\\u4e2d\",\"r\":-0.25,\"big\":1e300}",
        "{\"nested\":[[[{\"a\":[]}]],{}]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *v = json_loads(docs[i], 0, NULL);
        assert_non_null(v);
        json_t *back = s_round_trip(v);
        if (!json_equal(v, back))
            fail_msg("round trip changed %s", docs[i]);
        json_decref(v);
        json_decref(back);
    }
}

/* Known encodings from RFC 8949 appendix A. */
static void test_encoding_matches_rfc_8949_examples(void **state)
{
    struct {
        const char *json;
        const char *hex;
    } cases[] = {
        {"0", "00"},          {"23", "17"},         {"24", "1818"},   {"1000", "1903e8"},
        {"-1", "20"},         {"-1000", "3903e7"},  {"\"a\"", "6161"}, {"[1,2]", "820102"},
        {"{\"a\":1}", "a1616101"}, {"true", "f5"},   {"null", "f6"},   {"1.5", "fb3ff8000000000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        assert_int_equal(lc_watch_cbor_encode(v, &b), 0);
        char hex[64] = "";
        for (size_t k = 0; k < b.len && 2 * k + 2 < sizeof hex; k++)
            snprintf(hex + 2 * k, 3, "%02x", (unsigned char)b.data[k]);
        if (strcmp(hex, cases[i].hex))
            fail_msg("%s encoded as %s, want %s", cases[i].json, hex, cases[i].hex);
        lc_buf_free(&b);
        json_decref(v);
    }
}

static void test_timestamps_are_tag_1_and_decode_to_seconds(void **state)
{
    json_t *ts = lc_watch_cbor_ts(1795930260500LL);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc_watch_cbor_encode(ts, &b), 0);
    assert_int_equal((unsigned char)b.data[0], 0xc1); /* tag 1 */
    assert_int_equal((unsigned char)b.data[1], 0xfb); /* float64 */
    json_t *back = lc_watch_cbor_decode(b.data, b.len, NULL);
    assert_true(json_is_real(back));
    assert_true(json_real_value(back) == 1795930260.5);
    json_decref(back);
    json_decref(ts);
    lc_buf_free(&b);
}

/* What other encoders send: indefinite maps/arrays/strings, half and single floats, byte strings. */
static void test_decodes_indefinite_lengths_and_small_floats(void **state)
{
    /* {_ "a": [_ 1, 2], "b": (_ "x", "y"), "h": 1.5 (half), "f": 100000.0 (single), "y": h'0102'} */
    const unsigned char in[] = {0xbf, 0x61, 'a', 0x9f, 0x01, 0x02, 0xff, 0x61, 'b', 0x7f, 0x61, 'x', 0x61, 'y', 0xff,
                                0x61, 'h', 0xf9, 0x3e, 0x00, 0x61, 'f', 0xfa, 0x47, 0xc3, 0x50, 0x00, 0x61, 'y',
                                0x42, 0x01, 0x02, 0xff};
    json_t *v = lc_watch_cbor_decode(in, sizeof in, NULL);
    assert_non_null(v);
    json_t *want = json_loads("{\"a\":[1,2],\"b\":\"xy\",\"h\":1.5,\"f\":100000.0,\"y\":\"AQI=\"}", 0, NULL);
    assert_true(json_equal(v, want));
    json_decref(v);
    json_decref(want);
}

static void test_malformed_input_is_refused(void **state)
{
    const struct {
        const unsigned char *p;
        size_t n;
    } bad[] = {
        {(const unsigned char *)"\x82\x01", 2},        /* array of 2 with 1 item */
        {(const unsigned char *)"\x63\x61\x62", 3},    /* text of 3 with 2 bytes */
        {(const unsigned char *)"\xa1\x01\x02", 3},    /* map key not text */
        {(const unsigned char *)"\x01\x02", 2},        /* trailing bytes */
        {(const unsigned char *)"\x9f\x01", 2},        /* unterminated indefinite array */
        {(const unsigned char *)"\x1c", 1},            /* reserved additional info */
        {(const unsigned char *)"\x62\xc3\x28", 3},    /* text that is not UTF-8 */
        {(const unsigned char *)"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9}, /* absurd length */
        {(const unsigned char *)"", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct lc_error err = {0};
        json_t *v = lc_watch_cbor_decode(bad[i].p, bad[i].n, &err);
        if (v)
            fail_msg("case %zu decoded", i);
        assert_string_equal(err.aws_code, "SerializationException");
    }
}

static void test_deep_nesting_is_bounded(void **state)
{
    unsigned char deep[200];
    memset(deep, 0x81, sizeof deep); /* [[[[... */
    deep[sizeof deep - 1] = 0x00;
    assert_null(lc_watch_cbor_decode(deep, sizeof deep, NULL));
}

/* Found by fuzz_cbor: a map key with U+0000 decoded, then the encoder cut the key at the NUL, so
 * the value came back under another key ("Recentl?" for "Recentl?\0ctive"). Text with U+0000 is
 * now refused, as the JSON protocols refuse it. */
static void test_text_with_nul_is_refused_in_keys_and_values(void **state)
{
    static const unsigned char crash[] = {
        0xa3, 0x69, 'N', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e', 0x6a, 'A', 'p', 'p', '/', 'O', 'r', 'd', 'e',
        'r', 's', 0x6a, 'D', 'i', 'm', 'e', 'n', 's', 'i', 'o', 'n', 's', 0x81, 0xa1, 0x64, 'N', 'a', 'm', 'e',
        0x67, 'S', 'e', 'r', 'v', 'i', 'c', 'e', 0x6e, 'R', 'e', 'c', 'e', 'n', 't', 'l', '?', 0x00, 'c', 't',
        'i', 'v', 'e', 0x64, 'P', 'T', '3', 'H'};
    struct lc_error err = {0};
    assert_null(lc_watch_cbor_decode(crash, sizeof crash, &err));
    assert_string_equal(err.aws_code, "SerializationException");
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.message, "The request body is not valid CBOR: text string contains U+0000 at byte 48");
    /* {"a": "x\0"} and the same value in an indefinite string whose second chunk is the NUL */
    assert_null(lc_watch_cbor_decode("\xa1\x61\x61\x62x\x00", 6, NULL));
    assert_null(lc_watch_cbor_decode("\xa1\x61\x61\x7f\x61x\x61\x00\xff", 9, NULL));
    /* NUL is fine inside byte strings (they arrive as base64) */
    json_t *v = lc_watch_cbor_decode("\x42\x00\x00", 3, NULL);
    assert_string_equal(json_string_value(v), "AAA=");
    json_decref(v);
}

/* The other half of the same finding: the encoder wrote keys up to their first NUL. Server output
 * may hold such keys (jansson allows them), so they are written whole. */
static void test_object_keys_are_encoded_with_their_full_length(void **state)
{
    json_t *o = json_object();
    json_object_setn_new(o, "a\0b", 3, json_integer(1));
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    assert_int_equal(lc_watch_cbor_encode(o, &b), 0);
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.data, "\xa1\x63" "a\0b" "\x01", 6);
    lc_buf_free(&b);
    json_decref(o);
}

/* Found in review beside the fuzzing: single and double NaN/infinity decoded to null but the half
 * ones failed the whole body (json_real refuses them). Every width now maps them alike. */
static void test_non_finite_floats_are_null_at_every_width(void **state)
{
    static const unsigned char in[] = {0x86, 0xf9, 0x7c, 0x00, 0xf9, 0xfe, 0x00, 0xfa, 0x7f, 0x80, 0x00, 0x00,
                                       0xfa, 0x7f, 0xc0, 0x00, 0x00, 0xfb, 0xff, 0xf0, 0, 0, 0, 0, 0, 0,
                                       0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
    json_t *v = lc_watch_cbor_decode(in, sizeof in, NULL);
    assert_non_null(v);
    json_t *want = json_loads("[null,null,null,null,null,null]", 0, NULL);
    assert_true(json_equal(v, want));
    json_decref(want);
    json_decref(v);
}

/* A client can act on the message: what is wrong and where. */
static void test_errors_say_what_is_wrong_and_at_which_byte(void **state)
{
    const struct {
        const char *p;
        size_t n;
        const char *msg;
    } cases[] = {
        {"", 0, "unexpected end of the body at byte 0"},
        {"\xa1\x61\x61", 3, "unexpected end of the body at byte 3"},
        {"\x82\x01", 2, "array length past the end of the body at byte 0"},
        {"\xa1\x01\x02", 3, "map key is not a text string at byte 1"},
        {"\x01\x02", 2, "trailing bytes after the first data item at byte 1"},
        {"\x9f\x01", 2, "unterminated indefinite-length array at byte 2"},
        {"\xbf\x61\x61\x01", 4, "unterminated indefinite-length map at byte 4"},
        {"\x7f\x61\x61", 3, "unterminated indefinite-length string at byte 3"},
        {"\x7f\x41\x61\xff", 4, "chunk of an indefinite-length string is not a definite string of its type at byte 1"},
        {"\x1c", 1, "reserved additional information at byte 0"},
        {"\x62\xc3\x28", 3, "text string is not valid UTF-8 at byte 0"},
        {"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9, "array length past the end of the body at byte 0"},
        {"\xbb\x00\x00\x00\x00\x00\x00\x00\x02\x61\x61\x01", 12, "map length past the end of the body at byte 0"},
        {"\x7a\xff\xff\xff\xf0\x61", 6, "string length past the end of the body at byte 5"},
        {"\x1b\x80\x00\x00\x00\x00\x00\x00\x00", 9, "integer outside the 64-bit signed range at byte 0"},
        {"\xc1\x61\x61", 3, "tag 1 (epoch time) on something other than a number at byte 0"},
        {"\xff", 1, "break outside an indefinite-length item at byte 0"},
        {"\xf8\x20", 2, "unsupported simple value at byte 0"},
        {"\x19\x01", 2, "truncated argument at byte 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lc_error err = {0};
        assert_null(lc_watch_cbor_decode(cases[i].p, cases[i].n, &err));
        char want[256];
        snprintf(want, sizeof want, "The request body is not valid CBOR: %s", cases[i].msg);
        if (strcmp(err.message, want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.message, want);
    }
}

/* Found by measuring beside the fuzzing (libFuzzer's 4 KiB inputs cannot show it): one byte of
 * body (0xa0, an empty map) cost jansson 224 bytes of heap, so a 16 MiB body (the default limit)
 * decoded into about 3.7 GB. What a body decodes to is now capped at 64 MiB, checked before each
 * allocation. */
static void test_decoded_size_is_bounded_whatever_the_body_limit(void **state)
{
    size_t n = 400000; /* 400 KB of empty maps: about 90 MB once decoded */
    unsigned char *body = malloc(n + 2);
    assert_non_null(body);
    body[0] = 0x9f;
    memset(body + 1, 0xa0, n);
    body[n + 1] = 0xff;
    struct lc_error err = {0};
    assert_null(lc_watch_cbor_decode(body, n + 2, &err));
    assert_int_equal(err.code, LC_ELIMIT);
    assert_int_equal(err.http_status, 413);
    assert_string_equal(err.aws_code, "RequestEntityTooLarge");
    assert_non_null(strstr(err.message, "decodes to more than 64 MiB of values"));
    free(body);
}

/* The cap leaves room for more than CloudWatch takes: PutMetricData with 1000 metrics of 150 values,
 * 150 counts and 30 dimensions is a 4 MB body (AWS stops at 1 MB) and about 31 MB decoded. */
static void test_largest_real_put_metric_data_is_under_the_cap(void **state)
{
    json_t *data = json_array();
    for (int i = 0; i < 1000; i++) {
        json_t *values = json_array(), *counts = json_array(), *dims = json_array();
        for (int k = 0; k < 150; k++) {
            json_array_append_new(values, json_real(k + 0.5));
            json_array_append_new(counts, json_real(1.0));
        }
        for (int k = 0; k < 30; k++)
            json_array_append_new(dims, json_pack("{ssss}", "Name", "DimensionName", "Value", "dimension-value"));
        json_array_append_new(data, json_pack("{sssosososo}", "MetricName", "LatencyOfSomething", "Values", values,
                                              "Counts", counts, "Dimensions", dims, "Timestamp",
                                              lc_watch_cbor_ts(1795930260000LL)));
    }
    json_t *req = json_pack("{ssso}", "Namespace", "App/Orders", "MetricData", data);
    json_t *back = s_round_trip(req);
    assert_int_equal(json_array_size(json_object_get(back, "MetricData")), 1000);
    json_decref(back);
    json_decref(req);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_round_trip),
        cmocka_unit_test(test_encoding_matches_rfc_8949_examples),
        cmocka_unit_test(test_timestamps_are_tag_1_and_decode_to_seconds),
        cmocka_unit_test(test_decodes_indefinite_lengths_and_small_floats),
        cmocka_unit_test(test_malformed_input_is_refused),
        cmocka_unit_test(test_deep_nesting_is_bounded),
        cmocka_unit_test(test_text_with_nul_is_refused_in_keys_and_values),
        cmocka_unit_test(test_object_keys_are_encoded_with_their_full_length),
        cmocka_unit_test(test_non_finite_floats_are_null_at_every_width),
        cmocka_unit_test(test_errors_say_what_is_wrong_and_at_which_byte),
        cmocka_unit_test(test_decoded_size_is_bounded_whatever_the_body_limit),
        cmocka_unit_test(test_largest_real_put_metric_data_is_under_the_cap),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
