/* template.c: reading a template, JSON or YAML, into one JSON document. */
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/error.h"

json_t *lc_cfn_template_parse(const char *text, size_t len, struct lc_error *err)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    json_t *root;
    if (i < len && text[i] == '{') {
        json_error_t je;
        root = json_loadb(text + i, len - i, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
            lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                         "Template format error: JSON not well-formed. (line %d, column %d): %s", je.line,
                         je.column, je.text);
            return NULL;
        }
    } else {
        root = lc_cfn_yaml_parse(text + i, len - i, err);
        if (!root)
            return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                     "Template format error: a template must be a JSON or YAML object");
        return NULL;
    }
    return root;
}
