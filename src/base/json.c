/* json.c: JSON.stringify-compatible output and error-reporting loads over jansson. */
#include "leastcloud/json.h"

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

#include <string.h>

char *lc_json_stringify(const json_t *v, int indent)
{
    size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
    if (indent > 0)
        flags |= JSON_INDENT(indent);
    else
        flags |= JSON_COMPACT;
    char *s = json_dumps(v, flags);
    if (!s)
        return lc_strdup("null");
    char *out = lc_strdup(s);
    free(s); /* allocated by jansson's allocator, not ours */
    return out;
}

int lc_json_write_file(const char *path, const json_t *v, int indent, struct lc_error *err)
{
    char *s = lc_json_stringify(v, indent);
    int rc = lc_file_write(path, s, strlen(s), 0644, err);
    lc_free(s);
    return rc;
}

json_t *lc_json_load_file(const char *path, struct lc_error *err)
{
    json_error_t je;
    json_t *v = json_load_file(path, JSON_DECODE_ANY, &je);
    if (!v)
        lc_error_set(err, LC_EINVAL, 0, NULL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return v;
}

json_t *lc_json_loadb(const char *data, size_t len, struct lc_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if (!v)
        lc_error_set(err, LC_EINVAL, 400, "SerializationException", "%s at line %d, column %d",
                     je.text, je.line, je.column);
    return v;
}

const char *lc_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int lc_json_append_string(struct lc_buf *b, const char *s, size_t len)
{
    if (!lc_utf8_valid(s, len))
        return LC_EINVAL;
    static const char hex[] = "0123456789ABCDEF";
    int rc = lc_buf_append_byte(b, '"');
    size_t run = 0; /* bytes since the last escape, appended in one go */
    for (size_t i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = lc_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (!rc)
            rc = lc_buf_append(b, esc, n);
    }
    if (!rc)
        rc = lc_buf_append(b, s + run, len - run);
    return rc ? rc : lc_buf_append_byte(b, '"');
}
