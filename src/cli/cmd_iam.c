/* cmd_iam.c: `leastcloud iam`. Placeholder until its issue lands; see `issues`. */
#include "cli/cli.h"

#include <stdio.h>

int lc_cli_iam(const struct lc_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    fprintf(stderr, "leastcloud %s: not available in this build yet\n", argv[0]);
    return LC_EXIT_FAIL;
}
