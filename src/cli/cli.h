/*
 * cli.h: what every `leastcloud` subcommand receives.
 *
 * main.c strips the options every subcommand shares (--state, --endpoint-url, --json, wherever
 * they appear before `--`) and calls the subcommand with argv[0] = its own name. A subcommand
 * returns the process exit status: LC_EXIT_OK, LC_EXIT_FAIL when the operation failed,
 * LC_EXIT_USAGE for a usage error (DESIGN.md, "Command line").
 */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <stdbool.h>

enum { LC_EXIT_OK = 0, LC_EXIT_FAIL = 1, LC_EXIT_USAGE = 2 };

struct lc_cli {
    const char *prog;          /* argv[0] of the process */
    const char *state_dir;     /* --state, else $LEASTCLOUD_STATE, else ~/.leastcloud; borrowed */
    const char *endpoint_url;  /* --endpoint-url, else $AWS_ENDPOINT_URL, else http://127.0.0.1:4566 */
    bool json;                 /* --json: print results for programs */
    bool color;                /* stdout is a terminal and NO_COLOR is unset */
};

typedef int lc_cli_fn(const struct lc_cli *cli, int argc, char **argv);

/* One function per subcommand, each in its own cmd_<name>.c. */
lc_cli_fn lc_cli_serve, lc_cli_env, lc_cli_synth, lc_cli_deploy, lc_cli_diff, lc_cli_destroy,
    lc_cli_ls, lc_cli_outputs, lc_cli_invoke, lc_cli_trail, lc_cli_audit, lc_cli_logs, lc_cli_iam;

/* Prints "leastcloud <cmd>: <message>" on stderr and returns LC_EXIT_USAGE. */
int lc_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
