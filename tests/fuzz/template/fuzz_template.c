/*
 * fuzz_template.c: libFuzzer target for CloudFormation templates. Input: a template, JSON or YAML.
 * It goes through ValidateTemplate (parse + static checks + summary) and then, whatever parses, through
 * what a deploy does before touching a store: parameter resolution (every parameter without a default
 * is given a value), every Condition, the Rules, each resource's Properties and each Output's Value and
 * export name through the intrinsic evaluator with a resolver that answers any resource, and the
 * dependency graph, once over all resources and once over those whose Condition holds. Every failure
 * must leave a terminated, non-empty message with an AWS error code.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check_error(const struct lc_error *err)
{
    if (!memchr(err->message, '\0', sizeof err->message) || !memchr(err->aws_code, '\0', sizeof err->aws_code))
        __builtin_trap(); /* the message must stay terminated inside its buffer */
    if (!err->message[0] || !err->aws_code[0] || err->code >= 0)
        __builtin_trap(); /* every failure says what is wrong */
}

static int s_ref(void *ud, const char *logical, json_t **out, struct lc_error *err)
{
    if (!strcmp(logical, "Missing"))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "resource %s does not exist", logical);
    char *s = lc_asprintf("physical-%s", logical);
    *out = json_string(s);
    lc_free(s);
    return 0;
}

static int s_getatt(void *ud, const char *logical, const char *attr, json_t **out, struct lc_error *err)
{
    if (!strcmp(attr, "Missing"))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "no attribute %s", attr);
    if (!strcmp(attr, "List")) {
        *out = json_pack("[ss]", logical, attr);
        return 0;
    }
    char *s = lc_asprintf("arn:aws:fuzz:us-east-1:000000000000:%s/%s", logical, attr);
    *out = json_string(s);
    lc_free(s);
    return 0;
}

static char *s_import(void *ud, const char *name)
{
    return strcmp(name, "missing") ? lc_asprintf("imported-%s", name) : NULL;
}

static void s_eval_value(struct lc_cfn_eval *ev, const json_t *v)
{
    struct lc_error err;
    json_t *out = NULL;
    if (lc_cfn_eval(ev, v, &out, &err) != 0)
        s_check_error(&err);
    else if (out) {
        char *s = lc_cfn_scalar_string(out);
        lc_free(s);
    }
    json_decref(out);
}

static void s_deploy_checks(json_t *tmpl)
{
    /* Every parameter without a default gets a value, so that Ref reaches the rest of the template. */
    json_t *given = json_object();
    const char *name;
    json_t *def;
    json_object_foreach(json_object_get(tmpl, "Parameters"), name, def) {
        if (json_is_object(def) && !json_object_get(def, "Default"))
            json_object_set_new(given, name, json_string("fuzz,1,true"));
    }
    json_t *problems = json_array();
    struct lc_cfn_eval ev = {
        .template = tmpl,
        .account = "000000000000",
        .region = "us-east-1",
        .partition = "aws",
        .url_suffix = "amazonaws.com",
        .stack_name = "FuzzStack",
        .stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/FuzzStack/1",
        .resolver = {s_ref, s_getatt, s_import, NULL},
    };
    ev.params = lc_cfn_parameters_resolve(tmpl, given, "30", problems);
    lc_cfn_validate(tmpl, ev.params, problems);
    struct lc_error err;
    if (lc_cfn_problems_error(problems, &err) != 0)
        s_check_error(&err);

    json_object_foreach(json_object_get(tmpl, "Conditions"), name, def) {
        bool b;
        if (lc_cfn_condition(&ev, name, &b, &err) != 0)
            s_check_error(&err);
    }
    if (lc_cfn_rules_check(&ev, problems, &err) != 0)
        s_check_error(&err);

    const json_t *resources = json_object_get(tmpl, "Resources");
    json_t *include = json_object();
    json_object_foreach((json_t *)resources, name, def) {
        const char *cond = json_string_value(json_object_get(def, "Condition"));
        bool on = true;
        if (cond && lc_cfn_condition(&ev, cond, &on, &err) != 0) {
            s_check_error(&err);
            on = false;
        }
        if (on) {
            json_object_set_new(include, name, json_true());
            s_eval_value(&ev, json_object_get(def, "Properties"));
        }
    }
    json_object_foreach(json_object_get(tmpl, "Outputs"), name, def) {
        s_eval_value(&ev, json_object_get(def, "Value"));
        s_eval_value(&ev, json_object_get(json_object_get(def, "Export"), "Name"));
    }

    if (json_is_object(resources)) {
        for (int pass = 0; pass < 2; pass++) {
            json_t *cycle = NULL;
            json_t *order = lc_cfn_topo_order(resources, pass ? include : NULL, &cycle);
            if (!order && !json_array_size(cycle))
                __builtin_trap(); /* no order must name the resources on the cycle */
            json_decref(order);
            json_decref(cycle);
        }
    }
    json_decref(include);
    json_decref(problems);
    json_decref(given);
    json_decref(ev.params);
    json_decref(ev.conditions);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_error err;
    json_t *summary = NULL;
    const char *body = (const char *)data;
    if (lc_deploy_validate_template(body, size, &summary, &err) != 0)
        s_check_error(&err);
    else if (!summary)
        __builtin_trap();
    json_decref(summary);

    json_t *tmpl = lc_cfn_template_parse(body, size, &err);
    if (!tmpl) {
        s_check_error(&err);
        return 0;
    }
    s_deploy_checks(tmpl);
    json_decref(tmpl);
    return 0;
}
