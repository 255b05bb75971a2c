/* run.c: what every stack operation needs: the template, its evaluation, events and live values. */
#include "deploy/run.h"

#include <ctype.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/str.h"

/* ---- resolving Ref and Fn::GetAtt against what exists ---- */

static int s_ref(void *ud, const char *logical, json_t **out, struct lc_error *err)
{
    struct lc_run *run = ud;
    const char *id = json_string_value(json_object_get(json_object_get(run->live, logical), "id"));
    if (!id)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Template error: resource %s is referenced but does not exist (is its Condition "
                            "false?)", logical);
    *out = json_string(id);
    return 0;
}

static int s_getatt(void *ud, const char *logical, const char *attr, json_t **out, struct lc_error *err)
{
    struct lc_run *run = ud;
    const json_t *entry = json_object_get(run->live, logical);
    if (!entry)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Template error: resource %s is referenced but does not exist (is its Condition "
                            "false?)", logical);
    const json_t *v = json_object_get(json_object_get(entry, "attrs"), attr);
    if (!v)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Template error: resource %s does not support attribute type %s in Fn::GetAtt",
                            logical, attr);
    *out = json_incref((json_t *)v);
    return 0;
}

static char *s_import(void *ud, const char *name)
{
    struct lc_run *run = ud;
    char *v = lc_store_export_get(run->store, name);
    if (v && *run->stack.stack_id)
        lc_store_import_put(run->store, run->stack.stack_id, name, NULL);
    return v;
}

int lc_run_init(struct lc_run *run, struct lc_store *store, const struct lc_deploy_options *opt,
                struct lc_error *err)
{
    memset(run, 0, sizeof *run);
    run->store = store;
    run->opt = opt;
    run->live = json_object();
    run->ev.account = lc_store_account(store);
    run->ev.region = lc_store_region(store);
    run->ev.partition = "aws";
    run->ev.url_suffix = "amazonaws.com";
    run->ev.stack_name = opt && opt->stack_name ? opt->stack_name : "";
    run->ev.stack_id = "";
    run->ev.resolver = (struct lc_cfn_resolver){s_ref, s_getatt, s_import, run};
    /* Migrations take the write lock: all of them happen here, before any transaction opens. */
    int rc = lc_store_stacks_migrate(store, err);
    if (!rc)
        rc = lc_store_lambda_migrate(store, err);
    if (!rc)
        rc = lc_ddb_open(store, &run->ddb, err);
    return rc;
}

void lc_run_clear(struct lc_run *run)
{
    lc_ddb_free(run->ddb);
    json_decref(run->tmpl);
    json_decref(run->include);
    json_decref(run->live);
    json_decref(run->ev.params);
    json_decref(run->ev.conditions);
    lc_free(run->body);
    lc_free(run->template_dir);
    memset(run, 0, sizeof *run);
}

int lc_run_prepare(struct lc_run *run, struct lc_error *err)
{
    const struct lc_deploy_options *opt = run->opt;
    if (!opt->stack_name || !*opt->stack_name)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "a stack name is required");
    bool name_ok = strlen(opt->stack_name) <= 128 && isalpha((unsigned char)opt->stack_name[0]);
    for (const char *p = opt->stack_name; name_ok && *p; p++)
        name_ok = isalnum((unsigned char)*p) || *p == '-';
    if (!name_ok)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
                            opt->stack_name);
    size_t len;
    if (opt->template_body) {
        run->body = lc_strdup(opt->template_body);
        len = strlen(run->body);
    } else if (opt->template_path) {
        run->body = lc_file_read(opt->template_path, (size_t)1 << 26, &len, err);
        if (!run->body)
            return err ? err->code : LC_EIO;
        char *copy = lc_strdup(opt->template_path);
        run->template_dir = lc_strdup(dirname(copy));
        lc_free(copy);
    } else {
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "a template is required");
    }
    run->tmpl = lc_cfn_template_parse(run->body, len, err);
    if (!run->tmpl)
        return err ? err->code : LC_EINVAL;
    run->ev.template = run->tmpl;

    json_t *problems = json_array();
    run->ev.params = lc_cfn_parameters_resolve(run->tmpl, opt->parameters, opt->bootstrap_version, problems);
    lc_cfn_validate(run->tmpl, run->ev.params, problems);
    int rc = 0;
    if (!json_array_size(problems)) {
        /* Conditions and Rules need a sound template; evaluate them only then. */
        run->include = json_object();
        const char *name;
        json_t *def;
        json_object_foreach(json_object_get(run->tmpl, "Resources"), name, def) {
            const char *cond = json_string_value(json_object_get(def, "Condition"));
            bool on = true;
            if (cond && (rc = lc_cfn_condition(&run->ev, cond, &on, err)) != 0)
                break;
            if (on)
                json_object_set_new(run->include, name, json_true());
        }
        if (!rc)
            rc = lc_cfn_rules_check(&run->ev, problems, err);
    }
    if (!rc)
        rc = lc_cfn_problems_error(problems, err);
    json_decref(problems);
    return rc;
}

void lc_run_event(struct lc_run *run, const char *logical_id, const char *physical_id, const char *type,
                  const char *status, const char *reason)
{
    struct lc_stack_event ev;
    memset(&ev, 0, sizeof ev);
    lc_strlcpy(ev.stack_id, run->stack.stack_id, sizeof ev.stack_id);
    lc_strlcpy(ev.stack_name, run->stack.name, sizeof ev.stack_name);
    lc_strlcpy(ev.logical_id, logical_id ? logical_id : run->stack.name, sizeof ev.logical_id);
    lc_strlcpy(ev.physical_id, logical_id ? (physical_id ? physical_id : "") : run->stack.stack_id,
               sizeof ev.physical_id);
    lc_strlcpy(ev.resource_type, logical_id ? type : "AWS::CloudFormation::Stack", sizeof ev.resource_type);
    lc_strlcpy(ev.status, status, sizeof ev.status);
    lc_strlcpy(ev.reason, reason ? reason : "", sizeof ev.reason);
    if (lc_store_stack_event_add(run->store, &ev, &ev, NULL) != 0)
        return;
    if (run->opt && run->opt->on_event)
        run->opt->on_event(&ev, run->opt->ud);
}

static void s_warn(void *ud, const char *logical_id, const char *message)
{
    struct lc_run *run = ud;
    if (run->opt && run->opt->on_warning)
        run->opt->on_warning(logical_id, message, run->opt->ud);
}

struct lc_provider_call lc_run_call(struct lc_run *run, const char *logical_id, const char *type)
{
    struct lc_provider_call c = {
        .store = run->store,
        .ddb = run->ddb,
        .stack_name = run->stack.name,
        .stack_id = run->stack.stack_id,
        .logical_id = logical_id,
        .type = type,
        .account = run->ev.account,
        .region = run->ev.region,
        .partition = run->ev.partition,
        .assets_dir = run->opt && run->opt->assets_dir ? run->opt->assets_dir : run->template_dir,
        .template_dir = run->template_dir,
        .strict = run->opt && run->opt->strict,
        .warn = s_warn,
        .warn_ud = run,
    };
    return c;
}

static int s_live_row(const struct lc_stack_resource *r, void *ud)
{
    struct lc_run *run = ud;
    if (!r->physical_id)
        return 0;
    json_t *attrs = r->attributes ? json_loads(r->attributes, 0, NULL) : NULL;
    json_object_set_new(run->live, r->logical_id,
                        json_pack("{s:s, s:o}", "id", r->physical_id, "attrs", attrs ? attrs : json_object()));
    return 0;
}

int lc_run_load_live(struct lc_run *run, struct lc_error *err)
{
    json_object_clear(run->live);
    return lc_store_stack_resource_list(run->store, run->stack.stack_id, s_live_row, run, err);
}

int lc_run_outputs(struct lc_run *run, struct lc_error *err)
{
    json_t *outs = json_array();
    int rc = lc_store_export_clear(run->store, run->stack.stack_id, err);
    const char *key;
    json_t *def;
    json_object_foreach(json_object_get(run->tmpl, "Outputs"), key, def) {
        if (rc)
            break;
        const char *cond = json_string_value(json_object_get(def, "Condition"));
        bool on = true;
        if (cond && (rc = lc_cfn_condition(&run->ev, cond, &on, err)) != 0)
            break;
        if (!on)
            continue;
        json_t *v = NULL;
        if ((rc = lc_cfn_eval(&run->ev, json_object_get(def, "Value"), &v, err)) != 0)
            break;
        char *text = NULL;
        if (json_is_array(v)) {
            struct lc_buf b;
            lc_buf_init(&b, LC_BUF_UNLIMITED);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                char *s = lc_cfn_scalar_string(e);
                lc_buf_appendf(&b, "%s%s", i ? "," : "", s ? s : "");
                lc_free(s);
            }
            text = lc_buf_detach(&b, NULL);
        } else {
            text = v ? lc_cfn_scalar_string(v) : lc_strdup("");
        }
        json_decref(v);
        json_t *o = json_pack("{s:s, s:s}", "OutputKey", key, "OutputValue", text ? text : "");
        const char *desc = json_string_value(json_object_get(def, "Description"));
        if (desc)
            json_object_set_new(o, "Description", json_string(desc));
        const json_t *export_name = json_object_get(json_object_get(def, "Export"), "Name");
        if (export_name) {
            json_t *n = NULL;
            rc = lc_cfn_eval(&run->ev, export_name, &n, err);
            char *ns = n ? lc_cfn_scalar_string(n) : NULL;
            if (!rc && ns) {
                json_object_set_new(o, "ExportName", json_string(ns));
                rc = lc_store_export_put(run->store, run->stack.stack_id, ns, text ? text : "", err);
            }
            lc_free(ns);
            json_decref(n);
        }
        lc_free(text);
        json_array_append_new(outs, o);
    }
    if (!rc) {
        char *s = lc_json_stringify(outs, 0);
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "outputs", s, err);
        lc_free(s);
    }
    json_decref(outs);
    return rc;
}

void lc_run_step_delay(void)
{
    const char *d = getenv("LEASTCLOUD_DEPLOY_STEP_DELAY_MS");
    int64_t ms;
    if (!d || lc_parse_i64(d, &ms) != 0 || ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
