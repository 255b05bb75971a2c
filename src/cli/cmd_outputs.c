/*
 * cmd_outputs.c: `leastcloud outputs STACK`: the deployed stack's outputs ("Key = Value", or a JSON
 * object with --json). A stack that is not in a complete state is reported as it is, including one
 * whose deploy was killed (its status stays *_IN_PROGRESS with no process behind it).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/str.h"

int lc_cli_outputs(const struct lc_cli *cli, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return lc_cli_usage_error("outputs", "usage: leastcloud outputs STACK [--json]");
    const char *name = argv[1];
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_store *store = NULL;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud outputs: %s\n", err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_stack st;
    int status = LC_EXIT_OK;
    if (lc_store_stack_get(store, name, &st, &err) != 0) {
        fprintf(stderr, "leastcloud outputs: %s\n", err.message);
        lc_store_close(store);
        return LC_EXIT_FAIL;
    }
    if (st.stale) {
        fprintf(stderr,
                "leastcloud outputs: stack %s is %s, but nothing is working on it: the process that started it "
                "(pid %d) is gone.\n  `leastcloud destroy %s --force` deletes what it made; `leastcloud deploy` "
                "rolls it back first, then deploys.\n",
                name, st.status, st.owner_pid, name);
        status = LC_EXIT_FAIL;
    } else if (!lc_str_ends_with(st.status, "_COMPLETE") || strstr(st.status, "ROLLBACK")) {
        fprintf(stderr, "leastcloud outputs: stack %s is %s%s%s\n", name, st.status, *st.status_reason ? ": " : "",
                st.status_reason);
        status = LC_EXIT_FAIL;
    }
    char *text = status == LC_EXIT_OK ? lc_store_stack_doc(store, st.stack_id, "outputs") : NULL;
    json_t *outs = text ? json_loads(text, 0, NULL) : NULL;
    lc_free(text);
    if (cli->json) {
        json_t *obj = json_object();
        size_t i;
        json_t *o;
        json_array_foreach(outs, i, o) json_object_set(obj, lc_json_str(o, "OutputKey"), json_object_get(o, "OutputValue"));
        json_t *doc = json_pack("{s:s, s:s, s:s, s:b, s:o}", "StackName", st.name, "StackId", st.stack_id,
                                "StackStatus", st.status, "Interrupted", st.stale, "Outputs", obj);
        char *s = lc_json_stringify(doc, 2);
        printf("%s\n", s);
        lc_free(s);
        json_decref(doc);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(outs, i, o) printf("%s.%s = %s\n", st.name, lc_json_str(o, "OutputKey"),
                                              lc_json_str(o, "OutputValue"));
    }
    json_decref(outs);
    lc_store_close(store);
    return status;
}
