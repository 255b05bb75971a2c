/* parameter.c: template parameters: values, defaults, types and constraints. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

static void s_problem(json_t *problems, char *msg)
{
    json_array_append_new(problems, json_string(msg));
    lc_free(msg);
}

/* SSM parameter types are answered locally: the CDK bootstrap version is the only parameter a
 * local account has. Returns a new string or NULL when unknown. */
static char *s_ssm_value(const char *name, const char *bootstrap_version)
{
    if (lc_str_starts_with(name, "/cdk-bootstrap/") && lc_str_ends_with(name, "/version"))
        return lc_strdup(bootstrap_version ? bootstrap_version : "30");
    return NULL;
}

static bool s_is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    return *end == '\0';
}

static json_t *s_split_list(const char *s)
{
    json_t *a = json_array();
    if (!*s)
        return a;
    const char *p = s;
    for (;;) {
        const char *q = strchr(p, ',');
        struct lc_cur c = lc_cur_trim(lc_cur_make(p, q ? (size_t)(q - p) : strlen(p)));
        json_array_append_new(a, json_stringn(c.ptr, c.len));
        if (!q)
            break;
        p = q + 1;
    }
    return a;
}

/* glibc's regcomp unrolls bounded repetitions: "((a{1,100}){1,100}){1,100}" compiles to a million
 * states (half a minute and gigabytes). The pattern is the template author's, so its unrolled size is
 * estimated first: an atom counts 1, a group the sum of its contents, {m,n} multiplies what it follows
 * by its larger bound. */
#define PATTERN_MAX_COST 20000.0

static double s_pattern_cost(const char *p)
{
    double stack[64]; /* cost of the sequence of each open group */
    int depth = 0;
    double cur = 0, last = 0;
    while (*p) {
        if (*p == '\\' && p[1]) {
            cur += (last = 1);
            p += 2;
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']') {
                const char *cls = NULL; /* [:alpha:], [.x.], [=e=] hold a ']' of their own */
                if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '='))
                    cls = strstr(q + 2, q[1] == ':' ? ":]" : q[1] == '.' ? ".]" : "=]");
                q = cls ? cls + 2 : q + 1;
            }
            cur += (last = 1);
            p = *q ? q + 1 : q;
        } else if (*p == '(') {
            if (depth == (int)(sizeof stack / sizeof stack[0]))
                return PATTERN_MAX_COST + 1;
            stack[depth++] = cur;
            cur = 0;
            last = 0;
            p++;
        } else if (*p == ')' && depth) {
            last = cur;
            cur = stack[--depth] + last;
            p++;
        } else if (*p == '{') {
            char *end;
            double lo = strtod(p + 1, &end), hi = lo;
            if (*end == ',')
                hi = end[1] == '}' ? lo : strtod(end + 1, &end);
            double times = hi > lo ? hi : lo;
            if (times > 1)
                cur += last * (times - 1);
            last *= times > 1 ? times : 1;
            const char *close = strchr(p, '}');
            p = close ? close + 1 : p + 1;
        } else {
            cur += (last = 1);
            p++;
        }
        if (cur > PATTERN_MAX_COST)
            return cur;
    }
    while (depth)
        cur += stack[--depth];
    return cur;
}

static void s_check_constraints(const char *name, const json_t *def, const char *value, json_t *problems)
{
    const char *desc = lc_json_str(def, "ConstraintDescription");
    const json_t *allowed = json_object_get(def, "AllowedValues");
    if (json_is_array(allowed)) {
        bool ok = false;
        size_t i;
        json_t *a;
        json_array_foreach(allowed, i, a) {
            char *s = lc_cfn_scalar_string(a);
            ok = ok || (s && !strcmp(s, value));
            lc_free(s);
        }
        if (!ok)
            s_problem(problems, lc_asprintf("Parameter '%s' must be one of AllowedValues", name));
    }
    const char *pattern = lc_json_str(def, "AllowedPattern");
    if (pattern && s_pattern_cost(pattern) > PATTERN_MAX_COST) {
        s_problem(problems, lc_asprintf("Parameter '%s': AllowedPattern repeats too much to be checked (nested "
                                        "{m,n} bounds unroll past %.0f steps); use smaller bounds", name,
                                        PATTERN_MAX_COST));
    } else if (pattern) {
        char *anchored = lc_asprintf("^(%s)$", pattern);
        regex_t re;
        if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) == 0) {
            if (regexec(&re, value, 0, NULL, 0) != 0)
                s_problem(problems, desc ? lc_asprintf("Parameter '%s' failed to satisfy constraint: %s", name, desc)
                                         : lc_asprintf("Parameter '%s' must match pattern %s", name, pattern));
            regfree(&re);
        }
        lc_free(anchored);
    }
    const json_t *minl = json_object_get(def, "MinLength"), *maxl = json_object_get(def, "MaxLength");
    size_t len = strlen(value);
    char *mins = minl ? lc_cfn_scalar_string(minl) : NULL, *maxs = maxl ? lc_cfn_scalar_string(maxl) : NULL;
    if (mins && (double)len < strtod(mins, NULL))
        s_problem(problems, desc ? lc_asprintf("Parameter '%s' failed to satisfy constraint: %s", name, desc)
                                 : lc_asprintf("Parameter '%s' must contain at least %s characters", name, mins));
    if (maxs && (double)len > strtod(maxs, NULL))
        s_problem(problems, desc ? lc_asprintf("Parameter '%s' failed to satisfy constraint: %s", name, desc)
                                 : lc_asprintf("Parameter '%s' must contain at most %s characters", name, maxs));
    lc_free(mins);
    lc_free(maxs);
    const json_t *minv = json_object_get(def, "MinValue"), *maxv = json_object_get(def, "MaxValue");
    mins = minv ? lc_cfn_scalar_string(minv) : NULL;
    maxs = maxv ? lc_cfn_scalar_string(maxv) : NULL;
    if ((mins || maxs) && s_is_number(value)) {
        double v = strtod(value, NULL);
        if (mins && v < strtod(mins, NULL))
            s_problem(problems, desc ? lc_asprintf("Parameter '%s' failed to satisfy constraint: %s", name, desc)
                                     : lc_asprintf("Parameter '%s' must be a number not less than %s", name, mins));
        if (maxs && v > strtod(maxs, NULL))
            s_problem(problems, desc ? lc_asprintf("Parameter '%s' failed to satisfy constraint: %s", name, desc)
                                     : lc_asprintf("Parameter '%s' must be a number not greater than %s", name, maxs));
    }
    lc_free(mins);
    lc_free(maxs);
}

json_t *lc_cfn_parameters_resolve(const json_t *template, const json_t *given,
                                  const char *bootstrap_version, json_t *problems)
{
    json_t *out = json_object();
    const json_t *defs = json_object_get(template, "Parameters");
    const char *name;
    json_t *def;
    json_t *missing = json_array();
    json_object_foreach((json_t *)defs, name, def) {
        if (!json_is_object(def)) {
            s_problem(problems, lc_asprintf("Parameter '%s' must be an object", name));
            continue;
        }
        const char *type = lc_json_str(def, "Type");
        if (!type) {
            s_problem(problems, lc_asprintf("Parameter '%s' is missing the required Type", name));
            continue;
        }
        const json_t *gv = given ? json_object_get(given, name) : NULL;
        const json_t *src = gv ? gv : json_object_get(def, "Default");
        char *value = src ? lc_cfn_scalar_string(src) : NULL;
        if (!value) {
            json_array_append_new(missing, json_string(name));
            continue;
        }
        if (lc_str_starts_with(type, "AWS::SSM::Parameter::Value<")) {
            char *resolved = s_ssm_value(value, bootstrap_version);
            if (!resolved) {
                s_problem(problems, lc_asprintf("Unable to fetch parameters [%s] from parameter store for "
                                                "this account.", value));
                lc_free(value);
                continue;
            }
            lc_free(value);
            value = resolved;
            type = strstr(type, "List<") ? "CommaDelimitedList" : "String";
        }
        if (!strcmp(type, "Number") && !s_is_number(value))
            s_problem(problems, lc_asprintf("Parameter '%s' must be a number.", name));
        bool list = !strcmp(type, "CommaDelimitedList") || lc_str_starts_with(type, "List<");
        if (list) {
            json_t *items = s_split_list(value);
            size_t i;
            json_t *it;
            json_array_foreach(items, i, it) s_check_constraints(name, def, json_string_value(it), problems);
            json_object_set_new(out, name, items);
        } else {
            s_check_constraints(name, def, value, problems);
            json_object_set_new(out, name, json_string(value));
        }
        lc_free(value);
    }
    if (json_array_size(missing)) {
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m) {
            lc_buf_append_str(&b, i ? ", " : "");
            lc_buf_append_str(&b, json_string_value(m));
        }
        s_problem(problems, lc_asprintf("Parameters: [%s] must have values", b.data));
        lc_buf_free(&b);
    }
    json_decref(missing);
    if (given) {
        json_object_foreach((json_t *)given, name, def) {
            if (!json_object_get(defs, name))
                s_problem(problems, lc_asprintf("Parameters: [%s] do not exist in the template", name));
        }
    }
    return out;
}
