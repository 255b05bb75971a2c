/* cmd_synth.c: `leastcloud synth [-o DIR] [--app CMD|DIR] [-q]`: run the app of cdk.json, as `cdk synth`. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/cdk.h"
#include "leastcloud/error.h"

static int s_usage(void)
{
    return lc_cli_usage_error("synth", "usage: leastcloud synth [-o DIR] [--app CMD|DIR] [-q]");
}

int lc_cli_synth(const struct lc_cli *cli, int argc, char **argv)
{
    lc_cdk_run_opts opts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc)
            opts.outdir = argv[++i];
        else if (!strcmp(a, "--app") && i + 1 < argc)
            opts.app = argv[++i];
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            opts.quiet = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return s_usage(), LC_EXIT_OK;
        else
            return s_usage();
    }
    struct lc_error err;
    lc_error_clear(&err);
    char *dir;
    if (lc_cdk_synth_app(&opts, &dir, &err) != 0) {
        fprintf(stderr, "leastcloud synth: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    lc_cdk_stack_info *stacks;
    size_t n;
    if (lc_cdk_assembly_stacks(dir, &stacks, &n, &err) != 0) {
        fprintf(stderr, "leastcloud synth: %s\n", err.message);
        lc_free(dir);
        return LC_EXIT_FAIL;
    }
    if (cli->json) {
        printf("{\"assembly\":\"%s\",\"stacks\":[", dir);
        for (size_t i = 0; i < n; i++)
            printf("%s{\"name\":\"%s\",\"template\":\"%s\"}", i ? "," : "", stacks[i].name, stacks[i].template_path);
        printf("]}\n");
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\n", stacks[i].name, stacks[i].template_path);
        fprintf(stderr, "Successfully synthesized to %s\n", dir);
    }
    lc_cdk_stack_infos_free(stacks, n);
    lc_free(dir);
    return LC_EXIT_OK;
}
