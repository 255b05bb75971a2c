/*
 * ddb_replay.c: runs DynamoDB operations from stdin against the ddb module and prints the results,
 * one JSON line each: {"op":"PutItem","req":{...}} in, {"ok":{...}} or {"error":{"__type":..,"message":..}}
 * out. Used by the differential test to compare leastcloud with dynalite without a server.
 * Usage: ddb_replay STATE_DIR < ops.jsonl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ddb_replay STATE_DIR < ops.jsonl\n");
        return 2;
    }
    struct lc_store *store;
    struct lc_ddb *ddb;
    struct lc_error err;
    if (lc_store_open(argv[1], NULL, &store, &err) || lc_ddb_open(store, &ddb, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_error_t jerr;
        json_t *in = json_loadb(line, (size_t)n, 0, &jerr);
        if (!in) {
            fprintf(stderr, "bad input line: %s\n", jerr.text);
            return 1;
        }
        const char *op = json_string_value(json_object_get(in, "op"));
        json_t *req = json_object_get(in, "req");
        char *body = NULL;
        size_t len = 0;
        lc_error_clear(&err);
        int rc = lc_ddb_call_text(ddb, op ? op : "", req, &body, &len, &err);
        if (rc == 0) {
            printf("{\"ok\":%.*s}\n", (int)len, body);
        } else {
            json_t *e = lc_ddb_error_body(&err);
            char *text = json_dumps(e, JSON_COMPACT);
            printf("{\"error\":%s}\n", text);
            free(text);
            json_decref(e);
        }
        fflush(stdout);
        lc_free(body);
        json_decref(in);
    }
    free(line);
    lc_ddb_free(ddb);
    lc_store_close(store);
    return 0;
}
