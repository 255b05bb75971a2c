/*
 * cmd_deploy.c: `leastcloud deploy [STACK...]`: deploys the stacks of the CDK app in the working
 * directory (or --app DIR|CMD), or one template (--template FILE --stack-name NAME), straight into the
 * state, printing each resource as CloudFormation reports it, then the outputs.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/str.h"

static int s_usage(void)
{
    return lc_cli_usage_error(
        "deploy", "usage: leastcloud deploy [STACK...] [--app DIR|CMD] [--template FILE --stack-name NAME]\n"
                  "         [--parameters NAME=VALUE]... [--strict] [--bootstrap-version N] [--json]");
}

struct s_progress {
    const struct lc_cli *cli;
    int done;   /* resources finished */
    int total;  /* resources the change set touches (0: unknown) */
};

static const char *s_color(const char *status)
{
    if (strstr(status, "FAILED") || strstr(status, "ROLLBACK"))
        return "\033[31m";
    if (lc_str_ends_with(status, "_COMPLETE") || !strcmp(status, "DELETE_SKIPPED"))
        return "\033[32m";
    return "\033[33m";
}

static void s_on_event(const struct lc_stack_event *ev, void *ud)
{
    struct s_progress *p = ud;
    if (p->cli->json)
        return;
    char iso[21];
    lc_time_format_iso(ev->timestamp_ms, iso);
    bool color = p->cli->color;
    bool stack = !strcmp(ev->resource_type, "AWS::CloudFormation::Stack");
    if (!stack && (lc_str_ends_with(ev->status, "_COMPLETE") || lc_str_ends_with(ev->status, "_FAILED") ||
                   !strcmp(ev->status, "DELETE_SKIPPED")))
        p->done++;
    char count[32] = "";
    if (p->total)
        snprintf(count, sizeof count, "%2d/%d | ", p->done > p->total ? p->total : p->done, p->total);
    /* CDK's layout: stack | n/total | time | status | type | logical id (physical id), reason below. */
    printf("%s | %s%s | %s%-36s%s | %-28s | %s", ev->stack_name, count, iso + 11, color ? s_color(ev->status) : "",
           ev->status, color ? "\033[0m" : "", ev->resource_type, ev->logical_id);
    if (*ev->physical_id && strcmp(ev->resource_type, "AWS::CloudFormation::Stack") != 0)
        printf(" (%s)", ev->physical_id);
    printf("\n");
    if (*ev->reason && strcmp(ev->reason, "User Initiated") != 0)
        printf("%s   %s%s\n", color ? "\033[2m" : "", ev->reason, color ? "\033[0m" : "");
    fflush(stdout);
}

static void s_on_warning(const char *logical_id, const char *message, void *ud)
{
    struct s_progress *p = ud;
    fprintf(stderr, "%sleastcloud deploy: warning: %s: %s%s\n", p->cli->color ? "\033[33m" : "", logical_id,
            message, p->cli->color ? "\033[0m" : "");
}

static void s_print_outputs(const struct lc_cli *cli, const char *stack, const struct lc_deploy_result *r)
{
    printf("\n %s%s%s  %s%s\n", cli->color ? "\033[32m" : "", "\xE2\x9C\x85", cli->color ? "\033[0m" : "", stack,
           r->no_changes ? " (no changes)" : "");
    if (json_array_size(r->outputs)) {
        printf("\nOutputs:\n");
        size_t i;
        json_t *o;
        json_array_foreach(r->outputs, i, o)
            printf("%s.%s = %s\n", stack, lc_json_str(o, "OutputKey"), lc_json_str(o, "OutputValue"));
    }
    printf("\nStack ARN:\n%s\n\n", r->stack_id);
}

int lc_cli_deploy(const struct lc_cli *cli, int argc, char **argv)
{
    struct lc_deploy_target_query q = {0};
    const char **stacks = lc_calloc((size_t)argc + 1, sizeof *stacks);
    json_t *params = json_object();
    bool strict = false;
    const char *bootstrap = NULL;
    int n_stacks = 0, status = LC_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--app") && has_value) {
            q.app = argv[++i];
        } else if (!strcmp(a, "--template") && has_value) {
            q.template_path = argv[++i];
        } else if (!strcmp(a, "--stack-name") && has_value) {
            q.stack_name = argv[++i];
        } else if (!strcmp(a, "--bootstrap-version") && has_value) {
            bootstrap = argv[++i];
        } else if ((!strcmp(a, "--parameters") || !strcmp(a, "--parameter")) && has_value) {
            const char *kv = argv[++i];
            const char *eq = strchr(kv, '=');
            if (!eq) {
                status = s_usage();
                goto done;
            }
            /* CDK's form STACK:NAME=VALUE is accepted too: the stack part is ignored. */
            const char *colon = memchr(kv, ':', (size_t)(eq - kv));
            const char *name = colon ? colon + 1 : kv;
            char *key = lc_strndup(name, (size_t)(eq - name));
            json_object_set_new(params, key, json_string(eq + 1));
            lc_free(key);
        } else if (!strcmp(a, "--strict")) {
            strict = true;
        } else if (!strcmp(a, "--require-approval") && has_value) {
            i++; /* accepted for CDK compatibility: leastcloud never asks */
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            s_usage();
            status = LC_EXIT_OK;
            goto done;
        } else if (a[0] == '-') {
            status = s_usage();
            goto done;
        } else {
            stacks[n_stacks++] = a;
        }
    }
    q.stacks = stacks;
    if ((q.template_path != NULL) != (q.stack_name != NULL) || (q.template_path && n_stacks)) {
        status = lc_cli_usage_error("deploy", "--template FILE and --stack-name NAME go together, without STACK");
        goto done;
    }

    struct lc_error err;
    lc_error_clear(&err);
    struct lc_deploy_target *targets = NULL;
    size_t n = 0;
    int trc = lc_deploy_targets(&q, &targets, &n, &err);
    if (trc != 0) {
        fprintf(stderr, "leastcloud deploy: %s\n", err.message);
        /* No app and no template is a usage error; an app that fails or lacks the stack is not. */
        status = trc == LC_EINVAL && !q.app && !q.template_path && access("cdk.json", F_OK) != 0 ? LC_EXIT_USAGE : LC_EXIT_FAIL;
        goto done;
    }
    struct lc_store *store = NULL;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud deploy: %s\n", err.message);
        lc_deploy_targets_free(targets, n);
        status = LC_EXIT_FAIL;
        goto done;
    }
    json_t *json_out = json_array();
    struct s_progress progress = {cli, 0, 0};
    for (size_t i = 0; i < n && status == LC_EXIT_OK; i++) {
        struct lc_deploy_options opt = {
            .stack_name = targets[i].stack_name,
            .template_path = targets[i].template_path,
            .assets_dir = targets[i].assets_dir,
            .parameters = json_object_size(params) ? params : NULL,
            .bootstrap_version = bootstrap,
            .strict = strict,
            .on_event = s_on_event,
            .on_warning = s_on_warning,
            .ud = &progress,
        };
        json_t *changes = NULL;
        progress.done = 0;
        progress.total = 0;
        if (!cli->json && lc_deploy_changeset(store, &opt, &changes, NULL) == 0)
            progress.total = (int)json_array_size(changes);
        json_decref(changes);
        if (!cli->json)
            printf("%s: deploying... [%zu/%zu]\n", targets[i].stack_name, i + 1, n);
        struct lc_deploy_result r;
        int rc = lc_deploy_stack(store, &opt, &r, &err);
        if (rc) {
            fprintf(stderr, "\n %s%s%s  %s failed: %s%s%s\n", cli->color ? "\033[31m" : "", "\xE2\x9D\x8C",
                    cli->color ? "\033[0m" : "", targets[i].stack_name, err.aws_code[0] ? err.aws_code : "",
                    err.aws_code[0] ? ": " : "", err.message);
            if (*r.status)
                fprintf(stderr, "The stack is now %s.\n", r.status);
            status = LC_EXIT_FAIL;
        } else if (!cli->json) {
            s_print_outputs(cli, targets[i].stack_name, &r);
        }
        json_t *outs = json_object();
        size_t k;
        json_t *o;
        json_array_foreach(r.outputs, k, o)
            json_object_set(outs, lc_json_str(o, "OutputKey"), json_object_get(o, "OutputValue"));
        json_array_append_new(json_out,
                              json_pack("{s:s, s:s, s:s, s:b, s:o}", "StackName", targets[i].stack_name, "StackId",
                                        r.stack_id, "StackStatus", rc ? (*r.status ? r.status : "FAILED") : r.status,
                                        "NoChanges", r.no_changes, "Outputs", outs));
        if (rc && cli->json)
            json_object_set_new(json_array_get(json_out, json_array_size(json_out) - 1), "Error",
                                json_pack("{s:s, s:s}", "Code", err.aws_code, "Message", err.message));
        lc_deploy_result_clear(&r);
    }
    if (cli->json) {
        char *s = lc_json_stringify(json_out, 2);
        printf("%s\n", s);
        lc_free(s);
    }
    json_decref(json_out);
    lc_store_close(store);
    lc_deploy_targets_free(targets, n);
done:
    json_decref(params);
    lc_free(stacks);
    return status;
}
