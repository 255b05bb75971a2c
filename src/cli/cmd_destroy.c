/*
 * cmd_destroy.c: `leastcloud destroy [STACK...] [--force]`: deletes deployed stacks as CloudFormation
 * does (reverse dependency order, DeletionPolicy Retain honoured). Asks for confirmation only on a
 * terminal; without one, --force is required and nothing is asked.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/clock.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/str.h"

static int s_usage(void)
{
    return lc_cli_usage_error("destroy", "usage: leastcloud destroy [STACK...] [--force] [--app DIR|CMD] "
                                         "[--all] [--json]");
}

static void s_on_event(const struct lc_stack_event *ev, void *ud)
{
    const struct lc_cli *cli = ud;
    if (cli->json)
        return;
    char iso[21];
    lc_time_format_iso(ev->timestamp_ms, iso);
    const char *c = !cli->color ? "" : strstr(ev->status, "FAILED") ? "\033[31m"
                                   : lc_str_ends_with(ev->status, "_COMPLETE") ? "\033[32m" : "\033[33m";
    printf("%s | %s | %s%-20s%s | %-28s | %s", ev->stack_name, iso + 11, c, ev->status, cli->color ? "\033[0m" : "",
           ev->resource_type, ev->logical_id);
    if (*ev->physical_id && strcmp(ev->resource_type, "AWS::CloudFormation::Stack") != 0)
        printf(" (%s)", ev->physical_id);
    printf("\n");
    if (*ev->reason && strcmp(ev->reason, "User Initiated") != 0)
        printf("   %s\n", ev->reason);
    fflush(stdout);
}

static int s_collect(const struct lc_stack *s, void *ud)
{
    json_array_append_new(ud, json_string(s->name));
    return 0;
}

int lc_cli_destroy(const struct lc_cli *cli, int argc, char **argv)
{
    struct lc_deploy_target_query q = {0};
    const char **names = lc_calloc((size_t)argc + 1, sizeof *names);
    bool force = false, all = false;
    int n_names = 0, status = LC_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--force") || !strcmp(a, "-f"))
            force = true;
        else if (!strcmp(a, "--all"))
            all = true;
        else if (!strcmp(a, "--app") && i + 1 < argc)
            q.app = argv[++i];
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            s_usage();
            lc_free(names);
            return LC_EXIT_OK;
        } else if (a[0] == '-') {
            lc_free(names);
            return s_usage();
        } else
            names[n_names++] = a;
    }
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_store *store = NULL;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud destroy: %s\n", err.message);
        lc_free(names);
        return LC_EXIT_FAIL;
    }
    json_t *stacks = json_array();
    if (n_names) {
        for (int i = 0; i < n_names; i++)
            json_array_append_new(stacks, json_string(names[i]));
    } else if (all) {
        lc_store_stack_list(store, false, s_collect, stacks, NULL);
    } else {
        /* The app's stacks, as `cdk destroy` does, in reverse order. */
        struct lc_deploy_target *t = NULL;
        size_t n = 0;
        if (lc_deploy_targets(&q, &t, &n, &err) != 0) {
            fprintf(stderr, "leastcloud destroy: %s (name the stacks, or use --all)\n", err.message);
            status = LC_EXIT_USAGE;
        }
        for (size_t i = n; i-- > 0;)
            json_array_append_new(stacks, json_string(t[i].stack_name));
        lc_deploy_targets_free(t, n);
    }
    if (status == LC_EXIT_OK && !force && json_array_size(stacks)) {
        struct lc_buf list;
        lc_buf_init(&list, LC_BUF_UNLIMITED);
        size_t i;
        json_t *s;
        json_array_foreach(stacks, i, s) lc_buf_appendf(&list, "%s%s", i ? ", " : "", json_string_value(s));
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "leastcloud destroy: not asking on a non-terminal: add --force to delete %s\n", list.data);
            status = LC_EXIT_USAGE;
        } else {
            fprintf(stderr, "Are you sure you want to delete: %s (y/n)? ", list.data);
            char answer[16] = "";
            if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                status = LC_EXIT_FAIL;
        }
        lc_buf_free(&list);
    }
    json_t *report = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(stacks, i, s) {
        if (status != LC_EXIT_OK)
            break;
        const char *name = json_string_value(s);
        struct lc_deploy_options opt = {.on_event = s_on_event, .ud = (void *)cli};
        if (!cli->json)
            printf("%s: destroying... [%zu/%zu]\n", name, i + 1, json_array_size(stacks));
        int rc = lc_deploy_delete_stack(store, name, &opt, &err);
        if (rc) {
            fprintf(stderr, "\n %s  %s: %s\n", "\xE2\x9D\x8C", name, err.message);
            status = LC_EXIT_FAIL;
        } else if (!cli->json) {
            printf("\n %s  %s: destroyed\n\n", "\xE2\x9C\x85", name);
        }
        json_array_append_new(report, json_pack("{s:s, s:s}", "StackName", name, "StackStatus",
                                                rc ? "DELETE_FAILED" : "DELETE_COMPLETE"));
    }
    if (cli->json) {
        char *text = lc_json_stringify(report, 2);
        printf("%s\n", text);
        lc_free(text);
    }
    json_decref(report);
    json_decref(stacks);
    lc_store_close(store);
    lc_free(names);
    return status;
}
