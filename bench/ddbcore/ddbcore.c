/*
 * ddbcore.c: the in-process cost of the DynamoDB data plane as the server drives it
 * (lc_ddb_auth_checks, then lc_ddb_call_text), without HTTP, SigV4 or IAM, on a table shaped like
 * bench/ddb/bench_tool.py's `load`: table `bench` (p S hash, s N range), partitions of 100 items
 * {p, s, payload: 100 x "x", n}.
 *
 *   ddbcore load DIR [ITEMS=20000]      creates the state in DIR and loads the table
 *   ddbcore run DIR OP [CALLS=2000]     OP = GetItem | Query | Scan | auth (auth checks of GetItem
 *                                       only), or Query@N / Scan@N (Limit N: the slope between two
 *                                       limits is the cost per item); prints CPU µs per call. Under
 *                                       callgrind (--collect-atstart=no) only the timed calls count.
 *   ddbcore dump DIR                    prints the reply bodies of a fixed set of requests (every
 *                                       shape the fast paths touch), to diff before/after a change
 *
 * Requests are parsed before the timed loop: JSON parsing belongs to the server, not to ddb.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <valgrind/callgrind.h>

#include "leastcloud/alloc.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"

#define PER_PARTITION 100

static long s_partitions = 200;

static json_t *s_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    if (!v) {
        fprintf(stderr, "bad JSON %s: %s\n", text, jerr.text);
        exit(1);
    }
    return v;
}

static double s_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 +
           (double)ru.ru_stime.tv_usec;
}

/* What the server does per request: the IAM checks, then the operation's reply body. */
static int s_serve(struct lc_ddb *ddb, const char *op, const json_t *req, char **body, size_t *len, struct lc_error *err)
{
    struct lc_ddb_auth_checks checks;
    int rc = lc_ddb_auth_checks(ddb, op, req, &checks, err);
    lc_ddb_auth_checks_free(&checks);
    if (rc)
        return rc;
    return lc_ddb_call_text(ddb, op, req, body, len, err);
}

static void s_must(struct lc_ddb *ddb, const char *op, const json_t *req)
{
    struct lc_error err;
    char *body = NULL;
    if (s_serve(ddb, op, req, &body, NULL, &err)) {
        fprintf(stderr, "%s: %s: %s\n", op, err.aws_code, err.message);
        exit(1);
    }
    lc_free(body);
}

static int s_open(const char *dir, struct lc_store **store, struct lc_ddb **ddb)
{
    struct lc_error err;
    if (lc_store_open(dir, NULL, store, &err) || lc_ddb_open(*store, ddb, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    return 0;
}

static int s_load(struct lc_ddb *ddb, long items)
{
    json_t *ct = s_json("{\"TableName\":\"bench\",\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"},"
                        "{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":[{\"AttributeName\":"
                        "\"p\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\",\"AttributeType\":\"N\"}],"
                        "\"BillingMode\":\"PAY_PER_REQUEST\"}");
    s_must(ddb, "CreateTable", ct);
    json_decref(ct);
    char payload[101];
    memset(payload, 'x', 100);
    payload[100] = '\0';
    for (long part = 0; part < items / PER_PARTITION; part++) {
        for (long start = 0; start < PER_PARTITION; start += 25) {
            json_t *reqs = json_array();
            for (long i = start; i < start + 25; i++) {
                char buf[512];
                snprintf(buf, sizeof buf,
                         "{\"PutRequest\":{\"Item\":{\"p\":{\"S\":\"p%05ld\"},\"s\":{\"N\":\"%ld\"},\"payload\":{\"S\":\"%s\"},"
                         "\"n\":{\"N\":\"%ld\"}}}}", part, i, payload, part * 1000 + i);
                json_array_append_new(reqs, s_json(buf));
            }
            json_t *req = json_pack("{s:{s:o}}", "RequestItems", "bench", reqs);
            s_must(ddb, "BatchWriteItem", req);
            json_decref(req);
        }
    }
    printf("loaded %ld items\n", items / PER_PARTITION * PER_PARTITION);
    return 0;
}

/* "Query@10": Query with Limit 10 (0: no Limit). */
static long s_limit(const char *op)
{
    const char *at = strchr(op, '@');
    return at ? strtol(at + 1, NULL, 10) : 0;
}

/* The bodies bench_tool.py signs (same random-looking spread, deterministic). */
static json_t *s_request(const char *op, long i)
{
    char buf[512];
    long part = (i * 7919) % s_partitions;
    long limit = s_limit(op);
    if (limit && strncmp(op, "Query", 5) == 0)
        snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\","
                 "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p%05ld\"}},\"Limit\":%ld}", part, limit);
    else if (limit)
        snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Limit\":%ld}", limit);
    if (limit)
        return s_json(buf);
    if (strcmp(op, "GetItem") == 0 || strcmp(op, "auth") == 0)
        snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p%05ld\"},\"s\":{\"N\":\"%ld\"}}}", part,
                 (i * 31) % PER_PARTITION);
    else if (strcmp(op, "Query") == 0)
        snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\","
                 "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p%05ld\"}}}", part);
    else
        snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Limit\":100}");
    return s_json(buf);
}

static int s_run(struct lc_ddb *ddb, const char *op, long calls)
{
    bool auth_only = strcmp(op, "auth") == 0;
    const char *wire = auth_only ? "GetItem" : strncmp(op, "Query", 5) == 0 ? "Query" : strncmp(op, "Scan", 4) == 0 ? "Scan" : op;
    json_t **reqs = lc_calloc((size_t)calls, sizeof *reqs);
    for (long i = 0; i < calls; i++)
        reqs[i] = s_request(op, i);
    /* Warm up: the table cache, the statement cache, SQLite's pages. */
    for (long i = 0; i < 50 && i < calls; i++)
        s_must(ddb, wire, reqs[i]);
    size_t bytes = 0;
    double c0 = s_cpu_us();
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < calls; i++) {
        struct lc_error err;
        if (auth_only) {
            struct lc_ddb_auth_checks checks;
            lc_ddb_auth_checks(ddb, wire, reqs[i], &checks, &err);
            lc_ddb_auth_checks_free(&checks);
            continue;
        }
        char *body = NULL;
        size_t len = 0;
        if (s_serve(ddb, wire, reqs[i], &body, &len, &err)) {
            fprintf(stderr, "%s: %s: %s\n", op, err.aws_code, err.message);
            exit(1);
        }
        bytes += len;
        lc_free(body);
    }
    CALLGRIND_TOGGLE_COLLECT;
    double cpu = s_cpu_us() - c0;
    printf("%-8s %6ld calls  %7.2f cpu-us/call  %8zu reply bytes/call\n", op, calls, cpu / (double)calls,
           bytes / (size_t)calls);
    for (long i = 0; i < calls; i++)
        json_decref(reqs[i]);
    lc_free(reqs);
    return 0;
}

/* Every shape the text and fast paths touch: found / absent, projections, capacity modes, limits
 * that end a page (LastEvaluatedKey), both directions, COUNT, filters, start keys, errors. */
static const char *const s_dump_cases[][2] = {
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}}}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"700\"}}}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7.0\"}},\"ConsistentRead\":true,"
                "\"ReturnConsumedCapacity\":\"TOTAL\"}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}},\"ReturnConsumedCapacity\":\"INDEXES\","
                "\"ProjectionExpression\":\"#n, payload\",\"ExpressionAttributeNames\":{\"#n\":\"n\"}}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}},\"AttributesToGet\":[\"s\"]}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"}}}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"N\":\"3\"},\"s\":{\"N\":\"7\"}}}"},
    {"GetItem", "{\"TableName\":\"nope\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}}}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}},\"ReturnConsumedCapacity\":\"BAD\"}"},
    {"GetItem", "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00003\"},\"s\":{\"N\":\"7\"}},\"ProjectionExpression\":\"#x\"}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p00004\"}}}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p00004\"}},"
              "\"Limit\":10,\"ReturnConsumedCapacity\":\"TOTAL\"}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p00004\"}},"
              "\"Limit\":100,\"ReturnConsumedCapacity\":\"INDEXES\"}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p AND s BETWEEN :a AND :b\",\"ExpressionAttributeValues\":"
              "{\":p\":{\"S\":\"p00004\"},\":a\":{\"N\":\"10\"},\":b\":{\"N\":\"20\"}},\"ScanIndexForward\":false,\"Limit\":5}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p00004\"}},"
              "\"Limit\":5,\"ExclusiveStartKey\":{\"p\":{\"S\":\"p00004\"},\"s\":{\"N\":\"42\"}}}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p00004\"}},"
              "\"Select\":\"COUNT\",\"Limit\":7}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"FilterExpression\":\"n > :n\",\"ExpressionAttributeValues\":"
              "{\":p\":{\"S\":\"p00004\"},\":n\":{\"N\":\"4090\"}},\"Limit\":95}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ProjectionExpression\":\"s\",\"ExpressionAttributeValues\":"
              "{\":p\":{\"S\":\"p00004\"}},\"Limit\":3}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"p = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"zzz\"}}}"},
    {"Query", "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"s = :p\",\"ExpressionAttributeValues\":{\":p\":{\"N\":\"1\"}}}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":100}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":3,\"ReturnConsumedCapacity\":\"TOTAL\",\"ConsistentRead\":true}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":4,\"ExclusiveStartKey\":{\"p\":{\"S\":\"p00010\"},\"s\":{\"N\":\"98\"}}}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":4,\"Segment\":1,\"TotalSegments\":3}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":4,\"Select\":\"COUNT\"}"},
    {"Scan", "{\"TableName\":\"bench\",\"Limit\":0}"},
    {"Scan", "{\"TableName\":\"bench\",\"ExclusiveStartKey\":{\"p\":{\"S\":\"p00199\"},\"s\":{\"N\":\"90\"}}}"},
};

static void s_print_checks(const struct lc_ddb_auth_checks *c)
{
    for (size_t i = 0; i < c->count; i++) {
        printf("  check %s %s", c->items[i].action, c->items[i].resource);
        for (size_t k = 0; k < c->items[i].key_count; k++) {
            printf(" %s=[", c->items[i].keys[k].name);
            for (size_t v = 0; v < c->items[i].keys[k].count; v++)
                printf("%s%s", v ? "," : "", c->items[i].keys[k].values[v]);
            printf("]");
        }
        printf("\n");
    }
}

static int s_dump(struct lc_ddb *ddb)
{
    for (size_t i = 0; i < sizeof s_dump_cases / sizeof *s_dump_cases; i++) {
        json_t *req = s_json(s_dump_cases[i][1]);
        struct lc_error err;
        struct lc_ddb_auth_checks checks;
        printf("%s %s\n", s_dump_cases[i][0], s_dump_cases[i][1]);
        lc_ddb_auth_checks(ddb, s_dump_cases[i][0], req, &checks, &err);
        s_print_checks(&checks);
        lc_ddb_auth_checks_free(&checks);
        char *body = NULL;
        size_t len = 0;
        if (lc_ddb_call_text(ddb, s_dump_cases[i][0], req, &body, &len, &err))
            printf("  error %s %d %s\n", err.aws_code, err.http_status, err.message);
        else
            printf("  %zu %s\n", len, body);
        lc_free(body);
        json_decref(req);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ddbcore load DIR [ITEMS] | run DIR OP [CALLS] | dump DIR\n");
        return 2;
    }
    struct lc_store *store;
    struct lc_ddb *ddb;
    if (s_open(argv[2], &store, &ddb))
        return 1;
    int rc = 2;
    if (strcmp(argv[1], "load") == 0) {
        rc = s_load(ddb, argc > 3 ? strtol(argv[3], NULL, 10) : 20000);
    } else if (strcmp(argv[1], "run") == 0 && argc > 3) {
        rc = s_run(ddb, argv[3], argc > 4 ? strtol(argv[4], NULL, 10) : 2000);
    } else if (strcmp(argv[1], "dump") == 0) {
        rc = s_dump(ddb);
    }
    lc_ddb_free(ddb);
    lc_store_close(store);
    return rc;
}
