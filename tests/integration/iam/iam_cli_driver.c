/*
 * iam_cli_driver.c: `leastcloud iam` on its own (the same cmd_iam.c, linked with only lc_iam and
 * lc_base), so the differential test and the benchmark do not depend on every other module
 * building. Usage is that of `leastcloud iam ...` with the "iam" word first.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int lc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "leastcloud %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return LC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct lc_cli cli = {.prog = argv[0]};
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            cli.json = true;
        else
            argv[++n] = argv[i];
    }
    if (n < 1 || strcmp(argv[1], "iam") != 0) {
        fprintf(stderr, "usage: %s iam simulate|lint ...\n", argv[0]);
        return LC_EXIT_USAGE;
    }
    return lc_cli_iam(&cli, n, argv + 1);
}
