/*
 * cmd_trail.c: `leastcloud trail [--principal ARN] [--limit N]`: the decision trail, oldest first.
 * Plain: one aligned line per request (time, principal, operation, decision, deciding statement,
 * error). --json: one CloudTrail-shaped record per line (JSON Lines), with the deciding statement
 * under "leastcloud".
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"
#include "leastcloud/watch.h"

#define USAGE "usage: leastcloud trail [--principal ARN] [--limit N] [--json]"

struct s_print {
    const struct lc_cli *cli;
    struct lc_store *store;
    const char *principal; /* also matches the sessions of a role */
    int64_t shown, limit;
};

static bool s_matches(const struct s_print *p, const char *arn)
{
    if (!p->principal)
        return true;
    if (!strcmp(arn, p->principal))
        return true;
    /* arn:aws:iam::A:role/path/NAME owns arn:aws:sts::A:assumed-role/NAME/session */
    const char *role = strstr(p->principal, ":role/");
    const char *sess = strstr(arn, ":assumed-role/");
    if (!role || !sess)
        return false;
    const char *name = strrchr(role, '/') + 1;
    size_t len = strlen(name);
    return !strncmp(sess + 14, name, len) && sess[14 + len] == '/';
}

static int s_row(const struct lc_store_trail_event *ev, void *ud)
{
    struct s_print *p = ud;
    if (!s_matches(p, ev->principal_arn))
        return 0;
    if (p->limit && p->shown >= p->limit)
        return 1;
    p->shown++;
    if (p->cli->json) {
        json_t *rec = lc_watch_trail_record(ev, lc_store_account(p->store), lc_store_region(p->store));
        char *text = lc_json_stringify(rec, 0);
        printf("%s\n", text);
        lc_free(text);
        json_decref(rec);
        return 0;
    }
    char when[21];
    lc_time_format_iso(ev->time_ms, when);
    bool allowed = !strcmp(ev->decision, "Allowed");
    bool denied = !strcmp(ev->decision, "ImplicitlyDenied") || !strcmp(ev->decision, "ExplicitlyDenied");
    const char *color = !p->cli->color ? "" : allowed ? "\033[32m" : denied ? "\033[31m" : "\033[33m";
    const char *reset = p->cli->color ? "\033[0m" : "";
    char stmt[512] = "";
    if (ev->policy && *ev->policy && ev->statement >= 0)
        snprintf(stmt, sizeof stmt, "%s#%d%s%s", ev->policy, ev->statement, ev->sid && *ev->sid ? " " : "",
                 ev->sid ? ev->sid : "");
    else if (ev->policy && *ev->policy)
        snprintf(stmt, sizeof stmt, "%s", ev->policy);
    printf("%s  %-55s  %-26s  %s%-17s%s  %-40s  %s\n", when, *ev->principal_arn ? ev->principal_arn : "-",
           ev->action && *ev->action ? ev->action : ev->operation, color, *ev->decision ? ev->decision : "-", reset,
           *stmt ? stmt : "-", ev->error_code && *ev->error_code ? ev->error_code : "");
    return 0;
}

int lc_cli_trail(const struct lc_cli *cli, int argc, char **argv)
{
    struct s_print p = {.cli = cli};
    int64_t limit = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--principal") && i + 1 < argc) {
            p.principal = argv[++i];
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            if (lc_parse_i64(argv[++i], &limit) != 0 || limit < 0)
                return lc_cli_usage_error("trail", "--limit takes a number\n%s", USAGE);
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("%s\n", USAGE);
            return LC_EXIT_OK;
        } else {
            return lc_cli_usage_error("trail", "unexpected '%s'\n%s", argv[i], USAGE);
        }
    }
    p.limit = limit;
    struct lc_error err;
    lc_error_clear(&err);
    if (lc_store_open(cli->state_dir, NULL, &p.store, &err) != 0) {
        fprintf(stderr, "leastcloud trail: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    int rc = lc_store_trail_init(p.store, &err);
    if (!rc && !cli->json)
        printf("%-20s  %-55s  %-26s  %-17s  %-40s  %s\n", "TIME", "PRINCIPAL", "ACTION", "DECISION",
               "DECIDING STATEMENT", "ERROR");
    struct lc_store_trail_filter f = {.limit = p.principal ? 0 : limit};
    if (!rc)
        rc = lc_store_trail_list(p.store, &f, s_row, &p, &err);
    if (rc)
        fprintf(stderr, "leastcloud trail: %s\n", err.message);
    lc_store_close(p.store);
    return rc ? LC_EXIT_FAIL : LC_EXIT_OK;
}
