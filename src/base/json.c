/* json.c: JSON.stringify-compatible output and error-reporting loads over jansson. */
#include "leastcloud/json.h"

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

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
