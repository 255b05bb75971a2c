/* cmd_ls.c: `leastcloud ls [--app CMD|DIR]`: the app's stacks, one per line (as `cdk ls`). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/cdk.h"
#include "leastcloud/error.h"

int lc_cli_ls(const struct lc_cli *cli, int argc, char **argv)
{
    lc_cdk_run_opts opts = {.quiet = true};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--app") && i + 1 < argc)
            opts.app = argv[++i];
        else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
            opts.outdir = argv[++i];
        else
            return lc_cli_usage_error("ls", "usage: leastcloud ls [--app CMD|DIR] [-o DIR]");
    }
    struct lc_error err;
    lc_error_clear(&err);
    char *dir;
    lc_cdk_stack_info *stacks = NULL;
    size_t n = 0;
    if (lc_cdk_synth_app(&opts, &dir, &err) != 0 || lc_cdk_assembly_stacks(dir, &stacks, &n, &err) != 0) {
        fprintf(stderr, "leastcloud ls: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    if (cli->json)
        putchar('[');
    for (size_t i = 0; i < n; i++) {
        if (cli->json)
            printf("%s\"%s\"", i ? "," : "", stacks[i].name);
        else
            printf("%s\n", stacks[i].name);
    }
    if (cli->json)
        printf("]\n");
    lc_cdk_stack_infos_free(stacks, n);
    lc_free(dir);
    return LC_EXIT_OK;
}
