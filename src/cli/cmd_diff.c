/*
 * cmd_diff.c: `leastcloud diff [STACK...]`: what deploying would change: resources added, modified
 * (in place or replaced) and removed, computed as CloudFormation's change set against the deployed
 * stack. Exit 0 whether or not there are differences (as `cdk diff`), 1 when it cannot tell.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/store_stacks.h"

static int s_usage(void)
{
    return lc_cli_usage_error("diff", "usage: leastcloud diff [STACK...] [--app DIR|CMD] "
                                      "[--template FILE --stack-name NAME] [--json]");
}

static void s_print(const struct lc_cli *cli, const char *stack, const json_t *changes, const struct lc_stack *st,
                    bool exists)
{
    printf("Stack %s%s\n", stack, exists ? "" : " (not deployed yet)");
    if (exists && st->stale)
        printf("  status %s, interrupted (pid %d is gone): deploy rolls it back first\n", st->status, st->owner_pid);
    if (!json_array_size(changes)) {
        printf("There were no differences\n\n");
        return;
    }
    printf("Resources\n");
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c) {
        const char *action = lc_json_str(c, "Action");
        const char *sym = !strcmp(action, "Add") ? "[+]" : !strcmp(action, "Remove") ? "[-]" : "[~]";
        const char *color = !cli->color ? "" : !strcmp(action, "Add") ? "\033[32m"
                                             : !strcmp(action, "Remove") ? "\033[31m" : "\033[33m";
        printf("%s%s%s %s %s", color, sym, cli->color ? "\033[0m" : "", lc_json_str(c, "ResourceType"),
               lc_json_str(c, "LogicalResourceId"));
        const char *repl = lc_json_str(c, "Replacement");
        if (repl && !strcmp(repl, "True"))
            printf(" %s(replace)%s", cli->color ? "\033[31m" : "", cli->color ? "\033[0m" : "");
        else if (repl && !strcmp(repl, "Conditional"))
            printf(" (may be replaced)");
        const char *dp = lc_json_str(c, "DeletionPolicy");
        if (dp && !strcmp(dp, "Retain"))
            printf(" (retained: DeletionPolicy Retain)");
        printf("\n");
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(c, "Details"), k, d) printf("    \xE2\x94\x94\xE2\x94\x80 %s\n", json_string_value(d));
    }
    printf("\n");
}

int lc_cli_diff(const struct lc_cli *cli, int argc, char **argv)
{
    struct lc_deploy_target_query q = {0};
    const char **stacks = lc_calloc((size_t)argc + 1, sizeof *stacks);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--app") && i + 1 < argc)
            q.app = argv[++i];
        else if (!strcmp(a, "--template") && i + 1 < argc)
            q.template_path = argv[++i];
        else if (!strcmp(a, "--stack-name") && i + 1 < argc)
            q.stack_name = argv[++i];
        else if (a[0] == '-') {
            lc_free(stacks);
            return s_usage();
        } else
            stacks[n++] = a;
    }
    q.stacks = stacks;
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_deploy_target *t = NULL;
    size_t nt = 0;
    struct lc_store *store = NULL;
    int status = LC_EXIT_OK;
    int trc = lc_deploy_targets(&q, &t, &nt, &err);
    if (trc != 0 || lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud diff: %s\n", err.message);
        lc_deploy_targets_free(t, nt);
        lc_free(stacks);
        return trc == LC_EINVAL && !q.app && !q.template_path && access("cdk.json", F_OK) != 0 ? LC_EXIT_USAGE : LC_EXIT_FAIL;
    }
    json_t *all = json_object();
    for (size_t i = 0; i < nt; i++) {
        struct lc_deploy_options opt = {.stack_name = t[i].stack_name, .template_path = t[i].template_path,
                                        .assets_dir = t[i].assets_dir};
        json_t *changes = NULL;
        if (lc_deploy_changeset(store, &opt, &changes, &err) != 0) {
            fprintf(stderr, "leastcloud diff: %s: %s\n", t[i].stack_name, err.message);
            status = LC_EXIT_FAIL;
            continue;
        }
        struct lc_stack st;
        bool exists = lc_store_stack_get(store, t[i].stack_name, &st, NULL) == 0;
        if (cli->json)
            json_object_set(all, t[i].stack_name, changes);
        else
            s_print(cli, t[i].stack_name, changes, &st, exists);
        json_decref(changes);
    }
    if (cli->json) {
        char *s = lc_json_stringify(all, 2);
        printf("%s\n", s);
        lc_free(s);
    }
    json_decref(all);
    lc_store_close(store);
    lc_deploy_targets_free(t, nt);
    lc_free(stacks);
    return status;
}
