/* cfn.c: raw CloudFormation resources (the escape hatch) and stack outputs. */
#include "cdk/internal.h"

#include <string.h>

#include "leastcloud/alloc.h"

lc_cfn_resource *lc_cfn_resource_new(lc_construct *scope, const char *id, const lc_cfn_resource_props *props)
{
    const char *type = props && props->type ? props->type : "";
    struct lc_node *r = lc__cfn_child(scope, id, type, "aws-cdk-lib.CfnResource");
    size_t n = strlen(type);
    /* CloudFormation types are Service::Family::Name (or Custom::X, or a module). */
    if (n < 3 || strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_") != n ||
        !strstr(type, "::"))
        lc__app_error(r->app, "%s: invalid resource type '%s' (expected e.g. \"AWS::SNS::Topic\")", r->path, type);
    if (props && props->properties_json) {
        json_error_t je;
        json_t *v = json_loads(props->properties_json, 0, &je);
        if (!json_is_object(v)) {
            lc__app_error(r->app, "%s: properties_json is not a JSON object: %s", r->path,
                          v ? "wrong type" : je.text);
        } else {
            json_object_update(r->cfn->props, v);
        }
        json_decref(v);
    }
    return r;
}

const char *lc_cfn_ref(lc_cfn_resource *r)
{
    return r && r->cfn ? lc__ref(r) : (r && r->resource ? lc__ref(r->resource) : "");
}

const char *lc_cfn_get_att(lc_cfn_resource *r, const char *attribute)
{
    struct lc_node *l1 = r && r->cfn ? r : r ? r->resource : NULL;
    return l1 ? lc__getatt(l1, attribute) : "";
}

void lc_cfn_add_property_override(lc_cfn_resource *r, const char *property, const char *value_json)
{
    struct lc_node *l1 = r && r->cfn ? r : r ? r->resource : NULL;
    if (!l1 || !property)
        return;
    json_t *value = NULL;
    if (value_json) {
        json_error_t je;
        value = json_loads(value_json, JSON_DECODE_ANY, &je);
        if (!value) {
            lc__app_error(l1->app, "%s: override of %s is not JSON: %s", l1->path, property, je.text);
            return;
        }
    }
    /* "A.B.C" walks (and creates) nested objects, as CDK's addPropertyOverride does. */
    json_t *obj = l1->cfn->props;
    char *path = lc_strdup(property);
    char *seg = path;
    for (char *dot; (dot = strchr(seg, '.')); seg = dot + 1) {
        *dot = '\0';
        json_t *next = json_object_get(obj, seg);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(obj, seg, next);
        }
        obj = next;
    }
    if (value)
        json_object_set_new(obj, seg, value);
    else
        json_object_del(obj, seg);
    lc_free(path);
}

lc_output *lc_output_new(lc_construct *scope, const char *id, const lc_output_props *props)
{
    struct lc_node *o = lc__node_new(scope, id, N_OUTPUT, "aws-cdk-lib.CfnOutput");
    if (!props || !props->value)
        lc__app_error(o->app, "%s: an output needs a value", o->path);
    o->cfn = lc_calloc(1, sizeof *o->cfn);
    o->cfn->type = lc_strdup("");
    o->cfn->logical_id = lc__stack_of(o) ? lc__logical_id_for(o) : lc_strdup("Invalid");
    json_t *p = json_object();
    if (props && props->description)
        json_object_set_new(p, "Description", json_string(props->description));
    json_object_set_new(p, "Value", json_string(props && props->value ? props->value : ""));
    if (props && props->export_name)
        json_object_set_new(p, "Export", json_pack("{s:s}", "Name", props->export_name));
    o->cfn->props = p;
    return o;
}
