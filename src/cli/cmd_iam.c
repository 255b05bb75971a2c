/*
 * cmd_iam.c: `leastcloud iam simulate ...` (one case from flags, or JSON lines with --batch) and
 * `leastcloud iam lint FILE`. Both run the engine locally: no server, no state.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"
#include "leastcloud/json.h"

#define MAX_POLICY_FILE (1 << 20)
#define MAX_BATCH_LINE (4 << 20)

static void s_usage(FILE *out)
{
    fprintf(out, "usage: leastcloud iam simulate --policy FILE [--policy FILE] [--boundary FILE]\n"
                 "                               [--resource-policy FILE] [--session-policy FILE]\n"
                 "                               --principal ARN --action A --resource R\n"
                 "                               [--context key=value ...] [--json]\n"
                 "       leastcloud iam simulate --batch   (JSON lines on stdin, one result line each)\n"
                 "       leastcloud iam lint FILE [--json]\n");
}

/* Reads and parses one policy file into the set; fills err on failure. */
static int s_add_file(struct lc_iam_policy_set *set, enum lc_iam_layer layer, const char *path, struct lc_error *err)
{
    size_t len;
    char *text = lc_file_read(path, MAX_POLICY_FILE, &len, err);
    if (!text)
        return LC_EIO;
    struct lc_iam_policy *p = lc_iam_policy_parse(
        text, len, layer == LC_IAM_LAYER_RESOURCE ? LC_IAM_POLICY_RESOURCE : LC_IAM_POLICY_IDENTITY, err);
    lc_free(text);
    if (!p) {
        lc_error_prefix(err, "%s", path);
        return LC_EINVAL;
    }
    return lc_iam_policy_set_add(set, layer, path, p);
}

static json_t *s_decision_json(const struct lc_iam_request *r, const struct lc_iam_decision *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "decision", json_string(lc_iam_decision_name(d->kind)));
    if (d->layer != LC_IAM_LAYER_NONE)
        json_object_set_new(o, "layer", json_string(lc_iam_layer_phrase(d->layer)));
    if (d->policy_label) {
        json_t *st = json_object();
        json_object_set_new(st, "policy", json_string(d->policy_label));
        json_object_set_new(st, "index", json_integer(d->statement_index));
        json_object_set_new(st, "sid", json_string(d->sid));
        json_object_set_new(o, "statement", st);
    }
    if (d->kind != LC_IAM_ALLOWED) {
        struct lc_buf b;
        lc_buf_init(&b, 1 << 16);
        lc_iam_denial_message(r, d, &b);
        json_object_set_new(o, "message", json_string(b.data ? b.data : ""));
        lc_buf_free(&b);
    }
    return o;
}

static void s_print_json_line(json_t *o)
{
    char *s = lc_json_stringify(o, 0);
    puts(s);
    lc_free(s);
    json_decref(o);
}

/* --context key=value; a value of [a,b] adds a list. */
static void s_add_context_arg(struct lc_iam_request *r, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *key = lc_strndup(arg, (size_t)(eq - arg));
    const char *v = eq + 1;
    size_t vl = strlen(v);
    if (vl >= 2 && v[0] == '[' && v[vl - 1] == ']') {
        lc_iam_request_mark_multivalued(r, key);
        char *list = lc_strndup(v + 1, vl - 2);
        struct lc_cur c = lc_cur_from_str(list), item;
        while (c.len) {
            lc_cur_split(&c, ',', &item);
            char *s = lc_cur_dup(lc_cur_trim(item));
            lc_iam_request_add_context(r, key, s);
            lc_free(s);
        }
        lc_free(list);
    } else {
        lc_iam_request_add_context(r, key, v);
    }
    lc_free(key);
}

static int s_simulate_one(const struct lc_cli *cli, int argc, char **argv)
{
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    struct lc_iam_request *r = lc_iam_request_new();
    struct lc_error err;
    lc_error_clear(&err);
    const char *principal = NULL, *action = NULL, *resource = NULL;
    bool json = cli->json;
    int rc = LC_EXIT_OK;
    for (int i = 1; i < argc && rc == LC_EXIT_OK; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!v) {
            rc = lc_cli_usage_error("iam simulate", "%s needs a value", a);
            break;
        }
        i++;
        if (!strcmp(a, "--policy") || !strcmp(a, "--boundary") || !strcmp(a, "--resource-policy") ||
            !strcmp(a, "--session-policy")) {
            enum lc_iam_layer layer = !strcmp(a, "--policy")     ? LC_IAM_LAYER_IDENTITY
                                      : !strcmp(a, "--boundary") ? LC_IAM_LAYER_BOUNDARY
                                      : !strcmp(a, "--session-policy") ? LC_IAM_LAYER_SESSION
                                                                       : LC_IAM_LAYER_RESOURCE;
            if (s_add_file(set, layer, v, &err) != 0) {
                fprintf(stderr, "leastcloud iam simulate: %s%s%s\n", err.aws_code, err.aws_code[0] ? ": " : "",
                        err.message);
                rc = LC_EXIT_FAIL;
            }
        } else if (!strcmp(a, "--principal")) {
            principal = v;
        } else if (!strcmp(a, "--action")) {
            action = v;
        } else if (!strcmp(a, "--resource")) {
            resource = v;
        } else if (!strcmp(a, "--context")) {
            if (!strchr(v, '='))
                rc = lc_cli_usage_error("iam simulate", "--context wants key=value, got '%s'", v);
            else
                s_add_context_arg(r, v);
        } else {
            rc = lc_cli_usage_error("iam simulate", "unknown option %s", a);
        }
    }
    if (rc == LC_EXIT_OK && (!principal || !action || !resource)) {
        s_usage(stderr);
        rc = LC_EXIT_USAGE;
    }
    if (rc == LC_EXIT_OK) {
        lc_iam_request_set_principal(r, principal, lc_iam_principal_type_of(principal));
        lc_iam_request_set_action(r, action);
        lc_iam_request_set_resource(r, resource);
        lc_iam_policy_set_compile(set);
        struct lc_iam_decision d;
        lc_iam_evaluate(set, r, &d);
        if (json) {
            s_print_json_line(s_decision_json(r, &d));
        } else {
            printf("%s\n", lc_iam_decision_name(d.kind));
            if (d.policy_label)
                printf("statement: %s Statement[%d]%s%s\n", d.policy_label, d.statement_index, d.sid[0] ? " Sid " : "",
                       d.sid);
            if (d.kind != LC_IAM_ALLOWED) {
                struct lc_buf b;
                lc_buf_init(&b, 1 << 16);
                lc_iam_denial_message(r, &d, &b);
                printf("%s\n", b.data);
                lc_buf_free(&b);
            }
        }
    }
    lc_iam_request_free(r);
    lc_iam_policy_set_free(set);
    return rc;
}

/* A policy in a batch line is a document, or {"name": label, "policy": document}. */
static int s_add_json_policy(struct lc_iam_policy_set *set, enum lc_iam_layer layer, json_t *v, size_t idx,
                             struct lc_error *err)
{
    json_t *doc = v;
    char label[64];
    snprintf(label, sizeof label, "%s-%zu", layer == LC_IAM_LAYER_RESOURCE ? "resource" : "policy", idx);
    const char *name = label;
    if (json_is_object(v) && json_object_get(v, "policy") && !json_object_get(v, "Statement")) {
        doc = json_object_get(v, "policy");
        if (json_is_string(json_object_get(v, "name")))
            name = json_string_value(json_object_get(v, "name"));
    }
    char *text = lc_json_stringify(doc, 0);
    struct lc_iam_policy *p = lc_iam_policy_parse(
        text, strlen(text), layer == LC_IAM_LAYER_RESOURCE ? LC_IAM_POLICY_RESOURCE : LC_IAM_POLICY_IDENTITY, err);
    lc_free(text);
    if (!p)
        return LC_EINVAL;
    return lc_iam_policy_set_add(set, layer, name, p);
}

static int s_add_json_policies(struct lc_iam_policy_set *set, enum lc_iam_layer layer, json_t *v, struct lc_error *err)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return s_add_json_policy(set, layer, v, 0, err);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (s_add_json_policy(set, layer, e, i, err) != 0)
            return LC_EINVAL;
    }
    return 0;
}

static json_t *s_batch_case(json_t *c)
{
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    json_t *out = NULL;
    if (s_add_json_policies(set, LC_IAM_LAYER_IDENTITY, json_object_get(c, "identityPolicies"), &err) ||
        s_add_json_policies(set, LC_IAM_LAYER_RESOURCE, json_object_get(c, "resourcePolicy"), &err) ||
        s_add_json_policies(set, LC_IAM_LAYER_BOUNDARY, json_object_get(c, "permissionBoundaries"), &err) ||
        s_add_json_policies(set, LC_IAM_LAYER_SESSION, json_object_get(c, "sessionPolicies"), &err)) {
        out = json_pack("{s:s,s:s,s:s}", "decision", "Error", "code", err.aws_code[0] ? err.aws_code : "Error",
                        "message", err.message);
        lc_iam_policy_set_free(set);
        return out;
    }
    lc_iam_policy_set_compile(set);
    json_t *req = json_object_get(c, "request");
    const char *principal = lc_json_str(req, "principal"), *action = lc_json_str(req, "action");
    const char *resource = lc_json_str(req, "resource");
    if (!principal || !action) {
        lc_iam_policy_set_free(set);
        return json_pack("{s:s,s:s}", "decision", "Error", "message", "request needs principal and action");
    }
    struct lc_iam_request *r = lc_iam_request_new();
    lc_iam_request_set_principal(r, principal, lc_iam_principal_type_of(principal));
    lc_iam_request_set_action(r, action);
    lc_iam_request_set_resource(r, resource ? resource : "*");
    if (lc_json_str(req, "resourceAccount"))
        lc_iam_request_set_resource_account(r, lc_json_str(req, "resourceAccount"));
    const char *key;
    json_t *val;
    json_object_foreach(json_object_get(req, "context"), key, val) {
        if (json_is_array(val)) {
            lc_iam_request_mark_multivalued(r, key);
            size_t i;
            json_t *e;
            json_array_foreach(val, i, e) {
                if (json_is_string(e))
                    lc_iam_request_add_context(r, key, json_string_value(e));
            }
        } else if (json_is_string(val)) {
            lc_iam_request_add_context(r, key, json_string_value(val));
        }
    }
    struct lc_iam_decision d;
    lc_iam_evaluate(set, r, &d);
    out = s_decision_json(r, &d);
    lc_iam_request_free(r);
    lc_iam_policy_set_free(set);
    return out;
}

static int s_simulate_batch(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = LC_EXIT_OK;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (n > MAX_BATCH_LINE) {
            rc = LC_EXIT_FAIL;
            break;
        }
        json_error_t jerr;
        json_t *c = json_loadb(line, (size_t)n, 0, &jerr);
        if (!c) {
            if (strspn(line, " \t\r\n") == (size_t)n)
                continue;
            s_print_json_line(json_pack("{s:s,s:s}", "decision", "Error", "message", jerr.text));
            continue;
        }
        s_print_json_line(s_batch_case(c));
        json_decref(c);
        fflush(stdout);
    }
    free(line);
    return rc;
}

static int s_lint(const struct lc_cli *cli, int argc, char **argv)
{
    const char *path = NULL;
    bool json = cli->json;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!path)
            path = argv[i];
        else
            return lc_cli_usage_error("iam lint", "unexpected argument %s", argv[i]);
    }
    if (!path) {
        s_usage(stderr);
        return LC_EXIT_USAGE;
    }
    struct lc_error err;
    lc_error_clear(&err);
    size_t len;
    char *text = lc_file_read(path, MAX_POLICY_FILE, &len, &err);
    if (!text) {
        fprintf(stderr, "leastcloud iam lint: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_iam_policy *p = lc_iam_policy_parse(text, len, LC_IAM_POLICY_IDENTITY, &err);
    if (!p) {
        lc_error_clear(&err);
        p = lc_iam_policy_parse(text, len, LC_IAM_POLICY_RESOURCE, &err);
    }
    lc_free(text);
    if (!p) {
        fprintf(stderr, "%s: error: %s: %s\n", path, err.aws_code, err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_iam_findings f = {0};
    lc_iam_lint(p, &f);
    int errors = 0;
    json_t *arr = json ? json_array() : NULL;
    for (size_t i = 0; i < f.count; i++) {
        const struct lc_iam_finding *x = &f.items[i];
        errors += x->severity == LC_IAM_ERROR;
        if (json)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "severity", lc_iam_severity_name(x->severity),
                                                 "where", x->where, "code", x->code, "message", x->message));
        else
            printf("%s: %s: %s: %s [%s]\n", path, lc_iam_severity_name(x->severity), x->where, x->message, x->code);
    }
    if (json)
        s_print_json_line(arr);
    else if (f.count == 0)
        printf("%s: no findings\n", path);
    lc_iam_findings_free(&f);
    lc_iam_policy_free(p);
    return errors ? LC_EXIT_FAIL : LC_EXIT_OK;
}

int lc_cli_iam(const struct lc_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? LC_EXIT_USAGE : LC_EXIT_OK;
    }
    if (!strcmp(argv[1], "simulate")) {
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--batch"))
                return s_simulate_batch();
        return s_simulate_one(cli, argc - 1, argv + 1);
    }
    if (!strcmp(argv[1], "lint"))
        return s_lint(cli, argc - 1, argv + 1);
    return lc_cli_usage_error("iam", "unknown subcommand '%s'", argv[1]);
}
