/*
 * run.c: what the CDK CLI does around an app: read cdk.json, run its "app" with CDK_OUTDIR and
 * CDK_CONTEXT_JSON, then read the cloud assembly it wrote (manifest.json) and check its templates.
 */
#include "cdk/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

#define CLI_VERSION "2.1148.1"
#define ASM_VERSION "55.0.0"

static bool s_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *s_abs(const char *base, const char *p)
{
    if (p[0] == '/')
        return lc_strdup(p);
    return lc_asprintf("%s/%s", base, p);
}

/* The context the CLI hands the app: cdk.json's, then cdk.context.json's, then the CLI's own. */
static json_t *s_context(const char *dir, json_t *cdkjson)
{
    json_t *ctx = json_object();
    json_t *c = json_object_get(cdkjson, "context");
    if (json_is_object(c))
        json_object_update(ctx, c);
    char *p = lc_asprintf("%s/cdk.context.json", dir);
    json_t *saved = json_load_file(p, 0, NULL);
    if (json_is_object(saved))
        json_object_update(ctx, saved);
    json_decref(saved);
    lc_free(p);
    json_object_set_new(ctx, "aws:cdk:enable-path-metadata", json_true());
    json_object_set_new(ctx, "aws:cdk:enable-asset-metadata", json_true());
    json_object_set_new(ctx, "aws:cdk:version-reporting", json_true());
    json_object_set_new(ctx, "aws:cdk:bundling-stacks", json_pack("[s]", "**"));
    return ctx;
}

static int s_run(const char *dir, const char *app, const char *outdir, const char *context, struct lc_error *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return lc_error_set(err, LC_EINTERNAL, 0, NULL, "cannot start the app: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        setenv("CDK_OUTDIR", outdir, 1);
        setenv("CDK_CONTEXT_JSON", context, 1);
        setenv("CDK_CLI_ASM_VERSION", ASM_VERSION, 1);
        setenv("CDK_CLI_VERSION", CLI_VERSION, 1);
        /* Our C apps leave the runtime report to us (printed once, after the app). */
        setenv("LC_CDK_NO_VALIDATION_OUTPUT", "1", 1);
        execl("/bin/sh", "sh", "-c", app, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return lc_error_set(err, LC_EINTERNAL, 0, NULL, "waiting for the app: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        return lc_error_set(err, LC_EINVAL, 0, NULL, "the app (%s) exited with status %d", app, WEXITSTATUS(status));
    return lc_error_set(err, LC_EINVAL, 0, NULL, "the app (%s) was killed by signal %d", app, WTERMSIG(status));
}

int lc_cdk_synth_app(const lc_cdk_run_opts *opts, char **assembly_dir, struct lc_error *err)
{
    static const lc_cdk_run_opts none;
    if (!opts)
        opts = &none;
    *assembly_dir = NULL;
    char dir[PATH_MAX];
    if (!realpath(opts->dir ? opts->dir : ".", dir))
        return lc_error_set(err, LC_ENOTFOUND, 0, NULL, "no such directory: %s", opts->dir);
    char *cdkjson_path = lc_asprintf("%s/cdk.json", dir);
    json_t *cdkjson = NULL;
    if (access(cdkjson_path, F_OK) == 0 && !(cdkjson = lc_json_load_file(cdkjson_path, err))) {
        lc_free(cdkjson_path);
        return LC_EINVAL;
    }
    lc_free(cdkjson_path);
    const char *app = opts->app ? opts->app : lc_json_str(cdkjson, "app");
    if (!app || !*app) {
        json_decref(cdkjson);
        return lc_error_set(err, LC_EINVAL, 0, NULL,
                            "--app is required either in command-line, in cdk.json or in ~/.cdk.json (in %s)", dir);
    }
    int rc = 0;
    char *app_dir = s_abs(dir, app);
    if (s_is_dir(app_dir)) {
        /* An existing assembly (`--app cdk.out`): nothing to run. */
        *assembly_dir = app_dir;
        app_dir = NULL;
    } else {
        char *outdir = s_abs(dir, opts->outdir ? opts->outdir : "cdk.out");
        mkdir(outdir, 0755);
        json_t *ctx = s_context(dir, cdkjson);
        char *ctx_text = lc_json_stringify(ctx, 0);
        json_decref(ctx);
        rc = s_run(dir, app, outdir, ctx_text, err);
        lc_free(ctx_text);
        if (rc == 0)
            *assembly_dir = outdir;
        else
            lc_free(outdir);
    }
    lc_free(app_dir);
    json_decref(cdkjson);
    if (rc != 0)
        return rc;

    lc_cdk_stack_info *stacks;
    size_t n;
    rc = lc_cdk_assembly_stacks(*assembly_dir, &stacks, &n, err);
    if (rc != 0) {
        lc_free(*assembly_dir);
        *assembly_dir = NULL;
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        lc_cdk_check_runtimes(stacks[i].template_path, stacks[i].name, !opts->quiet);
    lc_cdk_stack_infos_free(stacks, n);
    return 0;
}

int lc_cdk_assembly_stacks(const char *assembly_dir, lc_cdk_stack_info **stacks, size_t *count,
                           struct lc_error *err)
{
    *stacks = NULL;
    *count = 0;
    char *p = lc_asprintf("%s/manifest.json", assembly_dir);
    json_t *m = lc_json_load_file(p, err);
    lc_free(p);
    if (!m)
        return lc_error_set(err, LC_ENOTFOUND, 0, NULL,
                            "%s is not a cloud assembly (no readable manifest.json): %s", assembly_dir, err ? err->message : "");
    json_t *arts = json_object_get(m, "artifacts");
    const char *k;
    json_t *a;
    size_t n = 0;
    lc_cdk_stack_info *v = lc_calloc(json_object_size(arts) + 1, sizeof *v);
    json_object_foreach(arts, k, a) {
        const char *type = lc_json_str(a, "type");
        if (!type || strcmp(type, "aws:cloudformation:stack"))
            continue;
        const char *tf = lc_json_str(json_object_get(a, "properties"), "templateFile");
        const char *env = lc_json_str(a, "environment");
        v[n].name = lc_strdup(k);
        v[n].template_path = lc_asprintf("%s/%s", assembly_dir, tf ? tf : "");
        v[n].environment = lc_strdup(env ? env : "aws://unknown-account/unknown-region");
        n++;
    }
    json_decref(m);
    *stacks = v;
    *count = n;
    return 0;
}

void lc_cdk_stack_infos_free(lc_cdk_stack_info *stacks, size_t count)
{
    for (size_t i = 0; stacks && i < count; i++) {
        lc_free(stacks[i].name);
        lc_free(stacks[i].template_path);
        lc_free(stacks[i].environment);
    }
    lc_free(stacks);
}

int lc_cdk_check_runtimes(const char *template_path, const char *stack_name, bool print)
{
    json_t *t = json_load_file(template_path, 0, NULL);
    if (!t)
        return LC_EIO;
    int found = 0;
    const char *lid;
    json_t *r;
    json_object_foreach(json_object_get(t, "Resources"), lid, r) {
        const char *type = lc_json_str(r, "Type");
        if (!type || strcmp(type, "AWS::Lambda::Function"))
            continue;
        char *w = lc_cdk_runtime_warning(lc_json_str(json_object_get(r, "Properties"), "Runtime"));
        if (!w)
            continue;
        if (print) {
            const char *path = lc_json_str(json_object_get(r, "Metadata"), "aws:cdk:path");
            fprintf(stderr, "WARNING Runtime: %s (CloudFormation Validate)\n   %s (%s)\n", w,
                    path ? path : stack_name, lid);
        }
        lc_free(w);
        found++;
    }
    json_decref(t);
    return found;
}
