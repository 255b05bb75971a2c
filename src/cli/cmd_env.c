/* cmd_env.c: `leastcloud env`. Placeholder until its issue lands; see `issues`. */
#include "cli/cli.h"

#include <stdio.h>

int lc_cli_env(const struct lc_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    fprintf(stderr, "leastcloud %s: not available in this build yet\n", argv[0]);
    return LC_EXIT_FAIL;
}
