/* main.c: the `leastcloud` command: shared options, then one subcommand. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leastcloud/alloc.h"

struct s_command {
    const char *name;
    lc_cli_fn *fn;
    const char *summary;
};

static const struct s_command s_commands[] = {
    {"serve", lc_cli_serve, "run the local cloud in the foreground (--host, --port)"},
    {"env", lc_cli_env, "print export lines for the account's root credentials"},
    {"synth", lc_cli_synth, "run the app in cdk.json and write the cloud assembly (-o DIR)"},
    {"deploy", lc_cli_deploy, "deploy stacks to the local cloud"},
    {"diff", lc_cli_diff, "compare stacks with what is deployed"},
    {"destroy", lc_cli_destroy, "delete deployed stacks (--force)"},
    {"ls", lc_cli_ls, "list the app's stacks"},
    {"outputs", lc_cli_outputs, "print a deployed stack's outputs"},
    {"invoke", lc_cli_invoke, "invoke a Lambda function"},
    {"trail", lc_cli_trail, "print the decision trail"},
    {"audit", lc_cli_audit, "least-privilege report: granted, used, denied"},
    {"logs", lc_cli_logs, "print a function's logs"},
    {"iam", lc_cli_iam, "IAM policy tools: simulate, lint"},
};

static void s_help(FILE *out)
{
    fprintf(out, "usage: leastcloud [--state DIR] [--endpoint-url URL] [--json] <command> [args]\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
        fprintf(out, "  %-9s %s\n", s_commands[i].name, s_commands[i].summary);
    fprintf(out, "\nexit status: 0 success, 1 the operation failed, 2 usage error\n");
}

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
    static char default_state[4096];
    struct lc_cli cli = {.prog = argv[0]};
    cli.state_dir = getenv("LEASTCLOUD_STATE");
    if (!cli.state_dir || !*cli.state_dir) {
        const char *home = getenv("HOME");
        snprintf(default_state, sizeof default_state, "%s/.leastcloud", home && *home ? home : ".");
        cli.state_dir = default_state;
    }
    cli.endpoint_url = getenv("AWS_ENDPOINT_URL");
    if (!cli.endpoint_url || !*cli.endpoint_url)
        cli.endpoint_url = "http://127.0.0.1:4566";
    cli.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

    /* Strip the shared options wherever they are, keeping the rest in order. */
    char **rest = lc_calloc((size_t)argc + 1, sizeof *rest);
    int n = 0;
    bool passthrough = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (passthrough) {
            rest[n++] = argv[i];
        } else if (!strcmp(a, "--")) {
            passthrough = true;
            rest[n++] = argv[i];
        } else if (!strcmp(a, "--json")) {
            cli.json = true;
        } else if (!strcmp(a, "--state") || !strcmp(a, "--endpoint-url")) {
            if (i + 1 >= argc) {
                lc_free(rest);
                return lc_cli_usage_error(n ? rest[0] : "", "%s needs a value", a);
            }
            *(!strcmp(a, "--state") ? &cli.state_dir : &cli.endpoint_url) = argv[++i];
        } else if (!strncmp(a, "--state=", 8)) {
            cli.state_dir = a + 8;
        } else if (!strncmp(a, "--endpoint-url=", 15)) {
            cli.endpoint_url = a + 15;
        } else {
            rest[n++] = argv[i];
        }
    }

    int status;
    if (n == 0 || !strcmp(rest[0], "help") || !strcmp(rest[0], "--help") || !strcmp(rest[0], "-h")) {
        s_help(n == 0 ? stderr : stdout);
        status = n == 0 ? LC_EXIT_USAGE : LC_EXIT_OK;
    } else if (!strcmp(rest[0], "--version") || !strcmp(rest[0], "version")) {
        printf("leastcloud 0.1.0\n");
        status = LC_EXIT_OK;
    } else {
        const struct s_command *cmd = NULL;
        for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
            if (!strcmp(s_commands[i].name, rest[0]))
                cmd = &s_commands[i];
        if (!cmd) {
            fprintf(stderr, "leastcloud: unknown command '%s'\n\n", rest[0]);
            s_help(stderr);
            status = LC_EXIT_USAGE;
        } else {
            status = cmd->fn(&cli, n, rest);
        }
    }
    lc_free(rest);
    return status;
}
