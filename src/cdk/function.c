/* function.c: Lambda Function (CDK's aws_lambda.Function): code, service role, log group, invoke grant. */
#include "cdk/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

#define LOG_GROUP_FLAG "@aws-cdk/aws-lambda:useCdkManagedLogGroup"
#define ASSET_BUCKET "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"

static void s_check_name(struct lc_node *f, const char *name)
{
    if (!name || lc_token_is_unresolved(name))
        return;
    size_t n = strlen(name);
    if (n > 64)
        lc__app_error(f->app, "%s: Function name can not be longer than 64 characters but has %zu characters.",
                      f->path, n);
    if (n == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
        lc__app_error(f->app, "%s: Function name %s can contain only letters, numbers, hyphens, or "
                              "underscores with no spaces.", f->path, name);
}

static void s_code(struct lc_node *f, const lc_function_props *props, json_t *p)
{
    struct lc_app *app = f->app;
    if (props->code.kind == LC_CODE_INLINE) {
        if (!props->code.path_or_source || !*props->code.path_or_source)
            lc__app_error(app, "%s: Inline source for Lambda function cannot be empty", f->path);
        json_object_set_new(p, "Code", json_pack("{s:s}", "ZipFile", props->code.path_or_source ? props->code.path_or_source : ""));
        return;
    }
    if (props->code.kind != LC_CODE_ASSET || !props->code.path_or_source) {
        lc__app_error(app, "%s: code is required (lc_code_from_asset or lc_code_from_inline)", f->path);
        return;
    }
    const char *path = props->code.path_or_source;
    if (!lc__literal_required(app, "code asset path", path))
        return;
    char abs[PATH_MAX];
    struct lc_error err;
    if (!realpath(path, abs) || lc_cdk_asset_hash(abs, f->u.fn.asset_hash, &err) != 0) {
        char cwd[PATH_MAX];
        if (path[0] != '/' && getcwd(cwd, sizeof cwd))
            lc__app_error(app, "%s: Cannot find asset at %s/%s", f->path, cwd, path);
        else
            lc__app_error(app, "%s: Cannot find asset at %s", f->path, path);
        return;
    }
    f->u.fn.asset_source = lc_strdup(abs);
    /* The asset construct and its children, as CDK's tree shows them. */
    struct lc_node *code = lc__node_new(f, "Code", N_PLAIN, "aws-cdk-lib.aws_s3_assets.Asset");
    lc__node_new(code, "Stage", N_PLAIN, "aws-cdk-lib.AssetStaging");
    lc__node_new(code, "AssetBucket", N_PLAIN, "aws-cdk-lib.aws_s3.BucketBase");
    char *key = lc_asprintf("%s.zip", f->u.fn.asset_hash);
    json_object_set_new(p, "Code", json_pack("{s:{s:s},s:s}", "S3Bucket", "Fn::Sub", ASSET_BUCKET, "S3Key", key));
    lc_free(key);
}

lc_function *lc_function_new(lc_construct *scope, const char *id, const lc_function_props *props)
{
    static const lc_function_props none;
    if (!props)
        props = &none;
    struct lc_node *f = lc__node_new(scope, id, N_FUNCTION, "aws-cdk-lib.aws_lambda.Function");
    struct lc_app *app = f->app;
    f->u.fn.runtime = props->runtime;
    const char *runtime = lc_runtime_name(props->runtime);
    if (!runtime)
        lc__app_error(app, "%s: runtime is required (LC_RUNTIME_NODEJS_20_X, ...)", f->path);
    bool image = props->runtime == LC_RUNTIME_FROM_IMAGE;
    if (!props->handler && !image)
        lc__app_error(app, "%s: handler is required (e.g. \"index.handler\")", f->path);
    s_check_name(f, props->function_name);
    if (props->timeout_s < 0 || props->timeout_s > 900)
        lc__app_error(app, "%s: Function timeout must be between 1 and 900 seconds (15 minutes), got %d seconds",
                      f->path, props->timeout_s);
    if (props->memory_size_mb && (props->memory_size_mb < 128 || props->memory_size_mb > 10240))
        lc__app_error(app, "%s: memory_size_mb must be between 128 and 10240 MB, got %d", f->path,
                      props->memory_size_mb);

    if (props->role) {
        f->u.fn.role = props->role;
    } else {
        f->u.fn.role = lc_role_new(f, "ServiceRole", &(lc_role_props){
            .assumed_by = "lambda.amazonaws.com",
            .managed_policies = {"service-role/AWSLambdaBasicExecutionRole"},
        });
    }
    json_t *p = json_object();
    s_code(f, props, p);
    f->resource = lc__cfn_child(f, "Resource", "AWS::Lambda::Function", "aws-cdk-lib.aws_lambda.CfnFunction");
    struct cfn *c = f->resource->cfn;
    json_object_update(c->props, p);
    json_decref(p);
    p = c->props;
    if (props->description)
        json_object_set_new(p, "Description", json_string(props->description));
    size_t nenv = 0;
    while (nenv < LC_CDK_MAX_ENV && props->environment[nenv].name)
        nenv++;
    if (nenv) {
        json_t *vars = json_object();
        for (size_t i = 0; i < nenv; i++) {
            const lc_env_var *e = &props->environment[i];
            if (!lc__literal_required(app, "environment variable name", e->name))
                continue;
            json_object_set_new(vars, e->name, json_string(e->value ? e->value : ""));
        }
        json_object_set_new(p, "Environment", json_pack("{s:o}", "Variables", vars));
    }
    if (props->function_name)
        json_object_set_new(p, "FunctionName", json_string(props->function_name));
    if (props->handler)
        json_object_set_new(p, "Handler", json_string(props->handler));
    if (props->memory_size_mb)
        json_object_set_new(p, "MemorySize", json_integer(props->memory_size_mb));
    if (f->u.fn.role && f->u.fn.role->resource)
        json_object_set_new(p, "Role", json_string(lc_role_arn(f->u.fn.role)));
    if (runtime && !image)
        json_object_set_new(p, "Runtime", json_string(runtime));
    if (props->timeout_s)
        json_object_set_new(p, "Timeout", json_integer(props->timeout_s));
    if (f->u.fn.role)
        lc__node_add_dep(f->resource, f->u.fn.role);
    if (f->u.fn.asset_source && lc__context_flag(app, "aws:cdk:enable-asset-metadata")) {
        char *ap = lc_asprintf("asset.%s", f->u.fn.asset_hash);
        c->asset_metadata = json_pack("{s:s,s:b,s:s}", "aws:asset:path", ap, "aws:asset:is-bundled", 0,
                                      "aws:asset:property", "Code");
        lc_free(ap);
    }
    if (lc__context_flag(app, LOG_GROUP_FLAG)) {
        struct lc_node *lg = lc__node_new(f, "LogGroup", N_PLAIN, "aws-cdk-lib.aws_logs.LogGroup");
        lg->resource = lc__cfn_child(lg, "Resource", "AWS::Logs::LogGroup", "aws-cdk-lib.aws_logs.CfnLogGroup");
        char *name = lc_asprintf("/aws/lambda/%s", lc_function_name(f));
        json_object_set_new(lg->resource->cfn->props, "LogGroupName", json_string(name));
        lc_free(name);
        json_object_set_new(lg->resource->cfn->props, "RetentionInDays", json_integer(731));
        lg->resource->cfn->update_replace_policy = lg->resource->cfn->deletion_policy = "Retain";
        f->u.fn.log_group = lg;
    }
    return f;
}

const char *lc_function_name(lc_function *f) { return lc__ref(f->resource); }
const char *lc_function_arn(lc_function *f) { return lc__getatt(f->resource, "Arn"); }
lc_role *lc_function_role(lc_function *f) { return f->u.fn.role; }
lc_grantable *lc_function_grantable(lc_function *f) { return f; }

int lc_function_grant_invoke(lc_function *f, lc_grantable *g)
{
    if (!f || f->kind != N_FUNCTION)
        return LC_EINVAL;
    char *versions = lc_asprintf("%s:*", lc_function_arn(f));
    const char *arns[] = {lc_function_arn(f), versions};
    const char *act[] = {"lambda:InvokeFunction"};
    int rc = lc__grant(g, act, 1, arns, 2);
    lc_free(versions);
    return rc;
}

bool lc__function_deprecated_runtime(struct lc_node *fn, char **warning)
{
    *warning = lc_cdk_runtime_warning(lc_runtime_name(fn->u.fn.runtime));
    return *warning != NULL;
}
