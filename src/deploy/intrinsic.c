/* intrinsic.c: CloudFormation's intrinsic functions, conditions and pseudo parameters. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/str.h"

#define EVAL_MAX_DEPTH 128
/* No value a template computes is near this; without a cap, nested Fn::Base64 or Fn::ToJsonString
 * (each level longer than the one inside) or Fn::Sub repeating a long variable grows without bound. */
#define EVAL_MAX_STRING ((size_t)1 << 20)

static int s_fail(struct lc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int s_fail(struct lc_error *err, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Template error: %s", msg);
}

char *lc_cfn_scalar_string(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return lc_strndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return lc_asprintf("%" PRId64, (int64_t)json_integer_value(v));
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == (double)(int64_t)d && d < 1e15 && d > -1e15)
            return lc_asprintf("%" PRId64, (int64_t)d);
        return lc_asprintf("%.17g", d);
    }
    case JSON_TRUE:
        return lc_strdup("true");
    case JSON_FALSE:
        return lc_strdup("false");
    default:
        return NULL;
    }
}

json_t *lc_cfn_azs(const char *region)
{
    json_t *a = json_array();
    static const char suffixes[] = "abcdef";
    for (int i = 0; i < 6; i++) {
        char az[64];
        snprintf(az, sizeof az, "%s%c", region, suffixes[i]);
        json_array_append_new(a, json_string(az));
    }
    return a;
}

/* The one key of an intrinsic-function object, or NULL when `v` is not one. */
static const char *s_fn_name(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    const char *k = json_object_iter_key(json_object_iter((json_t *)v));
    if (!strcmp(k, "Ref") || lc_str_starts_with(k, "Fn::"))
        return k;
    return NULL;
}

static int s_eval(struct lc_cfn_eval *ev, const json_t *in, json_t **out, struct lc_error *err);

static int s_too_long(struct lc_error *err, const char *fn)
{
    return s_fail(err, "%s would produce a string longer than %zu bytes; CloudFormation values are far shorter "
                  "(is a function nested in itself, or a long value repeated?)", fn, EVAL_MAX_STRING);
}

/* Evaluates and insists on a string (scalars are converted). Caller frees *out. */
static int s_eval_string(struct lc_cfn_eval *ev, const json_t *in, const char *fn, char **out,
                         struct lc_error *err)
{
    json_t *v;
    int rc = s_eval(ev, in, &v, err);
    if (rc)
        return rc;
    *out = v ? lc_cfn_scalar_string(v) : NULL;
    json_decref(v);
    if (!*out)
        return s_fail(err, "%s needs a string here", fn);
    return 0;
}

static int s_eval_list(struct lc_cfn_eval *ev, const json_t *in, const char *fn, json_t **out,
                       struct lc_error *err)
{
    int rc = s_eval(ev, in, out, err);
    if (rc)
        return rc;
    if (!*out || !json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        return s_fail(err, "%s needs a list here", fn);
    }
    return 0;
}

static int s_pseudo(struct lc_cfn_eval *ev, const char *name, json_t **out, struct lc_error *err)
{
    const char *v = NULL;
    if (!strcmp(name, "AWS::AccountId"))
        v = ev->account;
    else if (!strcmp(name, "AWS::Region"))
        v = ev->region;
    else if (!strcmp(name, "AWS::Partition"))
        v = ev->partition;
    else if (!strcmp(name, "AWS::URLSuffix"))
        v = ev->url_suffix;
    else if (!strcmp(name, "AWS::StackName"))
        v = ev->stack_name;
    else if (!strcmp(name, "AWS::StackId"))
        v = ev->stack_id;
    else if (!strcmp(name, "AWS::NoValue")) {
        *out = NULL;
        return 0;
    } else if (!strcmp(name, "AWS::NotificationARNs")) {
        *out = json_array();
        return 0;
    } else {
        return s_fail(err, "Unresolved resource dependencies [%s] in the Resources block of the template",
                      name);
    }
    *out = json_string(v ? v : "");
    return 0;
}

static int s_ref(struct lc_cfn_eval *ev, const char *name, json_t **out, struct lc_error *err)
{
    if (lc_str_starts_with(name, "AWS::"))
        return s_pseudo(ev, name, out, err);
    json_t *p = ev->params ? json_object_get(ev->params, name) : NULL;
    if (p) {
        *out = json_incref(p);
        return 0;
    }
    const json_t *resources = json_object_get(ev->template, "Resources");
    if (json_object_get(resources, name) && ev->resolver.ref)
        return ev->resolver.ref(ev->resolver.ud, name, out, err);
    return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                        "Template format error: Unresolved resource dependencies [%s] in the Resources "
                        "block of the template", name);
}

static int s_getatt(struct lc_cfn_eval *ev, const char *logical, const char *attr, json_t **out,
                    struct lc_error *err)
{
    const json_t *resources = json_object_get(ev->template, "Resources");
    if (!json_object_get(resources, logical) || !ev->resolver.getatt)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Template format error: Unresolved resource dependencies [%s] in the "
                            "Resources block of the template", logical);
    return ev->resolver.getatt(ev->resolver.ud, logical, attr, out, err);
}

static int s_fn_getatt(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (json_is_string(arg)) {
        const char *s = json_string_value(arg);
        const char *dot = strchr(s, '.');
        if (!dot)
            return s_fail(err, "every Fn::GetAtt object requires two non-empty parameters");
        char *logical = lc_strndup(s, (size_t)(dot - s));
        int rc = s_getatt(ev, logical, dot + 1, out, err);
        lc_free(logical);
        return rc;
    }
    if (!json_is_array(arg) || json_array_size(arg) != 2 || !json_is_string(json_array_get(arg, 0)))
        return s_fail(err, "every Fn::GetAtt object requires two non-empty parameters");
    char *attr;
    int rc = s_eval_string(ev, json_array_get(arg, 1), "Fn::GetAtt", &attr, err);
    if (rc)
        return rc;
    rc = s_getatt(ev, json_string_value(json_array_get(arg, 0)), attr, out, err);
    lc_free(attr);
    return rc;
}

static int s_fn_join(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2 || !json_is_string(json_array_get(arg, 0)))
        return s_fail(err, "Fn::Join requires a delimiter and a list of values");
    const char *delim = json_string_value(json_array_get(arg, 0));
    json_t *list;
    int rc = s_eval_list(ev, json_array_get(arg, 1), "Fn::Join", &list, err);
    if (rc)
        return rc;
    struct lc_buf b;
    lc_buf_init(&b, EVAL_MAX_STRING);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        char *s = lc_cfn_scalar_string(e);
        if (!s) {
            lc_buf_free(&b);
            json_decref(list);
            return s_fail(err, "Fn::Join can only join strings, numbers and booleans");
        }
        int grown = (i ? lc_buf_append_str(&b, delim) : 0) || lc_buf_append_str(&b, s);
        lc_free(s);
        if (grown) {
            lc_buf_free(&b);
            json_decref(list);
            return s_too_long(err, "Fn::Join");
        }
    }
    json_decref(list);
    *out = json_stringn(b.data ? b.data : "", b.len);
    lc_buf_free(&b);
    return 0;
}

/* Appends the value of ${name}. A variable of the map is evaluated once per Fn::Sub and kept in
 * `memo` (its string): evaluating it at every use made a variable used k times, whose value is
 * another Fn::Sub using its own variable k times, cost k^depth evaluations. */
static int s_sub_var(struct lc_cfn_eval *ev, const json_t *vars, json_t *memo, const char *name,
                     struct lc_buf *b, struct lc_error *err)
{
    json_t *v = NULL;
    int rc;
    const json_t *given = vars ? json_object_get(vars, name) : NULL;
    const json_t *known = given ? json_object_get(memo, name) : NULL;
    if (known) {
        if (lc_buf_append(b, json_string_value(known), json_string_length(known)) != 0)
            return s_too_long(err, "Fn::Sub");
        return 0;
    }
    if (given) {
        rc = s_eval(ev, given, &v, err);
    } else if (strchr(name, '.') && !lc_str_starts_with(name, "AWS::")) {
        const char *dot = strchr(name, '.');
        char *logical = lc_strndup(name, (size_t)(dot - name));
        rc = s_getatt(ev, logical, dot + 1, &v, err);
        lc_free(logical);
    } else {
        rc = s_ref(ev, name, &v, err);
    }
    if (rc)
        return rc;
    char *s = v ? lc_cfn_scalar_string(v) : NULL;
    json_decref(v);
    if (!s)
        return s_fail(err, "Fn::Sub variable ${%s} must resolve to a string", name);
    if (given)
        json_object_set_new(memo, name, json_string(s));
    rc = lc_buf_append_str(b, s) != 0 ? s_too_long(err, "Fn::Sub") : 0;
    lc_free(s);
    return rc;
}

static int s_fn_sub(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    const json_t *text = arg, *vars = NULL;
    if (json_is_array(arg)) {
        if (json_array_size(arg) != 2 || !json_is_object(json_array_get(arg, 1)))
            return s_fail(err, "Fn::Sub takes a string, or a string and a map of variables");
        text = json_array_get(arg, 0);
        vars = json_array_get(arg, 1);
    }
    if (!json_is_string(text))
        return s_fail(err, "Fn::Sub takes a string, or a string and a map of variables");
    const char *s = json_string_value(text);
    struct lc_buf b;
    lc_buf_init(&b, EVAL_MAX_STRING);
    json_t *memo = json_object();
    int rc = 0;
    bool full = false; /* an append passed EVAL_MAX_STRING */
    while (*s && !rc && !full) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        if (!close) {
            full = lc_buf_append_str(&b, s) != 0;
            break;
        }
        full = lc_buf_append(&b, s, (size_t)(open - s)) != 0;
        if (!full && open[2] == '!') {
            /* ${!Literal} writes ${Literal}. */
            full = lc_buf_append_str(&b, "${") || lc_buf_append(&b, open + 3, (size_t)(close - open - 3)) ||
                   lc_buf_append_byte(&b, '}');
        } else if (!full) {
            char *name = lc_strndup(open + 2, (size_t)(close - open - 2));
            struct lc_cur c = lc_cur_trim(lc_cur_from_str(name));
            char *trimmed = lc_cur_dup(c);
            rc = s_sub_var(ev, vars, memo, trimmed, &b, err);
            lc_free(trimmed);
            lc_free(name);
        }
        s = close + 1;
    }
    if (full)
        rc = s_too_long(err, "Fn::Sub");
    json_decref(memo);
    if (!rc)
        *out = json_stringn(b.data ? b.data : "", b.len);
    lc_buf_free(&b);
    return rc;
}

static int s_fn_select(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2)
        return s_fail(err, "Fn::Select requires an index and a list");
    char *idx_s;
    int rc = s_eval_string(ev, json_array_get(arg, 0), "Fn::Select", &idx_s, err);
    if (rc)
        return rc;
    int64_t idx;
    rc = lc_parse_i64(idx_s, &idx);
    lc_free(idx_s);
    if (rc || idx < 0)
        return s_fail(err, "Fn::Select requires a non-negative integer index");
    json_t *list;
    if ((rc = s_eval_list(ev, json_array_get(arg, 1), "Fn::Select", &list, err)) != 0)
        return rc;
    if ((size_t)idx >= json_array_size(list)) {
        json_decref(list);
        return s_fail(err, "Fn::Select cannot select nonexistent value at index %" PRId64, idx);
    }
    *out = json_incref(json_array_get(list, (size_t)idx));
    json_decref(list);
    return 0;
}

static int s_fn_split(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2 || !json_is_string(json_array_get(arg, 0)))
        return s_fail(err, "Fn::Split requires a delimiter and a string");
    const char *delim = json_string_value(json_array_get(arg, 0));
    if (!*delim)
        return s_fail(err, "Fn::Split requires a non-empty delimiter");
    char *src;
    int rc = s_eval_string(ev, json_array_get(arg, 1), "Fn::Split", &src, err);
    if (rc)
        return rc;
    json_t *list = json_array();
    const char *p = src;
    size_t dl = strlen(delim);
    for (;;) {
        const char *q = strstr(p, delim);
        if (!q) {
            json_array_append_new(list, json_string(p));
            break;
        }
        json_array_append_new(list, json_stringn(p, (size_t)(q - p)));
        p = q + dl;
    }
    lc_free(src);
    *out = list;
    return 0;
}

static int s_eval_bool(struct lc_cfn_eval *ev, const json_t *in, bool *out, struct lc_error *err)
{
    if (json_is_object(in) && json_object_size(in) == 1 && json_object_get(in, "Condition")) {
        const json_t *n = json_object_get(in, "Condition");
        if (!json_is_string(n))
            return s_fail(err, "Condition must name a condition");
        return lc_cfn_condition(ev, json_string_value(n), out, err);
    }
    json_t *v;
    int rc = s_eval(ev, in, &v, err);
    if (rc)
        return rc;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
    } else if (json_is_string(v) && (!strcmp(json_string_value(v), "true") ||
                                     !strcmp(json_string_value(v), "false"))) {
        *out = !strcmp(json_string_value(v), "true");
    } else {
        json_decref(v);
        return s_fail(err, "a condition function needs a boolean here");
    }
    json_decref(v);
    return 0;
}

static int s_fn_logic(struct lc_cfn_eval *ev, const char *fn, const json_t *arg, json_t **out,
                      struct lc_error *err)
{
    if (!json_is_array(arg))
        return s_fail(err, "%s requires a list of conditions", fn);
    size_t n = json_array_size(arg);
    bool is_not = !strcmp(fn, "Fn::Not"), is_and = !strcmp(fn, "Fn::And");
    if (is_not ? n != 1 : (n < 2 || n > 10))
        return s_fail(err, is_not ? "Fn::Not requires exactly one condition"
                                  : "%s requires between 2 and 10 conditions", fn);
    bool acc = is_and;
    for (size_t i = 0; i < n; i++) {
        bool b;
        int rc = s_eval_bool(ev, json_array_get(arg, i), &b, err);
        if (rc)
            return rc;
        if (is_not)
            acc = !b;
        else if (is_and)
            acc = acc && b;
        else
            acc = acc || b;
    }
    *out = json_boolean(acc);
    return 0;
}

static int s_fn_equals(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2)
        return s_fail(err, "Fn::Equals requires exactly two values");
    json_t *a, *b;
    int rc = s_eval(ev, json_array_get(arg, 0), &a, err);
    if (rc)
        return rc;
    if ((rc = s_eval(ev, json_array_get(arg, 1), &b, err)) != 0) {
        json_decref(a);
        return rc;
    }
    char *sa = a ? lc_cfn_scalar_string(a) : NULL, *sb = b ? lc_cfn_scalar_string(b) : NULL;
    bool eq = sa && sb ? !strcmp(sa, sb) : json_equal(a, b);
    lc_free(sa);
    lc_free(sb);
    json_decref(a);
    json_decref(b);
    *out = json_boolean(eq);
    return 0;
}

static int s_fn_if(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 3 || !json_is_string(json_array_get(arg, 0)))
        return s_fail(err, "Fn::If requires a condition name and two values");
    bool b;
    int rc = lc_cfn_condition(ev, json_string_value(json_array_get(arg, 0)), &b, err);
    if (rc)
        return rc;
    return s_eval(ev, json_array_get(arg, b ? 1 : 2), out, err);
}

static int s_fn_find_in_map(struct lc_cfn_eval *ev, const json_t *arg, json_t **out,
                            struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) < 3)
        return s_fail(err, "Fn::FindInMap requires a map name, a top-level key and a second-level key");
    char *k[3] = {0};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++)
        rc = s_eval_string(ev, json_array_get(arg, (size_t)i), "Fn::FindInMap", &k[i], err);
    if (!rc) {
        const json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(ev->template,
                                                                                          "Mappings"),
                                                                          k[0]),
                                                          k[1]),
                                          k[2]);
        if (v) {
            *out = json_incref((json_t *)v);
        } else if (json_array_size(arg) == 4 && json_object_get(json_array_get(arg, 3), "DefaultValue")) {
            rc = s_eval(ev, json_object_get(json_array_get(arg, 3), "DefaultValue"), out, err);
        } else {
            rc = s_fail(err, "Unable to get mapping for %s::%s::%s", k[0], k[1], k[2]);
        }
    }
    for (int i = 0; i < 3; i++)
        lc_free(k[i]);
    return rc;
}

static int s_fn_cidr(struct lc_cfn_eval *ev, const json_t *arg, json_t **out, struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 3)
        return s_fail(err, "Fn::Cidr requires an IP block, a count and the number of subnet bits");
    char *s[3] = {0};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++)
        rc = s_eval_string(ev, json_array_get(arg, (size_t)i), "Fn::Cidr", &s[i], err);
    unsigned a, b, c, d, prefix;
    int64_t count = 0, bits = 0;
    if (!rc && (sscanf(s[0], "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) != 5 || a > 255 || b > 255 ||
                c > 255 || d > 255 || prefix > 32))
        rc = s_fail(err, "Fn::Cidr: '%s' is not an IPv4 CIDR block", s[0]);
    if (!rc && (lc_parse_i64(s[1], &count) || count < 1 || count > 256 || lc_parse_i64(s[2], &bits) ||
                bits < 0 || bits > 32 - (int64_t)prefix))
        rc = s_fail(err, "Fn::Cidr: count must be 1-256 and subnet bits fit in the block");
    if (!rc) {
        uint32_t base = (a << 24) | (b << 16) | (c << 8) | d;
        unsigned sub_prefix = 32 - (unsigned)bits;
        if ((uint64_t)count << bits > (prefix == 0 ? (1ULL << 32) : (1ULL << (32 - prefix)))) {
            rc = s_fail(err, "Fn::Cidr: the block cannot hold %" PRId64 " subnets of /%u", count, sub_prefix);
        } else {
            json_t *list = json_array();
            for (int64_t i = 0; i < count; i++) {
                uint32_t net = base + (uint32_t)((uint64_t)i << bits);
                char text[32];
                snprintf(text, sizeof text, "%u.%u.%u.%u/%u", net >> 24, (net >> 16) & 255, (net >> 8) & 255,
                         net & 255, sub_prefix);
                json_array_append_new(list, json_string(text));
            }
            *out = list;
        }
    }
    for (int i = 0; i < 3; i++)
        lc_free(s[i]);
    return rc;
}

/* Rules-only functions: Fn::Contains [list, value], Fn::EachMemberEquals [list, value],
 * Fn::EachMemberIn [list, list]. */
static int s_fn_rule(struct lc_cfn_eval *ev, const char *fn, const json_t *arg, json_t **out,
                     struct lc_error *err)
{
    if (!json_is_array(arg) || json_array_size(arg) != 2)
        return s_fail(err, "%s requires two parameters", fn);
    json_t *list, *x;
    int rc = s_eval_list(ev, json_array_get(arg, 0), fn, &list, err);
    if (rc)
        return rc;
    if ((rc = s_eval(ev, json_array_get(arg, 1), &x, err)) != 0) {
        json_decref(list);
        return rc;
    }
    bool result;
    size_t i;
    json_t *e;
    if (!strcmp(fn, "Fn::EachMemberIn")) {
        result = json_is_array(x);
        json_array_foreach(list, i, e) {
            bool found = false;
            size_t j;
            json_t *f;
            json_array_foreach(x, j, f) found = found || json_equal(e, f);
            result = result && found;
        }
    } else {
        bool contains = false, all = true;
        char *xs = x ? lc_cfn_scalar_string(x) : NULL;
        json_array_foreach(list, i, e) {
            char *es = lc_cfn_scalar_string(e);
            bool eq = es && xs && !strcmp(es, xs);
            contains = contains || eq;
            all = all && eq;
            lc_free(es);
        }
        lc_free(xs);
        result = !strcmp(fn, "Fn::Contains") ? contains : all;
    }
    json_decref(list);
    json_decref(x);
    *out = json_boolean(result);
    return 0;
}

static int s_call(struct lc_cfn_eval *ev, const char *fn, const json_t *arg, json_t **out,
                  struct lc_error *err)
{
    if (!strcmp(fn, "Ref")) {
        if (!json_is_string(arg))
            return s_fail(err, "Ref needs the name of a parameter or resource");
        return s_ref(ev, json_string_value(arg), out, err);
    }
    if (!strcmp(fn, "Fn::GetAtt"))
        return s_fn_getatt(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Join"))
        return s_fn_join(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Sub"))
        return s_fn_sub(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Select"))
        return s_fn_select(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Split"))
        return s_fn_split(ev, arg, out, err);
    if (!strcmp(fn, "Fn::If"))
        return s_fn_if(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Equals"))
        return s_fn_equals(ev, arg, out, err);
    if (!strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or") || !strcmp(fn, "Fn::Not"))
        return s_fn_logic(ev, fn, arg, out, err);
    if (!strcmp(fn, "Fn::FindInMap"))
        return s_fn_find_in_map(ev, arg, out, err);
    if (!strcmp(fn, "Fn::Cidr"))
        return s_fn_cidr(ev, arg, out, err);
    if (!strcmp(fn, "Fn::GetAZs")) {
        char *region;
        int rc = s_eval_string(ev, arg, "Fn::GetAZs", &region, err);
        if (rc)
            return rc;
        *out = lc_cfn_azs(*region ? region : ev->region);
        lc_free(region);
        return 0;
    }
    if (!strcmp(fn, "Fn::Base64")) {
        char *s;
        int rc = s_eval_string(ev, arg, "Fn::Base64", &s, err);
        if (rc)
            return rc;
        char *b64 = lc_base64_encode(s, strlen(s));
        *out = json_string(b64);
        lc_free(b64);
        lc_free(s);
        return 0;
    }
    if (!strcmp(fn, "Fn::ImportValue")) {
        char *name;
        int rc = s_eval_string(ev, arg, "Fn::ImportValue", &name, err);
        if (rc)
            return rc;
        char *v = ev->resolver.import_value ? ev->resolver.import_value(ev->resolver.ud, name) : NULL;
        if (!v) {
            rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                              "No export named %s found. Rollback requested by user.", name);
            lc_free(name);
            return rc;
        }
        *out = json_string(v);
        lc_free(v);
        lc_free(name);
        return 0;
    }
    if (!strcmp(fn, "Fn::ToJsonString")) {
        json_t *v;
        int rc = s_eval(ev, arg, &v, err);
        if (rc)
            return rc;
        char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        json_decref(v);
        *out = json_string(s ? s : "");
        free(s);
        return 0;
    }
    if (!strcmp(fn, "Fn::Length")) {
        json_t *v;
        int rc = s_eval_list(ev, arg, "Fn::Length", &v, err);
        if (rc)
            return rc;
        *out = json_integer((json_int_t)json_array_size(v));
        json_decref(v);
        return 0;
    }
    if (ev->rules && (!strcmp(fn, "Fn::Contains") || !strcmp(fn, "Fn::EachMemberEquals") ||
                      !strcmp(fn, "Fn::EachMemberIn")))
        return s_fn_rule(ev, fn, arg, out, err);
    return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                        "Template format error: Unrecognized function '%s'", fn);
}

static int s_eval(struct lc_cfn_eval *ev, const json_t *in, json_t **out, struct lc_error *err)
{
    *out = NULL;
    if (!in)
        return 0;
    if (ev->depth > EVAL_MAX_DEPTH)
        return s_fail(err, "intrinsic functions nested more than %d levels", EVAL_MAX_DEPTH);
    const char *fn = s_fn_name(in);
    int rc = 0;
    ev->depth++;
    if (fn) {
        rc = s_call(ev, fn, json_object_iter_value(json_object_iter((json_t *)in)), out, err);
        if (!rc && json_string_length(*out) > EVAL_MAX_STRING) {
            json_decref(*out);
            *out = NULL;
            rc = s_too_long(err, fn);
        }
    } else if (json_is_object(in)) {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)in, k, v) {
            json_t *r;
            if ((rc = s_eval(ev, v, &r, err)) != 0)
                break;
            if (r)
                json_object_set_new(o, k, r);
        }
        if (rc)
            json_decref(o);
        else
            *out = o;
    } else if (json_is_array(in)) {
        json_t *a = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(in, i, v) {
            json_t *r;
            if ((rc = s_eval(ev, v, &r, err)) != 0)
                break;
            if (r)
                json_array_append_new(a, r);
        }
        if (rc)
            json_decref(a);
        else
            *out = a;
    } else {
        *out = json_incref((json_t *)in);
    }
    ev->depth--;
    return rc;
}

int lc_cfn_eval(struct lc_cfn_eval *ev, const json_t *in, json_t **out, struct lc_error *err)
{
    return s_eval(ev, in, out, err);
}

int lc_cfn_condition(struct lc_cfn_eval *ev, const char *name, bool *out, struct lc_error *err)
{
    if (!ev->conditions)
        ev->conditions = json_object();
    json_t *cached = json_object_get(ev->conditions, name);
    if (json_is_boolean(cached)) {
        *out = json_is_true(cached);
        return 0;
    }
    if (cached)
        return s_fail(err, "Circular dependency between conditions: %s", name);
    const json_t *def = json_object_get(json_object_get(ev->template, "Conditions"), name);
    if (!def)
        return s_fail(err, "Unresolved condition dependency %s", name);
    /* A condition that is only {"Condition": next} reaches the next one without passing s_eval, so the
     * depth is counted here too: a long chain must not run the stack out. */
    if (ev->depth > EVAL_MAX_DEPTH)
        return s_fail(err, "conditions refer to conditions more than %d levels deep (at %s)", EVAL_MAX_DEPTH, name);
    json_object_set_new(ev->conditions, name, json_null()); /* evaluating: a cycle finds it */
    bool b = false;
    ev->depth++;
    int rc = s_eval_bool(ev, def, &b, err);
    ev->depth--;
    if (rc) {
        json_object_del(ev->conditions, name);
        return rc;
    }
    json_object_set_new(ev->conditions, name, json_boolean(b));
    *out = b;
    return 0;
}
