/*
 * cmd_audit.c: `leastcloud audit [--principal ARN]`: per principal, the actions its policies grant,
 * which of them the trail shows it used, what it was denied (and by which layer), "used 2 of its 8
 * read actions", and the minimal policy that would have served exactly what it used. Aligned and
 * colored on a terminal, plain otherwise; one JSON document with --json.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/watch.h"

#define USAGE "usage: leastcloud audit [--principal ARN] [--unused] [--json]"

static const char *s_level_name(char level)
{
    switch (level) {
    case 'R': return "Read";
    case 'W': return "Write";
    case 'L': return "List";
    case 'T': return "Tagging";
    case 'P': return "Permissions";
    default: return "?";
    }
}

static json_t *s_strings(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *s_principal_json(const struct lc_watch_audit_principal *p)
{
    json_t *granted = json_array(), *used = json_array(), *unused = json_array(), *denied = json_array();
    for (size_t i = 0; i < p->n_actions; i++) {
        const struct lc_watch_audit_action *a = &p->actions[i];
        if (a->granted)
            json_array_append_new(granted, json_pack("{ss ss so}", "action", a->action, "level", s_level_name(a->level),
                                                     "resources", s_strings(a->resources, a->n_resources)));
        if (a->used)
            json_array_append_new(used, json_pack("{ss sI so}", "action", a->action, "calls", (json_int_t)a->used,
                                                  "resources", s_strings(a->used_resources, a->n_used_resources)));
        else if (a->granted)
            json_array_append_new(unused, json_string(a->action));
        if (a->denied)
            json_array_append_new(denied, json_pack("{ss sI ss ss}", "action", a->action, "calls", (json_int_t)a->denied,
                                                    "resource", a->denied_resource ? a->denied_resource : "*",
                                                    "deniedBy", a->denied_by ? a->denied_by : ""));
    }
    char summary[160];
    snprintf(summary, sizeof summary, "used %zu of its %zu read actions", p->used_read, p->granted_read);
    return json_pack("{ss ss sI sI s{sI sI sI sI} ss so so so so sO}", "principal", p->arn, "type", p->type, "calls",
                     (json_int_t)p->calls, "deniedCalls", (json_int_t)p->denied_calls, "counts", "granted",
                     (json_int_t)p->granted, "used", (json_int_t)p->used_granted, "grantedRead",
                     (json_int_t)p->granted_read, "usedRead", (json_int_t)p->used_read, "summary", summary, "granted",
                     granted, "used", used, "unused", unused, "denied", denied, "minimalPolicy", p->minimal_policy);
}

static void s_print_text(const struct lc_cli *cli, const struct lc_watch_audit_principal *p, bool only_unused)
{
    const char *bold = cli->color ? "\033[1m" : "", *green = cli->color ? "\033[32m" : "",
               *red = cli->color ? "\033[31m" : "", *dim = cli->color ? "\033[2m" : "",
               *reset = cli->color ? "\033[0m" : "";
    printf("%s%s%s (%s)\n", bold, p->arn, reset, p->type);
    printf("  used %zu of its %zu read actions; %zu of %zu granted actions used; %lld calls, %zu denied\n",
           p->used_read, p->granted_read, p->used_granted, p->granted, (long long)p->calls, p->denied_calls);
    size_t width = 6;
    for (size_t i = 0; i < p->n_actions; i++)
        if (strlen(p->actions[i].action) > width)
            width = strlen(p->actions[i].action);
    printf("  %-*s  %-11s  %-7s  %5s  %6s  %s\n", (int)width, "ACTION", "LEVEL", "GRANTED", "USED", "DENIED",
           "RESOURCES / DENIED BY");
    for (size_t i = 0; i < p->n_actions; i++) {
        const struct lc_watch_audit_action *a = &p->actions[i];
        if (only_unused && (a->used || !a->granted))
            continue;
        const char *color = a->denied ? red : a->used ? green : dim;
        char first[1100] = "";
        if (a->denied && a->denied_by)
            snprintf(first, sizeof first, "%s", a->denied_by);
        else if (a->used && a->n_used_resources)
            snprintf(first, sizeof first, "%s%s", a->used_resources[0], a->n_used_resources > 1 ? " ..." : "");
        else if (a->n_resources)
            snprintf(first, sizeof first, "%s%s", a->resources[0], a->n_resources > 1 ? " ..." : "");
        printf("  %s%-*s  %-11s  %-7s  %5lld  %6lld  %s%s\n", color, (int)width, a->action, s_level_name(a->level),
               a->granted ? "yes" : "no", (long long)a->used, (long long)a->denied, first, reset);
    }
    char *policy = lc_json_stringify(p->minimal_policy, 2);
    printf("  minimal policy (what was used; DeniedButNeeded: denied calls it asked for):\n");
    for (char *line = policy, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        printf("    %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
        if (!nl)
            break;
    }
    lc_free(policy);
    printf("\n");
}

int lc_cli_audit(const struct lc_cli *cli, int argc, char **argv)
{
    const char *principal = NULL;
    bool only_unused = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--principal") && i + 1 < argc) {
            principal = argv[++i];
        } else if (!strcmp(argv[i], "--unused")) {
            only_unused = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("%s\n", USAGE);
            return LC_EXIT_OK;
        } else {
            return lc_cli_usage_error("audit", "unexpected '%s'\n%s", argv[i], USAGE);
        }
    }
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_store *store = NULL;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud audit: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_watch_audit audit;
    int rc = lc_watch_audit_run(store, principal, &audit, &err);
    if (rc) {
        fprintf(stderr, "leastcloud audit: %s\n", err.message);
        lc_store_close(store);
        return LC_EXIT_FAIL;
    }
    if (cli->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < audit.n; i++)
            json_array_append_new(arr, s_principal_json(&audit.principals[i]));
        json_t *doc = json_pack("{so}", "principals", arr);
        char *text = lc_json_stringify(doc, 2);
        printf("%s\n", text);
        lc_free(text);
        json_decref(doc);
    } else {
        if (audit.n == 0)
            printf("no principals with policies or calls to audit\n");
        for (size_t i = 0; i < audit.n; i++)
            s_print_text(cli, &audit.principals[i], only_unused);
    }
    lc_watch_audit_free(&audit);
    lc_store_close(store);
    return LC_EXIT_OK;
}
