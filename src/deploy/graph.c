/* graph.c: the dependency graph of a template's resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"

static void s_add(const json_t *resources, json_t *deps, const char *name, size_t len)
{
    char *n = lc_strndup(name, len);
    if (json_object_get(resources, n)) {
        bool seen = false;
        size_t i;
        json_t *d;
        json_array_foreach(deps, i, d) seen = seen || !strcmp(json_string_value(d), n);
        if (!seen)
            json_array_append_new(deps, json_string(n));
    }
    lc_free(n);
}

static void s_sub_refs(const json_t *resources, const char *s, const json_t *vars, json_t *deps)
{
    while ((s = strstr(s, "${")) != NULL) {
        const char *close = strchr(s, '}');
        if (!close)
            return;
        if (s[2] != '!') {
            const char *name = s + 2;
            size_t len = (size_t)(close - name);
            const char *dot = memchr(name, '.', len);
            size_t nlen = dot ? (size_t)(dot - name) : len;
            char *full = lc_strndup(name, len);
            if (!vars || !json_object_get(vars, full))
                s_add(resources, deps, name, nlen);
            lc_free(full);
        }
        s = close + 1;
    }
}

void lc_cfn_collect_refs(const json_t *resources, const json_t *value, json_t *deps)
{
    if (json_is_object(value)) {
        if (json_object_size(value) == 1) {
            const json_t *ref = json_object_get(value, "Ref");
            if (json_is_string(ref)) {
                s_add(resources, deps, json_string_value(ref), json_string_length(ref));
                return;
            }
            const json_t *ga = json_object_get(value, "Fn::GetAtt");
            if (ga) {
                const char *s = json_is_string(ga) ? json_string_value(ga)
                                                   : json_string_value(json_array_get(ga, 0));
                if (s) {
                    const char *dot = json_is_string(ga) ? strchr(s, '.') : NULL;
                    s_add(resources, deps, s, dot ? (size_t)(dot - s) : strlen(s));
                }
                if (json_is_array(ga))
                    lc_cfn_collect_refs(resources, json_array_get(ga, 1), deps);
                return;
            }
            const json_t *sub = json_object_get(value, "Fn::Sub");
            if (sub) {
                const json_t *text = json_is_array(sub) ? json_array_get(sub, 0) : sub;
                const json_t *vars = json_is_array(sub) ? json_array_get(sub, 1) : NULL;
                if (json_is_string(text))
                    s_sub_refs(resources, json_string_value(text), vars, deps);
                if (vars)
                    lc_cfn_collect_refs(resources, vars, deps);
                return;
            }
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)value, k, v) lc_cfn_collect_refs(resources, v, deps);
    } else if (json_is_array(value)) {
        size_t i;
        json_t *v;
        json_array_foreach(value, i, v) lc_cfn_collect_refs(resources, v, deps);
    }
}

json_t *lc_cfn_resource_deps(const json_t *resources, const char *logical_id)
{
    json_t *deps = json_array();
    const json_t *r = json_object_get(resources, logical_id);
    lc_cfn_collect_refs(resources, json_object_get(r, "Properties"), deps);
    const json_t *dep = json_object_get(r, "DependsOn");
    if (json_is_string(dep)) {
        s_add(resources, deps, json_string_value(dep), json_string_length(dep));
    } else if (json_is_array(dep)) {
        size_t i;
        json_t *d;
        json_array_foreach(dep, i, d) if (json_is_string(d))
            s_add(resources, deps, json_string_value(d), json_string_length(d));
    }
    return deps;
}

json_t *lc_cfn_topo_order(const json_t *resources, const json_t *include, json_t **cycle)
{
    /* Kahn's algorithm, always taking the first ready resource in template order, so that the
     * order is stable and reads like the template. */
    json_t *pending = json_object(); /* name -> deps still to create */
    const char *name;
    json_t *def;
    json_object_foreach((json_t *)resources, name, def) {
        if (include && !json_object_get(include, name))
            continue;
        json_t *deps = lc_cfn_resource_deps(resources, name);
        json_t *kept = json_array();
        size_t i;
        json_t *d;
        json_array_foreach(deps, i, d) if (!include || json_object_get(include, json_string_value(d)))
            json_array_append(kept, d);
        json_decref(deps);
        json_object_set_new(pending, name, kept);
    }
    json_t *order = json_array();
    json_t *done = json_object();
    bool progress = true;
    while (json_object_size(pending) && progress) {
        progress = false;
        json_object_foreach(pending, name, def) {
            bool ready = true;
            size_t i;
            json_t *d;
            json_array_foreach(def, i, d) ready = ready && json_object_get(done, json_string_value(d));
            if (ready) {
                char *n = lc_strdup(name);
                json_array_append_new(order, json_string(n));
                json_object_set_new(done, n, json_true());
                json_object_del(pending, n);
                lc_free(n);
                progress = true;
                break;
            }
        }
    }
    json_decref(done);
    if (json_object_size(pending)) {
        if (cycle) {
            *cycle = json_array();
            json_object_foreach(pending, name, def) json_array_append_new(*cycle, json_string(name));
        }
        json_decref(pending);
        json_decref(order);
        return NULL;
    }
    json_decref(pending);
    return order;
}
