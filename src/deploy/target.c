/* target.c: which stacks a command works on: --template FILE --stack-name NAME, or a CDK app's stacks. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/cdk.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"

void lc_deploy_targets_free(struct lc_deploy_target *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++) {
        lc_free(t[i].stack_name);
        lc_free(t[i].template_path);
        lc_free(t[i].assets_dir);
    }
    lc_free(t);
}

static char *s_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? lc_strndup(path, (size_t)(slash - path)) : lc_strdup(".");
}

int lc_deploy_targets(const struct lc_deploy_target_query *q, struct lc_deploy_target **out, size_t *n,
                      struct lc_error *err)
{
    *out = NULL;
    *n = 0;
    if (q->template_path) {
        if (!q->stack_name)
            return lc_error_set(err, LC_EINVAL, 0, NULL, "--template needs --stack-name");
        char abs[PATH_MAX];
        if (!realpath(q->template_path, abs))
            return lc_error_set(err, LC_ENOTFOUND, 0, NULL, "no such template: %s", q->template_path);
        *out = lc_calloc(1, sizeof **out);
        (*out)[0].stack_name = lc_strdup(q->stack_name);
        (*out)[0].template_path = lc_strdup(abs);
        (*out)[0].assets_dir = s_dirname(abs);
        *n = 1;
        return 0;
    }
    lc_cdk_run_opts opts = {.app = q->app, .quiet = true};
    char *assembly = NULL;
    int rc = lc_cdk_synth_app(&opts, &assembly, err);
    if (rc)
        return rc;
    lc_cdk_stack_info *stacks = NULL;
    size_t count = 0;
    rc = lc_cdk_assembly_stacks(assembly, &stacks, &count, err);
    if (rc) {
        lc_free(assembly);
        return rc;
    }
    struct lc_deploy_target *t = lc_calloc(count + 1, sizeof *t);
    size_t k = 0;
    bool any_named = q->stacks && q->stacks[0];
    for (size_t i = 0; i < count; i++) {
        bool wanted = !any_named;
        for (size_t j = 0; any_named && q->stacks[j]; j++)
            wanted = wanted || !strcmp(q->stacks[j], stacks[i].name);
        if (!wanted)
            continue;
        t[k].stack_name = lc_strdup(stacks[i].name);
        t[k].template_path = lc_strdup(stacks[i].template_path);
        t[k].assets_dir = lc_strdup(assembly);
        k++;
    }
    for (size_t j = 0; any_named && q->stacks[j] && !rc; j++) {
        bool found = false;
        for (size_t i = 0; i < k; i++)
            found = found || !strcmp(t[i].stack_name, q->stacks[j]);
        if (!found)
            rc = lc_error_set(err, LC_ENOTFOUND, 0, NULL, "No stack found matching '%s' in the app (%s)",
                              q->stacks[j], assembly);
    }
    lc_cdk_stack_infos_free(stacks, count);
    lc_free(assembly);
    if (rc) {
        lc_deploy_targets_free(t, k);
        return rc;
    }
    *out = t;
    *n = k;
    return 0;
}
