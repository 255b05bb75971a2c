/* value.c: AttributeValues: validation with AWS's messages, canonical form, size, comparison. */
#include "ddb/ddb_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

/* ---------------------------------------------------------------- serialization (JSON types) */

/* The messages of DynamoDB's Java deserializer when a JSON value has the wrong type. */
int ddb_wrong_type(const json_t *v, const char *java_type, struct lc_error *err)
{
    switch (json_typeof(v)) {
    case JSON_TRUE:
        return ddb_serialization(err, "TRUE_VALUE cannot be converted to %s", java_type);
    case JSON_FALSE:
        return ddb_serialization(err, "FALSE_VALUE cannot be converted to %s", java_type);
    case JSON_INTEGER:
        return ddb_serialization(err, "NUMBER_VALUE cannot be converted to %s", java_type);
    case JSON_REAL:
        return ddb_serialization(err, "DECIMAL_VALUE cannot be converted to %s", java_type);
    case JSON_ARRAY:
        return ddb_serialization(err, "Unrecognized collection type class java.lang.%s", java_type);
    case JSON_OBJECT:
        return ddb_serialization(err, "Start of structure or map found where not expected");
    default:
        return ddb_serialization(err, "Unexpected token received from parser");
    }
}

static int s_need_string(const json_t *v, struct lc_error *err)
{
    return json_is_string(v) ? 0 : ddb_wrong_type(v, "String", err);
}

static int s_need_blob(const json_t *v, size_t *decoded_len, struct lc_error *err)
{
    if (json_is_boolean(v) || json_is_number(v))
        return ddb_serialization(err, "only base-64-encoded strings are convertible to bytes");
    if (json_is_array(v))
        return ddb_serialization(err, "Unrecognized collection type class java.nio.ByteBuffer");
    if (json_is_object(v))
        return ddb_serialization(err, "Start of structure or map found where not expected");
    if (!json_is_string(v))
        return ddb_serialization(err, "Unexpected token received from parser");
    size_t len = json_string_length(v);
    if (len % 4)
        return ddb_serialization(err, "Base64 encoded length is expected a multiple of 4 bytes but found: %zu", len);
    size_t out_len = 0;
    uint8_t *bytes = lc_base64_decode(json_string_value(v), len, &out_len);
    if (!bytes)
        return ddb_serialization(err, "Invalid last non-pad Base64 character dectected");
    lc_free(bytes);
    *decoded_len = out_len;
    return 0;
}

static int s_need_bool(const json_t *v, bool *out, struct lc_error *err)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v)) {
        /* The Java deserializer converts these spellings (dynalite, checked against DynamoDB). */
        const char *s = json_string_value(v);
        static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
        for (size_t i = 0; i < 3; i++) {
            if (strcasecmp(s, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcasecmp(s, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
        return ddb_serialization(err, "Unexpected token received from parser");
    }
    if (json_is_array(v))
        return ddb_serialization(err, "Unrecognized collection type class java.lang.Boolean");
    return ddb_wrong_type(v, "Boolean", err);
}

static int s_need_list(const json_t *v, struct lc_error *err)
{
    if (json_is_array(v))
        return 0;
    if (json_is_object(v))
        return ddb_serialization(err, "Start of structure or map found where not expected");
    return ddb_serialization(err, "Unexpected field type");
}

/* ---------------------------------------------------------------- helpers */

static const char *const s_types[] = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};

const char *ddb_value_type(const json_t *v)
{
    if (!json_is_object(v))
        return NULL;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member)
    {
        for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++) {
            if (strcmp(key, s_types[i]) == 0)
                return s_types[i];
        }
    }
    return NULL;
}

/* "[a, b]" as AWS prints a collection in its messages. */
static char *s_collection_text(const json_t *arr)
{
    struct lc_buf b;
    lc_buf_init(&b, 4096);
    lc_buf_append_byte(&b, '[');
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (i)
            lc_buf_append_str(&b, ", ");
        const json_t *e = json_array_get(arr, i);
        lc_buf_append_str(&b, json_is_string(e) ? json_string_value(e) : "?");
    }
    lc_buf_append_byte(&b, ']');
    return lc_buf_detach(&b, NULL);
}

static int s_cmp_json_strings(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    size_t lx = json_string_length(x), ly = json_string_length(y);
    int c = memcmp(json_string_value(x), json_string_value(y), lx < ly ? lx : ly);
    if (c)
        return c;
    return lx < ly ? -1 : lx > ly;
}

/* True when the array of strings has a duplicate. */
static bool s_has_duplicate(const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return false;
    const json_t **v = lc_malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof *v, s_cmp_json_strings);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = s_cmp_json_strings(&v[i - 1], &v[i]) == 0;
    lc_free(v);
    return dup;
}

/* Parses a number member and returns its canonical text as a new JSON string. */
static int s_check_number(const json_t *v, json_t **canon, size_t *size, struct lc_error *err)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    struct ddb_num n;
    int rc = ddb_num_parse(s, len, &n, err);
    if (rc)
        return rc;
    *size += ddb_num_size(&n);
    if (!canon)
        return 0;
    char small[64];
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    ddb_num_format(&n, &b);
    if (b.len == len && memcmp(b.data, s, len) == 0) {
        *canon = json_incref((json_t *)v);
    } else if (b.len < sizeof small) {
        memcpy(small, b.data, b.len + 1);
        *canon = json_stringn(small, b.len);
    } else {
        *canon = json_stringn(b.data, b.len);
    }
    lc_buf_free(&b);
    return 0;
}

/* ---------------------------------------------------------------- check */

static int s_check(const json_t *v, json_t **out, size_t *size, int depth, struct lc_error *err);

static int s_check_member(const char *type, const json_t *m, json_t **canon, size_t *size, int depth,
                          struct lc_error *err)
{
    int rc;
    size_t blen = 0;
    bool flag = false;
    if (strcmp(type, "S") == 0) {
        if ((rc = s_need_string(m, err)))
            return rc;
        *size += json_string_length(m);
        if (canon)
            *canon = json_incref((json_t *)m);
        return 0;
    }
    if (strcmp(type, "N") == 0) {
        if ((rc = s_need_string(m, err)))
            return rc;
        return s_check_number(m, canon, size, err);
    }
    if (strcmp(type, "B") == 0) {
        if ((rc = s_need_blob(m, &blen, err)))
            return rc;
        *size += blen;
        if (canon)
            *canon = json_incref((json_t *)m);
        return 0;
    }
    if (strcmp(type, "BOOL") == 0 || strcmp(type, "NULL") == 0) {
        if ((rc = s_need_bool(m, &flag, err)))
            return rc;
        if (type[0] == 'N' && !flag)
            return ddb_invalid(err, "One or more parameter values were invalid: Null attribute value types must have the value of true");
        *size += 1;
        if (canon)
            *canon = json_boolean(flag);
        return 0;
    }
    if (strcmp(type, "SS") == 0 || strcmp(type, "NS") == 0 || strcmp(type, "BS") == 0) {
        if ((rc = s_need_list(m, err)))
            return rc;
        json_t *arr = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(m, i, e)
        {
            json_t *c = NULL;
            if (type[0] == 'B') {
                if ((rc = s_need_blob(e, &blen, err)))
                    goto set_fail;
                *size += blen;
                c = json_incref(e);
            } else {
                if ((rc = s_need_string(e, err)))
                    goto set_fail;
                if (type[0] == 'N') {
                    if ((rc = s_check_number(e, &c, size, err)))
                        goto set_fail;
                } else {
                    *size += json_string_length(e);
                    c = json_incref(e);
                }
            }
            json_array_append_new(arr, c);
        }
        if (json_array_size(arr) == 0) {
            rc = type[0] == 'S' ? ddb_invalid(err, "One or more parameter values were invalid: An string set  may not be empty")
               : type[0] == 'N' ? ddb_invalid(err, "One or more parameter values were invalid: An number set  may not be empty")
                                : ddb_invalid(err, "One or more parameter values were invalid: Binary sets should not be empty");
            goto set_fail;
        }
        if (s_has_duplicate(arr)) {
            char *text = s_collection_text(m);
            if (type[0] == 'S')
                rc = ddb_invalid(err, "One or more parameter values were invalid: Input collection %s contains duplicates.", text);
            else if (type[0] == 'N')
                rc = ddb_invalid(err, "Input collection contains duplicates");
            else
                rc = ddb_invalid(err, "One or more parameter values were invalid: Input collection %sof type BS contains duplicates.", text);
            lc_free(text);
            goto set_fail;
        }
        if (canon)
            *canon = arr;
        else
            json_decref(arr);
        return 0;
    set_fail:
        json_decref(arr);
        return rc;
    }
    if (strcmp(type, "L") == 0) {
        if ((rc = s_need_list(m, err)))
            return rc;
        json_t *arr = canon ? json_array() : NULL;
        size_t i;
        json_t *e;
        *size += 3;
        json_array_foreach(m, i, e)
        {
            if (!json_is_object(e)) {
                json_decref(arr);
                if (json_is_array(e))
                    return ddb_serialization(err, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
                return ddb_serialization(err, "Unexpected value type in payload");
            }
            json_t *c = NULL;
            *size += 1;
            if ((rc = s_check(e, canon ? &c : NULL, size, depth + 1, err))) {
                json_decref(arr);
                return rc;
            }
            if (arr)
                json_array_append_new(arr, c);
        }
        if (canon)
            *canon = arr;
        return 0;
    }
    /* M */
    if (json_is_array(m))
        return ddb_serialization(err, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    if (!json_is_object(m))
        return ddb_serialization(err, "Unexpected field type");
    json_t *obj = canon ? json_object() : NULL;
    const char *k;
    json_t *e;
    *size += 3;
    json_object_foreach((json_t *)m, k, e)
    {
        if (!json_is_object(e)) {
            json_decref(obj);
            if (json_is_array(e))
                return ddb_serialization(err, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
            return ddb_serialization(err, "Unexpected value type in payload");
        }
        json_t *c = NULL;
        *size += 1 + strlen(k);
        if ((rc = s_check(e, canon ? &c : NULL, size, depth + 1, err))) {
            json_decref(obj);
            return rc;
        }
        if (obj)
            json_object_set_new(obj, k, c);
    }
    if (canon)
        *canon = obj;
    return 0;
}

static int s_check(const json_t *v, json_t **out, size_t *size, int depth, struct lc_error *err)
{
    if (out)
        *out = NULL;
    if (!json_is_object(v)) {
        if (json_is_array(v))
            return ddb_serialization(err, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
        return ddb_serialization(err, "Unexpected value type in payload");
    }
    /* AWS: "Nesting Levels: up to 32 levels deep". */
    if (depth > 32)
        return ddb_invalid(err, "Nesting Levels have exceeded supported limits");
    const char *found = NULL;
    int n_types = 0;
    json_t *canon = NULL;
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)v, key, m)
    {
        if (json_is_null(m))
            continue; /* the deserializer drops nulls */
        const char *type = NULL;
        for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++) {
            if (strcmp(key, s_types[i]) == 0) {
                type = s_types[i];
                break; /* the names are distinct */
            }
        }
        if (!type)
            continue; /* unknown members are ignored, as the Java deserializer does */
        n_types++;
        json_t *c = NULL;
        int rc = s_check_member(type, m, (out && n_types == 1) ? &c : NULL, size, depth, err);
        if (rc) {
            json_decref(canon);
            return rc;
        }
        if (n_types == 1) {
            found = type;
            canon = c;
        }
    }
    if (n_types == 0)
        return ddb_invalid(err, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (n_types > 1) {
        json_decref(canon);
        return ddb_invalid(err, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    }
    if (out) {
        json_t *o = json_object();
        json_object_set_new(o, found, canon);
        *out = o;
    }
    return 0;
}

int ddb_value_check(const json_t *v, json_t **out, size_t *size, struct lc_error *err)
{
    size_t s = 0;
    int rc = s_check(v, out, &s, 1, err);
    if (size)
        *size = s;
    return rc;
}

int ddb_item_check(const json_t *item, json_t **out, size_t *size, struct lc_error *err)
{
    if (out)
        *out = NULL;
    if (json_is_array(item))
        return ddb_serialization(err, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    if (!json_is_object(item))
        return ddb_serialization(err, "Unexpected field type");
    json_t *obj = out ? json_object() : NULL;
    size_t total = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)item, k, v)
    {
        size_t s = 0;
        json_t *c = NULL;
        int rc = s_check(v, out ? &c : NULL, &s, 1, err);
        if (rc) {
            json_decref(obj);
            return rc;
        }
        total += s + strlen(k);
        if (obj)
            json_object_set_new(obj, k, c);
    }
    if (out)
        *out = obj;
    if (size)
        *size = total;
    return 0;
}

size_t ddb_value_size(const json_t *v)
{
    size_t s = 0;
    s_check(v, NULL, &s, 1, NULL);
    return s;
}

size_t ddb_item_size(const json_t *item)
{
    size_t s = 0;
    ddb_item_check(item, NULL, &s, NULL);
    return s;
}

/* ---------------------------------------------------------------- comparison */

static int s_bytes_cmp(const void *a, size_t la, const void *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c)
        return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

int ddb_value_cmp(const json_t *a, const json_t *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0)
        return ta && tb ? strcmp(ta, tb) : 0;
    const json_t *x = json_object_get(a, ta), *y = json_object_get(b, tb);
    if (ta[0] == 'S' && !ta[1])
        return s_bytes_cmp(json_string_value(x), json_string_length(x), json_string_value(y), json_string_length(y));
    if (ta[0] == 'N' && !ta[1]) {
        struct ddb_num p, q;
        if (ddb_num_parse(json_string_value(x), json_string_length(x), &p, NULL) ||
            ddb_num_parse(json_string_value(y), json_string_length(y), &q, NULL))
            return 0;
        return ddb_num_cmp(&p, &q);
    }
    if (ta[0] == 'B' && !ta[1]) {
        size_t lx = 0, ly = 0;
        uint8_t *bx = lc_base64_decode(json_string_value(x), json_string_length(x), &lx);
        uint8_t *by = lc_base64_decode(json_string_value(y), json_string_length(y), &ly);
        int c = bx && by ? s_bytes_cmp(bx, lx, by, ly) : 0;
        lc_free(bx);
        lc_free(by);
        return c;
    }
    return 0;
}

static bool s_set_equal(const json_t *x, const json_t *y)
{
    if (json_array_size(x) != json_array_size(y))
        return false;
    size_t i;
    json_t *e;
    json_array_foreach(x, i, e)
    {
        bool found = false;
        for (size_t j = 0; j < json_array_size(y) && !found; j++)
            found = json_equal(e, json_array_get(y, j));
        if (!found)
            return false;
    }
    return true;
}

bool ddb_value_equal(const json_t *a, const json_t *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0)
        return false;
    const json_t *x = json_object_get(a, ta), *y = json_object_get(b, tb);
    if (strcmp(ta, "SS") == 0 || strcmp(ta, "NS") == 0 || strcmp(ta, "BS") == 0)
        return s_set_equal(x, y);
    if (strcmp(ta, "L") == 0) {
        if (json_array_size(x) != json_array_size(y))
            return false;
        for (size_t i = 0; i < json_array_size(x); i++) {
            if (!ddb_value_equal(json_array_get(x, i), json_array_get(y, i)))
                return false;
        }
        return true;
    }
    if (strcmp(ta, "M") == 0) {
        if (json_object_size(x) != json_object_size(y))
            return false;
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)x, k, e)
        {
            const json_t *f = json_object_get(y, k);
            if (!f || !ddb_value_equal(e, f))
                return false;
        }
        return true;
    }
    if (strcmp(ta, "N") == 0)
        return ddb_value_cmp(a, b) == 0;
    return json_equal(x, y);
}
