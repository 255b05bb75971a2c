/*
 * bench_iam.c: decisions per second of leastcloud's IAM engine on a case file (the
 * `iam simulate --batch` format), in one process, two ways:
 *   eval  - policies compiled once per case (as the server caches them per principal), requests
 *           built once; the timed loop is lc_iam_evaluate alone;
 *   cold  - every decision parses and compiles its policies and builds its request first (what
 *           iam-simulate does on every call), for a like-for-like ratio.
 * Usage: bench_iam CASES.jsonl SECONDS
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"
#include "leastcloud/json.h"

struct bcase {
    char **texts;                 /* policy documents as text, for the cold path */
    enum lc_iam_layer *layers;
    size_t n;
    json_t *req;
    struct lc_iam_policy_set *set;
    struct lc_iam_request *r;
};

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void s_add_layer(struct bcase *c, json_t *v, enum lc_iam_layer layer)
{
    if (!v || json_is_null(v))
        return;
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        json_t *doc = json_object_get(e, "policy") && !json_object_get(e, "Statement") ? json_object_get(e, "policy") : e;
        c->texts = lc_realloc(c->texts, (c->n + 1) * sizeof(char *));
        c->layers = lc_realloc(c->layers, (c->n + 1) * sizeof(*c->layers));
        c->texts[c->n] = lc_json_stringify(doc, 0);
        c->layers[c->n++] = layer;
    }
}

static struct lc_iam_policy_set *s_compile(const struct bcase *c)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    for (size_t i = 0; i < c->n; i++) {
        struct lc_error err;
        struct lc_iam_policy *p = lc_iam_policy_parse(
            c->texts[i], strlen(c->texts[i]),
            c->layers[i] == LC_IAM_LAYER_RESOURCE ? LC_IAM_POLICY_RESOURCE : LC_IAM_POLICY_IDENTITY, &err);
        if (p)
            lc_iam_policy_set_add(s, c->layers[i], "bench", p);
    }
    lc_iam_policy_set_compile(s);
    return s;
}

static struct lc_iam_request *s_request(json_t *req)
{
    struct lc_iam_request *r = lc_iam_request_new();
    const char *principal = lc_json_str(req, "principal");
    lc_iam_request_set_principal(r, principal, lc_iam_principal_type_of(principal));
    lc_iam_request_set_action(r, lc_json_str(req, "action"));
    lc_iam_request_set_resource(r, lc_json_str(req, "resource"));
    if (lc_json_str(req, "resourceAccount"))
        lc_iam_request_set_resource_account(r, lc_json_str(req, "resourceAccount"));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(req, "context"), k, v) {
        if (json_is_array(v)) {
            lc_iam_request_mark_multivalued(r, k);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) lc_iam_request_add_context(r, k, json_string_value(e));
        } else {
            lc_iam_request_add_context(r, k, json_string_value(v));
        }
    }
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASES.jsonl [SECONDS]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? strtod(argv[2], NULL) : 3.0;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    struct bcase *cases = NULL;
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j)
            continue;
        cases = lc_realloc(cases, (n + 1) * sizeof(*cases));
        struct bcase *c = &cases[n++];
        memset(c, 0, sizeof(*c));
        s_add_layer(c, json_object_get(j, "identityPolicies"), LC_IAM_LAYER_IDENTITY);
        s_add_layer(c, json_object_get(j, "resourcePolicy"), LC_IAM_LAYER_RESOURCE);
        s_add_layer(c, json_object_get(j, "permissionBoundaries"), LC_IAM_LAYER_BOUNDARY);
        s_add_layer(c, json_object_get(j, "sessionPolicies"), LC_IAM_LAYER_SESSION);
        c->req = json_incref(json_object_get(j, "request"));
        json_decref(j);
        c->set = s_compile(c);
        c->r = s_request(c->req);
    }
    free(line);
    fclose(f);

    unsigned long long decisions = 0, allowed = 0;
    double t0 = s_now(), t = t0;
    while (t - t0 < seconds) {
        for (int rep = 0; rep < 100; rep++) {
            for (size_t i = 0; i < n; i++) {
                struct lc_iam_decision d;
                lc_iam_evaluate(cases[i].set, cases[i].r, &d);
                allowed += d.kind == LC_IAM_ALLOWED;
            }
        }
        decisions += 100 * n;
        t = s_now();
    }
    double eval_rate = (double)decisions / (t - t0);

    unsigned long long cold = 0;
    t0 = s_now();
    t = t0;
    while (t - t0 < seconds) {
        for (size_t i = 0; i < n; i++) {
            struct lc_iam_policy_set *s = s_compile(&cases[i]);
            struct lc_iam_request *r = s_request(cases[i].req);
            struct lc_iam_decision d;
            lc_iam_evaluate(s, r, &d);
            allowed += d.kind == LC_IAM_ALLOWED;
            lc_iam_request_free(r);
            lc_iam_policy_set_free(s);
        }
        cold += n;
        t = s_now();
    }
    double cold_rate = (double)cold / (t - t0);
    printf("{\"engine\":\"leastcloud\",\"cases\":%zu,\"eval_per_second\":%.0f,\"ns_per_decision\":%.1f,"
           "\"cold_per_second\":%.0f,\"allowed\":%llu}\n",
           n, eval_rate, 1e9 / eval_rate, cold_rate, allowed);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < cases[i].n; k++)
            lc_free(cases[i].texts[k]);
        lc_free(cases[i].texts);
        lc_free(cases[i].layers);
        json_decref(cases[i].req);
        lc_iam_request_free(cases[i].r);
        lc_iam_policy_set_free(cases[i].set);
    }
    lc_free(cases);
    return 0;
}
