/* request.c: typed access to request members with the deserializer's and validator's messages. */
#include "ddb/ddb_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int s_required(const char *field, struct lc_error *err)
{
    return ddb_invalid(err, "The parameter '%s' is required but was not present in the request", field);
}

int ddb_req_string(const json_t *req, const char *field, bool required, const char **out, struct lc_error *err)
{
    *out = NULL;
    const json_t *v = json_object_get(req, field);
    if (!v || json_is_null(v))
        return required ? s_required(field, err) : 0;
    if (!json_is_string(v))
        return ddb_wrong_type(v, "String", err);
    *out = json_string_value(v);
    return 0;
}

int ddb_req_bool(const json_t *req, const char *field, bool *out, struct lc_error *err)
{
    const json_t *v = json_object_get(req, field);
    *out = false;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcasecmp(s, "no") == 0)
            return 0;
        return ddb_serialization(err, "Unexpected token received from parser");
    }
    return ddb_wrong_type(v, "Boolean", err);
}

int ddb_req_int(const json_t *req, const char *field, bool *present, int64_t *out, struct lc_error *err)
{
    const json_t *v = json_object_get(req, field);
    *present = false;
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (json_is_real(v)) {
        *out = (int64_t)floor(json_real_value(v));
    } else if (json_is_string(v)) {
        return ddb_serialization(err, "STRING_VALUE cannot be converted to Long");
    } else if (json_is_boolean(v)) {
        return ddb_serialization(err, "%s cannot be converted to Long", json_is_true(v) ? "TRUE_VALUE" : "FALSE_VALUE");
    } else if (json_is_array(v)) {
        return ddb_serialization(err, "Unrecognized collection type class java.lang.Long");
    } else {
        return ddb_serialization(err, "Start of structure or map found where not expected");
    }
    *present = true;
    return 0;
}

int ddb_req_object(const json_t *req, const char *field, bool required, const json_t **out, struct lc_error *err)
{
    *out = NULL;
    const json_t *v = json_object_get(req, field);
    if (!v || json_is_null(v))
        return required ? s_required(field, err) : 0;
    if (json_is_array(v))
        return ddb_serialization(err, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    if (!json_is_object(v))
        return ddb_serialization(err, "Unexpected field type");
    *out = v;
    return 0;
}

int ddb_req_array(const json_t *req, const char *field, bool required, const json_t **out, struct lc_error *err)
{
    *out = NULL;
    const json_t *v = json_object_get(req, field);
    if (!v || json_is_null(v))
        return required ? s_required(field, err) : 0;
    if (json_is_object(v))
        return ddb_serialization(err, "Start of structure or map found where not expected");
    if (!json_is_array(v))
        return ddb_serialization(err, "Unexpected field type");
    *out = v;
    return 0;
}

int ddb_check_enum(const json_t *request, const char *field, const char *const *allowed, size_t n,
                   const char **out, struct lc_error *err)
{
    const char *v;
    int rc = ddb_req_string(request, field, false, &v, err);
    *out = NULL;
    if (rc || !v)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v, allowed[i]) == 0) {
            *out = allowed[i];
            return 0;
        }
    }
    char field_lc[64], set[256] = "";
    snprintf(field_lc, sizeof field_lc, "%s", field);
    field_lc[0] = (char)(field_lc[0] >= 'A' && field_lc[0] <= 'Z' ? field_lc[0] + 32 : field_lc[0]);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(set + used, sizeof set - used, "%s%s", i ? ", " : "", allowed[i]);
    char constraint[320];
    snprintf(constraint, sizeof constraint, "Member must satisfy enum value set: [%s]", set);
    return ddb_constraint(err, v, field_lc, constraint);
}

void ddb_req_members(const json_t *req, const char *const *names, size_t n, const json_t **out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)req, k, v)
    {
        for (size_t i = 0; i < n; i++) {
            if (names[i][0] == k[0] && strcmp(names[i], k) == 0) {
                out[i] = v;
                break;
            }
        }
    }
}
