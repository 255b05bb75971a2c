/* assembly.c: lc_app_synth: validation, then the cloud assembly files CDK writes. */
#include "cdk/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"
#include "leastcloud/log.h"

#define CDK_VERSION "2.276.0"
#define ASM_VERSION "55.0.0"
#define QUALIFIER_PARAM "/cdk-bootstrap/hnb659fds/version"
#define STRICT_FLAG "@aws-cdk/core:validateAgainstDefaultRules"

static int s_mkdirs(const char *dir, struct lc_error *err)
{
    char *p = lc_strdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    }
    int rc = 0;
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        rc = lc_error_set(err, LC_EIO, 0, NULL, "Cannot create the output directory %s: %s", dir, strerror(errno));
    lc_free(p);
    return rc;
}

/* ---- tree.json ------------------------------------------------------------------------------- */

static bool s_is_json_typed(const char *key)
{
    static const char *const keys[] = {"PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "Variables"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i]))
            return true;
    return false;
}

/* CDK shows L1 props under their TypeScript names: lower camel case, JSON-typed values as is. */
static json_t *s_camel(const json_t *v)
{
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) json_array_append_new(a, s_camel(e));
        return a;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    json_t *o = json_object();
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)v, k, e) {
        if (!strncmp(k, "Fn::", 4) || !strcmp(k, "Ref")) {
            json_object_set_new(o, k, json_deep_copy(e));
            continue;
        }
        char *ck = lc_strdup(k);
        if (ck[0] >= 'A' && ck[0] <= 'Z')
            ck[0] = (char)(ck[0] - 'A' + 'a');
        json_object_set_new(o, ck, s_is_json_typed(k) ? json_deep_copy(e) : s_camel(e));
        lc_free(ck);
    }
    return o;
}

static json_t *s_tree_leaf(const char *id, const char *path, const char *fqn, const char *version)
{
    return json_pack("{s:s,s:s,s:{s:s,s:s}}", "id", id, "path", path, "constructInfo", "fqn", fqn,
                     "version", version);
}

static json_t *s_tree_node(struct lc_node *n)
{
    struct lc_app *app = n->app;
    json_t *o = s_tree_leaf(n->kind == N_APP ? "App" : n->id, n->path, n->fqn, CDK_VERSION);
    if (n->cfn && n->kind != N_OUTPUT) {
        json_t *props = lc__resolve(app, n->cfn->props);
        json_t *attrs = json_pack("{s:s,s:s,s:o}", "aws:cdk:cloudformation:type", n->cfn->type,
                                  "aws:cdk:cloudformation:logicalId", n->cfn->logical_id,
                                  "aws:cdk:cloudformation:props", s_camel(props));
        json_decref(props);
        json_object_set_new(o, "attributes", attrs);
    }
    json_t *children = json_object();
    for (size_t i = 0; i < n->nchildren; i++)
        json_object_set_new(children, n->children[i]->id, s_tree_node(n->children[i]));
    if (n->kind == N_STACK) {
        char *p1 = lc_asprintf("%s/BootstrapVersion", n->path), *p2 = lc_asprintf("%s/CheckBootstrapVersion", n->path);
        json_object_set_new(children, "BootstrapVersion", s_tree_leaf("BootstrapVersion", p1, "aws-cdk-lib.CfnParameter", CDK_VERSION));
        json_object_set_new(children, "CheckBootstrapVersion", s_tree_leaf("CheckBootstrapVersion", p2, "aws-cdk-lib.CfnRule", CDK_VERSION));
        lc_free(p1);
        lc_free(p2);
    }
    if (n->kind == N_APP)
        json_object_set_new(children, "Tree", s_tree_leaf("Tree", "Tree", "constructs.Construct", "10.8.1"));
    if (json_object_size(children)) {
        /* CDK lists children after constructInfo, attributes after children. */
        json_t *attrs = json_incref(json_object_get(o, "attributes"));
        json_object_del(o, "attributes");
        json_object_set_new(o, "children", children);
        if (attrs)
            json_object_set_new(o, "attributes", attrs);
    } else {
        json_decref(children);
    }
    return o;
}

/* ---- assets.json and manifest.json ----------------------------------------------------------- */

static json_t *s_destination(const char *object_key, char **key_out)
{
    const char *bucket = "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}";
    const char *role = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-file-publishing-role-${AWS::AccountId}-${AWS::Region}";
    json_t *d = json_pack("{s:s,s:s,s:s}", "bucketName", bucket, "objectKey", object_key, "assumeRoleArn", role);
    char *text = lc_json_stringify(d, 0);
    char hex[65];
    lc_sha256_hex(text, strlen(text), hex);
    lc_free(text);
    *key_out = lc_asprintf("current_account-current_region-%.8s", hex);
    return d;
}

static void s_add_file_asset(json_t *files, const char *hash, const char *display, const char *path,
                             const char *packaging, const char *ext)
{
    char *object_key = lc_asprintf("%s%s", hash, ext), *dkey;
    json_t *dest = s_destination(object_key, &dkey);
    json_t *dests = json_object();
    json_object_set_new(dests, dkey, dest);
    json_object_set_new(files, hash, json_pack("{s:s,s:{s:s,s:s},s:o}", "displayName", display, "source",
                                               "path", path, "packaging", packaging, "destinations", dests));
    lc_free(object_key);
    lc_free(dkey);
}

struct fn_list {
    struct lc_node **v;
    size_t n;
};

static void s_collect_functions(struct lc_node *n, void *ctx)
{
    struct fn_list *l = ctx;
    if (n->kind == N_FUNCTION) {
        l->v = lc_realloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = n;
    }
}

static char *s_rel_path(struct lc_node *n)
{
    struct lc_node *stack = lc__stack_of(n);
    return lc_strdup(n->path + strlen(stack->path) + 1);
}

static int s_write(const char *outdir, const char *name, const json_t *v, int indent, char hex_out[65],
                   struct lc_error *err)
{
    char *path = lc_asprintf("%s/%s", outdir, name);
    char *text = lc_json_stringify(v, indent);
    if (hex_out)
        lc_sha256_hex(text, strlen(text), hex_out);
    int rc = lc_file_write(path, text, strlen(text), 0644, err);
    lc_free(text);
    lc_free(path);
    return rc;
}

static int s_synth_stack(struct lc_node *stack, const char *outdir, json_t *artifacts, struct lc_error *err)
{
    struct lc_app *app = stack->app;
    const char *name = stack->id;
    json_t *tpl = lc__stack_template(stack);
    char *tpl_file = lc_asprintf("%s.template.json", name);
    char tpl_hash[65];
    int rc = s_write(outdir, tpl_file, tpl, 1, tpl_hash, err);
    json_decref(tpl);

    /* Assets: every function's code, staged once per hash, then the template itself. */
    json_t *files = json_object();
    struct fn_list fns = {0};
    lc__nodes_walk(stack, s_collect_functions, &fns);
    for (size_t i = 0; rc == 0 && i < fns.n; i++) {
        struct lc_node *f = fns.v[i];
        if (!f->u.fn.asset_source || json_object_get(files, f->u.fn.asset_hash))
            continue;
        rc = lc__asset_stage(f->u.fn.asset_source, outdir, f->u.fn.asset_hash, err);
        char *rel = s_rel_path(f), *display = lc_asprintf("%s/Code", rel), *src = lc_asprintf("asset.%s", f->u.fn.asset_hash);
        s_add_file_asset(files, f->u.fn.asset_hash, display, src, "zip", ".zip");
        lc_free(rel);
        lc_free(display);
        lc_free(src);
    }
    lc_free(fns.v);
    char *display = lc_asprintf("%s Template", name);
    s_add_file_asset(files, tpl_hash, display, tpl_file, "file", ".json");
    lc_free(display);
    json_t *assets = json_pack("{s:s,s:o,s:{}}", "version", ASM_VERSION, "files", files, "dockerImages");
    char *assets_file = lc_asprintf("%s.assets.json", name);
    if (rc == 0)
        rc = s_write(outdir, assets_file, assets, 2, NULL, err);
    json_decref(assets);

    /* Metadata: the template file and the logical IDs, keyed by construct path. */
    json_t *md = json_object();
    char *stack_key = lc_asprintf("/%s", name);
    json_object_set_new(md, stack_key, json_pack("[{s:s,s:s}]", "type", "aws:cdk:templateFile", "data", tpl_file));
    lc_free(stack_key);
    char *md_file = lc_asprintf("%s.metadata.json", name);
    if (rc == 0)
        rc = s_write(outdir, md_file, md, 2, NULL, err);
    json_decref(md);

    char *env = lc_asprintf("aws://%s/%s", stack->u.stack.account ? stack->u.stack.account : "unknown-account",
                            stack->u.stack.region ? stack->u.stack.region : "unknown-region");
    char *assets_id = lc_asprintf("%s.assets", name);
    char *url = lc_asprintf("s3://cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/%s.json", tpl_hash);
    json_object_set_new(artifacts, assets_id, json_pack(
        "{s:s,s:{s:s,s:i,s:s}}", "type", "cdk:asset-manifest", "properties", "file", assets_file,
        "requiresBootstrapStackVersion", 6, "bootstrapStackVersionSsmParameter", QUALIFIER_PARAM));
    json_t *props = json_pack(
        "{s:s,s:b,s:b,s:s,s:s,s:s,s:i,s:s,s:[s],s:{s:s,s:i,s:s}}", "templateFile", tpl_file,
        "terminationProtection", stack->u.stack.termination_protection, "validateOnSynth", 0,
        "assumeRoleArn", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}",
        "cloudFormationExecutionRoleArn", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}",
        "stackTemplateAssetObjectUrl", url, "requiresBootstrapStackVersion", 6,
        "bootstrapStackVersionSsmParameter", QUALIFIER_PARAM, "additionalDependencies", assets_id,
        "lookupRole", "arn", "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role-${AWS::AccountId}-${AWS::Region}",
        "requiresBootstrapStackVersion", 8, "bootstrapStackVersionSsmParameter", QUALIFIER_PARAM);
    json_object_set_new(artifacts, name, json_pack("{s:s,s:s,s:o,s:[s],s:s,s:s}", "type", "aws:cloudformation:stack",
                                                   "environment", env, "properties", props, "dependencies",
                                                   assets_id, "additionalMetadataFile", md_file, "displayName", name));
    (void)app;
    lc_free(env);
    lc_free(assets_id);
    lc_free(url);
    lc_free(md_file);
    lc_free(assets_file);
    lc_free(tpl_file);
    return rc;
}

/* ---- Validation report (CDK's built-in CloudFormation Validate plugin, runtime rule) --------- */

static size_t s_runtime_findings(struct lc_app *app, bool print)
{
    size_t found = 0;
    for (size_t s = 0; s < app->root.nchildren; s++) {
        struct fn_list fns = {0};
        lc__nodes_walk(app->root.children[s], s_collect_functions, &fns);
        for (size_t i = 0; i < fns.n; i++) {
            char *w;
            if (!lc__function_deprecated_runtime(fns.v[i], &w))
                continue;
            if (print && found == 0 && !lc__context_flag(app, STRICT_FLAG))
                fprintf(stderr, "[Warning] Template validation found issues in your templates (reported as warnings).\n"
                                "Set feature flag \"%s\" to true to turn these into errors.\n", STRICT_FLAG);
            if (print)
                fprintf(stderr, "%s Runtime: %s (CloudFormation Validate)\n   %s (%s) %s\n"
                                "   Acknowledge with 'CloudFormation-Validate::E2531'\n",
                        lc__context_flag(app, STRICT_FLAG) ? "ERROR" : "WARNING", w,
                        fns.v[i]->resource->path, fns.v[i]->resource->cfn->logical_id, fns.v[i]->resource->fqn);
            lc_free(w);
            found++;
        }
        lc_free(fns.v);
    }
    return found;
}

int lc_app_synth_to(lc_app *app, const char *outdir, struct lc_error *err)
{
    if (app->nerrors)
        return lc_error_set(err, LC_EINVAL, 0, NULL, "%s", lc_app_errors(app));
    if (app->root.nchildren == 0)
        lc_log(LC_LOG_INFO, "cdk", "the app has no stacks");
    int rc = s_mkdirs(outdir, err);
    json_t *artifacts = json_object();
    for (size_t i = 0; rc == 0 && i < app->root.nchildren; i++)
        if (app->root.children[i]->kind == N_STACK)
            rc = s_synth_stack(app->root.children[i], outdir, artifacts, err);
    if (rc == 0 && app->nerrors)  /* errors found while rendering (duplicate logical IDs) */
        rc = lc_error_set(err, LC_EINVAL, 0, NULL, "%s", lc_app_errors(app));
    json_object_set_new(artifacts, "Tree", json_pack("{s:s,s:{s:s}}", "type", "cdk:tree", "properties", "file", "tree.json"));
    if (rc == 0) {
        json_t *tree = json_pack("{s:s,s:o}", "version", "tree-0.1", "tree", s_tree_node(&app->root));
        rc = s_write(outdir, "tree.json", tree, 0, NULL, err);
        json_decref(tree);
    }
    if (rc == 0) {
        json_t *manifest = json_pack("{s:s,s:O,s:s}", "version", ASM_VERSION, "artifacts", artifacts,
                                     "minimumCliVersion", "2.1148.2");
        rc = s_write(outdir, "manifest.json", manifest, 2, NULL, err);
        json_decref(manifest);
    }
    json_decref(artifacts);
    if (rc == 0) {
        json_t *v = json_pack("{s:s}", "version", ASM_VERSION);
        rc = s_write(outdir, "cdk.out", v, 0, NULL, err);
        json_decref(v);
    }
    if (rc == 0) {
        const char *validation = getenv("CDK_VALIDATION");
        bool enabled = !(validation && !strcmp(validation, "false"));
        bool quiet = getenv("LC_CDK_NO_VALIDATION_OUTPUT") != NULL;
        size_t n = enabled ? s_runtime_findings(app, !quiet) : 0;
        if (n && lc__context_flag(app, STRICT_FLAG))
            rc = lc_error_set(err, LC_EINVAL, 0, NULL,
                              "Synthesis finished with errors: %zu deprecated Lambda runtime finding(s)", n);
    }
    return rc;
}

int lc_app_synth(lc_app *app)
{
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_app_synth_to(app, app->outdir, &err);
    if (rc != 0) {
        fprintf(stderr, "%s", err.message);
        if (err.message[0] && err.message[strlen(err.message) - 1] != '\n')
            fputc('\n', stderr);
        return 1;
    }
    return 0;
}
