/* synth.c: the stack template (CDK's Stack._toCloudFormation with the DefaultStackSynthesizer). */
#include "cdk/internal.h"

#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"

struct collect {
    struct lc_node **v;
    size_t n, cap;
    bool outputs;  /* collect outputs instead of resources */
};

static void s_collect(struct lc_node *n, void *ctx)
{
    struct collect *c = ctx;
    if (!n->cfn || (n->kind == N_OUTPUT) != c->outputs)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = lc_realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = n;
}

static int s_cmp_path(const void *a, const void *b)
{
    return lc__locale_compare((*(struct lc_node *const *)a)->path, (*(struct lc_node *const *)b)->path);
}

/* DependsOn: every resource under each construct depended on, sorted by path as CDK does. */
static json_t *s_depends_on(struct lc_node *res)
{
    struct collect all = {0};
    for (size_t i = 0; i < res->cfn->ndeps; i++)
        lc__nodes_walk(res->cfn->deps[i], s_collect, &all);
    if (all.n)
        qsort(all.v, all.n, sizeof *all.v, s_cmp_path);
    json_t *a = json_array();
    for (size_t i = 0; i < all.n; i++) {
        if (all.v[i] == res || lc__stack_of(all.v[i]) != lc__stack_of(res))
            continue;
        if (i && all.v[i] == all.v[i - 1])
            continue;
        json_array_append_new(a, json_string(all.v[i]->cfn->logical_id));
    }
    lc_free(all.v);
    if (!json_array_size(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static void s_render(struct lc_node *n, void *ctx)
{
    (void)ctx;
    if (n->cfn && n->cfn->render)
        n->cfn->render(n);
}

json_t *lc__stack_template(struct lc_node *stack)
{
    struct lc_app *app = stack->app;
    bool path_md = lc__context_flag(app, "aws:cdk:enable-path-metadata");
    lc__nodes_walk(stack, s_render, NULL);

    json_t *t = json_object();
    if (stack->u.stack.description)
        json_object_set_new(t, "Description", json_string(stack->u.stack.description));

    struct collect rs = {0};
    lc__nodes_walk(stack, s_collect, &rs);
    json_t *resources = json_object();
    for (size_t i = 0; i < rs.n; i++) {
        struct lc_node *n = rs.v[i];
        struct cfn *c = n->cfn;
        json_t *r = json_object();
        json_object_set_new(r, "Type", json_string(c->type));
        json_t *props = lc__resolve(app, c->props);
        if (props && json_object_size(props))
            json_object_set_new(r, "Properties", props);
        else
            json_decref(props);
        json_t *deps = s_depends_on(n);
        if (deps)
            json_object_set_new(r, "DependsOn", deps);
        if (c->update_replace_policy)
            json_object_set_new(r, "UpdateReplacePolicy", json_string(c->update_replace_policy));
        if (c->deletion_policy)
            json_object_set_new(r, "DeletionPolicy", json_string(c->deletion_policy));
        if (path_md || c->asset_metadata) {
            json_t *md = json_object();
            if (path_md)
                json_object_set_new(md, "aws:cdk:path", json_string(n->path));
            if (c->asset_metadata)
                json_object_update(md, c->asset_metadata);
            json_object_set_new(r, "Metadata", md);
        }
        if (json_object_get(resources, c->logical_id))
            lc__app_error(app, "%s: duplicate logical ID '%s' in stack %s", n->path, c->logical_id, stack->id);
        json_object_set_new(resources, c->logical_id, r);
    }
    lc_free(rs.v);
    json_object_set_new(t, "Resources", resources);

    struct collect os = {.outputs = true};
    lc__nodes_walk(stack, s_collect, &os);
    if (os.n) {
        json_t *outputs = json_object();
        for (size_t i = 0; i < os.n; i++)
            json_object_set_new(outputs, os.v[i]->cfn->logical_id, lc__resolve(app, os.v[i]->cfn->props));
        json_object_set_new(t, "Outputs", outputs);
    }
    lc_free(os.v);

    json_object_set_new(t, "Parameters", json_pack(
        "{s:{s:s,s:s,s:s}}", "BootstrapVersion", "Type", "AWS::SSM::Parameter::Value<String>",
        "Default", "/cdk-bootstrap/hnb659fds/version", "Description",
        "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM "
        "Parameter Store. [cdk:skip]"));
    json_object_set_new(t, "Rules", json_pack(
        "{s:{s:[{s:{s:[{s:[[s,s,s,s,s],{s:s}]}]},s:s}]}}", "CheckBootstrapVersion", "Assertions",
        "Assert", "Fn::Not", "Fn::Contains", "1", "2", "3", "4", "5", "Ref", "BootstrapVersion",
        "AssertDescription",
        "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."));
    return t;
}
