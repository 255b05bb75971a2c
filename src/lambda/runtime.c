/* runtime.c: which program runs a function, and the environment Lambda gives it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

enum lc__lambda_kind lc__lambda_kind(const char *runtime)
{
    if (!runtime)
        return LC__LAMBDA_UNKNOWN;
    /* Every Node.js name runs on the machine's Node (the blog's nodejs14.x included). */
    if (lc_str_starts_with(runtime, "nodejs"))
        return LC__LAMBDA_NODE;
    if (lc_str_starts_with(runtime, "python3"))
        return LC__LAMBDA_PYTHON;
    if (lc_str_starts_with(runtime, "provided"))
        return LC__LAMBDA_PROVIDED;
    return LC__LAMBDA_UNKNOWN;
}

void lc__lambda_env_set(struct lc__lambda_env *e, const char *name, const char *value)
{
    size_t nlen = strlen(name);
    char *entry = lc_asprintf("%s=%s", name, value ? value : "");
    for (size_t i = 0; i < e->n; i++) {
        if (!strncmp(e->vars[i], name, nlen) && e->vars[i][nlen] == '=') {
            lc_free(e->vars[i]);
            e->vars[i] = entry;
            return;
        }
    }
    if (e->n + 2 > e->cap) {
        e->cap = e->cap ? e->cap * 2 : 32;
        e->vars = lc_realloc(e->vars, e->cap * sizeof *e->vars);
    }
    e->vars[e->n++] = entry;
    e->vars[e->n] = NULL;
}

const char *lc__lambda_env_get(const struct lc__lambda_env *e, const char *name)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < e->n; i++)
        if (!strncmp(e->vars[i], name, nlen) && e->vars[i][nlen] == '=')
            return e->vars[i] + nlen + 1;
    return NULL;
}

void lc__lambda_env_free(struct lc__lambda_env *e)
{
    for (size_t i = 0; i < e->n; i++)
        lc_free(e->vars[i]);
    lc_free(e->vars);
    memset(e, 0, sizeof *e);
}

static void s_pass_through(struct lc__lambda_env *e, const char *name)
{
    const char *v = getenv(name);
    if (v)
        lc__lambda_env_set(e, name, v);
}

int lc__lambda_env_build(const struct lc__lambda_env_inputs *in, struct lc__lambda_env *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    const struct lc_lambda_function *fn = in->fn;
    if (fn->environment && *fn->environment) {
        json_error_t je;
        json_t *vars = json_loads(fn->environment, 0, &je);
        if (!json_is_object(vars)) {
            json_decref(vars);
            return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValueException",
                                "The environment of function %s is not a JSON object", fn->name);
        }
        const char *k;
        json_t *v;
        json_object_foreach(vars, k, v) {
            if (json_is_string(v))
                lc__lambda_env_set(out, k, json_string_value(v));
        }
        json_decref(vars);
    }
    /* The host's own variables a runtime needs to find its interpreter (pyenv shims, libraries). */
    const char *pass[] = {"PATH", "HOME", "PYENV_ROOT", "PYENV_VERSION", "LD_LIBRARY_PATH"};
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++)
        s_pass_through(out, pass[i]);
    if (!lc__lambda_env_get(out, "PATH"))
        lc__lambda_env_set(out, "PATH", "/usr/local/bin:/usr/bin:/bin");

    char buf[256];
    lc__lambda_env_set(out, "_HANDLER", fn->handler);
    lc__lambda_env_set(out, "AWS_REGION", in->region);
    lc__lambda_env_set(out, "AWS_DEFAULT_REGION", in->region);
    snprintf(buf, sizeof buf, "AWS_Lambda_%s", fn->runtime);
    lc__lambda_env_set(out, "AWS_EXECUTION_ENV", buf);
    lc__lambda_env_set(out, "AWS_LAMBDA_FUNCTION_NAME", fn->name);
    snprintf(buf, sizeof buf, "%d", fn->memory_mb > 0 ? fn->memory_mb : 128);
    lc__lambda_env_set(out, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", buf);
    lc__lambda_env_set(out, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    lc__lambda_env_set(out, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    snprintf(buf, sizeof buf, "/aws/lambda/%s", fn->name);
    lc__lambda_env_set(out, "AWS_LAMBDA_LOG_GROUP_NAME", buf);
    char date[21], uuid[37];
    lc_time_format_iso(lc_clock_now_ms(), date);
    date[10] = '\0';
    for (char *p = date; *p; p++)
        if (*p == '-')
            *p = '/';
    lc__lambda_uuid(uuid);
    snprintf(buf, sizeof buf, "%s/[$LATEST]%.8s%.4s%.4s%.4s%.12s", date, uuid, uuid + 9, uuid + 14, uuid + 19, uuid + 24);
    lc__lambda_env_set(out, "AWS_LAMBDA_LOG_STREAM_NAME", buf);
    lc__lambda_env_set(out, "AWS_ACCESS_KEY_ID", in->creds->key_id);
    lc__lambda_env_set(out, "AWS_SECRET_ACCESS_KEY", in->creds->secret);
    lc__lambda_env_set(out, "AWS_SESSION_TOKEN", in->creds->session_token);
    lc__lambda_env_set(out, "AWS_LAMBDA_RUNTIME_API", in->runtime_api);
    lc__lambda_env_set(out, "LAMBDA_TASK_ROOT", fn->code_dir);
    lc__lambda_env_set(out, "LAMBDA_RUNTIME_DIR", in->runtime_dir);
    lc__lambda_env_set(out, "TZ", ":UTC");
    lc__lambda_env_set(out, "LANG", "en_US.UTF-8");
    if (in->endpoint_url && *in->endpoint_url)
        lc__lambda_env_set(out, "AWS_ENDPOINT_URL", in->endpoint_url);
    switch (lc__lambda_kind(fn->runtime)) {
    case LC__LAMBDA_NODE:
        if (in->node_path)
            lc__lambda_env_set(out, "NODE_PATH", in->node_path);
        break;
    case LC__LAMBDA_PYTHON:
        lc__lambda_env_set(out, "PYTHONUNBUFFERED", "1");
        lc__lambda_env_set(out, "PYTHONDONTWRITEBYTECODE", "1");
        break;
    default:
        break;
    }
    return 0;
}

char *lc__lambda_which(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len) {
            char *cand = lc_asprintf("%.*s/%s", (int)len, p, name);
            if (access(cand, X_OK) == 0)
                return cand;
            lc_free(cand);
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    return NULL;
}

int lc__lambda_argv(enum lc__lambda_kind kind, const char *runtime_dir, const char *code_dir, char ***argv,
                    struct lc_error *err)
{
    char **a = lc_calloc(3, sizeof *a);
    switch (kind) {
    case LC__LAMBDA_NODE:
        a[0] = lc__lambda_which("node");
        a[1] = lc_asprintf("%s/bootstrap.js", runtime_dir);
        break;
    case LC__LAMBDA_PYTHON:
        a[0] = lc__lambda_which("python3");
        a[1] = lc_asprintf("%s/bootstrap.py", runtime_dir);
        break;
    case LC__LAMBDA_PROVIDED: {
        a[0] = lc_asprintf("%s/bootstrap", code_dir);
        struct stat st;
        if (stat(a[0], &st) != 0 || !S_ISREG(st.st_mode) || access(a[0], X_OK) != 0) {
            lc__lambda_argv_free(a);
            /* AWS: the function error a provided runtime without bootstrap reports. */
            return lc_error_set(err, LC_ENOTFOUND, 200, "Runtime.InvalidEntrypoint",
                                "Couldn't find valid bootstrap(s): [%s/bootstrap]", code_dir);
        }
        break;
    }
    default:
        lc_free(a);
        return lc_error_set(err, LC_EUNSUPPORTED, 502, "InvalidRuntimeException", "The runtime is not supported");
    }
    if (!a[0]) {
        const char *prog = kind == LC__LAMBDA_NODE ? "node" : "python3";
        lc__lambda_argv_free(a);
        return lc_error_set(err, LC_EUNSUPPORTED, 502, "InvalidRuntimeException",
                            "%s, which runs this function's runtime, is not on this machine's PATH", prog);
    }
    *argv = a;
    return 0;
}

void lc__lambda_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        lc_free(argv[i]);
    lc_free(argv);
}
