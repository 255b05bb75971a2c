/* key.c: key attribute values as bytes whose memcmp order is DynamoDB's order. */
#include "ddb/ddb_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

/*
 * Each key part is its own SQLite BLOB column, and SQLite compares BLOBs with memcmp and then by
 * length, which is exactly DynamoDB's order for strings (UTF-8 bytes) and binary (unsigned bytes).
 * So S and B are stored as they are; only numbers need an order-preserving form (number.c).
 */
int ddb_key_encode(const json_t *value, char type, struct lc_buf *out)
{
    const char tname[2] = {type, '\0'};
    const json_t *m = json_object_get(value, tname);
    if (!json_is_string(m) || json_object_size(value) != 1)
        return LC_EINVAL;
    const char *s = json_string_value(m);
    size_t len = json_string_length(m);
    if (type == 'S')
        return lc_buf_append(out, s, len);
    if (type == 'B') {
        size_t n = 0;
        uint8_t *bytes = lc_base64_decode(s, len, &n);
        if (!bytes)
            return LC_EINVAL;
        int rc = lc_buf_append(out, bytes, n);
        lc_free(bytes);
        return rc;
    }
    if (type == 'N') {
        struct ddb_num num;
        if (ddb_num_parse(s, len, &num, NULL))
            return LC_EINVAL;
        uint8_t enc[DDB_NUM_KEY_MAX];
        size_t n = ddb_num_encode(&num, enc);
        return lc_buf_append(out, enc, n);
    }
    return LC_EINVAL;
}

size_t ddb_key_value_len(const json_t *value, char type)
{
    const char tname[2] = {type, '\0'};
    const json_t *m = json_object_get(value, tname);
    if (!json_is_string(m))
        return 0;
    if (type == 'B') {
        size_t n = 0;
        uint8_t *bytes = lc_base64_decode(json_string_value(m), json_string_length(m), &n);
        lc_free(bytes);
        return n;
    }
    return json_string_length(m);
}
