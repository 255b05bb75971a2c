/* graph.c: the dependency graph of a template's resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"

/* deps and the same names as a set (`seen`): a resource referring to thousands of others made a
 * scan of deps per reference quadratic. */
struct s_deps {
    json_t *list;
    json_t *seen;
};

static void s_add(const json_t *resources, struct s_deps *deps, const char *name, size_t len)
{
    char *n = lc_strndup(name, len);
    if (json_object_get(resources, n) && !json_object_get(deps->seen, n)) {
        json_object_set_new(deps->seen, n, json_true());
        json_array_append_new(deps->list, json_string(n));
    }
    lc_free(n);
}

static void s_sub_refs(const json_t *resources, const char *s, const json_t *vars, struct s_deps *deps)
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

static void s_collect(const json_t *resources, const json_t *value, struct s_deps *deps)
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
                    s_collect(resources, json_array_get(ga, 1), deps);
                return;
            }
            const json_t *sub = json_object_get(value, "Fn::Sub");
            if (sub) {
                const json_t *text = json_is_array(sub) ? json_array_get(sub, 0) : sub;
                const json_t *vars = json_is_array(sub) ? json_array_get(sub, 1) : NULL;
                if (json_is_string(text))
                    s_sub_refs(resources, json_string_value(text), vars, deps);
                if (vars)
                    s_collect(resources, vars, deps);
                return;
            }
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)value, k, v) s_collect(resources, v, deps);
    } else if (json_is_array(value)) {
        size_t i;
        json_t *v;
        json_array_foreach(value, i, v) s_collect(resources, v, deps);
    }
}

void lc_cfn_collect_refs(const json_t *resources, const json_t *value, json_t *deps)
{
    struct s_deps d = {deps, json_object()};
    size_t i;
    json_t *e;
    json_array_foreach(deps, i, e) if (json_is_string(e))
        json_object_set_new(d.seen, json_string_value(e), json_true());
    s_collect(resources, value, &d);
    json_decref(d.seen);
}

json_t *lc_cfn_resource_deps(const json_t *resources, const char *logical_id)
{
    struct s_deps deps = {json_array(), json_object()};
    const json_t *r = json_object_get(resources, logical_id);
    s_collect(resources, json_object_get(r, "Properties"), &deps);
    const json_t *dep = json_object_get(r, "DependsOn");
    if (json_is_string(dep)) {
        s_add(resources, &deps, json_string_value(dep), json_string_length(dep));
    } else if (json_is_array(dep)) {
        size_t i;
        json_t *d;
        json_array_foreach(dep, i, d) if (json_is_string(d))
            s_add(resources, &deps, json_string_value(d), json_string_length(d));
    }
    json_decref(deps.seen);
    return deps.list;
}

/* A min-heap of resource positions: the ready resource that comes first in the template. */
struct s_heap {
    size_t *v;
    size_t n;
};

static void s_heap_push(struct s_heap *h, size_t x)
{
    size_t i = h->n++;
    while (i && h->v[(i - 1) / 2] > x) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = x;
}

static size_t s_heap_pop(struct s_heap *h)
{
    size_t top = h->v[0], last = h->v[--h->n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] < h->v[c])
            c++;
        if (h->v[c] >= last)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

json_t *lc_cfn_topo_order(const json_t *resources, const json_t *include, json_t **cycle)
{
    /* Kahn's algorithm, always taking the first ready resource in template order, so that the
     * order is stable and reads like the template. Ready resources wait in a heap keyed by their
     * position, so that a template of n resources costs n log n, not n^2 rescans. */
    size_t total = json_object_size(resources), n = 0;
    const char **names = lc_calloc(total + 1, sizeof *names);
    json_t *pos = json_object(); /* name -> position in names */
    const char *name;
    json_t *def;
    json_object_foreach((json_t *)resources, name, def) {
        if (include && !json_object_get(include, name))
            continue;
        json_object_set_new(pos, name, json_integer((json_int_t)n));
        names[n++] = name;
    }
    /* Edges dep -> dependent, in compressed rows: first[d] .. first[d + 1] index into to[]. */
    size_t *indeg = lc_calloc(n + 1, sizeof *indeg), *first = lc_calloc(n + 2, sizeof *first);
    json_t **deps = lc_calloc(n + 1, sizeof *deps);
    size_t edges = 0;
    for (size_t i = 0; i < n; i++) {
        deps[i] = lc_cfn_resource_deps(resources, names[i]);
        size_t k;
        json_t *d;
        json_array_foreach(deps[i], k, d) {
            json_t *p = json_object_get(pos, json_string_value(d));
            if (!p)
                continue; /* not included */
            indeg[i]++;
            first[(size_t)json_integer_value(p) + 1]++;
            edges++;
        }
    }
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    size_t *to = lc_calloc(edges + 1, sizeof *to), *fill = lc_calloc(n + 1, sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        json_t *d;
        json_array_foreach(deps[i], k, d) {
            json_t *p = json_object_get(pos, json_string_value(d));
            if (p) {
                size_t from = (size_t)json_integer_value(p);
                to[first[from] + fill[from]++] = i;
            }
        }
        json_decref(deps[i]);
    }
    struct s_heap heap = {lc_calloc(n + 1, sizeof *heap.v), 0};
    for (size_t i = 0; i < n; i++)
        if (!indeg[i])
            s_heap_push(&heap, i);
    json_t *order = json_array();
    while (heap.n) {
        size_t i = s_heap_pop(&heap);
        json_array_append_new(order, json_string(names[i]));
        for (size_t e = first[i]; e < first[i + 1]; e++)
            if (--indeg[to[e]] == 0)
                s_heap_push(&heap, to[e]);
    }
    json_t *result = order;
    if (json_array_size(order) < n) {
        /* Everything not placed is on a cycle or waits for one, as before: all of them are named. */
        if (cycle) {
            *cycle = json_array();
            for (size_t i = 0; i < n; i++)
                if (indeg[i])
                    json_array_append_new(*cycle, json_string(names[i]));
        }
        json_decref(order);
        result = NULL;
    }
    lc_free(heap.v);
    lc_free(to);
    lc_free(fill);
    lc_free(deps);
    lc_free(first);
    lc_free(indeg);
    lc_free(names);
    json_decref(pos);
    return result;
}
