/* validate.c: every static problem of a template, found before anything is created. */
#include <string.h>

#include "deploy/internal.h"
#include "deploy/schema.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

static const char *const s_pseudo[] = {"AWS::AccountId", "AWS::Region", "AWS::Partition",
                                       "AWS::StackName", "AWS::StackId", "AWS::URLSuffix",
                                       "AWS::NoValue", "AWS::NotificationARNs"};

static bool s_is_pseudo(const char *name)
{
    for (size_t i = 0; i < sizeof s_pseudo / sizeof s_pseudo[0]; i++)
        if (!strcmp(s_pseudo[i], name))
            return true;
    return false;
}

static const char *const s_functions[] = {
    "Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::If", "Fn::Equals",
    "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::GetAZs", "Fn::Base64", "Fn::ImportValue",
    "Fn::Cidr", "Fn::ToJsonString", "Fn::Length", "Fn::Contains", "Fn::EachMemberEquals",
    "Fn::EachMemberIn", "Fn::Transform"};

struct s_walk {
    const json_t *tmpl;
    const json_t *resources;
    const json_t *params;  /* the template's Parameters section */
    json_t *problems;
    json_t *seen;          /* the problems as a set: message -> true */
    char *where;           /* "Resource X", "Output Y", "Condition Z" (owned; whole names, never cut
                            * inside a UTF-8 character, which made json_string drop the problem) */
    bool in_condition;     /* resources may not be referenced from Conditions */
};

static void s_add(struct s_walk *w, char *msg)
{
    /* The same mistake reached twice (e.g. one bad Ref used in two places) is reported once. A set,
     * not a scan of the list: a template with thousands of problems made that quadratic. */
    if (!json_object_get(w->seen, msg)) {
        json_object_set_new(w->seen, msg, json_true());
        json_array_append_new(w->problems, json_string(msg));
    }
    lc_free(msg);
}

static void s_check_ref(struct s_walk *w, const char *name)
{
    if (s_is_pseudo(name) || json_object_get(w->params, name))
        return;
    if (json_object_get(w->resources, name)) {
        if (w->in_condition)
            s_add(w, lc_asprintf("%s: Conditions can only refer to parameters, not to resource %s",
                                           w->where, name));
        return;
    }
    s_add(w, lc_asprintf("%s: Unresolved resource dependencies [%s] in the Resources block of the "
                                   "template", w->where, name));
}

static void s_check_getatt(struct s_walk *w, const char *logical, const char *attr)
{
    const json_t *r = json_object_get(w->resources, logical);
    if (!r) {
        s_add(w, lc_asprintf("%s: Fn::GetAtt refers to resource %s, which the template does not "
                                       "define", w->where, logical));
        return;
    }
    if (w->in_condition)
        s_add(w, lc_asprintf("%s: Conditions can only refer to parameters, not to resource %s",
                                       w->where, logical));
    const struct lc_cfn_type *t = lc_cfn_schema(json_string_value(json_object_get(r, "Type")));
    if (t && attr && !lc_cfn_has_attribute(t, attr))
        s_add(w, lc_asprintf("%s: Template error: resource %s does not support attribute type %s in "
                                       "Fn::GetAtt", w->where, logical, attr));
}

static void s_walk(struct s_walk *w, const json_t *v);

static void s_check_sub(struct s_walk *w, const json_t *arg)
{
    const json_t *text = json_is_array(arg) ? json_array_get(arg, 0) : arg;
    const json_t *vars = json_is_array(arg) ? json_array_get(arg, 1) : NULL;
    if (!json_is_string(text) || (json_is_array(arg) && (json_array_size(arg) != 2 || !json_is_object(vars)))) {
        s_add(w, lc_asprintf("%s: Fn::Sub takes a string, or a string and a map of variables", w->where));
        return;
    }
    const char *s = json_string_value(text);
    while ((s = strstr(s, "${")) != NULL) {
        const char *close = strchr(s, '}');
        if (!close)
            break;
        if (s[2] != '!') {
            char *name = lc_strndup(s + 2, (size_t)(close - s - 2));
            if (!vars || !json_object_get(vars, name)) {
                char *dot = strchr(name, '.');
                if (dot && !lc_str_starts_with(name, "AWS::")) {
                    *dot = '\0';
                    s_check_getatt(w, name, dot + 1);
                } else {
                    s_check_ref(w, name);
                }
            }
            lc_free(name);
        }
        s = close + 1;
    }
    if (vars)
        s_walk(w, vars);
}

static void s_walk(struct s_walk *w, const json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) s_walk(w, e);
        return;
    }
    if (!json_is_object(v))
        return;
    if (json_object_size(v) == 1) {
        const char *k = json_object_iter_key(json_object_iter((json_t *)v));
        const json_t *arg = json_object_iter_value(json_object_iter((json_t *)v));
        if (!strcmp(k, "Ref") || lc_str_starts_with(k, "Fn::")) {
            bool known = false;
            for (size_t i = 0; i < sizeof s_functions / sizeof s_functions[0]; i++)
                known = known || !strcmp(s_functions[i], k);
            if (!known) {
                s_add(w, lc_asprintf("%s: Unrecognized function '%s'", w->where, k));
                return;
            }
            if (!strcmp(k, "Ref")) {
                if (!json_is_string(arg))
                    s_add(w, lc_asprintf("%s: Ref needs the name of a parameter or resource", w->where));
                else
                    s_check_ref(w, json_string_value(arg));
                return;
            }
            if (!strcmp(k, "Fn::GetAtt")) {
                if (json_is_string(arg) && strchr(json_string_value(arg), '.')) {
                    char *s = lc_strdup(json_string_value(arg));
                    char *dot = strchr(s, '.');
                    *dot = '\0';
                    s_check_getatt(w, s, dot + 1);
                    lc_free(s);
                } else if (json_is_array(arg) && json_array_size(arg) == 2 &&
                           json_is_string(json_array_get(arg, 0))) {
                    const json_t *attr = json_array_get(arg, 1);
                    s_check_getatt(w, json_string_value(json_array_get(arg, 0)),
                                   json_is_string(attr) ? json_string_value(attr) : NULL);
                    if (!json_is_string(attr))
                        s_walk(w, attr);
                } else {
                    s_add(w, lc_asprintf("%s: every Fn::GetAtt object requires two non-empty "
                                                   "parameters", w->where));
                }
                return;
            }
            if (!strcmp(k, "Fn::Sub")) {
                s_check_sub(w, arg);
                return;
            }
            if (!strcmp(k, "Fn::If")) {
                const json_t *c = json_array_get(arg, 0);
                if (!json_is_array(arg) || json_array_size(arg) != 3 || !json_is_string(c))
                    s_add(w, lc_asprintf("%s: Fn::If requires a condition name and two values", w->where));
                else if (!json_object_get(json_object_get(w->tmpl, "Conditions"), json_string_value(c)))
                    s_add(w, lc_asprintf("%s: Fn::If refers to condition %s, which the template does "
                                                   "not define", w->where, json_string_value(c)));
                if (json_is_array(arg))
                    for (size_t i = 1; i < json_array_size(arg); i++)
                        s_walk(w, json_array_get(arg, i));
                return;
            }
            if (!strcmp(k, "Fn::FindInMap")) {
                const json_t *m = json_array_get(arg, 0);
                if (!json_is_array(arg) || json_array_size(arg) < 3)
                    s_add(w, lc_asprintf("%s: Fn::FindInMap requires a map name and two keys", w->where));
                else if (json_is_string(m) &&
                         !json_object_get(json_object_get(w->tmpl, "Mappings"), json_string_value(m)))
                    s_add(w, lc_asprintf("%s: Fn::FindInMap refers to mapping %s, which the template "
                                                   "does not define", w->where, json_string_value(m)));
                s_walk(w, arg);
                return;
            }
            s_walk(w, arg);
            return;
        }
        if (!strcmp(k, "Condition") && w->in_condition && json_is_string(arg)) {
            if (!json_object_get(json_object_get(w->tmpl, "Conditions"), json_string_value(arg)))
                s_add(w, lc_asprintf("%s: refers to condition %s, which the template does not define",
                                               w->where, json_string_value(arg)));
            return;
        }
    }
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)v, k, e) s_walk(w, e);
}

static void s_check_properties(struct s_walk *w, const char *logical, const char *type, const json_t *props)
{
    const struct lc_cfn_type *t = lc_cfn_schema(type);
    if (!t)
        return;
    if (props && !json_is_object(props)) {
        s_add(w, lc_asprintf("Resource %s: Properties must be an object", logical));
        return;
    }
    /* Properties produced by an intrinsic (a top-level Fn::If) are checked at deploy time. */
    if (props && json_object_size(props) == 1 && json_object_get(props, "Fn::If"))
        return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)props, k, v) {
        int flags = lc_cfn_prop_flags(t, k);
        if (flags < 0)
            s_add(w, lc_asprintf("Resource %s: Encountered unsupported property %s (%s has no such "
                                           "property)", logical, k, type));
        else if (flags & LC_CFN_READ_ONLY)
            s_add(w, lc_asprintf("Resource %s: property %s of %s is read-only", logical, k, type));
    }
    for (size_t i = 0; i < t->n_props; i++)
        if ((t->props[i].flags & LC_CFN_REQUIRED) && !json_object_get(props, t->props[i].name))
            s_add(w, lc_asprintf("Resource %s: required property %s of %s is missing", logical,
                                           t->props[i].name, type));
}

static const char *const s_top_keys[] = {"AWSTemplateFormatVersion", "Description", "Metadata",
                                         "Parameters", "Mappings", "Conditions", "Transform",
                                         "Resources", "Outputs", "Rules", "Hooks"};
static const char *const s_resource_keys[] = {"Type", "Properties", "DependsOn", "Metadata", "Condition",
                                              "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy",
                                              "UpdatePolicy", "Version"};

static bool s_in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static bool s_policy_ok(const json_t *p)
{
    const char *s = json_string_value(p);
    return s && (!strcmp(s, "Delete") || !strcmp(s, "Retain") || !strcmp(s, "RetainExceptOnCreate") ||
                 !strcmp(s, "Snapshot"));
}

static void s_check_resource(struct s_walk *w, const char *logical, const json_t *r)
{
    lc_free(w->where);
    w->where = lc_asprintf("Resource %s", logical);
    if (!json_is_object(r)) {
        s_add(w, lc_asprintf("Resource %s: a resource must be an object", logical));
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)r, k, v) if (!s_in(k, s_resource_keys, sizeof s_resource_keys / sizeof *s_resource_keys))
        s_add(w, lc_asprintf("Resource %s: Invalid template resource property '%s'", logical, k));
    const char *type = json_string_value(json_object_get(r, "Type"));
    if (!type)
        s_add(w, lc_asprintf("Resource %s: Type is missing", logical));
    else if (!lc_cfn_schema(type))
        s_add(w, lc_asprintf("Resource %s: Unrecognized resource type %s (leastcloud deploys "
                                       "DynamoDB, IAM, Lambda, KMS, SNS and CloudWatch alarm resources)",
                                       logical, type));
    else
        s_check_properties(w, logical, type, json_object_get(r, "Properties"));
    s_walk(w, json_object_get(r, "Properties"));
    const json_t *cond = json_object_get(r, "Condition");
    if (cond && (!json_is_string(cond) ||
                 !json_object_get(json_object_get(w->tmpl, "Conditions"), json_string_value(cond))))
        s_add(w, lc_asprintf("Resource %s: Condition %s is not defined in Conditions", logical,
                                       json_is_string(cond) ? json_string_value(cond) : "(not a name)"));
    const json_t *dep = json_object_get(r, "DependsOn");
    json_t *deps = json_is_string(dep) ? json_pack("[O]", dep) : json_incref((json_t *)dep);
    size_t i;
    json_t *d;
    json_array_foreach(deps, i, d) {
        if (!json_is_string(d) || !json_object_get(w->resources, json_string_value(d)))
            s_add(w, lc_asprintf("Resource %s: DependsOn refers to %s, which the template does not "
                                           "define", logical, json_is_string(d) ? json_string_value(d) : "?"));
    }
    json_decref(deps);
    const char *policies[] = {"DeletionPolicy", "UpdateReplacePolicy"};
    for (int p = 0; p < 2; p++) {
        const json_t *pv = json_object_get(r, policies[p]);
        if (pv && !s_policy_ok(pv))
            s_add(w, lc_asprintf("Resource %s: %s must be Delete, Retain, RetainExceptOnCreate or "
                                           "Snapshot", logical, policies[p]));
    }
}

void lc_cfn_validate(const json_t *tmpl, const json_t *params, json_t *problems)
{
    (void)params;
    struct s_walk w = {.tmpl = tmpl, .problems = problems, .seen = json_object()};
    size_t pi;
    json_t *pv;
    json_array_foreach(problems, pi, pv) if (json_is_string(pv))
        json_object_set_new(w.seen, json_string_value(pv), json_true());
    w.resources = json_object_get(tmpl, "Resources");
    w.params = json_object_get(tmpl, "Parameters");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tmpl, k, v) if (!s_in(k, s_top_keys, sizeof s_top_keys / sizeof *s_top_keys))
        s_add(&w, lc_asprintf("Invalid template property or properties [%s]", k));
    const json_t *transform = json_object_get(tmpl, "Transform");
    if (transform)
        s_add(&w, lc_strdup("Transform is not supported by leastcloud (deploy the processed template)"));
    if (!json_is_object(w.resources) || !json_object_size(w.resources)) {
        s_add(&w, lc_strdup("At least one Resources member must be defined."));
        json_decref(w.seen);
        return;
    }
    json_object_foreach((json_t *)w.resources, k, v) s_check_resource(&w, k, v);

    w.in_condition = true;
    json_object_foreach(json_object_get(tmpl, "Conditions"), k, v) {
        lc_free(w.where);
        w.where = lc_asprintf("Condition %s", k);
        s_walk(&w, v);
    }
    w.in_condition = false;
    json_object_foreach(json_object_get(tmpl, "Outputs"), k, v) {
        lc_free(w.where);
        w.where = lc_asprintf("Output %s", k);
        if (!json_object_get(v, "Value"))
            s_add(&w, lc_asprintf("Output %s: every Outputs member must contain a Value object", k));
        s_walk(&w, v);
    }

    json_t *cycle = NULL;
    json_t *order = lc_cfn_topo_order(w.resources, NULL, &cycle);
    if (!order && cycle) {
        struct lc_buf b;
        lc_buf_init(&b, LC_BUF_UNLIMITED);
        size_t i;
        json_t *c;
        json_array_foreach(cycle, i, c) {
            lc_buf_append_str(&b, i ? ", " : "");
            lc_buf_append_str(&b, json_string_value(c));
        }
        s_add(&w, lc_asprintf("Circular dependency between resources: [%s]", b.data));
        lc_buf_free(&b);
    }
    json_decref(order);
    json_decref(cycle);
    lc_free(w.where);
    json_decref(w.seen);
}

int lc_cfn_problems_error(const json_t *problems, struct lc_error *err)
{
    size_t n = json_array_size(problems);
    if (!n)
        return 0;
    if (n == 1)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Template format error: %s",
                            json_string_value(json_array_get(problems, 0)));
    struct lc_buf b;
    lc_buf_init(&b, LC_ERROR_MESSAGE_MAX - 64);
    lc_buf_appendf(&b, "Template format error: %zu problems; nothing was created:", n);
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) {
        if (lc_buf_appendf(&b, "\n  %zu. %s", i + 1, json_string_value(p)) != 0) {
            lc_buf_appendf(&b, "\n  ... and %zu more", n - i);
            break;
        }
    }
    int rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError", "%s", b.data);
    lc_buf_free(&b);
    return rc;
}
