/*
 * fuzz_ddb_expr.c: libFuzzer entry for the expression parsers and the AttributeValue validator.
 * The first byte picks the target: 0 condition (+ evaluation against a fixed item), 1 key condition
 * (+ range building), 2 projection (+ applying it), 3 an AttributeValue / item as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ddb/ddb_internal.h"
#include "leastcloud/alloc.h"

static const char *NAMES = "{\"#a\":\"a\",\"#b\":\"b\",\"#n\":\"name\",\"#pk\":\"pk\",\"#sk\":\"sk\"}";
static const char *VALUES = "{\":s\":{\"S\":\"x\"},\":n\":{\"N\":\"1\"},\":m\":{\"N\":\"-5.5\"},\":b\":{\"B\":\"AQ==\"},"
                            "\":t\":{\"S\":\"SS\"},\":l\":{\"L\":[{\"S\":\"a\"}]},\":e\":{\"S\":\"\"}}";
static const char *ITEM = "{\"pk\":{\"S\":\"x\"},\"sk\":{\"N\":\"1\"},\"a\":{\"M\":{\"b\":{\"L\":[{\"N\":\"2\"},{\"S\":\"q\"}]}}},"
                          "\"name\":{\"SS\":[\"x\",\"y\"]},\"bin\":{\"B\":\"AQID\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 4;
    char *text = lc_strndup((const char *)data + 1, size - 1);
    if (mode == 3) {
        json_error_t jerr;
        json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (v) {
            json_t *out = NULL;
            size_t sz = 0;
            struct lc_error err;
            if (ddb_value_check(v, &out, &sz, &err) == 0) {
                (void)ddb_value_size(out);
                (void)ddb_value_equal(out, out);
                json_decref(out);
            }
            if (ddb_item_check(v, &out, &sz, &err) == 0)
                json_decref(out);
            json_decref(v);
        }
        lc_free(text);
        return 0;
    }
    json_t *names = json_loads(NAMES, 0, NULL), *values_raw = json_loads(VALUES, 0, NULL);
    json_t *item = json_loads(ITEM, 0, NULL);
    json_t *req = json_pack("{s:O,s:O}", "ExpressionAttributeNames", names, "ExpressionAttributeValues", values_raw);
    json_t *values = NULL;
    struct lc_error err;
    ddb_expr_check_params(req, &values, &err);
    struct ddb_expr_ctx ctx;
    ddb_expr_ctx_init(&ctx, names, values);
    if (mode == 0 || mode == 1) {
        struct ddb_node *root;
        if (ddb_expr_parse_condition(&ctx, mode ? "KeyConditionExpression" : "ConditionExpression", text, &root, &err) == 0) {
            if (mode == 0) {
                (void)ddb_expr_eval(root, item);
                (void)ddb_expr_eval(root, NULL);
            } else {
                struct ddb_key_attr hash = {"pk", 'S'}, range = {"sk", 'N'};
                struct ddb_key_range kr;
                ddb_key_condition(root, &hash, &range, &kr, &err);
                ddb_key_range_free(&kr);
            }
            ddb_expr_check_unused(&ctx, &err);
        }
    } else {
        struct ddb_node **paths;
        size_t n;
        if (ddb_expr_parse_projection(&ctx, text, &paths, &n, &err) == 0)
            json_decref(ddb_project(item, paths, n));
    }
    ddb_expr_ctx_free(&ctx);
    json_decref(values);
    json_decref(req);
    json_decref(names);
    json_decref(values_raw);
    json_decref(item);
    lc_free(text);
    return 0;
}
