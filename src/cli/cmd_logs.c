/*
 * cmd_logs.c: `leastcloud logs FUNCTION [--json]`: what a function printed, one block per invocation
 * framed by START / END / REPORT lines as CloudWatch Logs shows them (kept by the server in
 * <state>/logs/lambda/<function>.log).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/lambda.h"
#include "leastcloud/str.h"

#define LOG_MAX ((size_t)256 << 20)

/* [{"RequestId": ..., "Log": ...}] from the framed text. */
static json_t *s_split(const char *text)
{
    json_t *list = json_array();
    const char *p = text;
    while (p && *p) {
        const char *start = strstr(p, "START RequestId: ");
        if (!start)
            break;
        const char *next = strstr(start + 1, "\nSTART RequestId: ");
        const char *end = next ? next + 1 : start + strlen(start);
        const char *id = start + strlen("START RequestId: ");
        size_t id_len = strcspn(id, " \n");
        json_array_append_new(list, json_pack("{s:s%, s:s%}", "RequestId", id, id_len, "Log", start,
                                              (size_t)(end - start)));
        p = end;
    }
    return list;
}

int lc_cli_logs(const struct lc_cli *cli, int argc, char **argv)
{
    const char *function = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: leastcloud logs FUNCTION [--json]\n"
                   "prints what FUNCTION printed, invocation by invocation (START / END / REPORT)\n");
            return LC_EXIT_OK;
        }
        if (argv[i][0] == '-' || function)
            return lc_cli_usage_error(argv[0], "usage: leastcloud logs FUNCTION [--json]");
        function = argv[i];
    }
    if (!function)
        return lc_cli_usage_error(argv[0], "usage: leastcloud logs FUNCTION [--json]");
    if (strchr(function, '/') || !strcmp(function, "..") || !strcmp(function, "."))
        return lc_cli_usage_error(argv[0], "'%s' is not a function name", function);
    char *path = lc_lambda_log_path(cli->state_dir, function);
    struct lc_error err;
    size_t len = 0;
    char *text = lc_file_read(path, LOG_MAX, &len, &err);
    if (!text) {
        fprintf(stderr, "leastcloud logs: no logs for function %s yet (%s): invoke it first\n", function, path);
        lc_free(path);
        return LC_EXIT_FAIL;
    }
    if (cli->json) {
        json_t *list = s_split(text);
        char *out = lc_json_stringify(list, 2);
        printf("%s\n", out);
        lc_free(out);
        json_decref(list);
    } else {
        fwrite(text, 1, len, stdout);
    }
    lc_free(text);
    lc_free(path);
    return LC_EXIT_OK;
}
