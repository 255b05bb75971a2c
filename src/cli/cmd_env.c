/* cmd_env.c: `leastcloud env`: export lines for the account's root credentials, for eval. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"

/* Single-quotes a value for a POSIX shell. */
static void s_quote(FILE *out, const char *v)
{
    fputc('\'', out);
    for (const char *p = v; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", out);
        else
            fputc(*p, out);
    }
    fputc('\'', out);
}

static void s_export(FILE *out, const char *name, const char *value)
{
    fprintf(out, "export %s=", name);
    s_quote(out, value);
    fputc('\n', out);
}

int lc_cli_env(const struct lc_cli *cli, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: leastcloud env [--state DIR] [--endpoint-url URL]\n"
                   "prints export lines for the account's root credentials: eval \"$(leastcloud env)\"\n");
            return LC_EXIT_OK;
        }
        return lc_cli_usage_error(argv[0], "unknown argument '%s'", argv[i]);
    }
    struct lc_error err;
    struct lc_store *store;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud env: cannot open the state in %s: %s\n", cli->state_dir, err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_store_key key;
    int rc = lc_store_root_key(store, &key, &err);
    if (rc) {
        fprintf(stderr, "leastcloud env: no root credentials in %s: %s\n", cli->state_dir, err.message);
        lc_store_close(store);
        return LC_EXIT_FAIL;
    }
    if (cli->json) {
        printf("{\"AWS_ACCESS_KEY_ID\":\"%s\",\"AWS_SECRET_ACCESS_KEY\":\"%s\",\"AWS_REGION\":\"%s\","
               "\"AWS_DEFAULT_REGION\":\"%s\",\"AWS_ENDPOINT_URL\":\"%s\"}\n",
               key.key_id, key.secret, lc_store_region(store), lc_store_region(store), cli->endpoint_url);
    } else {
        s_export(stdout, "AWS_ACCESS_KEY_ID", key.key_id);
        s_export(stdout, "AWS_SECRET_ACCESS_KEY", key.secret);
        s_export(stdout, "AWS_REGION", lc_store_region(store));
        s_export(stdout, "AWS_DEFAULT_REGION", lc_store_region(store));
        s_export(stdout, "AWS_ENDPOINT_URL", cli->endpoint_url);
    }
    lc_store_close(store);
    return LC_EXIT_OK;
}
